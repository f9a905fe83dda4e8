// unrest: the command line. Every user error ends here as one clear message and a non-zero exit code.
#include "run_lattice.hpp"
#include "view.hpp"

#include "sweep.hpp"
#include "unrest/checkpoint.hpp"
#include "unrest/memory.hpp"
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
#include <charconv>
#include <chrono>
#include <cmath>
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
  std::string checkpointEvery;  // a duration of simulated time, or empty
  std::string resume;           // the output folder of a checkpointed run, or empty
};

// Seconds of "300", "300s", "5m" or "1h".
double parseDuration(const std::string& text, const char* option) {
  double value = 0.0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, value);
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  const double scale = unit.empty() || unit == "s" ? 1.0 : unit == "m" ? 60.0 : unit == "h" ? 3600.0 : 0.0;
  if (ec != std::errc{} || scale == 0.0 || !std::isfinite(value) || value <= 0.0)
    throw std::runtime_error(std::string(option) + ": '" + text +
                             "' is not a duration (expected simulated time above zero: 300, 300s, 5m or 1h)");
  return value * scale;
}

unrest::Scenario load(const std::string& path, const std::vector<std::string>& overrides, std::int64_t seed) {
  return unrest::loadScenario(path, unrest::withSeed(overrides, seed));
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
  // Rates count from the state `sim` is in now (a resumed run's checkpoint).
  ProgressLine(bool quiet, const unrest::Simulation& sim)
      : quiet_(quiet), tty_(isatty(STDERR_FILENO)), startTime_(sim.time()), startAgentSteps_(sim.agentSteps()) {}
  void afterStep(const unrest::Simulation& sim) override {
    if (quiet_) return;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - lastReport_).count() < (tty_ ? 0.5 : 10.0) && !sim.done()) return;
    lastReport_ = now;
    const unrest::Scenario& sc = sim.scenario();
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double rate = wall > 0 ? (sim.time() - startTime_) / wall : 0.0;
    const double eta = rate > 0 ? (sc.clock.duration - sim.time()) / rate : 0.0;
    std::fprintf(stderr, "%s[%s] t=%.0f/%.0f s  people %lld  %.2fM agent-steps/s  %.1fx real time  ETA %s%s",
                 tty_ ? "\r" : "", unrest::formatClock(sc.clock.startTimeOfDay + sim.time()).c_str(), sim.time(),
                 sc.clock.duration, static_cast<long long>(sim.active()),
                 wall > 0 ? double(sim.agentSteps() - startAgentSteps_) / wall / 1e6 : 0.0, rate, unrest::formatDuration(eta).c_str(),
                 tty_ ? "   " : "\n");
  }
  void finish(const unrest::Simulation&, const unrest::RunEnd&) override {
    if (!quiet_ && tty_) std::fprintf(stderr, "\n");
  }

private:
  using Clock = std::chrono::steady_clock;
  bool quiet_, tty_;
  double startTime_;
  std::int64_t startAgentSteps_;
  Clock::time_point start_ = Clock::now(), lastReport_ = start_;
};

// A continuous run ready to drive: its scenario, the run, its outputs, and what else watches it.
struct RunSetup {
  std::unique_ptr<unrest::Scenario> scenario;
  std::unique_ptr<unrest::ScenarioRun> run;
  std::unique_ptr<unrest::OutputWriter> writer;
  std::unique_ptr<unrest::RunRecorder> recorder;
  std::unique_ptr<unrest::Checkpointer> checkpointer;
  int threads = 1;
};

int threadsFor(const RunOptions& opt) {
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  omp_set_num_threads(threads);
  return threads;
}

double checkpointInterval(const RunOptions& opt) {
  return opt.checkpointEvery.empty() ? 0.0 : parseDuration(opt.checkpointEvery, "--checkpoint-every");
}

void refuseLatticeCheckpoints(const unrest::Scenario& sc) {
  if (sc.movement == unrest::Movement::Lattice)
    throw std::runtime_error(sc.file + ": the lattice world (movement: lattice) has no checkpoints (expected a "
                             "continuous scenario with --checkpoint-every or --resume)");
}

RunSetup startRun(const RunOptions& opt, unrest::Scenario sc, const std::string& outDir) {
  RunSetup r;
  const double every = checkpointInterval(opt);
  if (every > 0 && opt.record)
    throw std::runtime_error("run: --record and --checkpoint-every do not go together (a resumed run cannot continue "
                             "run.sqlite); record a run, or checkpoint it");
  r.scenario = std::make_unique<unrest::Scenario>(std::move(sc));
  r.threads = threadsFor(opt);
  r.run = std::make_unique<unrest::ScenarioRun>(*r.scenario, r.threads);
  const unrest::Simulation& sim = r.run->sim();
  // A checkpoint left by an earlier run in this folder is among the outputs this run refuses or replaces.
  unrest::claimOutputDirectory(outDir, opt.overwrite, opt.scenario);
  r.writer = std::make_unique<unrest::OutputWriter>(sim, outDir, r.run->measurement());
  if (opt.record) r.recorder = std::make_unique<unrest::RunRecorder>(sim, outDir, unrest::RecordOptions{opt.recordInterval, opt.overrides});
  if (every > 0)
    r.checkpointer = std::make_unique<unrest::Checkpointer>(
        *r.run, *r.writer, unrest::identifyRun(opt.scenario, opt.overrides, opt.seed, every), outDir);
  return r;
}

