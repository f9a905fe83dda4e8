// The viewer as a user meets it: a screenshot shows the map and every person where the simulation has them, in
// their colours; roles, conditions, vehicles, checkpoints and overlays are drawn as the legend says; and the
// simulation thread gives the outputs of a headless run however the drawing side pauses, steps and changes speed;
// interventions made through the viewer's controls are repeated byte for byte by the interventions.yaml they leave.
// Runs under tests/with_xvfb.sh (a private Xvfb server).
#include "support.hpp"
#include "unrest/output.hpp"
#include "unrest/render/replay.hpp"
#include "unrest/run.hpp"
#include "unrest/render/runner.hpp"
#include "unrest/render/session.hpp"
#include "unrest/run_store.hpp"
#include "unrest/render/viewer.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <SFML/Graphics/Image.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

using namespace unrest;
using namespace unrest::render;
using unrest::test::readFile;
using unrest::test::tempDir;

namespace {

const std::string kStreetFile = std::string(UNREST_SOURCE_DIR) + "/tests/data/view/street.yaml";

bool near(sf::Color a, sf::Color b, int tolerance = 3) {
  return std::abs(a.r - b.r) <= tolerance && std::abs(a.g - b.g) <= tolerance && std::abs(a.b - b.b) <= tolerance;
}

std::string describe(sf::Color c) {
  std::ostringstream out;
  out << "(" << int(c.r) << ", " << int(c.g) << ", " << int(c.b) << ")";
  return out.str();
}

struct Picture {
  sf::Image image;
  Camera camera;
  sf::Color at(double x, double y) const {
    const long px = std::lround(camera.screenX(x) - 0.5), py = std::lround(camera.screenY(y) - 0.5);
    if (px < 0 || py < 0 || px >= long(image.getSize().x) || py >= long(image.getSize().y)) {
      FAIL_CHECK("(" << x << ", " << y << ") is outside the picture");
      return sf::Color::Transparent;
    }
    return image.getPixel(unsigned(px), unsigned(py));
  }
};

Picture drawn(Viewer& viewer, const Snapshot& s, const std::string& name) {
  const auto file = (tempDir() / name).string();
  Picture pic;
  REQUIRE(viewer.saveImage(s, {}, file));
  REQUIRE(pic.image.loadFromFile(file));
  pic.camera = viewer.camera();
  return pic;
}

std::string withoutPerformance(const std::string& summary) {
  std::istringstream in(summary);
  std::string line, out;
  while (std::getline(in, line))
    if (line.find("\"performance\"") == std::string::npos) out += line + "\n";
  return out;
}

void runHeadless(const Scenario& sc, const std::string& dir) {
  ScenarioRun run(sc, 1);
  OutputWriter writer(run.sim(), dir, run.measurement());
  run.drive({&writer});
}

// A snapshot built by hand: people of each role and condition, a vehicle and a checkpoint at known places.
struct HandMadeScene {
  Snapshot s;
  void person(float x, float y, Role role, Condition condition, float radius = 0.3f, std::uint16_t group = 0) {
    s.x.push_back(x);
    s.y.push_back(y);
    s.vx.push_back(0);
    s.vy.push_back(0);
    s.radius.push_back(radius);
    s.desiredSpeed.push_back(1.3f);
    s.fear.push_back(0);
    s.pressure.push_back(0);
    s.state.push_back(std::uint8_t(condition == Condition::Injured ? AgentState::Injured : AgentState::Arrived));
    s.role.push_back(std::uint8_t(role));
    s.faction.push_back(kNoFaction);
    const Activity activity = condition == Condition::Fighting ? Activity::Fighting
                              : condition == Condition::Fleeing ? Activity::Fleeing
                                                                : Activity::Quiet;
    s.activity.push_back(std::uint8_t(activity));
    s.condition.push_back(std::uint8_t(condition));
    s.id.push_back(std::uint32_t(s.id.size()));
    s.group.push_back(group);
    s.field.push_back(0);
  }
};

// An open square with nothing in it but street, for hand-made scenes.
Scenario openSquare() {
  return unrest::test::scenarioFromText("open_square.yaml", R"(scenario: {name: open_square}
map:
  bounds: [0, 0, 20, 20]
  cell_size: 0.25
  zones:
    corner: {rect: [0, 0, 0.5, 0.5]}
populations:
  nobody: {count: 0, spawn: corner, destination: corner}
)");
}

}  // namespace

