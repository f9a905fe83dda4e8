// `unrest view`: the scenario in a window (or captured headless), simulated beside the drawing by a worker thread
// that writes the same outputs as `unrest run`.
#include "view.hpp"

#include "unrest/render/replay.hpp"
#include "unrest/render/runner.hpp"
#include "unrest/render/session.hpp"
#include "unrest/output_file.hpp"
#include "unrest/run_store.hpp"
#include "unrest/world.hpp"
#include "unrest/yaml_reader.hpp"

#include <omp.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace unrest::app {

namespace {

std::atomic<bool> gViewStop{false};
void onViewSignal(int) { gViewStop = true; }

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

// Seconds after the start: a number of seconds, or a time of day "HH:MM[:SS]" (the first time the clock shows it).
double parseRunTime(const Scenario& sc, const std::string& option, const std::string& text) {
  try {
    std::size_t used = 0;
    const double t = std::stod(text, &used);
    if (used == text.size() && t >= 0 && std::isfinite(t)) return t;
  } catch (const std::exception&) {
  }
  if (auto tod = parseTimeOfDay(text)) {
    double t = *tod - sc.clock.startTimeOfDay;
    if (t < 0) t += 86400.0;
    return t;
  }
  fail(option + " " + text + ": not a time (expected seconds after the start, or a time of day HH:MM[:SS])");
}

std::int64_t stepAt(const Scenario& sc, const std::string& option, const std::string& text) {
  const double t = parseRunTime(sc, option, text);
  if (t > sc.clock.duration + 1e-9) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s %s: after the end of the run (%.0f s after the start, clock.duration is %.0f s)",
                  option.c_str(), text.c_str(), t, sc.clock.duration);
    fail(buf);
  }
  return static_cast<std::int64_t>(std::llround(t / sc.clock.dt));
}

double parseSpeed(const std::string& text) {
  if (text == "max") return 0.0;
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v > 0 && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  fail("--speed " + text + ": expected a number > 0 (simulated seconds per second) or max");
}

// What a window or a capture shows, from either source.
struct Show {
  int width = 0, height = 0;
  double speed = 1.0;
  std::int64_t atStep = -1, untilStep = -1;
  std::string outDir;
};

int present(const Scenario& sc, const World& world, render::SnapshotSource& source, const ViewOptions& o, const Show& show,
            int field, const std::string& outputs) {
  using namespace unrest::render;
  source.setSpeed(show.speed);
  ViewerOptions vo;
  for (const FactionDef& f : sc.factions)
    vo.factions.push_back({f.name, sf::Color((f.colour >> 16) & 0xff, (f.colour >> 8) & 0xff, f.colour & 0xff)});
  vo.width = show.width;
  vo.height = show.height;
  vo.panels = !o.hidePanels;
  vo.detail = o.detail == "sprites" ? PeopleDetail::Sprites : PeopleDetail::Auto;
  Viewer viewer(sc, world, vo);
  if (!o.center.empty() || o.width > 0) {
    double cx = viewer.camera().centreX, cy = viewer.camera().centreY;
    if (!o.center.empty()) std::sscanf(o.center.c_str(), "%lf,%lf", &cx, &cy);
    viewer.lookAt(cx, cy, o.width > 0 ? o.width : viewer.camera().metresPerPixel * show.width);
  }
  const std::pair<const char*, Overlay> overlays[] = {{"none", Overlay::None}, {"density", Overlay::Density},
                                                      {"pressure", Overlay::Pressure}, {"fear", Overlay::Fear},
                                                      {"navigation", Overlay::Navigation}};
  for (const auto& [name, overlay] : overlays)
    if (o.overlay == name) viewer.setOverlay(overlay);
  viewer.setNavigationField(field);

  if (!o.screenshot.empty()) {
    captureScreenshot(source, viewer, show.atStep, o.screenshot);
    source.stop();
    std::printf("screenshot: %s (t = %.2f s)\n", o.screenshot.c_str(), double(show.atStep) * sc.clock.dt);
    return 0;
  }
  if (!o.record.empty()) {
    const int frames = recordFrames(source, viewer, o.record, o.fps, show.speed, show.untilStep);
    std::printf("recorded %d frames in %s%s\n", frames, o.record.c_str(), outputs.empty() ? "" : ("; outputs in " + outputs).c_str());
    return 0;
  }
  if (o.benchmarkFrames > 0) {
    const std::int64_t step = std::max<std::int64_t>(1, show.atStep);
    source.setSpeed(0);
    source.start();
    source.runTo(step);
    Snapshot snap;
    source.waitFor(step, snap);
    // A replay plays on, frame after frame, as at its fastest speed (back to the start at the end).
    std::function<void(Snapshot&)> advance;
    if (source.seekable())
      advance = [&](Snapshot& s) {
        if (s.step >= source.totalSteps()) source.seek(0.0);
        else source.stepOnce();
        source.latest(s);
      };
    const BenchmarkResult r = benchmarkDrawing(viewer, snap, o.benchmarkFrames, advance);
    source.stop();
    std::printf("{\"benchmark\": \"view\", \"scenario\": \"%s\", \"source\": \"%s\", \"people\": %zu, \"drawn\": %zu, \"quads\": %zu, "
                "\"splatted\": %s, \"metres_per_pixel\": %.4f, \"width\": %d, \"height\": %d, \"frames\": %d, "
                "\"ms_median\": %.2f, \"ms_mean\": %.2f, \"ms_worst\": %.2f, \"fps_median\": %.1f, \"fps_mean\": %.1f, "
                "\"cpu_ms_per_frame\": %.2f}\n",
                sc.name.c_str(), source.seekable() ? "replay" : "live", snap.size(), r.stats.peopleDrawn, r.stats.quads,
                r.stats.splatted ? "true" : "false", viewer.camera().metresPerPixel, show.width, show.height, r.frames,
                r.medianMs, r.meanMs, r.worstMs, r.medianMs > 0 ? 1e3 / r.medianMs : 0.0, r.meanMs > 0 ? 1e3 / r.meanMs : 0.0,
                r.cpuMsPerFrame);
    return 0;
  }
  std::signal(SIGINT, onViewSignal);
  std::signal(SIGTERM, onViewSignal);
  SessionOptions so;
  so.speed = show.speed;
  so.startPaused = o.paused;
  so.exitAtEnd = o.exitAtEnd;
  so.screenshotDir = show.outDir;
  so.stopRequested = &gViewStop;
  const int code = runInteractive(source, viewer, so);
  std::printf("%s '%s'%s\n", code ? "Interrupted" : "Closed", sc.name.c_str(), outputs.empty() ? "" : (": outputs in " + outputs).c_str());
  return code;
}

}  // namespace

