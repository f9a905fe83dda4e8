// The scenario as plain, validated data. Nothing here is built from unvalidated input: loadScenario() checks
// every key, type, range and cross-reference and reports all problems at once with file:line:col.
#pragma once

#include "unrest/civil_violence.hpp"
#include "unrest/geometry.hpp"
#include "unrest/measurement_def.hpp"
#include "unrest/yaml_tree.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace unrest {

struct Distribution {
  enum class Kind { Constant, Uniform, Normal };
  Kind kind = Kind::Constant;
  double value = 0.0;  // Constant
  double mean = 0.0, sd = 0.0;
  double min = 0.0, max = 0.0;  // Uniform range, or Normal clipping range

  // Draws from the distribution given independent uniforms in [0, 1). Normal draws are clipped by redrawing,
  // so `uniforms` supplies pairs until one lands in range (the caller passes a generator).
  template <class UniformSource>
  double sample(UniformSource&& nextUniform) const;
};

struct ClockDef {
  double dt = 0.02;             // s
  double duration = 600.0;      // s
  double startTimeOfDay = 12 * 3600.0;  // s after midnight
  double recordInterval = 1.0;  // s
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

struct HarmDef {
  double injuryPressure = 1600.0;  // N/m, HFV 2000
  double injuryTime = 0.0;         // s above threshold before injury
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
  // Weidmann (1993): free walking speed N(1.34, 0.26) m/s.
  Distribution desiredSpeed{Distribution::Kind::Normal, 0.0, 1.34, 0.26, 0.5, 2.2};
  // HFV (2000): radii uniform in [0.25, 0.35] m.
  Distribution radius{Distribution::Kind::Uniform, 0.0, 0.0, 0.0, 0.25, 0.35};
};

// Who moves how: people with bodies in a city (the social force model), or Epstein's agents on a torus of cells
// that move to a random free cell within vision each tick (for the civil-violence reference runs).
enum class Movement { Continuous, Lattice };

// Epstein (2002), PNAS 99 suppl. 3, with the paper's symbols. Absent from a scenario: nobody decides anything.
struct CivilViolenceDef {
  bool enabled = false;
  double legitimacy = 0.8;      // L, at the start; events may change it
  double threshold = 0.1;       // T
  double arrestConstant = 2.3;  // k
  ArrestRatio arrestRatio = ArrestRatio::Floor;
  double vision = 7.0;          // v: cells on the lattice, metres in the city
  double maxJailTerm = 30.0;    // J_max: ticks on the lattice, seconds in the city; terms are U(0, J_max)
  Distribution hardship{Distribution::Kind::Uniform, 0.0, 0.0, 0.0, 0.0, 1.0};      // H ~ U(0, 1)
  Distribution riskAversion{Distribution::Kind::Uniform, 0.0, 0.0, 0.0, 0.0, 1.0};  // R ~ U(0, 1)
};

// The timeline: things that happen at a time, whatever the agents do.
enum class EventKind {
  Legitimacy,      // L moves to `value`, linearly over `over` seconds (0: at once)
  PolicePresence,  // the share of the police force on duty moves to `value` in [0, 1], linearly over `over`
};
struct TimelineEventDef {
  double time = 0.0;  // s after the start (ticks on the lattice)
  EventKind kind = EventKind::Legitimacy;
  double value = 0.0;
  double over = 0.0;
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
  PhysicsDef physics;
  HarmDef harm;
  std::vector<PopulationDef> populations;
  CivilViolenceDef civilViolence;
  std::vector<TimelineEventDef> events;  // sorted by time, stable
  OutputDef output;
  MeasurementDef measurement;  // empty: nothing measured, nothing costs

  int zoneIndex(const std::string& zoneName) const;  // -1 when absent
  std::int64_t totalPeople() const;
};

// Loads, resolves `extends`, applies `--set` overrides, validates. Throws ScenarioError listing every problem.
Scenario loadScenario(const std::string& path, const std::vector<std::string>& overrides = {});
Scenario scenarioFromYaml(const YamlNode& root, const std::string& file);

std::string formatClock(double secondsAfterMidnight);  // "HH:MM:SS", wrapping at 24 h

template <class UniformSource>
double Distribution::sample(UniformSource&& nextUniform) const {
  switch (kind) {
    case Kind::Constant:
      return value;
    case Kind::Uniform:
      return min + (max - min) * nextUniform();
    case Kind::Normal:
      for (int attempt = 0; attempt < 64; ++attempt) {
        // Box-Muller; redraw outside [min, max] so the clipped distribution keeps its shape inside.
        const double u1 = 1.0 - nextUniform();
        const double u2 = nextUniform();
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
        const double v = mean + sd * z;
        if (v >= min && v <= max) return v;
      }
      return std::clamp(mean, min, max);
  }
  return value;
}

}  // namespace unrest
