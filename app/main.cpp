// unrest: the command line. Every user error ends here as one clear message and a non-zero exit code.
#include "run_lattice.hpp"
#include "view.hpp"

#include "sweep.hpp"
#include "unrest/threads.hpp"
#include "unrest/output.hpp"
#include "unrest/output_file.hpp"
#include "unrest/run.hpp"
#include "unrest/run_store.hpp"
#include "unrest/scenario.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"
#include "validate.hpp"

#include <CLI/CLI.hpp>
#include <omp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace {

std::atomic<bool> gStopRequested{false};

void onSignal(int) { gStopRequested = true; }

struct RunOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::int64_t seed = -1;
  int threads = 0;
  std::string out;
  bool quiet = false;
  bool profile = false;
  bool record = false;
  bool overwrite = false;
  double recordInterval = 0.5;
};

unrest::Scenario load(const std::string& path, std::vector<std::string> overrides, std::int64_t seed) {
  if (seed >= 0) overrides.push_back("seed=" + std::to_string(seed));
  return unrest::loadScenario(path, overrides);
}

int runCheck(const RunOptions& opt) {
  const unrest::Scenario sc = load(opt.scenario, opt.overrides, opt.seed);
  if (sc.movement == unrest::Movement::Lattice) return unrest::cli::checkLattice(opt.scenario, sc);
  // Building the world also checks what only the raster can tell (zones without walkable ground).
  const unrest::World world(sc);
  std::printf("%s: ok: scenario '%s', %zu populations, %lld people, %zu zones, raster %d x %d cells of %.2f m, "
              "%zu wall segments, %zu navigation fields\n",
              opt.scenario.c_str(), sc.name.c_str(), sc.populations.size(), static_cast<long long>(sc.totalPeople()),
              sc.map.zones.size(), world.grid().nx, world.grid().ny, world.grid().h, world.walls().size(),
              world.fieldCount());
  return 0;
}

// The progress line on stderr: clock, simulated time, people, speed, ETA; every half second on a terminal, every ten
// seconds into a file.
class ProgressLine : public unrest::Observer<unrest::Simulation> {
public:
  explicit ProgressLine(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}
  void afterStep(const unrest::Simulation& sim) override {
    if (quiet_) return;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - lastReport_).count() < (tty_ ? 0.5 : 10.0) && !sim.done()) return;
    lastReport_ = now;
    const unrest::Scenario& sc = sim.scenario();
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double rate = wall > 0 ? sim.time() / wall : 0.0;
    const double eta = rate > 0 ? (sc.clock.duration - sim.time()) / rate : 0.0;
    std::fprintf(stderr, "%s[%s] t=%.0f/%.0f s  people %lld  %.2fM agent-steps/s  %.1fx real time  ETA %s%s",
                 tty_ ? "\r" : "", unrest::formatClock(sc.clock.startTimeOfDay + sim.time()).c_str(), sim.time(),
                 sc.clock.duration, static_cast<long long>(sim.active()),
                 wall > 0 ? double(sim.agentSteps()) / wall / 1e6 : 0.0, rate, unrest::formatDuration(eta).c_str(),
                 tty_ ? "   " : "\n");
  }
  void finish(const unrest::Simulation&, const unrest::RunEnd&) override {
    if (!quiet_ && tty_) std::fprintf(stderr, "\n");
  }

private:
  using Clock = std::chrono::steady_clock;
  bool quiet_, tty_;
  Clock::time_point start_ = Clock::now(), lastReport_ = start_;
};

