#include "run_lattice.hpp"

#include "unrest/lattice.hpp"
#include "unrest/lattice_output.hpp"
#include "unrest/output_file.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace unrest::cli {

namespace {

// The progress line on stderr: tick, actives, jailed, cops, legitimacy, outbursts, speed, ETA.
class LatticeProgress : public Observer<LatticeWorld> {
public:
  explicit LatticeProgress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}
  void afterStep(const LatticeWorld& world) override {
    if (quiet_) return;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - lastReport_).count() < (tty_ ? 0.5 : 10.0) && !world.done()) return;
    lastReport_ = now;
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double rate = wall > 0 ? double(world.tick()) / wall : 0.0;
    const LatticeRow& r = world.row();
    std::fprintf(stderr, "%s[tick %lld/%lld] active %lld  jailed %lld  cops %lld  L %.3f  outbursts %zu  %.0f ticks/s  ETA %.0fs%s",
                 tty_ ? "\r" : "", static_cast<long long>(world.tick()), static_cast<long long>(world.totalTicks()),
                 static_cast<long long>(r.active), static_cast<long long>(r.jailed),
                 static_cast<long long>(r.copsOnDuty), r.legitimacy, world.outbursts().outbursts().size(), rate,
                 rate > 0 ? double(world.totalTicks() - world.tick()) / rate : 0.0, tty_ ? "   " : "\n");
  }
  void finish(const LatticeWorld&, const RunEnd&) override {
    if (!quiet_ && tty_) std::fprintf(stderr, "\n");
  }

private:
  using Clock = std::chrono::steady_clock;
  bool quiet_, tty_;
  Clock::time_point start_ = Clock::now(), lastReport_ = start_;
};

}  // namespace

int runLattice(const Scenario& sc, const std::string& outDir, bool overwrite, bool quiet, const std::atomic<bool>& stop) {
  LatticeWorld world(sc);
  const std::string dir = outDir.empty() ? (std::filesystem::path("out") / sc.name).string() : outDir;
  claimOutputDirectory(dir, overwrite);
  LatticeOutputWriter writer(world, dir);
  LatticeProgress progress(quiet);
  Observer<LatticeWorld>* observers[] = {&writer, &progress};
  const RunEnd end = drive<LatticeWorld>(world, observers, &stop);
  const double wall = end.wallSeconds;
  const bool interrupted = end.interrupted;

  const LatticeRow& r = world.row();
  const OutburstStats s = world.outbursts().stats();
  std::printf("%s '%s' (seed %llu): %lld ticks in %.2f s, %.2fM turns/s\n", interrupted ? "Interrupted" : "Finished",
              sc.name.c_str(), static_cast<unsigned long long>(sc.seed), static_cast<long long>(world.tick()), wall,
              wall > 0 ? double(world.turns()) / wall / 1e6 : 0.0);
  std::printf("  at the end: %lld quiet, %lld active, %lld jailed of %zu agents; %lld of %zu cops on duty; legitimacy %.3f\n",
              static_cast<long long>(r.quiet), static_cast<long long>(r.active), static_cast<long long>(r.jailed),
              world.agentCount(), static_cast<long long>(r.copsOnDuty), world.copCount(), r.legitimacy);
  std::printf("  outbursts (more than %lld active): %lld%s, mean total activation %.0f, calm %.0f%% of ticks, "
              "mean wait %.1f ticks; peak %lld active at tick %lld\n",
              static_cast<long long>(world.outbursts().threshold()), static_cast<long long>(s.outbursts),
              s.ongoing ? " (the last still going)" : "", s.meanTotalActivation, 100.0 * s.calmFraction(), s.meanWait,
              static_cast<long long>(s.peakActives), static_cast<long long>(s.peakTick));
  std::printf("  outputs: %s/{metrics.csv, events.jsonl, summary.json}\n", writer.directory().c_str());
  return interrupted ? 130 : 0;
}

int checkLattice(const std::string& path, const Scenario& sc) {
  const LatticeDef& lat = sc.lattice;
  const LatticeView view(lat.neighbourhood, static_cast<int>(sc.civilViolence.vision));
  const double cells = double(lat.width) * double(lat.height);
  std::printf("%s: ok: lattice scenario '%s', %d x %d torus, %lld agents, %lld cops, vision %d (%s, %zu cells), "
              "%lld ticks, %zu timeline event%s\n",
              path.c_str(), sc.name.c_str(), lat.width, lat.height, std::llround(lat.agentDensity * cells),
              std::llround(lat.copDensity * cells), view.vision, neighbourhoodName(lat.neighbourhood), view.cells(),
              static_cast<long long>(lat.ticks), sc.events.size(), sc.events.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace unrest::cli
