// The scenario keys of the measurement and validation work: the `measurement:` section, `map.periodic` and a
// population's fixed `direction:`.
#include "scenario_sections.hpp"

#include <cmath>

namespace unrest {

namespace {

bool convex(const std::vector<Vec2>& polygon) {
  int sign = 0;
  const std::size_t n = polygon.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double c = cross(polygon[(i + 1) % n] - polygon[i], polygon[(i + 2) % n] - polygon[(i + 1) % n]);
    if (std::abs(c) < 1e-12) continue;
    const int s = c > 0 ? 1 : -1;
    if (sign != 0 && s != sign) return false;
    sign = s;
  }
  return sign != 0;
}

std::optional<Vec2> readUnitVector(Checker& checker, const YamlNode& node, const std::string& path) {
  auto v = readPoint(checker, node, path);
  if (!v) return std::nullopt;
  if (v->norm() < 1e-9) {
    checker.error(node.where, path, "zero vector (expected a direction [dx, dy] of non-zero length)");
    return std::nullopt;
  }
  return Vec2(v->normalized());
}

}  // namespace

void readPeriodic(Checker& checker, MapReader& map, Scenario& sc) {
  const YamlNode* node = map.get("periodic");
  if (!node) return;
  const std::string path = map.keyPath("periodic");
  const std::string value = map.stringValue(*node, path, "none");
  if (value == "none") return;
  if (value != "x") {
    checker.error(node->where, path, MapReader::describe(*node) + " is not allowed (expected one of: none, x)");
    return;
  }
  const double length = sc.map.boundsMax.x() - sc.map.boundsMin.x();
  const double cells = length / sc.map.cellSize;
  // The raster must tile the period exactly, and the neighbour search needs at least three cells along it.
  if (std::abs(cells - std::round(cells)) > 1e-6) {
    checker.error(node->where, path, "the length along x is not a whole number of cells (expected map.bounds x-extent a multiple of map.cell_size)");
    return;
  }
  if (length < 5.0) {
    checker.error(node->where, path, "the periodic length is below 5 m (expected x_max - x_min >= 5)");
    return;
  }
  sc.map.periodX = length;
}

bool readHeading(Checker& checker, MapReader& population, PopulationDef& pop) {
  const YamlNode* node = population.get("direction");
  if (!node) return false;
  const YamlNode* destination = population.node() ? population.node()->find("destination") : nullptr;
  if (destination && destination->kind != YamlNode::Kind::Null) {
    checker.error(node->where, population.keyPath("direction"), "a population has either a destination or a direction (expected one of them)");
    return true;
  }
  if (auto v = readUnitVector(checker, *node, population.keyPath("direction"))) pop.heading = *v;
  return true;
}

void readMeasurement(Checker& checker, MapReader& root, Scenario& sc) {
  MapReader r(checker, root.get("measurement"), "measurement", root.where());
  MeasurementDef& m = sc.measurement;
  m.interval = r.number("interval", m.interval, {0.0, 3600.0, true, false}, "s");
  if (m.interval < sc.clock.dt)
    checker.error(r.where(), "measurement.interval", "shorter than clock.dt (expected interval >= dt)");

  std::vector<Shape> areas;
  readShapes(checker, r, "areas", areas);
  for (const Shape& a : areas) {
    const std::string path = "measurement.areas." + a.name;
    if (a.kind == Shape::Kind::Rect || (a.kind == Shape::Kind::Polygon && convex(a.points)))
      m.areas.push_back({a});
    else
      checker.error(a.where, path, "expected a rect or a convex polygon");
  }

  if (const YamlNode* v = r.get("voronoi")) {
    MapReader vr(checker, v, "measurement.voronoi", v->where);
    m.voronoiCutOff = vr.number("cut_off", 1.0, {0.0, 10.0, true, false}, "m");
    vr.finish();
  }

  if (const YamlNode* lines = r.get("lines")) {
    if (lines->kind != YamlNode::Kind::Map) {
      checker.error(lines->where, "measurement.lines", std::string("expected a mapping of name: line, found ") + lines->kindName());
    } else {
      for (const auto& e : lines->entries) {
        const std::string path = "measurement.lines." + e.key;
        MapReader l(checker, &e.value, path, e.keyWhere);
        if (!l.present()) continue;
        CountingLineDef line;
        line.name = e.key;
        line.where = e.keyWhere;
        bool ok = true;
        for (auto [key, target] : {std::pair{"from", &line.from}, std::pair{"to", &line.to}}) {
          const YamlNode* p = l.required(key, "a point [x, y] in metres");
          auto point = p ? readPoint(checker, *p, l.keyPath(key)) : std::nullopt;
          ok = ok && point;
          if (point) *target = *point;
        }
        const YamlNode* d = l.required("direction", "the direction [dx, dy] that counts as a positive crossing");
        auto dir = d ? readUnitVector(checker, *d, l.keyPath("direction")) : std::nullopt;
        ok = ok && dir;
        if (dir) line.direction = *dir;
        l.finish();
        if (!ok) continue;
        const Vec2 along = line.to - line.from;
        if (along.norm() < 1e-9)
          checker.error(e.value.where, path, "from and to are the same point (expected a line of non-zero length)");
        else if (std::abs(cross(along.normalized(), line.direction)) < 1e-6)
          checker.error(e.value.where, path + ".direction", "parallel to the line (expected a direction across it)");
        else
          m.lines.push_back(line);
      }
    }
  }

  m.people = r.boolean("people", m.people);
  if (const YamlNode* t = r.get("trajectories")) {
    MapReader tr(checker, t, "measurement.trajectories", t->where);
    m.trajectoryInterval = tr.number("interval", 0.1, {0.0, 3600.0, true, false}, "s");
    if (m.trajectoryInterval < sc.clock.dt)
      checker.error(tr.where(), "measurement.trajectories.interval", "shorter than clock.dt (expected interval >= dt)");
    tr.finish();
  }
  r.finish();
}

}  // namespace unrest
