// The record stage: a metrics row of the state at the end of the step. Serial, in array order: sums are then the
// same whatever the thread count.
#include "stages.hpp"

#include <algorithm>
#include <cmath>

namespace unrest {

namespace {

// Density cells that are mostly wall are left out of the peak density.
constexpr double kMinWalkableShare = 0.25;

}  // namespace

void runRecord(const StepContext& ctx, const Population& a, const ModelState& model, const Tally& tally,
               std::int64_t totalPeople, DensityCells& density, MetricsRow& row) {
  // Filled in place: the per-faction and per-checkpoint lists keep their storage from row to row.
  auto factions = std::move(row.factions);
  auto checkpoints = std::move(row.checkpoints);
  row = MetricsRow{};
  factions.assign(ctx.scenario.factions.size(), FactionCounts{});
  checkpoints.assign(model.checkpoints.counts.begin(), model.checkpoints.counts.end());
  row.time = ctx.time();
  row.waiting = totalPeople - tally.spawned;
  row.byState[static_cast<int>(AgentState::Exited)] = tally.exited;
  std::fill(density.count.begin(), density.count.end(), 0u);
  std::fill(density.sumVx.begin(), density.sumVx.end(), 0.0);
  std::fill(density.sumVy.begin(), density.sumVy.end(), 0.0);
  std::fill(density.sumV2.begin(), density.sumV2.end(), 0.0);
  const Grid& dg = density.grid;
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
    if (!onStreet(a.state[k])) continue;
    const auto c = dg.index(std::clamp(dg.cellX(a.x[k]), 0, dg.nx - 1), std::clamp(dg.cellY(a.y[k]), 0, dg.ny - 1));
    ++density.count[c];
    if (s == AgentState::Injured) continue;
    ++row.onStreetByRole[a.role[k]];
    if (civilian) {
      fearSum += a.fear[k];
      ++civilians;
    }
    const double vx = a.vx[k], vy = a.vy[k];
    density.sumVx[c] += vx;
    density.sumVy[c] += vy;
    density.sumV2[c] += vx * vx + vy * vy;
    speedSum += std::sqrt(vx * vx + vy * vy);
    ++moving;
    row.peakPressure = std::max(row.peakPressure, double(a.pressure[k]));
    row.contacts += a.pressure[k] > 0.0f;
  }
  const double minArea = kMinWalkableShare * dg.h * dg.h;
  for (std::size_t c = 0; c < dg.size(); ++c) {
    if (density.count[c] == 0 || density.area[c] < minArea) continue;
    const double rho = density.count[c] / density.area[c];
    row.peakDensity = std::max(row.peakDensity, rho);
    if (density.count[c] >= 2) {
      const double n = density.count[c];
      const double meanVx = density.sumVx[c] / n, meanVy = density.sumVy[c] / n;
      const double variance = std::max(0.0, density.sumV2[c] / n - meanVx * meanVx - meanVy * meanVy);
      row.crowdPressure = std::max(row.crowdPressure, rho * variance);
    }
  }
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
