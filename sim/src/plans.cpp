#include "plans.hpp"

namespace unrest {

Vec2 randomSpot(const StepContext& ctx, int zone, std::uint64_t step, std::uint64_t subject, RandomPurpose purpose) {
  const auto& cells = ctx.world.zoneCells(zone);
  auto stream = ctx.rng.stream(step, subject, purpose);
  const Grid& g = ctx.world.grid();
  Vec2 spot = Vec2::Zero();
  // A few tries for a spot a body fits in; in a zone that is all narrow passages the last try stands.
  constexpr int kTries = 8;
  constexpr double kLargestBody = 0.35;  // m: the largest radius of HFV 2000's range
  for (int attempt = 0; attempt < kTries; ++attempt) {
    const auto pick = static_cast<std::size_t>(stream() * double(cells.size()));
    const auto c = static_cast<std::size_t>(cells[std::min(pick, cells.size() - 1)]);
    const int i = static_cast<int>(c % g.nx), j = static_cast<int>(c / g.nx);
    spot = g.origin + Vec2((i + stream()) * g.h, (j + stream()) * g.h);
    if (ctx.world.bodyFits(spot, kLargestBody)) break;
  }
  return spot;
}

Vec2 visibleSpot(const StepContext& ctx, const Vec2& from, int zone, std::uint32_t agentId, double radius) {
  constexpr int kTries = 16;
  for (int attempt = 0; attempt < kTries; ++attempt) {
    const Vec2 spot = randomSpot(ctx, zone, std::uint64_t(ctx.step), (std::uint64_t(agentId) << 8) | std::uint64_t(attempt),
                                 RandomPurpose::GoalSpot);
    if (ctx.world.bodyFits(spot, radius) && ctx.world.lineOfSight(from, spot)) return spot;
  }
  return from;  // stand where they are
}

int homeZoneOf(const Scenario& sc, const Population& a, std::size_t i) {
  const PopulationDef& pop = sc.populations[a.group[i]];
  return pop.homeZone >= 0 ? pop.homeZone : pop.spawnZone;
}

void resumePlan(const StepContext& ctx, const Plans& plans, Population& a, std::size_t i) {
  const PopulationDef& pop = ctx.scenario.populations[a.group[i]];
  a.errand[i] = static_cast<std::uint8_t>(Errand::None);
  const int zone = pop.patrol.empty() ? plans.of(a, i).zone : pop.patrol[a.patrolStop[i]];
  a.field[i] = static_cast<std::uint16_t>(ctx.world.fieldForZone(zone));
  if (a.state[i] == std::uint8_t(AgentState::Arrived)) a.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
  // A new personal spot in the zone: the old one belonged to wherever they were before.
  const Vec2 g = randomSpot(ctx, zone, std::uint64_t(ctx.step), a.id[i], RandomPurpose::GoalSpot);
  a.goalX[i] = static_cast<float>(g.x());
  a.goalY[i] = static_cast<float>(g.y());
  a.dwell[i] = -1.0f;
}

void sendHome(const StepContext& ctx, Population& a, std::size_t i) {
  const int field = ctx.world.fieldForZone(homeZoneOf(ctx.scenario, a, i));
  if (field < 0) return;
  a.errand[i] = static_cast<std::uint8_t>(Errand::GoHome);
  a.patrolStop[i] = 0;  // back on duty, the patrol starts from its first stop
  a.field[i] = static_cast<std::uint16_t>(field);
  if (a.activity[i] != std::uint8_t(Activity::Fleeing)) a.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
  if (a.state[i] == std::uint8_t(AgentState::Arrived)) a.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
}

}  // namespace unrest
