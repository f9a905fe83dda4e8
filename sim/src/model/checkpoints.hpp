// The army's checkpoints: from the deployment on, a closed barrier with a garrison. The barrier is a wall to the
// people it screens (civilians and volunteers), bar one person at a time cleared by the soldiers at a set
// throughput (a token bucket); its garrison deters everyone within its deterrence radius (counted into Epstein's
// arrest probability); those whose way leads across it make for its gate and queue there.
#pragma once

#include "../neighbours.hpp"
#include "../step_context.hpp"
#include "unrest/forces.hpp"

#include <vector>

namespace unrest {

struct CheckpointState {
  std::vector<CheckpointCounts> counts;  // open, queue, admitted
  std::vector<double> tokens;            // of the screening bucket, at most one person
  bool anyOpen() const {
    for (const auto& c : counts)
      if (c.open) return true;
    return false;
  }
};

// People within this distance of a gate, who want to cross, are its queue.
constexpr double kQueueRadius = 20.0;  // m; assumption
// The next to be screened is whoever waits nearest the gate, within this distance of it.
constexpr double kScreeningReach = 2.5;  // m; assumption: an arm's length past the barrier's posts
// A person cleared to pass keeps the pass until this far from the gate.
constexpr double kPassReach = 5.0;  // m; assumption
// People whose way leads across a closed barrier make for its gate from this far, or from anywhere along the barrier
// once they stand at it (within kAtBarrier of it: a body's breadth and a half step), so no one waits at its far end.
constexpr double kGateApproach = 15.0;  // m; assumption
constexpr double kAtBarrier = 1.0;      // m from the barrier's line to a person's centre; assumption

inline Vec2 gateOf(const CheckpointDef& cp) { return 0.5 * (cp.barrierA + cp.barrierB); }
// Checkpoints screen civilians and volunteers, not police or soldiers.
inline bool screened(const Population& a, std::size_t i) {
  const auto role = static_cast<Role>(a.role[i]);
  return role == Role::Civilian || role == Role::Volunteer;
}

void setUpCheckpoints(const Scenario& sc, CheckpointState& state);
// The deployment: every checkpoint closes its barrier; the first person can be screened at once.
void deployCheckpoints(CheckpointState& state);
// One checkpoint's barrier closes (as at the deployment) or lifts (nobody is screened, its garrison deters no one).
void setCheckpointBarrier(CheckpointState& state, std::size_t c, bool closed);
// The garrisons weighing on someone at p (those within vision of a checkpoint count its soldiers one by one).
double checkpointDeterrence(const StepContext& ctx, const CheckpointState& state, const Vec2& p);
// Someone screened by checkpoint c, near its barrier, whose way leads across it.
bool wantsToCross(const StepContext& ctx, const Population& a, std::size_t i, std::size_t c);
// Interact: queues counted and the next person cleared at each open checkpoint.
void screenAtCheckpoints(const StepContext& ctx, const NeighbourIndex& nbr, CheckpointState& state, Population& a);
// Steer: the direction to a gate for someone waiting to cross a closed barrier, if any: round a vehicle parked in
// the way, and from anywhere along a vehicle parked against the barrier as from the barrier itself.
std::optional<Vec2> headingToGate(const StepContext& ctx, const CheckpointState& state,
                                  const std::vector<VehicleState>& vehicles, const Population& a, std::size_t i,
                                  const Vec2& p);
// Move: closed barriers push like thin walls on those they screen, bar the one cleared to pass.
void addBarrierForces(const StepContext& ctx, const CheckpointState& state, const Population& a, std::size_t i,
                      const Vec2& p, const Vec2& v, double r, const ForceParams& walls, ForceAccumulator& acc);
// Move (hybrid): the part of a walker's velocity, or of their direction before the gap ahead is measured along it,
// into a closed barrier they may not cross, taken away, as for walls: the velocity model's gap leaves barriers out,
// so else its velocity presses them into it step after step and the barrier's body force crushes them.
Vec2 velocityOutOfBarriers(const StepContext& ctx, const CheckpointState& state, const Population& a, std::size_t i,
                           const Vec2& p, double r, double margin, Vec2 v);
// Move: a step from p to pNew across a closed barrier is undone, unless the person was cleared to pass. Returns the
// step's marks (StepMark::WallCorrection when held back, StepMark::CrossedBarrier when cleared through).
std::uint8_t holdAtBarriers(const StepContext& ctx, const CheckpointState& state, const Population& a, std::size_t i,
                            const Vec2& p, Vec2& pNew, Vec2& vNew);
// After the step: a pass ends once its holder is past the gate.
void expirePass(const StepContext& ctx, Population& a, std::size_t i);

}  // namespace unrest
