// Running a sweep on this machine: `--jobs` worker threads take runs from the plan in id order, each run a whole
// simulation on its own; the main thread records each finished run at once and shows the progress.
#include "sweep_session.hpp"

#include "unrest/output.hpp"
#include "unrest/run.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <omp.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

namespace unrest {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Column metrics need metrics.csv, whatever the scenario says about writing it.
std::vector<std::string> runOverrides(const SweepPlan& plan, std::vector<std::string> extra = {}) {
  for (const auto& m : plan.def().metrics)
    if (m.source == MetricDef::Source::Column) {
      extra.push_back("output.metrics=true");
      break;
    }
  return extra;
}

// One whole run with its outputs in `dir`; false when `abort` ended it early.
bool simulate(const Scenario& sc, int threads, const fs::path& dir, const std::atomic<bool>& abort) {
  omp_set_num_threads(threads);  // this thread's OpenMP teams, world building included
  ScenarioRun run(sc, threads);
  OutputWriter writer(run.sim(), dir.string(), run.measurement());
  return !run.drive({&writer}, &abort).interrupted;  // an aborted run's folder is removed by the caller
}

// Point 0 simulated for one record interval, so a metric the outputs lack is reported before the sweep starts.
// A point that cannot even be built is left to the sweep and its failure policy.
void probeMetrics(const SweepPlan& plan) {
  const fs::path dir = fs::temp_directory_path() / ("unrest-sweep-probe-" + std::to_string(::getpid()));
  const std::atomic<bool> never{false};
  bool ran = false;
  try {
    const double interval = plan.scenario(0, plan.def().seedBase).clock.recordInterval;
    const Scenario sc =
        plan.scenario(0, plan.def().seedBase, runOverrides(plan, {"clock.duration=" + formatNumber(interval)}));
    ran = simulate(sc, 1, dir, never);
  } catch (const std::exception&) {
  }
  try {
    if (ran) readRunMetrics(plan.def().metrics, dir);
  } catch (const ScenarioError&) {
    fs::remove_all(dir);
    throw;
  } catch (const std::exception&) {
  }
  fs::remove_all(dir);
}

}  // namespace

std::optional<RunRecord> executeRun(const SweepPlan& plan, std::int64_t id, const fs::path& dir,
                                    const std::atomic<bool>& abort) {
  RunRecord r;
  r.id = id;
  const RunSpec spec = plan.run(id);
  fs::remove_all(dir);
  const auto start = Clock::now();
  try {
    const Scenario sc = plan.scenario(spec.point, spec.seed, runOverrides(plan));
    if (!simulate(sc, plan.threads(spec.point), dir, abort)) {
      fs::remove_all(dir);
      return std::nullopt;
    }
    r.ok = true;
  } catch (const std::exception& e) {  // std::bad_alloc and a world that cannot be built included
    r.message = e.what();
  }
  r.wallSeconds = secondsSince(start);
  if (!r.ok) return r;
  try {
    r.metrics = readRunMetrics(plan.def().metrics, dir);
  } catch (const ScenarioError&) {
    throw;  // the sweep file asks for something no run has
  } catch (const std::exception& e) {
    r.ok = false;
    r.message = e.what();
  }
  return r;
}

SweepSession::SweepSession(const SweepOptions& options) : options_(options) {
  plan_ = std::make_unique<SweepPlan>(readSweep(options.file), true);
  probeMetrics(*plan_);
  if (options_.out.empty()) options_.out = (fs::path("out") / plan_->def().name).string();
  if (!options.check) {
    store_ = std::make_unique<SweepStore>(*plan_, options_.out, options.restart, options.retryFailed);
    doneBefore_ = store_->recorded();
  }
  tty_ = ::isatty(STDERR_FILENO);
  start_ = lastShown_ = Clock::now();
}

void SweepSession::announce(const std::string& how) const {
  const SweepPlan& p = *plan_;
  std::fprintf(stderr, "Sweep '%s': %lld points x %lld replicates = %lld runs of %s", p.def().name.c_str(),
               static_cast<long long>(p.points()), static_cast<long long>(p.def().replicates),
               static_cast<long long>(p.runs()), p.def().scenarioFile.c_str());
  if (store_) {
    if (doneBefore_ > 0)
      std::fprintf(stderr, "; resuming in %s: %lld already recorded, %lld to run", store_->directory().c_str(),
                   static_cast<long long>(doneBefore_), static_cast<long long>(p.runs() - doneBefore_));
    std::fprintf(stderr, "; %s", how.c_str());
  }
  std::fprintf(stderr, "\n");
}

