// Reading a sweep file with the scenario readers' strictness: every key asked for by name, unknown keys reported
// with a "did you mean", every problem located and reported at once.
#include "unrest/sweep.hpp"
#include "unrest/yaml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

namespace unrest {

std::string formatNumber(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

std::string flowText(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::Null:
      return "null";
    case YamlNode::Kind::Scalar:
      return node.scalar;
    case YamlNode::Kind::Sequence: {
      std::string s = "[";
      for (std::size_t i = 0; i < node.items.size(); ++i) s += (i ? ", " : "") + flowText(node.items[i]);
      return s + "]";
    }
    case YamlNode::Kind::Map: {
      std::string s = "{";
      for (std::size_t i = 0; i < node.entries.size(); ++i)
        s += (i ? ", " : "") + node.entries[i].key + ": " + flowText(node.entries[i].value);
      return s + "}";
    }
  }
  return "";
}

namespace {

constexpr std::int64_t kMaxValues = 100'000;
constexpr std::int64_t kMaxPoints = 1'000'000;
constexpr std::int64_t kMaxRuns = 10'000'000;

bool isPlainName(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

bool isKeyPath(const std::string& s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string::npos) return false;
  return std::none_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) || c == '=' || c == '#'; });
}

ParamValue valueOf(const YamlNode& node) {
  ParamValue v;
  v.number = parseNumber(node);
  v.text = v.number ? formatNumber(*v.number) : flowText(node);
  v.settings = {node};
  return v;
}

ParamValue numberValue(double x, const Location& where) {
  YamlNode node;
  node.kind = YamlNode::Kind::Scalar;
  node.scalar = formatNumber(x);
  node.where = where;
  return ParamValue{node.scalar, x, {node}};
}

// A list of values; each kept as its own node, so errors found later point at the item.
std::vector<ParamValue> readValueList(Checker& checker, const YamlNode& list, const std::string& path) {
  std::vector<ParamValue> out;
  if (list.kind != YamlNode::Kind::Sequence || list.items.empty()) {
    checker.error(list.where, path, "expected a non-empty list of values, e.g. [1.0, 1.5, 2.0]");
    return out;
  }
  if (std::int64_t(list.items.size()) > kMaxValues) {
    checker.error(list.where, path, "more than 100000 values (expected a shorter list)");
    return out;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const YamlNode& item = list.items[i];
    if (item.kind == YamlNode::Kind::Null) {
      checker.error(item.where, path + "[" + std::to_string(i) + "]", "empty value (expected a value for the key)");
      continue;
    }
    ParamValue v = valueOf(item);
    if (!seen.insert(v.text).second)
      checker.error(item.where, path + "[" + std::to_string(i) + "]",
                    "'" + v.text + "' appears twice (expected each value once)");
    out.push_back(std::move(v));
  }
  return out;
}

