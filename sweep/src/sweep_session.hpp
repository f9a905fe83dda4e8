// What the local driver and the MPI driver share: running one run, and the sweep as seen from the process that
// owns the results folder (the main thread of a local sweep, rank 0 under MPI).
#pragma once

#include "unrest/sweep.hpp"
#include "unrest/sweep_command.hpp"
#include "unrest/sweep_results.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

namespace unrest {

// The sweep across MPI ranks (sweep_mpi.cpp): initialises MPI, serves or works, finalises. Returns the exit code.
int runSweepMpi(const SweepOptions& options, const std::atomic<bool>& stop);

class SweepSession {
public:
  // Reads and validates the sweep file and every point's scenario, runs point 0 briefly to check that each metric
  // exists in the outputs, and opens the results folder. Throws ScenarioError or std::runtime_error.
  explicit SweepSession(const SweepOptions& options);

  const SweepPlan& plan() const { return *plan_; }
  SweepStore& store() { return *store_; }
  std::vector<std::int64_t> pending() const { return store_->pending(); }
  void announce(const std::string& how) const;  // the plan and what is left, on stderr

  // A finished run whose outputs are in `outputs`: keeps or removes them and records the run. Returns false when
  // the sweep must stop (a failure under on_failure: stop).
  bool accept(const RunRecord& run, const std::filesystem::path& outputs);
  void showProgress(int running, bool force = false);

  // Writes the final files and says how it went; returns the exit code. `fatal`: why the sweep broke off, if it did.
  int end(bool interrupted, const std::string& fatal, const std::string& extra = "");

private:
  SweepOptions options_;
  std::unique_ptr<SweepPlan> plan_;
  std::unique_ptr<SweepStore> store_;
  std::int64_t doneBefore_ = 0, doneNow_ = 0, failedNow_ = 0;
  std::string firstFailure_;
  bool stopped_ = false;
  bool tty_ = false;
  std::chrono::steady_clock::time_point start_, lastShown_;
};

}  // namespace unrest
