// The arrive stage: people who reach their destination arrive (and stay, mill about or leave), patrols go on to their
// next stop, those sent home go (civilians for good; the forces of order and volunteers may come back on duty), and
// a population is announced as arrived once none of it walks or waits to spawn.
#include "stages.hpp"

#include "../model/checkpoints.hpp"

#include <omp.h>

#include <cmath>

namespace unrest {

namespace {

// A person this close to their spot is on it.
constexpr double kOnSpot = 0.5;  // m
constexpr int kWanderTries = 16;

// Milling in a destination (on_arrival: wander): on reaching their spot people stand for an exponentially
// distributed while (mean dwell_time), then pick a new spot nearby in the same zone and in sight: people in a rally
// shift about; they do not cross the square.
void wander(const StepContext& ctx, const PopulationDef& pop, Population& a, std::size_t i) {
  const Vec2 p(a.x[i], a.y[i]);
  if ((Vec2(a.goalX[i], a.goalY[i]) - p).squaredNorm() >= kOnSpot * kOnSpot) return;  // still on the way to the spot
  if (a.dwell[i] < 0.0f) {  // just arrived
    constexpr std::uint64_t kDwellDraw = 99;
    const double u = ctx.rng.uniform(std::uint64_t(ctx.step), a.id[i], RandomPurpose::Wander, kDwellDraw);
    a.dwell[i] = static_cast<float>(-std::log(1.0 - u) * pop.dwellTime);
    return;
  }
  a.dwell[i] -= static_cast<float>(ctx.dt);
  if (a.dwell[i] > 0.0f) return;
  a.dwell[i] = -1.0f;
  Vec2 g = p;
  auto stream = ctx.rng.stream(std::uint64_t(ctx.step), a.id[i], RandomPurpose::Wander);
  bool found = false;
  for (int attempt = 0; attempt < kWanderTries && !found; ++attempt) {
    const double radius = pop.wanderRadius * std::sqrt(stream()), angle = 2.0 * M_PI * stream();
    g = p + radius * Vec2(std::cos(angle), std::sin(angle));
    found = ctx.world.inDestination(a.field[i], g) && ctx.world.bodyFits(g, a.radius[i]) && ctx.world.lineOfSight(p, g);
  }
  if (!found) g = p;  // nowhere in sight to go: stay a while longer
  a.goalX[i] = static_cast<float>(g.x());
  a.goalY[i] = static_cast<float>(g.y());
}

std::uint8_t arrive(const StepContext& ctx, const Plans& plans, Population& a, std::size_t i, AgentState state) {
  const World& world = ctx.world;
  const Vec2 p(a.x[i], a.y[i]);
  const auto errand = static_cast<Errand>(a.errand[i]);
  if (!ctx.scenario.checkpoints.empty()) expirePass(ctx, a, i);
  if (errand == Errand::GoHome) {
    if (!world.inDestination(a.field[i], p)) return 0;
    a.errand[i] = static_cast<std::uint8_t>(Errand::None);
    const bool civilian = a.role[i] == std::uint8_t(Role::Civilian);
    a.state[i] = static_cast<std::uint8_t>(civilian ? AgentState::Exited : AgentState::Away);
    a.vx[i] = a.vy[i] = 0.0;
    return civilian ? StepMark::Left : StepMark::WentAway;
  }
  if (errand != Errand::None || a.activity[i] == std::uint8_t(Activity::Fleeing)) return 0;
  const PopulationDef& pop = ctx.scenario.populations[a.group[i]];
  const PlanNow& plan = plans.of(a, i);
  if (state == AgentState::Walking && world.inDestination(a.field[i], p)) {
    if (!pop.patrol.empty()) {  // on to the next stop
      a.patrolStop[i] = static_cast<std::uint16_t>((a.patrolStop[i] + 1) % pop.patrol.size());
      a.field[i] = static_cast<std::uint16_t>(world.fieldForZone(pop.patrol[a.patrolStop[i]]));
      return 0;
    }
    const bool leave = plan.onArrival == OnArrival::Leave;
    a.state[i] = static_cast<std::uint8_t>(leave ? AgentState::Exited : AgentState::Arrived);
    // Inside the zone people head straight for their spot, so it must be in sight from where they entered.
    if (!leave && !world.lineOfSight(p, Vec2(a.goalX[i], a.goalY[i]))) {
      const Vec2 g = visibleSpot(ctx, p, plan.zone, a.id[i], a.radius[i]);
      a.goalX[i] = static_cast<float>(g.x());
      a.goalY[i] = static_cast<float>(g.y());
    }
    return leave ? StepMark::Left : StepMark::Reached;
  }
  if (state == AgentState::Arrived && plan.onArrival == OnArrival::Wander) wander(ctx, pop, a, i);
  return 0;
}

}  // namespace

void runArrive(const StepContext& ctx, const Plans& plans, std::int64_t injuredNow, Spawner& spawner, Population& a,
               Outcomes& out) {
  const auto n = static_cast<std::int64_t>(a.size());
  std::int64_t changes = 0, left = 0;
#pragma omp parallel for schedule(dynamic, kCheapChunk) num_threads(ctx.threads) if (ctx.parallel(n)) reduction(+ : changes, left)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto state = static_cast<AgentState>(a.state[i]);
    if (state != AgentState::Walking && state != AgentState::Arrived) continue;
    const std::uint8_t mark = arrive(ctx, plans, a, static_cast<std::size_t>(i), state);
    a.marks[i] |= mark;
    changes += mark != 0;
    left += (mark & StepMark::Left) != 0;
  }
  out.tally.exited += left;
  if (changes + injuredNow == 0) return;
  // A population has arrived when none of it is still walking or waiting to spawn.
  for (std::size_t p = 0; p < ctx.scenario.populations.size(); ++p) {
    if (spawner.announcedArrival[p] || spawner.spawnedOf[p] < ctx.scenario.populations[p].totalCount()) continue;
    bool anyWalking = false;
    for (std::int64_t i = 0; i < n && !anyWalking; ++i)
      anyWalking = a.group[i] == p && a.state[i] == std::uint8_t(AgentState::Walking);
    if (!anyWalking) {
      spawner.announcedArrival[p] = 1;
      out.events.push_back({ctx.time() + ctx.dt, EventType::PopulationArrived, 0, static_cast<int>(p), Vec2::Zero(), 0.0});
    }
  }
}

}  // namespace unrest
