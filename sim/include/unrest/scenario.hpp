// The scenario as plain, validated data. Nothing here is built from unvalidated input: loadScenario() checks
// every key, type, range and cross-reference and reports all problems at once with file:line:col.
#pragma once

#include "unrest/civil_violence.hpp"
#include "unrest/distribution.hpp"
#include "unrest/geometry.hpp"
#include "unrest/role.hpp"
#include "unrest/measurement_def.hpp"
#include "unrest/yaml_tree.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <optional>
#include <vector>

namespace unrest {

struct ClockDef {
  double dt = 0.02;             // s
  double duration = 600.0;      // s
  double startTimeOfDay = 12 * 3600.0;  // s after midnight
  double recordInterval = 1.0;  // s
  double sunset = 19 * 3600.0;  // time of day night begins (looting happens at night)
  double sunrise = 7 * 3600.0;  // time of day night ends
  std::string date;             // "YYYY-MM-DD" of t = 0, or empty; shown by the viewer's clock
};

struct MapDef {
  Vec2 boundsMin{0, 0}, boundsMax{0, 0};
  double cellSize = 0.25;  // m
  std::vector<Shape> walkable;  // union; empty means the whole bounds
  std::vector<Shape> obstacles;
  std::vector<Shape> zones;
  // Periodic boundary along x (map.periodic: x): what leaves at x_max comes back at x_min; neighbours, forces
  // and walls wrap, and no wall is traced at the two ends. 0 when the map is not periodic.
  double periodX = 0.0;  // m
};

struct NavigationDef {
  double wallClearance = 0.5;  // m
  double wallCost = 3.0;       // cost factor at a wall
};

enum class Integrator { ImplicitContact, Explicit };

// Helbing, Farkas, Vicsek (2000), Nature 407:487, and its symbols.
struct PhysicsDef {
  double mass = 80.0;         // m, kg
  double tau = 0.5;           // tau, s
  double A = 2000.0;          // A, N
  double B = 0.08;            // B, m
  double k = 1.2e5;           // k, kg/s^2 (body compression)
  double kappa = 2.4e5;       // kappa, kg/(m s) (sliding friction)
  double anisotropy = 1.0;    // lambda, Helbing & Johansson 2009; 1 = isotropic as in HFV 2000
  double wallA = 2000.0, wallB = 0.08, wallK = 1.2e5, wallKappa = 2.4e5;
  double interactionRange = 0.6;  // m beyond touching
  double maxSpeedFactor = 1.3;    // v_max = factor * v0
  Integrator integrator = Integrator::ImplicitContact;
};

// How people walk: the operational model of the move stage (see docs/locomotion.md).
enum class LocomotionModel {
  Hfv2000,             // the social force model of HFV 2000 for walking and contact alike
  CollisionFreeSpeed,  // Tordeux, Chraibi, Seyfried 2016: first order, no contact
  AnticipationVelocity,  // Xu, Chraibi, Seyfried 2021: the same, with anticipation and stepping aside
  Hybrid,              // the collision-free speed model gives the desired velocity; HFV's contact layer pushes
};

// The name a scenario file gives the model ("hfv2000", "collision_free_speed", ...).
const char* locomotionName(LocomotionModel model);

// The bodies of the velocity models: discs of radius 0.2 m (Tordeux, Chraibi, Seyfried 2016; JuPedSim's default).
// Close-packed, they fill 7.2 people/m², near Fruin's "fluid mass" density of crowd crushes.
constexpr double kVelocityModelRadius = 0.2;  // m

// Tordeux, Chraibi, Seyfried (2016), "Collision-free speed model for pedestrian dynamics", Traffic and Granular
// Flow '15, arXiv:1512.05597; the defaults are JuPedSim's (CollisionFreeSpeedModel).
struct LocomotionDef {
  LocomotionModel model = LocomotionModel::Hfv2000;
  double timeGap = 1.0;            // T, s: speed V(s) = min(v0, max(0, s/T)) for a spacing s ahead
  double neighbourStrength = 8.0;  // a of the neighbours' repulsion (dimensionless: it is added to a unit vector)
  double neighbourRange = 0.1;     // D of the neighbours' repulsion, m
  double wallStrength = 5.0;       // a of the walls' repulsion
  double wallRange = 0.02;         // D of the walls' repulsion, m
  // Xu, Chraibi, Seyfried (2021), Transp. Res. C 128:103464; the defaults are JuPedSim's (time gap 1.06 s).
  double anticipationTime = 1.0;   // t_a, s
  double reactionTime = 0.3;       // τ of the turning, s
  double wallBuffer = 0.1;         // m beyond the body within which a wall bends the direction
  double wallPushout = 0.3;        // the outward component then added to the direction
  bool velocityModel() const { return model != LocomotionModel::Hfv2000; }
  // The gap beyond touching at which a neighbour's repulsion a·exp(−gap/D) falls below a thousandth of the desired
  // direction's unit weight (0.9 m with the defaults).
  double repulsionReach() const { return neighbourRange * std::log(std::max(1.0, neighbourStrength / 1e-3)); }
  bool forces() const { return model == LocomotionModel::Hfv2000 || model == LocomotionModel::Hybrid; }
};

// When contact pressure injures (docs/scenario-format.md, `harm`, gives the sources).
enum class HarmCriterion {
  Hfv2000,               // HFV 2000: injured the moment the pressure exceeds the threshold
  SustainedCompression,  // compressive asphyxia: injured after tens of seconds above the threshold
};

struct HarmDef {
  HarmCriterion criterion = HarmCriterion::Hfv2000;
  double injuryPressure = 1600.0;  // N/m, HFV 2000
  // sustained_compression only: the exposure (s above the threshold) that injures, and the time below the threshold
  // that clears that much exposure again.
  double injuryTime = 30.0;    // s: unconsciousness after about 30 s of full compression (Still, 2021)
  double recoveryTime = 30.0;  // s: exposure drains as fast as it built up (a modelling assumption)
};

enum class OnArrival { Stay, Leave, Wander };
enum class SpawnLayout { Random, Lattice };

struct PopulationDef {
  std::string name;
  std::int64_t count = 0;
  int spawnZone = -1;        // index into MapDef::zones
  int destinationZone = -1;  // index into MapDef::zones; -1 with a fixed heading
  // A fixed desired direction instead of a destination (unit vector; zero when a destination is given): people
  // walk this way for ever, as in a periodic corridor.
  Vec2 heading{0, 0};
  OnArrival onArrival = OnArrival::Stay;
  double spawnStart = 0.0;  // s
  double spawnRate = 0.0;   // people/s, 0 = all at once
  SpawnLayout layout = SpawnLayout::Random;
  double wanderRadius = 10.0;  // m: with on_arrival: wander, each next spot lies within this distance
  double dwellTime = 30.0;     // s: mean pause at each spot before moving on (exponential)
  Location where;              // of the population's destination key, for errors found while building
  Location countWhere;         // of its count, for the check that everyone placed at once fits the spawn zone
  // Weidmann (1993): free walking speed N(1.34, 0.26) m/s.
  Distribution desiredSpeed{Distribution::Kind::Normal, 0.0, 1.34, 0.26, 0.5, 2.2};
  // HFV (2000): radii uniform in [0.25, 0.35] m; the velocity models' bodies are 0.2 m (see kVelocityModelRadius).
  Distribution radius{Distribution::Kind::Uniform, 0.0, 0.0, 0.0, 0.25, 0.35};
  // Under the hybrid locomotion, how hard people push when their way is blocked: 0 keeps the headway of the
  // velocity model, 1 pushes as HFV 2000's escaping crowd does. Fear raises it (see docs/locomotion.md).
  double urgency = 0.0;