TEST_CASE("A screenshot of the street shows the map and every person where the simulation has them", "[render]") {
  const auto dir = tempDir() / "render_screenshot";
  const auto shot = dir / "shot.png";
  const std::string command = std::string(UNREST_BINARY) + " view " + kStreetFile + " --screenshot " + shot.string() +
                              " --at 0.5 --size 800x400 --hide-panels --overwrite --out " + (dir / "out").string() + " > /dev/null";
  REQUIRE(std::system(command.c_str()) == 0);

  Picture pic;
  REQUIRE(pic.image.loadFromFile(shot.string()));
  REQUIRE(pic.image.getSize() == sf::Vector2u(800, 400));
  const Scenario sc = loadScenario(kStreetFile);
  pic.camera = Camera::fit(0, 0, 40, 20, 800, 400);

  // The map, north up: the building fills the top middle; the street below it and between the zones is open.
  CHECK(near(pic.at(20, 15), kBuilding));
  CHECK(near(pic.at(20, 3), kStreet));
  CHECK(near(pic.at(12, 12), kStreet));
  CHECK(near(pic.image.getPixel(2, 2), kBackground));

  // Every person at the place the simulation (same scenario, same seed, same 25 steps) puts them, in their
  // population's colour. Zone labels may cover a few.
  const World world(sc);
  Simulation sim(sc, world, 1);
  for (int k = 0; k < 25; ++k) sim.step();
  const Population& a = sim.agents();
  REQUIRE(a.size() == 140);
  std::size_t right = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const sf::Color want = a.state[i] == std::uint8_t(AgentState::Injured) ? kInjuredMark : categoryColour(a.group[i]);
    if (near(pic.at(a.x[i], a.y[i]), want)) ++right;
    else UNSCOPED_INFO("person " << a.id[i] << " at (" << a.x[i] << ", " << a.y[i] << "): " << describe(pic.at(a.x[i], a.y[i])));
  }
  CHECK(right >= a.size() * 95 / 100);
}

