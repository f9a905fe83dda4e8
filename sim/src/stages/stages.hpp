// The stages of a step, in the order Simulation::step runs them. Each is a free function: what it takes by const
// reference it only reads, what it takes by reference it writes. Cross-person effects are either read-only (forces,
// perception) or collected and committed in id order (events, arrests, takings), so a run is the same bit for bit
// whatever the number of threads.
#pragma once

#include "../model/model.hpp"
#include "../neighbours.hpp"
#include "../step_context.hpp"
#include "unrest/crowd_pressure.hpp"

#include <cmath>
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

// What a metrics row reports as the highest since the row before: kept up every step, reset by each row.
struct RowPeaks {
  double pressure = 0.0;  // N/m: contact pressure of anyone walking or arrived, the step they are injured included
};

// The radius of the disc of one square metre, m.
inline const double kSquareMetreRadius = 1.0 / std::sqrt(M_PI);

// Calls visit(slot) for everyone in the neighbour cells around p, across a periodic boundary too.
template <class Visit>
void forEachCandidateAround(const NeighbourIndex& nbr, const Vec2& p, Visit&& visit) {
  if (nbr.periodic.on()) nbr.forEachCandidate<true>(p, visit);
  else nbr.forEachCandidate<false>(p, visit);
}

// People on the street (the injured too, person i too) whose centre lies within the square metre around person i,
// by their positions now, per m². The neighbour cells are those of the step's start, at least 1 m across (the
// Simulation makes them so): everyone who moved less than 0.43 m since is found (21 m/s at dt = 0.02 s).
inline double localDensity(const NeighbourIndex& nbr, const Population& a, std::size_t i) {
  const Vec2 p(a.x[i], a.y[i]);
  std::int64_t count = 0;
  forEachCandidateAround(nbr, p, [&](const NeighbourSlot& o) {
    const std::uint32_t k = o.index;
    if (onStreet(a.state[k]))
      count += nbr.periodic.offset(Vec2(a.x[k], a.y[k]), p).squaredNorm() <= kSquareMetreRadius * kSquareMetreRadius;
  });
  return double(count);
}

// The highest local density around anyone, as localDensity counts it, over the neighbour index's own copy of the
// street (everyone on it at the start of the step): read in cell order, it costs no scattered reads of the arrays.
// The largest of whole counts: the same whoever counted which.
inline double peakLocalDensity(const StepContext& ctx, const NeighbourIndex& nbr) {
  std::int64_t peak = 0;
  const auto n = static_cast<std::int64_t>(nbr.packed.size());
#pragma omp parallel for schedule(dynamic, kMoveChunk) reduction(max : peak) num_threads(ctx.threads) if (ctx.parallel(n))
  for (std::int64_t k = 0; k < n; ++k) {
    const Vec2 p(nbr.packed[k].x, nbr.packed[k].y);
    std::int64_t count = 0;
    forEachCandidateAround(nbr, p, [&](const NeighbourSlot& o) {
      count += nbr.periodic.offset(Vec2(o.x, o.y), p).squaredNorm() <= kSquareMetreRadius * kSquareMetreRadius;
    });
    peak = std::max(peak, count);
  }
  return double(peak);
}

// timeline: the scenario's scheduled events (legitimacy, police presence, shots, deployment, curfew, rally calls)
// and the vehicles on their routes.
void runTimeline(const StepContext& ctx, const NeighbourIndex& nbr, const IdIndex& ids, ModelState& model,
                 Population& a, Outcomes& out);
// spawn: arrivals of people, jail terms running out, duty shifts, and those coming back onto the streets.
// How many of a population are due to have appeared by time t (its spawn rate and waves).
std::int64_t dueToSpawn(const PopulationDef& pop, double t);
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
// harm: contact pressure injures by the scenario's criterion; crush events carry the local density; the row's peak
// pressure is kept up. Returns how many were injured.
std::int64_t runHarm(const StepContext& ctx, const NeighbourIndex& nbr, FearState& fear, Population& a, Outcomes& out,
                     RowPeaks& peaks);
// arrive: arrivals at destinations and patrol stops, milling inside them, going home, exits.
void runArrive(const StepContext& ctx, const Plans& plans, std::int64_t injuredNow, Spawner& spawner, Population& a,
               Outcomes& out);
// record: a metrics row (and starts the next row's peaks).
void runRecord(const StepContext& ctx, const NeighbourIndex& nbr, const Population& a, const ModelState& model,
               const Tally& tally, std::int64_t totalPeople, RowPeaks& peaks, CrowdPressure& crowdPressure,
               MetricsRow& row);

}  // namespace unrest
