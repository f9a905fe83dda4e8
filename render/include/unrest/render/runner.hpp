// The simulation side of the viewer: a thread that owns the Simulation and its OutputWriter, steps at its own pace
// and publishes snapshots for the drawing thread. It performs exactly the steps and writes exactly the outputs of
// `unrest run`; pausing, single steps, the speed setting and how often snapshots are taken change only when steps
// happen in wall time, never what they compute. So a viewed run's metrics.csv, events.jsonl and summary.json
// (apart from its performance block) equal a headless run's with the same scenario and seed.
#pragma once

#include "unrest/output.hpp"
#include "unrest/run.hpp"
#include "unrest/render/snapshot.hpp"
#include "unrest/render/source.hpp"
#include "unrest/scenario.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace unrest::render {

class SimRunner : public SnapshotSource {
public:
  // Fills the parts of a snapshot the population arrays do not hold (vehicles, checkpoints), on the simulation
  // thread, right after the people are copied.
  using Extras = std::function<void(const Simulation&, Snapshot&)>;

  // Opens the outputs in `outDir` (throws std::runtime_error naming the path when it cannot). Starts paused.
  SimRunner(const Scenario& scenario, const World& world, int threads, const std::string& outDir, Extras extras = {});
  ~SimRunner() override;
  SimRunner(const SimRunner&) = delete;
  SimRunner& operator=(const SimRunner&) = delete;

  void start() override;
  void setPaused(bool paused) override;
  bool paused() const override;
  // One step, then hold (whatever the pause state was).
  void stepOnce() override;
  // Simulated seconds per wall second; 0 (or less) runs as fast as the machine can.
  void setSpeed(double speed) override;
  double speed() const override;
  // Runs on (unpaused) and holds when the step count reaches `step`, publishing a snapshot of exactly that step;
  // -1 removes the hold.
  void runTo(std::int64_t step) override;

  // Takes the newest published snapshot into `out` if one arrived since the last call (the buffers are swapped,
  // not copied). Returns false when there is nothing new.
  bool latest(Snapshot& out) override;
  // Blocks until a snapshot of step >= `step` (or of the finished run) is published, and takes it.
  void waitFor(std::int64_t step, Snapshot& out) override;
  // Stops stepping, writes summary.json (completed: false unless the run had ended) and joins the thread.
  // Rethrows what the simulation thread could not handle (an output that cannot be written).
  void stop() override;

  // Takes interventions from now on; the scenario was loaded with `overrides` (--set and seed), which
  // interventions.yaml repeats. Call before start().
  void allowInterventions(std::vector<std::string> overrides);
  bool intervenes() const override { return interventionsAllowed_; }
  void intervene(const Intervention& what) override;
  void withdrawLastIntervention() override;
  // OUT/interventions.yaml: while the run goes, every intervention asked for; once it is over, those applied
  // (no file when there are none).
  std::string interventionsPath() const;

  const Simulation& simulationForSetup() const { return run_->sim(); }  // read only before start()
  const std::string& outputDirectory() const { return writer_->directory(); }
  double dt() const override { return run_->sim().dt(); }
  std::int64_t totalSteps() const override { return run_->sim().totalSteps(); }

private:
  using Clock = std::chrono::steady_clock;
  // The viewer's part in the run's driver: holds each step until the controls allow it, and publishes snapshots.
  class Pacer : public Observer<Simulation> {
  public:
    explicit Pacer(SimRunner& runner) : runner_(runner) {}
    bool beforeStep(const Simulation&) override { return runner_.waitForStep(); }
    void afterStep(const Simulation&) override { runner_.afterStep(); }

  private:
    SimRunner& runner_;
  };
  void drive();
  bool waitForStep();
  void afterStep();
  void publish(bool finished);
  void reanchor();
  // Simulation thread: what the viewer asked for (an empty `add` withdraws the last pending intervention).
  struct InterventionCommand {
    std::optional<Intervention> add;
  };
  void takeInterventions(const std::vector<InterventionCommand>& commands);
  // Makes `list` the run's interventions: interventions.yaml written and read back, its timeline adopted; false
  // (with the reason) when the run cannot take it live.
  bool reschedule(const std::vector<ScheduledIntervention>& list, std::string& why);
  void writeInterventions(const std::vector<ScheduledIntervention>& list) const;

  Scenario scenario_;  // the simulation's own: interventions change its timeline between steps
  const Scenario original_;
  std::unique_ptr<ScenarioRun> run_;
  std::unique_ptr<OutputWriter> writer_;
  Pacer pacer_{*this};
  Extras extras_;
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;       // to the simulation thread: controls changed
  std::condition_variable published_;  // to readers: a snapshot was published
  bool paused_ = true, stop_ = false, started_ = false, outputsClosed_ = false;
  std::exception_ptr error_;
  int stepRequests_ = 0;
  double speed_ = 1.0;
  std::int64_t holdStep_ = -1;
  Clock::time_point wallAnchor_;
  double simAnchor_ = 0.0;

  // Triple buffer: the simulation thread fills spare_, then swaps it with latest_ under the lock.
  Snapshot spare_, latest_;
  bool fresh_ = false;
  std::int64_t latestStep_ = -1;
  bool latestFinished_ = false;

  bool interventionsAllowed_ = false;
  std::vector<std::string> overrides_;
  std::vector<InterventionCommand> commands_;  // under mutex_

  // Owned by the simulation thread.
  std::vector<ScheduledIntervention> interventions_;
  std::string interventionNote_;
  std::deque<FeedItem> feed_;
  std::deque<std::pair<Clock::time_point, double>> speedSamples_;
};

}  // namespace unrest::render