TEST_CASE("Roles are told apart by shape, conditions by marks, and vehicles and checkpoints are drawn", "[render]") {
  const Scenario sc = openSquare();
  const World world(sc);
  Viewer viewer(sc, world, {800, 400, false, PeopleDetail::Auto, {}});
  viewer.lookAt(10, 10, 10);  // 80 px per metre: a body of radius 0.3 m is 48 px across
  HandMadeScene scene;
  scene.person(6, 11.5, Role::Civilian, Condition::Calm);
  scene.person(8, 11.5, Role::Police, Condition::Calm);
  scene.person(10, 11.5, Role::Soldier, Condition::Calm);
  scene.person(12, 11.5, Role::Volunteer, Condition::Calm);
  scene.person(6, 10, Role::Civilian, Condition::Injured);
  scene.person(8, 10, Role::Civilian, Condition::Fighting);
  scene.person(10, 10, Role::Civilian, Condition::Fleeing);
  scene.s.vehicles.push_back({VehicleView::Kind::Armoured, 12.5f, 9.0f, 0.0f, 3.0f, 1.0f});
  scene.s.vehicles.push_back({VehicleView::Kind::Car, 14.0f, 10.0f, float(M_PI / 2), 3.0f, 1.0f});
  scene.s.checkpoints.push_back({"cp", 6, 8.5, 6, 8.5, 9, 8.5, 12});
  scene.s.step = 1;
  const Picture pic = drawn(viewer, scene.s, "render_roles.png");
  REQUIRE(!viewer.lastStats().splatted);
  CHECK(viewer.lastStats().quads == 7 + 3);  // a body each, and the marks of the injured, fighting and fleeing
  const sf::Color body = categoryColour(0);
  const double r = 0.3;

  // Centres carry the body colour; the corners of the bounding square only for the police square.
  for (double x : {6.0, 8.0, 10.0, 12.0}) CHECK(near(pic.at(x, 11.5), body));
  CHECK(near(pic.at(6 + 0.75 * r, 11.5 + 0.75 * r), kStreet));  // disc
  CHECK(near(pic.at(8 + 0.65 * r, 11.5 + 0.65 * r), body));    // square
  CHECK(near(pic.at(10 - 0.6 * r, 11.5 + 0.6 * r), kStreet));  // triangle, point up: narrow at the top
  CHECK(near(pic.at(10 - 0.5 * r, 11.5 - 0.6 * r), body));     //   and wide at the base
  CHECK(near(pic.at(12 + 0.6 * r, 11.5 + 0.6 * r), kStreet));  // diamond
  CHECK(near(pic.at(12 + 0.75 * r, 11.5), body));

  CHECK(near(pic.at(6, 10), kInjuredMark, 12));                                  // the cross
  CHECK(near(pic.at(8, 10), body));                                               // a fighter's body
  CHECK(near(pic.at(8 + 0.8 * r, 10), conditionRing(Condition::Fighting), 12));  // and ring
  CHECK(near(pic.at(10 + 0.8 * r, 10), conditionRing(Condition::Fleeing), 12));

  CHECK(near(pic.at(12.5, 9), kArmoured));
  CHECK(near(pic.at(12.5 - 1.2, 9), kArmoured));  // 3 m long east-west
  CHECK(near(pic.at(12.5, 9 - 0.8), kStreet));
  CHECK(near(pic.at(14, 10 - 1.2), kCar));        // heading north: long north-south
  CHECK(near(pic.at(14 + 0.8, 10), kStreet));
  CHECK(near(pic.at(6.5, 8.5), kBarrierRed));     // one-metre bands along the barrier
  CHECK(near(pic.at(7.5, 8.5), kBarrierWhite));
}

TEST_CASE("Small bodies, splatted on the CPU, keep their colours and marks", "[render]") {
  const Scenario sc = openSquare();
  const World world(sc);
  Viewer viewer(sc, world, {800, 400, false, PeopleDetail::Auto, {}});
  viewer.lookAt(10, 10, 40);  // 20 px per metre: bodies of radius 0.25 m are 10 px across, under the sprite threshold
  HandMadeScene scene;
  scene.person(6, 11, Role::Civilian, Condition::Calm, 0.25f);
  scene.person(8, 11, Role::Police, Condition::Calm, 0.25f, 1);
  scene.person(10, 11, Role::Civilian, Condition::Injured, 0.25f);
  scene.person(12, 11, Role::Civilian, Condition::Fighting, 0.25f);
  scene.s.step = 1;
  const Picture pic = drawn(viewer, scene.s, "render_splat.png");
  REQUIRE(viewer.lastStats().splatted);
  CHECK(viewer.lastStats().peopleDrawn == 4);
  CHECK(near(pic.at(6, 11), categoryColour(0)));
  CHECK(near(pic.at(8, 11), categoryColour(1)));
  CHECK(near(pic.at(8 + 0.15, 11 + 0.15), categoryColour(1), 12));  // the square's corner
  CHECK(near(pic.at(10, 11), kInjuredMark, 12));
  CHECK(near(pic.at(12, 11), categoryColour(0), 12));
  CHECK(near(pic.at(12 + 0.175, 11), conditionRing(Condition::Fighting), 40));
  CHECK(near(pic.at(9, 11), kStreet));
}

