// Locomotion `hfv2000`: the social force model of Helbing, Farkas, Vicsek (2000), "Simulating dynamical features of
// escape panic", Nature 407:487, for walking and contact alike: m dv/dt = m(v0·e − v)/τ + Σ_j f_ij + Σ_W f_iW, with
// social repulsion A·exp((r_ij − d_ij)/B), body compression k·g and sliding friction κ·g·Δv^t (forces.hpp), and
// HFV's herding (the panic parameter p). Kept to reproduce HFV 2000 (faster is slower, the crush).
#pragma once

#include "move_context.hpp"

namespace unrest {

template <bool kPeriodic>
Moved socialForceStep(const MoveContext& m, const Walker& w) {
  const PhysicsDef& ph = m.ctx.scenario.physics;
  const ForceParams people{ph.A, ph.B, ph.k, ph.kappa, ph.anisotropy, ph.interactionRange};
  const ForceParams walls{ph.wallA, ph.wallB, ph.wallK, ph.wallKappa, 1.0, ph.interactionRange};
  const PeriodicX& periodic = m.nbr.periodic;
  const Steering& s = w.steering;
  Vec2 heading = s.heading;

  ForceAccumulator acc;
  Vec2 neighbourVelocity = Vec2::Zero();
  m.nbr.forEachCandidate<kPeriodic>(w.p, [&](const NeighbourSlot& o) {
    // Cheap rejection on position alone: most candidates in the 3×3 block are out of reach.
    double dx = w.p.x() - o.x;
    if constexpr (kPeriodic) dx = periodic.wrapX(dx);  // the nearest image
    const double dy = w.p.y() - o.y;
    const double rSum = w.r + o.radius;
    const double reach = rSum + people.range;
    if (dx * dx + dy * dy >= reach * reach || o.index == static_cast<std::uint32_t>(w.i)) return;
    addPersonForce(acc, people, Vec2(dx, dy), rSum, Vec2(o.vx - w.v.x(), o.vy - w.v.y()), heading);
    if (s.herding > 0.0) neighbourVelocity += Vec2(o.vx, o.vy);
  });
  heading = herdedHeading(heading, s.herding, neighbourVelocity);
  addDrivingForce(acc, ph.mass, ph.tau, s.speed, heading, w.v);
  Moved out;
  out.wallsNear = forEachWallNear(m.ctx.world, w.p, [&](const Vec2& offset) { addWallForce(acc, walls, offset, w.r, w.v); });
  if (m.obstacles()) {
    addVehicleForces(m.ctx.scenario, m.model.vehicles, w.p, w.v, w.r, walls, acc);
    addBarrierForces(m.ctx, m.model.checkpoints, m.a, w.i, w.p, w.v, w.r, walls, acc);
  }
  out.v = capSpeed(ph, w, w.v + integrate(ph, acc, m.ctx.dt));
  out.compression = acc.compression;
  return out;
}

}  // namespace unrest
