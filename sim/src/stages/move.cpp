// The move stage: social force on every person (Helbing, Farkas, Vicsek 2000: drive, social repulsion, body
// compression and sliding friction from people and walls; vehicles and closed barriers as obstacles), integrated one
// step. Neighbours are read from the packed copy the index stage made of the current state, and each person writes
// only their own slot, so the stage runs in parallel with identical results for any thread count.
#include "stages.hpp"

#include "unrest/forces.hpp"

#include <omp.h>

#include <cmath>
#include <type_traits>

namespace unrest {

namespace {

// The wall forces of one person at p: a segment acts when the person is beside it (projection inside it) and on its
// walkable side; an outward corner acts when the person is in its own wedge. So every part of a wall pushes once.
// Returns whether any wall segment is near (then the wall guard must look).
bool addWallForces(const World& world, const ForceParams& walls, const Vec2& p, const Vec2& v, double r, ForceAccumulator& acc) {
  const auto& wallSegments = world.walls();
  const auto& wallCorners = world.corners();
  const int bucket = world.wallBucketOf(p);
  const auto [nearSegments, nearSegmentsEnd] = world.segmentsNear(bucket);
  for (auto it = nearSegments; it != nearSegmentsEnd; ++it) {
    const WallSegment& w = wallSegments[*it];
    const Vec2 ab = w.b - w.a;
    const double t = (p - w.a).dot(ab) / ab.squaredNorm();
    if (t < 0.0 || t > 1.0 || cross(ab, p - w.a) <= 0.0) continue;
    addWallForce(acc, walls, p - (w.a + t * ab), r, v);
  }
  for (auto [it, end] = world.cornersNear(bucket); it != end; ++it) {
    const WallCorner& corner = wallCorners[*it];
    const Vec2 rel = p - corner.p;
    if (rel.dot(corner.dirIn) <= 0.0 || rel.dot(corner.dirOut) >= 0.0) continue;
    addWallForce(acc, walls, rel, r, v);
  }
  return nearSegments != nearSegmentsEnd;
}

// The guard: a centre never crosses a wall. The wall forces keep bodies off walls, so this should not trigger; it is
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
  const PhysicsDef& ph = ctx.scenario.physics;
  const ForceParams people{ph.A, ph.B, ph.k, ph.kappa, ph.anisotropy, ph.interactionRange};
  const ForceParams walls{ph.wallA, ph.wallB, ph.wallK, ph.wallKappa, 1.0, ph.interactionRange};
  const bool implicit = ph.integrator == Integrator::ImplicitContact;
  const double dt = ctx.dt, mass = ph.mass, tau = ph.tau;
  const auto n = static_cast<std::int64_t>(a.size());
  // Vehicles on the map or barriers closed: rare, so the common case skips them.
  const bool vehicles = anyVehiclePresent(model.vehicles), barriers = model.checkpoints.anyOpen();
  const bool obstacles = vehicles || barriers;
  const PeriodicX periodic = nbr.periodic;
  std::int64_t corrections = 0, crossings = 0;

  // The loop is compiled twice: with the periodic wrapping and without it, so a map without a periodic boundary runs
  // exactly the code it ran before there was one.
  auto moveAll = [&](auto periodicTag) {
    constexpr bool kPeriodic = decltype(periodicTag)::value;
#pragma omp parallel for schedule(static) num_threads(ctx.threads) if (ctx.parallel(n)) reduction(+ : corrections, crossings)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto state = static_cast<AgentState>(a.state[i]);
      a.marks[i] = 0;
      if (state != AgentState::Walking && state != AgentState::Arrived) {
        a.pressure[i] = 0.0f;
        continue;
      }
      const Vec2 p(a.x[i], a.y[i]);
      const Vec2 v(a.vx[i], a.vy[i]);
      const double r = a.radius[i];
      const double v0 = a.desiredSpeed[i];
      const Steering s = steer(ctx, model, a, static_cast<std::size_t>(i), barriers);
      Vec2 heading = s.heading;

      ForceAccumulator acc;
      Vec2 neighbourVelocity = Vec2::Zero();
      nbr.forEachCandidate<kPeriodic>(p, [&](const NeighbourSlot& o) {
        // Cheap rejection on position alone: most candidates in the 3×3 block are out of reach.
        double dx = p.x() - o.x;
        if constexpr (kPeriodic) dx -= periodic.period * double((dx > periodic.half) - (dx < -periodic.half));  // the nearest image
        const double dy = p.y() - o.y;
        const double rSum = r + o.radius;
        const double reach = rSum + people.range;
        if (dx * dx + dy * dy >= reach * reach || o.index == static_cast<std::uint32_t>(i)) return;
        addPersonForce(acc, people, Vec2(dx, dy), rSum, Vec2(o.vx - v.x(), o.vy - v.y()), heading);
        if (s.herding > 0.0) neighbourVelocity += Vec2(o.vx, o.vy);
      });
      if (s.herding > 0.0 && neighbourVelocity.squaredNorm() > 1e-12) {
        const Vec2 mixed = (1.0 - s.herding) * heading + s.herding * neighbourVelocity.normalized();
        if (mixed.squaredNorm() > 1e-12) heading = mixed.normalized();
      }
      addDrivingForce(acc, mass, tau, s.speed, heading, v);
      const bool wallsNear = addWallForces(ctx.world, walls, p, v, r, acc);
      if (obstacles) {
        addVehicleForces(ctx.scenario, model.vehicles, p, v, r, walls, acc);
        addBarrierForces(ctx, model.checkpoints, a, static_cast<std::size_t>(i), p, v, r, walls, acc);
      }

      Vec2 vNew = v + (implicit ? implicitVelocityChange(acc, mass, dt) : explicitVelocityChange(acc, mass, dt));
      // HFV's v_max: people do not run faster than a set multiple of their desired speed.
      constexpr double kSlowestDrive = 0.1;  // m/s: the cap's floor, for people standing still
      const double vMax = ph.maxSpeedFactor * std::max(s.speed, std::max(v0, kSlowestDrive));
      const double s2 = vNew.squaredNorm();
      if (s2 > vMax * vMax) vNew *= vMax / std::sqrt(s2);
      Vec2 pNew = p + dt * vNew;
      std::uint8_t marks = guardWalls(ctx.world, dt, wallsNear, p, pNew, vNew);
      if (obstacles) marks |= holdAtBarriers(ctx, model.checkpoints, a, static_cast<std::size_t>(i), p, pNew, vNew);
      if constexpr (kPeriodic) pNew.x() += periodic.period * double((pNew.x() < periodic.start) - (pNew.x() >= periodic.end));  // back into the period
      a.x[i] = pNew.x();
      a.y[i] = pNew.y();
      a.vx[i] = vNew.x();
      a.vy[i] = vNew.y();
      a.pressure[i] = static_cast<float>(acc.compression / (2.0 * M_PI * r));
      a.marks[i] = marks;
      corrections += marks & StepMark::WallCorrection;
      crossings += (marks & StepMark::CrossedBarrier) != 0;
    }
  };
  if (periodic.on()) moveAll(std::true_type{});
  else moveAll(std::false_type{});
  tally.agentSteps += n;
  tally.wallCorrections += corrections;
  tally.barrierCrossings += crossings;
}

}  // namespace unrest
