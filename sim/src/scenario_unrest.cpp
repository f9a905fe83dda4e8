// The scenario sections of the unrest model: civil violence (Epstein 2002), factions, the forces of order,
// checkpoints, vehicles, shops and looting, fear, and the event timeline.
#include "scenario_sections.hpp"

#include <algorithm>
#include <cmath>

namespace unrest {

void readCivilViolence(Checker& checker, MapReader& root, Scenario& sc) {
  const YamlNode* node = root.get("civil_violence");
  MapReader r(checker, node, "civil_violence", root.where());
  CivilViolenceDef& cv = sc.civilViolence;
  cv.enabled = r.present();
  cv.legitimacy = r.number("legitimacy", cv.legitimacy, between(0, 1));
  cv.threshold = r.number("threshold", cv.threshold, between(-1, 1));
  cv.arrestConstant = r.number("arrest_constant", cv.arrestConstant, between(0, 100));
  cv.arrestRatio = r.choice<ArrestRatio>("arrest_ratio", cv.arrestRatio,
                                         {{"floor", ArrestRatio::Floor}, {"literal", ArrestRatio::Literal}});
  cv.vision = r.number("vision", cv.vision, {0.0, 1000.0, true, false}, "cells on the lattice, m in the city");
  if (const YamlNode* j = r.get("max_jail_term"); j && j->kind == YamlNode::Kind::Scalar && !j->quoted && j->scalar == "forever")
    cv.maxJailTerm = kInf;  // no release from jail (Epstein's Runs 3-4)
  else if (j)
    cv.maxJailTerm = r.numberValue(*j, r.keyPath("max_jail_term"), cv.maxJailTerm, between(0, 1e7),
                                   "ticks on the lattice, s in the city, or forever");
  cv.decisionInterval = r.number("decision_interval", cv.decisionInterval, {0.0, 3600.0, true, false}, "s");
  if (const YamlNode* d = r.get("hardship"))
    cv.hardship = readDistribution(checker, *d, r.keyPath("hardship"), cv.hardship, between(0, 1), "");
  if (const YamlNode* d = r.get("risk_aversion"))
    cv.riskAversion = readDistribution(checker, *d, r.keyPath("risk_aversion"), cv.riskAversion, between(0, 1), "");
  r.finish();
}

std::optional<double> readEventTime(Checker& checker, const YamlNode& node, const std::string& path, const Scenario& sc) {
  if (sc.movement == Movement::Lattice) {
    if (auto tick = parseNumber(node); tick && *tick >= 0) return *tick;
    checker.error(node.where, path, MapReader::describe(node) + " is not a tick (expected a number of ticks >= 0 after the start; the lattice has no clock)");
    return std::nullopt;
  }
  if (auto seconds = parseNumber(node)) {
    if (*seconds >= 0) return *seconds;
    checker.error(node.where, path, "value " + node.scalar + " is out of range (expected seconds >= 0 after the start, or \"HH:MM\")");
    return std::nullopt;
  }
  if (node.kind == YamlNode::Kind::Scalar) {
    if (auto tod = parseTimeOfDay(node.scalar)) {
      // The first time the clock shows this time of day, on the start day or the next.
      double t = *tod - sc.clock.startTimeOfDay;
      if (t < 0) t += 86400.0;
      return t;
    }
  }
  checker.error(node.where, path, MapReader::describe(node) + " is not a time (expected seconds after the start, or a time of day \"HH:MM\" or \"HH:MM:SS\")");
  return std::nullopt;
}


int readZoneRef(Checker& checker, const YamlNode& node, const std::string& path, const Scenario& sc) {
  if (node.kind != YamlNode::Kind::Scalar) {
    checker.error(node.where, path, std::string("expected the name of a zone in map.zones, found ") + node.kindName());
    return -1;
  }
  const int zone = sc.zoneIndex(node.scalar);
  if (zone < 0) {
    std::vector<std::string> names;
    for (const auto& z : sc.map.zones) names.push_back(z.name);
    checker.error(node.where, path, "zone '" + node.scalar + "' does not exist (expected one of: " +
                                        (names.empty() ? "no zones defined" : join(names)) + ")");
  }
  return zone;
}

namespace {

// A name among `names`, or -1 with an error saying what exists.
int readNameRef(Checker& checker, const YamlNode& node, const std::string& path, const std::vector<std::string>& names,
                const std::string& what) {
  if (node.kind == YamlNode::Kind::Scalar) {
    const auto it = std::find(names.begin(), names.end(), node.scalar);
    if (it != names.end()) return static_cast<int>(it - names.begin());
  }
  checker.error(node.where, path, MapReader::describe(node) + " is not a " + what + " (expected one of: " +
                                      (names.empty() ? "none defined" : join(names)) + ")");
  return -1;
}

template <class Def>
std::vector<std::string> namesOf(const std::vector<Def>& defs) {
  std::vector<std::string> names;
  for (const auto& d : defs) names.push_back(d.name);
  return names;
}

std::optional<std::uint32_t> parseColour(const std::string& text) {
  if (text.size() != 7 || text[0] != '#') return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t i = 1; i < 7; ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 16 + static_cast<std::uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return v;
}

// A time that may also be the word `deploy` (the army's deployment, resolved once the timeline is read).
void readTimeOrDeploy(Checker& checker, const YamlNode& node, const std::string& path, const Scenario& sc, double& time,
                      bool& onDeploy) {
  if (node.kind == YamlNode::Kind::Scalar && !node.quoted && node.scalar == "deploy") {
    onDeploy = true;
    return;
  }
  if (auto t = readEventTime(checker, node, path, sc)) time = *t;
}

std::vector<Vec2> readPoints(Checker& checker, const YamlNode& node, const std::string& path, std::size_t minPoints) {
  std::vector<Vec2> points;
  if (node.kind != YamlNode::Kind::Sequence || node.items.size() < minPoints) {
    checker.error(node.where, path, "expected a list of at least " + std::to_string(minPoints) + " points [[x, y], ...]");
    return points;
  }
  for (std::size_t i = 0; i < node.items.size(); ++i)
    if (auto p = readPoint(checker, node.items[i], path + "[" + std::to_string(i) + "]")) points.push_back(*p);
  return points;
}

constexpr double kDegree = 3.14159265358979323846 / 180.0;

// Armoured personnel carriers of the kind seen in Bishkek (BTR-80: 7.65 m x 2.95 m).
VehicleDef readVehicle(Checker& checker, MapReader& v, const std::string& name, const Scenario& sc, bool parkedOnly) {
  VehicleDef def;
  def.name = name;
  def.where = v.where();
  def.kind = v.choice<VehicleDef::Kind>("kind", parkedOnly ? VehicleDef::Kind::Armoured : VehicleDef::Kind::Car,
                                        {{"car", VehicleDef::Kind::Car}, {"armoured", VehicleDef::Kind::Armoured}});
  const bool armoured = def.kind == VehicleDef::Kind::Armoured;
  def.length = v.number("length", armoured ? 7.65 : 4.8, between(1, 30), "m");
  def.width = v.number("width", armoured ? 2.95 : 1.9, between(0.5, 6), "m");
  if (parkedOnly) {
    if (const YamlNode* at = v.required("at", "a point [x, y]"))
      if (auto pt = readPoint(checker, *at, v.keyPath("at"))) def.route = {*pt};
  } else {
    if (const YamlNode* route = v.required("route", "a list of points [[x, y], ...]; one point parks the vehicle"))
      def.route = readPoints(checker, *route, v.keyPath("route"), 1);
    def.speed = v.number("speed", 0.0, between(0, 40), "m/s");
    if (const YamlNode* t = v.get("depart")) readTimeOrDeploy(checker, *t, v.keyPath("depart"), sc, def.depart, def.departOnDeploy);
    if (def.route.size() >= 2 && def.speed <= 0)
      checker.error(v.where(), v.keyPath("speed"), "a vehicle with a route needs a speed (expected speed > 0 m/s)");
  }
  def.heading = v.number("heading", 0.0, between(-360, 360), "degrees anticlockwise from east") * kDegree;
  return def;
}

}  // namespace

void readFactions(Checker& checker, MapReader& root, Scenario& sc) {
  const YamlNode* node = root.get("factions");
  if (!node) return;
  if (node->kind != YamlNode::Kind::Map) {
    checker.error(node->where, "factions", std::string("expected a mapping of name: faction, found ") + node->kindName());
    return;
  }
  if (node->entries.size() >= kNoFaction) checker.error(node->where, "factions", "too many factions (expected at most 254)");
  for (const auto& e : node->entries) {
    FactionDef f;
    f.name = e.key;
    f.where = e.keyWhere;
    sc.factions.push_back(f);
  }
  const std::size_t n = sc.factions.size();
  sc.hostile.assign(n, std::vector<std::uint8_t>(n, 0));
  const auto names = namesOf(sc.factions);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& e = node->entries[i];
    MapReader r(checker, &e.value, "factions." + e.key, e.keyWhere);
    FactionDef& f = sc.factions[i];
    if (const YamlNode* c = r.get("colour")) {
      if (auto colour = c->kind == YamlNode::Kind::Scalar ? parseColour(c->scalar) : std::nullopt)
        f.colour = *colour;
      else
        checker.error(c->where, r.keyPath("colour"), MapReader::describe(*c) + " is not a colour (expected \"#rrggbb\")");
    } else {
      // Distinct by default (the Okabe-Ito palette, readable by colour-blind viewers).
      static constexpr std::uint32_t kPalette[] = {0xd55e00, 0x0072b2, 0x009e73, 0xcc79a7, 0xe69f00, 0x56b4e9, 0xf0e442};
      f.colour = kPalette[i % std::size(kPalette)];
    }
    if (r.get("legitimacy")) f.legitimacy = r.number("legitimacy", 0.0, between(0, 1));
    if (const YamlNode* h = r.get("hostile_to")) {
      if (h->kind != YamlNode::Kind::Sequence) {
        checker.error(h->where, r.keyPath("hostile_to"), "expected a list of faction names");
      } else {
        for (std::size_t k = 0; k < h->items.size(); ++k) {
          const int g = readNameRef(checker, h->items[k], r.keyPath("hostile_to") + "[" + std::to_string(k) + "]", names, "faction");
          if (g == static_cast<int>(i)) checker.error(h->items[k].where, r.keyPath("hostile_to"), "a faction cannot be hostile to itself");
          else if (g >= 0) sc.hostile[i][g] = sc.hostile[g][i] = 1;
        }
      }
    }
    r.finish();
  }
}

