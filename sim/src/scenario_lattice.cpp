// The scenario section of Epstein's lattice world (movement: lattice) and its checks against civil_violence:.
#include "scenario_sections.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace unrest {

namespace {

// The only top-level keys of a lattice scenario. Any other section (the city's map, populations, clock, physics and
// the rest of the unrest model) is almost certainly a mix-up, so it is an error rather than silently ignored.
constexpr const char* kLatticeSections[] = {"scenario", "seed", "movement", "lattice", "civil_violence", "events", "add_events", "output", "extends"};

}  // namespace

void readLattice(Checker& checker, MapReader& root, Scenario& sc) {
  if (root.node())
    for (const auto& e : root.node()->entries) {
      // A lattice key, or a likely misspelling of one, which finish() reports as unknown with a "did you mean".
      const bool near = std::any_of(std::begin(kLatticeSections), std::end(kLatticeSections),
                                    [&](const char* key) { return MapReader::editDistance(e.key, key) < 3; });
      if (near || !root.get(e.key)) continue;  // get() also keeps finish() from calling it unknown
      checker.error(e.keyWhere, e.key,
                    "not used with movement: lattice (a lattice scenario has only: scenario, seed, movement, lattice, "
                    "civil_violence, events, add_events, output; remove " + e.key + ": or use movement: continuous)");
    }
  for (const TimelineEventDef& e : sc.events)
    if (e.kind != EventKind::Legitimacy && e.kind != EventKind::PolicePresence)
      checker.error(e.where, "events", "this type of event has no meaning on the lattice (expected legitimacy or police_presence)");

  const YamlNode* node = root.required("lattice", "a mapping with size, agent_density, cop_density, ticks");
  MapReader r(checker, node, "lattice", root.where());
  LatticeDef& lat = sc.lattice;
  if (const YamlNode* size = r.required("size", "[width, height] in cells")) {
    if (auto v = readNumbers(checker, *size, "lattice.size", 2, "[width, height] in cells")) {
      const auto whole = [](double x) { return std::floor(x) == x && x >= 1 && x <= 100000; };
      if (!whole((*v)[0]) || !whole((*v)[1]) || (*v)[0] * (*v)[1] > 1e8)
        checker.error(size->where, "lattice.size",
                      "expected [width, height], whole numbers of cells in [1, 100000], at most 10^8 cells in all");
      else
        lat.width = static_cast<int>((*v)[0]), lat.height = static_cast<int>((*v)[1]);
    }
  }
  lat.agentDensity = r.number("agent_density", lat.agentDensity, between(0, 1), "(share of cells)");
  lat.copDensity = r.number("cop_density", lat.copDensity, between(0, 1), "(share of cells)");
  if (lat.agentDensity + lat.copDensity > 1.0)
    checker.error(node->find("cop_density") ? node->find("cop_density")->where : r.where(), "lattice.cop_density",
                  "agent_density + cop_density exceeds 1 (expected at most one agent or cop per cell)");
  lat.neighbourhood = r.choice<Neighbourhood>("neighbourhood", lat.neighbourhood,
                                              {{"disc", Neighbourhood::Disc},
                                               {"cross", Neighbourhood::Cross},
                                               {"von_neumann", Neighbourhood::VonNeumann},
                                               {"moore", Neighbourhood::Moore}});
  lat.ticks = r.integer("ticks", lat.ticks, 1, 100'000'000);
  lat.outburstThreshold = static_cast<int>(r.integer("outburst_threshold", lat.outburstThreshold, 0, 100'000'000));
  r.finish();

  // The lattice runs Epstein's model, so its parameters must be there and make sense in cells and ticks.
  const CivilViolenceDef& cv = sc.civilViolence;
  if (!cv.enabled) {
    checker.error(root.where(), "civil_violence",
                  "missing (expected the civil_violence: section; the lattice world runs Epstein's model)");
    return;
  }
  const YamlNode* cvNode = root.node()->find("civil_violence");
  const auto at = [&](const char* key) -> const Location& {
    const YamlNode* v = cvNode->find(key);
    return v ? v->where : cvNode->where;
  };
  if (std::floor(cv.vision) != cv.vision || cv.vision < 1) {
    checker.error(at("vision"), "civil_violence.vision",
                  MapReader::describe(*cvNode->find("vision")) + " is not a whole number of cells (expected a whole number >= 1 on the lattice)");
  } else if (2 * cv.vision + 1 > std::min(lat.width, lat.height)) {
    // A wider view would wrap round the torus and see some cells twice.
    checker.error(at("vision"), "civil_violence.vision",
                  "the view (2v+1 cells across) is wider than the lattice (expected 2 * vision + 1 <= the smaller of "
                  "width and height)");
  }
  if (!std::isinf(cv.maxJailTerm) && std::floor(cv.maxJailTerm) != cv.maxJailTerm)
    checker.error(at("max_jail_term"), "civil_violence.max_jail_term",
                  MapReader::describe(*cvNode->find("max_jail_term")) + " is not a whole number of ticks (expected a whole number of ticks on the lattice, or forever)");
}

}  // namespace unrest