// The run of a checkpoint in `opt.resume`, set up where the checkpoint left it.
RunSetup resumeRun(const RunOptions& opt) {
  if (!opt.scenario.empty() || !opt.overrides.empty() || opt.seed >= 0 || !opt.out.empty() || opt.record || opt.overwrite)
    throw std::runtime_error("run --resume: the scenario, --set, --seed and --out are the checkpoint's, --overwrite would "
                             "remove what it continues, and --record cannot continue (expected only --threads, --quiet, "
                             "--profile or --checkpoint-every)");
  const std::string path = (std::filesystem::path(opt.resume) / unrest::kCheckpointFile).string();
  if (std::error_code ec; !std::filesystem::exists(path, ec))
    throw unrest::CheckpointError(path + ": no checkpoint to resume from (expected the output folder of a run started "
                                  "with --checkpoint-every that did not finish: a finished run removes its checkpoint)");
  unrest::CheckpointReader reader(path);
  unrest::RunIdentity identity = reader.identity();
  unrest::checkUnchanged(identity, path);
  if (!opt.checkpointEvery.empty()) identity.checkpointEvery = checkpointInterval(opt);
  RunSetup r;
  r.scenario = std::make_unique<unrest::Scenario>(unrest::loadScenario(identity.scenarioAbsolute, identity.loadOverrides()));
  r.scenario->file = identity.scenario;  // as the run was started, for summary.json
  refuseLatticeCheckpoints(*r.scenario);
  r.threads = threadsFor(opt);
  r.run = std::make_unique<unrest::ScenarioRun>(*r.scenario, r.threads);
  r.writer = std::make_unique<unrest::OutputWriter>(r.run->sim(), opt.resume, r.run->measurement(), &reader.offsets());
  reader.restore(*r.run, *r.writer);
  r.checkpointer = std::make_unique<unrest::Checkpointer>(*r.run, *r.writer, std::move(identity), opt.resume);
  if (!opt.quiet)
    std::fprintf(stderr, "Resuming '%s' from %s at t = %.0f s (step %lld)\n", r.scenario->name.c_str(), path.c_str(),
                 r.run->sim().time(), static_cast<long long>(r.run->sim().stepIndex()));
  return r;
}

int runSimulation(const RunOptions& opt) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  RunSetup setup;
  if (!opt.resume.empty()) {
    setup = resumeRun(opt);
  } else {
    if (opt.scenario.empty()) throw std::runtime_error("run: give a SCENARIO to run, or --resume DIR to continue a checkpointed run");
    unrest::Scenario sc = load(opt.scenario, opt.overrides, opt.seed);
    if (sc.movement == unrest::Movement::Lattice) {
      if (!opt.checkpointEvery.empty()) refuseLatticeCheckpoints(sc);
      std::signal(SIGINT, onSignal);
      std::signal(SIGTERM, onSignal);
      return unrest::cli::runLattice(sc, opt.out, opt.overwrite, opt.quiet, gStopRequested);
    }
    const std::string outDir = opt.out.empty() ? (std::filesystem::path("out") / sc.name).string() : opt.out;
    setup = startRun(opt, std::move(sc), outDir);
  }
  const unrest::Scenario& sc = *setup.scenario;
  const int threads = setup.threads;
  const unrest::Simulation& sim = setup.run->sim();
  unrest::OutputWriter& writer = *setup.writer;
  const auto& recorder = setup.recorder;
  const double setupSeconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  ProgressLine progress(opt.quiet, sim);
  const double startTime = sim.time();
  const std::int64_t startAgentSteps = sim.agentSteps();
  unrest::RunEnd end;
  try {
    // The checkpointer last: the files whose sizes it records then hold the step.
    end = setup.run->drive({&writer, recorder.get(), &progress, setup.checkpointer.get()}, &gStopRequested);
  } catch (const unrest::OutputError& e) {
    throw unrest::OutputError(std::string(e.what()) + "; the run stopped at " +
                              unrest::formatClock(sc.clock.startTimeOfDay + sim.time()) + " (" + std::to_string(int(sim.time())) +
                              " s simulated), and the files written so far end on whole rows and lines");
  }
  const double wall = end.wallSeconds;
  const bool interrupted = end.interrupted;

  const auto& row = sim.lastRow();
  const double simulated = sim.time() - startTime;
  std::printf("%s '%s' (seed %llu): %.0f s simulated%s in %.1f s (+%.1f s setup), %.1fx real time, %.2fM agent-steps/s on %d threads\n",
              interrupted ? "Interrupted" : "Finished", sc.name.c_str(), static_cast<unsigned long long>(sc.seed),
              simulated, startTime > 0 ? (" (from " + std::to_string(std::lround(startTime)) + " s on)").c_str() : "",
              wall, setupSeconds, wall > 0 ? simulated / wall : 0.0,
              wall > 0 ? double(sim.agentSteps() - startAgentSteps) / wall / 1e6 : 0.0, threads);
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
  if (const auto* c = setup.checkpointer.get(); c && c->written() > 0)
    std::printf("  checkpoints: %lld written, the last %zu bytes, %.1f ms each\n", static_cast<long long>(c->written()),
                c->lastBytes(), 1e3 * c->writeSeconds() / double(c->written()));
  // A finished run needs no checkpoint; a stopped one resumes from its last.
  if (!interrupted && setup.checkpointer) std::filesystem::remove(std::filesystem::path(writer.directory()) / unrest::kCheckpointFile);
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
  unrest::returnFreedBlocksToSystem();
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
  addScenarioOptions(run, false);  // not with --resume
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
  run->add_option("--checkpoint-every", opt.checkpointEvery,
                  "Write the whole state to checkpoint.bin in the output folder every DURATION of simulated time "
                  "(300, 300s, 5m, 1h), so --resume can continue the run after a crash");
  run->add_option("--resume", opt.resume, "Continue the checkpointed run whose output folder is DIR, from its last checkpoint")
      ->type_name("DIR");
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
  } catch (const unrest::CheckpointError& e) {
    std::fprintf(stderr, "unrest: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unrest: error: %s\n", e.what());
    return 1;
  }
}