void readParameter(Checker& checker, const YamlNode::Entry& entry, SamplerKind sampler, SweepDef& def) {
  const std::string path = "parameters." + entry.key;
  SweepParameter p;
  p.name = entry.key;
  p.where = entry.keyWhere;
  MapReader r(checker, &entry.value, path, entry.keyWhere);
  if (!r.present()) {
    checker.error(entry.value.where, path, "empty (expected values:, from:/to:/step: or distribution:)");
    return;
  }
  const std::size_t before = checker.problems.size();
  const YamlNode* values = r.get("values");
  const YamlNode* from = r.get("from");
  const YamlNode* to = r.get("to");
  const YamlNode* step = r.get("step");
  const YamlNode* distribution = r.get("distribution");
  const YamlNode* set = r.get("set");
  const bool integerGiven = r.get("integer") != nullptr;
  p.integer = r.boolean("integer", false);
  const int kinds = (values != nullptr) + (from || to || step) + (distribution != nullptr);
  if (kinds != 1) {
    checker.error(entry.value.where, path,
                  std::string(kinds == 0 ? "no values given" : "several kinds of values given") +
                      " (expected exactly one of: values: [...], from:/to:/step:, distribution: {...})");
  } else if (values) {
    p.values = readValueList(checker, *values, r.keyPath("values"));
  } else if (distribution) {
    p.kind = SweepParameter::Kind::Distribution;
    const Distribution fallback{Distribution::Kind::Constant, 0.0, 0.0, 0.0, 0.0, 0.0};
    p.distribution = readDistribution(checker, *distribution, r.keyPath("distribution"), fallback, Range{}, "");
    if (sampler == SamplerKind::Grid)
      checker.error(distribution->where, r.keyPath("distribution"),
                    "a grid cannot sample a distribution (expected sampler kind random or latin_hypercube, or "
                    "values: / from:/to:/step: here)");
  } else {
    for (auto [key, node] : {std::pair{"from", from}, std::pair{"to", to}, std::pair{"step", step}})
      if (!node)
        checker.error(entry.value.where, r.keyPath(key),
                      "missing (expected a number: a range needs from, to and step)");
    if (from && to && step) {
      const double a = r.numberValue(*from, r.keyPath("from"), 0, Range{});
      const double b = r.numberValue(*to, r.keyPath("to"), 0, atLeast(a));
      const double s = r.numberValue(*step, r.keyPath("step"), 1, above(0));
      if (checker.problems.size() == before) {
        const double count = std::floor((b - a) / s + 1e-9) + 1.0;
        if (count > double(kMaxValues)) {
          checker.error(step->where, r.keyPath("step"),
                        "the range has more than 100000 values (expected a larger step)");
        } else {
          // Rounded to 12 significant digits, so 0.1 steps give 0.3, not 0.30000000000000004.
          for (std::int64_t i = 0; i < std::int64_t(count); ++i) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.12g", a + double(i) * s);
            p.values.push_back(numberValue(std::strtod(buf, nullptr), entry.value.where));
          }
        }
      }
    }
  }
  if (integerGiven && p.kind != SweepParameter::Kind::Distribution)
    checker.error(entry.value.where, r.keyPath("integer"),
                  "integer applies to a distribution only (expected distribution: with integer: true)");
  const Distribution& d = p.distribution;
  if (p.integer && p.kind == SweepParameter::Kind::Distribution && checker.problems.size() == before &&
      d.kind != Distribution::Kind::Constant && std::ceil(d.min) > std::floor(d.max))
    checker.error(distribution->where, r.keyPath("distribution"),
                  "no whole number lies in [min, max] (expected a range holding one, with integer: true)");

  if (set) {
    // A linked parameter: its own name, shown in the outputs, and several key paths moving together.
    if (!isPlainName(p.name))
      checker.error(entry.keyWhere, path,
                    "a parameter with set: needs a plain name (expected letters, digits, '_' and '-')");
    if (!values) {
      checker.error(set->where, r.keyPath("set"), "set: needs the parameter's values: list (one entry per value)");
    } else if (set->kind != YamlNode::Kind::Map || set->entries.empty()) {
      checker.error(set->where, r.keyPath("set"), "expected a mapping of key.path: [one value per entry of values]");
    } else {
      for (const auto& target : set->entries) {
        const std::string targetPath = r.keyPath("set") + "." + target.key;
        if (!isKeyPath(target.key))
          checker.error(target.keyWhere, targetPath, "not a key path (expected names separated by dots)");
        const YamlNode& list = target.value;
        if (list.kind != YamlNode::Kind::Sequence || list.items.size() != values->items.size()) {
          checker.error(
              list.where, targetPath,
              "expected a list of " + std::to_string(values->items.size()) + " values, one per entry of values");
          continue;
        }
        p.targets.push_back(target.key);
        for (std::size_t i = 0; i < list.items.size() && i < p.values.size(); ++i)
          p.values[i].settings.push_back(list.items[i]);
      }
      // The shown values are labels here; only the set: lists go into the scenario.
      for (auto& v : p.values) v.settings.erase(v.settings.begin());
    }
  } else {
    if (!isKeyPath(p.name))
      checker.error(entry.keyWhere, path, "not a key path (expected names separated by dots, as --set takes)");
    p.targets = {p.name};
  }
  for (const auto& t : p.targets) {
    if (t == "seed")
      checker.error(entry.keyWhere, path,
                    "the seed is set by replicates: (expected another key path; use replicates.seed_base)");
    else if (t.rfind("run.", 0) == 0 && t != kRunThreadsKey)
      checker.error(entry.keyWhere, path,
                    "'" + t + "' is not a run setting (expected run.threads, or a scenario key path)");
  }
  if (p.targets == std::vector<std::string>{kRunThreadsKey}) {
    if (p.kind == SweepParameter::Kind::Distribution)
      checker.error(entry.keyWhere, path,
                    "run.threads takes values: or from:/to:/step: (expected whole numbers in [1, 1024])");
    for (const auto& v : p.values)
      if (!v.number || *v.number < 1 || *v.number > 1024 || std::floor(*v.number) != *v.number)
        checker.error(v.settings.empty() ? entry.keyWhere : v.settings[0].where, path,
                      "'" + v.text + "' is not a thread count (expected whole numbers in [1, 1024])");
  }
  r.finish();
  def.parameters.push_back(std::move(p));
}

