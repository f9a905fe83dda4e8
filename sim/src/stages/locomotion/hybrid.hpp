// Locomotion `hybrid`: the collision-free speed model chooses each person's desired velocity, and HFV 2000's drive
// m(v_des − v)/τ follows it; HFV's social repulsion A·exp is dropped (the velocity model keeps people apart), and its
// body compression k and sliding friction κ stay as the contact layer. So a calm crowd keeps its gaps and feels no
// pressure, while people who push (urgency u > 0: the population's own, raised by fear) keep a share u of their
// desired speed even when the way ahead is blocked, and press into the bodies in front as HFV's escaping crowd does:
//   v_des = max(V(s), u·v0)·e,  V(s) from the collision-free speed model (collision_free_speed.hpp), e its direction
//   for a walker and, for someone pushing, that direction blended with the desired one by u (pushDirection).
// At u = 1 the drive is HFV's own; at u = 0 nobody pushes. See docs/locomotion.md for what it is and is not.
#pragma once

#include "collision_free_speed.hpp"

namespace unrest {

// Someone pushing leans on where they want to go, not round the people in the way: the velocity model's direction
// (the desired one turned by the neighbours' repulsion) gives way to the desired direction in proportion to the
// urgency, so at u = 1 the drive is HFV 2000's own, and the social repulsion alone keeps a body's breadth.
inline Vec2 pushDirection(const Headway& h, double urgency) {
  const Vec2 mixed = (1.0 - urgency) * h.direction + urgency * h.desired;
  return mixed.squaredNorm() > 1e-12 ? Vec2(mixed.normalized()) : h.direction;
}

template <bool kPeriodic>
Moved hybridStep(const MoveContext& m, const Walker& w, double reach) {
  const PhysicsDef& ph = m.ctx.scenario.physics;
  const double urgency = std::max(double(m.ctx.scenario.populations[m.a.group[w.i]].urgency), double(m.a.fear[w.i]));
  // The contact layer; for someone pushing, HFV's social repulsion in proportion to their urgency (at u = 1 they move
  // as HFV 2000's escaping crowd does, who keep a body's breadth of cushion even while pushing).
  const ForceParams contact{urgency * ph.A, ph.B, ph.k, ph.kappa, 1.0, urgency > 0.0 ? ph.interactionRange : 0.0};
  const ForceParams walls{urgency * ph.wallA, ph.wallB, ph.wallK, ph.wallKappa, 1.0, urgency > 0.0 ? ph.interactionRange : 0.0};
  ForceAccumulator acc;
  Moved out;
  const WallsAround around(m.ctx.world, w.p, reach);
  out.wallsNear = around.any();
  const Headway h = collisionFreeSpeed<kPeriodic>(m, w, reach, around, true, m.largestContact + contact.range,
                                                  [&](const NeighbourSlot& o, const Vec2& offset, double d2) {
    const double rSum = w.r + o.radius, reachOf = rSum + contact.range;
    if (d2 < reachOf * reachOf) addPersonForce(acc, contact, offset, rSum, Vec2(o.vx - w.v.x(), o.vy - w.v.y()), w.steering.heading);
  });
  const double speed = std::max(h.speed, urgency * w.steering.speed);
  // Someone whose headway, not their urgency, sets the speed is a walker of the velocity model: they take its velocity
  // at once (slowing for the person ahead is immediate, as in the model) and move off it only as far as the bodies and
  // walls around them push this step. Someone pushing is driven towards their pushing speed over HFV's τ.
  const bool pushing = urgency * w.steering.speed > h.speed;
  const Vec2 start = pushing ? w.v : Vec2(h.speed * h.direction);
  addDrivingForce(acc, ph.mass, ph.tau, speed, pushing ? pushDirection(h, urgency) : h.direction, start);
  if (around.any()) forEachWallNear(m.ctx.world, w.p, [&](const Vec2& offset) { addWallForce(acc, walls, offset, w.r, start); });
  if (m.obstacles()) {
    // Vehicles and barriers push as HFV's walls do, social repulsion included: the velocity model's repulsion and
    // gap ahead leave them out.
    const ForceParams obstacle{ph.wallA, ph.wallB, ph.wallK, ph.wallKappa, 1.0, ph.interactionRange};
    addVehicleForces(m.ctx.scenario, m.model.vehicles, w.p, start, w.r, obstacle, acc);
    addBarrierForces(m.ctx, m.model.checkpoints, m.a, w.i, w.p, start, w.r, obstacle, acc);
  }
  Vec2 v = start + integrate(ph, acc, m.ctx.dt);
  // Nor does a walker step into a wall: those who push, or are pushed, meet the wall's body force.
  if (!pushing && around.any()) v = withoutPartIntoWalls(m.ctx.world, w.p, w.r + kWallMargin, v);
  // Nor into a vehicle or a closed barrier, which the velocity model's gap ahead leaves out.
  if (!pushing && m.vehicles) v = velocityOutOfVehicles(m.ctx.scenario, m.model.vehicles, w.p, w.r, kWallMargin, v);
  if (!pushing && m.barriers) v = velocityOutOfBarriers(m.ctx, m.model.checkpoints, m.a, w.i, w.p, w.r, kWallMargin, v);
  out.v = capSpeed(ph, w, v);
  out.compression = acc.compression;
  return out;
}

}  // namespace unrest