Scenario scenarioOfReplay(const std::string& path) {
  const RunStore store(path);
  const std::string file = store.scenarioFile();
  if (!std::filesystem::exists(file))
    fail(path + ": the scenario it was recorded from, " + file + ", is not there any more (the replay draws its map)");
  return loadScenario(file, store.overrides());
}

void addViewOptions(CLI::App& cmd, ViewOptions& o) {
  cmd.add_option("--threads", o.threads, "Simulation threads (default: all cores); results do not depend on it")->check(CLI::Range(1, 1024));
  cmd.add_option("--out", o.out, "Output directory (default: out/<scenario name>), as for run");
  cmd.add_flag("--overwrite", o.overwrite, "Replace the outputs of an earlier run in the output directory, as for run");
  cmd.add_option("--speed", o.speed, "Simulated seconds per second, or max (default 1; keys + and - change it)");
  cmd.add_option("--size", o.size, "Window or image size in pixels, WIDTHxHEIGHT (default 1280x800)");
  cmd.add_option("--center", o.center, "Map point at the centre of the view, X,Y in metres (default: the whole map)");
  cmd.add_option("--width", o.width, "Metres shown across the view (default: the whole map)")->check(CLI::PositiveNumber);
  cmd.add_option("--overlay", o.overlay, "Overlay at the start")->check(CLI::IsMember({"none", "density", "pressure", "fear", "navigation"}));
  cmd.add_option("--destination", o.destination, "Zone whose navigation field the navigation overlay shows (keys n, b)");
  cmd.add_flag("--paused", o.paused, "Start paused");
  cmd.add_flag("--exit-at-end", o.exitAtEnd, "Close the window when the run ends");
  cmd.add_flag("--hide-panels", o.hidePanels, "No HUD, feed, legend (the tab key toggles them)");
  cmd.add_option("--screenshot", o.screenshot, "Headless: write a PNG of the moment --at and exit");
  cmd.add_option("--at", o.at, "Time of --screenshot or --benchmark-frames: seconds after the start, or HH:MM[:SS]");
  cmd.add_option("--record", o.record, "Headless: write a PNG sequence (and video.mp4 when ffmpeg is installed) to DIR");
  cmd.add_option("--fps", o.fps, "Frames per second of --record (default 25); each frame is speed/fps simulated seconds")->check(CLI::Range(0.01, 1000.0));
  cmd.add_option("--until", o.until, "End of --record (default: the end of the run)");
  cmd.add_option("--benchmark-frames", o.benchmarkFrames, "Time N frames of drawing alone (the simulation held at --at) and print a JSON line")->check(CLI::Range(1, 1000000));
  cmd.add_option("--replay", o.replay, "Play back a run.sqlite written by unrest run --record (no simulation; no scenario argument)");
  cmd.add_option("--detail", o.detail, "People as sprites always, or auto (splat bodies under 4 px)")->check(CLI::IsMember({"auto", "sprites"}));
}

