// The stages of a step, in the order Simulation::step runs them. Each is a free function: what it takes by const
// reference it only reads, what it takes by reference it writes. Cross-person effects are either read-only (forces,
// perception) or collected and committed in id order (events, arrests, takings), so a run is the same bit for bit
// whatever the number of threads.
#pragma once

#include "../model/model.hpp"
#include "../neighbours.hpp"
#include "../step_context.hpp"

#include <vector>

namespace unrest {

// Spawning: how many of each population have appeared, the spawn grid (linked lists of people per neighbour bucket,
// rebuilt when someone is to be placed) and the people coming back onto the streets this step.
struct Spawner {
  std::vector<std::int64_t> spawnedOf;          // per population
  std::vector<std::uint8_t> announcedArrival;   // per population: its arrival has been reported
  std::vector<std::int32_t> head, next;         // the spawn grid
  std::vector<std::int32_t> returning;          // people coming back this step (duty or release)
};

// Where a person wants to go this step and how fast: what the move stage's locomotion drives towards.
struct Steering {
  Vec2 heading{0, 0};   // unit, or zero
  double speed = 0.0;   // desired speed, m/s
  double herding = 0.0; // HFV's panic parameter p: the weight of the neighbours' mean direction
};

// The density cells and sums the record stage fills.
struct DensityCells {
  Grid grid;
  std::vector<double> area;  // walkable m² per cell
  std::vector<std::uint32_t> count;
  std::vector<double> sumVx, sumVy, sumV2;
};

// timeline: the scenario's scheduled events (legitimacy, police presence, shots, deployment, curfew, rally calls)
// and the vehicles on their routes.
void runTimeline(const StepContext& ctx, const NeighbourIndex& nbr, const IdIndex& ids, ModelState& model,
                 Population& a, Outcomes& out);
// spawn: arrivals of people, jail terms running out, duty shifts, and those coming back onto the streets.
void runSpawn(const StepContext& ctx, const NeighbourIndex& nbr, const ModelState& model, Spawner& spawner,
              Population& a, IdIndex& ids, Outcomes& out);
// index: neighbour cells (a counting sort), and every few steps a reorder of the arrays by cell.
void runIndex(const StepContext& ctx, NeighbourIndex& nbr, IdIndex& ids, Population& a);
// perceive: counts of the forces of order, volunteers, active people by faction and fear on the perception grid.
void runPerceive(const StepContext& ctx, const Population& a, const CheckpointState& checkpoints, Perception& perception,
                 ShopState& shops);
// decide: fear and flight, civil violence, looting, rivals, pursuit: each person writes only their own slots.
void runDecide(const StepContext& ctx, const NeighbourIndex& nbr, const IdIndex& ids, ModelState& model, Population& a);
// interact: brawls, arrests, takings from shops and checkpoint screening, committed in id order.
void runInteract(const StepContext& ctx, const NeighbourIndex& nbr, const IdIndex& ids, ModelState& model,
                 Population& a, Outcomes& out);
// steer (called by move for each person, in the same pass over the arrays): person i's desired direction and speed,
// from their errand, flight or the navigation field; `gates`: some checkpoint is closed.
Steering steer(const StepContext& ctx, const ModelState& model, const Population& a, std::size_t i, bool gates);
// move: each person's steering, then social force and integration: reads the current state (neighbours from the
// index's packed copy), writes each person's next position, velocity, contact pressure and step marks.
void runMove(const StepContext& ctx, const NeighbourIndex& nbr, const ModelState& model, Population& a, Tally& tally);
// harm: contact pressure held above the crush threshold injures. Returns how many were injured.
std::int64_t runHarm(const StepContext& ctx, FearState& fear, Population& a, Outcomes& out);
// arrive: arrivals at destinations and patrol stops, milling inside them, going home, exits.
void runArrive(const StepContext& ctx, const Plans& plans, std::int64_t injuredNow, Spawner& spawner, Population& a,
               Outcomes& out);
// record: a metrics row.
void runRecord(const StepContext& ctx, const Population& a, const ModelState& model, const Tally& tally,
               std::int64_t totalPeople, DensityCells& density, MetricsRow& row);

}  // namespace unrest
