// The harm stage: contact pressure (the body compression of HFV 2000 summed over contacts, per metre of
// circumference) injures by the scenario's criterion: at once above the threshold (HFV 2000), or after a sustained
// exposure above it (compressive asphyxia). The injured become fixed obstacles. Marks are written per person in
// parallel; the events, with the local density around each injured person, are recorded afterwards in id order.
#include "stages.hpp"

#include "unrest/harm.hpp"
#include "../model/injuries.hpp"

#include <omp.h>

#include <algorithm>

namespace unrest {

bool crushInjures(const HarmDef& harm, double pressure, double dt, float& exposure) {
  const bool above = pressure > harm.injuryPressure;
  if (harm.criterion == HarmCriterion::Hfv2000) return above;
  if (above) {
    exposure += static_cast<float>(dt);
  } else {
    // Relief pays the exposure back at injuryTime / recoveryTime seconds per second (0: at once).
    const double drain = harm.recoveryTime > 0 ? dt * harm.injuryTime / harm.recoveryTime : double(exposure);
    exposure = static_cast<float>(std::max(0.0, double(exposure) - drain));
  }
  // Within half a step, so that the rounding of a float sum of steps never adds one.
  return exposure >= harm.injuryTime - 0.5 * dt;
}

std::int64_t runHarm(const StepContext& ctx, const NeighbourIndex& nbr, FearState& fear, Population& a, Outcomes& out,
                     RowPeaks& peaks) {
  const HarmDef& harm = ctx.scenario.harm;
  const auto n = static_cast<std::int64_t>(a.size());
  std::int64_t injured = 0;
  double peakPressure = peaks.pressure;
#pragma omp parallel for schedule(dynamic, kCheapChunk) num_threads(ctx.threads) if (ctx.parallel(n)) reduction(+ : injured) reduction(max : peakPressure)
  for (std::int64_t i = 0; i < n; ++i) {
    if (!walkingOrArrived(a.state[i])) continue;
    peakPressure = std::max(peakPressure, double(a.pressure[i]));
    if (crushInjures(harm, a.pressure[i], ctx.dt, a.overPressureTime[i])) {
      a.state[i] = static_cast<std::uint8_t>(AgentState::Injured);
      a.vx[i] = a.vy[i] = 0.0;
      a.marks[i] |= StepMark::Injured;
      ++injured;
    }
  }
  peaks.pressure = peakPressure;
  if (injured == 0) return 0;
  const std::size_t firstNew = out.events.size();
  for (std::int64_t i = 0; i < n; ++i)
    if (a.marks[i] & StepMark::Injured) {
      const auto k = static_cast<std::size_t>(i);
      recordInjury(ctx, k, InjuryCause::Crush, a.pressure[i], a, fear, out);
      out.events.back().density = localDensity(nbr, a, k);
    }
  std::sort(out.events.begin() + static_cast<std::ptrdiff_t>(firstNew), out.events.end(),
            [](const Event& l, const Event& r) { return l.agent < r.agent; });
  return injured;
}

}  // namespace unrest
