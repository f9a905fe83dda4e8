// The harm stage: contact pressure (the body compression of HFV 2000 summed over contacts, per metre of
// circumference) held above the injury threshold for the injury time injures; the injured become fixed obstacles.
// Marks are written per person in parallel; the events are recorded afterwards in id order.
#include "stages.hpp"

#include "../model/injuries.hpp"

#include <omp.h>

#include <algorithm>

namespace unrest {

std::int64_t runHarm(const StepContext& ctx, FearState& fear, Population& a, Outcomes& out) {
  const double threshold = ctx.scenario.harm.injuryPressure, holdTime = ctx.scenario.harm.injuryTime;
  const auto n = static_cast<std::int64_t>(a.size());
  std::int64_t injured = 0;
#pragma omp parallel for schedule(dynamic, kCheapChunk) num_threads(ctx.threads) if (ctx.parallel(n)) reduction(+ : injured)
  for (std::int64_t i = 0; i < n; ++i) {
    if (!walkingOrArrived(a.state[i])) continue;
    if (a.pressure[i] > threshold) {
      a.overPressureTime[i] += static_cast<float>(ctx.dt);
      if (a.overPressureTime[i] >= holdTime) {
        a.state[i] = static_cast<std::uint8_t>(AgentState::Injured);
        a.vx[i] = a.vy[i] = 0.0;
        a.marks[i] |= StepMark::Injured;
        ++injured;
      }
    } else {
      a.overPressureTime[i] = 0.0f;
    }
  }
  if (injured == 0) return 0;
  const std::size_t firstNew = out.events.size();
  for (std::int64_t i = 0; i < n; ++i)
    if (a.marks[i] & StepMark::Injured) recordInjury(ctx, static_cast<std::size_t>(i), InjuryCause::Crush, a.pressure[i], a, fear, out);
  std::sort(out.events.begin() + static_cast<std::ptrdiff_t>(firstNew), out.events.end(),
            [](const Event& l, const Event& r) { return l.agent < r.agent; });
  return injured;
}

}  // namespace unrest