TEST_CASE("Zoomed out to dots, a fighter is a red dot and an injured person still a white body with a red cross", "[render]") {
  const Scenario sc = openSquare();
  const World world(sc);
  Viewer viewer(sc, world, {800, 400, false, PeopleDetail::Auto, {}});
  viewer.lookAt(10, 10, 400);  // 2 px per metre: a body of radius 0.25 m is a dot of 1-2 px
  HandMadeScene scene;
  scene.person(4, 10, Role::Civilian, Condition::Fighting, 0.25f);
  scene.person(16, 10, Role::Civilian, Condition::Injured, 0.25f);
  scene.s.step = 1;
  const Picture pic = drawn(viewer, scene.s, "render_dots.png");
  REQUIRE(viewer.lastStats().splatted);
  const double pixel = 0.5;  // metres
  INFO("fighter " << describe(pic.at(4, 10)) << ", injured centre " << describe(pic.at(16, 10)) << ", beside it "
                  << describe(pic.at(16 + 2 * pixel, 10)));
  CHECK(near(pic.at(4, 10), conditionRing(Condition::Fighting)));
  CHECK(near(pic.at(4 + 2 * pixel, 10), kStreet));  // a dot, no bigger
  CHECK(near(pic.at(16, 10), kInjuredMark, 40));    // the cross's centre
  CHECK(near(pic.at(16 + 2 * pixel, 10), kInjuredBody, 40));
  CHECK(near(pic.at(16 - 2 * pixel, 10), kInjuredBody, 40));
  CHECK(near(pic.at(16 + 5 * pixel, 10), kStreet));
}

TEST_CASE("Coloured by faction, police and soldiers of no faction are told from the active and the arrested", "[render]") {
  const Scenario sc = openSquare();
  const World world(sc);
  Viewer viewer(sc, world, {800, 400, false, PeopleDetail::Auto, {{"red", sf::Color(213, 94, 0)}}});
  REQUIRE(viewer.colourBy() == ColourBy::Faction);
  viewer.lookAt(10, 10, 400);  // dots, as the whole city is seen
  HandMadeScene scene;
  scene.person(4, 10, Role::Soldier, Condition::Calm, 0.25f);
  scene.person(7, 10, Role::Police, Condition::Calm, 0.25f);
  scene.person(10, 10, Role::Civilian, Condition::Calm, 0.25f);
  scene.person(13, 10, Role::Civilian, Condition::Active, 0.25f);
  scene.person(16, 10, Role::Civilian, Condition::Arrested, 0.25f);
  scene.s.step = 1;
  const Picture pic = drawn(viewer, scene.s, "render_forces.png");
  const sf::Color soldier = pic.at(4, 10), active = pic.at(13, 10), arrested = pic.at(16, 10);
  INFO("soldier " << describe(soldier) << ", active " << describe(active) << ", arrested " << describe(arrested));
  CHECK(near(soldier, kForces));
  CHECK(near(pic.at(7, 10), kForces));
  CHECK(near(pic.at(10, 10), kFactionless));
  CHECK(near(active, conditionRing(Condition::Active)));
  CHECK(near(arrested, kArrestedBody));
}

TEST_CASE("The density overlay colours a cell by people per square metre", "[render]") {
  const Scenario sc = openSquare();  // density cells of 2 m
  const World world(sc);
  Viewer viewer(sc, world, {800, 400, false, PeopleDetail::Sprites, {}});
  viewer.lookAt(10, 10, 20);
  viewer.setOverlay(Overlay::Density);
  HandMadeScene scene;
  // 16 small people in the cell [10, 12] x [10, 12]: 4 per m².
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 4; ++i) scene.person(10.25f + 0.5f * i, 10.25f + 0.5f * j, Role::Civilian, Condition::Calm, 0.1f);
  scene.s.step = 1;
  const Picture pic = drawn(viewer, scene.s, "render_density.png");
  // Between the people the overlay shows: the heat colour of 4/7 of the scale (Fruin's 7 /m²) over the street.
  const sf::Color heat = heatColour(4.0 / 7.0);
  const double alpha = 190.0 / 255.0;
  const sf::Color want(std::uint8_t(std::lround(kStreet.r * (1 - alpha) + heat.r * alpha)),
                       std::uint8_t(std::lround(kStreet.g * (1 - alpha) + heat.g * alpha)),
                       std::uint8_t(std::lround(kStreet.b * (1 - alpha) + heat.b * alpha)));
  INFO("got " << describe(pic.at(10.5, 10.5)) << ", want " << describe(want));
  CHECK(near(pic.at(10.5, 10.5), want, 4));
  CHECK(near(pic.at(13.0, 10.5), kStreet));  // the next cell is empty
}

