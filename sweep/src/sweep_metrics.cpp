// A run's metrics, read from the outputs a user would read: fields of summary.json, reductions of metrics.csv.
#include "unrest/sweep_results.hpp"
#include "unrest/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <stdexcept>

namespace unrest {

namespace {

std::string closest(const std::string& name, const std::vector<std::string>& known) {
  std::string hint;
  std::size_t best = 3;
  for (const auto& k : known)
    if (const std::size_t d = MapReader::editDistance(name, k); d < best) {
      best = d;
      hint = "did you mean '" + k + "'? ";
    }
  return hint;
}

[[noreturn]] void metricError(const MetricDef& m, const std::string& message) {
  throw ScenarioError(
      {{m.where, "metrics." + m.name + (m.source == MetricDef::Source::Summary ? ".summary" : ".column"), message}});
}

double summaryValue(const MetricDef& m, const YamlNode& summary) {
  const YamlNode* node = &summary;
  std::string walked;
  std::size_t start = 0;
  while (true) {
    const auto dot = m.path.find('.', start);
    const std::string key = m.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const YamlNode* child = node->kind == YamlNode::Kind::Map ? node->find(key) : nullptr;
    if (!child) {
      std::vector<std::string> keys;
      for (const auto& e : node->entries) keys.push_back(walked.empty() ? e.key : walked + "." + e.key);
      const std::string full = walked.empty() ? key : walked + "." + key;
      metricError(
          m, "'" + full + "' is not a field of summary.json (" + closest(full, keys) +
                 (keys.empty() ? "'" + walked + "' is a value, not a group" : "expected one of: " + join(keys)) + ")");
    }
    walked = walked.empty() ? key : walked + "." + key;
    node = child;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->kind == YamlNode::Kind::Map) {
    std::vector<std::string> keys;
    for (const auto& e : node->entries) keys.push_back(walked + "." + e.key);
    metricError(m, "'" + walked + "' is a group of fields (expected one of: " + join(keys) + ")");
  }
  if (node->kind == YamlNode::Kind::Null) return kMissing;
  if (node->kind == YamlNode::Kind::Scalar && !node->quoted && (node->scalar == "true" || node->scalar == "false"))
    return node->scalar == "true" ? 1.0 : 0.0;
  if (auto v = parseNumber(*node)) return *v;
  metricError(m, "'" + walked + "' is not a number in summary.json (expected a numeric or true/false field)");
}

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;  // NaN for text such as the clock
};

Table readTable(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the run's metrics");
  Table t;
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(file.string() + ": empty (expected a header row)");
  t.columns = csvSplit(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<double> row;
    for (const auto& field : csvSplit(line)) {
      char* end = nullptr;
      const double v = std::strtod(field.c_str(), &end);
      row.push_back(!field.empty() && end == field.c_str() + field.size() ? v : kMissing);
    }
    row.resize(t.columns.size(), kMissing);
    t.rows.push_back(std::move(row));
  }
  return t;
}

double columnValue(const MetricDef& m, const Table& t) {
  const auto col = static_cast<std::size_t>(std::find(t.columns.begin(), t.columns.end(), m.path) - t.columns.begin());
  if (col == t.columns.size())
    metricError(m, "'" + m.path + "' is not a column of metrics.csv (" + closest(m.path, t.columns) +
                       "expected one of: " + join(t.columns) + ")");
  const auto timeCol =
      static_cast<std::size_t>(std::find(t.columns.begin(), t.columns.end(), "time_s") - t.columns.begin());
  if (timeCol == t.columns.size()) throw std::runtime_error("metrics.csv has no time_s column");
  constexpr double kSlack = 1e-9;  // times are written to the millisecond
  double result = kMissing, sum = 0.0;
  std::int64_t count = 0;
  for (const auto& row : t.rows) {
    const double time = row[timeCol], v = row[col];
    if (time < m.from - kSlack || time > m.to + kSlack || std::isnan(v)) continue;
    switch (m.reduce) {
      case MetricDef::Reduce::Final:
        result = v;
        break;
      case MetricDef::Reduce::Max:
        result = std::isnan(result) ? v : std::max(result, v);
        break;
      case MetricDef::Reduce::Min:
        result = std::isnan(result) ? v : std::min(result, v);
        break;
      case MetricDef::Reduce::Mean:
        sum += v;
        ++count;
        break;
      case MetricDef::Reduce::TimeTo:
        if ((m.atLeast && v >= *m.atLeast) || (m.atMost && v <= *m.atMost)) return time;
        break;
    }
  }
  // Rows are evenly spaced (one per record interval), so their mean is the time average over the window.
  if (m.reduce == MetricDef::Reduce::Mean && count > 0) result = sum / double(count);
  return result;
}

// Summary and table are read on first use and shared by the metrics of one run.
double metricValue(const MetricDef& m, const std::filesystem::path& runDir, std::optional<YamlNode>& summary,
                   std::optional<Table>& table) {
  if (m.source == MetricDef::Source::Summary) {
    if (!summary) {
      try {
        summary = parseYamlFile((runDir / "summary.json").string());  // JSON is YAML
      } catch (const ScenarioError& e) {
        throw std::runtime_error(std::string("unreadable summary.json: ") + e.what());
      }
    }
    return summaryValue(m, *summary);
  }
  if (!table) table = readTable(runDir / "metrics.csv");
  return columnValue(m, *table);
}

}  // namespace

std::vector<double> readRunMetrics(const std::vector<MetricDef>& metrics, const std::filesystem::path& runDir) {
  std::optional<YamlNode> summary;
  std::optional<Table> table;
  std::vector<double> out;
  std::vector<Diagnostic> problems;  // every metric the outputs lack, not just the first
  for (const auto& m : metrics) {
    try {
      out.push_back(metricValue(m, runDir, summary, table));
    } catch (const ScenarioError& e) {
      problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  if (!problems.empty()) throw ScenarioError(problems);
  return out;
}

}  // namespace unrest
