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
  const FearDef& fear = scenario_.fear;
  bool obstacles = false;  // vehicles on the map or barriers closed: rare, so the common case skips them
  for (const auto& vehicle : vehicles_) obstacles = obstacles || vehicle.present;
  for (const auto& checkpoint : checkpointCounts_) obstacles = obstacles || checkpoint.open;

  const double period = period_, halfPeriod = halfPeriod_, periodStart = periodStart_, periodEnd = periodEnd_;

  // The loop is compiled twice: with the periodic wrapping and without it, so a map without a periodic boundary
  // runs exactly the code it ran before there was one.
  auto moveAll = [&](auto periodicTag) {
    constexpr bool kPeriodic = decltype(periodicTag)::value;
#pragma omp parallel for schedule(static) num_threads(threads_) if (n > kParallelMinimum)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto state = static_cast<AgentState>(a.state[i]);
      a.corrected[i] = 0;
      if (state != AgentState::Walking && state != AgentState::Arrived) {
        a.pressure[i] = 0.0f;
        continue;
      }
      const Vec2 p(a.x[i], a.y[i]);
      const Vec2 v(a.vx[i], a.vy[i]);
      const double r = a.radius[i];
      const double v0 = a.desiredSpeed[i];

      // Where this person wants to go, and how fast.
      Vec2 heading = Vec2::Zero();
      double speed = v0;
      double herding = 0.0;  // HFV's panic parameter p: the weight of the neighbours' mean direction
      const auto errand = static_cast<Errand>(a.errand[i]);
      auto towards = [&](double x, double y) {
        const Vec2 to(x - p.x(), y - p.y());
        const double dist = to.norm();
        if (dist > 1e-6) heading = to / dist;
        speed *= std::min(1.0, dist / 0.5);  // slow down over the last half metre
      };
      if (a.activity[i] == std::uint8_t(Activity::Fleeing)) {
        // Helbing, Farkas, Vicsek 2000: the desired speed rises towards a panic speed and people follow others.
        heading = fleeDirection(static_cast<std::size_t>(i), p);
        speed = std::max(v0, v0 + a.fear[i] * (fear.panicSpeed - v0));
        herding = fear.herding * a.fear[i];
      } else if (errand == Errand::Pursue || errand == Errand::Approach) {
        if (errand == Errand::Pursue) speed *= scenario_.police.pursuitFactor;
        towards(a.goalX[i], a.goalY[i]);
      } else if (errand == Errand::Loot && world_.inDestination(a.field[i], p)) {
        speed = 0.0;  // taking goods
      } else if (state == AgentState::Walking) {
        heading = world_.desiredDirection(a.field[i], p);
      } else {
        towards(a.goalX[i], a.goalY[i]);
      }
      if (obstacles && a.pass[i] == 0) {
        // Waiting at a checkpoint: people whose way leads across a closed barrier make for its gate.
        for (std::size_t c = 0; c < checkpointCounts_.size(); ++c) {
          if (!checkpointCounts_[c].open) continue;
          const Vec2 toGate = checkpointGate(c) - p;
          if (toGate.squaredNorm() < 15.0 * 15.0 && toGate.squaredNorm() > 0.01 && wantsToCross(static_cast<std::size_t>(i), c)) {
            heading = toGate.normalized();
            break;
          }
        }
      }

      ForceAccumulator acc;
      Vec2 neighbourVelocity = Vec2::Zero();

      forEachCandidate<kPeriodic>(p, [&](const NeighbourSlot& o) {
        // Cheap rejection on position alone: most candidates in the 3×3 block are out of reach.
        double dx = p.x() - o.x;
        if constexpr (kPeriodic) dx -= period * double((dx > halfPeriod) - (dx < -halfPeriod));  // the nearest image
        const double dy = p.y() - o.y;
        const double rSum = r + o.radius;
        const double reach = rSum + people.range;
        if (dx * dx + dy * dy >= reach * reach || o.index == static_cast<std::uint32_t>(i)) return;
        addPersonForce(acc, people, Vec2(dx, dy), rSum, Vec2(o.vx - v.x(), o.vy - v.y()), heading);
        if (herding > 0.0) neighbourVelocity += Vec2(o.vx, o.vy);
      });
      if (herding > 0.0 && neighbourVelocity.squaredNorm() > 1e-12) {
        const Vec2 mixed = (1.0 - herding) * heading + herding * neighbourVelocity.normalized();
        if (mixed.squaredNorm() > 1e-12) heading = mixed.normalized();
      }
      addDrivingForce(acc, mass, tau, speed, heading, v);

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

      if (obstacles) addObstacleForces(static_cast<std::size_t>(i), p, v, r, walls, acc);

      Vec2 vNew = v + (implicit ? implicitVelocityChange(acc, mass, dt) : explicitVelocityChange(acc, mass, dt));
      // HFV's v_max: people do not run faster than a set multiple of their desired speed.
      const double vMax = ph.maxSpeedFactor * std::max(speed, std::max(v0, 0.1));
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
      if (obstacles) {
        // A closed barrier is a wall to everyone it screens, bar the one person cleared to pass.
        for (std::size_t c = 0; c < checkpointCounts_.size(); ++c) {
          if (!checkpointCounts_[c].open || !screened(static_cast<std::size_t>(i))) continue;
          const CheckpointDef& cp = scenario_.checkpoints[c];
          if (!segmentsIntersect(p, pNew, cp.barrierA, cp.barrierB)) continue;
          if (a.pass[i] == c + 1) {
            a.corrected[i] |= kMarkCrossedBarrier;
          } else {
            pNew = p;
            vNew.setZero();
            a.corrected[i] |= kMarkWallCorrection;
          }
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

void Simulation::addObstacleForces(std::size_t i, const Vec2& p, const Vec2& v, double r, const ForceParams& walls,
                                   ForceAccumulator& acc) const {
  // Vehicles: oriented rectangles with the body and friction terms of walls (a moving one with its own velocity in
  // the friction), but a social repulsion of longer range: people keep a metre or two from a car, not the few
  // centimetres they keep from a wall (B = 0.5 m, felt up to 3 m; an assumption, there is no measured value).
  const ForceParams kVehicle{walls.A, 0.5, walls.k, walls.kappa, 1.0, 3.0};
  for (std::size_t k = 0; k < vehicles_.size(); ++k) {
    const VehicleState& s = vehicles_[k];
    if (!s.present) continue;
    const VehicleDef& def = scenario_.vehicles[k];
    const Vec2 rel = p - s.position;
    const double halfL = 0.5 * def.length, halfW = 0.5 * def.width;
    const double reach = std::hypot(halfL, halfW) + r + (def.route.size() >= 2 ? 8.0 : kVehicle.range);
    if (rel.squaredNorm() > reach * reach) continue;
    Vec2 n;
    const double distance = s.distance(def, p, &n);
    if (def.route.size() >= 2) {
      // In the path of a vehicle that means to move, people step aside towards the nearer kerb of its path rather
      // than walk on ahead of its bumper (the evasive, sideways reaction of pedestrians to a car in shared-space
      // social-force models, e.g. Anvari, Bell, Sivakumar, Ochieng 2015). Strongest right at the bumper, felt 8 m
      // ahead, and as strong as a walker's own drive (m v0 / tau ~ 200 N) within about a metre.
      const Vec2 rel = p - s.position;
      const Vec2 side(-s.direction.y(), s.direction.x());
      const double ahead = rel.dot(s.direction) - 0.5 * def.length, lateral = rel.dot(side);
      if (ahead > -0.5 && ahead < 8.0 && std::abs(lateral) < 0.5 * def.width + 1.0)
        acc.force += 300.0 * std::exp(-std::max(0.0, ahead) / 2.0) * (lateral < 0 ? -1.0 : 1.0) * side;
    }
    if (r - distance < -kVehicle.range) continue;
    detail::addContactTerms(acc, kVehicle, n, r - distance, 1.0, v - s.speed * s.direction, 1.0);
  }
  // Closed barriers: a thin wall, pushing from either side, except for whoever is cleared to pass it.
  if (!screened(i)) return;
  for (std::size_t c = 0; c < checkpointCounts_.size(); ++c) {
    if (!checkpointCounts_[c].open || agents_.pass[i] == c + 1) continue;
    const CheckpointDef& cp = scenario_.checkpoints[c];
    const Vec2 offset = p - closestPointOnSegment(p, cp.barrierA, cp.barrierB);
    if (offset.squaredNorm() < (r + walls.range) * (r + walls.range)) addWallForce(acc, walls, offset, r, v);
  }
}

}  // namespace unrest