TEST_CASE("The simulation thread writes a headless run's outputs however the viewer drives it", "[render][determinism]") {
  const Scenario sc = loadScenario(kStreetFile);
  const auto dir = tempDir() / "render_runner";
  runHeadless(sc, (dir / "headless").string());

  const World world(sc);
  {
    SimRunner runner(sc, world, 2, (dir / "viewed").string());
    runner.setSpeed(0);
    runner.start();
    // A restless user: pauses, single steps, speed changes and slow frames, at random.
    std::mt19937 random(3);
    Snapshot snap;
    std::int64_t lastStep = -1;
    int snapshots = 0;
    while (!snap.finished) {
      switch (random() % 6) {
        case 0: runner.setPaused(true); break;
        case 1: runner.setPaused(false); break;
        case 2: runner.stepOnce(); break;
        case 3: runner.setSpeed(random() % 2 ? 0.0 : 50.0); break;
        default: break;
      }
      if (runner.paused() && random() % 3 == 0) runner.setPaused(false);
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
      if (runner.latest(snap)) {
        ++snapshots;
        CHECK(snap.step >= lastStep);  // time never runs backwards on screen
        lastStep = snap.step;
      }
    }
    CHECK(snapshots > 5);
    CHECK(snap.step == std::int64_t(std::llround(sc.clock.duration / sc.clock.dt)));
    runner.stop();
  }
  for (const char* f : {"metrics.csv", "events.jsonl"}) {
    INFO(f);
    CHECK(readFile(dir / "viewed" / f) == readFile(dir / "headless" / f));
  }
  CHECK(withoutPerformance(readFile(dir / "viewed" / "summary.json")) == withoutPerformance(readFile(dir / "headless" / "summary.json")));
  CHECK(readFile(dir / "headless" / "events.jsonl").find("\"injury\"") != std::string::npos);
}

TEST_CASE("A run stopped from the viewer keeps its outputs and says it did not complete", "[render]") {
  const Scenario sc = loadScenario(kStreetFile);
  const World world(sc);
  const auto dir = (tempDir() / "render_stopped").string();
  Snapshot snap;
  {
    SimRunner runner(sc, world, 1, dir);
    runner.setSpeed(0);
    runner.start();
    runner.runTo(100);
    runner.waitFor(100, snap);
    CHECK(snap.step == 100);
    CHECK(snap.paused);
    runner.stop();
  }
  const std::string summary = readFile(std::filesystem::path(dir) / "summary.json");
  CHECK(summary.find("\"completed\": false") != std::string::npos);
  CHECK(summary.find("\"steps\": 100") != std::string::npos);
  const std::string metrics = readFile(std::filesystem::path(dir) / "metrics.csv");
  CHECK(metrics.find("\n2.000,") != std::string::npos);  // the row at the stop, 2 s
}

TEST_CASE("Clicking on a person picks them, and the follow camera keeps them in the middle", "[render]") {
  const Scenario sc = openSquare();
  const World world(sc);
  Viewer viewer(sc, world, {800, 400, true, PeopleDetail::Auto, {}});
  viewer.lookAt(10, 10, 20);  // 40 px per metre
  HandMadeScene scene;
  scene.person(8, 10, Role::Civilian, Condition::Calm);
  scene.person(12, 10, Role::Police, Condition::Calm);
  scene.s.step = 1;
  const Camera& c = viewer.camera();
  CHECK(viewer.pick(scene.s, c.screenX(12.1), c.screenY(9.9)) == std::optional<std::uint32_t>(1));
  CHECK(viewer.pick(scene.s, c.screenX(8), c.screenY(10)) == std::optional<std::uint32_t>(0));
  CHECK_FALSE(viewer.pick(scene.s, c.screenX(10), c.screenY(10)).has_value());

  viewer.select(1u);
  viewer.setFollow(true);
  scene.s.x[1] = 15;  // the police officer walks east
  const Picture pic = drawn(viewer, scene.s, "render_follow.png");
  CHECK(viewer.camera().centreX == Approx(15));
  CHECK(near(pic.image.getPixel(400, 200), categoryColour(0)));  // in the middle of the picture
}

