#include "unrest/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace unrest {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Range {
  double lo = -kInf, hi = kInf;
  bool loOpen = false, hiOpen = false;

  bool contains(double v) const {
    return (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
  }
  std::string str() const {
    std::ostringstream out;
    if (hi == kInf) {
      out << (loOpen ? "> " : ">= ") << lo;
    } else if (lo == -kInf) {
      out << (hiOpen ? "< " : "<= ") << hi;
    } else {
      out << "in " << (loOpen ? '(' : '[') << lo << ", " << hi << (hiOpen ? ')' : ']');
    }
    return out.str();
  }
};

Range atLeast(double lo) { return {lo, kInf, false, false}; }
Range above(double lo) { return {lo, kInf, true, false}; }
Range between(double lo, double hi) { return {lo, hi, false, false}; }

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::optional<double> parseNumber(const YamlNode& n) {
  if (n.kind != YamlNode::Kind::Scalar || n.quoted || n.scalar.empty()) return std::nullopt;
  double v = 0.0;
  const char* first = n.scalar.data();
  const char* last = first + n.scalar.size();
  if (*first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Collects problems so a user sees all of them in one pass.
class Checker {
public:
  void error(const Location& where, const std::string& path, const std::string& message) {
    problems.push_back({where, path, message});
  }
  std::vector<Diagnostic> problems;
};

// Reads one mapping; remembers which keys were read so unknown keys are reported.
class MapReader {
public:
  MapReader(Checker& checker, const YamlNode* node, std::string path, const Location& fallback)
      : checker_(checker), node_(node), path_(std::move(path)), where_(node ? node->where : fallback) {
    if (node_ && node_->kind == YamlNode::Kind::Null) node_ = nullptr;
    if (node_ && node_->kind != YamlNode::Kind::Map) {
      checker_.error(node_->where, path_, std::string("expected a mapping, found ") + node_->kindName());
      node_ = nullptr;
    }
  }

  std::string keyPath(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const Location& where() const { return where_; }
  Checker& checker() { return checker_; }
  bool present() const { return node_ != nullptr; }

  const YamlNode* get(const std::string& key) {
    allowed_.push_back(key);
    if (!node_) return nullptr;
    const YamlNode* v = node_->find(key);
    return v && v->kind == YamlNode::Kind::Null ? nullptr : v;
  }

  const YamlNode* required(const std::string& key, const std::string& expected) {
    const YamlNode* v = get(key);
    if (!v) checker_.error(where_, keyPath(key), "missing (expected " + expected + ")");
    return v;
  }

  double number(const std::string& key, double fallback, Range range, const std::string& unit = "") {
    const YamlNode* v = get(key);
    return v ? numberValue(*v, keyPath(key), fallback, range, unit) : fallback;
  }

  double numberValue(const YamlNode& v, const std::string& path, double fallback, Range range,
                     const std::string& unit = "") {
    auto parsed = parseNumber(v);
    const std::string expected = "a number " + range.str() + (unit.empty() ? "" : " " + unit);
    if (!parsed) {
      checker_.error(v.where, path, describe(v) + " is not a number (expected " + expected + ")");
      return fallback;
    }
    if (!range.contains(*parsed)) {
      checker_.error(v.where, path, "value " + v.scalar + " is out of range (expected " + expected + ")");
      return fallback;
    }
    return *parsed;
  }

  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
    const YamlNode* v = get(key);
    if (!v) return fallback;
    const std::string expected = "a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    auto parsed = parseNumber(*v);
    if (!parsed || std::floor(*parsed) != *parsed) {
      checker_.error(v->where, keyPath(key), describe(*v) + " is not a whole number (expected " + expected + ")");
      return fallback;
    }
    if (*parsed < double(lo) || *parsed > double(hi)) {
      checker_.error(v->where, keyPath(key), "value " + v->scalar + " is out of range (expected " + expected + ")");
      return fallback;
    }
    return static_cast<std::int64_t>(*parsed);
  }

  bool boolean(const std::string& key, bool fallback) {
    const YamlNode* v = get(key);
    if (!v) return fallback;
    if (v->kind == YamlNode::Kind::Scalar && !v->quoted && (v->scalar == "true" || v->scalar == "false"))
      return v->scalar == "true";
    checker_.error(v->where, keyPath(key), describe(*v) + " is not a boolean (expected true or false)");
    return fallback;
  }

  std::string string(const std::string& key, const std::string& fallback) {
    const YamlNode* v = get(key);
    return v ? stringValue(*v, keyPath(key), fallback) : fallback;
  }

  std::string stringValue(const YamlNode& v, const std::string& path, const std::string& fallback) {
    if (v.kind != YamlNode::Kind::Scalar) {
      checker_.error(v.where, path, std::string("expected a string, found ") + v.kindName());
      return fallback;
    }
    return v.scalar;
  }

  template <class Enum>
  Enum choice(const std::string& key, Enum fallback, const std::vector<std::pair<std::string, Enum>>& options) {
    const YamlNode* v = get(key);
    if (!v) return fallback;
    std::vector<std::string> names;
    for (const auto& [name, value] : options) {
      if (v->kind == YamlNode::Kind::Scalar && v->scalar == name) return value;
      names.push_back(name);
    }
    checker_.error(v->where, keyPath(key), describe(*v) + " is not allowed (expected one of: " + join(names) + ")");
    return fallback;
  }

  // Reports keys that were never asked for, with the closest known key when it looks like a typo.
  void finish() {
    if (!node_) return;
    std::vector<std::string> known;
    for (const auto& a : allowed_)
      if (std::find(known.begin(), known.end(), a) == known.end()) known.push_back(a);
    for (const auto& e : node_->entries) {
      if (std::find(known.begin(), known.end(), e.key) != known.end()) continue;
      std::string hint;
      std::size_t best = 3;
      for (const auto& k : known) {
        const std::size_t d = editDistance(e.key, k);
        if (d < best) {
          best = d;
          hint = "did you mean '" + k + "'? ";
        }
      }
      if (e.key == "<<") {
        checker_.error(e.keyWhere, keyPath(e.key), "YAML merge keys are not supported (expected plain keys; reuse a scenario with extends:)");
        continue;
      }
      checker_.error(e.keyWhere, keyPath(e.key), "unknown key (" + hint + "expected one of: " + join(known) + ")");
    }
  }

  static std::size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  }

  static std::string describe(const YamlNode& v) {
    if (v.kind == YamlNode::Kind::Scalar) return "'" + v.scalar + "'";
    return v.kindName();
  }

  const YamlNode* node() const { return node_; }

private:
  Checker& checker_;
  const YamlNode* node_;
  std::string path_;
  Location where_;
  std::vector<std::string> allowed_;
};

std::optional<Vec2> readPoint(Checker& checker, const YamlNode& v, const std::string& path) {
  if (v.kind == YamlNode::Kind::Sequence && v.items.size() == 2) {
    auto x = parseNumber(v.items[0]);
    auto y = parseNumber(v.items[1]);
    if (x && y) return Vec2(*x, *y);
  }
  checker.error(v.where, path, "expected a point [x, y] in metres");
  return std::nullopt;
}

std::optional<std::vector<double>> readNumbers(Checker& checker, const YamlNode& v, const std::string& path,
                                               std::size_t count, const std::string& expected) {
  std::vector<double> out;
  if (v.kind == YamlNode::Kind::Sequence && v.items.size() == count) {
    for (const auto& item : v.items) {
      auto x = parseNumber(item);
      if (!x) break;
      out.push_back(*x);
    }
    if (out.size() == count) return out;
  }
  checker.error(v.where, path, "expected " + expected);
  return std::nullopt;
}

std::optional<Shape> readShape(Checker& checker, const YamlNode& node, const std::string& path,
                               const std::string& name) {
  MapReader r(checker, &node, path, node.where);
  if (!r.present()) return std::nullopt;
  const std::size_t before = checker.problems.size();
  Shape shape;
  shape.name = name;
  shape.where = node.where;
  const YamlNode* rect = r.get("rect");
  const YamlNode* polygon = r.get("polygon");
  const YamlNode* circle = r.get("circle");
  const YamlNode* polyline = r.get("polyline");
  const YamlNode* width = r.get("width");
  r.string("note", "");
  const int kinds = (rect != nullptr) + (polygon != nullptr) + (circle != nullptr) + (polyline != nullptr);
  if (kinds != 1) {
    checker.error(node.where, path,
                  kinds == 0 ? "no shape given (expected exactly one of: rect, polygon, circle, polyline)"
                             : "several shapes given (expected exactly one of: rect, polygon, circle, polyline)");
  } else if (rect) {
    shape.kind = Shape::Kind::Rect;
    if (auto v = readNumbers(checker, *rect, path + ".rect", 4, "[x_min, y_min, x_max, y_max] in metres")) {
      if ((*v)[2] <= (*v)[0] || (*v)[3] <= (*v)[1])
        checker.error(rect->where, path + ".rect", "empty rectangle (expected x_max > x_min and y_max > y_min)");
      shape.points = {Vec2((*v)[0], (*v)[1]), Vec2((*v)[2], (*v)[3])};
    }
  } else if (circle) {
    shape.kind = Shape::Kind::Circle;
    if (auto v = readNumbers(checker, *circle, path + ".circle", 3, "[x, y, radius] in metres")) {
      if ((*v)[2] <= 0) checker.error(circle->where, path + ".circle", "radius must be > 0 (expected [x, y, radius])");
      shape.points = {Vec2((*v)[0], (*v)[1])};
      shape.radius = (*v)[2];
    }
  } else {
    const bool isLine = polyline != nullptr;
    const YamlNode& pts = isLine ? *polyline : *polygon;
    const std::string ptsPath = path + (isLine ? ".polyline" : ".polygon");
    shape.kind = isLine ? Shape::Kind::Polyline : Shape::Kind::Polygon;
    const std::size_t minPoints = isLine ? 2 : 3;
    if (pts.kind != YamlNode::Kind::Sequence || pts.items.size() < minPoints) {
      checker.error(pts.where, ptsPath,
                    "expected a list of at least " + std::to_string(minPoints) + " points [[x, y], ...]");
    } else {
      for (std::size_t i = 0; i < pts.items.size(); ++i)
        if (auto p = readPoint(checker, pts.items[i], ptsPath + "[" + std::to_string(i) + "]")) shape.points.push_back(*p);
    }
  }
  if (width) {
    if (shape.kind != Shape::Kind::Polyline || kinds != 1)
      checker.error(width->where, path + ".width", "width applies only to a polyline");
    else
      shape.width = r.numberValue(*width, path + ".width", 1.0, above(0), "m");
  } else if (polyline && kinds == 1) {
    checker.error(node.where, path + ".width", "missing (expected the full width in metres of the polyline's band)");
  }
  r.finish();
  if (checker.problems.size() != before) return std::nullopt;
  return shape;
}

void readShapes(Checker& checker, MapReader& parent, const std::string& key, std::vector<Shape>& out) {
  const YamlNode* node = parent.get(key);
  if (!node) return;
  const std::string path = parent.keyPath(key);
  if (node->kind != YamlNode::Kind::Map) {
    checker.error(node->where, path, std::string("expected a mapping of name: shape, found ") + node->kindName());
    return;
  }
  for (const auto& e : node->entries)
    if (auto s = readShape(checker, e.value, path + "." + e.key, e.key)) out.push_back(*s);
}

Distribution readDistribution(Checker& checker, const YamlNode& node, const std::string& path,
                              const Distribution& fallback, Range range, const std::string& unit) {
  if (node.kind == YamlNode::Kind::Scalar) {
    MapReader dummy(checker, nullptr, path, node.where);
    Distribution d;
    d.kind = Distribution::Kind::Constant;
    d.value = dummy.numberValue(node, path, fallback.value, range, unit);
    d.min = d.max = d.value;
    return d;
  }
  MapReader r(checker, &node, path, node.where);
  if (!r.present()) return fallback;
  Distribution d;
  const YamlNode* kindNode = r.required("dist", "one of: constant, uniform, normal");
  const std::string kind = kindNode ? r.stringValue(*kindNode, r.keyPath("dist"), "") : "";
  const std::size_t before = checker.problems.size();
  if (kind == "constant") {
    d.kind = Distribution::Kind::Constant;
    if (const YamlNode* v = r.required("value", "a number " + range.str()))
      d.value = r.numberValue(*v, r.keyPath("value"), fallback.value, range, unit);
    d.min = d.max = d.value;
  } else if (kind == "uniform" || kind == "normal") {
    d.kind = kind == "uniform" ? Distribution::Kind::Uniform : Distribution::Kind::Normal;
    if (d.kind == Distribution::Kind::Normal) {
      if (const YamlNode* v = r.required("mean", "a number " + range.str()))
        d.mean = r.numberValue(*v, r.keyPath("mean"), 1.0, range, unit);
      if (const YamlNode* v = r.required("sd", "a number >= 0"))
        d.sd = r.numberValue(*v, r.keyPath("sd"), 0.0, atLeast(0), unit);
    }
    if (const YamlNode* v = r.required("min", "a number " + range.str()))
      d.min = r.numberValue(*v, r.keyPath("min"), range.lo, range, unit);
    if (const YamlNode* v = r.required("max", "a number " + range.str()))
      d.max = r.numberValue(*v, r.keyPath("max"), range.hi, range, unit);
    if (checker.problems.size() == before && d.max < d.min)
      checker.error(node.where, path, "max is below min (expected min <= max)");
    if (checker.problems.size() == before && d.kind == Distribution::Kind::Normal && (d.mean < d.min || d.mean > d.max))
      checker.error(node.where, path + ".mean", "mean lies outside [min, max] (expected min <= mean <= max)");
  } else if (kindNode) {
    checker.error(kindNode->where, r.keyPath("dist"), "'" + kind + "' is not a distribution (expected one of: constant, uniform, normal)");
    return fallback;  // its other keys cannot be judged without a valid kind
  }
  r.finish();
  return d;
}

std::optional<double> parseTimeOfDay(const std::string& text) {
  int h = 0, m = 0, s = 0;
  char c1 = 0, c2 = 0;
  std::istringstream in(text);
  in >> h >> c1 >> m;
  if (!in || c1 != ':') return std::nullopt;
  if (in.peek() == ':') {
    in >> c2 >> s;
    if (!in) return std::nullopt;
  }
  if (in.peek() != EOF) return std::nullopt;
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return std::nullopt;
  return h * 3600.0 + m * 60.0 + s;
}

}  // namespace