void readPopulationModel(Checker& checker, MapReader& p, PopulationDef& pop, const Scenario& sc) {
  pop.role = p.choice<Role>("role", pop.role, {{"civilian", Role::Civilian}, {"police", Role::Police},
                                               {"soldier", Role::Soldier}, {"volunteer", Role::Volunteer}});
  if (const YamlNode* f = p.get("faction")) pop.faction = readNameRef(checker, *f, p.keyPath("faction"), namesOf(sc.factions), "faction");
  if (pop.faction >= 0 && pop.role != Role::Civilian)
    checker.error(p.where(), p.keyPath("faction"), "only civilians belong to a faction (expected role: civilian)");
  if (const YamlNode* l = p.get("leader")) {
    pop.leader = p.stringValue(*l, p.keyPath("leader"), "");
    if (pop.count != 1) checker.error(l->where, p.keyPath("leader"), "a leader is one person (expected count: 1)");
  }
  if (const YamlNode* z = p.get("home")) pop.homeZone = readZoneRef(checker, *z, p.keyPath("home"), sc);
  if (const YamlNode* route = p.get("patrol")) {
    if (route->kind != YamlNode::Kind::Sequence || route->items.size() < 2) {
      checker.error(route->where, p.keyPath("patrol"), "expected a list of at least two zone names");
    } else {
      for (std::size_t k = 0; k < route->items.size(); ++k)
        pop.patrol.push_back(readZoneRef(checker, route->items[k], p.keyPath("patrol") + "[" + std::to_string(k) + "]", sc));
      if (pop.destinationZone < 0) pop.destinationZone = pop.patrol.front();
    }
  }
  pop.groupSize = static_cast<int>(p.integer("group_size", 1, 1, 100));
  if (pop.groupSize > 1 && pop.patrol.empty())
    checker.error(p.where(), p.keyPath("group_size"), "groups walk together on a patrol (expected patrol: with group_size)");
  if (const YamlNode* d = p.get("on_duty")) {
    const std::string path = p.keyPath("on_duty");
    std::optional<double> from, to;
    if (d->kind == YamlNode::Kind::Sequence && d->items.size() == 2 && d->items[0].kind == YamlNode::Kind::Scalar &&
        d->items[1].kind == YamlNode::Kind::Scalar) {
      from = parseTimeOfDay(d->items[0].scalar);
      to = parseTimeOfDay(d->items[1].scalar);
    }
    if (!from || !to) {
      checker.error(d->where, path, "expected [\"HH:MM\", \"HH:MM\"]: the time of day the shift starts and ends");
    } else {
      pop.dutyHours = true;
      pop.dutyFrom = *from;
      pop.dutyTo = *to;
    }
  }
  if (p.get("loot_propensity")) pop.lootPropensity = p.number("loot_propensity", 0.0, between(0, 1));
  for (auto [key, dist] : {std::pair{"hardship", &pop.hardship}, std::pair{"risk_aversion", &pop.riskAversion}})
    if (const YamlNode* d = p.get(key)) *dist = readDistribution(checker, *d, p.keyPath(key), Distribution{}, between(0, 1), "");
}

