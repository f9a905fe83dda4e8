// `unrest sweep`: runs a sweep file's plan, N runs at once on this machine, or across Open MPI ranks when started
// by mpirun (rank 0 hands out runs as a work queue and writes every file; the other ranks run simulations).
#pragma once

#include <atomic>
#include <string>

namespace unrest {

struct SweepOptions {
  std::string file;      // the sweep file
  std::string out;       // the results folder; default out/<sweep name>
  int jobs = 0;          // runs at once on this machine; 0: one per core
  bool restart = false;  // discard the folder's results when the sweep file changed
  bool retryFailed = false;
  bool keepRuns = false;  // keep each run's outputs under DIR/runs/<id>/
  bool check = false;     // validate and print the plan, run nothing
  bool quiet = false;     // no progress line
  bool plots = true;
};

// Returns the exit code: 0 done, 1 stopped by a failed run (on_failure: stop), 130 interrupted. Throws
// ScenarioError for a bad sweep file or scenario and std::runtime_error for other errors, for the caller to print;
// under mpirun, rank 0 prints them itself and every rank returns the code.
int runSweep(const SweepOptions& options, const std::atomic<bool>& stop);

// The world size mpirun (or another MPI launcher) gave this process, from its environment; 0 when not launched
// by one. MPI is initialised only for a sweep with a world size above 1.
int mpiWorldSizeFromEnvironment();
bool mpiSupported();  // built with UNREST_MPI

}  // namespace unrest
