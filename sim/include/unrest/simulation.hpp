// The step pipeline. Each stage is a named, timed function over the population arrays:
//   events  – scheduled arrivals (spawns)
//   index   – neighbour cells (counting sort), periodic reorder of the arrays by cell
//   move    – social force and integration: reads the current state, writes each person's next state only
//   harm    – contact pressure against the crush threshold, arrivals at destinations
//   record  – metrics rows and discrete events
// Cross-person effects are either read-only (forces) or collected and committed in id order (events), so a run
// is the same bit for bit whatever the number of threads.
#pragma once

#include "unrest/population.hpp"
#include "unrest/rng.hpp"
#include "unrest/scenario.hpp"
#include "unrest/world.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace unrest {

enum class EventType : std::uint8_t { Injury, PopulationSpawned, PopulationArrived };
const char* eventTypeName(EventType t);

struct Event {
  double time = 0.0;  // s since start
  EventType type = EventType::Injury;
  std::uint32_t agent = 0;  // for person events
  int population = -1;
  Vec2 position{0, 0};
  double value = 0.0;  // Injury: contact pressure, N/m
};

struct MetricsRow {
  double time = 0.0;
  std::int64_t waiting = 0;  // not yet spawned
  std::array<std::int64_t, kAgentStateCount> byState{};
  std::int64_t injuriesCrush = 0;  // cumulative
  double peakDensity = 0.0;        // people/m², over output.density_cell squares
  double peakPressure = 0.0;       // N/m, highest contact pressure on anyone moving
  double meanSpeed = 0.0;          // m/s over people walking or arrived
  double crowdPressure = 0.0;      // max over density cells of ρ·Var(v), 1/s² (Helbing, Johansson, Al-Abideen 2007)
  std::int64_t contacts = 0;       // people touching someone or a wall
  std::int64_t wallCorrections = 0;  // cumulative times the wall guard held someone back
};

struct StageProfile {
  static constexpr int kStages = 5;
  static constexpr std::array<const char*, kStages> kNames{"events", "index", "move", "harm", "record"};
  std::array<double, kStages> seconds{};
};

// Neighbour cells of side h laid over the world and folded onto a table of a few buckets per person (cell
// (i, j) goes to bucket (i mod foldX, j mod foldY)). A city-sized map then costs memory and sorting time in
// proportion to its people, not its area; people of distant cells that share a bucket are rejected by the
// distance test. With foldX, foldY >= 3 the nine cells around a person always fall in nine different buckets.
struct FoldedCells {
  Grid grid;
  int foldX = 1, foldY = 1;
  // Cells i with loX <= i < hiX exist; a periodic map has no such bound along x (its cells wrap, unfolded).
  int loX = 0, hiX = 1;

  void build(const Grid& world, double side, std::size_t people, bool periodicX = false);
  std::size_t buckets() const { return std::size_t(foldX) * std::size_t(foldY); }
  int cellX(double x) const { return std::clamp(grid.cellX(x), 0, grid.nx - 1); }
  int cellY(double y) const { return std::clamp(grid.cellY(y), 0, grid.ny - 1); }
  std::uint32_t bucket(int i, int j) const { return std::uint32_t(i % foldX) + std::uint32_t(foldX) * std::uint32_t(j % foldY); }
  std::uint32_t bucketAt(double x, double y) const { return bucket(cellX(x), cellY(y)); }
};

// Below this many people a stage runs on one thread: waking workers costs more than the work.
constexpr std::int64_t kParallelMinimum = 1024;

class Measurement;

class Simulation {
public:
  Simulation(const Scenario& scenario, const World& world, int threads = 1);
  ~Simulation();

  void step();
  bool done() const { return stepIndex_ >= totalSteps_; }
  double time() const { return double(stepIndex_) * dt_; }
  std::int64_t stepIndex() const { return stepIndex_; }
  std::int64_t totalSteps() const { return totalSteps_; }
  double dt() const { return dt_; }

  const Population& agents() const { return agents_; }
  const Scenario& scenario() const { return scenario_; }
  const World& world() const { return world_; }
  int threads() const { return threads_; }

  // Discrete events of the last step, in id order within a type.
  const std::vector<Event>& stepEvents() const { return events_; }
  // Records a metrics row for the current time if the last step did not (for a run stopped between record
  // times) and returns true; false when the last step already recorded one. Afterwards stepEvents() is empty,
  // so an observer can take the row without repeating events.
  bool recordNow();
  // True when the last step ended on a record time; then lastRow() holds the row.
  bool recorded() const { return recorded_; }
  const MetricsRow& lastRow() const { return row_; }

