// The record stage: a metrics row of the state at the end of the step, with the peaks kept up since the row before
// (contact pressure, crowd pressure). Serial, in array order: sums are then the same whatever the thread count (the
// peak density, a largest count, is found in parallel).
#include "stages.hpp"

#include <algorithm>
#include <cmath>

namespace unrest {

void runRecord(const StepContext& ctx, const NeighbourIndex& nbr, const Population& a, const ModelState& model,
               const Tally& tally, std::int64_t totalPeople, RowPeaks& peaks, CrowdPressure& crowdPressure,
               MetricsRow& row) {
  // Filled in place: the per-faction and per-checkpoint lists keep their storage from row to row.
  auto factions = std::move(row.factions);
  auto checkpoints = std::move(row.checkpoints);
  row = MetricsRow{};
  factions.assign(ctx.scenario.factions.size(), FactionCounts{});
  checkpoints.assign(model.checkpoints.counts.begin(), model.checkpoints.counts.end());
  row.time = ctx.time();
  row.waiting = totalPeople - tally.spawned;
  row.byState[static_cast<int>(AgentState::Exited)] = tally.exited;
  double speedSum = 0.0, fearSum = 0.0;
  std::int64_t moving = 0, civilians = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const auto s = static_cast<AgentState>(a.state[k]);
    if (s == AgentState::Exited) continue;
    ++row.byState[static_cast<int>(s)];
    const bool civilian = a.role[k] == std::uint8_t(Role::Civilian);
    const Condition condition = a.condition(k);
    if (civilian) ++row.byCondition[static_cast<int>(condition)];
    if (a.faction[k] != kNoFaction) {
      FactionCounts& f = factions[a.faction[k]];
      f.onStreet += onStreet(a.state[k]);
      f.active += condition == Condition::Active;
      f.fighting += condition == Condition::Fighting;
      f.fleeing += condition == Condition::Fleeing;
      f.looting += condition == Condition::Looting;
      f.injured += condition == Condition::Injured;
      f.arrested += condition == Condition::Arrested;
    }
    if (!onStreet(a.state[k]) || s == AgentState::Injured) continue;
    ++row.onStreetByRole[a.role[k]];
    if (civilian) {
      fearSum += a.fear[k];
      ++civilians;
    }
    const double vx = a.vx[k], vy = a.vy[k];
    speedSum += std::sqrt(vx * vx + vy * vy);
    ++moving;
    row.contacts += a.pressure[k] > 0.0f;
  }
  row.peakDensity = peakLocalDensity(ctx, nbr);
  row.peakPressure = peaks.pressure;
  peaks = RowPeaks{};
  row.crowdPressure = crowdPressure.takePeak();
  row.meanSpeed = moving ? speedSum / double(moving) : 0.0;
  row.meanFear = civilians ? fearSum / double(civilians) : 0.0;
  row.injuries = tally.injuries;
  row.injuriesCrush = tally.injuries[int(InjuryCause::Crush)];
  row.arrests = tally.arrests;
  row.lootingIncidents = tally.lootingIncidents;
  row.lootingDamage = tally.lootingDamage;
  row.legitimacy = model.timeline.legitimacy;
  row.policePresence = model.timeline.policePresence;
  row.night = ctx.scenario.isNight(ctx.time());
  row.curfew = model.timeline.curfew(ctx.time());
  row.wallCorrections = tally.wallCorrections;
  row.factions = std::move(factions);
  row.checkpoints = std::move(checkpoints);
}

}  // namespace unrest