  // The unrest model.
  Role role = Role::Civilian;
  int faction = -1;             // index into Scenario::factions
  std::string leader;           // the name of a person in their own right (count 1), who events can target
  int homeZone = -1;            // where they go when they go home (curfew, after looting); default: spawn
  std::vector<int> patrol;      // zones visited in a loop instead of staying at the destination
  int groupSize = 1;            // patrol groups walk together at the pace of their slowest member
  bool dutyHours = false;       // on the streets only between dutyFrom and dutyTo (time of day)
  double dutyFrom = 0.0, dutyTo = 0.0;
  bool spawnOnDeploy = false;   // spawn_start: deploy
  std::optional<double> lootPropensity;  // share who would loot, instead of looting.propensity
  std::optional<Distribution> hardship, riskAversion;  // their own, instead of civil_violence's
  struct Wave {
    double start = 0.0, rate = 0.0;
    std::int64_t count = 0;
  };
  std::vector<Wave> waves;      // arrival events after the first wave (count, spawn_start, spawn_rate)
  std::int64_t totalCount() const {
    std::int64_t n = count;
    for (const auto& w : waves) n += w.count;
    return n;
  }
};

// Rival groups (issue: factions). Hostility is symmetric.
struct FactionDef {
  std::string name;
  std::uint32_t colour = 0x808080;  // 0xRRGGBB, for the viewer and plots
  std::optional<double> legitimacy;  // L as this faction sees the regime, instead of the scenario's
  Location where;
};

// Brawls between active members of hostile factions.
struct BrawlDef {
  double contactGap = 0.3;       // m between bodies within which two people fight
  double injuryRate = 0.01;      // injuries per contact-second (hazard rate)
  double approachRadius = 10.0;  // m: an active person walks at the nearest hostile active this close
  double propensity = 1.0;       // share of a faction's members who would fight at all, when active
};

struct PoliceDef {
  double arrestRange = 1.0;      // m between bodies within which an officer makes an arrest
  double pursuitFactor = 1.5;    // officers chase at this multiple of their desired speed
};

struct VehicleDef {
  std::string name;
  enum class Kind { Car, Armoured } kind = Kind::Car;
  std::vector<Vec2> route;       // one point: parked
  double speed = 0.0;            // m/s cruising
  double depart = 0.0;           // s after the start
  bool departOnDeploy = false;
  double length = 4.8, width = 1.9;  // m
  double heading = 0.0;          // rad, parked vehicles only (moving ones face along the route)
  Location where;
};

struct CheckpointDef {
  std::string name;
  Vec2 barrierA{0, 0}, barrierB{0, 0};  // a line across the street; people pass only through the gate
  double throughput = 6.0;       // people per minute screened
  double deterrenceRadius = 100.0;  // m: the garrison counts towards the arrest probability this far
  std::int64_t garrison = 6;     // soldiers stationed at the gate (a population of its own)
  int garrisonPopulation = -1;
  Location where;
};

struct ShopDef {
  std::string name;
  int zone = -1;
  double stock = 100.0;          // units of goods
  Location where;
};

struct LootingDef {
  double searchRadius = 150.0;   // m: shops farther than this are not considered
  double rate = 0.5;             // units per second a looter takes
  double carry = 10.0;           // units a looter takes before leaving
  double volunteerWeight = 1.0;  // a volunteer in vision deters looting as much as this many officers
  double propensity = 0.1;       // share of civilians who would loot at all, given the dark and the chance
};

// Fear and its contagion (after ASCRIBE: Bosse, Hoogendoorn, Klein, Treur, van der Wal, Wissen 2013) and flight
// with the panic parameters of Helbing, Farkas, Vicsek (2000).
struct FearDef {
  bool enabled = false;          // a fear: section, or any shot in the timeline
  double contagionRate = 1.0;    // gamma, 1/s
  double amplification = 0.5;    // eta: 1 amplifies, 0 absorbs, 0.5 averages
  double decay = 0.03;           // 1/s
  double fleeThreshold = 0.5;    // fear above which a person flees
  double calmThreshold = 0.25;   // fear below which a fleeing person stops
  double panicSpeed = 3.0;       // m/s: desired speed at fear 1 (HFV 2000 "nervous" speeds)
  double herding = 0.5;          // p at fear 1: weight of the neighbours' direction (HFV 2000)
  double gunshotRadius = 150.0;  // m: a shot frightens people this far, linearly less with distance
  double injuryRadius = 5.0;     // m
  double injuryFear = 0.8;       // fear of people right beside an injury, less with distance out to injuryRadius
  double safeDistance = 300.0;   // m: flight field extent around a shot
};

// Who moves how: people with bodies in a city (the social force model), or Epstein's agents on a torus of cells
// that move to a random free cell within vision each tick (for the civil-violence reference runs).
enum class Movement { Continuous, Lattice };

// Which sites an agent or cop of Epstein's lattice sees within vision v (and may move to). Epstein (2002) defines v
// as "the number of lattice positions (north, south, east, and west)" an agent can inspect: read literally, the
// four arms of a cross. NetLogo's Rebellion model, the reference implementation, takes every patch within
// Euclidean distance v (`patches in-radius vision`, a disc); Mesa's example takes the (2v+1)^2 Moore square.
enum class Neighbourhood { Disc, Cross, VonNeumann, Moore };

// Epstein's own world: a torus of cells holding at most one agent or cop each (movement: lattice).
struct LatticeDef {
  int width = 40, height = 40;   // cells
  double agentDensity = 0.7;     // share of cells holding an agent at the start
  double copDensity = 0.04;      // share of cells holding a cop at full presence
  Neighbourhood neighbourhood = Neighbourhood::Disc;
  std::int64_t ticks = 3000;     // length of the run
  int outburstThreshold = 50;    // an outburst is a run of ticks with more actives than this (Epstein 2002)
};

// Epstein (2002), PNAS 99 suppl. 3, with the paper's symbols. Absent from a scenario: nobody decides anything.
struct CivilViolenceDef {
  bool enabled = false;
  double legitimacy = 0.8;      // L, at the start; events may change it
  double threshold = 0.1;       // T
  double arrestConstant = 2.3;  // k
  ArrestRatio arrestRatio = ArrestRatio::Floor;
  double vision = 7.0;          // v: cells on the lattice, metres in the city
  double maxJailTerm = 30.0;    // J_max: ticks on the lattice, seconds in the city; terms are U(0, J_max);
                                // infinite (`forever`): nobody is released (Epstein's Runs 3-4)
  double decisionInterval = 1.0;  // s between a person's decisions in the city (Epstein's tick)
  Distribution hardship{Distribution::Kind::Uniform, 0.0, 0.0, 0.0, 0.0, 1.0};      // H ~ U(0, 1)
  Distribution riskAversion{Distribution::Kind::Uniform, 0.0, 0.0, 0.0, 0.0, 1.0};  // R ~ U(0, 1)
};

// The timeline: things that happen at a time, whatever the agents do.
enum class EventKind {
  Legitimacy,      // L moves to `value`, linearly over `over` seconds (0: at once); for one faction or all
  PolicePresence,  // the share of the police force on duty moves to `value` in [0, 1], linearly over `over`
  Gunshot,         // shots at a place, a vehicle or a leader: fear around it; `hits` people struck
  Deploy,          // the army deploys: checkpoints close, soldiers with spawn_start: deploy arrive
  Curfew,          // from now until `until` (time of day), quiet civilians go home
  RallyCall,       // a population or a faction heads for a new destination
  Arrival,         // a further wave of a population arrives
  Checkpoint,      // one checkpoint's barrier closes (`value` 1: it screens, as at deployment) or lifts (0)
};
constexpr int kEventKindCount = 8;
struct TimelineEventDef {
  double time = 0.0;  // s after the start (ticks on the lattice)
  EventKind kind = EventKind::Legitimacy;
  double value = 0.0;
  double over = 0.0;
  int faction = -1;      // Legitimacy, RallyCall
  int population = -1;   // RallyCall, Arrival, Gunshot (at a leader)
  int vehicle = -1;      // Gunshot at a vehicle
  int zone = -1;         // RallyCall destination
  int checkpoint = -1;   // Checkpoint
  OnArrival onArrival = OnArrival::Wander;  // RallyCall
  Vec2 position{0, 0};   // Gunshot at a place
  std::int64_t count = 0;  // Gunshot hits, Arrival people
  double rate = 0.0;       // Arrival people/s (0: all at once)
  double until = 0.0;      // Curfew end, s after the start
  Location where;
};

struct OutputDef {
  bool metrics = true;
  bool events = true;
  double densityCell = 2.0;  // m
};

struct Scenario {
  std::string file;
  std::string name, title, description;
  std::vector<std::string> sources;
  std::uint64_t seed = 1;
  Movement movement = Movement::Continuous;
  ClockDef clock;
  MapDef map;
  NavigationDef navigation;
  LocomotionDef locomotion;
  PhysicsDef physics;
  HarmDef harm;
  std::vector<PopulationDef> populations;
  CivilViolenceDef civilViolence;
  std::vector<FactionDef> factions;
  std::vector<std::vector<std::uint8_t>> hostile;  // hostile[f][g]: members of f and g fight
  BrawlDef brawl;
  PoliceDef police;
  std::vector<CheckpointDef> checkpoints;
  std::vector<VehicleDef> vehicles;
  std::vector<ShopDef> shops;
  LootingDef looting;
  FearDef fear;
  LatticeDef lattice;  // with movement: lattice
  std::vector<TimelineEventDef> events;  // sorted by time, stable (`events:` first, then `add_events:`)
  OutputDef output;
  MeasurementDef measurement;  // empty: nothing measured, nothing costs