bool SweepSession::accept(const RunRecord& run, const fs::path& outputs) {
  if (run.ok && options_.keepRuns && fs::exists(outputs))
    store_->keep(run.id, outputs);
  else
    fs::remove_all(outputs);
  store_->record(run);
  ++doneNow_;
  if (!run.ok) {
    ++failedNow_;
    const RunSpec spec = plan_->run(run.id);
    const std::string what = "run " + std::to_string(run.id) + " (point " + std::to_string(spec.point) + ": " +
                             plan_->describePoint(spec.point) + ", seed " + std::to_string(spec.seed) +
                             ") failed: " + run.message;
    if (firstFailure_.empty()) firstFailure_ = what;
    if (!options_.quiet) std::fprintf(stderr, "%s%s\n", tty_ ? "\r\033[K" : "", what.c_str());
    if (plan_->def().onFailure == FailurePolicy::Stop) stopped_ = true;
  }
  showProgress(0);
  return !stopped_;
}

void SweepSession::showProgress(int running, bool force) {
  if (options_.quiet) return;
  const auto now = Clock::now();
  if (!force && std::chrono::duration<double>(now - lastShown_).count() < (tty_ ? 0.5 : 10.0)) return;
  lastShown_ = now;
  const double elapsed = secondsSince(start_);
  const std::int64_t recorded = store_->recorded(), left = plan_->runs() - recorded;
  const std::string eta = doneNow_ > 0 ? formatDuration(elapsed / double(doneNow_) * double(left)) : std::string("?");
  std::fprintf(stderr, "%s[sweep] %lld/%lld runs done (%lld failed), %d running, %s elapsed, ETA %s%s",
               tty_ ? "\r\033[K" : "", static_cast<long long>(recorded), static_cast<long long>(plan_->runs()),
               static_cast<long long>(store_->failed()), running, formatDuration(elapsed).c_str(), eta.c_str(),
               tty_ ? "" : "\n");
  std::fflush(stderr);
}

int SweepSession::end(bool interrupted, const std::string& fatal, const std::string& extra) {
  if (!options_.quiet && tty_) std::fprintf(stderr, "\n");
  std::string plotNote;
  const int plots = store_->recorded() > 0 ? store_->finish(options_.plots, plotNote) : 0;
  const std::string dir = store_->directory().string();
  const std::int64_t recorded = store_->recorded(), total = plan_->runs(), failed = store_->failed();
  const bool complete = recorded == total;
  std::printf("%s '%s': %lld of %lld runs recorded (%lld failed); %lld this session in %s\n",
              complete ? "Finished sweep" : "Sweep", plan_->def().name.c_str(), static_cast<long long>(recorded),
              static_cast<long long>(total), static_cast<long long>(failed), static_cast<long long>(doneNow_),
              formatDuration(secondsSince(start_)).c_str());
  if (!extra.empty()) std::printf("  %s\n", extra.c_str());
  std::printf("  results: %s/runs.csv (a row per run), %s/points.csv (mean, sd, 95 %% CI per point)\n", dir.c_str(),
              dir.c_str());
  if (plots > 0) std::printf("  plots: %d in %s/plots\n", plots, dir.c_str());
  if (!plotNote.empty()) std::printf("  %s\n", plotNote.c_str());
  if (failed > 0) std::printf("  failures: %s/failures.log\n", dir.c_str());
  if (!fatal.empty()) {
    std::fprintf(stderr, "%s\n", fatal.c_str());
    return 2;
  }
  if (stopped_) {
    std::printf(
        "Stopped after a failed run (on_failure: stop): %s\n  Fix the cause and run the same command again "
        "(--retry-failed runs the failed ones again), or set on_failure: continue.\n",
        firstFailure_.c_str());
    return 1;
  }
  if (interrupted || !complete) {
    std::printf("Interrupted: run the same command again to continue where it stopped.\n");
    return 130;
  }
  return 0;
}

