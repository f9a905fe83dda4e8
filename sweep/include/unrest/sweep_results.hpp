// What a sweep keeps: each run's metrics taken from its outputs, the sweep folder (runs.csv as a journal written
// as runs end, points.csv, plots), and the statistics of each point.
//
// The folder survives being killed at any moment: runs.csv is appended and synced row by row, so a kill loses at
// most the runs in flight, and opening the folder again continues with the runs it does not hold. The final files
// depend only on the plan, never on the order runs ended in: rows are sorted by run id, statistics are taken in
// run id order.
#pragma once

#include "unrest/sweep.hpp"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace unrest {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();  // an undefined metric

struct RunRecord {
  std::int64_t id = 0;
  bool ok = false;
  std::vector<double> metrics;  // one per metric; kMissing where undefined (a level never reached) or failed
  double wallSeconds = 0.0;
  std::string message;  // why it failed
};

// The metrics of a finished run from the outputs in `runDir`. A summary field or column that does not exist is
// an error in the sweep file (ScenarioError located at the metric); unreadable outputs are std::runtime_error.
std::vector<double> readRunMetrics(const std::vector<MetricDef>& metrics, const std::filesystem::path& runDir);

// Simulates run `id` of the plan (single-threaded unless run.threads says otherwise) with its outputs in `dir`,
// and takes its metrics. A simulation that throws makes a failed record with the reason; a metric the outputs lack
// throws ScenarioError (the sweep file is wrong, not the run). Returns nothing when `abort` ended the run early.
std::optional<RunRecord> executeRun(const SweepPlan& plan, std::int64_t id, const std::filesystem::path& dir,
                                    const std::atomic<bool>& abort);

// Sample statistics with the 95 % confidence interval of the mean, mean ± t(0.975, n−1)·sd/√n (Student's t):
// sd and the interval need n ≥ 2 and are NaN below.
struct Stats {
  std::int64_t n = 0;
  double mean = kMissing, sd = kMissing, lo = kMissing, hi = kMissing;
};
Stats summarise(const std::vector<double>& values);  // NaNs are skipped
double studentQuantile(double p, double dof);        // the p quantile of Student's t with dof degrees of freedom

// CSV as RFC 4180 has it: fields with commas, quotes or line breaks quoted, quotes doubled.
std::string csvField(const std::string& text);
std::vector<std::string> csvSplit(const std::string& line);
std::string csvNumber(double v);  // shortest exact text, empty for NaN

class SweepStore {
public:
  // Opens the folder `dir` for the plan, creating it if needed. Refuses (std::runtime_error, saying why and what
  // to do) a folder another sweep file made unless `restart`, which first removes the sweep's own files there; a
  // folder that holds other files; and a folder another process is sweeping into. Reads runs.csv back, dropping a
  // row cut short by a kill (and, with `retryFailed`, the failed runs, so they run again).
  SweepStore(const SweepPlan& plan, const std::filesystem::path& dir, bool restart, bool retryFailed);
  ~SweepStore();
  SweepStore(const SweepStore&) = delete;
  SweepStore& operator=(const SweepStore&) = delete;

  std::vector<std::int64_t> pending() const;  // runs not yet recorded, by id
  std::int64_t recorded() const { return static_cast<std::int64_t>(records_.size()); }
  std::int64_t failed() const;
  // Appends the run's row to runs.csv, synced to disk before returning; a failure also goes to failures.log.
  void record(const RunRecord& run);

  const std::filesystem::path& directory() const { return dir_; }
  std::filesystem::path workDir(std::int64_t id) const;  // where a run in flight writes its outputs
  std::filesystem::path keptDir(std::int64_t id) const;  // DIR/runs/<id>
  // Moves a finished run's outputs from its work folder to DIR/runs/<id>.
  void keep(std::int64_t id, const std::filesystem::path& from) const;

  // Rewrites runs.csv sorted by run id and writes points.csv and, with `plots`, the plots. Returns the number of
  // plots written (0 when gnuplot is missing or failed; `plotNote` then says why).
  int finish(bool plots, std::string& plotNote);
  const std::map<std::int64_t, RunRecord>& records() const { return records_; }

private:
  std::string header() const;
  std::string rowPrefix(std::int64_t id) const;  // run, point, replicate, seed and the parameters
  std::string row(const RunRecord& run) const;
  void openFolder(bool restart);
  void readJournal(bool retryFailed);
  void close();

  const SweepPlan& plan_;
  std::filesystem::path dir_;
  int lockFd_ = -1;
  std::FILE* journal_ = nullptr;
  std::map<std::int64_t, RunRecord> records_;
  std::map<std::int64_t, std::string> rows_;  // verbatim, so a resumed sweep rewrites exactly what it read
};

// Per point and metric, the statistics of its runs (points with no recorded run are left out).
struct PointStats {
  std::int64_t point = 0, runs = 0, failed = 0;
  std::vector<Stats> metrics;
};
std::vector<PointStats> aggregate(const SweepPlan& plan, const std::map<std::int64_t, RunRecord>& records);

// PNG plots through gnuplot in DIR/plots: every metric against every swept parameter with its 95 % band, and a
// heat map of every metric over every pair of grid parameters. The data and the gnuplot script stay next to the
// images, so a plot can be restyled by hand. Returns the number of images; `note` says why when none.
int writePlots(const SweepPlan& plan, const std::map<std::int64_t, RunRecord>& records,
               const std::vector<PointStats>& points, const std::filesystem::path& dir, std::string& note);

}  // namespace unrest