int runView(const Scenario& sc, const ViewOptions& o) {
  using namespace unrest::render;
  if (!o.screenshot.empty() + !o.record.empty() + (o.benchmarkFrames > 0) > 1)
    fail("--screenshot, --record and --benchmark-frames do not go together (choose one)");
  if (!o.at.empty() && o.screenshot.empty() && o.benchmarkFrames == 0) fail("--at goes with --screenshot or --benchmark-frames");
  if (!o.until.empty() && o.record.empty()) fail("--until goes with --record");
  if (!o.screenshot.empty() && o.at.empty()) fail("--screenshot needs --at TIME");
  const double speed = parseSpeed(o.speed);
  if (!o.record.empty() && speed <= 0) fail("--record needs a finite --speed (each frame is speed/fps simulated seconds)");
  int width = 0, height = 0;
  char x = 0;
  if (std::sscanf(o.size.c_str(), "%d%c%d", &width, &x, &height) != 3 || x != 'x' || width < 64 || height < 64 || width > 16384 || height > 16384)
    fail("--size " + o.size + ": expected WIDTHxHEIGHT in pixels, each in [64, 16384]");
  double cx = 0, cy = 0;
  if (!o.center.empty() && std::sscanf(o.center.c_str(), "%lf,%lf", &cx, &cy) != 2) fail("--center " + o.center + ": expected X,Y in metres");
  const std::int64_t atStep = o.at.empty() ? -1 : stepAt(sc, "--at", o.at);
  const std::int64_t untilStep = o.until.empty() ? static_cast<std::int64_t>(std::llround(sc.clock.duration / sc.clock.dt)) : stepAt(sc, "--until", o.until);

  if (!displayAvailable()) {
    const char* display = std::getenv("DISPLAY");
    fail(std::string("no X display to draw on (DISPLAY is ") + (display ? "'" + std::string(display) + "'" : "not set") +
         "); on a machine without a screen run it under Xvfb: xvfb-run -a unrest view ...");
  }
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  omp_set_num_threads(threads);
  const World world(sc);
  int field = 0;
  if (!o.destination.empty()) {
    const int zone = sc.zoneIndex(o.destination);
    field = zone >= 0 ? world.fieldForZone(zone) : -1;
    if (field < 0) {
      std::string names;
      for (std::size_t f = 0; f < world.fieldCount(); ++f) names += (f ? ", " : "") + sc.map.zones[world.field(int(f)).zone].name;
      fail("--destination " + o.destination + ": no population walks to such a zone (expected one of: " + names + ")");
    }
  }
  Show show{width, height, speed, atStep, untilStep, ""};
  if (!o.replay.empty()) {
    RunStore store(o.replay);
    show.outDir = o.out.empty() ? std::filesystem::path(o.replay).parent_path().string() : o.out;
    if (show.outDir.empty()) show.outDir = ".";
    ReplaySource replay(sc, store);
    if (atStep > replay.totalSteps())
      fail("--at " + o.at + ": after the end of the recording (" + std::to_string(replay.endTime()) + " s after the start)");
    return present(sc, world, replay, o, show, field, "");
  }
  show.outDir = o.out.empty() ? (std::filesystem::path("out") / sc.name).string() : o.out;
  claimOutputDirectory(show.outDir, o.overwrite);
  SimRunner runner(sc, world, threads, show.outDir);
  const bool interactive = o.screenshot.empty() && o.record.empty() && o.benchmarkFrames == 0;
  if (interactive) runner.allowInterventions(o.overrides);
  const std::string outputs = runner.outputDirectory();
  const int code = present(sc, world, runner, o, show, field, outputs);
  if (interactive && std::filesystem::exists(runner.interventionsPath())) {
    std::string again;
    for (const std::string& item : overridesOutsideFile(o.overrides)) again += " --set '" + item + "'";
    std::printf("interventions: %s (unrest run it --out %s_repeat%s to repeat this run)\n", runner.interventionsPath().c_str(),
                outputs.c_str(), again.c_str());
  }
  return code;
}

}  // namespace unrest::app