  std::int64_t spawned() const { return spawnedTotal_; }
  std::int64_t active() const;  // walking or arrived
  std::int64_t agentSteps() const { return agentSteps_; }
  std::int64_t injuriesCrush() const { return injuriesCrush_; }
  std::int64_t exited() const { return exitedTotal_; }
  const StageProfile& profile() const { return profile_; }
  std::size_t memoryBytes() const;
  // Ids of the people within `radius` (at most the neighbour-cell side) of person i, found through the same cell
  // search the forces use, as of the last index stage. For tests and inspection.
  std::vector<std::uint32_t> neighboursOf(std::size_t i, double radius) const;
  double neighbourCellSide() const { return cells_.grid.h; }
  // a − b, across the periodic boundary when that is shorter.
  Vec2 offset(const Vec2& a, const Vec2& b) const {
    Vec2 d = a - b;
    d.x() -= period_ * double((d.x() > halfPeriod_) - (d.x() < -halfPeriod_));
    return d;
  }
  // What was measured (null when the scenario asks for nothing); updated by the record stage every step.
  const Measurement* measurement() const { return measurement_.get(); }

private:
  void stageEvents();
  void stageIndex();
  void stageMove();
  void stageHarm();
  void stageRecord();
  void computeRow();
  void wander(std::size_t i, const PopulationDef& pop);
  void spawnPopulation(int p, std::int64_t due);
  void spawnLattice(int p);
  void addAgent(int p, std::int64_t indexInPopulation, const Vec2& pos);
  static std::uint64_t personSubject(int p, std::int64_t indexInPopulation);
  double radiusOf(int p, std::int64_t indexInPopulation) const;
  bool spotIsFree(const Vec2& pos, double r) const;
  void rebuildSpawnGrid();
  Vec2 randomSpot(int zone, std::uint64_t step, std::uint64_t subject, RandomPurpose purpose) const;
  // A random spot of the zone in sight of `from` that a body fits in; `from` itself when none is found.
  Vec2 visibleSpot(const Vec2& from, int zone, std::uint32_t agentId, double radius) const;

  const Scenario& scenario_;
  const World& world_;
  // Periodic boundary along x (0 and +inf when there is none, which makes the wrapping arithmetic a no-op).
  double period_ = 0.0, halfPeriod_ = std::numeric_limits<double>::infinity();
  double periodStart_ = -std::numeric_limits<double>::infinity(), periodEnd_ = std::numeric_limits<double>::infinity();
  std::unique_ptr<Measurement> measurement_;
  CounterRng rng_;
  int threads_ = 1;
  double dt_ = 0.02;
  std::int64_t stepIndex_ = 0, totalSteps_ = 0, recordEvery_ = 1;

  Population agents_;
  std::vector<std::int64_t> spawnedOf_;  // per population
  std::vector<std::uint8_t> announcedArrival_;
  std::int64_t spawnedTotal_ = 0, exitedTotal_ = 0, injuriesCrush_ = 0, wallCorrections_ = 0, agentSteps_ = 0;

  // Neighbour cells: side = largest contact distance plus the social range.
  FoldedCells cells_;
  std::vector<std::uint32_t> cellStart_;  // size buckets+1
  std::vector<std::uint32_t> chunkCounts_;  // per-thread bucket counts of the parallel counting sort
  std::vector<std::uint32_t> cellOrder_;  // people sorted by cell (indices into agents_)
  // What the force loop reads of each neighbour, packed in cell order so a cell's people are one run of memory.
  // 32 bytes, two to a cache line: positions in double (differences of nearby points must stay exact to well
  // below a millimetre anywhere on a city map), velocities and radius in float (they only scale forces).
  struct NeighbourSlot {
    double x, y;
    float vx, vy, radius;
    std::uint32_t index;
  };
  std::vector<NeighbourSlot> packed_;
  // Calls visit(slot) for everyone in the 3×3 neighbour cells around p (plus whoever shares their buckets).
  // Periodic: the cells wrap along x (the map's periodic boundary), instead of ending at its edges.
  template <bool Periodic, class Visit>
  void forEachCandidate(const Vec2& p, Visit&& visit) const {
    const int ci = cells_.cellX(p.x()), cj = cells_.cellY(p.y());
    const int foldX = cells_.foldX, foldY = cells_.foldY;
    // Folded coordinates of the home cell; neighbours wrap by one at most, so no division in the loop.
    const int fi = ci % foldX, fj = cj % foldY;
    for (int dj = -1; dj <= 1; ++dj) {
      if (cj + dj < 0 || cj + dj >= cells_.grid.ny) continue;
      const int bj = fj + dj < 0 ? fj + dj + foldY : (fj + dj >= foldY ? fj + dj - foldY : fj + dj);
      for (int di = -1; di <= 1; ++di) {
        if (!Periodic && (ci + di < 0 || ci + di >= cells_.grid.nx)) continue;
        const int bi = fi + di < 0 ? fi + di + foldX : (fi + di >= foldX ? fi + di - foldX : fi + di);
        const auto c = static_cast<std::size_t>(bi + foldX * bj);
        for (std::uint32_t s = cellStart_[c]; s < cellStart_[c + 1]; ++s) visit(packed_[s]);
      }
    }
  }
  std::vector<std::uint32_t> reorderScratch_;
  std::vector<std::int32_t> spawnHead_, spawnNext_;  // linked lists for spawn placement

  // Density cells for metrics.
  Grid densityGrid_;
  std::vector<double> densityArea_;  // walkable m² per density cell
  std::vector<std::uint32_t> densityCount_;
  std::vector<double> densitySumVx_, densitySumVy_, densitySumV2_;

  std::vector<Event> events_;
  MetricsRow row_;
  bool recorded_ = false;
  StageProfile profile_;
};

}  // namespace unrest
