// The move stage: social force on every person, integrated one step. Neighbours are read from the packed copy
// the index stage made of the current state, and each person writes only their own slot, so the stage runs in
// parallel with identical results for any thread count.
#include "unrest/forces.hpp"
#include "unrest/simulation.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace unrest {

std::vector<std::uint32_t> Simulation::neighboursOf(std::size_t i, double radius) const {
  std::vector<std::uint32_t> ids;
  const Vec2 p(agents_.x[i], agents_.y[i]);
  auto collect = [&](const NeighbourSlot& o) {
    if (o.index != i && offset(Vec2(o.x, o.y), p).norm() < radius) ids.push_back(agents_.id[o.index]);
  };
  if (period_ > 0) forEachCandidate<true>(p, collect);
  else forEachCandidate<false>(p, collect);
  std::sort(ids.begin(), ids.end());
  return ids;
}

void Simulation::stageMove() {
  const PhysicsDef& ph = scenario_.physics;
  const ForceParams people{ph.A, ph.B, ph.k, ph.kappa, ph.anisotropy, ph.interactionRange};
  const ForceParams walls{ph.wallA, ph.wallB, ph.wallK, ph.wallKappa, 1.0, ph.interactionRange};
  const bool implicit = ph.integrator == Integrator::ImplicitContact;
  const double dt = dt_, mass = ph.mass, tau = ph.tau;
  const auto n = static_cast<std::int64_t>(agents_.size());
  Population& a = agents_;
  const auto& wallSegments = world_.walls();
  const auto& wallCorners = world_.corners();
  const double period = period_, halfPeriod = halfPeriod_, periodStart = periodStart_, periodEnd = periodEnd_;

  // The loop is compiled twice: with the periodic wrapping and without it, so a map without a periodic boundary
  // runs exactly the code it ran before there was one.
  auto moveAll = [&](auto periodicTag) {
    constexpr bool kPeriodic = decltype(periodicTag)::value;
#pragma omp parallel for schedule(static) num_threads(threads_) if (n > kParallelMinimum)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto state = static_cast<AgentState>(a.state[i]);
      a.corrected[i] = 0;
      if (state == AgentState::Injured || state == AgentState::Exited) {
        a.pressure[i] = 0.0f;
        continue;
      }
      const Vec2 p(a.x[i], a.y[i]);
      const Vec2 v(a.vx[i], a.vy[i]);
      const double r = a.radius[i];
      const double v0 = a.desiredSpeed[i];

      // Where this person wants to go.
      Vec2 heading = Vec2::Zero();
      double speed = v0;
      if (state == AgentState::Walking) {
        heading = world_.desiredDirection(a.field[i], p);
      } else {
        const Vec2 toGoal(a.goalX[i] - p.x(), a.goalY[i] - p.y());
        const double dist = toGoal.norm();
        if (dist > 1e-6) heading = toGoal / dist;
        speed = v0 * std::min(1.0, dist / 0.5);  // slow down over the last half metre
      }

      ForceAccumulator acc;
      addDrivingForce(acc, mass, tau, speed, heading, v);

      forEachCandidate<kPeriodic>(p, [&](const NeighbourSlot& o) {
        // Cheap rejection on position alone: most candidates in the 3×3 block are out of reach.
        double dx = p.x() - o.x;
        if constexpr (kPeriodic) dx -= period * double((dx > halfPeriod) - (dx < -halfPeriod));  // the nearest image
        const double dy = p.y() - o.y;
        const double rSum = r + o.radius;
        const double reach = rSum + people.range;
        if (dx * dx + dy * dy >= reach * reach || o.index == static_cast<std::uint32_t>(i)) return;
        addPersonForce(acc, people, Vec2(dx, dy), rSum, Vec2(o.vx - v.x(), o.vy - v.y()), heading);
      });

      // Walls: a segment acts when the person is beside it (projection inside it) and on its walkable side; an
      // outward corner acts when the person is in its own wedge. So every part of a wall pushes once.
      const int bucket = world_.wallBucketOf(p);
      const auto [nearSegments, nearSegmentsEnd] = world_.segmentsNear(bucket);
      for (auto it = nearSegments; it != nearSegmentsEnd; ++it) {
        const WallSegment& w = wallSegments[*it];
        const Vec2 ab = w.b - w.a;
        const double t = (p - w.a).dot(ab) / ab.squaredNorm();
        if (t < 0.0 || t > 1.0 || cross(ab, p - w.a) <= 0.0) continue;
        addWallForce(acc, walls, p - (w.a + t * ab), r, v);
      }
      for (auto [it, end] = world_.cornersNear(bucket); it != end; ++it) {
        const WallCorner& corner = wallCorners[*it];
        const Vec2 rel = p - corner.p;
        if (rel.dot(corner.dirIn) <= 0.0 || rel.dot(corner.dirOut) >= 0.0) continue;
        addWallForce(acc, walls, rel, r, v);
      }

      Vec2 vNew = v + (implicit ? implicitVelocityChange(acc, mass, dt) : explicitVelocityChange(acc, mass, dt));
      // HFV's v_max: people do not run faster than a set multiple of their desired speed.
      const double vMax = ph.maxSpeedFactor * std::max(v0, 0.1);
      const double s2 = vNew.squaredNorm();
      if (s2 > vMax * vMax) vNew *= vMax / std::sqrt(s2);
      Vec2 pNew = p + dt * vNew;
      // Guard: a centre never crosses a wall. The wall forces above keep bodies off walls, so this should not
      // trigger; it is counted so a regression in the physics shows in the outputs rather than as people inside
      // buildings. A blocked move slides along the wall instead.
      if (!vNew.allFinite()) {
        vNew.setZero();
        pNew = p;
        a.corrected[i] = 1;
      } else if (nearSegments != nearSegmentsEnd) {
        if (const int crossed = world_.wallCrossed(p, pNew); crossed >= 0) {
          const WallSegment& w = wallSegments[crossed];
          const Vec2 along = (w.b - w.a).normalized();
          vNew = along * vNew.dot(along);
          pNew = p + dt * vNew;
          if (world_.wallCrossed(p, pNew) >= 0) {
            pNew = p;
            vNew.setZero();
          }
          a.corrected[i] = 1;
        }
      }
      if constexpr (kPeriodic) pNew.x() += period * double((pNew.x() < periodStart) - (pNew.x() >= periodEnd));  // back into the period
      a.x[i] = pNew.x();
      a.y[i] = pNew.y();
      a.vx[i] = vNew.x();
      a.vy[i] = vNew.y();
      a.pressure[i] = static_cast<float>(acc.compression / (2.0 * M_PI * r));
    }
  };
  if (period_ > 0) moveAll(std::true_type{});
  else moveAll(std::false_type{});
}

}  // namespace unrest
