// The scenario section of Epstein's lattice world (movement: lattice) and its checks against civil_violence:.
#include "scenario_sections.hpp"

#include <cmath>

namespace unrest {

namespace {

// The sections that only the city uses. A lattice scenario naming one of them is almost certainly a mix-up, so it
// is an error rather than something silently ignored.
constexpr const char* kCitySections[] = {"clock", "map", "navigation", "physics", "harm", "populations"};

}  // namespace

void readLattice(Checker& checker, MapReader& root, Scenario& sc) {
  // In file order, so the messages read top to bottom.
  if (root.node())
    for (const auto& e : root.node()->entries)
      for (const char* key : kCitySections)
        if (e.key == key && root.get(key))
          checker.error(e.keyWhere, key,
                        "not used with movement: lattice (the lattice world places its agents and cops from the "
                        "lattice: section; remove " + e.key + ": or use movement: continuous)");

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
