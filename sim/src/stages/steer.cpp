// Steering: where each person wants to go this step and how fast, from what they are doing: fleeing (up the
// flight field, at a speed raised towards the panic speed, following others), pursuing or approaching someone,
// taking goods, walking the navigation field to their destination, or heading for their spot inside it (beside any
// parked vehicle that stands on it); those whose way leads across a closed checkpoint make for its gate, round any
// vehicle parked at the barrier; those standing where a vehicle is about to park step out of its way.
#include "stages.hpp"

namespace unrest {

namespace {

// People slow down over the last stretch to a spot they head for.
constexpr double kArrivalSlowdown = 0.5;  // m; assumption

}  // namespace

Steering steer(const StepContext& ctx, const ModelState& model, const Population& a, std::size_t i, bool gates) {
  const FearDef& fear = ctx.scenario.fear;
  const auto state = static_cast<AgentState>(a.state[i]);
  const Vec2 p(a.x[i], a.y[i]);
  const double v0 = a.desiredSpeed[i];
  Steering s{Vec2::Zero(), v0, 0.0};
  const auto errand = static_cast<Errand>(a.errand[i]);
  auto towards = [&](double x, double y) {
    const Vec2 to(x - p.x(), y - p.y());
    const double dist = to.norm();
    if (dist > 1e-6) s.heading = to / dist;
    s.speed *= std::min(1.0, dist / kArrivalSlowdown);
  };
  if (a.activity[i] == std::uint8_t(Activity::Fleeing)) {
    // Helbing, Farkas, Vicsek 2000: the desired speed rises towards a panic speed and people follow others.
    s.heading = fleeDirection(ctx, model.fear, a, i, p);
    s.speed = std::max(v0, v0 + a.fear[i] * (fear.panicSpeed - v0));
    s.herding = fear.herding * a.fear[i];
  } else if (errand == Errand::Pursue || errand == Errand::Approach) {
    if (errand == Errand::Pursue) s.speed *= ctx.scenario.police.pursuitFactor;
    towards(a.goalX[i], a.goalY[i]);
  } else if (errand == Errand::Loot && ctx.world.inDestination(a.field[i], p)) {
    s.speed = 0.0;  // taking goods
  } else if (state == AgentState::Walking) {
    s.heading = ctx.world.desiredDirection(a.field[i], p);
  } else if (model.vehicles.empty()) {
    towards(a.goalX[i], a.goalY[i]);
  } else {
    const Vec2 spot = spotBesideParkedVehicles(ctx.scenario, model.vehicles, Vec2(a.goalX[i], a.goalY[i]), a.radius[i]);
    towards(spot.x(), spot.y());
  }
  if (gates)
    if (const auto toGate = headingToGate(ctx, model.checkpoints, model.vehicles, a, i, p)) s.heading = *toGate;
  if (!model.vehicles.empty())
    if (const auto out = wayOutOfDueVehicles(ctx.scenario, model.vehicles, p, a.radius[i])) {
      s.heading = *out;  // stepping out of an arriving vehicle's way
      s.speed = std::max(s.speed, v0);
    }
  return s;
}

}  // namespace unrest
