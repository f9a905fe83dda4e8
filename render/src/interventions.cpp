#include "unrest/render/interventions.hpp"

#include "unrest/world.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

namespace unrest::render {

namespace {

std::string format(const char* pattern, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, pattern, args...);
  return buf;
}

// A name as a double-quoted YAML scalar.
std::string quoted(const std::string& name) {
  std::string q = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

template <class Def>
bool indexIn(int k, const std::vector<Def>& defs) {
  return k >= 0 && k < int(defs.size());
}

// `--set` overrides of plain key paths, as a tree of mappings: the same keys set in the file that extends.
struct KeyTree {
  std::string value;  // a leaf: the override's YAML text
  std::map<std::string, KeyTree> children;
  std::vector<std::string> order;  // children in the order first set

  void set(const std::string& path, const std::string& text) {
    const auto dot = path.find('.');
    const std::string key = path.substr(0, dot);
    if (!children.count(key)) order.push_back(key);
    KeyTree& child = children[key];
    if (dot == std::string::npos) {
      child.value = text;
      child.children.clear();
      child.order.clear();
    } else {
      child.value.clear();
      child.set(path.substr(dot + 1), text);
    }
  }
  void write(std::string& out, int indent) const {
    for (const std::string& key : order) {
      const KeyTree& child = children.at(key);
      out += std::string(std::size_t(indent), ' ') + key + ":";
      if (child.children.empty()) {
        out += " " + child.value + "\n";
      } else {
        out += "\n";
        child.write(out, indent + 2);
      }
    }
  }
};

}  // namespace

double interventionTime(double now) { return std::ceil(now + 1.0 - 1e-9); }

std::optional<ScheduledIntervention> scheduleIntervention(const Scenario& sc, const Intervention& iv, double time,
                                                          std::string& refusal) {
  ScheduledIntervention s;
  s.time = time;
  std::string keys;
  switch (iv.kind) {
    case Intervention::Kind::PolicePresence:
      keys = format("type: police_presence, value: %.2f, over: %.0f", iv.value, kPoliceShiftSeconds);
      s.label = iv.value > 0 ? "the police come back" : "the police withdraw";
      break;
    case Intervention::Kind::Legitimacy: {
      const int faction = indexIn(iv.faction, sc.factions) && sc.factions[iv.faction].legitimacy ? iv.faction : -1;
      const double from = sc.legitimacyAt(faction, time);
      const double to = std::clamp(std::round((from + iv.value) * 100.0) / 100.0, 0.0, 1.0);
      keys = format("type: legitimacy, value: %.2f", to);
      if (faction >= 0) keys += ", faction: " + quoted(sc.factions[faction].name);
      s.label = format("legitimacy %.2f -> %.2f", from, to) + (faction >= 0 ? " for " + sc.factions[faction].name : "");
      break;
    }
    case Intervention::Kind::Deploy:
      keys = "type: deploy";
      s.label = "the army deploys";
      break;
    case Intervention::Kind::Checkpoint: {
      if (!indexIn(iv.checkpoint, sc.checkpoints)) {
        refusal = "this scenario has no checkpoint";
        return std::nullopt;
      }
      const std::string& name = sc.checkpoints[iv.checkpoint].name;
      keys = "type: checkpoint, checkpoint: " + quoted(name) + ", barrier: " + (iv.value > 0 ? "closed" : "open");
      s.label = "checkpoint " + name + (iv.value > 0 ? ": barrier closes" : ": barrier lifts");
      break;
    }
    case Intervention::Kind::Shots:
      keys = format("type: gunshot, position: [%.1f, %.1f]", iv.x, iv.y);
      s.label = format("shots at (%.1f, %.1f)", iv.x, iv.y);
      break;
    case Intervention::Kind::Curfew: {
      const std::string until = formatClock(sc.clock.startTimeOfDay + time + kCurfewSeconds);
      keys = "type: curfew, until: \"" + until + "\"";
      s.label = "curfew until " + until;
      break;
    }
    case Intervention::Kind::Rally: {
      if (!indexIn(iv.zone, sc.map.zones)) {
        refusal = "no zone there to rally to";
        return std::nullopt;
      }
      const std::string& zone = sc.map.zones[iv.zone].name;
      if (indexIn(iv.faction, sc.factions)) {
        keys = "type: rally_call, faction: " + quoted(sc.factions[iv.faction].name);
        s.label = "rally: " + sc.factions[iv.faction].name + " to " + zone;
      } else if (indexIn(iv.population, sc.populations)) {
        const PopulationDef& pop = sc.populations[iv.population];
        if (!pop.patrol.empty()) {
          refusal = pop.name + " patrols, and a patrol keeps to its rounds (target a faction or a population without a patrol)";
          return std::nullopt;
        }
        keys = "type: rally_call, population: " + quoted(pop.name);
        s.label = "rally: " + pop.name + " to " + zone;
      } else {
        refusal = "a rally calls a faction or a population (t chooses one)";
        return std::nullopt;
      }
      keys += ", destination: " + quoted(zone);
      break;
    }
  }
  s.event = format("{at: %.0f, ", time) + keys + "}";
  return s;
}

std::string interventionsFile(const Scenario& sc, const std::string& outDir, const std::vector<std::string>& overrides,
                              const std::vector<ScheduledIntervention>& events) {
  namespace fs = std::filesystem;
  // Relative, so the output folder and the scenarios can move together; absolute when they share no folder.
  const fs::path file = fs::weakly_canonical(fs::absolute(sc.file)), dir = fs::weakly_canonical(fs::absolute(outDir));
  const auto top = [](const fs::path& p) {  // the first folder under the root
    auto it = p.begin();
    return it != p.end() && ++it != p.end() ? *it : fs::path();
  };
  const bool apart = top(file) != top(dir);
  const fs::path base = apart ? file : file.lexically_proximate(dir);
  std::string out = "# What was changed while " + sc.file + " was watched (unrest view): `unrest run` on this file\n"
                    "# repeats the viewed run, outputs byte for byte.\n";
  out += "extends: " + quoted(base.generic_string()) + "\n";
  out += format("seed: %llu\n", static_cast<unsigned long long>(sc.seed));
  KeyTree set;
  for (const std::string& o : overrides) {
    const auto eq = o.find('=');
    const std::string path = o.substr(0, eq);
    if (eq == std::string::npos || path == "seed" || path.find('[') != std::string::npos) continue;  // seed: above
    set.set(path, o.substr(eq + 1));
  }
  if (!set.order.empty()) {
    out += "# the --set overrides of the viewed run\n";
    set.write(out, 0);
  }
  for (const std::string& o : overridesOutsideFile(overrides))
    out += "# give again: --set '" + o + "' (an item of a list cannot be set here)\n";
  out += "add_events:\n";
  for (const ScheduledIntervention& e : events) out += "  - " + e.event + "  # " + e.label + "\n";
  return out;
}

std::vector<std::string> overridesOutsideFile(const std::vector<std::string>& overrides) {
  std::vector<std::string> outside;
  for (const std::string& o : overrides)
    if (o.substr(0, o.find('=')).find('[') != std::string::npos) outside.push_back(o);
  return outside;
}

std::optional<std::string> liveIncompatibility(const Scenario& current, const Scenario& changed, double now) {
  const std::vector<int> zones = World::navigationZones(current), wanted = World::navigationZones(changed);
  for (int z : wanted)
    if (std::find(zones.begin(), zones.end(), z) == zones.end())
      return "it needs the way to " + changed.map.zones[z].name +
             ", which this run did not build at its start (only zones someone heads for, or goes home to, will do)";
  if (zones != wanted) return std::string("it changes the ways this run built at its start");
  if (current.fear.enabled != changed.fear.enabled)
    return std::string("shots need fear, which this scenario has off (give it a fear: section)");
  const auto begun = [&](double a, double b) { return a != b && std::min(a, b) <= now + 1e-9; };
  for (std::size_t p = 0; p < current.populations.size(); ++p) {
    const PopulationDef &a = current.populations[p], &b = changed.populations[p];
    bool differs = begun(a.spawnStart, b.spawnStart) || a.waves.size() != b.waves.size();
    for (std::size_t w = 0; !differs && w < a.waves.size(); ++w)
      differs = begun(a.waves[w].start, b.waves[w].start) || a.waves[w].count != b.waves[w].count || a.waves[w].rate != b.waves[w].rate;
    if (differs) return "it changes the arrival of " + a.name + ", already under way";
  }
  for (std::size_t v = 0; v < current.vehicles.size(); ++v)
    if (begun(current.vehicles[v].depart, changed.vehicles[v].depart))
      return "it changes when " + current.vehicles[v].name + " sets off, and it has set off already";
  return std::nullopt;
}

void adoptTimeline(Scenario& current, const Scenario& changed) {
  current.events = changed.events;
  for (std::size_t p = 0; p < current.populations.size(); ++p) {
    current.populations[p].spawnStart = changed.populations[p].spawnStart;
    current.populations[p].waves = changed.populations[p].waves;
  }
  for (std::size_t v = 0; v < current.vehicles.size(); ++v) current.vehicles[v].depart = changed.vehicles[v].depart;
}

}  // namespace unrest::render
