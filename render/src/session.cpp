#include "unrest/render/session.hpp"

#include <SFML/Graphics.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace unrest::render {

namespace {

using Clock = std::chrono::steady_clock;

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::string quoteForShell(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

int speedIndex(double speed) {
  int best = 0;
  for (int k = 0; k < int(std::size(kSpeeds)); ++k)
    if (std::abs(kSpeeds[k] - speed) < std::abs(kSpeeds[best] - speed)) best = k;
  return best;
}

}  // namespace

Controls::Controls(SnapshotSource& source, Viewer& viewer, const SessionOptions& options)
    : source_(source),
      viewer_(viewer),
      options_(options),
      replay_(source.seekable()),
      // A replay goes up to 64x (kSpeeds[8]); beyond, frames would be skipped rather than shown.
      fastest_(replay_ ? 8 : int(std::size(kSpeeds)) - 1) {
  speedK_ = std::min(speedIndex(options.speed), fastest_);
  info_.timelineEnd = replay_ ? source.endTime() : 0.0;
  info_.interventions = source.intervenes();
}

const Snapshot& Controls::refresh() {
  source_.latest(snap_);
  return snap_;
}

FrameInfo& Controls::frameInfo() {
  info_.requestedSpeed = kSpeeds[speedK_];
  info_.backwards = source_.backwards();
  info_.interventionTarget = targetName();
  switch (tool_) {
    case Tool::Inspect: info_.interventionTool.clear(); break;
    case Tool::Shots: info_.interventionTool = "shots at the place"; break;
    case Tool::Checkpoint: info_.interventionTool = "the nearest checkpoint closes or lifts its barrier"; break;
    case Tool::Rally: info_.interventionTool = "the target rallies to the zone"; break;
  }
  return info_;
}

std::string Controls::targetName() const {
  const Scenario& sc = viewer_.scenario();
  const int factions = int(sc.factions.size());
  if (target_ == 0) return "everyone";
  if (target_ <= factions) return "faction " + sc.factions[target_ - 1].name;
  return "population " + sc.populations[target_ - 1 - factions].name;
}

void Controls::cycleTarget() {
  const Scenario& sc = viewer_.scenario();
  target_ = (target_ + 1) % int(1 + sc.factions.size() + sc.populations.size());
}

void Controls::intervene(Intervention what) {
  const Scenario& sc = viewer_.scenario();
  const int factions = int(sc.factions.size());
  const int faction = target_ >= 1 && target_ <= factions ? target_ - 1 : -1;
  const int population = target_ > factions ? target_ - 1 - factions : -1;
  if (what.kind == Intervention::Kind::Legitimacy)  // a population's legitimacy is its faction's
    what.faction = population >= 0 ? sc.populations[population].faction : faction;
  if (what.kind == Intervention::Kind::Rally) {
    what.faction = faction;
    what.population = population;
  }
  source_.intervene(what);
}

bool Controls::handle(const sf::Event& event) {
  switch (event.type) {
    case sf::Event::Closed: return false;
    case sf::Event::Resized: {
      const double mpp = viewer_.camera().metresPerPixel;
      const double cx = viewer_.camera().centreX, cy = viewer_.camera().centreY;
      viewer_.resize(int(event.size.width), int(event.size.height));
      viewer_.lookAt(cx, cy, mpp * event.size.width);
      break;
    }
    case sf::Event::MouseWheelScrolled:
      viewer_.camera().zoomAt(event.mouseWheelScroll.x, event.mouseWheelScroll.y, std::pow(1.25, event.mouseWheelScroll.delta));
      break;
    case sf::Event::MouseButtonPressed:
      if (const auto t = viewer_.timelineTimeAt(info_, event.mouseButton.x, event.mouseButton.y, false)) {
        scrubbing_ = true;
        source_.seek(*t);
        break;
      }
      dragging_ = true;
      dragged_ = false;
      dragFrom_ = {event.mouseButton.x, event.mouseButton.y};
      break;
    case sf::Event::MouseMoved:
      if (scrubbing_) {
        if (const auto t = viewer_.timelineTimeAt(info_, event.mouseMove.x, event.mouseMove.y, true)) source_.seek(*t);
      } else if (dragging_) {
        const sf::Vector2i to(event.mouseMove.x, event.mouseMove.y);
        if (dragged_ || std::abs(to.x - dragFrom_.x) + std::abs(to.y - dragFrom_.y) > 3) {
          dragged_ = true;
          viewer_.setFollow(false);
          viewer_.camera().centreX -= (to.x - dragFrom_.x) * viewer_.camera().metresPerPixel;
          viewer_.camera().centreY += (to.y - dragFrom_.y) * viewer_.camera().metresPerPixel;
          dragFrom_ = to;
        }
      }
      break;
    case sf::Event::MouseButtonReleased:
      scrubbing_ = false;
      if (dragging_ && !dragged_ && event.mouseButton.button == sf::Mouse::Left) onClick(event.mouseButton.x, event.mouseButton.y);
      dragging_ = false;
      break;
    case sf::Event::KeyPressed:
      if (event.key.code == sf::Keyboard::Q) return false;
      onKey(event.key);
      break;
    default: break;
  }
  return true;
}

void Controls::onClick(int x, int y) {
  const Scenario& sc = viewer_.scenario();
  const Camera& cam = viewer_.camera();
  const double wx = cam.worldX(x), wy = cam.worldY(y);
  switch (tool_) {
    case Tool::Inspect:
      if (const auto id = viewer_.pick(snap_, x, y)) viewer_.select(id);
      return;
    case Tool::Shots: {
      Intervention shots{Intervention::Kind::Shots};
      shots.x = wx;
      shots.y = wy;
      intervene(shots);
      return;
    }
    case Tool::Checkpoint: {
      // The nearest checkpoint's gate; it lifts its barrier when the barrier stands, else closes it.
      int nearest = -1;
      double best = 0;
      for (std::size_t c = 0; c < sc.checkpoints.size(); ++c) {
        const Vec2 gate = 0.5 * (sc.checkpoints[c].barrierA + sc.checkpoints[c].barrierB);
        const double d = (gate - Vec2(wx, wy)).norm();
        if (nearest < 0 || d < best) nearest = int(c), best = d;
      }
      Intervention barrier{Intervention::Kind::Checkpoint};
      barrier.checkpoint = nearest;  // none: the runner says there is nothing to act on
      bool closed = false;
      for (const CheckpointView& v : snap_.checkpoints) closed = closed || (nearest >= 0 && v.name == sc.checkpoints[nearest].name);
      barrier.value = closed ? 0.0 : 1.0;
      intervene(barrier);
      return;
    }
    case Tool::Rally: {
      // The smallest zone under the click.
      Intervention rally{Intervention::Kind::Rally};
      double area = 0;
      for (std::size_t z = 0; z < sc.map.zones.size(); ++z)
        if (sc.map.zones[z].contains(Vec2(wx, wy)) && (rally.zone < 0 || sc.map.zones[z].area() < area))
          rally.zone = int(z), area = sc.map.zones[z].area();
      intervene(rally);
      return;
    }
  }
}

void Controls::onKey(const sf::Event::KeyEvent& key) {
  const double pan = 80 * viewer_.camera().metresPerPixel;
  const bool live = source_.intervenes();
  switch (key.code) {
    case sf::Keyboard::Space: source_.setPaused(!snap_.paused); break;
    case sf::Keyboard::Period:
    case sf::Keyboard::Right:
      if (key.code == sf::Keyboard::Right && !snap_.paused) {
        viewer_.camera().centreX += pan;
        break;
      }
      source_.stepOnce();
      break;
    case sf::Keyboard::Comma: source_.stepBack(); break;
    case sf::Keyboard::Backspace:
      if (live) source_.withdrawLastIntervention();
      else source_.setBackwards(!source_.backwards());
      break;
    case sf::Keyboard::R: source_.setBackwards(!source_.backwards()); break;
    case sf::Keyboard::Add:
    case sf::Keyboard::Equal:
      speedK_ = std::min(speedK_ + 1, fastest_);
      source_.setSpeed(kSpeeds[speedK_]);
      break;
    case sf::Keyboard::Subtract:
    case sf::Keyboard::Hyphen:
      speedK_ = std::max(speedK_ - 1, 0);
      source_.setSpeed(kSpeeds[speedK_]);
      break;
    case sf::Keyboard::M:
      speedK_ = fastest_;
      source_.setSpeed(kSpeeds[speedK_]);
      break;
    case sf::Keyboard::Left:
      if (replay_ && snap_.paused) {
        source_.stepBack();
        break;
      }
      viewer_.camera().centreX -= pan;
      viewer_.setFollow(false);
      break;
    case sf::Keyboard::Up: viewer_.camera().centreY += pan; viewer_.setFollow(false); break;
    case sf::Keyboard::Down: viewer_.camera().centreY -= pan; viewer_.setFollow(false); break;
    case sf::Keyboard::Z:
    case sf::Keyboard::Home: viewer_.fitMap(); viewer_.setFollow(false); break;
    case sf::Keyboard::F: viewer_.setFollow(!viewer_.following()); break;
    case sf::Keyboard::Escape:
      if (viewer_.helpShown()) viewer_.setHelp(false);
      else if (tool_ != Tool::Inspect) tool_ = Tool::Inspect;
      else viewer_.select(std::nullopt);
      break;
    case sf::Keyboard::Num0: viewer_.setOverlay(Overlay::None); break;
    case sf::Keyboard::Num1: viewer_.setOverlay(Overlay::Density); break;
    case sf::Keyboard::Num2: viewer_.setOverlay(Overlay::Pressure); break;
    case sf::Keyboard::Num3: viewer_.setOverlay(Overlay::Fear); break;
    case sf::Keyboard::Num4: viewer_.setOverlay(Overlay::Navigation); break;
    case sf::Keyboard::N: viewer_.cycleNavigationField(1); viewer_.setOverlay(Overlay::Navigation); break;
    case sf::Keyboard::B: viewer_.cycleNavigationField(-1); viewer_.setOverlay(Overlay::Navigation); break;
    case sf::Keyboard::C:
      viewer_.setColourBy(viewer_.colourBy() == ColourBy::Faction ? ColourBy::Population : ColourBy::Faction);
      break;
    case sf::Keyboard::L: viewer_.toggleLegend(); break;
    case sf::Keyboard::Tab: viewer_.setPanels(!viewer_.panels()); break;
    case sf::Keyboard::H:
    case sf::Keyboard::F1: viewer_.toggleHelp(); break;
    case sf::Keyboard::P:
    case sf::Keyboard::F12: {
      char name[64];
      std::snprintf(name, sizeof name, "screenshot_%06.0f_%d.png", snap_.time * 10, ++shots_);
      const std::string file = (std::filesystem::path(options_.screenshotDir) / name).string();
      if (viewer_.saveImage(snap_, frameInfo(), file)) std::printf("screenshot: %s\n", file.c_str());
      else std::fprintf(stderr, "unrest: cannot write %s\n", file.c_str());
      break;
    }
    default: break;
  }
  if (!live) return;
  switch (key.code) {
    case sf::Keyboard::W: intervene({Intervention::Kind::PolicePresence, 0.0}); break;
    case sf::Keyboard::S: intervene({Intervention::Kind::PolicePresence, 1.0}); break;
    case sf::Keyboard::LBracket: intervene({Intervention::Kind::Legitimacy, -kLegitimacyStep}); break;
    case sf::Keyboard::RBracket: intervene({Intervention::Kind::Legitimacy, kLegitimacyStep}); break;
    case sf::Keyboard::T: cycleTarget(); break;
    case sf::Keyboard::D: intervene({Intervention::Kind::Deploy}); break;
    case sf::Keyboard::U: intervene({Intervention::Kind::Curfew}); break;
    case sf::Keyboard::G: tool_ = Tool::Shots; break;
    case sf::Keyboard::K: tool_ = Tool::Checkpoint; break;
    case sf::Keyboard::Y: tool_ = Tool::Rally; break;
    default: break;
  }
}

int runInteractive(SnapshotSource& runner, Viewer& viewer, const SessionOptions& options) {
  const Camera& cam = viewer.camera();
  sf::RenderWindow window(sf::VideoMode(unsigned(cam.width), unsigned(cam.height)), "unrest: " + viewer.scenario().name);
  window.setFramerateLimit(60);
  Controls controls(runner, viewer, options);
  runner.setSpeed(controls.frameInfo().requestedSpeed);
  runner.setPaused(options.startPaused);
  runner.start();
  controls.refresh();
  auto lastFrame = Clock::now();
  bool interrupted = false;
  while (window.isOpen()) {
    if (options.stopRequested && *options.stopRequested) {
      interrupted = true;
      break;
    }
    sf::Event event;
    while (window.pollEvent(event)) {
      if (!controls.handle(event)) window.close();
      else if (event.type == sf::Event::Resized)
        window.setView(sf::View(sf::FloatRect(0, 0, float(event.size.width), float(event.size.height))));
    }
    if (!window.isOpen()) break;
    const Snapshot& snap = controls.refresh();
    if (snap.finished && options.exitAtEnd) break;
    FrameInfo& info = controls.frameInfo();
    const auto now = Clock::now();
    const double frameSeconds = std::chrono::duration<double>(now - lastFrame).count();
    lastFrame = now;
    if (frameSeconds > 0) info.fps = info.fps > 0 ? 0.9 * info.fps + 0.1 / frameSeconds : 1.0 / frameSeconds;
    viewer.draw(window, snap, info);
    window.display();
  }
  runner.stop();
  return interrupted ? 130 : 0;
}

void captureScreenshot(SnapshotSource& runner, Viewer& viewer, std::int64_t step, const std::string& file) {
  FrameInfo info;
  info.requestedSpeed = runner.speed();
  info.timelineEnd = runner.seekable() ? runner.endTime() : 0.0;
  runner.setSpeed(0);  // headless: no reason to wait
  runner.start();
  runner.runTo(step);
  Snapshot snap;
  runner.waitFor(step, snap);
  if (!viewer.saveImage(snap, info, file)) throw std::runtime_error(file + ": cannot write the screenshot");
}

int recordFrames(SnapshotSource& runner, Viewer& viewer, const std::string& dir, double fps, double speed, std::int64_t lastStep) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the frame folder (" + ec.message() + ")");
  runner.setSpeed(0);
  runner.start();
  const double stepsPerFrame = speed / fps / runner.dt();
  Snapshot snap;
  FrameInfo info;
  info.requestedSpeed = speed;
  info.timelineEnd = runner.seekable() ? runner.endTime() : 0.0;
  int frames = 0;
  for (std::int64_t k = 0;; ++k) {
    const auto step = static_cast<std::int64_t>(std::llround(double(k) * stepsPerFrame));
    if (step > lastStep) break;
    runner.runTo(step);
    runner.waitFor(step, snap);
    char name[32];
    std::snprintf(name, sizeof name, "frame_%06d.png", frames);
    const std::string file = (std::filesystem::path(dir) / name).string();
    if (!viewer.saveImage(snap, info, file)) throw std::runtime_error(file + ": cannot write the frame");
    ++frames;
    if (snap.finished || snap.step < step) break;
  }
  runner.stop();
  if (frames > 0 && std::system("command -v ffmpeg >/dev/null 2>&1") == 0) {
    const std::string video = (std::filesystem::path(dir) / "video.mp4").string();
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", fps);
    const std::string command = "ffmpeg -loglevel error -y -framerate " + std::string(rate) + " -i " +
                                quoteForShell((std::filesystem::path(dir) / "frame_%06d.png").string()) +
                                " -vf 'pad=ceil(iw/2)*2:ceil(ih/2)*2' -c:v libx264 -pix_fmt yuv420p " + quoteForShell(video);
    if (std::system(command.c_str()) == 0) std::printf("video: %s\n", video.c_str());
    else std::fprintf(stderr, "unrest: ffmpeg could not make %s; the frames are in %s\n", video.c_str(), dir.c_str());
  }
  return frames;
}

