// Locomotion `anticipation_velocity`: the anticipation velocity model of Xu, Chraibi, Seyfried (2021), "Anticipation
// in a velocity-based model for pedestrian dynamics", Transportation Research Part C 128:103464, as JuPedSim
// implements it. A collision-free speed model (Tordeux et al. 2016) whose people anticipate:
//   - perception: a neighbour j counts when ahead of the desired direction d_i or of the walking direction e_i;
//   - prediction: the gap to j shrinks by the closing speed over the anticipation time t_a,
//     R_ij = max(0, d_ij − ℓ_ij − (v_i − v_j)·e_ij t_a), and j is expected at x_j + v_j t_a;
//   - strategy: j's influence a·(1 + ½(1 − d_i·e_j))·exp(−R_ij/D) acts sideways, perpendicular to d_i, away from
//     the side j is expected on, so people step aside to pass or follow instead of pushing against each other;
//   - the walking direction turns towards the result with a reaction time τ: de/dt = (e* − e)/τ;
//   - speed V = min(v0, s/T) over the spacing s ahead (bodies plus a 2 cm buffer), creeping at 1 cm/s rather than
//     stopping dead; walls within a buffer distance take away the part of the direction that points into them.
#pragma once

#include "move_context.hpp"

#include <cmath>
#include <limits>

namespace unrest {

template <bool kPeriodic>
Moved anticipationVelocityStep(const MoveContext& m, const Walker& w, double reach) {
  const LocomotionDef& lo = m.ctx.scenario.locomotion;
  const World& world = m.ctx.world;
  const PeriodicX& periodic = m.nbr.periodic;
  const Steering& s = w.steering;
  constexpr double kSpacingBuffer = 0.02;  // m, JuPedSim
  constexpr double kCreepSpeed = 0.01;     // m/s: people edge forwards rather than stand dead still
  constexpr double kBackStep = -0.01;      // m/s: and may give way a little

  Moved out;
  const WallsAround walls(world, w.p, reach);
  out.wallsNear = walls.any();
  const Vec2 desired = s.heading;
  Vec2 facing(m.a.facingX[w.i], m.a.facingY[w.i]);
  if (facing.squaredNorm() < 1e-12) facing = desired;
  if (desired.squaredNorm() < 1e-12 || s.speed <= 0.0) {
    out.facing = facing;
    return out;  // standing
  }
  const Vec2 side(-desired.y(), desired.x());  // the left of the desired direction

  struct Near {
    float dx, dy, contact;
  };
  constexpr int kKept = 96;
  Near kept[kKept];
  int count = 0;
  bool overflow = false;
  Vec2 influence = Vec2::Zero(), neighbourVelocity = Vec2::Zero();
  const double reach2 = reach * reach;
  auto visible = [&](const NeighbourSlot& o, double& dx, double& dy) {
    dx = o.x - w.p.x();
    if constexpr (kPeriodic) dx = periodic.wrapX(dx);
    dy = o.y - w.p.y();
    if (dx * dx + dy * dy >= reach2 || o.index == static_cast<std::uint32_t>(w.i)) return false;
    return !(walls.hides() && walls.between(w.p, w.p + Vec2(dx, dy)));
  };
  m.nbr.forEachWithin<kPeriodic>(w.p, reach, [&](const NeighbourSlot& o) {
    double dx, dy;
    if (!visible(o, dx, dy)) return;
    const double d = std::sqrt(dx * dx + dy * dy), contact = w.r + o.radius;
    if (count < kKept) kept[count++] = Near{float(dx), float(dy), float(contact)};
    else overflow = true;
    if (s.herding > 0.0) neighbourVelocity += Vec2(o.vx, o.vy);
    if (d < 1e-9) return;
    const Vec2 toJ(dx / d, dy / d);
    if (desired.dot(toJ) < 0.0 && facing.dot(toJ) < 0.0) return;  // behind, in both senses: not perceived
    const Vec2 vj(o.vx, o.vy);
    const double closing = (w.v - vj).dot(toJ) * lo.anticipationTime;
    const double gap = std::max(0.0, d - contact - closing);
    // The neighbour's walking direction, read from their velocity (0 alignment term when they stand).
    const double vjNorm = vj.norm();
    const double alignment = vjNorm > 1e-6 ? desired.dot(vj / vjNorm) : 0.0;
    const double strength = lo.neighbourStrength * (1.0 + 0.5 * (1.0 - alignment)) * std::exp(-gap / lo.neighbourRange);
    // Step aside, away from where j is expected to be; a neighbour dead ahead is passed on a side that depends on the
    // pair only (a deterministic coin), so the result is the same for any thread count.
    const double lateral = side.dot(Vec2(dx, dy) + lo.anticipationTime * vj);
    double sign = lateral > 0.0 ? -1.0 : 1.0;
    if (std::abs(lateral) < 1e-9) sign = ((m.a.id[w.i] ^ o.index ^ std::uint32_t(m.ctx.step)) & 1u) ? -1.0 : 1.0;
    influence += sign * strength * side;
  });
  const Vec2 target = herdedHeading(desired, s.herding, neighbourVelocity);
  Vec2 chosen = target + influence;
  chosen = chosen.squaredNorm() > 1e-18 ? Vec2(chosen.normalized()) : facing;
  // Turning with the reaction time, unless the new choice and the old direction lie on opposite sides of the desired
  // one (then at once, as JuPedSim does: no slow swing through the wrong way).
  Vec2 direction = desired.dot(chosen) * desired.dot(facing) < 0.0
                       ? chosen
                       : Vec2(facing + (chosen - facing) * std::min(1.0, m.ctx.dt / lo.reactionTime));
  direction = direction.squaredNorm() > 1e-18 ? Vec2(direction.normalized()) : chosen;

  double spacing = std::numeric_limits<double>::infinity();
  auto ahead = [&](double dx, double dy, double contact) {
    const double l = contact + kSpacingBuffer;
    if (direction.x() * dx + direction.y() * dy < 0.0) return;
    if (std::abs(direction.x() * dy - direction.y() * dx) > l) return;
    spacing = std::min(spacing, std::sqrt(dx * dx + dy * dy) - l);
  };
  for (int k = 0; k < count; ++k) ahead(kept[k].dx, kept[k].dy, kept[k].contact);
  if (overflow)
    m.nbr.forEachWithin<kPeriodic>(w.p, reach, [&](const NeighbourSlot& o) {
      double dx, dy;
      if (visible(o, dx, dy)) ahead(dx, dy, w.r + o.radius);
    });
  double speed = spacing / lo.timeGap;
  if (speed > kBackStep && speed < kCreepSpeed) speed = kCreepSpeed;
  speed = std::clamp(speed, kBackStep, double(s.speed));

  // Walls: the part of the direction into a wall closer than the buffer is taken away, and a little push out added.
  Vec2 walking = direction;
  forEachWallNear(world, w.p, [&](const Vec2& offset) {
    const double d = offset.norm();
    if (d > w.r + lo.wallBuffer || d < 1e-9) return;
    const Vec2 n = offset / d;
    const double into = walking.dot(n);
    if (into < 0.0) walking = walking - into * n + lo.wallPushout * n;
  });
  walking = walking.squaredNorm() > 1e-18 ? Vec2(walking.normalized()) : direction;
  out.v = speed * walking;
  out.facing = walking;
  return out;
}

}  // namespace unrest
