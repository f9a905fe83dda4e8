// Where the viewer's snapshots come from: a simulation stepping on its own thread (SimRunner), or a recorded run read
// back from its run store (ReplaySource). The window, the captures and the drawing use only this interface, so a
// replay is drawn by exactly the code that draws a live run.
#pragma once

#include "unrest/render/interventions.hpp"
#include "unrest/render/snapshot.hpp"

#include <cstdint>

namespace unrest::render {

class SnapshotSource {
public:
  virtual ~SnapshotSource() = default;

  virtual void start() = 0;
  virtual void setPaused(bool paused) = 0;
  virtual bool paused() const = 0;
  // One step (a live run) or one frame (a replay) on, then hold.
  virtual void stepOnce() = 0;
  // Simulated seconds per wall second; 0 (or less) as fast as possible.
  virtual void setSpeed(double speed) = 0;
  virtual double speed() const = 0;
  // Goes on (unpaused) and holds at `step`, publishing a snapshot of that moment; -1 removes the hold.
  virtual void runTo(std::int64_t step) = 0;
  // Takes the newest snapshot into `out` if there is one since the last call; false when there is nothing new.
  virtual bool latest(Snapshot& out) = 0;
  // Blocks until a snapshot of step >= `step` (or of the end) is available, and takes it.
  virtual void waitFor(std::int64_t step, Snapshot& out) = 0;
  // Stops, and closes whatever the source writes; rethrows what it could not handle.
  virtual void stop() = 0;
  virtual double dt() const = 0;
  virtual std::int64_t totalSteps() const = 0;

  // A recorded run can also be sought, stepped back and played backwards; a live one cannot.
  virtual bool seekable() const { return false; }
  virtual void seek(double /*time*/) {}
  virtual void stepBack() {}
  virtual void setBackwards(bool /*backwards*/) {}
  virtual bool backwards() const { return false; }
  virtual double endTime() const { return 0.0; }

  // A live run takes interventions (interventions.hpp), queued here from the drawing thread and applied on the
  // simulation's own between steps; their fate shows in the snapshots. A replay takes none.
  virtual bool intervenes() const { return false; }
  virtual void intervene(const Intervention& /*what*/) {}
  // Takes back the last intervention that has not taken effect yet.
  virtual void withdrawLastIntervention() {}
};

}  // namespace unrest::render
