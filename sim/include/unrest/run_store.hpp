// The run store: `run.sqlite`, a whole run in one SQLite file, frame by frame. It holds JuPedSim's trajectory schema
// (version 2: trajectory_data, metadata, geometry, frame_data), which PedPy and JuPedSim's tools read as they are,
// and unrest's own tables (frames, people, vehicles, checkpoints, events), from which the viewer replays the run.
// The schema is documented in docs/run-store.md.
//
// RunRecorder observes a run as OutputWriter does: it reads only the simulation's public state after each step. SQLite
// work runs on a thread of its own, fed with copies of whole frames, so the step waits only for the copy. Frames
// are committed a batch at a time: a run killed at any moment leaves a valid database ending on a whole frame.
#pragma once

#include "unrest/driver.hpp"
#include "unrest/simulation.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace unrest {

struct RecordOptions {
  double interval = 0.5;                // simulated seconds between frames; a multiple of clock.dt
  std::vector<std::string> overrides;   // the --set overrides (and seed) the run was loaded with, for replays
};

struct FrameCopy;

class RunRecorder : public Observer<Simulation> {
public:
  // Creates `directory` if needed and replaces any run.sqlite there; throws std::runtime_error naming the file (or
  // the option) on failure. Writes frame 0, the state before the first step.
  RunRecorder(const Simulation& sim, const std::string& directory, const RecordOptions& options = {});
  ~RunRecorder() override;
  RunRecorder(const RunRecorder&) = delete;
  RunRecorder& operator=(const RunRecorder&) = delete;

  // Call after every step; copies a frame when the step ends on a frame time. Rethrows a failure of the writer.
  void afterStep(const Simulation& sim) override;
  // Writes the last events and the run's end into the metadata, and closes the file as one plain SQLite file.
  void finish(const Simulation& sim, double wallSeconds, bool interrupted);
  void finish(const Simulation& sim, const RunEnd& end) override { finish(sim, end.wallSeconds, end.interrupted); }

  const std::string& path() const { return path_; }
  std::int64_t frames() const { return frames_; }  // frames handed to the writer so far

private:
  struct Writer;
  void fill(const Simulation& sim, FrameCopy& copy);
  std::string path_;
  std::int64_t everySteps_ = 1, frames_ = 0;
  std::uint32_t peopleWritten_ = 0;  // ids below this are in the people table
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<FrameCopy> pending_;  // the next frame's copy, collecting events
  std::vector<float> oriX_, oriY_;  // per id: the last heading, kept while a person stands still
};

// One person in a recorded frame (the `state` blob of the frames table, 32 bytes each, little-endian).
struct RecordedPerson {
  std::uint32_t id = 0;
  float x = 0, y = 0, vx = 0, vy = 0, fear = 0, pressure = 0;
  std::uint8_t state = 0, role = 0, faction = 0, condition = 0;
};
static_assert(sizeof(RecordedPerson) == 32);

struct RecordedVehicle {
  int vehicle = 0;
  float x = 0, y = 0, heading = 0, speed = 0;
};

struct RecordedFrame {
  std::int64_t frame = -1, step = 0;
  double time = 0.0;
  std::int64_t spawned = 0, waiting = 0;
  MetricsRow row;  // the fields of the last metrics row the viewer shows (see RunStore::readFrame)
  std::array<std::int64_t, kInjuryCauseCount> injuries{};
  std::vector<RecordedPerson> people;  // everyone spawned and not exited, in the simulation's (drawing) order
  std::vector<RecordedVehicle> vehicles;  // those on the map
  std::vector<CheckpointCounts> checkpoints;  // every checkpoint
};

// Reads a run store. Throws std::runtime_error naming the file and what is wrong (not SQLite, not a run store of
// this version, a missing table).
class RunStore {
public:
  explicit RunStore(const std::string& path);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  const std::string& path() const { return path_; }
  std::string metadata(const std::string& key) const;  // "" when absent
  // The scenario file the run was recorded from, and the overrides (seed included) to load it with as it ran.
  std::string scenarioFile() const { return metadata("scenario_file"); }
  std::vector<std::string> overrides() const;
  std::int64_t frameCount() const { return frameCount_; }
  double interval() const { return interval_; }
  std::int64_t stepsPerFrame() const { return everySteps_; }
  // The frame with this number (0 <= frame < frameCount()), into `out`, reusing its buffers.
  void readFrame(std::int64_t frame, RecordedFrame& out);
  // Per id, as spawned: population, radius, desired speed.
  const std::vector<std::uint16_t>& population() const { return population_; }
  const std::vector<float>& radius() const { return radius_; }
  const std::vector<float>& desiredSpeed() const { return desiredSpeed_; }
  // Up to `count` events of steps up to `step`, oldest first.
  std::vector<Event> eventsUpTo(std::int64_t step, int count);

private:
  struct Db;
  std::string path_;
  std::unique_ptr<Db> db_;
  std::int64_t frameCount_ = 0, everySteps_ = 1;
  double interval_ = 0.5;
  std::vector<std::uint16_t> population_;
  std::vector<float> radius_, desiredSpeed_;
};

}  // namespace unrest
