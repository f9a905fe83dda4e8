#include "vehicles.hpp"

#include "unrest/geometry.hpp"

#include <array>
#include <cmath>
#include <limits>

namespace unrest {

namespace {

// A vehicle's footprint grown by `grow` on every side, in its own frame: u along its length, w across.
struct Box {
  Vec2 centre, along, across;
  double halfL, halfW;
  Box(const VehicleDef& def, const VehicleState& s, double grow)
      : centre(s.position), along(s.direction), across(-s.direction.y(), s.direction.x()),
        halfL(0.5 * def.length + grow), halfW(0.5 * def.width + grow) {}
  bool contains(const Vec2& p) const {
    const Vec2 q = local(p);
    return std::abs(q.x()) < halfL && std::abs(q.y()) < halfW;
  }
  // Signed distance from p, negative inside, and the outward normal at the nearest point of the surface.
  double distance(const Vec2& p, Vec2* normal) const {
    const Vec2 q = local(p);
    const double u = q.x(), w = q.y();
    if (std::abs(u) < halfL && std::abs(w) < halfW) {  // inside: out by the nearest side
      const double du = halfL - std::abs(u), dw = halfW - std::abs(w);
      if (normal) *normal = du < dw ? Vec2(along * (u < 0 ? -1.0 : 1.0)) : Vec2(across * (w < 0 ? -1.0 : 1.0));
      return -std::min(du, dw);
    }
    const Vec2 offset = (u - std::clamp(u, -halfL, halfL)) * along + (w - std::clamp(w, -halfW, halfW)) * across;
    const double d = offset.norm();
    if (normal) *normal = d > 1e-12 ? Vec2(offset / d) : along;
    return d;
  }
  Vec2 local(const Vec2& p) const { return {(p - centre).dot(along), (p - centre).dot(across)}; }
  Vec2 world(const Vec2& q) const { return centre + q.x() * along + q.y() * across; }
  // Corners counter-clockwise in the vehicle's frame.
  Vec2 corner(int k) const {
    constexpr double kSignU[4] = {1, -1, -1, 1}, kSignW[4] = {1, 1, -1, -1};
    return world(Vec2(kSignU[k & 3] * halfL, kSignW[k & 3] * halfW));
  }
  // Whether the segment a-b passes through the inside (touching the edge does not count); tEntry is where it enters.
  bool cuts(const Vec2& a, const Vec2& b, double* tEntry = nullptr) const {
    constexpr double kEdge = 1e-6;  // m: a way along a side, as from one corner to the next, does not cut
    const Vec2 p = local(a), d = local(b) - p;
    double t0 = 0.0, t1 = 1.0;
    for (int axis = 0; axis < 2; ++axis) {
      const double half = (axis == 0 ? halfL : halfW) - kEdge;
      if (std::abs(d[axis]) < 1e-12) {
        if (std::abs(p[axis]) >= half) return false;
        continue;
      }
      double ta = (-half - p[axis]) / d[axis], tb = (half - p[axis]) / d[axis];
      if (ta > tb) std::swap(ta, tb);
      t0 = std::max(t0, ta);
      t1 = std::min(t1, tb);
      if (t0 >= t1) return false;
    }
    if (tEntry) *tEntry = t0;
    return true;
  }
};

}  // namespace

double VehicleState::distance(const VehicleDef& def, const Vec2& p, Vec2* normal) const {
  return Box(def, *this, 0.0).distance(p, normal);
}

namespace {

// The clear distance ahead of a vehicle's bumper, to the nearest body in its path.
double gapAhead(const NeighbourIndex& nbr, const Population& a, const VehicleDef& def, const VehicleState& s) {
  constexpr double kLookAhead = 3.0;  // m beyond the bumper: the centre of the search disc
  constexpr double kMargin = 0.2;     // m: a body this close to the path's edge is in it
  double gap = std::numeric_limits<double>::infinity();
  const Vec2 side(-s.direction.y(), s.direction.x());
  const Vec2 front = s.position + s.direction * (0.5 * def.length + kLookAhead);
  nbr.forEachNear(front, kLookAhead + 0.5 + 0.5 * def.width, [&](const NeighbourSlot& o) {
    const std::uint8_t state = a.state[o.index];
    if (!walkingOrArrived(state) && state != std::uint8_t(AgentState::Injured)) return;
    const Vec2 rel = Vec2(o.x, o.y) - s.position;
    const double along = rel.dot(s.direction) - 0.5 * def.length;
    if (along > -kMargin && std::abs(rel.dot(side)) < 0.5 * def.width + o.radius + kMargin) gap = std::min(gap, along - o.radius);
  });
  return gap;
}

// Whether nobody on their feet touches, or all but touches, where the vehicle is to stand (those stepping out of its
// way stop kDeployClearance from it). The injured cannot step aside: they are carried (carryInjuredAside).
bool placeClear(const NeighbourIndex& nbr, const Population& a, const VehicleDef& def, const VehicleState& s,
                double largestRadius) {
  bool clear = true;
  const double reach = std::hypot(0.5 * def.length, 0.5 * def.width) + kPlaceGap + largestRadius;
  nbr.forEachNear(s.position, reach, [&](const NeighbourSlot& o) {
    if (walkingOrArrived(a.state[o.index]) && s.distance(def, Vec2(o.x, o.y)) < o.radius + kPlaceGap) clear = false;
  });
  return clear;
}

// The injured lying where a vehicle parks are carried to just beside it (assumption: by those deploying it).
void carryInjuredAside(const NeighbourIndex& nbr, Population& a, const VehicleDef& def, const VehicleState& s,
                       double largestRadius) {
  const double reach = std::hypot(0.5 * def.length, 0.5 * def.width) + kPlaceGap + largestRadius;
  nbr.forEachNear(s.position, reach, [&](const NeighbourSlot& o) {
    const std::size_t i = o.index;
    if (a.state[i] != std::uint8_t(AgentState::Injured)) return;
    Vec2 n;
    const double d = s.distance(def, Vec2(a.x[i], a.y[i]), &n), beside = a.radius[i] + kPlaceGap;
    if (d >= beside) return;
    a.x[i] += n.x() * (beside - d);
    a.y[i] += n.y() * (beside - d);
  });
}

}  // namespace

std::optional<Vec2> detourRoundParkedVehicles(const Scenario& sc, const std::vector<VehicleState>& vehicles, const World& world,
                                              const Vec2& p, double r, const Vec2& target, const Vec2& lineA,
                                              const Vec2& lineB) {
  // The parked vehicle the straight way meets first.
  int first = -1;
  double firstT = 2.0;
  for (std::size_t k = 0; k < vehicles.size(); ++k) {
    if (!vehicles[k].present || !isParked(sc.vehicles[k])) continue;
    double tEntry = 0.0;
    if (Box(sc.vehicles[k], vehicles[k], r + kDetourClearance).cuts(p, target, &tEntry) && tEntry < firstT) {
      first = int(k);
      firstT = tEntry;
    }
  }
  if (first < 0) return std::nullopt;
  const Box box(sc.vehicles[std::size_t(first)], vehicles[std::size_t(first)], r + kDetourClearance);
  if (box.contains(target)) return std::nullopt;  // no way round reaches it
  // From inside the grown footprint (pressed against the vehicle), the way round starts at its nearest side.
  Vec2 from = box.local(p);
  if (box.contains(p)) {
    constexpr double kOut = 1e-3;  // m
    if (box.halfL - std::abs(from.x()) < box.halfW - std::abs(from.y())) from.x() = std::copysign(box.halfL + kOut, from.x());
    else from.y() = std::copysign(box.halfW + kOut, from.y());
  }
  from = box.world(from);
  auto legAllowed = [&](const Vec2& a, const Vec2& b) {
    return !box.cuts(a, b) && !segmentsIntersect(a, b, lineA, lineB) && world.lineOfSight(a, b);
  };
  // Pressed against the side that faces the target: straight on, along or away from the vehicle. Nor is there a way
  // round from the nearest side if it lies across the barrier or a wall (the footprint, grown, may reach past them).
  if (!box.cuts(from, target) || segmentsIntersect(p, from, lineA, lineB) || !world.lineOfSight(p, from))
    return std::nullopt;
  // The shortest way round: to a corner in sight, then corner to corner one way round until the target is in sight.
  // Four corners, two ways round: a taut string round a convex footprint.
  double best = std::numeric_limits<double>::infinity();
  Vec2 heading = Vec2::Zero();
  for (int start = 0; start < 4; ++start) {
    if (!legAllowed(from, box.corner(start))) continue;
    for (const int turn : {1, 3}) {
      std::array<Vec2, 5> way;  // at most four corners, then the target
      int count = 0, k = start;
      way[count++] = box.corner(start);
      bool allowed = true;
      while (allowed && box.cuts(way[count - 1], target)) {
        if (count == 4) {
          allowed = false;
          break;
        }
        k = (k + turn) & 3;
        way[count] = box.corner(k);
        allowed = legAllowed(way[count - 1], way[count]);
        ++count;
      }
      if (!allowed || !world.lineOfSight(way[count - 1], target)) continue;  // the gate lies on the barrier itself
      way[count++] = target;
      double length = (way[0] - from).norm();
      for (int j = 1; j < count; ++j) length += (way[j] - way[j - 1]).norm();
      if (length >= best) continue;
      // Towards the first point of the way not yet reached.
      constexpr double kReached = 0.1;  // m
      int j = 0;
      while (j + 1 < count && (way[j] - p).norm() < kReached) ++j;
      best = length;
      heading = way[j] - p;
    }
  }
  if (!std::isfinite(best) || heading.squaredNorm() < 1e-12) return std::nullopt;
  return Vec2(heading.normalized());
}

double distanceToSegment(const VehicleDef& def, const VehicleState& s, const Vec2& a, const Vec2& b) {
  const Box body(def, s, 0.0);
  if (body.cuts(a, b)) return 0.0;
  // Between a convex body and a segment apart, the nearest points include an end of the segment or a corner.
  double d = std::min(body.distance(a, nullptr), body.distance(b, nullptr));
  for (int k = 0; k < 4; ++k) d = std::min(d, (body.corner(k) - closestPointOnSegment(body.corner(k), a, b)).norm());
  return std::max(d, 0.0);
}

Vec2 spotBesideParkedVehicles(const Scenario& sc, const std::vector<VehicleState>& vehicles, Vec2 spot, double r) {
  for (std::size_t k = 0; k < vehicles.size(); ++k) {
    const VehicleState& s = vehicles[k];
    if ((!s.present && !s.due) || !isParked(sc.vehicles[k])) continue;
    Vec2 n;
    const double d = s.distance(sc.vehicles[k], spot, &n), beside = r + (s.due ? kDeployClearance : kPlaceGap);
    if (d < beside) spot += n * (beside - d);
  }
  return spot;
}

std::optional<Vec2> wayOutOfDueVehicles(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p,
                                        double r) {
  for (std::size_t k = 0; k < vehicles.size(); ++k) {
    const VehicleState& s = vehicles[k];
    if (!s.due) continue;
    Vec2 n;
    if (s.distance(sc.vehicles[k], p, &n) < r + kDeployClearance) return n;
  }
  return std::nullopt;
}

void moveVehicles(const StepContext& ctx, const NeighbourIndex& nbr, Population& a, std::vector<VehicleState>& vehicles,
                  std::vector<Event>& events) {
  const double t = ctx.time();
  for (std::size_t v = 0; v < vehicles.size(); ++v) {
    const VehicleDef& def = ctx.scenario.vehicles[v];
    VehicleState& s = vehicles[v];
    if (s.finished) continue;
    const bool routed = !isParked(def);
    if (!s.present) {
      // A vehicle that departs from a point stood there before: it is parked at its first point from the start,
      // before anyone is placed, so nobody stands where it is when it sets off. A parked vehicle arrives at `depart`,
      // as soon as its place is clear: until then it is due, and those standing there step out of its way (steer).
      if (!routed && t + 1e-9 < def.depart) continue;
      s.position = def.route.front();
      s.direction = routed ? Vec2((def.route[1] - def.route[0]).normalized()) : Vec2(std::cos(def.heading), std::sin(def.heading));
      if (!routed && !placeClear(nbr, a, def, s, ctx.scenario.largestRadius())) {
        s.due = true;
        continue;
      }
      if (!routed) carryInjuredAside(nbr, a, def, s, ctx.scenario.largestRadius());
      s.due = false;
      s.present = true;
      if (!routed) events.push_back({t, EventType::VehicleDeparted, 0, -1, s.position, 0.0, static_cast<int>(v)});
    }
    if (!routed) continue;  // parked
    if (!s.departed) {
      if (t + 1e-9 < def.depart) continue;
      s.departed = true;
      events.push_back({t, EventType::VehicleDeparted, 0, -1, s.position, 0.0, static_cast<int>(v)});
    }
    const double gap = gapAhead(nbr, a, def, s);
    constexpr double kStopGap = 0.1;    // m: someone at the bumper
    constexpr double kFullSpeedFrom = 0.5;  // m: the gap from which the clearance is counted
    s.speed = gap <= kStopGap ? 0.0
                              : std::min(def.speed, std::max(kDriverCreepSpeed, def.speed * (gap - kFullSpeedFrom) /
                                                                                     (kDriverClearance - kFullSpeedFrom)));
    s.travelled += s.speed * ctx.dt;
    // Position along the polyline.
    double left = s.travelled;
    bool atEnd = true;
    for (std::size_t k = 0; k + 1 < def.route.size(); ++k) {
      const Vec2 seg = def.route[k + 1] - def.route[k];
      const double len = seg.norm();
      if (left <= len) {
        s.direction = seg / len;
        s.position = def.route[k] + s.direction * left;
        atEnd = false;
        break;
      }
      left -= len;
    }
    if (atEnd) {
      s.present = false;
      s.finished = true;
      s.position = def.route.back();
      s.speed = 0.0;
      events.push_back({t, EventType::VehicleArrived, 0, -1, s.position, 0.0, static_cast<int>(v)});
    }
  }
}

bool anyVehiclePresentOrDue(const std::vector<VehicleState>& vehicles) {
  for (const auto& v : vehicles)
    if (v.present || v.due) return true;
  return false;
}

bool touchesVehicle(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p, double r) {
  for (std::size_t v = 0; v < vehicles.size(); ++v)
    if (vehicles[v].present && vehicles[v].distance(sc.vehicles[v], p) < r) return true;
  return false;
}

Vec2 velocityOutOfVehicles(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p, double r,
                           double margin, Vec2 v) {
  for (std::size_t k = 0; k < vehicles.size(); ++k) {
    const VehicleState& s = vehicles[k];
    if (!s.present && !s.due) continue;  // nor into the place of one about to park there
    Vec2 n;
    if (s.distance(sc.vehicles[k], p, &n) > r + margin) continue;
    v = withoutPartInto(v, n, s.speed * s.direction);
  }
  return v;
}

void addVehicleForces(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p, const Vec2& v,
                      double r, const ForceParams& walls, ForceAccumulator& acc) {
  const ForceParams vehicleForces{walls.A, kVehicleB, walls.k, walls.kappa, 1.0, kVehicleRange};
  for (std::size_t k = 0; k < vehicles.size(); ++k) {
    const VehicleState& s = vehicles[k];
    if (!s.present) continue;
    const VehicleDef& def = sc.vehicles[k];
    const bool moving = s.departed;  // under way, if perhaps stopped for someone at the bumper
    const Vec2 rel = p - s.position;
    const double halfL = 0.5 * def.length, halfW = 0.5 * def.width;
    const double reach = std::hypot(halfL, halfW) + r + (moving ? kSideStepAhead : vehicleForces.range);
    if (rel.squaredNorm() > reach * reach) continue;
    Vec2 n;
    const double distance = s.distance(def, p, &n);
    if (moving) {
      const Vec2 side(-s.direction.y(), s.direction.x());
      const double ahead = rel.dot(s.direction) - 0.5 * def.length, lateral = rel.dot(side);
      constexpr double kBehindBumper = 0.5, kPathMargin = 1.0;  // m: the path's extent beside and behind the bumper
      if (ahead > -kBehindBumper && ahead < kSideStepAhead && std::abs(lateral) < 0.5 * def.width + kPathMargin)
        acc.force += kSideStepForce * std::exp(-std::max(0.0, ahead) / kSideStepDecay) * (lateral < 0 ? -1.0 : 1.0) * side;
    }
    if (r - distance < -vehicleForces.range) continue;
    detail::addContactTerms(acc, vehicleForces, n, r - distance, 1.0, v - s.speed * s.direction, 1.0);
  }
}

}  // namespace unrest
