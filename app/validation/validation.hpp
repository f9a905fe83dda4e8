// `unrest validate`: reference cases from the literature, run over seeds, judged, tabulated and plotted.
//
// Adding a case is one new source file under app/validation/cases/ (CMake picks it up); it builds a Case and
// registers it with a static registrar:
//
//   #include "validation.hpp"
//   namespace unrest::validation {
//   namespace {
//   Case makeMyCase() {
//     Case c;
//     c.name = "rimea01";  c.suite = "pedestrian";  c.title = "...";  c.source = "...";
//     c.runs = {{"v0=1.33", "validation/rimea01_corridor.yaml", {"populations.walker.desired_speed=1.33"}, 1.33}};
//     c.measure = [](const RunContext& run, Metrics& m) { m["travel_s"] = ...; };   // once per run, at its end
//     c.judge = [](const CaseData& data, std::vector<Check>& checks) {             // once, over all runs
//       const Stats t = data.stats(0, "travel_s");
//       checks.push_back(Check::range("travel time", "s", t, 26, 34, Gate::Gated));
//     };
//     return c;
//   }
//   const Registrar registered(makeMyCase());
//   }  // namespace
//   }  // namespace unrest::validation
//
// A suite is a name under which cases register (`Suite` below); the known suites are declared in suites.cpp, so
// an empty suite says "no cases yet" rather than passing. Each run (one RunSpec with one seed) is a whole
// simulation on one thread; runs go in parallel over a pool of threads, and their results are stored by (spec,
// seed), never in completion order, so the table does not depend on --threads.
#pragma once

#include "unrest/measurement.hpp"
#include "unrest/simulation.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace unrest::validation {

// One parameter set of a case: a scenario under scenarios/ with --set style overrides.
struct RunSpec {
  std::string label;                   // "b = 1.0 m"
  std::string scenario;                // relative to scenarios/
  std::vector<std::string> overrides;  // "key.path=value"
  double x = 0.0;                      // the parameter the case varies (plots use it)
};

using Metrics = std::map<std::string, double>;  // named numbers a run produced; NaN when not reached

// What a run's measure function sees at the end of the run (the simulation, its measurement, and what the runner
// gathered step by step).
struct RunContext {
  const Simulation& sim;
  const Measurement* measurement;  // null when the scenario measures nothing
  const RunSpec& spec;
  std::uint64_t seed;
  // Every crossing of every counting line, in time order.
  const std::vector<Measurement::Crossing>& crossings;
  // Every area sample, in time order.
  const std::vector<Measurement::AreaSample>& areaSamples;
  // Filled by the case's perStep hook, if any.
  Metrics& scratch;
};

struct Stats {
  int n = 0, missing = 0;  // runs with a value, runs without (NaN)
  double median = std::nan(""), lo = std::nan(""), hi = std::nan("");  // lo/hi: min and max over the runs
  bool ok() const { return n > 0 && missing * 2 < n + missing; }  // a majority of runs has a value
};
Stats statsOf(std::vector<double> values);

enum class Gate { Gated, Soft };
enum class Verdict { Pass, Fail, Soft };

struct Check {
  std::string figure;    // "travel time (s)"
  std::string expected;  // "[26, 34]"
  Stats measured;
  bool passed = false;
  Gate gate = Gate::Gated;
  std::string note;
  std::string measuredText;  // shown instead of `measured` when set (shares of seeds, paired comparisons)
  Verdict verdict() const { return passed ? Verdict::Pass : (gate == Gate::Soft ? Verdict::Soft : Verdict::Fail); }

  // measured median within [lo, hi] (and a majority of runs reached a value).
  static Check range(const std::string& figure, const Stats& s, double lo, double hi, Gate gate, const std::string& note = "");
  // A figure reported without a verdict against the literature (shown as soft).
  static Check report(const std::string& figure, const Stats& s, const std::string& note = "");
  // A condition the case computed itself, with the numbers it rests on in `measured`.
  static Check condition(const std::string& figure, const std::string& expected, const Stats& s, bool holds, Gate gate,
                         const std::string& note = "");
};

