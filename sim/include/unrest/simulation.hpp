// The step pipeline. Each stage is a named, timed function over the population arrays:
//   events    – the timeline (legitimacy, police presence, shots, deployment, curfew, rally calls), arrivals
//               of people, duty shifts and releases from jail, vehicles
//   index     – neighbour cells (counting sort), periodic reorder of the arrays by cell
//   perceive  – counts of police, soldiers, volunteers, actives and fear on a coarse grid, for vision queries
//   decide    – civil-violence activation (Epstein 2002), fear and its contagion, flight, looting, duties
//   interact  – brawls, arrests, looting, checkpoint screening: proposals committed in id order
//   move      – social force and integration: reads the current state, writes each person's next state only
//   harm      – contact pressure against the crush threshold, arrivals at destinations, errands
//   record    – metrics rows and discrete events
// Cross-person effects are either read-only (forces, perception) or collected and committed in id order
// (events, arrests, takings), so a run is the same bit for bit whatever the number of threads.
#pragma once

#include "unrest/forces.hpp"
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

enum class EventType : std::uint8_t {
  Injury, PopulationSpawned, PopulationArrived,
  Arrest, Release, LootingIncident, ShopEmptied, Gunshot, Legitimacy, PolicePresence, Deploy, CurfewStart, CurfewEnd,
  RallyCall, VehicleDeparted, VehicleArrived, FirstBrawl,
};
const char* eventTypeName(EventType t);

enum class InjuryCause : std::uint8_t { Crush, Brawl, Gunshot };
constexpr int kInjuryCauseCount = 3;
const char* injuryCauseName(InjuryCause c);

struct Event {
  double time = 0.0;  // s since start
  EventType type = EventType::Injury;
  std::uint32_t agent = 0;  // for person events
  int population = -1;
  Vec2 position{0, 0};
  double value = 0.0;  // Injury: contact pressure, N/m; Arrest: jail term, s; LootingIncident: stock left; ...
  int index = -1;      // the shop, checkpoint, vehicle or faction concerned
  InjuryCause cause = InjuryCause::Crush;
};

// Per faction, people on the street by what they do, and those out of it.
struct FactionCounts {
  std::int64_t onStreet = 0, active = 0, fighting = 0, fleeing = 0, looting = 0, injured = 0, arrested = 0;
};

struct CheckpointCounts {
  bool open = false;
  std::int64_t queue = 0;     // people waiting to cross within 20 m of the barrier
  std::int64_t admitted = 0;  // cumulative
};

struct MetricsRow {
  double time = 0.0;
  std::int64_t waiting = 0;  // not yet spawned
  std::array<std::int64_t, kAgentStateCount> byState{};
  std::array<std::int64_t, kConditionCount> byCondition{};  // civilians: Calm .. Looting on the street; Injured; Arrested
  std::array<std::int64_t, kRoleCount> onStreetByRole{};
  std::array<std::int64_t, kInjuryCauseCount> injuries{};   // cumulative
  std::int64_t injuriesCrush = 0;  // cumulative
  std::int64_t arrests = 0;        // cumulative
  std::int64_t lootingIncidents = 0;  // cumulative
  double lootingDamage = 0.0;      // cumulative units of stock taken
  double legitimacy = 0.0;         // L now (the scenario's, before any faction's own)
  double policePresence = 1.0;     // share of the police force on duty
  bool night = false, curfew = false;
  double meanFear = 0.0;           // over civilians on the street
  double peakDensity = 0.0;        // people/m², over output.density_cell squares
  double peakPressure = 0.0;       // N/m, highest contact pressure on anyone moving
  double meanSpeed = 0.0;          // m/s over people walking or arrived
  double crowdPressure = 0.0;      // max over density cells of ρ·Var(v), 1/s² (Helbing, Johansson, Al-Abideen 2007)
  std::int64_t contacts = 0;       // people touching someone or a wall
  std::int64_t wallCorrections = 0;  // cumulative times the wall guard held someone back
  std::vector<FactionCounts> factions;    // per scenario faction
  std::vector<CheckpointCounts> checkpoints;  // per checkpoint
};

// A vehicle as it is now, for the move stage, outputs and the viewer.
struct VehicleState {
  bool present = false;     // on the map (departed and not yet at the end of its route)
  bool finished = false;
  Vec2 position{0, 0};      // centre
  Vec2 direction{1, 0};     // unit, along the length
  double speed = 0.0;       // m/s now
  double travelled = 0.0;   // m along the route

  // Signed distance from p to the body (a length x width rectangle), negative inside, and the outward normal
  // at the nearest point of its surface.
  double distance(const VehicleDef& def, const Vec2& p, Vec2* normal = nullptr) const;
};

struct StageProfile {
  static constexpr int kStages = 8;
  static constexpr std::array<const char*, kStages> kNames{"events", "index", "perceive", "decide", "interact",
                                                           "move",   "harm",  "record"};
  std::array<double, kStages> seconds{};
};

