// Strict reading of YAML trees into plain structs: every key is asked for by name, so keys never asked for are
// reported as unknown (with a "did you mean"), and every problem is collected with its file, line and column so
// a user sees all of them at once. Scenario files, sweep files and validation suites all read through this.
#pragma once

#include "unrest/distribution.hpp"
#include "unrest/geometry.hpp"
#include "unrest/yaml_tree.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace unrest {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

struct Range {
  double lo = -kInf, hi = kInf;
  bool loOpen = false, hiOpen = false;

  bool contains(double v) const {
    return (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
  }
  std::string str() const {
    std::ostringstream out;
    if (lo == -kInf && hi == kInf) {
      out << "(any value)";
    } else if (hi == kInf) {
      out << (loOpen ? "> " : ">= ") << lo;
    } else if (lo == -kInf) {
      out << (hiOpen ? "< " : "<= ") << hi;
    } else {
      out << "in " << (loOpen ? '(' : '[') << lo << ", " << hi << (hiOpen ? ')' : ']');
    }
    return out.str();
  }
};

inline Range atLeast(double lo) { return {lo, kInf, false, false}; }
inline Range above(double lo) { return {lo, kInf, true, false}; }
inline Range between(double lo, double hi) { return {lo, hi, false, false}; }

inline std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// A plain (unquoted) scalar read as a finite number, or nothing.
std::optional<double> parseNumber(const YamlNode& n);

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

// Reads a section that is a mapping of name -> definition (populations, checkpoints, vehicles, shops):
// readOne(reader, entry) reads each entry through a MapReader over its value, which is finished afterwards (so its
// unknown keys are reported); a section that is not a mapping is one error, "expected a mapping of name: WHAT".
template <class ReadOne>
void readNamedDefinitions(Checker& checker, const YamlNode* node, const std::string& path, const std::string& what,
                          ReadOne&& readOne) {
  if (!node) return;
  if (node->kind != YamlNode::Kind::Map) {
    checker.error(node->where, path, "expected a mapping of name: " + what + ", found " + node->kindName());
    return;
  }
  for (const auto& e : node->entries) {
    MapReader reader(checker, &e.value, path + "." + e.key, e.keyWhere);
    readOne(reader, e);
    reader.finish();
  }
}

// Readers of the value types scenario-like files share. Each reports problems to the checker and returns nothing
// (or the fallback) when the value is unusable.
std::optional<Vec2> readPoint(Checker& checker, const YamlNode& v, const std::string& path);
std::optional<std::vector<double>> readNumbers(Checker& checker, const YamlNode& v, const std::string& path,
                                               std::size_t count, const std::string& expected);
std::optional<Shape> readShape(Checker& checker, const YamlNode& node, const std::string& path, const std::string& name);
// A mapping of name: shape under `key` of `parent`, appended to `out`.
void readShapes(Checker& checker, MapReader& parent, const std::string& key, std::vector<Shape>& out);
Distribution readDistribution(Checker& checker, const YamlNode& node, const std::string& path,
                              const Distribution& fallback, Range range, const std::string& unit);
// "HH:MM" or "HH:MM:SS" as seconds after midnight.
std::optional<double> parseTimeOfDay(const std::string& text);
// "YYYY-MM-DD", a real calendar date.
std::optional<std::chrono::year_month_day> parseDate(const std::string& text);

}  // namespace unrest
