// The move stage: each walking or standing person's new velocity from the scenario's locomotion model
// (locomotion/: social_force.hpp, collision_free_speed.hpp, hybrid.hpp), then what every model shares: a centre
// never crosses a wall, closed barriers hold those without a pass, the periodic boundary wraps, and the contact
// pressure is written for the harm stage. Neighbours are read from the packed copy the index stage made of the
// current state, and each person writes only their own slot, so the stage runs in parallel with identical results
// for any thread count.
#include "stages.hpp"

#include "locomotion/anticipation_velocity.hpp"
#include "locomotion/collision_free_speed.hpp"
#include "locomotion/hybrid.hpp"
#include "locomotion/social_force.hpp"

#include <omp.h>

#include <cmath>
#include <type_traits>

namespace unrest {

namespace {

// The guard: a centre never crosses a wall. The models keep bodies off walls, so this should not trigger; it is
// counted so a regression in the physics shows in the outputs rather than as people inside buildings. A blocked move
// slides along the wall instead. Returns the step's marks.
std::uint8_t guardWalls(const World& world, double dt, bool wallsNear, const Vec2& p, Vec2& pNew, Vec2& vNew) {
  if (!vNew.allFinite()) {
    vNew.setZero();
    pNew = p;
    return StepMark::WallCorrection;
  }
  if (!wallsNear) return 0;
  const int crossed = world.wallCrossed(p, pNew);
  if (crossed < 0) return 0;
  const WallSegment& w = world.walls()[crossed];
  const Vec2 along = (w.b - w.a).normalized();
  vNew = along * vNew.dot(along);
  pNew = p + dt * vNew;
  if (world.wallCrossed(p, pNew) >= 0) {
    pNew = p;
    vNew.setZero();
  }
  return StepMark::WallCorrection;
}

}  // namespace

void runMove(const StepContext& ctx, const NeighbourIndex& nbr, const ModelState& model, Population& a, Tally& tally) {
  const double dt = ctx.dt;
  const auto n = static_cast<std::int64_t>(a.size());
  const double largestRadius = ctx.scenario.largestRadius();
  const MoveContext m{ctx, nbr, model, a, anyVehiclePresentOrDue(model.vehicles), model.checkpoints.anyOpen(),
                      largestRadius, 2.0 * largestRadius, ctx.scenario.locomotion.repulsionReach()};
  const PeriodicX periodic = nbr.periodic;
  const LocomotionModel locomotion = ctx.scenario.locomotion.model;
  // The velocity models look for neighbours as far as the neighbour cells reach.
  const double reach = nbr.cells.grid.h * nbr.span;
  std::int64_t corrections = 0, crossings = 0;

  // The loop is compiled once per model, with the periodic wrapping and without it, so a map without a periodic
  // boundary runs exactly the code it ran before there was one.
  auto moveAll = [&](auto periodicTag, auto modelTag) {
    constexpr bool kPeriodic = decltype(periodicTag)::value;
    constexpr LocomotionModel kModel = decltype(modelTag)::value;
#pragma omp parallel for schedule(dynamic, kMoveChunk) num_threads(ctx.threads) if (ctx.parallel(n)) reduction(+ : corrections, crossings)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto state = static_cast<AgentState>(a.state[i]);
      a.marks[i] = 0;
      if (state != AgentState::Walking && state != AgentState::Arrived) {
        a.pressure[i] = 0.0f;
        continue;
      }
      const auto k = static_cast<std::size_t>(i);
      const Walker w{k, Vec2(a.x[i], a.y[i]), Vec2(a.vx[i], a.vy[i]), a.radius[i], a.desiredSpeed[i],
                     steer(ctx, model, a, k, m.barriers)};
      Moved moved;
      if constexpr (kModel == LocomotionModel::Hfv2000) moved = socialForceStep<kPeriodic>(m, w);
      else if constexpr (kModel == LocomotionModel::CollisionFreeSpeed) moved = collisionFreeSpeedStep<kPeriodic>(m, w, reach);
      else if constexpr (kModel == LocomotionModel::AnticipationVelocity) moved = anticipationVelocityStep<kPeriodic>(m, w, reach);
      else moved = hybridStep<kPeriodic>(m, w, reach);

      Vec2 vNew = moved.v;
      Vec2 pNew = w.p + dt * vNew;
      std::uint8_t marks = guardWalls(ctx.world, dt, moved.wallsNear, w.p, pNew, vNew);
      if (m.obstacles()) marks |= holdAtBarriers(ctx, model.checkpoints, a, k, w.p, pNew, vNew);
      if constexpr (kPeriodic) pNew.x() += periodic.period * double((pNew.x() < periodic.start) - (pNew.x() >= periodic.end));  // back into the period
      a.x[i] = pNew.x();
      a.y[i] = pNew.y();
      a.vx[i] = vNew.x();
      a.vy[i] = vNew.y();
      a.pressure[i] = static_cast<float>(moved.compression / (2.0 * M_PI * w.r));
      a.marks[i] = marks;
      if constexpr (kModel == LocomotionModel::AnticipationVelocity) {
        a.facingX[i] = static_cast<float>(moved.facing.x());
        a.facingY[i] = static_cast<float>(moved.facing.y());
      }
      corrections += marks & StepMark::WallCorrection;
      crossings += (marks & StepMark::CrossedBarrier) != 0;
    }
  };
  auto forModel = [&](auto periodicTag) {
    using M = LocomotionModel;
    switch (locomotion) {
      case M::Hfv2000: moveAll(periodicTag, std::integral_constant<M, M::Hfv2000>{}); break;
      case M::CollisionFreeSpeed: moveAll(periodicTag, std::integral_constant<M, M::CollisionFreeSpeed>{}); break;
      case M::AnticipationVelocity: moveAll(periodicTag, std::integral_constant<M, M::AnticipationVelocity>{}); break;
      case M::Hybrid: moveAll(periodicTag, std::integral_constant<M, M::Hybrid>{}); break;
    }
  };
  if (periodic.on()) forModel(std::true_type{});
  else forModel(std::false_type{});
  tally.agentSteps += n;
  tally.wallCorrections += corrections;
  tally.barrierCrossings += crossings;
}

}  // namespace unrest
