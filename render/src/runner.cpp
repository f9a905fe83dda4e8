#include "unrest/render/runner.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <utility>

namespace unrest::render {

namespace {
constexpr std::size_t kFeedLength = 40;
// When the simulation falls this far behind the requested speed it stops trying to catch up.
constexpr double kMaxLagSeconds = 0.25;
}  // namespace

SimRunner::SimRunner(const Scenario& scenario, const World& world, int threads, const std::string& outDir, Extras extras)
    : scenario_(scenario),
      original_(scenario),
      run_(std::make_unique<ScenarioRun>(scenario_, world, threads)),
      writer_(std::make_unique<OutputWriter>(run_->sim(), outDir, run_->measurement())),
      extras_(std::move(extras)) {
  publish(false);  // the empty street before the first step
}

SimRunner::~SimRunner() {
  try {
    stop();
  } catch (...) {  // reported by an explicit stop() on every normal path
  }
}

void SimRunner::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  reanchor();
  thread_ = std::thread([this] {
    try {
      drive();
    } catch (...) {  // an output that cannot be written: hand it to whoever stops the runner
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
      outputsClosed_ = true;
      latestFinished_ = true;
      published_.notify_all();
    }
  });
}

void SimRunner::reanchor() {
  wallAnchor_ = Clock::now();
  simAnchor_ = run_->sim().time();
}

void SimRunner::setPaused(bool paused) {
  std::lock_guard lock(mutex_);
  if (paused_ && !paused) reanchor();
  paused_ = paused;
  wake_.notify_all();
}

bool SimRunner::paused() const {
  std::lock_guard lock(mutex_);
  return paused_;
}

void SimRunner::stepOnce() {
  std::lock_guard lock(mutex_);
  paused_ = true;
  ++stepRequests_;
  wake_.notify_all();
}

void SimRunner::setSpeed(double speed) {
  std::lock_guard lock(mutex_);
  speed_ = speed;
  reanchor();
  wake_.notify_all();
}

double SimRunner::speed() const {
  std::lock_guard lock(mutex_);
  return speed_;
}

void SimRunner::runTo(std::int64_t step) {
  std::lock_guard lock(mutex_);
  holdStep_ = step;
  if (paused_) reanchor();
  paused_ = false;
  wake_.notify_all();
}

bool SimRunner::latest(Snapshot& out) {
  std::lock_guard lock(mutex_);
  if (!fresh_) return false;
  std::swap(out, latest_);
  fresh_ = false;
  return true;
}

void SimRunner::waitFor(std::int64_t step, Snapshot& out) {
  std::unique_lock lock(mutex_);
  published_.wait(lock, [&] { return latestFinished_ || latestStep_ >= step; });
  if (!fresh_) return;  // the caller already holds the newest
  std::swap(out, latest_);
  fresh_ = false;
}

void SimRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  if (!outputsClosed_) drive();  // never started: stop_ is set, so this only closes the outputs
}

void SimRunner::publish(bool finished) {
  const Simulation& sim = run_->sim();
  capture(sim, spare_);
  if (extras_) extras_(sim, spare_);
  spare_.feed.assign(feed_.begin(), feed_.end());
  spare_.interventions = interventions_;
  for (ScheduledIntervention& i : spare_.interventions) i.applied = i.time < sim.time() - 1e-9;
  spare_.interventionNote = interventionNote_;
  spare_.finished = finished;
  // Measured speed over the last second of samples.
  spare_.speed = 0.0;
  if (speedSamples_.size() >= 2) {
    const double wall = std::chrono::duration<double>(speedSamples_.back().first - speedSamples_.front().first).count();
    if (wall > 0) spare_.speed = (speedSamples_.back().second - speedSamples_.front().second) / wall;
  }
  std::lock_guard lock(mutex_);
  spare_.paused = paused_ || finished;
  std::swap(spare_, latest_);
  fresh_ = true;
  latestStep_ = latest_.step;
  latestFinished_ = finished;
  published_.notify_all();
}

void SimRunner::drive() {
  run_->drive({writer_.get(), &pacer_});
  if (interventionsAllowed_) {
    // What a headless run of the file repeats: the interventions that took effect.
    const double end = run_->sim().time();
    std::erase_if(interventions_, [&](const ScheduledIntervention& i) { return i.time >= end - 1e-9; });
    writeInterventions(interventions_);
  }
  outputsClosed_ = true;
  publish(true);
}

