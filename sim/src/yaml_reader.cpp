#include "unrest/yaml_reader.hpp"

#include <charconv>

namespace unrest {

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

std::optional<std::chrono::year_month_day> parseDate(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char c1 = 0, c2 = 0;
  std::istringstream in(text);
  in >> y >> c1 >> m >> c2 >> d;
  if (!in || c1 != '-' || c2 != '-' || in.peek() != EOF || text.size() != 10) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!date.ok()) return std::nullopt;
  return date;
}

}  // namespace unrest
