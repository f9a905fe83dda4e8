// Ways to use the viewer: a live window with controls, headless captures (a screenshot at a time, a PNG sequence
// and a video), and a benchmark of drawing alone.
#pragma once

#include "unrest/render/source.hpp"
#include "unrest/render/viewer.hpp"

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
