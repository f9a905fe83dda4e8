// Ways to use the viewer: a live window with controls, headless captures (a screenshot at a time, a PNG sequence
// and a video), and a benchmark of drawing alone.
#pragma once

#include "unrest/render/interventions.hpp"
#include "unrest/render/source.hpp"
#include "unrest/render/viewer.hpp"

#include <SFML/Window/Event.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace unrest::render {

// True when an X display (a desktop, or Xvfb) can be opened; drawing needs one, even offscreen.
bool displayAvailable();

// The speeds the + and - keys step through; 0 is as fast as the machine can.
inline constexpr double kSpeeds[] = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 0};

struct SessionOptions {
  double speed = 1.0;  // simulated seconds per wall second; 0: as fast as possible
  bool startPaused = false;
  bool exitAtEnd = false;         // close the window when the run ends (for scripts)
  std::string screenshotDir = ".";  // where the screenshot key writes
  const std::atomic<bool>* stopRequested = nullptr;  // set by a signal handler: close as if the window were closed
};

// The window's controls: runInteractive hands every window event to handle(), and a test can hand it the same
// events, with the same effects (keys, clicks, drags, interventions).
class Controls {
public:
  Controls(SnapshotSource& source, Viewer& viewer, const SessionOptions& options);
  // Reacts to one event; false when the event asks for the window to close.
  bool handle(const sf::Event& event);
  // Takes the source's newest snapshot, if any; returns the one held.
  const Snapshot& refresh();
  const Snapshot& snapshot() const { return snap_; }
  // The frame's information for drawing (speed, timeline, interventions).
  FrameInfo& frameInfo();

  // What the next click on the map does.
  enum class Tool { Inspect, Shots, Checkpoint, Rally };
  Tool tool() const { return tool_; }

private:
  void onKey(const sf::Event::KeyEvent& key);
  void onClick(int x, int y);
  void cycleTarget();
  std::string targetName() const;
  void intervene(Intervention what);

  SnapshotSource& source_;
  Viewer& viewer_;
  const SessionOptions& options_;
  const bool replay_;
  const int fastest_;
  int speedK_ = 0;
  Snapshot snap_;
  FrameInfo info_;
  bool dragging_ = false, dragged_ = false, scrubbing_ = false;
  sf::Vector2i dragFrom_;
  int shots_ = 0;
  Tool tool_ = Tool::Inspect;
  // The target of legitimacy and rally keys: 0 everyone, then each faction, then each population.
  int target_ = 0;
};

// Opens a window and runs until it is closed (or the run ends, with exitAtEnd). Returns 130 when stopped by
// stopRequested, else 0. The runner is stopped (and its outputs closed) before returning. A seekable source (a
// replay) gets the timeline bar, stepping back and playing backwards.
int runInteractive(SnapshotSource& runner, Viewer& viewer, const SessionOptions& options);

// Runs to `step` and writes the picture of that moment to `file`; throws std::runtime_error when it cannot.
void captureScreenshot(SnapshotSource& runner, Viewer& viewer, std::int64_t step, const std::string& file);

// Writes DIR/frame_000000.png, ... one frame every `speed / fps` simulated seconds up to `lastStep`, then, when
// ffmpeg is on the PATH, DIR/video.mp4 at `fps` frames per second. Returns the number of frames.
int recordFrames(SnapshotSource& runner, Viewer& viewer, const std::string& dir, double fps, double speed, std::int64_t lastStep);

struct BenchmarkResult {
  int frames = 0;
  double medianMs = 0, meanMs = 0, worstMs = 0;  // wall time per frame
  double cpuMsPerFrame = 0;                       // process CPU time per frame (all threads)
  DrawStats stats;
};
// Draws `snapshot` `frames` times in a window (after a few warm-up frames) and times each frame. With `advance`, each
// frame first replaces the snapshot by the next one (a replay playing: the frame read from the store is timed too).
BenchmarkResult benchmarkDrawing(Viewer& viewer, Snapshot& snapshot, int frames,
                                 const std::function<void(Snapshot&)>& advance = {});

}  // namespace unrest::render