// Counts for vision queries on a coarse grid of cells a third of the vision radius wide: a person "sees" the cells
// whose centres lie within the vision radius of their own cell's centre (about 29 cells). Counts are integers
// (fear in thousandths), so sums never depend on the order of addition.
struct PerceptionGrid {
  Grid grid;
  int factions = 0;
  std::vector<std::int32_t> forces, volunteers, people, actives, fear;  // per cell
  std::vector<std::int32_t> activeByFaction;  // per cell and faction
  std::vector<std::pair<int, int>> disc;      // cell offsets within vision
  std::vector<std::uint32_t> touched;         // cells written since the last clear

  void build(const Grid& world, double vision, int factionCount);
  void clear();
  std::size_t memoryBytes() const {
    return (forces.size() + volunteers.size() + people.size() + actives.size() + fear.size() + activeByFaction.size() +
            touched.capacity()) * 4;
  }
  std::size_t cellOf(double x, double y) const {
    return grid.index(std::clamp(grid.cellX(x), 0, grid.nx - 1), std::clamp(grid.cellY(y), 0, grid.ny - 1));
  }
};

struct VisionCounts {
  std::int32_t forces = 0, volunteers = 0, actives = 0;
  std::int32_t hostileActives = 0;
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
  std::int64_t injuriesCrush() const { return injuries_[int(InjuryCause::Crush)]; }
  std::int64_t injuries(InjuryCause c) const { return injuries_[int(c)]; }
  std::int64_t injuriesTotal() const { return injuries_[0] + injuries_[1] + injuries_[2]; }
  std::int64_t arrests() const { return arrests_; }
  // Anything beyond pedestrians runs: civil violence, forces of order, factions, fear, vehicles.
  bool modelActive() const { return modelActive_; }
  std::int64_t lootingIncidents() const { return lootingIncidents_; }
  double lootingDamage() const { return lootingDamage_; }
  double legitimacy() const { return legitimacy_; }
  double policePresence() const { return policePresence_; }
  bool curfew() const { return curfewUntil_ > time(); }
  bool night() const { return scenario_.isNight(time()); }
  const std::vector<VehicleState>& vehicles() const { return vehicles_; }
  const std::vector<CheckpointCounts>& checkpoints() const { return checkpointCounts_; }
  std::int64_t barrierCrossings() const { return barrierCrossings_; }  // people who crossed a closed checkpoint's line
  bool checkpointOpen(std::size_t c) const { return checkpointCounts_[c].open; }
  // Stock left in each shop.
  const std::vector<double>& shopStock() const { return shopStock_; }
  // Where each person was last seen by their id (the arrays are reordered); -1 once removed.
  std::int64_t indexOfId(std::uint32_t id) const { return id < indexOfId_.size() ? indexOfId_[id] : -1; }
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
  void stagePerceive();
  void stageDecide();
  void stageInteract();
  void stageMove();
  void stageHarm();
  void stageRecord();
  // Bits of Population::corrected, written by the move and harm stages of one step.
  static constexpr std::uint8_t kMarkWallCorrection = 1, kMarkInjured = 2, kMarkReached = 4, kMarkLeft = 8,
                                kMarkCrossedBarrier = 16, kMarkWentAway = 32;
  std::uint8_t arrive(std::size_t i, AgentState state);
  void recordInjury(std::size_t i, InjuryCause cause, double value);
  // The timeline and the things that run on it (timeline.cpp).
  void setUpModel();
  void applyTimeline();
  bool onDuty(std::size_t i) const;
  int homeZoneOf(std::size_t i) const;
  Vec2 checkpointGate(std::size_t c) const {
    return 0.5 * (scenario_.checkpoints[c].barrierA + scenario_.checkpoints[c].barrierB);
  }
  void updateDuties();
  void moveVehicles();
  void fireShot(const TimelineEventDef& e);
  void placeOnStreet(std::size_t i, int zone);
  double scheduledValue(EventKind kind, int faction, double start) const;
  // Vision and the model's decisions (model.cpp).
  VisionCounts countInVision(const Vec2& p, int faction) const;
  bool decidesThisStep(std::uint32_t id) const;
  void decideCivilian(std::size_t i);
  void decideOfficer(std::size_t i);
  void updateFear(std::size_t i);
  Vec2 fleeDirection(std::size_t i, const Vec2& p) const;
  int safestShop(const Vec2& p) const;  // the shop in reach with the lowest arrest probability, or -1
  double shopArrestProbability(int shop) const;
  std::int64_t nearestRivalFighter(std::size_t i, double radius) const;
  std::int64_t randomActiveInVision(std::size_t i, double radius) const;
  void injure(std::size_t i, InjuryCause cause, double value);
  void sendHome(std::size_t i);
  // Back to the population's plan (its destination, or the patrol stop due), walking by the streets.
  void resumePlan(std::size_t i);
  double checkpointDeterrence(const Vec2& p) const;
  bool wouldLoot(std::size_t i) const;
  bool wouldFight(std::size_t i) const;
  bool hostileActiveAround(const Vec2& p, const std::vector<std::uint8_t>& hostile) const;
  void addObstacleForces(std::size_t i, const Vec2& p, const Vec2& v, double r, const ForceParams& walls,
                         ForceAccumulator& acc) const;
  bool screened(std::size_t i) const;  // checkpoints screen civilians and volunteers, not police or soldiers
  bool wantsToCross(std::size_t i, std::size_t checkpoint) const;
  double legitimacyFor(int faction) const;
  double hardshipOf(std::size_t i) const;
  double riskAversionOf(std::size_t i) const;
  // Calls visit(slot) for everyone whose cell lies within `radius` of p (plus whoever shares their buckets).
  template <class Visit>
  void forEachNear(const Vec2& p, double radius, Visit&& visit) const;
  void computeRow();
  void wander(std::size_t i, const PopulationDef& pop);
  void spawnPopulation(int p, std::int64_t due);
  void spawnLattice(int p);
  void addAgent(int p, std::int64_t indexInPopulation, const Vec2& pos);
  std::int64_t dueOf(int p, double t) const;
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
  std::int64_t spawnedTotal_ = 0, exitedTotal_ = 0, wallCorrections_ = 0, agentSteps_ = 0;
  std::array<std::int64_t, kInjuryCauseCount> injuries_{};
  std::int64_t arrests_ = 0, lootingIncidents_ = 0, barrierCrossings_ = 0;
  double lootingDamage_ = 0.0;

