#include "sweep.hpp"

#include <csignal>

namespace unrest::app {

namespace {
std::atomic<bool> gSweepStop{false};
void onSweepSignal(int) { gSweepStop = true; }
}  // namespace

CLI::App* addSweepCommand(CLI::App& app, SweepOptions& o) {
  CLI::App* cmd = app.add_subcommand("sweep",
                                     "Run a parameter sweep: many seeded runs over a grid or sample of parameters; "
                                     "resumable; under mpirun, spread over the ranks");
  cmd->add_option("sweepfile", o.file, "Sweep file (YAML; see docs/sweep-format.md)")->required();
  cmd->add_option("--out", o.out, "Results folder (default: out/<sweep name>); running again continues a sweep there");
  cmd->add_option("--jobs", o.jobs, "Runs at once on this machine (default: one per core)")->check(CLI::Range(1, 4096));
  cmd->add_flag("--restart", o.restart,
                "Discard the folder's results and start again (needed when the sweep file changed)");
  cmd->add_flag("--retry-failed", o.retryFailed, "Run again the runs recorded as failed");
  cmd->add_flag("--keep-runs", o.keepRuns,
                "Keep each run's metrics.csv, events.jsonl and summary.json under DIR/runs/<id>/");
  cmd->add_flag("--check", o.check, "Validate the sweep file and every point's scenario, print the plan, run nothing");
  cmd->add_flag("--quiet", o.quiet, "No progress line");
  cmd->add_flag("!--no-plots", o.plots, "Write no plots");
  return cmd;
}

int runSweepCommand(const SweepOptions& options) {
  std::signal(SIGINT, onSweepSignal);
  std::signal(SIGTERM, onSweepSignal);
  return runSweep(options, gSweepStop);
}

}  // namespace unrest::app
