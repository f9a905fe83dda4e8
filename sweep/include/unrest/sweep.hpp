// Parameter sweeps: a sweep file names a base scenario, the parameters to vary (key paths into the scenario, as
// `--set` takes them), how to sample them, how many seeded replicates to run at each point and which metrics to
// take from each run's outputs. This header is the file, read and checked, and the plan of runs it expands to.
// The reference is docs/sweep-format.md.
#pragma once

#include "unrest/scenario.hpp"
#include "unrest/yaml_tree.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace unrest {

// Run-level parameters are not scenario keys: they change how a run is executed, never what it simulates.
inline constexpr const char* kRunThreadsKey = "run.threads";

// One value a parameter takes at a point: how runs.csv and the plots show it, and the scenario values it sets
// (one per target of the parameter, each located where the sweep file defines it).
struct ParamValue {
  std::string text;
  std::optional<double> number;
  std::vector<YamlNode> settings;
};

struct SweepParameter {
  std::string name;                  // the column name: the key path, or a linked parameter's own name
  std::vector<std::string> targets;  // key paths it sets (a linked parameter sets several)
  enum class Kind { Values, Distribution };
  Kind kind = Kind::Values;
  std::vector<ParamValue> values;  // Values: a list, or a range expanded
  Distribution distribution;       // Distribution: sampled by the random and Latin hypercube samplers
  bool integer = false;            // Distribution: round samples to whole numbers
  Location where;
};

enum class SamplerKind { Grid, Random, LatinHypercube };

struct MetricDef {
  enum class Source { Summary, Column };
  enum class Reduce { Final, Max, Min, Mean, TimeTo };
  std::string name;
  Source source = Source::Summary;
  std::string path;  // Summary: dotted path into summary.json; Column: a column of metrics.csv
  Reduce reduce = Reduce::Final;
  double from = -std::numeric_limits<double>::infinity();  // window over time_s, s
  double to = std::numeric_limits<double>::infinity();
  std::optional<double> atLeast, atMost;  // TimeTo: the first time the column reaches this
  Location where;
};

enum class FailurePolicy { Stop, Continue };

struct SweepDef {
  std::string file;  // the sweep file, as given
  std::string name, title, description;
  std::string scenarioFile;  // resolved against the sweep file's folder
  Location scenarioWhere;
  std::vector<std::pair<std::string, YamlNode>> fixed;  // `set:` values for every run
  std::vector<SweepParameter> parameters;
  SamplerKind sampler = SamplerKind::Grid;
  std::int64_t samples = 0;  // Random, LatinHypercube
  std::uint64_t samplerSeed = 1;
  std::int64_t replicates = 1;
  std::uint64_t seedBase = 1, seedStride = 1;
  Location replicatesWhere;
  std::vector<MetricDef> metrics;
  FailurePolicy onFailure = FailurePolicy::Stop;
  // Hashes of what decides the results (each section of the file, and the resolved base scenario), so an output
  // folder can tell whether it was made by this sweep and, if not, what changed.
  std::vector<std::pair<std::string, std::string>> fingerprints;
};

// Reads and checks a sweep file (not yet its scenario). Throws ScenarioError listing every problem.
SweepDef readSweep(const std::string& path);

struct RunSpec {
  std::int64_t id = 0, point = 0, replicate = 0;
  std::uint64_t seed = 0;
};

class SweepPlan {
public:
  // Samples the points; with `validate`, loads the scenario of every point so that a bad key path or value is
  // reported up front, located in the sweep file. Throws ScenarioError.
  SweepPlan(SweepDef def, bool validate);

  const SweepDef& def() const { return def_; }
  std::int64_t points() const { return static_cast<std::int64_t>(points_.size()); }
  std::int64_t runs() const { return points() * def_.replicates; }
  // Run ids go point by point: replicates of point 0 first, then point 1, and so on.
  RunSpec run(std::int64_t id) const;
  const std::vector<ParamValue>& point(std::int64_t p) const { return points_[static_cast<std::size_t>(p)]; }
  // The scenario of a point with a seed, as a run simulates it.
  Scenario scenario(std::int64_t point, std::uint64_t seed, const std::vector<std::string>& extra = {}) const;
  int threads(std::int64_t point) const;                // run.threads, 1 when not swept
  std::string describePoint(std::int64_t point) const;  // "a=1, b=2"
  std::string fingerprint() const;                      // all of def().fingerprints in one

private:
  YamlNode tree(std::int64_t point, std::uint64_t seed) const;

  SweepDef def_;
  YamlNode base_;
  std::vector<std::vector<ParamValue>> points_;
};

// The sampled points, one value per parameter each. Grid: every combination, the first parameter varying slowest.
// Random: independent draws. Latin hypercube: each parameter's range cut into `samples` strata of equal
// probability, each stratum hit exactly once (McKay, Beckman, Conover 1979), strata paired by random permutations.
std::vector<std::vector<ParamValue>> samplePoints(const SweepDef& def);
// The value of a distribution parameter at probability u in [0, 1) (its quantile function).
double parameterQuantile(const SweepParameter& p, double u);

std::string formatNumber(double v);               // shortest text that reads back to the same double
std::string flowText(const YamlNode& node);       // a value on one line: 1.5, name, [0, 0, 2, 2], {a: 1}

}  // namespace unrest