  // The unrest model's state.
  bool modelActive_ = false;        // anything beyond pedestrians: civil violence, forces, fear, vehicles
  double legitimacy_ = 0.8, policePresence_ = 1.0, curfewUntil_ = -1.0;
  std::vector<double> factionLegitimacy_;
  std::size_t nextTimelineEvent_ = 0;
  bool brawlSeen_ = false;
  struct PlanNow {
    int zone = -1, field = -1;
    OnArrival onArrival = OnArrival::Stay;
  };
  std::vector<PlanNow> plan_;  // per population: where it is heading now (rally calls change it)
  PerceptionGrid perception_;
  std::int64_t perceptionEvery_ = 10, decisionEvery_ = 50;
  struct Threat {
    Vec2 position{0, 0};
    double time = 0.0;
    double radius = 0.0;    // people within it are frightened at once
    double strength = 0.0;  // fear at the threat's position
    int flightField = -1;
  };
  std::vector<Threat> threats_;
  std::size_t firstNewThreat_ = 0;  // threats from here on frighten people at this step's decide
  struct FlightField {
    Grid grid;
    std::vector<float> distance;  // geodesic distance from the threat, m
  };
  std::vector<FlightField> flightFields_;
  std::vector<VehicleState> vehicles_;
  std::vector<CheckpointCounts> checkpointCounts_;
  std::vector<double> checkpointTokens_;
  std::vector<double> shopStock_;
  std::vector<Vec2> shopCentre_;
  std::vector<double> shopGuard_, shopActives_;  // deterrence and actives in sight of each shop, as perceived
  std::vector<std::int64_t> indexOfId_;
  std::vector<std::uint8_t> marks_;  // per person, within a step: what the interact stage decided
  std::vector<std::uint8_t> activitySnapshot_;  // activities as the decide stage found them: what others see
  std::vector<std::uint32_t> committed_;  // people whose effects are committed this step, in id order
  bool hostilities_ = false;  // some pair of factions is hostile
  double maxRadius_ = 0.35;
  struct Arrest {
    std::uint32_t target, officer;
  };
  std::vector<Arrest> arrestProposals_;
  std::vector<std::int32_t> pendingPlacement_;  // people coming back onto the streets this step

  // Neighbour cells: side = largest contact distance plus the social range.
  FoldedCells cells_;
  std::vector<std::uint32_t> cellStart_;  // size buckets+2: the last bucket holds people off the streets
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

template <class Visit>
void Simulation::forEachNear(const Vec2& p, double radius, Visit&& visit) const {
  const double h = cells_.grid.h;
  const int ci = cells_.cellX(p.x()), cj = cells_.cellY(p.y());
  const int reach = static_cast<int>(std::ceil(radius / h));
  const int i0 = std::max(0, ci - reach), i1 = std::min(cells_.grid.nx - 1, ci + reach);
  const int j0 = std::max(0, cj - reach), j1 = std::min(cells_.grid.ny - 1, cj + reach);
  // A window wider than the fold would visit a bucket twice: then every bucket column (row) is visited once.
  const bool allX = i1 - i0 + 1 >= cells_.foldX, allY = j1 - j0 + 1 >= cells_.foldY;
  const int bi0 = allX ? 0 : i0, bi1 = allX ? cells_.foldX - 1 : i1;
  const int bj0 = allY ? 0 : j0, bj1 = allY ? cells_.foldY - 1 : j1;
  const double r2 = radius * radius;
  for (int j = bj0; j <= bj1; ++j)
    for (int i = bi0; i <= bi1; ++i) {
      const std::size_t c = cells_.bucket(i, j);
      for (std::uint32_t s = cellStart_[c]; s < cellStart_[c + 1]; ++s) {
        const NeighbourSlot& o = packed_[s];
        const double dx = o.x - p.x(), dy = o.y - p.y();
        if (dx * dx + dy * dy <= r2) visit(o);
      }
    }
}

}  // namespace unrest