void readModelSections(Checker& checker, MapReader& root, Scenario& sc) {
  {
    MapReader b(checker, root.get("brawl"), "brawl", root.where());
    sc.brawl.contactGap = b.number("contact_gap", sc.brawl.contactGap, between(0, 3), "m");
    sc.brawl.injuryRate = b.number("injury_rate", sc.brawl.injuryRate, between(0, 10), "injuries per contact-second");
    sc.brawl.approachRadius = b.number("approach_radius", sc.brawl.approachRadius, between(0, 200), "m");
    sc.brawl.propensity = b.number("propensity", sc.brawl.propensity, between(0, 1));
    b.finish();
  }
  {
    MapReader p(checker, root.get("police"), "police", root.where());
    sc.police.arrestRange = p.number("arrest_range", sc.police.arrestRange, between(0, 10), "m");
    sc.police.pursuitFactor = p.number("pursuit_factor", sc.police.pursuitFactor, between(0.1, 5));
    p.finish();
  }
  {
    MapReader a(checker, root.get("army"), "army", root.where());
    readNamedDefinitions(checker, a.get("checkpoints"), "army.checkpoints", "checkpoint", [&](MapReader& c, const YamlNode::Entry& e) {
      CheckpointDef cp;
      cp.name = e.key;
      cp.where = e.keyWhere;
      if (const YamlNode* b = c.required("barrier", "two points [[x, y], [x, y]] across the street")) {
        const auto pts = readPoints(checker, *b, c.keyPath("barrier"), 2);
        if (pts.size() == 2) {
          cp.barrierA = pts[0];
          cp.barrierB = pts[1];
          if ((pts[1] - pts[0]).norm() < 1.0) checker.error(b->where, c.keyPath("barrier"), "shorter than 1 m (expected a line across a street)");
        } else if (b->kind == YamlNode::Kind::Sequence && b->items.size() != 2) {
          checker.error(b->where, c.keyPath("barrier"), "expected exactly two points [[x, y], [x, y]]");
        }
      }
      cp.throughput = c.number("throughput", cp.throughput, {0.0, 600.0, true, false}, "people per minute");
      cp.deterrenceRadius = c.number("deterrence_radius", cp.deterrenceRadius, between(0, 5000), "m");
      cp.garrison = c.integer("garrison", cp.garrison, 0, 1000);
      if (const YamlNode* vs = c.get("vehicles")) {
        if (vs->kind != YamlNode::Kind::Sequence) {
          checker.error(vs->where, c.keyPath("vehicles"), "expected a list of vehicles {at: [x, y], heading: degrees}");
        } else {
          for (std::size_t k = 0; k < vs->items.size(); ++k) {
            MapReader v(checker, &vs->items[k], c.keyPath("vehicles") + "[" + std::to_string(k) + "]", vs->items[k].where);
            VehicleDef vd = readVehicle(checker, v, e.key + "." + std::to_string(k + 1), sc, true);
            vd.departOnDeploy = true;
            v.finish();
            sc.vehicles.push_back(vd);
          }
        }
      }
      sc.checkpoints.push_back(cp);
    });
    a.finish();
  }
  readNamedDefinitions(checker, root.get("vehicles"), "vehicles", "vehicle", [&](MapReader& v, const YamlNode::Entry& e) {
    if (sc.vehicles.size() + 1 >= 0xffff) checker.error(e.keyWhere, "vehicles", "too many vehicles (expected fewer than 65535)");
    sc.vehicles.push_back(readVehicle(checker, v, e.key, sc, false));
  });
  readNamedDefinitions(checker, root.get("shops"), "shops", "shop", [&](MapReader& r, const YamlNode::Entry& e) {
    ShopDef shop;
    shop.name = e.key;
    shop.where = e.keyWhere;
    if (const YamlNode* z = r.required("zone", "the name of a zone in map.zones (the shop floor)"))
      shop.zone = readZoneRef(checker, *z, r.keyPath("zone"), sc);
    shop.stock = r.number("stock", shop.stock, atLeast(0), "units");
    sc.shops.push_back(shop);
  });
  {
    MapReader l(checker, root.get("looting"), "looting", root.where());
    LootingDef& d = sc.looting;
    d.searchRadius = l.number("search_radius", d.searchRadius, between(0, 5000), "m");
    d.rate = l.number("rate", d.rate, {0.0, 1000.0, true, false}, "units/s");
    d.carry = l.number("carry", d.carry, {0.0, 1e6, true, false}, "units");
    d.volunteerWeight = l.number("volunteer_weight", d.volunteerWeight, between(0, 100));
    d.propensity = l.number("propensity", d.propensity, between(0, 1));
    l.finish();
  }
  {
    MapReader f(checker, root.get("fear"), "fear", root.where());
    FearDef& d = sc.fear;
    d.enabled = f.present();
    d.contagionRate = f.number("contagion_rate", d.contagionRate, between(0, 100), "1/s");
    d.amplification = f.number("amplification", d.amplification, between(0, 1));
    d.decay = f.number("decay", d.decay, between(0, 100), "1/s");
    d.fleeThreshold = f.number("flee_threshold", d.fleeThreshold, {0.0, 1.0, true, false});
    d.calmThreshold = f.number("calm_threshold", d.calmThreshold, {0.0, 1.0, false, true});
    d.panicSpeed = f.number("panic_speed", d.panicSpeed, between(0.5, 12), "m/s");
    d.herding = f.number("herding", d.herding, between(0, 1));
    d.gunshotRadius = f.number("gunshot_radius", d.gunshotRadius, between(0, 5000), "m");
    d.injuryRadius = f.number("injury_radius", d.injuryRadius, between(0, 100), "m");
    d.injuryFear = f.number("injury_fear", d.injuryFear, between(0, 1));
    d.safeDistance = f.number("safe_distance", d.safeDistance, between(10, 5000), "m");
    if (d.calmThreshold >= d.fleeThreshold)
      checker.error(f.where(), "fear.calm_threshold", "not below flee_threshold (expected calm_threshold < flee_threshold)");
    f.finish();
  }
}