namespace {

int runLocal(SweepSession& session, int jobs, const std::atomic<bool>& stop) {
  const SweepPlan& plan = session.plan();
  const std::vector<std::int64_t> todo = session.pending();
  session.announce(std::to_string(jobs) + (jobs == 1 ? " run at a time" : " runs at a time"));

  struct Finished {
    RunRecord run;
    fs::path outputs;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Finished> finished;
  std::size_t next = 0;
  int freeSlots = jobs, running = 0, workersLeft = jobs;
  bool halt = false;               // hand out no more runs
  std::atomic<bool> abort{false};  // and end those in flight
  std::string fatal;

  // A run of run.threads T takes T of the slots (all of them when T > jobs), so the cores are not oversubscribed.
  auto slots = [&](std::int64_t id) { return std::min(jobs, plan.threads(plan.run(id).point)); };
  auto worker = [&] {
    while (true) {
      std::int64_t id = 0;
      int need = 0;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return halt || next >= todo.size() || freeSlots >= slots(todo[next]); });
        if (halt || next >= todo.size()) break;
        id = todo[next++];
        need = slots(id);
        freeSlots -= need;
        ++running;
      }
      const fs::path dir = session.store().workDir(id);
      std::optional<RunRecord> run;
      std::string error;
      try {
        run = executeRun(plan, id, dir, abort);
      } catch (const std::exception& e) {
        error = e.what();
      }
      {
        std::lock_guard lock(mutex);
        freeSlots += need;
        --running;
        if (!error.empty()) {
          if (fatal.empty()) fatal = error;
          halt = true;
          abort = true;
        } else if (run) {
          finished.push_back({*run, dir});
        }
      }
      changed.notify_all();
    }
    {
      std::lock_guard lock(mutex);
      --workersLeft;
    }
    changed.notify_all();
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
  bool interrupted = false;
  std::unique_lock lock(mutex);
  while (true) {
    changed.wait_for(lock, std::chrono::milliseconds(200), [&] { return !finished.empty() || workersLeft == 0; });
    std::deque<Finished> batch;
    batch.swap(finished);
    const int nowRunning = running;
    const bool allDone = workersLeft == 0;
    lock.unlock();
    bool keepGoing = true;
    for (const auto& f : batch) keepGoing = session.accept(f.run, f.outputs) && keepGoing;
    if (stop.load() && !interrupted) interrupted = true;
    session.showProgress(nowRunning);
    lock.lock();
    if (!keepGoing) halt = true;  // runs in flight finish and are recorded
    if (interrupted) halt = abort = true;
    if (allDone && finished.empty()) break;
    if (halt || !batch.empty()) changed.notify_all();
  }
  lock.unlock();
  for (auto& t : threads) t.join();
  return session.end(interrupted, fatal);
}

}  // namespace

int runSweep(const SweepOptions& options, const std::atomic<bool>& stop) {
  const int worldSize = mpiWorldSizeFromEnvironment();
  if (worldSize > 1) {
    if (!mpiSupported())
      throw std::runtime_error(
          "started by mpirun with " + std::to_string(worldSize) +
          " processes, but this unrest was built "
          "without MPI (expected a build with -DUNREST_MPI=ON and libopenmpi-dev; or run the sweep "
          "without mpirun, with --jobs)");
    return runSweepMpi(options, stop);
  }
  SweepSession session(options);
  if (options.check) {
    session.announce("");
    std::printf("%s: ok: %lld runs; every point's scenario loads, and every metric is in the outputs of a short run\n",
                options.file.c_str(), static_cast<long long>(session.plan().runs()));
    return 0;
  }
  const int jobs = options.jobs > 0 ? options.jobs : std::max(1, int(std::thread::hardware_concurrency()));
  return runLocal(session, jobs, stop);
}

#ifndef UNREST_HAVE_MPI
bool mpiSupported() { return false; }
int runSweepMpi(const SweepOptions&, const std::atomic<bool>&) { return 2; }
#endif

int mpiWorldSizeFromEnvironment() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})  // Open MPI's mpirun; MPICH's and Slurm's launchers
    if (const char* v = std::getenv(name)) return std::atoi(v);
  return 0;
}

}  // namespace unrest