int Scenario::zoneIndex(const std::string& zoneName) const {
  for (std::size_t i = 0; i < map.zones.size(); ++i)
    if (map.zones[i].name == zoneName) return static_cast<int>(i);
  return -1;
}

std::int64_t Scenario::totalPeople() const {
  std::int64_t n = 0;
  for (const auto& p : populations) n += p.count;
  return n;
}

std::string formatClock(double secondsAfterMidnight) {
  long long s = static_cast<long long>(std::floor(secondsAfterMidnight));
  s = ((s % 86400) + 86400) % 86400;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

Scenario scenarioFromYaml(const YamlNode& root, const std::string& file) {
  Checker checker;
  Scenario sc;
  sc.file = file;
  const Location top{file, 1, 1};
  MapReader r(checker, &root, "", top);

  {
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

  sc.seed = static_cast<std::uint64_t>(r.integer("seed", 1, 0, std::int64_t(1) << 53));

  {
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
    if (sc.clock.recordInterval < sc.clock.dt)
      checker.error(c.where(), "clock.record_interval", "shorter than dt (expected record_interval >= dt)");
    if (sc.clock.dt > 0 && sc.clock.duration / sc.clock.dt > 1e10)
      checker.error(c.where(), "clock.duration", "more than 10^10 steps (expected a larger dt or a shorter duration)");
    c.finish();
  }

  {
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

  {
    MapReader n(checker, r.get("navigation"), "navigation", r.where());
    sc.navigation.wallClearance = n.number("wall_clearance", sc.navigation.wallClearance, between(0, 10), "m");
    sc.navigation.wallCost = n.number("wall_cost", sc.navigation.wallCost, between(1, 100));
    n.finish();
  }

  {
    MapReader p(checker, r.get("physics"), "physics", r.where());
    PhysicsDef& ph = sc.physics;
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

  {
    MapReader h(checker, r.get("harm"), "harm", r.where());
    sc.harm.injuryPressure = h.number("injury_pressure", sc.harm.injuryPressure, above(0), "N/m");
    sc.harm.injuryTime = h.number("injury_time", sc.harm.injuryTime, between(0, 3600), "s");
    h.finish();
  }

  {
    const YamlNode* popsNode = r.required("populations", "a mapping of name: population");
    if (popsNode && popsNode->kind != YamlNode::Kind::Map) {
      checker.error(popsNode->where, "populations", std::string("expected a mapping of name: population, found ") + popsNode->kindName());
    } else if (popsNode) {
      if (popsNode->entries.empty()) checker.error(popsNode->where, "populations", "empty (expected at least one population)");
      for (const auto& e : popsNode->entries) {
        const std::string path = "populations." + e.key;
        MapReader p(checker, &e.value, path, e.keyWhere);
        PopulationDef pop;
        pop.name = e.key;
        pop.where = e.keyWhere;
        if (const YamlNode* d = e.value.kind == YamlNode::Kind::Map ? e.value.find("destination") : nullptr) pop.where = d->where;
        if (p.required("count", "a whole number of people")) pop.count = p.integer("count", 0, 0, 10'000'000);
        for (auto [key, target] : {std::pair{"spawn", &pop.spawnZone}, std::pair{"destination", &pop.destinationZone}}) {
          const YamlNode* z = p.required(key, "the name of a zone in map.zones");
          if (!z) continue;
          const std::string zoneName = p.stringValue(*z, p.keyPath(key), "");
          *target = sc.zoneIndex(zoneName);
          if (*target < 0 && z->kind == YamlNode::Kind::Scalar) {
            std::vector<std::string> names;
            for (const auto& zone : sc.map.zones) names.push_back(zone.name);
            checker.error(z->where, p.keyPath(key),
                          "zone '" + zoneName + "' does not exist (expected one of: " + (names.empty() ? "no zones defined" : join(names)) + ")");
          }
        }
        pop.onArrival = p.choice<OnArrival>("on_arrival", pop.onArrival,
                                            {{"stay", OnArrival::Stay}, {"leave", OnArrival::Leave}, {"wander", OnArrival::Wander}});
        pop.spawnStart = p.number("spawn_start", pop.spawnStart, atLeast(0), "s");
        pop.spawnRate = p.number("spawn_rate", pop.spawnRate, atLeast(0), "people/s");
        pop.layout = p.choice<SpawnLayout>("spawn_layout", pop.layout, {{"random", SpawnLayout::Random}, {"lattice", SpawnLayout::Lattice}});
        pop.dwellTime = p.number("dwell_time", pop.dwellTime, between(0, 86400), "s");
        pop.wanderRadius = p.number("wander_radius", pop.wanderRadius, {0.0, 1e5, true, false}, "m");
        if (pop.layout == SpawnLayout::Lattice && pop.spawnRate > 0)
          checker.error(e.value.where, p.keyPath("spawn_layout"), "lattice places everyone at once (expected spawn_rate: 0 with spawn_layout: lattice)");
        if (const YamlNode* d = p.get("desired_speed"))
          pop.desiredSpeed = readDistribution(checker, *d, p.keyPath("desired_speed"), pop.desiredSpeed, {0.0, 12.0, true, false}, "m/s");
        if (const YamlNode* d = p.get("radius"))
          pop.radius = readDistribution(checker, *d, p.keyPath("radius"), pop.radius, between(0.1, 0.5), "m");
        p.finish();
        sc.populations.push_back(pop);
      }
    }
  }

  {
    MapReader o(checker, r.get("output"), "output", r.where());
    sc.output.metrics = o.boolean("metrics", sc.output.metrics);
    sc.output.events = o.boolean("events", sc.output.events);
    sc.output.densityCell = o.number("density_cell", sc.output.densityCell, {0.5, 100, false, false}, "m");
    o.finish();
  }

  r.get("extends");  // resolved by the loader; allowed here
  r.finish();
  if (!checker.problems.empty()) throw ScenarioError(checker.problems);
  return sc;
}

Scenario loadScenario(const std::string& path, const std::vector<std::string>& overrides) {
  YamlNode root = loadYamlWithExtends(path);
  for (const auto& o : overrides) applyOverride(root, o);
  return scenarioFromYaml(root, path);
}

}  // namespace unrest