namespace {

// The items of one timeline list (`events` or `add_events`), appended to sc.events in the order of the file.
void readEventList(Checker& checker, const YamlNode& node, const std::string& key, Scenario& sc) {
  if (node.kind != YamlNode::Kind::Sequence) {
    checker.error(node.where, key, std::string("expected a list of events, found ") + node.kindName());
    return;
  }
  const std::vector<std::pair<std::string, EventKind>> kinds{
      {"legitimacy", EventKind::Legitimacy}, {"police_presence", EventKind::PolicePresence}, {"gunshot", EventKind::Gunshot},
      {"deploy", EventKind::Deploy},         {"curfew", EventKind::Curfew},                  {"rally_call", EventKind::RallyCall},
      {"arrival", EventKind::Arrival},       {"checkpoint", EventKind::Checkpoint}};
  const auto populationNames = namesOf(sc.populations), factionNames = namesOf(sc.factions), vehicleNames = namesOf(sc.vehicles),
             checkpointNames = namesOf(sc.checkpoints);
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const YamlNode& item = node.items[i];
    const std::string path = key + "[" + std::to_string(i) + "]";
    MapReader r(checker, &item, path, item.where);
    if (!r.present()) continue;
    TimelineEventDef e;
    e.where = item.where;
    if (const YamlNode* at = r.required("at", "seconds after the start, or a time of day \"HH:MM\""))
      if (auto t = readEventTime(checker, *at, r.keyPath("at"), sc)) e.time = *t;
    if (!item.find("type"))
      r.required("type", "one of: legitimacy, police_presence, gunshot, deploy, curfew, rally_call, arrival, checkpoint");
    const std::size_t before = checker.problems.size();
    e.kind = r.choice<EventKind>("type", e.kind, kinds);
    if (checker.problems.size() != before || !item.find("type")) continue;  // the other keys depend on the type
    auto population = [&](bool required) {
      const YamlNode* p = required ? r.required("population", "the name of a population") : r.get("population");
      if (p) e.population = readNameRef(checker, *p, r.keyPath("population"), populationNames, "population");
      return p != nullptr;
    };
    switch (e.kind) {
      case EventKind::Legitimacy:
        if (r.required("value", "the new legitimacy L in [0, 1]")) e.value = r.number("value", 0.0, between(0, 1));
        e.over = r.number("over", 0.0, atLeast(0), "s");
        if (const YamlNode* f = r.get("faction")) e.faction = readNameRef(checker, *f, r.keyPath("faction"), factionNames, "faction");
        break;
      case EventKind::PolicePresence:
        if (r.required("value", "the share of the force on duty, in [0, 1]")) e.value = r.number("value", 0.0, between(0, 1));
        e.over = r.number("over", 0.0, atLeast(0), "s");
        break;
      case EventKind::Gunshot: {
        const YamlNode* position = r.get("position");
        const YamlNode* vehicle = r.get("vehicle");
        const bool atPerson = population(false);
        if ((position != nullptr) + (vehicle != nullptr) + atPerson != 1)
          checker.error(item.where, path, "a shot needs exactly one of: position [x, y], vehicle, population (a leader)");
        if (position)
          if (auto pt = readPoint(checker, *position, r.keyPath("position"))) e.position = *pt;
        if (vehicle) e.vehicle = readNameRef(checker, *vehicle, r.keyPath("vehicle"), vehicleNames, "vehicle");
        if (atPerson && e.population >= 0 && sc.populations[e.population].count != 1)
          checker.error(item.where, r.keyPath("population"), "a shot at a person needs a population of one (a leader)");
        e.count = r.integer("hits", 0, 0, 1000);
        break;
      }
      case EventKind::Deploy:
        break;
      case EventKind::Curfew:
        if (const YamlNode* u = r.required("until", "the time of day the curfew ends, \"HH:MM\"")) {
          auto end = u->kind == YamlNode::Kind::Scalar ? parseTimeOfDay(u->scalar) : std::nullopt;
          if (!end) {
            checker.error(u->where, r.keyPath("until"), MapReader::describe(*u) + " is not a time of day (expected \"HH:MM\")");
          } else {
            const double startOfDay = std::fmod(sc.clock.startTimeOfDay + e.time, 86400.0);
            double length = *end - startOfDay;
            if (length <= 0) length += 86400.0;
            e.until = e.time + length;
          }
        }
        break;
      case EventKind::RallyCall: {
        const bool byPopulation = population(false);
        const YamlNode* f = r.get("faction");
        if (f) e.faction = readNameRef(checker, *f, r.keyPath("faction"), factionNames, "faction");
        if (byPopulation == (f != nullptr)) checker.error(item.where, path, "a rally call needs exactly one of: population, faction");
        if (const YamlNode* z = r.required("destination", "the name of a zone in map.zones"))
          e.zone = readZoneRef(checker, *z, r.keyPath("destination"), sc);
        e.onArrival = r.choice<OnArrival>("on_arrival", OnArrival::Wander,
                                          {{"stay", OnArrival::Stay}, {"leave", OnArrival::Leave}, {"wander", OnArrival::Wander}});
        break;
      }
      case EventKind::Arrival:
        population(true);
        if (r.required("count", "a whole number of people")) e.count = r.integer("count", 0, 0, 10'000'000);
        e.rate = r.number("rate", 0.0, atLeast(0), "people/s");
        if (e.population >= 0) {
          PopulationDef& pop = sc.populations[e.population];
          if (pop.layout == SpawnLayout::Lattice) checker.error(item.where, path, "a lattice population arrives at once (expected spawn_layout: random)");
          if (!pop.leader.empty()) checker.error(item.where, path, "a leader is one person; further arrivals are not allowed");
          pop.waves.push_back({e.time, e.rate, e.count});
        }
        break;
      case EventKind::Checkpoint:
        if (const YamlNode* c = r.required("checkpoint", "the name of a checkpoint in army.checkpoints"))
          e.checkpoint = readNameRef(checker, *c, r.keyPath("checkpoint"), checkpointNames, "checkpoint");
        if (r.required("barrier", "closed (the checkpoint screens) or open (lifted)"))
          e.value = r.choice<double>("barrier", 1.0, {{"closed", 1.0}, {"open", 0.0}});
        break;
    }
    r.finish();
    sc.events.push_back(e);
  }
}

}  // namespace

