// The step pipeline. Simulation owns the state and runs the stages of a step in a fixed order, each a free function
// of sim/src/stages/ over the population's arrays and the parts of the state it declares:
//   timeline  – the scenario's scheduled events (legitimacy, police presence, shots, deployment, checkpoints, curfew,
//               rally calls) and the vehicles on their routes
//   spawn     – arrivals of people, jail terms running out, duty shifts, people coming back onto the streets
//   index     – neighbour cells (counting sort), periodic reorder of the arrays by cell
//   perceive  – counts of police, soldiers, volunteers, actives and fear on a coarse grid, for vision queries
//   decide    – fear and flight, civil-violence activation (Epstein 2002), looting, rivals, pursuit
//   interact  – brawls, arrests, looting, checkpoint screening: proposals committed in id order
//   move      – each person's steering (desired direction and speed, sim/src/stages/steer.cpp), then social force and
//               integration: reads the current state, writes each person's next state only
//   harm      – contact pressure against the crush criterion (at once above the threshold, or held above it)
//   arrive    – arrivals at destinations and patrol stops, milling, going home, exits
//   record    – a metrics row at record times
// The mechanisms of the unrest model live in sim/src/model/, one module each, and the stages call their hooks.
// Cross-person effects are either read-only (forces, perception) or collected and committed in id order (events,
// arrests, takings), so a run is the same bit for bit whatever the number of threads.
#pragma once

#include "unrest/crowd_pressure.hpp"
#include "unrest/geometry.hpp"
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
  RallyCall, VehicleDeparted, VehicleArrived, FirstBrawl, Checkpoint,
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
  double density = 0.0;  // crush injury: people on the street within the square metre around the person, /m²
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
  double peakDensity = 0.0;        // people/m²: the most people within the square metre around anyone on the street
  double peakPressure = 0.0;       // N/m, highest contact pressure on anyone moving, over the steps since the last row
  double meanSpeed = 0.0;          // m/s over people walking or arrived
  // Crowd pressure ρ·Var_t(V) (Helbing, Johansson, Al-Abideen 2007) at its highest over the map, with where and the
  // density there: of the windows that ended since the last row (unrest/crowd_pressure.hpp).
  CrowdPressurePeak crowdPressure;
  std::int64_t contacts = 0;       // people touching someone or a wall
  std::int64_t wallCorrections = 0;  // cumulative times the wall guard held someone back
  std::vector<FactionCounts> factions;    // per scenario faction
  std::vector<CheckpointCounts> checkpoints;  // per checkpoint
};

// A vehicle as it is now, for the move stage, outputs and the viewer.
struct VehicleState {
  bool present = false;     // on the map: parked, or on its way and not yet at the end of its route
  bool departed = false;    // has set off along its route
  bool finished = false;
  bool due = false;         // parked, its time come, waiting for its place to clear (position and direction set)
  Vec2 position{0, 0};      // centre
  Vec2 direction{1, 0};     // unit, along the length
  double speed = 0.0;       // m/s now
  double travelled = 0.0;   // m along the route

  // Signed distance from p to the body (a length x width rectangle), negative inside, and the outward normal
  // at the nearest point of its surface.
  double distance(const VehicleDef& def, const Vec2& p, Vec2* normal = nullptr) const;
};

enum class Stage : std::uint8_t { Timeline, Spawn, Index, Perceive, Decide, Interact, Move, Harm, Arrive, Record };
constexpr int kStageCount = 10;
const char* stageName(Stage s);

// Wall seconds spent in each stage so far.
struct StageProfile {
  std::array<double, kStageCount> seconds{};
  double operator[](Stage s) const { return seconds[std::size_t(s)]; }
  double& operator[](Stage s) { return seconds[std::size_t(s)]; }
};

// Below this many people a stage runs on one thread: waking workers costs more than the work.
constexpr std::int64_t kParallelMinimum = 1024;

struct SimulationState;  // sim/src/simulation_state.hpp
class Archive;           // unrest/checkpoint.hpp

class Simulation {
public:
  Simulation(const Scenario& scenario, const World& world, int threads = 1);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  void step();
  bool done() const { return stepIndex_ >= totalSteps_; }
  double time() const { return double(stepIndex_) * dt_; }
  std::int64_t stepIndex() const { return stepIndex_; }
  std::int64_t totalSteps() const { return totalSteps_; }
  double dt() const { return dt_; }

  const Population& agents() const;
  const Scenario& scenario() const { return scenario_; }
  const World& world() const { return world_; }
  int threads() const { return threads_; }

  // Discrete events of the last step, in id order within a type.
  const std::vector<Event>& stepEvents() const;
  // Records a metrics row for the current time if the last step did not (for a run stopped between record
  // times) and returns true; false when the last step already recorded one. Afterwards stepEvents() is empty,
  // so an observer can take the row without repeating events.
  bool recordNow();
  // True when the last step ended on a record time; then lastRow() holds the row.
  bool recorded() const { return recorded_; }
  const MetricsRow& lastRow() const;

  std::int64_t spawned() const;
  // People whose time to appear has come but who found no free spot in their zone yet.
  std::int64_t waitingForRoom() const;
  std::int64_t active() const;  // walking or arrived
  std::int64_t agentSteps() const;
  std::int64_t injuriesCrush() const { return injuries(InjuryCause::Crush); }
  std::int64_t injuries(InjuryCause c) const;
  std::int64_t injuriesTotal() const;
  std::int64_t arrests() const;
  // Anything beyond pedestrians runs: civil violence, forces of order, factions, fear, vehicles.
  bool modelActive() const;
  std::int64_t lootingIncidents() const;
  double lootingDamage() const;
  double legitimacy() const;
  double policePresence() const;
  bool curfew() const;
  bool night() const { return scenario_.isNight(time()); }
  const std::vector<VehicleState>& vehicles() const;
  const std::vector<CheckpointCounts>& checkpoints() const;
  std::int64_t barrierCrossings() const;  // people who crossed a closed checkpoint's line
  bool checkpointOpen(std::size_t c) const { return checkpoints()[c].open; }
  // Stock left in each shop.
  const std::vector<double>& shopStock() const;
  // Where each person was last seen by their id (the arrays are reordered); -1 once removed.
  std::int64_t indexOfId(std::uint32_t id) const;
  std::int64_t exited() const;
  const StageProfile& profile() const { return profile_; }
  std::size_t memoryBytes() const;
  // Ids of the people within `radius` (at most the neighbour-cell side) of person i, found through the same cell
  // search the forces use, as of the last index stage. For tests and inspection.
  std::vector<std::uint32_t> neighboursOf(std::size_t i, double radius) const;
  double neighbourCellSide() const;
  // a − b, across the periodic boundary when that is shorter.
  Vec2 offset(const Vec2& a, const Vec2& b) const;
  // Everything that carries from step to step (not the stage timings), for checkpoints: written or read between
  // steps (sim/src/checkpoint.cpp).
  void visit(Archive& ar);

private:
  template <class StageRun>
  void timed(Stage stage, StageRun&& run);
  void recordRow();

  const Scenario& scenario_;
  const World& world_;
  CounterRng rng_;
  int threads_ = 1;
  double dt_ = 0.02;
  std::int64_t stepIndex_ = 0, totalSteps_ = 0, recordEvery_ = 1;
  std::unique_ptr<SimulationState> state_;
  bool recorded_ = false;
  StageProfile profile_;
};

}  // namespace unrest
