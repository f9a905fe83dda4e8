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
      sim_(std::make_unique<Simulation>(scenario, world, threads)),
      writer_(std::make_unique<OutputWriter>(*sim_, outDir)),
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
      loop();
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
  simAnchor_ = sim_->time();
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
  if (!outputsClosed_) {  // never started, or the thread left before closing them
    finishOutputs();
    publish(true);
  }
}

void SimRunner::finishOutputs() {
  const bool interrupted = !sim_->done();
  // As `unrest run` does: a stopped run ends with a row for the moment it stopped.
  if (interrupted && sim_->recordNow()) writer_->afterStep(*sim_);
  writer_->finish(*sim_, busySeconds_, interrupted);
  outputsClosed_ = true;
}

void SimRunner::publish(bool finished) {
  capture(*sim_, spare_);
  if (extras_) extras_(*sim_, spare_);
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

void SimRunner::loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      bool go = false;
      while (!go) {
        if (stop_ || sim_->done()) break;
        if (stepRequests_ > 0) {
          --stepRequests_;
          go = true;
          break;
        }
        if (holdStep_ >= 0 && sim_->stepIndex() >= holdStep_) paused_ = true;
        if (paused_) {
          wake_.wait(lock);
          continue;
        }
        if (speed_ > 0) {
          // Step when the wall clock reaches the time this step is due at the requested speed.
          const double ahead = (sim_->time() + sim_->dt() - simAnchor_) / speed_;
          const auto due = wallAnchor_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(ahead));
          const auto now = Clock::now();
          if (now < due) {
            wake_.wait_until(lock, due);
            continue;
          }
          if (std::chrono::duration<double>(now - due).count() > kMaxLagSeconds) reanchor();
        }
        go = true;
      }
      if (!go) break;
    }
    const auto begin = Clock::now();
    sim_->step();
    writer_->afterStep(*sim_);
    const auto end = Clock::now();
    busySeconds_ += std::chrono::duration<double>(end - begin).count();
    for (const Event& e : sim_->stepEvents()) {
      feed_.push_back({e.time, e.type, describeEvent(scenario_, e)});
      if (feed_.size() > kFeedLength) feed_.pop_front();
    }
    speedSamples_.emplace_back(end, sim_->time());
    while (speedSamples_.size() > 2 && end - speedSamples_.front().first > std::chrono::seconds(1)) speedSamples_.pop_front();

    bool held = false, wanted = false;
    {
      std::lock_guard lock(mutex_);
      held = holdStep_ >= 0 && sim_->stepIndex() >= holdStep_;
      if (held) paused_ = true;
      wanted = !fresh_ || paused_;  // the reader took the last one, or it must see where we stopped
    }
    if (sim_->done()) break;
    if (wanted || held) publish(false);
  }
  finishOutputs();
  publish(true);
}

}  // namespace unrest::render