  // L at time t as `faction` sees it (-1: the scenario's own), by the timeline; a faction without its own
  // legitimacy sees the scenario's.
  double legitimacyAt(int faction, double t) const;
  int zoneIndex(const std::string& zoneName) const;  // -1 when absent
  int factionIndex(const std::string& factionName) const;  // -1 when absent
  int populationIndex(const std::string& populationName) const;  // -1 when absent
  std::int64_t totalPeople() const;
  double largestRadius() const;  // m, of any population's bodies (0.1 at least)
  double fastestWalk() const;    // m/s, the largest desired walking speed any population can draw
  // How far apart two centres may be and still act on each other in the move stage: the neighbour cells' side.
  double neighbourReach() const;
  // The first deploy event's time, or a negative value when the army never deploys.
  double deployTime() const;
  bool isNight(double secondsAfterStart) const;
};

// Loads, resolves `extends`, applies `--set` overrides, validates. Throws ScenarioError listing every problem.
Scenario loadScenario(const std::string& path, const std::vector<std::string>& overrides = {});
// `--set` overrides with `--seed` (when >= 0) as the last, as loadScenario takes them.
std::vector<std::string> withSeed(std::vector<std::string> overrides, std::int64_t seed);
// The tree loadScenario reads: `extends` merged, overrides applied.
YamlNode resolveScenarioYaml(const std::string& path, const std::vector<std::string>& overrides = {});
Scenario scenarioFromYaml(const YamlNode& root, const std::string& file);

std::string formatClock(double secondsAfterMidnight);  // "HH:MM:SS", wrapping at 24 h

}  // namespace unrest
