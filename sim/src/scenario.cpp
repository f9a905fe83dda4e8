#include "unrest/scenario.hpp"
#include "unrest/yaml_reader.hpp"
#include "scenario_sections.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cmath>
#include <sstream>
#include <tuple>

namespace unrest {

int Scenario::factionIndex(const std::string& factionName) const {
  for (std::size_t i = 0; i < factions.size(); ++i)
    if (factions[i].name == factionName) return static_cast<int>(i);
  return -1;
}

int Scenario::populationIndex(const std::string& populationName) const {
  for (std::size_t i = 0; i < populations.size(); ++i)
    if (populations[i].name == populationName) return static_cast<int>(i);
  return -1;
}

double Scenario::deployTime() const {
  for (const auto& e : events)
    if (e.kind == EventKind::Deploy) return e.time;
  return -1.0;
}

bool Scenario::isNight(double secondsAfterStart) const {
  const double tod = std::fmod(clock.startTimeOfDay + secondsAfterStart, 86400.0);
  return clock.sunset > clock.sunrise ? (tod >= clock.sunset || tod < clock.sunrise)
                                      : (tod >= clock.sunset && tod < clock.sunrise);
}

int Scenario::zoneIndex(const std::string& zoneName) const {
  for (std::size_t i = 0; i < map.zones.size(); ++i)
    if (map.zones[i].name == zoneName) return static_cast<int>(i);
  return -1;
}

double Scenario::largestRadius() const {
  double r = 0.0;
  for (const auto& p : populations) r = std::max(r, p.radius.kind == Distribution::Kind::Constant ? p.radius.value : p.radius.max);
  constexpr double kSmallestCellRadius = 0.1;  // m: neighbour cells never shrink below a body of this size
  return std::max(r, kSmallestCellRadius);
}

double Scenario::fastestWalk() const {
  double v = 0.0;
  for (const auto& p : populations) {
    const Distribution& d = p.desiredSpeed;
    v = std::max(v, d.kind == Distribution::Kind::Constant ? d.value : d.max > 0 ? d.max : d.mean + 3.0 * d.sd);
  }
  return v;
}

double Scenario::neighbourReach() const {
  const double bodies = 2.0 * largestRadius();
  if (!locomotion.velocityModel()) return bodies + physics.interactionRange;
  // The headway of the fastest walker (people further ahead do not slow anyone), or the gap at which the
  // neighbours' repulsion falls below a thousandth of the desired direction's weight, whichever is larger.
  return bodies + std::max(locomotion.timeGap * fastestWalk(), locomotion.repulsionReach());
}

std::int64_t Scenario::totalPeople() const {
  std::int64_t n = 0;
  for (const auto& p : populations) n += p.totalCount();
  return n;
}

std::string formatClock(double secondsAfterMidnight) {
  long long s = static_cast<long long>(std::floor(secondsAfterMidnight));
  s = ((s % 86400) + 86400) % 86400;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

namespace {

// The smallest body a distribution can draw (radii are clipped to [min, max] for the random kinds).
double smallest(const Distribution& d) { return d.kind == Distribution::Kind::Constant ? d.value : d.min; }

// Everyone a spawn zone receives at one moment (populations and waves without a spawn rate) must fit in it, or the
// rest would wait for room for the whole run. Their centres lie in the zone and their bodies (discs of radius r, at
// least the smallest the distribution draws) do not overlap, so the bodies lie in the zone grown by r, of area
// A + P r + pi r^2 at most (Steiner), and cover no more than the hexagonal close packing's share of it:
// n <= (A + P r + pi r^2) / (2 sqrt(3) r^2).
void checkSpawnCapacity(Checker& checker, const Scenario& sc) {
  struct Batch {
    int zone;
    double start;
    std::int64_t people = 0;
    double rMin = 1e9;
    const PopulationDef* largest = nullptr;
    std::int64_t largestCount = 0;
  };
  std::vector<Batch> batches;
  auto add = [&](const PopulationDef& pop, double start, double rate, std::int64_t count) {
    if (rate > 0 || count <= 0 || pop.spawnZone < 0) return;
    auto it = std::find_if(batches.begin(), batches.end(),
                           [&](const Batch& b) { return b.zone == pop.spawnZone && b.start == start; });
    if (it == batches.end()) it = batches.insert(batches.end(), Batch{pop.spawnZone, start});
    it->people += count;
    it->rMin = std::min(it->rMin, smallest(pop.radius));
    if (count > it->largestCount) it->largest = &pop, it->largestCount = count;
  };
  for (const auto& pop : sc.populations) {
    add(pop, pop.spawnStart, pop.spawnRate, pop.count);
    for (const auto& w : pop.waves) add(pop, w.start, w.rate, w.count);
  }
  for (const auto& b : batches) {
    const Shape& zone = sc.map.zones[static_cast<std::size_t>(b.zone)];
    const double r = b.rMin;
    const double capacity = std::floor((zone.area() + zone.perimeter() * r + M_PI * r * r) / (2.0 * std::sqrt(3.0) * r * r));
    if (double(b.people) <= capacity) continue;
    char text[400];
    std::snprintf(text, sizeof text,
                  "%lld people placed at once in zone '%s' (%.3g m2) at t = %.0f s, but at most %.0f fit there "
                  "(bodies of radius %.2f m, close-packed) (expected a larger zone, fewer people or a spawn_rate)",
                  static_cast<long long>(b.people), zone.name.c_str(), zone.area(), b.start, capacity, r);
    checker.error(b.largest->countWhere, "populations." + b.largest->name + ".count", text);
  }
}

// `scenario:`: the name (a plain file name: it becomes the default output folder), title, description, sources.
void readMeta(Checker& checker, MapReader& r, Scenario& sc) {
  const YamlNode* metaNode = r.required("scenario", "a mapping with at least name:");
  MapReader meta(checker, metaNode, "scenario", r.where());
  if (metaNode) {
    if (const YamlNode* n = meta.required("name", "a short identifier")) {
      sc.name = meta.stringValue(*n, "scenario.name", "");
      // The name becomes the default output folder, so it must be a plain file name.
      const bool plain = !sc.name.empty() && sc.name != "." && sc.name != ".." &&
                         std::all_of(sc.name.begin(), sc.name.end(), [](unsigned char c) {
                           return std::isalnum(c) || c == '_' || c == '-' || c == '.';
                         });
      if (!plain && n->kind == YamlNode::Kind::Scalar)
        checker.error(n->where, "scenario.name", "'" + sc.name + "' is not a plain name (expected letters, digits, '_', '-' and '.')");
    }
  }
  sc.title = meta.string("title", "");
  sc.description = meta.string("description", "");
  if (const YamlNode* s = meta.get("sources")) {
    if (s->kind != YamlNode::Kind::Sequence)
      checker.error(s->where, "scenario.sources", "expected a list of strings");
    else
      for (std::size_t i = 0; i < s->items.size(); ++i)
        sc.sources.push_back(meta.stringValue(s->items[i], "scenario.sources[" + std::to_string(i) + "]", ""));
  }
  meta.finish();
}

void readClock(Checker& checker, MapReader& r, Scenario& sc) {
  MapReader c(checker, r.get("clock"), "clock", r.where());
  sc.clock.dt = c.number("dt", sc.clock.dt, {0.0, 0.1, true, false}, "s");
  sc.clock.duration = c.number("duration", sc.clock.duration, {0.0, 1e7, true, false}, "s");
  if (const YamlNode* t = c.get("start_time")) {
    auto parsed = t->kind == YamlNode::Kind::Scalar ? parseTimeOfDay(t->scalar) : std::nullopt;
    if (!parsed)
      checker.error(t->where, "clock.start_time", MapReader::describe(*t) + " is not a time of day (expected \"HH:MM\" or \"HH:MM:SS\")");
    else
      sc.clock.startTimeOfDay = *parsed;
  }
  sc.clock.recordInterval = c.number("record_interval", sc.clock.recordInterval, above(0), "s");
  for (auto [key, target] : {std::pair{"sunset", &sc.clock.sunset}, std::pair{"sunrise", &sc.clock.sunrise}}) {
    const YamlNode* t = c.get(key);
    if (!t) continue;
    auto parsed = t->kind == YamlNode::Kind::Scalar ? parseTimeOfDay(t->scalar) : std::nullopt;
    if (!parsed)
      checker.error(t->where, c.keyPath(key), MapReader::describe(*t) + " is not a time of day (expected \"HH:MM\" or \"HH:MM:SS\")");
    else
      *target = *parsed;
  }
  if (const YamlNode* d = c.get("date")) {
    sc.clock.date = c.stringValue(*d, "clock.date", "");
    if (d->kind == YamlNode::Kind::Scalar && !parseDate(sc.clock.date))
      checker.error(d->where, "clock.date", MapReader::describe(*d) + " is not a date (expected \"YYYY-MM-DD\")");
  }
  if (sc.clock.recordInterval < sc.clock.dt)
    checker.error(c.where(), "clock.record_interval", "shorter than dt (expected record_interval >= dt)");
  if (sc.clock.dt > 0 && sc.clock.duration / sc.clock.dt > 1e10)
    checker.error(c.where(), "clock.duration", "more than 10^10 steps (expected a larger dt or a shorter duration)");
  c.finish();
}

// `map:`: bounds, raster cell size, walkable ground, obstacles, zones, periodic boundary.
void readMap(Checker& checker, MapReader& r, Scenario& sc) {
  const YamlNode* mapNode = r.required("map", "a mapping with bounds:");
  MapReader m(checker, mapNode, "map", r.where());
  if (mapNode) {
    if (const YamlNode* b = m.required("bounds", "[x_min, y_min, x_max, y_max] in metres")) {
      if (auto v = readNumbers(checker, *b, "map.bounds", 4, "[x_min, y_min, x_max, y_max] in metres")) {
        sc.map.boundsMin = Vec2((*v)[0], (*v)[1]);
        sc.map.boundsMax = Vec2((*v)[2], (*v)[3]);
        if ((*v)[2] <= (*v)[0] || (*v)[3] <= (*v)[1])
          checker.error(b->where, "map.bounds", "empty rectangle (expected x_max > x_min and y_max > y_min)");
      }
    }
  }
  sc.map.cellSize = m.number("cell_size", sc.map.cellSize, {0.02, 5.0, true, false}, "m");
  readShapes(checker, m, "walkable", sc.map.walkable);
  readShapes(checker, m, "obstacles", sc.map.obstacles);
  readShapes(checker, m, "zones", sc.map.zones);
  readPeriodic(checker, m, sc);
  m.finish();
  const Vec2 extent = sc.map.boundsMax - sc.map.boundsMin;
  const double cells = (extent.x() / sc.map.cellSize) * (extent.y() / sc.map.cellSize);
  if (mapNode && !(cells <= 1.0e8)) {
    char count[32];
    std::snprintf(count, sizeof count, "%.3g", cells);
    checker.error(mapNode->where, "map.cell_size",
                  std::string("the raster would have ") + count +
                      " cells (expected at most 100 million: use a larger cell_size or smaller bounds)");
  }
}

void readNavigation(Checker& checker, MapReader& r, Scenario& sc) {
  MapReader n(checker, r.get("navigation"), "navigation", r.where());
  sc.navigation.wallClearance = n.number("wall_clearance", sc.navigation.wallClearance, between(0, 10), "m");
  sc.navigation.wallCost = n.number("wall_cost", sc.navigation.wallCost, between(1, 100));
  n.finish();
}

// Keys that belong to another locomotion model are errors, not silently ignored: a reader of the file would
// otherwise believe they act.
void rejectKeys(Checker& checker, MapReader& m, std::initializer_list<const char*> keys, const std::string& why) {
  for (const char* key : keys)
    if (const YamlNode* v = m.get(key)) checker.error(v->where, m.keyPath(key), why);
}

}  // namespace

const char* locomotionName(LocomotionModel model) {
  switch (model) {
    case LocomotionModel::Hfv2000: return "hfv2000";
    case LocomotionModel::CollisionFreeSpeed: return "collision_free_speed";
    case LocomotionModel::AnticipationVelocity: return "anticipation_velocity";
    case LocomotionModel::Hybrid: return "hybrid";
  }
  return "";
}

namespace {

// `locomotion:`: the walking model and its parameters. Each model reads its own keys; another model's key is an error.
void readLocomotion(Checker& checker, MapReader& r, Scenario& sc) {
  using M = LocomotionModel;
  MapReader l(checker, r.get("locomotion"), "locomotion", r.where());
  LocomotionDef& lo = sc.locomotion;
  lo.model = l.choice<M>("model", lo.model,
                         {{"hfv2000", M::Hfv2000},
                          {"collision_free_speed", M::CollisionFreeSpeed},
                          {"anticipation_velocity", M::AnticipationVelocity},
                          {"hybrid", M::Hybrid}});
  const std::string notHere = std::string("not a parameter of locomotion.model ") + locomotionName(lo.model);
  if (lo.model == M::AnticipationVelocity) lo.timeGap = 1.06;  // Xu et al. 2021, JuPedSim
  if (lo.velocityModel()) {
    lo.timeGap = l.number("time_gap", lo.timeGap, {0.1, 10, false, false}, "s");
    lo.neighbourStrength = l.number("neighbour_strength", lo.neighbourStrength, between(0, 100));
    lo.neighbourRange = l.number("neighbour_range", lo.neighbourRange, {0.01, 1, false, false}, "m");
  } else {
    rejectKeys(checker, l, {"time_gap", "neighbour_strength", "neighbour_range"},
               notHere + " (expected with collision_free_speed, anticipation_velocity or hybrid)");
  }
  if (lo.model == M::CollisionFreeSpeed || lo.model == M::Hybrid) {
    lo.wallStrength = l.number("wall_strength", lo.wallStrength, between(0, 100));
    lo.wallRange = l.number("wall_range", lo.wallRange, {0.005, 1, false, false}, "m");
  } else {
    rejectKeys(checker, l, {"wall_strength", "wall_range"}, notHere + " (expected with collision_free_speed or hybrid)");
  }
  if (lo.model == M::AnticipationVelocity) {
    lo.anticipationTime = l.number("anticipation_time", lo.anticipationTime, between(0, 5), "s");
    lo.reactionTime = l.number("reaction_time", lo.reactionTime, {0.01, 1, false, false}, "s");
    lo.wallBuffer = l.number("wall_buffer", lo.wallBuffer, between(0, 1), "m");
    lo.wallPushout = l.number("wall_pushout", lo.wallPushout, between(0, 1));
  } else {
    rejectKeys(checker, l, {"anticipation_time", "reaction_time", "wall_buffer", "wall_pushout"},
               notHere + " (expected with anticipation_velocity)");
  }
  l.finish();
}

void readPhysics(Checker& checker, MapReader& r, Scenario& sc) {
  MapReader p(checker, r.get("physics"), "physics", r.where());
  PhysicsDef& ph = sc.physics;
  const std::string model = std::string(" (expected by locomotion.model hfv2000; locomotion.model is ") +
                            locomotionName(sc.locomotion.model) + ")";
  if (!sc.locomotion.forces()) {
    // First order: no mass, no forces, no contact.
    rejectKeys(checker, p, {"mass", "tau", "A", "B", "k", "kappa", "anisotropy", "wall_A", "wall_B", "wall_k", "wall_kappa",
                            "interaction_range", "max_speed_factor", "integrator"},
               std::string("a force-model parameter, which ") + locomotionName(sc.locomotion.model) +
                   " does not use (expected with locomotion.model hfv2000 or hybrid)");
    p.finish();
    return;
  }
  if (sc.locomotion.model == LocomotionModel::Hybrid)
    // The velocity model keeps people apart; of HFV only the drive and the contact layer remain.
    rejectKeys(checker, p, {"A", "B", "anisotropy", "wall_A", "wall_B", "interaction_range"},
               "a social-repulsion parameter, which the hybrid model replaces by the velocity model's" + model);
  ph.mass = p.number("mass", ph.mass, {1, 500, false, false}, "kg");
  ph.tau = p.number("tau", ph.tau, {0.01, 10, false, false}, "s");
  ph.A = p.number("A", ph.A, between(0, 1e5), "N");
  ph.B = p.number("B", ph.B, between(0.01, 5.0), "m");
  ph.k = p.number("k", ph.k, between(0, 1e7), "kg/s^2");
  ph.kappa = p.number("kappa", ph.kappa, between(0, 1e7), "kg/(m s)");
  ph.anisotropy = p.number("anisotropy", ph.anisotropy, between(0, 1));
  ph.wallA = p.number("wall_A", ph.A, between(0, 1e5), "N");
  ph.wallB = p.number("wall_B", ph.B, between(0.01, 5.0), "m");
  ph.wallK = p.number("wall_k", ph.k, between(0, 1e7), "kg/s^2");
  ph.wallKappa = p.number("wall_kappa", ph.kappa, between(0, 1e7), "kg/(m s)");
  ph.interactionRange = p.number("interaction_range", ph.interactionRange, between(0, 5), "m");
  ph.maxSpeedFactor = p.number("max_speed_factor", ph.maxSpeedFactor, between(1, 10));
  ph.integrator = p.choice<Integrator>("integrator", ph.integrator,
                                       {{"implicit_contact", Integrator::ImplicitContact}, {"explicit", Integrator::Explicit}});
  p.finish();
}

void readHarm(Checker& checker, MapReader& r, Scenario& sc) {
  MapReader h(checker, r.get("harm"), "harm", r.where());
  HarmDef& harm = sc.harm;
  const std::size_t problemsBefore = checker.problems.size();
  harm.criterion = h.choice<HarmCriterion>(
      "criterion", harm.criterion,
      {{"hfv2000", HarmCriterion::Hfv2000}, {"sustained_compression", HarmCriterion::SustainedCompression}});
  const bool criterionRead = checker.problems.size() == problemsBefore;
  harm.injuryPressure = h.number("injury_pressure", harm.injuryPressure, above(0), "N/m");
  if (!h.boolean("injuries", true)) harm.injuryPressure = kInf;  // pressures are still measured, nobody is hurt
  // The times belong to sustained_compression: HFV's rule has none, and a time it silently ignored would mislead.
  if (harm.criterion == HarmCriterion::SustainedCompression) {
    harm.injuryTime = h.number("injury_time", harm.injuryTime, {0, 3600, true, false}, "s");
    harm.recoveryTime = h.number("recovery_time", harm.recoveryTime, between(0, 86400), "s");
  } else {
    for (const char* key : {"injury_time", "recovery_time"})
      if (const YamlNode* v = h.get(key); v && criterionRead)
        checker.error(v->where, h.keyPath(key),
                      std::string("applies only to criterion: sustained_compression (expected criterion: "
                                  "sustained_compression with it, or no ") + key + " under hfv2000)");
  }
  h.finish();
}

// One entry of `populations:` (its unrest keys through readPopulationModel).
PopulationDef readPopulation(Checker& checker, MapReader& p, const YamlNode::Entry& e, const Scenario& sc) {
  PopulationDef pop;
  pop.name = e.key;
  pop.where = e.keyWhere;
  if (const YamlNode* d = e.value.kind == YamlNode::Kind::Map ? e.value.find("destination") : nullptr) pop.where = d->where;
  if (const YamlNode* c = p.required("count", "a whole number of people")) {
    pop.count = p.integer("count", 0, 0, 10'000'000);
    pop.countWhere = c->where;
  }
  if (const YamlNode* z = p.required("spawn", "the name of a zone in map.zones"))
    pop.spawnZone = readZoneRef(checker, *z, p.keyPath("spawn"), sc);
  // A fixed heading (`direction: [dx, dy]`, for periodic corridors) replaces the destination, and a patrol
  // needs none: its first zone is where it heads first.
  const bool heading = readHeading(checker, p, pop);
  const bool patrols = e.value.kind == YamlNode::Kind::Map && e.value.find("patrol");
  if (const YamlNode* z = heading ? nullptr : patrols ? p.get("destination") : p.required("destination", "the name of a zone in map.zones"))
    pop.destinationZone = readZoneRef(checker, *z, p.keyPath("destination"), sc);
  pop.onArrival = p.choice<OnArrival>("on_arrival", pop.onArrival,
                                      {{"stay", OnArrival::Stay}, {"leave", OnArrival::Leave}, {"wander", OnArrival::Wander}});
  if (const YamlNode* t = p.get("spawn_start")) {
    if (t->kind == YamlNode::Kind::Scalar && !t->quoted && t->scalar == "deploy")
      pop.spawnOnDeploy = true;
    else if (auto start = readEventTime(checker, *t, p.keyPath("spawn_start"), sc))
      pop.spawnStart = *start;
  }
  pop.spawnRate = p.number("spawn_rate", pop.spawnRate, atLeast(0), "people/s");
  pop.layout = p.choice<SpawnLayout>("spawn_layout", pop.layout, {{"random", SpawnLayout::Random}, {"lattice", SpawnLayout::Lattice}});
  pop.dwellTime = p.number("dwell_time", pop.dwellTime, between(0, 86400), "s");
  pop.wanderRadius = p.number("wander_radius", pop.wanderRadius, {0.0, 1e5, true, false}, "m");
  if (pop.layout == SpawnLayout::Lattice && pop.spawnRate > 0)
    checker.error(e.value.where, p.keyPath("spawn_layout"), "lattice places everyone at once (expected spawn_rate: 0 with spawn_layout: lattice)");
  if (const YamlNode* d = p.get("desired_speed"))
    pop.desiredSpeed = readDistribution(checker, *d, p.keyPath("desired_speed"), pop.desiredSpeed, {0.0, 12.0, true, false}, "m/s");
  if (sc.locomotion.velocityModel()) pop.radius = Distribution{Distribution::Kind::Constant, kVelocityModelRadius};
  if (const YamlNode* d = p.get("radius"))
    pop.radius = readDistribution(checker, *d, p.keyPath("radius"), pop.radius, between(0.1, 0.5), "m");
  if (sc.locomotion.model == LocomotionModel::Hybrid)
    pop.urgency = p.number("urgency", pop.urgency, between(0, 1));
  else
    rejectKeys(checker, p, {"urgency"}, std::string("a parameter of locomotion.model hybrid, not of ") + locomotionName(sc.locomotion.model));
  readPopulationModel(checker, p, pop, sc);
  return pop;
}

void readPopulations(Checker& checker, MapReader& r, Scenario& sc) {
  const YamlNode* node = r.required("populations", "a mapping of name: population");
  if (node && node->kind == YamlNode::Kind::Map && node->entries.empty())
    checker.error(node->where, "populations", "empty (expected at least one population)");
  readNamedDefinitions(checker, node, "populations", "population", [&](MapReader& p, const YamlNode::Entry& e) {
    sc.populations.push_back(readPopulation(checker, p, e, sc));
  });
}

void readOutput(Checker& checker, MapReader& r, Scenario& sc) {
  MapReader o(checker, r.get("output"), "output", r.where());
  sc.output.metrics = o.boolean("metrics", sc.output.metrics);
  sc.output.events = o.boolean("events", sc.output.events);
  sc.output.densityCell = o.number("density_cell", sc.output.densityCell, {0.5, 100, false, false}, "m");
  o.finish();
}

}  // namespace

Scenario scenarioFromYaml(const YamlNode& root, const std::string& file) {
  Checker checker;
  Scenario sc;
  sc.file = file;
  MapReader r(checker, &root, "", Location{file, 1, 1});
  readMeta(checker, r, sc);
  sc.seed = static_cast<std::uint64_t>(r.integer("seed", 1, 0, std::int64_t(1) << 53));
  sc.movement = r.choice<Movement>("movement", sc.movement, {{"continuous", Movement::Continuous}, {"lattice", Movement::Lattice}});
  // Epstein's lattice world has none of the city's sections: readLattice rejects them, and reads its own.
  const bool city = sc.movement == Movement::Continuous;
  if (city) {
    readClock(checker, r, sc);
    readMap(checker, r, sc);
    readNavigation(checker, r, sc);
    readLocomotion(checker, r, sc);  // before physics and populations, whose keys and defaults depend on it
    readPhysics(checker, r, sc);
    readHarm(checker, r, sc);
    readFactions(checker, r, sc);  // before the populations, which refer to them
    readPopulations(checker, r, sc);
  }
  readMeasurement(checker, r, sc);
  readCivilViolence(checker, r, sc);
  if (city) readModelSections(checker, r, sc);
  readTimeline(checker, r, sc);
  if (city) {
    resolveModel(checker, sc);
    checkSpawnCapacity(checker, sc);
  } else {
    readLattice(checker, r, sc);
  }
  readOutput(checker, r, sc);

  r.get("extends");  // resolved by the loader; allowed here
  r.finish();
  if (!checker.problems.empty()) {
    // In the order of the file, whichever section found them.
    std::stable_sort(checker.problems.begin(), checker.problems.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.where.file, a.where.line, a.where.col) < std::tie(b.where.file, b.where.line, b.where.col);
    });
    throw ScenarioError(checker.problems);
  }
  return sc;
}

std::vector<std::string> withSeed(std::vector<std::string> overrides, std::int64_t seed) {
  if (seed >= 0) overrides.push_back("seed=" + std::to_string(seed));
  return overrides;
}

YamlNode resolveScenarioYaml(const std::string& path, const std::vector<std::string>& overrides) {
  YamlNode root = loadYamlWithExtends(path);
  for (const auto& o : overrides) applyOverride(root, o);
  return root;
}

Scenario loadScenario(const std::string& path, const std::vector<std::string>& overrides) {
  return scenarioFromYaml(resolveScenarioYaml(path, overrides), path);
}

}  // namespace unrest
