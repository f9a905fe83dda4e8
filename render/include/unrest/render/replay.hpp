// A recorded run played back from its run store (run.sqlite): the same snapshots a live run publishes, frame by frame,
// forwards or backwards at any speed, and sought to any time by reading that one frame.
#pragma once

#include "unrest/render/source.hpp"
#include "unrest/run_store.hpp"
#include "unrest/scenario.hpp"

#include <chrono>
#include <cstdint>

namespace unrest::render {

// Fills `out` with a recorded frame as capture() fills it from a live simulation, and the feed with the events up to it.
void snapshotFromRecord(const Scenario& sc, RunStore& store, const RecordedFrame& frame, Snapshot& out);

class ReplaySource : public SnapshotSource {
public:
  // `scenario` is the one the run was recorded with (see RunStore metadata scenario_file and overrides). Starts paused.
  ReplaySource(const Scenario& scenario, RunStore& store);

  void start() override;
  void setPaused(bool paused) override;
  bool paused() const override { return paused_; }
  void stepOnce() override;
  void setSpeed(double speed) override;
  double speed() const override { return speed_; }
  void runTo(std::int64_t step) override;
  bool latest(Snapshot& out) override;
  void waitFor(std::int64_t step, Snapshot& out) override;
  void stop() override {}
  double dt() const override { return scenario_.clock.dt; }
  std::int64_t totalSteps() const override { return (store_.frameCount() - 1) * store_.stepsPerFrame(); }

  bool seekable() const override { return true; }
  void seek(double time) override;
  void stepBack() override;
  void setBackwards(bool backwards) override;
  bool backwards() const override { return backwards_; }
  double endTime() const override { return double(store_.frameCount() - 1) * store_.interval(); }

private:
  using Clock = std::chrono::steady_clock;
  // The replay's position now, in simulated seconds.
  double now() const;
  void anchor();
  std::int64_t frameAt(double time) const;

  const Scenario& scenario_;
  RunStore& store_;
  RecordedFrame frame_;
  bool paused_ = true, backwards_ = false, started_ = false, ended_ = false;
  double speed_ = 1.0;     // 0: as fast as frames can be read
  double position_ = 0.0;  // s, at the anchor
  Clock::time_point wallAnchor_;
  std::int64_t published_ = -1;  // the frame last handed out
};

}  // namespace unrest::render
