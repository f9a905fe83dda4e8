// Locomotion `collision_free_speed`: the collision-free speed model of Tordeux, Chraibi, Seyfried (2016),
// "Collision-free speed model for pedestrian dynamics", Traffic and Granular Flow '15, arXiv:1512.05597, as JuPedSim
// implements it. First order: the velocity is chosen, not integrated from forces.
//   direction  e = normalise(e0 + Σ_j −a·exp((ℓ_ij − d_ij)/D)·n_ij + Σ_W −a_W·exp((r − d_iW)/D_W)·n_iW),
//              n the unit vector from the person towards neighbour j or wall W, ℓ_ij = r_i + r_j;
//   speed      V = min(v0, max(0, s/T)), s = min over the neighbours ahead in the corridor of width 2ℓ along e of
//              d_ij − ℓ_ij: people keep a time gap T to whoever is in front of them.
// So speed falls with density as the required space grows with speed (Seyfried, Steffen, Lippert 2006), and bodies
// never overlap. Neighbours hidden behind a wall are ignored.
#pragma once

#include "move_context.hpp"

#include <cmath>
#include <limits>

namespace unrest {

// The velocity model's choice for one person: a unit direction and a speed.
struct Headway {
  Vec2 direction = Vec2::Zero();
  double speed = 0.0;
  Vec2 desired = Vec2::Zero();  // the desired direction before the neighbours' and walls' repulsion (herding included)
};

// The margin beyond the body within which a hybrid walker's direction into a wall is taken away.
constexpr double kWallMargin = 0.02;  // m; the velocity model's wall range D_W (Tordeux et al. 2016, JuPedSim)

// v without its part into any wall whose nearest point is within `within` of p.
inline Vec2 withoutPartIntoWalls(const World& world, const Vec2& p, double within, Vec2 v) {
  forEachWallNear(world, p, [&](const Vec2& offset) {
    const double d = offset.norm();
    if (d > within || d < 1e-9) return;
    const double into = -v.dot(offset) / d;
    if (into > 0.0) v += into * offset / d;
  });
  return v;
}

// onNeighbour(slot, offset, d2) is called for every neighbour within reach (offset = x_i − x_j), so the hybrid model
// can add its contact forces in the same pass; it needs to see those within `callbackReach` of the person's centre
// (0: none).
// keepOffWalls: the hybrid's variant, whose direction never points into a wall or closed barrier the person touches
// (its contact layer would otherwise turn a grazing step into pressure).
template <bool kPeriodic, class OnNeighbour>
Headway collisionFreeSpeed(const MoveContext& m, const Walker& w, double reach, const WallsAround& walls,
                           bool keepOffWalls, double callbackReach, OnNeighbour&& onNeighbour) {
  const LocomotionDef& lo = m.ctx.scenario.locomotion;
  const World& world = m.ctx.world;
  const Steering& s = w.steering;
  // The neighbours within reach, kept for the spacing, which needs the direction the repulsion gives.
  struct Near {
    float dx, dy, distance2, contact;  // x_j − x_i, its squared length, and r_i + r_j
  };
  constexpr int kKept = 96;
  Near kept[kKept];
  int count = 0;
  bool overflow = false;
  Vec2 repulsion = Vec2::Zero(), neighbourVelocity = Vec2::Zero();
  // Only those who could be the nearest ahead at this person's speed, or who repel noticeably, are looked at.
  const double ownReach = std::min(reach, m.largestContact + std::max(lo.timeGap * s.speed, m.repulsionReach));
  const double repelled = w.r + m.largestRadius + m.repulsionReach;
  // Everything but the gap ahead is decided within `repelled` (the repulsion) and `callbackReach`, so the first pass
  // looks only that far, and a second pass over the ring beyond is needed only when nobody ahead was found near
  // enough to be nearer than anyone out there. Herding averages everyone within reach: one pass for those who herd.
  // The first pass visits the same people in the same order as one pass over the whole reach would, so the sums are
  // the same to the bit.
  const double nearReach = s.herding > 0.0 ? ownReach : std::min(ownReach, std::max(repelled, callbackReach));
  const double near2 = nearReach * nearReach;
  const auto self = static_cast<std::uint32_t>(w.i);
  m.nbr.forEachCloserThan<kPeriodic>(w.p, nearReach, [&](const NeighbourSlot& o, double dx, double dy, double d2) {
    if (o.index == self) return;
    onNeighbour(o, Vec2(-dx, -dy), d2);
    if (walls.hides() && walls.between(w.p, w.p + Vec2(dx, dy))) return;
    const double contact = w.r + o.radius;
    if (d2 < repelled * repelled && d2 > 1e-18) {
      const double d = std::sqrt(d2);
      repulsion -= (lo.neighbourStrength * double(std::exp(float((contact - d) / lo.neighbourRange))) / d) * Vec2(dx, dy);
    }
    if (s.herding > 0.0) neighbourVelocity += Vec2(o.vx, o.vy);
    if (count < kKept) kept[count++] = Near{float(dx), float(dy), float(d2), float(contact)};
    else overflow = true;
  });
  // HFV's herding for those who flee: the desired direction leans towards the neighbours' mean direction.
  const Vec2 desired = herdedHeading(s.heading, s.herding, neighbourVelocity);
  Vec2 wallRepulsion = Vec2::Zero();
  if (walls.any())
    forEachWallNear(world, w.p, [&](const Vec2& offset) {
      const double d = offset.norm();
      if (d > 1e-9) wallRepulsion += (lo.wallStrength * std::exp((w.r - d) / lo.wallRange) / d) * offset;
    });
  Headway h;
  h.desired = desired;
  if (desired.squaredNorm() < 1e-12 || s.speed <= 0.0) return h;  // standing: no direction to keep a gap along
  Vec2 sum = desired + repulsion + wallRepulsion;
  if (keepOffWalls) {
    // The hybrid's walkers do not lean on walls or on closed barriers they may not cross: the part of the direction
    // into one they would touch this step is taken away before the headway is measured along it, so the way they
    // then slide is the way whose gap sets their speed. (Taken off a barrier only afterwards, a walker turned along
    // it kept the speed of the empty way straight ahead and walked it into the people beside them: docs/locomotion.md.)
    const double touched = w.r + kWallMargin + s.speed * m.ctx.dt;
    if (walls.any()) sum = withoutPartIntoWalls(world, w.p, touched, sum);
    if (m.barriers) sum = velocityOutOfBarriers(m.ctx, m.model.checkpoints, m.a, w.i, w.p, w.r, touched - w.r, sum);
  }
  const double norm = sum.norm();
  if (keepOffWalls && norm < 1e-6) return h;  // facing a wall or a barrier square on: stand
  h.direction = norm > 1e-9 ? Vec2(sum / norm) : desired;

  double spacing = std::numeric_limits<double>::infinity();
  // Without jumps: whether a neighbour is ahead in the corridor is as good as a coin toss in a crowd.
  auto ahead = [&](double dx, double dy, double distance2, double contact) {
    const double along = h.direction.x() * dx + h.direction.y() * dy;
    const double lateral = std::abs(h.direction.x() * dy - h.direction.y() * dx);
    const bool inCorridor = (along >= 0.0) & (lateral <= contact);
    const double gap = std::sqrt(distance2) - contact;
    spacing = std::min(spacing, inCorridor ? gap : std::numeric_limits<double>::infinity());
  };
  // Every gap is measured in single precision, as the kept neighbours are stored, whichever pass finds it.
  auto aheadAsKept = [&](double dx, double dy, double d2, double contact) {
    ahead(double(float(dx)), double(float(dy)), double(float(d2)), double(float(contact)));
  };
  for (int k = 0; k < count; ++k) ahead(kept[k].dx, kept[k].dy, kept[k].distance2, kept[k].contact);
  // Anyone beyond the first pass is at least nearReach − largestContact away, body to body (less a rounding); the
  // ring beyond is searched when nobody ahead within the first pass is certainly nearer, or when more people stood
  // there than were kept (a crush far above any walking density): then the whole reach again.
  const bool ring = nearReach < ownReach && !(spacing <= nearReach - m.largestContact - 1e-5);
  if (overflow || ring) {
    const double from2 = overflow ? 0.0 : near2;
    m.nbr.forEachCloserThan<kPeriodic>(w.p, ownReach, [&](const NeighbourSlot& o, double dx, double dy, double d2) {
      if (o.index == self || d2 < from2) return;
      if (walls.hides() && walls.between(w.p, w.p + Vec2(dx, dy))) return;
      aheadAsKept(dx, dy, d2, w.r + o.radius);
    });
  }
  h.speed = std::min(s.speed, std::max(0.0, spacing / lo.timeGap));
  return h;
}

// The model on its own: the chosen velocity is the new velocity.
template <bool kPeriodic>
Moved collisionFreeSpeedStep(const MoveContext& m, const Walker& w, double reach) {
  Moved out;
  const WallsAround walls(m.ctx.world, w.p, reach);
  out.wallsNear = walls.any();
  const Headway h = collisionFreeSpeed<kPeriodic>(m, w, reach, walls, false, 0.0, [](const NeighbourSlot&, const Vec2&, double) {});
  out.v = h.speed * h.direction;
  return out;
}

}  // namespace unrest
