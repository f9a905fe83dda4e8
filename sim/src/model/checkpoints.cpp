#include "checkpoints.hpp"

#include "vehicles.hpp"

#include <cmath>

namespace unrest {

void setUpCheckpoints(const Scenario& sc, CheckpointState& state) {
  state.counts.assign(sc.checkpoints.size(), CheckpointCounts{});
  state.tokens.assign(sc.checkpoints.size(), 0.0);
}

void deployCheckpoints(CheckpointState& state) {
  for (std::size_t c = 0; c < state.counts.size(); ++c) setCheckpointBarrier(state, c, true);
}

void setCheckpointBarrier(CheckpointState& state, std::size_t c, bool closed) {
  state.counts[c].open = closed;
  if (closed) state.tokens[c] = 1.0;  // the first person can be screened at once, as on deployment
}

double checkpointDeterrence(const StepContext& ctx, const CheckpointState& state, const Vec2& p) {
  double garrison = 0.0;
  for (std::size_t c = 0; c < state.counts.size(); ++c) {
    if (!state.counts[c].open) continue;
    const CheckpointDef& cp = ctx.scenario.checkpoints[c];
    const double d = (p - gateOf(cp)).norm();
    if (d <= cp.deterrenceRadius && d > ctx.scenario.civilViolence.vision) garrison += double(cp.garrison);
  }
  return garrison;
}

bool wantsToCross(const StepContext& ctx, const Population& a, std::size_t i, std::size_t c) {
  if (!screened(a, i) || a.activity[i] == std::uint8_t(Activity::Fleeing)) return false;
  const CheckpointDef& cp = ctx.scenario.checkpoints[c];
  const Vec2 p(a.x[i], a.y[i]);
  const Vec2 along = cp.barrierB - cp.barrierA;
  const double t = (p - cp.barrierA).dot(along) / along.squaredNorm();
  constexpr double kBeyondEnds = 0.1;  // share of the barrier's length past either end that still counts as at it
  if (t < -kBeyondEnds || t > 1.0 + kBeyondEnds) return false;
  const Vec2 normal = Vec2(-along.y(), along.x()).normalized();
  const double side = (p - cp.barrierA).dot(normal);
  const Vec2 heading = ctx.world.desiredDirection(a.field[i], p);
  constexpr double kTowards = -0.2;  // cosine: the way leads across when it points through the barrier at all
  return (side > 0 ? 1.0 : -1.0) * heading.dot(normal) < kTowards;
}

void screenAtCheckpoints(const StepContext& ctx, const NeighbourIndex& nbr, CheckpointState& state, Population& a) {
  // A token bucket of one person admits at most `throughput` people a minute; the person admitted is whoever waits
  // nearest the gate (ties by id), and only they may pass the barrier.
  for (std::size_t c = 0; c < state.counts.size(); ++c) {
    CheckpointCounts& counts = state.counts[c];
    if (!counts.open) continue;
    const CheckpointDef& cp = ctx.scenario.checkpoints[c];
    state.tokens[c] = std::min(1.0, state.tokens[c] + cp.throughput / 60.0 * ctx.dt);
    const Vec2 gate = gateOf(cp);
    std::int64_t queue = 0;
    std::optional<std::size_t> candidate;
    double candidateD2 = kScreeningReach * kScreeningReach;
    nbr.forEachNear(gate, kQueueRadius, [&](const NeighbourSlot& o) {
      const std::size_t i = o.index;
      if (!walkingOrArrived(a.state[i]) || a.pass[i] == c + 1 || !wantsToCross(ctx, a, i, c)) return;
      ++queue;
      const double d2 = (Vec2(o.x, o.y) - gate).squaredNorm();
      if (d2 < candidateD2 || (d2 == candidateD2 && candidate && a.id[i] < a.id[*candidate])) {
        candidateD2 = d2;
        candidate = i;
      }
    });
    counts.queue = queue;
    if (candidate && state.tokens[c] >= 1.0) {
      a.pass[*candidate] = static_cast<std::uint8_t>(c + 1);
      state.tokens[c] -= 1.0;
      ++counts.admitted;
    }
  }
}

namespace {
// Whether p is at a vehicle parked against the barrier (within kAtBarrier of both): such a vehicle is part of the
// barrier for whoever makes their way along it to the gate.
bool atVehicleAtBarrier(const Scenario& sc, const std::vector<VehicleState>& vehicles, const CheckpointDef& cp,
                        const Vec2& p) {
  for (std::size_t k = 0; k < vehicles.size(); ++k) {
    const VehicleState& v = vehicles[k];
    const VehicleDef& def = sc.vehicles[k];
    if (!v.present || !isParked(def)) continue;
    const double reach = 0.5 * (def.length + def.width) + kAtBarrier;  // beyond the half-diagonal: far from it
    if ((p - v.position).squaredNorm() > reach * reach || v.distance(def, p) >= kAtBarrier) continue;
    if (distanceToSegment(def, v, cp.barrierA, cp.barrierB) < kAtBarrier) return true;
  }
  return false;
}
}  // namespace

std::optional<Vec2> headingToGate(const StepContext& ctx, const CheckpointState& state,
                                  const std::vector<VehicleState>& vehicles, const Population& a, std::size_t i,
                                  const Vec2& p) {
  if (a.pass[i] != 0) return std::nullopt;
  for (std::size_t c = 0; c < state.counts.size(); ++c) {
    if (!state.counts[c].open) continue;
    const CheckpointDef& cp = ctx.scenario.checkpoints[c];
    const Vec2 gate = gateOf(cp), toGate = gate - p;
    const bool near = toGate.squaredNorm() < kGateApproach * kGateApproach ||
                      (p - closestPointOnSegment(p, cp.barrierA, cp.barrierB)).squaredNorm() < kAtBarrier * kAtBarrier ||
                      atVehicleAtBarrier(ctx.scenario, vehicles, cp, p);
    if (!near || toGate.squaredNorm() <= 0.01 || !wantsToCross(ctx, a, i, c)) continue;
    // Round a parked vehicle in the way, on this side of the barrier: without it, those sent along the barrier stand
    // against the vehicle, and those who follow pack the dead end.
    if (const auto round = detourRoundParkedVehicles(ctx.scenario, vehicles, ctx.world, p, a.radius[i], gate,
                                                     cp.barrierA, cp.barrierB))
      return round;
    return Vec2(toGate.normalized());
  }
  return std::nullopt;
}

namespace {
// Calls visit(offset) for each closed barrier that holds person i back (screened, without its pass), with the
// offset from its nearest point to p.
template <class Visit>
void forEachBarrierHolding(const StepContext& ctx, const CheckpointState& state, const Population& a, std::size_t i,
                           const Vec2& p, Visit&& visit) {
  if (!screened(a, i)) return;
  for (std::size_t c = 0; c < state.counts.size(); ++c) {
    if (!state.counts[c].open || a.pass[i] == c + 1) continue;
    const CheckpointDef& cp = ctx.scenario.checkpoints[c];
    visit(Vec2(p - closestPointOnSegment(p, cp.barrierA, cp.barrierB)));
  }
}
}  // namespace

void addBarrierForces(const StepContext& ctx, const CheckpointState& state, const Population& a, std::size_t i,
                      const Vec2& p, const Vec2& v, double r, const ForceParams& walls, ForceAccumulator& acc) {
  forEachBarrierHolding(ctx, state, a, i, p, [&](const Vec2& offset) {
    if (offset.squaredNorm() < (r + walls.range) * (r + walls.range)) addWallForce(acc, walls, offset, r, v);
  });
}

Vec2 velocityOutOfBarriers(const StepContext& ctx, const CheckpointState& state, const Population& a, std::size_t i,
                           const Vec2& p, double r, double margin, Vec2 v) {
  forEachBarrierHolding(ctx, state, a, i, p, [&](const Vec2& offset) {
    const double d2 = offset.squaredNorm();
    if (d2 <= (r + margin) * (r + margin) && d2 >= 1e-12) v = withoutPartInto(v, offset / std::sqrt(d2));
  });
  return v;
}

std::uint8_t holdAtBarriers(const StepContext& ctx, const CheckpointState& state, const Population& a, std::size_t i,
                            const Vec2& p, Vec2& pNew, Vec2& vNew) {
  std::uint8_t marks = 0;
  for (std::size_t c = 0; c < state.counts.size(); ++c) {
    if (!state.counts[c].open || !screened(a, i)) continue;
    const CheckpointDef& cp = ctx.scenario.checkpoints[c];
    if (!segmentsIntersect(p, pNew, cp.barrierA, cp.barrierB)) continue;
    if (a.pass[i] == c + 1) {
      marks |= StepMark::CrossedBarrier;
    } else {
      pNew = p;
      vNew.setZero();
      marks |= StepMark::WallCorrection;
    }
  }
  return marks;
}

void expirePass(const StepContext& ctx, Population& a, std::size_t i) {
  if (a.pass[i] && (Vec2(a.x[i], a.y[i]) - gateOf(ctx.scenario.checkpoints[a.pass[i] - 1])).squaredNorm() > kPassReach * kPassReach)
    a.pass[i] = 0;
}

}  // namespace unrest