TEST_CASE("A replay gives the live viewer's snapshot at every frame, and seeks, steps and plays backwards", "[render][replay]") {
  const Scenario sc = loadScenario(kStreetFile);
  const World world(sc);
  const auto dir = tempDir() / "replay_snapshots";
  std::filesystem::remove_all(dir);
  // Record the run, keeping the live snapshot of every frame (a frame every 0.5 s = 25 steps).
  std::vector<Snapshot> live;
  {
    Simulation sim(sc, world, 2);
    OutputWriter writer(sim, dir.string());
    RunRecorder recorder(sim, dir.string());
    std::deque<FeedItem> feed;
    auto keep = [&] {
      live.emplace_back();
      capture(sim, live.back());
      live.back().feed.assign(feed.begin(), feed.end());
    };
    keep();
    while (!sim.done()) {
      sim.step();
      writer.afterStep(sim);
      recorder.afterStep(sim);
      for (const Event& e : sim.stepEvents()) {
        feed.push_back({e.time, e.type, describeEvent(sc, e)});
        if (feed.size() > 40) feed.pop_front();
      }
      if (sim.stepIndex() % 25 == 0) keep();
    }
    writer.finish(sim, 0.0, false);
    recorder.finish(sim, 0.0, false);
  }
  RunStore store((dir / "run.sqlite").string());
  REQUIRE(store.frameCount() == std::int64_t(live.size()));
  REQUIRE(live.size() == 17);
  RecordedFrame frame;
  Snapshot replayed;
  for (std::size_t k = 0; k < live.size(); ++k) {
    INFO("frame " << k);
    const Snapshot& a = live[k];
    store.readFrame(std::int64_t(k), frame);
    snapshotFromRecord(sc, store, frame, replayed);
    const Snapshot& b = replayed;
    CHECK(a.step == b.step);
    CHECK(a.time == b.time);
    // Everyone the viewer draws, in the order it draws them, with what it draws and counts.
    std::vector<std::size_t> shown;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a.state[i] != std::uint8_t(AgentState::Exited)) shown.push_back(i);
    REQUIRE(shown.size() == b.size());
    for (std::size_t j = 0; j < b.size(); ++j) {
      const std::size_t i = shown[j];
      CHECK(a.id[i] == b.id[j]);
      CHECK(a.x[i] == b.x[j]);
      CHECK(a.y[i] == b.y[j]);
      CHECK(a.radius[i] == b.radius[j]);
      CHECK(a.state[i] == b.state[j]);
      CHECK(a.role[i] == b.role[j]);
      CHECK(a.faction[i] == b.faction[j]);
      CHECK(a.condition[i] == b.condition[j]);
      CHECK(a.group[i] == b.group[j]);
      CHECK(a.pressure[i] == b.pressure[j]);
    }
    // The panel's figures and the event feed.
    CHECK(a.spawned == b.spawned);
    CHECK(a.waiting == b.waiting);
    CHECK(a.injuriesByCause == b.injuriesByCause);
    CHECK(a.row.arrests == b.row.arrests);
    CHECK(a.row.byState == b.row.byState);
    CHECK(a.row.peakDensity == b.row.peakDensity);
    CHECK(a.row.peakPressure == b.row.peakPressure);
    REQUIRE(a.feed.size() == b.feed.size());
    for (std::size_t e = 0; e < a.feed.size(); ++e) CHECK(a.feed[e].text == b.feed[e].text);
  }
  CHECK(live.back().feed.size() == 40);  // the feed was full: its window is compared too

  ReplaySource replay(sc, store);
  CHECK(replay.endTime() == 8.0);
  Snapshot s;
  replay.seek(3.2);  // the frame at or before
  REQUIRE(replay.latest(s));
  CHECK(s.time == 3.0);
  CHECK_FALSE(replay.latest(s));  // paused: nothing new
  replay.stepOnce();
  REQUIRE(replay.latest(s));
  CHECK(s.time == 3.5);
  replay.stepBack();
  replay.stepBack();
  REQUIRE(replay.latest(s));
  CHECK(s.time == 2.5);
  // Backwards at 64x from 2.5 s reaches the start within a tenth of a second, and holds there.
  replay.start();
  replay.setSpeed(64);
  replay.setBackwards(true);
  replay.setPaused(false);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  replay.latest(s);
  CHECK(s.time == 0.0);
  CHECK(s.paused);
  // Forwards again from the start to the end.
  replay.setBackwards(false);
  replay.setPaused(false);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  replay.latest(s);
  CHECK(s.time == 8.0);
  CHECK(s.finished);
}