bool SimRunner::waitForStep() {
  const Simulation& sim = run_->sim();
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop_) return false;
    if (!commands_.empty()) {
      // Between steps, so the next step sees the timeline as a file with these events gives it.
      const std::vector<InterventionCommand> commands = std::exchange(commands_, {});
      lock.unlock();
      takeInterventions(commands);
      publish(false);
      lock.lock();
      continue;
    }
    if (stepRequests_ > 0) {
      --stepRequests_;
      return true;
    }
    if (holdStep_ >= 0 && sim.stepIndex() >= holdStep_) paused_ = true;
    if (paused_) {
      wake_.wait(lock);
      continue;
    }
    if (speed_ > 0) {
      // Step when the wall clock reaches the time this step is due at the requested speed.
      const double ahead = (sim.time() + sim.dt() - simAnchor_) / speed_;
      const auto due = wallAnchor_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(ahead));
      const auto now = Clock::now();
      if (now < due) {
        wake_.wait_until(lock, due);
        continue;
      }
      if (std::chrono::duration<double>(now - due).count() > kMaxLagSeconds) reanchor();
    }
    return true;
  }
}

void SimRunner::afterStep() {
  const Simulation& sim = run_->sim();
  const auto end = Clock::now();
  for (const Event& e : sim.stepEvents()) {
    feed_.push_back({e.time, e.type, describeEvent(scenario_, e)});
    if (feed_.size() > kFeedLength) feed_.pop_front();
  }
  speedSamples_.emplace_back(end, sim.time());
  while (speedSamples_.size() > 2 && end - speedSamples_.front().first > std::chrono::seconds(1)) speedSamples_.pop_front();

  bool held = false, wanted = false;
  {
    std::lock_guard lock(mutex_);
    held = holdStep_ >= 0 && sim.stepIndex() >= holdStep_;
    if (held) paused_ = true;
    wanted = !fresh_ || paused_;  // the reader took the last one, or it must see where we stopped
  }
  if (sim.done()) return;  // the finished run is published once the outputs are closed
  if (wanted || held) publish(false);
}

void SimRunner::allowInterventions(std::vector<std::string> overrides) {
  std::lock_guard lock(mutex_);
  interventionsAllowed_ = true;
  overrides_ = std::move(overrides);
  std::error_code ec;
  std::filesystem::remove(interventionsPath(), ec);  // a stale file of an earlier run would mislead
}

std::string SimRunner::interventionsPath() const {
  return (std::filesystem::path(writer_->directory()) / "interventions.yaml").string();
}

void SimRunner::intervene(const Intervention& what) {
  std::lock_guard lock(mutex_);
  if (!interventionsAllowed_) return;
  commands_.push_back({what});
  wake_.notify_all();
}

void SimRunner::withdrawLastIntervention() {
  std::lock_guard lock(mutex_);
  if (!interventionsAllowed_) return;
  commands_.push_back({std::nullopt});
  wake_.notify_all();
}

void SimRunner::takeInterventions(const std::vector<InterventionCommand>& commands) {
  const Simulation& sim = run_->sim();
  const double now = sim.time();
  for (const InterventionCommand& command : commands) {
    std::vector<ScheduledIntervention> list = interventions_;
    std::string label;
    if (!command.add) {
      // Those pending are the last ones: each was scheduled after all before it.
      if (list.empty() || list.back().time < now - 1e-9) {
        interventionNote_ = "nothing to undo: every intervention has taken effect";
        continue;
      }
      label = list.back().label;
      list.pop_back();
    } else {
      if (!sim.modelActive()) {
        interventionNote_ = "refused: this scenario has no unrest model to act on";
        continue;
      }
      std::string refusal;
      const auto scheduled = scheduleIntervention(scenario_, *command.add, interventionTime(now), refusal);
      if (!scheduled) {
        interventionNote_ = "refused: " + refusal;
        continue;
      }
      label = scheduled->label;
      list.push_back(*scheduled);
    }
    std::string why;
    if (reschedule(list, why)) {
      interventions_ = std::move(list);
      interventionNote_ = (command.add ? "queued: " : "undone: ") + label;
    } else {
      interventionNote_ = "refused: " + label + ": " + why;
    }
  }
}

bool SimRunner::reschedule(const std::vector<ScheduledIntervention>& list, std::string& why) {
  if (list.empty()) {
    adoptTimeline(scenario_, original_);
    writeInterventions(list);
    return true;
  }
  writeInterventions(list);
  std::optional<std::string> problem;
  try {
    // Read back as `unrest run` reads it, so the live timeline is the file's.
    const Scenario changed = loadScenario(interventionsPath(), overridesOutsideFile(overrides_));
    problem = liveIncompatibility(scenario_, changed, run_->sim().time());
    if (!problem) adoptTimeline(scenario_, changed);
  } catch (const std::exception& e) {
    problem = e.what();
  }
  if (!problem) return true;
  why = *problem;
  writeInterventions(interventions_);
  return false;
}

void SimRunner::writeInterventions(const std::vector<ScheduledIntervention>& list) const {
  const std::string path = interventionsPath();
  if (list.empty()) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return;
  }
  // Whole or not at all: the file is read back at once as the scenario the run goes on with.
  writeFileAtomically(path, interventionsFile(original_, writer_->directory(), overrides_, list));
}

}  // namespace unrest::render