void readTimeline(Checker& checker, MapReader& root, Scenario& sc) {
  // add_events extends the timeline a file inherits through `extends`, where events would replace it whole.
  for (const char* key : {"events", "add_events"})
    if (const YamlNode* node = root.get(key)) readEventList(checker, *node, key, sc);
  std::stable_sort(sc.events.begin(), sc.events.end(),
                   [](const TimelineEventDef& a, const TimelineEventDef& b) { return a.time < b.time; });
}

void resolveModel(Checker& checker, Scenario& sc) {
  // Vehicles push people by forces; a first-order model has none to feel them with.
  if (!sc.locomotion.forces())
    for (const auto& v : sc.vehicles)
      checker.error(v.where, "vehicles." + v.name,
                    "vehicles need a force model (expected locomotion.model hybrid or hfv2000 with vehicles; "
                    "the velocity models have no forces)");
  for (const auto& e : sc.events) sc.fear.enabled = sc.fear.enabled || e.kind == EventKind::Gunshot;
  const double deploy = sc.deployTime();
  for (auto& pop : sc.populations)
    if (pop.spawnOnDeploy) {
      if (deploy < 0) checker.error(pop.where, "populations." + pop.name + ".spawn_start", "'deploy' needs a deploy event in events:");
      pop.spawnStart = std::max(0.0, deploy);
    }
  for (auto& v : sc.vehicles)
    if (v.departOnDeploy) {
      if (deploy < 0) checker.error(v.where, v.name, "departs on deploy, but the timeline has no deploy event");
      v.depart = std::max(0.0, deploy);
    }
  if (!sc.checkpoints.empty() && deploy < 0)
    checker.error(sc.checkpoints.front().where, "army.checkpoints", "checkpoints open when the army deploys (expected a deploy event in events:)");
  // Each garrison stands at its gate: a small zone of its own and a population of soldiers that stay there.
  for (auto& cp : sc.checkpoints) {
    if (cp.garrison == 0) continue;
    Shape post;
    post.kind = Shape::Kind::Circle;
    post.points = {0.5 * (cp.barrierA + cp.barrierB)};
    post.radius = 6.0;
    post.name = "checkpoint." + cp.name;
    post.where = cp.where;
    sc.map.zones.push_back(post);
    PopulationDef garrison;
    garrison.name = "garrison." + cp.name;
    garrison.count = cp.garrison;
    garrison.spawnZone = garrison.destinationZone = static_cast<int>(sc.map.zones.size()) - 1;
    garrison.onArrival = OnArrival::Stay;
    garrison.role = Role::Soldier;
    garrison.spawnStart = std::max(0.0, deploy);
    garrison.where = garrison.countWhere = cp.where;
    cp.garrisonPopulation = static_cast<int>(sc.populations.size());
    sc.populations.push_back(garrison);
  }
  if (sc.populations.size() >= 0xffff) checker.error({sc.file, 1, 1}, "populations", "too many populations (expected fewer than 65535)");
}

}  // namespace unrest
