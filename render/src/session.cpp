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

int runInteractive(SnapshotSource& runner, Viewer& viewer, const SessionOptions& options) {
  const Camera& cam = viewer.camera();
  sf::RenderWindow window(sf::VideoMode(unsigned(cam.width), unsigned(cam.height)), "unrest: " + viewer.scenario().name);
  window.setFramerateLimit(60);
  const bool replay = runner.seekable();
  // A replay goes up to 64x (kSpeeds[8]); beyond, frames would be skipped rather than shown.
  const int fastest = replay ? 8 : int(std::size(kSpeeds)) - 1;
  int speedK = std::min(speedIndex(options.speed), fastest);
  runner.setSpeed(kSpeeds[speedK]);
  runner.setPaused(options.startPaused);
  runner.start();

  Snapshot snap;
  runner.latest(snap);
  FrameInfo info;
  info.timelineEnd = replay ? runner.endTime() : 0.0;
  bool dragging = false, dragged = false, scrubbing = false;
  sf::Vector2i dragFrom;
  int shots = 0;
  auto lastFrame = Clock::now();
  bool interrupted = false;
  while (window.isOpen()) {
    if (options.stopRequested && *options.stopRequested) {
      interrupted = true;
      break;
    }
    sf::Event event;
    while (window.pollEvent(event)) {
      switch (event.type) {
        case sf::Event::Closed: window.close(); break;
        case sf::Event::Resized: {
          const double mpp = viewer.camera().metresPerPixel;
          const double cx = viewer.camera().centreX, cy = viewer.camera().centreY;
          viewer.resize(int(event.size.width), int(event.size.height));
          viewer.lookAt(cx, cy, mpp * event.size.width);
          window.setView(sf::View(sf::FloatRect(0, 0, float(event.size.width), float(event.size.height))));
          break;
        }
        case sf::Event::MouseWheelScrolled:
          viewer.camera().zoomAt(event.mouseWheelScroll.x, event.mouseWheelScroll.y, std::pow(1.25, event.mouseWheelScroll.delta));
          break;
        case sf::Event::MouseButtonPressed:
          if (const auto t = viewer.timelineTimeAt(info, event.mouseButton.x, event.mouseButton.y, false)) {
            scrubbing = true;
            runner.seek(*t);
            break;
          }
          dragging = true;
          dragged = false;
          dragFrom = {event.mouseButton.x, event.mouseButton.y};
          break;
        case sf::Event::MouseMoved:
          if (scrubbing) {
            if (const auto t = viewer.timelineTimeAt(info, event.mouseMove.x, event.mouseMove.y, true)) runner.seek(*t);
          } else if (dragging) {
            const sf::Vector2i to(event.mouseMove.x, event.mouseMove.y);
            if (dragged || std::abs(to.x - dragFrom.x) + std::abs(to.y - dragFrom.y) > 3) {
              dragged = true;
              viewer.setFollow(false);
              viewer.camera().centreX -= (to.x - dragFrom.x) * viewer.camera().metresPerPixel;
              viewer.camera().centreY += (to.y - dragFrom.y) * viewer.camera().metresPerPixel;
              dragFrom = to;
            }
          }
          break;
        case sf::Event::MouseButtonReleased:
          scrubbing = false;
          if (dragging && !dragged && event.mouseButton.button == sf::Mouse::Left) {
            const auto id = viewer.pick(snap, event.mouseButton.x, event.mouseButton.y);
            if (id) viewer.select(id);
          }
          dragging = false;
          break;
        case sf::Event::KeyPressed: {
          const double pan = 80 * viewer.camera().metresPerPixel;
          switch (event.key.code) {
            case sf::Keyboard::Space: runner.setPaused(!snap.paused); break;
            case sf::Keyboard::Period:
            case sf::Keyboard::Right:
              if (event.key.code == sf::Keyboard::Right && !snap.paused) {
                viewer.camera().centreX += pan;
                break;
              }
              runner.stepOnce();
              break;
            case sf::Keyboard::Comma: runner.stepBack(); break;
            case sf::Keyboard::R:
            case sf::Keyboard::Backspace: runner.setBackwards(!runner.backwards()); break;
            case sf::Keyboard::Add:
            case sf::Keyboard::Equal:
              speedK = std::min(speedK + 1, fastest);
              runner.setSpeed(kSpeeds[speedK]);
              break;
            case sf::Keyboard::Subtract:
            case sf::Keyboard::Hyphen:
              speedK = std::max(speedK - 1, 0);
              runner.setSpeed(kSpeeds[speedK]);
              break;
            case sf::Keyboard::M:
              speedK = fastest;
              runner.setSpeed(kSpeeds[speedK]);
              break;
            case sf::Keyboard::Left:
              if (replay && snap.paused) {
                runner.stepBack();
                break;
              }
              viewer.camera().centreX -= pan;
              viewer.setFollow(false);
              break;
            case sf::Keyboard::Up: viewer.camera().centreY += pan; viewer.setFollow(false); break;
            case sf::Keyboard::Down: viewer.camera().centreY -= pan; viewer.setFollow(false); break;
            case sf::Keyboard::Z:
            case sf::Keyboard::Home: viewer.fitMap(); viewer.setFollow(false); break;
            case sf::Keyboard::F: viewer.setFollow(!viewer.following()); break;
            case sf::Keyboard::Escape:
              if (viewer.helpShown()) viewer.setHelp(false);
              else viewer.select(std::nullopt);
              break;
            case sf::Keyboard::Num0: viewer.setOverlay(Overlay::None); break;
            case sf::Keyboard::Num1: viewer.setOverlay(Overlay::Density); break;
            case sf::Keyboard::Num2: viewer.setOverlay(Overlay::Pressure); break;
            case sf::Keyboard::Num3: viewer.setOverlay(Overlay::Fear); break;
            case sf::Keyboard::Num4: viewer.setOverlay(Overlay::Navigation); break;
            case sf::Keyboard::N: viewer.cycleNavigationField(1); viewer.setOverlay(Overlay::Navigation); break;
            case sf::Keyboard::B: viewer.cycleNavigationField(-1); viewer.setOverlay(Overlay::Navigation); break;
            case sf::Keyboard::C:
              viewer.setColourBy(viewer.colourBy() == ColourBy::Faction ? ColourBy::Population : ColourBy::Faction);
              break;
            case sf::Keyboard::L: viewer.toggleLegend(); break;
            case sf::Keyboard::Tab: viewer.setPanels(!viewer.panels()); break;
            case sf::Keyboard::H:
            case sf::Keyboard::F1: viewer.toggleHelp(); break;
            case sf::Keyboard::P:
            case sf::Keyboard::F12: {
              char name[64];
              std::snprintf(name, sizeof name, "screenshot_%06.0f_%d.png", snap.time * 10, ++shots);
              const std::string file = (std::filesystem::path(options.screenshotDir) / name).string();
              if (viewer.saveImage(snap, info, file)) std::printf("screenshot: %s\n", file.c_str());
              else std::fprintf(stderr, "unrest: cannot write %s\n", file.c_str());
              break;
            }
            case sf::Keyboard::Q: window.close(); break;
            default: break;
          }
          break;
        }
        default: break;
      }
    }
    if (!window.isOpen()) break;
    runner.latest(snap);
    if (snap.finished && options.exitAtEnd) break;
    const auto now = Clock::now();
    const double frameSeconds = std::chrono::duration<double>(now - lastFrame).count();
    lastFrame = now;
    if (frameSeconds > 0) info.fps = info.fps > 0 ? 0.9 * info.fps + 0.1 / frameSeconds : 1.0 / frameSeconds;
    info.requestedSpeed = kSpeeds[speedK];
    info.backwards = runner.backwards();
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