void readMetric(Checker& checker, const YamlNode::Entry& entry, SweepDef& def) {
  const std::string path = "metrics." + entry.key;
  MetricDef m;
  m.name = entry.key;
  m.where = entry.value.kind == YamlNode::Kind::Null ? entry.keyWhere : entry.value.where;
  if (!isPlainName(m.name))
    checker.error(entry.keyWhere, path,
                  "not a plain name (expected letters, digits, '_' and '-'; it becomes a column name)");
  MapReader r(checker, &entry.value, path, entry.keyWhere);
  if (!r.present()) {
    checker.error(entry.keyWhere, path, "empty (expected {summary: key.path} or {column: NAME, reduce: ...})");
    return;
  }
  const YamlNode* summary = r.get("summary");
  const YamlNode* column = r.get("column");
  if ((summary != nullptr) == (column != nullptr)) {
    checker.error(entry.value.where, path,
                  "expected exactly one of: summary: (a field of summary.json) or column: (a column of metrics.csv)");
  } else if (summary) {
    m.source = MetricDef::Source::Summary;
    m.path = r.stringValue(*summary, r.keyPath("summary"), "");
    if (summary->kind == YamlNode::Kind::Scalar && !isKeyPath(m.path))
      checker.error(summary->where, r.keyPath("summary"), "not a key path (expected e.g. people.exited)");
  } else {
    m.source = MetricDef::Source::Column;
    m.path = r.stringValue(*column, r.keyPath("column"), "");
    m.reduce = r.choice<MetricDef::Reduce>("reduce", MetricDef::Reduce::Final,
                                           {{"final", MetricDef::Reduce::Final},
                                            {"max", MetricDef::Reduce::Max},
                                            {"min", MetricDef::Reduce::Min},
                                            {"mean", MetricDef::Reduce::Mean},
                                            {"time_to", MetricDef::Reduce::TimeTo}});
    m.from = r.number("from", m.from, atLeast(0), "s");
    m.to = r.number("to", m.to, atLeast(std::isfinite(m.from) ? m.from : 0.0), "s");
    if (const YamlNode* v = r.get("at_least")) m.atLeast = r.numberValue(*v, r.keyPath("at_least"), 0, Range{});
    if (const YamlNode* v = r.get("at_most")) m.atMost = r.numberValue(*v, r.keyPath("at_most"), 0, Range{});
    const int thresholds = (m.atLeast.has_value()) + (m.atMost.has_value());
    if (m.reduce == MetricDef::Reduce::TimeTo && thresholds != 1)
      checker.error(entry.value.where, path,
                    "reduce: time_to needs exactly one of at_least: or at_most: (the level the column must reach)");
    if (m.reduce != MetricDef::Reduce::TimeTo && thresholds != 0)
      checker.error(entry.value.where, path, "at_least / at_most apply to reduce: time_to only");
  }
  if (summary) {
    // The other keys belong to column metrics; name the mistake rather than calling them unknown.
    for (const char* key : {"reduce", "from", "to", "at_least", "at_most"})
      if (const YamlNode* v = entry.value.find(key))
        checker.error(v->where, r.keyPath(key),
                      "applies to column: metrics only (a summary field is one number per run)");
    for (const char* key : {"reduce", "from", "to", "at_least", "at_most"}) r.get(key);
  }
  r.finish();
  def.metrics.push_back(std::move(m));
}

std::string describeParameter(const SweepParameter& p) {
  std::string s = p.name + "|" + std::to_string(int(p.kind)) + "|" + (p.integer ? "i" : "r");
  for (const auto& t : p.targets) (s += "|") += t;
  for (const auto& v : p.values) {
    (s += "|") += v.text;
    for (const auto& n : v.settings) (s += "=") += canonicalText(n);
  }
  const Distribution& d = p.distribution;
  if (p.kind == SweepParameter::Kind::Distribution)
    for (double x : {double(int(d.kind)), d.value, d.mean, d.sd, d.min, d.max}) (s += "|") += formatNumber(x);
  return s;
}

std::string describeMetric(const MetricDef& m) {
  std::string s = m.name + "|" + std::to_string(int(m.source)) + "|" + m.path + "|" + std::to_string(int(m.reduce)) +
                  "|" + formatNumber(m.from) + "|" + formatNumber(m.to);
  if (m.atLeast) (s += "|>=") += formatNumber(*m.atLeast);
  if (m.atMost) (s += "|<=") += formatNumber(*m.atMost);
  return s;
}

}  // namespace