int runSimulation(const RunOptions& opt) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const unrest::Scenario sc = load(opt.scenario, opt.overrides, opt.seed);
  if (sc.movement == unrest::Movement::Lattice) {
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    return unrest::cli::runLattice(sc, opt.out, opt.overwrite, opt.quiet, gStopRequested);
  }
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  omp_set_num_threads(threads);
  unrest::ScenarioRun run(sc, threads);
  const unrest::Simulation& sim = run.sim();
  const std::string outDir = opt.out.empty() ? (std::filesystem::path("out") / sc.name).string() : opt.out;
  unrest::claimOutputDirectory(outDir, opt.overwrite);
  unrest::OutputWriter writer(sim, outDir, run.measurement());
  std::unique_ptr<unrest::RunRecorder> recorder;
  if (opt.record) recorder = std::make_unique<unrest::RunRecorder>(sim, outDir, unrest::RecordOptions{opt.recordInterval, opt.overrides});
  const double setupSeconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  ProgressLine progress(opt.quiet);
  unrest::RunEnd end;
  try {
    end = recorder ? run.drive({&writer, recorder.get(), &progress}, &gStopRequested)
                   : run.drive({&writer, &progress}, &gStopRequested);
  } catch (const unrest::OutputError& e) {
    throw unrest::OutputError(std::string(e.what()) + "; the run stopped at " +
                              unrest::formatClock(sc.clock.startTimeOfDay + sim.time()) + " (" + std::to_string(int(sim.time())) +
                              " s simulated), and the files written so far end on whole rows and lines");
  }
  const double wall = end.wallSeconds;
  const bool interrupted = end.interrupted;

  const auto& row = sim.lastRow();
  std::printf("%s '%s' (seed %llu): %.0f s simulated in %.1f s (+%.1f s setup), %.1fx real time, %.2fM agent-steps/s on %d threads\n",
              interrupted ? "Interrupted" : "Finished", sc.name.c_str(), static_cast<unsigned long long>(sc.seed),
              sim.time(), wall, setupSeconds, wall > 0 ? sim.time() / wall : 0.0,
              wall > 0 ? double(sim.agentSteps()) / wall / 1e6 : 0.0, threads);
  // Injured counts everyone hurt, whatever the cause (the unrest line below breaks it down), as metrics.csv's injured.
  std::printf("  people: %lld spawned, %lld walking, %lld arrived, %lld exited, %lld injured",
              static_cast<long long>(sim.spawned()), static_cast<long long>(row.byState[0]),
              static_cast<long long>(row.byState[1]), static_cast<long long>(row.byState[3]),
              static_cast<long long>(row.byState[int(unrest::AgentState::Injured)]));
  const std::int64_t blocked = sim.waitingForRoom(), notYetDue = row.waiting - blocked;
  if (blocked > 0) std::printf(", %lld due but waiting for room to spawn", static_cast<long long>(blocked));
  if (notYetDue > 0 && interrupted) std::printf(", %lld not yet due to spawn", static_cast<long long>(notYetDue));
  std::printf("\n");
  if (sim.modelActive()) {
    using unrest::Condition, unrest::InjuryCause;
    std::printf("  unrest: injuries %lld (crush %lld, brawl %lld, gunshot %lld), arrests %lld, looting incidents %lld; "
                "most at once: %lld active, %lld fighting, %lld fleeing, %lld looting\n",
                static_cast<long long>(sim.injuriesTotal()), static_cast<long long>(sim.injuries(InjuryCause::Crush)),
                static_cast<long long>(sim.injuries(InjuryCause::Brawl)),
                static_cast<long long>(sim.injuries(InjuryCause::Gunshot)), static_cast<long long>(sim.arrests()),
                static_cast<long long>(sim.lootingIncidents()),
                static_cast<long long>(writer.peakCivilians(Condition::Active)),
                static_cast<long long>(writer.peakCivilians(Condition::Fighting)),
                static_cast<long long>(writer.peakCivilians(Condition::Fleeing)),
                static_cast<long long>(writer.peakCivilians(Condition::Looting)));
  }
  std::printf("  at the end: peak density %.0f /m2, peak contact pressure %.0f N/m, crowd pressure %.3f /s2, "
              "mean speed %.2f m/s\n",
              row.peakDensity, row.peakPressure, row.crowdPressure.pressure, row.meanSpeed);
  std::printf("  outputs: %s/{metrics.csv, events.jsonl, summary.json%s}\n", writer.directory().c_str(),
              recorder ? ", run.sqlite" : "");
  if (opt.profile) {
    std::printf("  time per stage:");
    for (int s = 0; s < unrest::kStageCount; ++s)
      std::printf(" %s %.2f s", unrest::stageName(unrest::Stage(s)), sim.profile().seconds[s]);
    std::printf("\n");
  }
  return interrupted ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  unrest::preferPassiveWaiting(argv);
  // A file grown past the size limit (ulimit -f) is then a failed write the outputs report, not a kill.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"unrest: crowds and civil unrest, simulated"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("unrest ") + UNREST_VERSION);
  RunOptions opt;

  auto addScenarioOptions = [&](CLI::App* cmd, bool required = true) {
    cmd->add_option("scenario", opt.scenario, "Scenario file (YAML)")->required(required);
    cmd->add_option("--set", opt.overrides, "Override a scenario value: key.path=value (repeatable)");
    cmd->add_option("--seed", opt.seed, "Random seed (overrides the scenario's seed)")->check(CLI::NonNegativeNumber);
  };
  CLI::App* run = app.add_subcommand("run", "Run a scenario headless and write metrics.csv, events.jsonl, summary.json");
  addScenarioOptions(run);
  run->add_option("--threads", opt.threads, "Worker threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, 1024));
  run->add_option("--out", opt.out, "Output directory (default: out/<scenario name>)");
  run->add_flag("--quiet", opt.quiet, "No progress line");
  run->add_flag("--profile", opt.profile, "Print the time spent in each pipeline stage");
  run->add_flag("--overwrite", opt.overwrite,
                "Replace the outputs of an earlier run in the output directory (those its manifest.txt lists; other files are kept)");
  CLI::Option* recordFlag = run->add_flag("--record", opt.record, "Also write run.sqlite: every person, vehicle and event, frame by frame (replay with unrest view --replay)");
  run->add_option("--record-interval", opt.recordInterval, "Simulated seconds between recorded frames (default 0.5)")
      ->check(CLI::PositiveNumber)
      ->needs(recordFlag);
  CLI::App* check = app.add_subcommand("check", "Validate a scenario without running it");
  addScenarioOptions(check);
  unrest::app::ViewOptions viewOptions;
  CLI::App* view = app.add_subcommand("view", "Watch a scenario in a window (or capture it headless); writes the outputs of run");
  addScenarioOptions(view, false);  // not with --replay
  unrest::app::addViewOptions(*view, viewOptions);
  CLI::App* validate = unrest::addValidateCommand(app);
  unrest::SweepOptions sweepOptions;
  CLI::App* sweep = unrest::app::addSweepCommand(app, sweepOptions);

  // CLI11 would answer a mistyped command with "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-' && app.get_subcommands([&](const CLI::App* c) { return c->check_name(argv[1]); }).empty()) {
    std::string names;
    for (const CLI::App* c : app.get_subcommands({})) names += (names.empty() ? "" : ", ") + c->get_name();
    std::fprintf(stderr, "unrest: unknown command '%s'; the commands are %s (unrest --help, or unrest COMMAND --help)\n",
                 argv[1], names.c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*check) return runCheck(opt);
    if (*view) {
      if (viewOptions.replay.empty() == opt.scenario.empty())
        throw std::runtime_error("view: give a SCENARIO to simulate, or --replay run.sqlite to play back a recorded run (not both)");
      if (!viewOptions.replay.empty() && (!opt.overrides.empty() || opt.seed >= 0 || viewOptions.threads > 0))
        throw std::runtime_error("view --replay: --set, --seed and --threads change a simulation; a replay shows the run as recorded");
      viewOptions.overrides = opt.overrides;
      return unrest::app::runView(viewOptions.replay.empty() ? load(opt.scenario, opt.overrides, opt.seed)
                                                             : unrest::app::scenarioOfReplay(viewOptions.replay),
                                  viewOptions);
    }
    if (*validate) return unrest::runValidateCommand();
    if (*sweep) return unrest::app::runSweepCommand(sweepOptions);
    return runSimulation(opt);
  } catch (const unrest::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unrest: error: %s\n", e.what());
    return 1;
  }
}