BenchmarkResult benchmarkDrawing(Viewer& viewer, Snapshot& snapshot, int frames, const std::function<void(Snapshot&)>& advance) {
  const Camera& cam = viewer.camera();
  sf::RenderWindow window(sf::VideoMode(unsigned(cam.width), unsigned(cam.height)), "unrest benchmark");
  window.setVerticalSyncEnabled(false);
  FrameInfo info;
  for (int k = 0; k < 3; ++k) {  // warm-up: textures, glyphs
    viewer.draw(window, snapshot, info);
    window.display();
  }
  std::vector<double> ms;
  const double cpu0 = cpuSeconds();
  const auto t0 = Clock::now();
  for (int k = 0; k < frames; ++k) {
    const auto a = Clock::now();
    if (advance) advance(snapshot);
    viewer.draw(window, snapshot, info);
    window.display();
    sf::Event event;
    while (window.pollEvent(event)) {}
    ms.push_back(1e3 * std::chrono::duration<double>(Clock::now() - a).count());
    info.fps = 1e3 / ms.back();
  }
  BenchmarkResult r;
  r.frames = frames;
  r.meanMs = 1e3 * std::chrono::duration<double>(Clock::now() - t0).count() / std::max(1, frames);
  r.cpuMsPerFrame = 1e3 * (cpuSeconds() - cpu0) / std::max(1, frames);
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    r.medianMs = ms[ms.size() / 2];
    r.worstMs = ms.back();
  }
  r.stats = viewer.lastStats();
  return r;
}

}  // namespace unrest::render