SweepDef readSweep(const std::string& path) {
  const YamlNode root = parseYamlFile(path);
  Checker checker;
  SweepDef def;
  def.file = path;
  if (root.kind != YamlNode::Kind::Map)
    throw ScenarioError({{root.where, "",
                          std::string("a sweep file is a mapping of sections (expected sweep:, scenario:, "
                                      "parameters:, metrics: ...), found ") +
                              root.kindName()}});
  MapReader r(checker, &root, "", Location{path, 1, 1});

  {
    const YamlNode* meta = r.required("sweep", "a mapping with at least name:");
    MapReader m(checker, meta, "sweep", r.where());
    if (const YamlNode* n = meta ? m.required("name", "a short identifier") : nullptr) {
      def.name = m.stringValue(*n, "sweep.name", "");
      if (n->kind == YamlNode::Kind::Scalar && !isPlainName(def.name))
        checker.error(n->where, "sweep.name",
                      "'" + def.name + "' is not a plain name (expected letters, digits, '_' and '-')");
    }
    def.title = m.string("title", "");
    def.description = m.string("description", "");
    m.finish();
  }

  if (const YamlNode* s = r.required("scenario", "the path of the base scenario, relative to this file")) {
    def.scenarioWhere = s->where;
    const std::string given = r.stringValue(*s, "scenario", "");
    std::filesystem::path file = given;
    if (file.is_relative()) file = std::filesystem::path(path).parent_path() / file;
    def.scenarioFile = file.lexically_normal().string();
    std::error_code notThere;  // a name the file system refuses (too long, say) is no file either, not a crash
    if (s->kind == YamlNode::Kind::Scalar && !std::filesystem::is_regular_file(file, notThere))
      checker.error(
          s->where, "scenario",
          "'" + def.scenarioFile + "' is not a file (expected the path of a scenario file, relative to this file)");
  }

  {
    const YamlNode* samplerNode = r.get("sampler");
    YamlNode shorthand;  // `sampler: grid` for `sampler: {kind: grid}`
    if (samplerNode && samplerNode->kind == YamlNode::Kind::Scalar) {
      shorthand.kind = YamlNode::Kind::Map;
      shorthand.where = samplerNode->where;
      shorthand.entries.push_back({"kind", samplerNode->where, *samplerNode});
      samplerNode = &shorthand;
    }
    MapReader s(checker, samplerNode, "sampler", r.where());
    def.sampler = s.choice<SamplerKind>("kind", SamplerKind::Grid,
                                        {{"grid", SamplerKind::Grid},
                                         {"random", SamplerKind::Random},
                                         {"latin_hypercube", SamplerKind::LatinHypercube}});
    if (def.sampler == SamplerKind::Grid) {
      for (const char* key : {"samples", "seed"})
        if (const YamlNode* v = samplerNode && s.present() ? samplerNode->find(key) : nullptr)
          checker.error(
              v->where, s.keyPath(key),
              "a grid takes every combination (expected samples and seed with kind random or latin_hypercube only)");
      s.get("samples");
      s.get("seed");
    } else {
      if (s.required("samples", "the number of points to sample, a whole number"))
        def.samples = s.integer("samples", 1, 1, kMaxPoints);
      def.samplerSeed = static_cast<std::uint64_t>(s.integer("seed", 1, 0, std::int64_t(1) << 53));
    }
    s.finish();
  }

  {
    const YamlNode* rep = r.get("replicates");
    MapReader s(checker, rep, "replicates", r.where());
    def.replicatesWhere = rep ? rep->where : r.where();
    def.replicates = s.integer("count", 1, 1, 1'000'000);
    def.seedBase = static_cast<std::uint64_t>(s.integer("seed_base", 1, 0, std::int64_t(1) << 53));
    def.seedStride = static_cast<std::uint64_t>(s.integer("seed_stride", 1, 1, std::int64_t(1) << 53));
    const double lastSeed = double(def.seedBase) + double(def.seedStride) * double(def.replicates - 1);
    if (lastSeed > double(std::int64_t(1) << 53))
      checker.error(def.replicatesWhere, "replicates",
                    "the last seed would exceed 2^53 (expected a smaller seed_base, seed_stride or count)");
    s.finish();
  }

  std::set<std::string> targets;
  auto claim = [&](const std::string& target, const Location& where, const std::string& keyPath) {
    for (const auto& t : targets)
      if (t == target || t.rfind(target + ".", 0) == 0 || target.rfind(t + ".", 0) == 0 ||
          t.rfind(target + "[", 0) == 0 || target.rfind(t + "[", 0) == 0)
        checker.error(where, keyPath,
                      "'" + target + "' overlaps '" + t + "', set elsewhere in this file (expected each key set once)");
    targets.insert(target);
  };

  if (const YamlNode* set = r.get("set")) {
    if (set->kind != YamlNode::Kind::Map) {
      checker.error(set->where, "set", std::string("expected a mapping of key.path: value, found ") + set->kindName());
    } else {
      for (const auto& e : set->entries) {
        if (!isKeyPath(e.key))
          checker.error(e.keyWhere, "set." + e.key, "not a key path (expected names separated by dots)");
        if (e.key == "seed" || e.key.rfind("run.", 0) == 0)
          checker.error(e.keyWhere, "set." + e.key,
                        "set by the sweep itself (expected a scenario key; seeds come from replicates:)");
        claim(e.key, e.keyWhere, "set." + e.key);
        def.fixed.emplace_back(e.key, e.value);
      }
    }
  }

  if (const YamlNode* params = r.get("parameters")) {
    if (params->kind != YamlNode::Kind::Map) {
      checker.error(params->where, "parameters",
                    std::string("expected a mapping of key.path: values, found ") + params->kindName());
    } else {
      for (const auto& e : params->entries) {
        // A parameter in error may not be added: only a new one claims its targets.
        const std::size_t before = def.parameters.size();
        readParameter(checker, e, def.sampler, def);
        if (def.parameters.size() > before)
          for (const auto& t : def.parameters.back().targets) claim(t, e.keyWhere, "parameters." + e.key);
      }
    }
  }
  if (def.sampler != SamplerKind::Grid && def.parameters.empty())
    checker.error(r.where(), "parameters",
                  "nothing to sample (expected at least one parameter with sampler kind random or latin_hypercube)");

  if (const YamlNode* metrics =
          r.required("metrics", "a mapping of name: {summary: ...} or {column: ..., reduce: ...}")) {
    if (metrics->kind != YamlNode::Kind::Map || metrics->entries.empty())
      checker.error(metrics->where, "metrics",
                    "expected a mapping of at least one name: {summary: ...} or {column: ..., reduce: ...}");
    else
      for (const auto& e : metrics->entries) readMetric(checker, e, def);
  }

  def.onFailure = r.choice<FailurePolicy>("on_failure", FailurePolicy::Stop,
                                          {{"stop", FailurePolicy::Stop}, {"continue", FailurePolicy::Continue}});
  r.finish();

  // Column names must be distinct, since runs.csv and points.csv are read by name.
  std::set<std::string> columns{"run", "point", "replicate", "seed", "status", "wall_s", "runs", "failed"};
  for (const auto& p : def.parameters)
    if (!columns.insert(p.name).second)
      checker.error(p.where, "parameters." + p.name,
                    "the column name '" + p.name + "' is taken (expected another name)");
  for (const auto& m : def.metrics)
    if (!columns.insert(m.name).second)
      checker.error(m.where, "metrics." + m.name, "the column name '" + m.name + "' is taken (expected another name)");

  if (checker.problems.empty()) {
    double points = 1;
    if (def.sampler == SamplerKind::Grid)
      for (const auto& p : def.parameters) points *= double(p.values.size());
    else
      points = double(def.samples);
    if (points > double(kMaxPoints))
      checker.error(r.where(), "parameters", "the grid has more than a million points (expected fewer values)");
    else if (points * double(def.replicates) > double(kMaxRuns))
      checker.error(def.replicatesWhere, "replicates",
                    "more than 10 million runs (expected fewer points or replicates)");
  }
  if (!checker.problems.empty()) throw ScenarioError(checker.problems);

  std::string set, parameters, metrics;
  for (const auto& [key, value] : def.fixed) set += key + "=" + canonicalText(value) + ";";
  for (const auto& p : def.parameters) parameters += describeParameter(p) + ";";
  for (const auto& m : def.metrics) metrics += describeMetric(m) + ";";
  def.fingerprints = {
      {"set", hashText(set)},
      {"parameters", hashText(parameters)},
      {"sampler", hashText(std::to_string(int(def.sampler)) + "|" + std::to_string(def.samples) + "|" +
                           std::to_string(def.samplerSeed))},
      {"replicates", hashText(std::to_string(def.replicates) + "|" + std::to_string(def.seedBase) + "|" +
                              std::to_string(def.seedStride))},
      {"metrics", hashText(metrics)},
      {"on_failure", hashText(std::to_string(int(def.onFailure)))},
  };
  return def;
}

}  // namespace unrest