// All runs of a case: metrics[spec][seed index].
struct CaseData {
  const std::vector<RunSpec>& specs;
  std::vector<std::vector<Metrics>> metrics;
  Stats stats(std::size_t spec, const std::string& key) const;
  std::vector<double> values(std::size_t spec, const std::string& key) const;
  // The spec whose parameter is x, or -1 (a --quick selection runs only some).
  int specAt(double x) const;
};

// A curve for the case's PNG: one series of points (median, with min–max bars) against the specs' x, and optional
// reference curves and bands.
struct Plot {
  std::string title, xLabel, yLabel;
  std::string seriesLabel;
  std::vector<double> x;
  std::vector<Stats> y;
  struct Curve {
    std::string label;
    std::vector<double> x, y;           // a line
    std::vector<double> yLow, yHigh;    // or, when set, a band between two lines
  };
  std::vector<Curve> references;
  bool logX = false;
};

struct Case {
  std::string name, suite, title, source;
  std::vector<RunSpec> runs;
  int seeds = 10;             // default number of seeds (README: 10–20)
  std::vector<RunSpec> quickRuns;  // the ctest subset (--quick): fewer or shorter runs; empty = runs
  int quickSeeds = 2;
  std::vector<std::string> quickOverrides;  // added to every run in --quick mode (e.g. a shorter clock)
  // Stop a run early (everyone has left, or nothing has moved on for long); `scratch` is the run's own, for state.
  // Default: never before clock.duration.
  std::function<bool(const Simulation&, Metrics& scratch)> stopWhen;
  std::function<void(const Simulation&, Metrics&)> perStep;  // optional, after every step
  std::function<void(const RunContext&, Metrics&)> measure;
  // Runs that are not one continuous simulation with a measurement: section (Epstein's lattice, or scenarios
  // judged from their own outputs): given the spec, the seed, the overrides and the scenarios directory, return the
  // run's figures. When set, `measure`, `perStep` and `stopWhen` are not used.
  std::function<Metrics(const RunSpec&, std::uint64_t seed, const std::vector<std::string>& overrides,
                        const std::string& scenariosDir)>
      runCustom;
  bool needsMeasurement = true;  // a continuous run without a measurement: section is an error
  std::function<void(const CaseData&, std::vector<Check>&)> judge;
  std::function<std::optional<Plot>(const CaseData&)> plot;  // optional
};

struct Suite {
  std::string name, description;
};

// Registration, from static initialisers in each case's file.
void registerCase(Case c);
void registerSuite(Suite s);
const std::vector<Case>& cases();
const std::vector<Suite>& suites();

struct Registrar {
  explicit Registrar(Case c) { registerCase(std::move(c)); }
  explicit Registrar(Suite s) { registerSuite(std::move(s)); }
};

// Helpers the cases share.
// Stops when nobody is walking, standing or waiting to spawn any more (all left, or injured), or when nobody has
// left for kStallSeconds of simulated time (a jam that will not clear: the run's times stay unreached).
constexpr double kStallSeconds = 120.0;
bool nobodyLeft(const Simulation& sim, Metrics& scratch);
// Time of the last exit, NaN when someone never left (still walking, standing or injured at the end).
double evacuationTime(const RunContext& run);
// Flow through a line from the crossing times of persons first..last (0-based) in crossing order: (last − first) /
// (t_last − t_first); NaN when fewer crossed.
double flowBetween(const RunContext& run, int line, int first, int last);
// Mean over the area samples of area `area` with time in [from, to].
double meanOverSamples(const RunContext& run, int area, double from, double to, double Measurement::AreaSample::*field);
std::string format(double v, int digits = 2);
// The same case under another locomotion model (locomotion.model=MODEL and any further overrides on every run),
// named NAME_MODEL: the hybrid model's own validation on the velocity model's set-ups.
Case onModel(Case c, const std::string& model, const std::vector<std::string>& extra = {});

struct Options {
  std::string suite = "all";
  std::vector<std::string> caseNames;
  int seeds = 0;  // 0: each case's default
  int threads = 0;
  std::string out = "out/validation";
  bool quick = false;
  std::string sourceDir;  // the repository (scenarios/ lives there)
};

// Runs the selection, prints the table, writes validation.csv and the plots; returns the exit code.
int runValidation(const Options& options);

}  // namespace unrest::validation
