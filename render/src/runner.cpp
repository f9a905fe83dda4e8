#include "unrest/render/runner.hpp"

#include <algorithm>
#include <utility>

namespace unrest::render {

namespace {
constexpr std::size_t kFeedLength = 40;
// When the simulation falls this far behind the requested speed it stops trying to catch up.
constexpr double kMaxLagSeconds = 0.25;
}  // namespace

SimRunner::SimRunner(const Scenario& scenario, const World& world, int threads, const std::string& outDir, Extras extras)
    : scenario_(scenario),
      run_(std::make_unique<ScenarioRun>(scenario, world, threads)),
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
  outputsClosed_ = true;
  publish(true);
}

bool SimRunner::waitForStep() {
  const Simulation& sim = run_->sim();
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop_) return false;
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

}  // namespace unrest::render
