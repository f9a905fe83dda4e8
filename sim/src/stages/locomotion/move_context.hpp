// What every locomotion model of the move stage reads: the step, the neighbours, the obstacles, and the person being
// moved. The models themselves (social_force.hpp, collision_free_speed.hpp, hybrid.hpp) turn this into the person's
// new velocity; the move stage then applies what all share (the wall guard, the barriers, the periodic boundary).
#pragma once

#include "../stages.hpp"

#include "unrest/forces.hpp"

#include <tuple>

namespace unrest {

struct MoveContext {
  const StepContext& ctx;
  const NeighbourIndex& nbr;
  const ModelState& model;
  const Population& a;
  bool vehicles = false, barriers = false;  // any on the map this step (rare: the common case skips them)
  double largestRadius = 0.0, largestContact = 0.0;  // m: of any body, and of any two touching
  double repulsionReach = 0.0;  // m beyond touching where the velocity models' neighbour repulsion is negligible
  bool obstacles() const { return vehicles || barriers; }
};

// The person being moved, as the move stage read them at the start of the step.
struct Walker {
  std::size_t i;
  Vec2 p, v;
  double r;
  double v0;  // their own desired walking speed
  Steering steering;
};

// What a locomotion model decided for one person.
struct Moved {
  Vec2 v = Vec2::Zero();     // new velocity, m/s
  double compression = 0.0;  // Σ k·overlap over contacts, N (0 for a model without contact)
  bool wallsNear = false;    // some wall segment lies within reach (the wall guard must look)
  Vec2 facing = Vec2::Zero();  // the direction walked, kept while standing (anticipation_velocity only)
};

// Calls visit(offset) once for every part of a wall that acts on a person at p: a segment when the person is beside
// it (projection inside it) and on its walkable side, an outward corner when the person is in its own wedge; offset
// is p minus the closest point. Returns whether any wall segment is near.
template <class Visit>
bool forEachWallNear(const World& world, const Vec2& p, Visit&& visit) {
  const auto& wallSegments = world.walls();
  const auto& wallCorners = world.corners();
  const int bucket = world.wallBucketOf(p);
  const auto [nearSegments, nearSegmentsEnd] = world.segmentsNear(bucket);
  for (auto it = nearSegments; it != nearSegmentsEnd; ++it) {
    const WallSegment& w = wallSegments[*it];
    const Vec2 ab = w.b - w.a;
    const double t = (p - w.a).dot(ab) / ab.squaredNorm();
    if (t < 0.0 || t > 1.0 || cross(ab, p - w.a) <= 0.0) continue;
    visit(Vec2(p - (w.a + t * ab)));
  }
  for (auto [it, end] = world.cornersNear(bucket); it != end; ++it) {
    const WallCorner& corner = wallCorners[*it];
    const Vec2 rel = p - corner.p;
    if (rel.dot(corner.dirIn) <= 0.0 || rel.dot(corner.dirOut) >= 0.0) continue;
    visit(rel);
  }
  return nearSegments != nearSegmentsEnd;
}

// The wall segments that can hide a neighbour from a person at p (a neighbour behind a wall neither repels nor blocks
// the way): those within `radius` of p, picked once per person from the world's bucket, so that each neighbour is
// tested against the one or two walls actually near rather than the whole bucket's list.
struct WallsAround {
  static constexpr int kKept = 24;
  const World& world;
  const std::int32_t *first, *end;  // the bucket's list, used when more than kKept segments are near
  std::int32_t near[kKept];
  int count = 0;
  bool overflow = false;
  WallsAround(const World& w, const Vec2& p, double radius) : world(w) {
    std::tie(first, end) = w.segmentsNear(w.wallBucketOf(p));
    const double r2 = radius * radius;
    for (auto it = first; it != end; ++it) {
      const WallSegment& s = w.walls()[*it];
      if ((p - closestPointOnSegment(p, s.a, s.b)).squaredNorm() > r2) continue;
      if (count < kKept) near[count++] = *it;
      else overflow = true;
    }
  }
  bool any() const { return first != end; }  // some wall within the world's wall reach (the guard must look)
  // Whether a wall lies between p and q, for q within the radius of p.
  bool between(const Vec2& p, const Vec2& q) const {
    if (overflow) {
      for (auto it = first; it != end; ++it)
        if (segmentsIntersect(p, q, world.walls()[*it].a, world.walls()[*it].b)) return true;
      return false;
    }
    for (int k = 0; k < count; ++k)
      if (segmentsIntersect(p, q, world.walls()[near[k]].a, world.walls()[near[k]].b)) return true;
    return false;
  }
  bool hides() const { return count > 0 || overflow; }  // any wall near enough to hide a neighbour
};

// HFV 2000's herding (the panic parameter p): the heading leans towards the neighbours' mean direction with weight p.
inline Vec2 herdedHeading(const Vec2& heading, double herding, const Vec2& neighbourVelocity) {
  if (herding <= 0.0 || neighbourVelocity.squaredNorm() <= 1e-12) return heading;
  const Vec2 mixed = (1.0 - herding) * heading + herding * neighbourVelocity.normalized();
  return mixed.squaredNorm() > 1e-12 ? Vec2(mixed.normalized()) : heading;
}

// HFV's v_max: people do not run faster than a set multiple of their desired speed, however hard they are pushed.
inline Vec2 capSpeed(const PhysicsDef& ph, const Walker& w, Vec2 v) {
  constexpr double kSlowestDrive = 0.1;  // m/s: the cap's floor, for people standing still
  const double vMax = ph.maxSpeedFactor * std::max(w.steering.speed, std::max(w.v0, kSlowestDrive));
  const double s2 = v.squaredNorm();
  if (s2 > vMax * vMax) v *= vMax / std::sqrt(s2);
  return v;
}

inline Vec2 integrate(const PhysicsDef& ph, const ForceAccumulator& acc, double dt) {
  return ph.integrator == Integrator::ImplicitContact ? implicitVelocityChange(acc, ph.mass, dt)
                                                      : explicitVelocityChange(acc, ph.mass, dt);
}

}  // namespace unrest