TEST_CASE("Interventions made through the viewer's controls are repeated byte for byte by interventions.yaml",
          "[render][interventions]") {
  namespace fs = std::filesystem;
  const std::string file = std::string(UNREST_SOURCE_DIR) + "/tests/data/view/interventions.yaml";
  // A key, the seed, and an item of a list (which the file cannot hold, and names for the command line): half
  // the police on duty from the start.
  const std::vector<std::string> overrides{"clock.duration=10", "seed=9", "events[0].value=0.5"};
  const Scenario sc = loadScenario(file, overrides);
  const World world(sc);
  const fs::path dir = tempDir() / "interventions";
  fs::remove_all(dir);
  Viewer viewer(sc, world, {640, 400, true, PeopleDetail::Auto, {}});
  const Camera& cam = viewer.camera();
  {
    SimRunner runner(sc, world, 2, (dir / "viewed").string());
    runner.allowInterventions(overrides);
    SessionOptions options;
    Controls controls(runner, viewer, options);
    runner.setSpeed(0);
    runner.start();  // paused
    // The window's events, fed to the controls as the window loop feeds them.
    auto key = [&](sf::Keyboard::Key code) {
      sf::Event e{};
      e.type = sf::Event::KeyPressed;
      e.key.code = code;
      CHECK(controls.handle(e));
    };
    auto click = [&](double x, double y) {
      sf::Event e{};
      e.mouseButton = {sf::Mouse::Left, int(std::lround(cam.screenX(x))), int(std::lround(cam.screenY(y)))};
      e.type = sf::Event::MouseButtonPressed;
      CHECK(controls.handle(e));
      e.type = sf::Event::MouseButtonReleased;
      CHECK(controls.handle(e));
    };
    // Runs on to `step` (the requests queued so far are taken before the next step) and takes that snapshot.
    auto until = [&](std::int64_t step) -> const Snapshot& {
      runner.runTo(step);
      while (controls.refresh().step < step && !controls.snapshot().finished) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return controls.snapshot();
    };
    auto labels = [](const Snapshot& s) {
      std::string all;
      for (const ScheduledIntervention& i : s.interventions) all += std::to_string(std::lround(i.time)) + (i.applied ? " applied " : " pending ") + i.label + "; ";
      return all;
    };

    key(sf::Keyboard::W);         // the police withdraw
    key(sf::Keyboard::T);         // target: faction red
    key(sf::Keyboard::LBracket);  // red's legitimacy down by 0.1
    const Snapshot* s = &until(10);  // t = 0.5 s
    CHECK(labels(*s) == "1 pending the police withdraw; 1 pending legitimacy 0.60 -> 0.50 for red; ");

    key(sf::Keyboard::G);  // shots at the square, then thought better of
    click(30, 11);
    CHECK(controls.tool() == Controls::Tool::Shots);
    key(sf::Keyboard::Escape);
    key(sf::Keyboard::Backspace);
    s = &until(40);  // t = 2 s
    CHECK(labels(*s) == "1 applied the police withdraw; 1 applied legitimacy 0.60 -> 0.50 for red; ");
    CHECK(s->interventionNote == "undone: shots at (30.0, 11.0)");
    key(sf::Keyboard::Backspace);  // too late: both have taken effect
    s = &until(41);
    CHECK(s->interventionNote == "nothing to undo: every intervention has taken effect");

    key(sf::Keyboard::K);  // the checkpoint's barrier closes
    click(43, 12);
    key(sf::Keyboard::T);  // target: faction blue
    key(sf::Keyboard::Y);  // blue rallies to the west
    click(5, 11);
    key(sf::Keyboard::Escape);
    key(sf::Keyboard::D);  // the army deploys early
    s = &until(50);
    CHECK(labels(*s) == "1 applied the police withdraw; 1 applied legitimacy 0.60 -> 0.50 for red; "
                        "4 pending checkpoint east_gate: barrier closes; 4 pending rally: blue to west; "
                        "4 pending the army deploys; ");
    for (int k = 0; k < 5; ++k) key(sf::Keyboard::T);  // on past the four populations (the garrison's too) to everyone
    key(sf::Keyboard::Y);
    click(5, 11);  // a rally of everyone names no one
    key(sf::Keyboard::Escape);
    s = &until(100);  // t = 5 s
    CHECK(s->interventionNote == "refused: a rally calls a faction or a population (t chooses one)");
    CHECK(s->checkpoints.size() == 1);  // the barrier stands

    key(sf::Keyboard::U);  // a curfew
    key(sf::Keyboard::S);  // the police come back
    s = &until(200);
    CHECK(s->finished);
    CHECK(labels(*s) == "1 applied the police withdraw; 1 applied legitimacy 0.60 -> 0.50 for red; "
                        "4 applied checkpoint east_gate: barrier closes; 4 applied rally: blue to west; "
                        "4 applied the army deploys; 6 applied curfew until 19:00:06; 6 applied the police come back; ");
    runner.stop();
  }
  const std::string interventions = readFile(dir / "viewed" / "interventions.yaml");
  INFO(interventions);
  CHECK(interventions.find("seed: 9\n") != std::string::npos);
  CHECK(interventions.find("clock:\n  duration: 10\n") != std::string::npos);
  CHECK(interventions.find("# give again: --set 'events[0].value=0.5'") != std::string::npos);
  CHECK(interventions.find("gunshot") == std::string::npos);  // undone

  const std::string unrest = UNREST_BINARY;
  REQUIRE(std::system((unrest + " run " + (dir / "viewed" / "interventions.yaml").string() +
                       " --set 'events[0].value=0.5' --quiet --out " + (dir / "repeated").string() + " >/dev/null").c_str()) == 0);
  for (const char* f : {"metrics.csv", "events.jsonl"}) {
    INFO(f);
    CHECK(readFile(dir / "repeated" / f) == readFile(dir / "viewed" / f));
  }
  // The summaries differ only in the file each names.
  auto withoutFile = [](const std::string& summary) {
    std::istringstream in(withoutPerformance(summary));
    std::string line, out;
    while (std::getline(in, line))
      if (line.find("\"file\": ") == std::string::npos) out += line + "\n";
    return out;
  };
  CHECK(withoutFile(readFile(dir / "repeated" / "summary.json")) == withoutFile(readFile(dir / "viewed" / "summary.json")));
  // The interventions are in the events, at their times; and they changed the run.
  const std::string events = readFile(dir / "viewed" / "events.jsonl");
  for (const char* line : {R"({"time_s":1.000,"clock":"18:00:01","type":"police_presence","value":0.0000})",
                           R"({"time_s":1.000,"clock":"18:00:01","type":"legitimacy","value":0.5000,"faction":"red"})",
                           R"({"time_s":4.000,"clock":"18:00:04","type":"checkpoint","checkpoint":"east_gate","barrier":"closed"})",
                           R"({"time_s":6.000,"clock":"18:00:06","type":"police_presence","value":1.0000})"}) {
    INFO(line);
    CHECK(events.find(line) != std::string::npos);
  }
  REQUIRE(std::system((unrest + " run " + file + " --set clock.duration=10 --seed 9 --set 'events[0].value=0.5' --quiet --out " +
                       (dir / "plain").string() + " >/dev/null").c_str()) == 0);
  CHECK(readFile(dir / "plain" / "events.jsonl") != events);
  CHECK(readFile(dir / "plain" / "metrics.csv") != readFile(dir / "viewed" / "metrics.csv"));
}
