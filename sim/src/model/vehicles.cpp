#include "vehicles.hpp"

#include <cmath>
#include <limits>

namespace unrest {

double VehicleState::distance(const VehicleDef& def, const Vec2& p, Vec2* normal) const {
  const Vec2 rel = p - position;
  const Vec2 side(-direction.y(), direction.x());
  const double halfL = 0.5 * def.length, halfW = 0.5 * def.width;
  const double u = rel.dot(direction), w = rel.dot(side);
  if (std::abs(u) < halfL && std::abs(w) < halfW) {  // inside the body: out by the nearest side
    const double du = halfL - std::abs(u), dw = halfW - std::abs(w);
    if (normal) *normal = du < dw ? Vec2(direction * (u < 0 ? -1.0 : 1.0)) : Vec2(side * (w < 0 ? -1.0 : 1.0));
    return -std::min(du, dw);
  }
  const Vec2 offset = (u - std::clamp(u, -halfL, halfL)) * direction + (w - std::clamp(w, -halfW, halfW)) * side;
  const double d = offset.norm();
  if (normal) *normal = d > 1e-12 ? Vec2(offset / d) : direction;
  return d;
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
    if (state != std::uint8_t(AgentState::Walking) && state != std::uint8_t(AgentState::Arrived) &&
        state != std::uint8_t(AgentState::Injured))
      return;
    const Vec2 rel = Vec2(o.x, o.y) - s.position;
    const double along = rel.dot(s.direction) - 0.5 * def.length;
    if (along > -kMargin && std::abs(rel.dot(side)) < 0.5 * def.width + o.radius + kMargin) gap = std::min(gap, along - o.radius);
  });
  return gap;
}

}  // namespace

void moveVehicles(const StepContext& ctx, const NeighbourIndex& nbr, const Population& a, std::vector<VehicleState>& vehicles,
                  std::vector<Event>& events) {
  const double t = ctx.time();
  for (std::size_t v = 0; v < vehicles.size(); ++v) {
    const VehicleDef& def = ctx.scenario.vehicles[v];
    VehicleState& s = vehicles[v];
    if (s.finished) continue;
    const bool routed = def.route.size() >= 2;
    if (!s.present) {
      // A vehicle that departs from a point stood there before: it is parked at its first point from the start,
      // before anyone is placed, so nobody stands where it is when it sets off. A parked vehicle arrives at `depart`.
      if (!routed && t + 1e-9 < def.depart) continue;
      s.present = true;
      s.position = def.route.front();
      s.direction = routed ? Vec2((def.route[1] - def.route[0]).normalized()) : Vec2(std::cos(def.heading), std::sin(def.heading));
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

bool anyVehiclePresent(const std::vector<VehicleState>& vehicles) {
  for (const auto& v : vehicles)
    if (v.present) return true;
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
    if (!s.present) continue;
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
