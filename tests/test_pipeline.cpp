// The whole step pipeline on the set-ups a user cares about: free walking takes the time the physics says,
// pushing crowds crush at high desired speed and not at normal speed, results do not depend on threads.
#include "support.hpp"
#include "unrest/output.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <catch2/catch.hpp>
#include <omp.h>

#include <cmath>
#include <filesystem>
#include <thread>

using namespace unrest;
using unrest::test::readFile;
using unrest::test::runWithOutputs;
using unrest::test::withoutPerformance;
using unrest::test::deadEndScenario;
using unrest::test::scenarioFromText;
using unrest::test::scenarioPath;
using unrest::test::tempDir;

namespace {

struct RunResult {
  std::int64_t injuries = 0;
  double injuryPressure = 0.0;  // highest pressure at which someone was injured
  double peakPressure = 0.0;
  std::int64_t wallCorrections = 0;
  double maxSpeed = 0.0;
};

RunResult runToEnd(const Scenario& sc, int threads = 1) {
  const World world(sc);
  Simulation sim(sc, world, threads);
  RunResult result;
  while (!sim.done()) {
    sim.step();
    if (sim.recorded()) result.peakPressure = std::max(result.peakPressure, sim.lastRow().peakPressure);
    for (const auto& e : sim.stepEvents())
      if (e.type == EventType::Injury) result.injuryPressure = std::max(result.injuryPressure, e.value);
    const auto& a = sim.agents();
    for (std::size_t k = 0; k < a.size(); ++k) result.maxSpeed = std::max(result.maxSpeed, std::hypot(a.vx[k], a.vy[k]));
  }
  result.injuries = sim.injuriesCrush();
  result.wallCorrections = sim.lastRow().wallCorrections;
  return result;
}

}  // namespace

TEST_CASE("RiMEA test 1: one person walks 40 m of a 2 m corridor in 26-34 s and stays inside", "[pipeline][validation]") {
  const Scenario sc = loadScenario(scenarioPath("validation/rimea01_corridor.yaml"));
  const World world(sc);
  Simulation sim(sc, world, 1);
  double arrival = -1.0;
  double startX = 0.0;
  while (!sim.done() && arrival < 0) {
    sim.step();
    const auto& a = sim.agents();
    if (sim.stepIndex() == 1) startX = a.x[0];
    for (std::size_t k = 0; k < a.size(); ++k) {
      if (a.state[k] == std::uint8_t(AgentState::Exited)) continue;
      REQUIRE(a.y[k] - a.radius[k] > -1e-9);
      REQUIRE(a.y[k] + a.radius[k] < 2.0 + 1e-9);
    }
    for (const auto& e : sim.stepEvents())
      if (e.type == EventType::PopulationArrived) arrival = e.time;
  }
  // Time to cover the 40 m from the start line, corrected for where in the start area the person appeared.
  const double travel = arrival + startX / 1.33;
  CHECK(travel >= 26.0);
  CHECK(travel <= 34.0);
  // And the physics: the scenario walks with the collision-free speed model, first order, so a lone walker is at
  // 1.33 m/s from the first step: 40 m take 40/1.33 s.
  CHECK(travel == Approx(40.0 / 1.33).margin(0.3));
}

TEST_CASE("a crowd pressed against a wall is crushed at high desired speed, not at walking speed", "[pipeline][harm]") {
  const RunResult calm = runToEnd(scenarioFromText("dead_end_calm.yaml", deadEndScenario(1.3)));
  const RunResult rush = runToEnd(scenarioFromText("dead_end_rush.yaml", deadEndScenario(5.0)));
  CHECK(calm.injuries == 0);
  CHECK(calm.peakPressure < 1600.0);
  CHECK(rush.injuries > 0);
  CHECK(rush.injuryPressure > 1600.0);
  CHECK(calm.wallCorrections == 0);
  CHECK(rush.wallCorrections == 0);
}

TEST_CASE("an injured person stops and stays put as an obstacle", "[pipeline][harm]") {
  const Scenario sc = scenarioFromText("dead_end_obstacle.yaml", deadEndScenario(5.0));
  const World world(sc);
  Simulation sim(sc, world, 1);
  std::uint32_t victim = 0;
  Vec2 where;
  while (!sim.done() && sim.injuriesCrush() == 0) sim.step();
  REQUIRE(sim.injuriesCrush() > 0);
  const auto& a = sim.agents();
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a.state[k] == std::uint8_t(AgentState::Injured)) {
      victim = a.id[k];
      where = Vec2(a.x[k], a.y[k]);
      break;
    }
  for (int s = 0; s < 200 && !sim.done(); ++s) sim.step();
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a.id[k] == victim) {
      CHECK(a.state[k] == std::uint8_t(AgentState::Injured));
      CHECK(a.x[k] == where.x());
      CHECK(a.y[k] == where.y());
    }
}

TEST_CASE("the implicit contact step at 20 ms matches explicit Euler at 2 ms", "[pipeline][integration]") {
  // 60 people leave a room through a 1.2 m door: the time for everyone to leave is a collective outcome of
  // many contacts, so it shows whether the large step changes the physics.
  const std::string room = R"(scenario: {name: door}
clock: {dt: 0.02, duration: 120, record_interval: 1}
map:
  bounds: [0, 0, 14, 8]
  cell_size: 0.05
  walkable:
    room: {rect: [0, 0, 8, 8]}
    door: {rect: [7.9, 3.4, 8.3, 4.6]}
    outside: {rect: [8.2, 0, 14, 8]}
  zones:
    inside: {rect: [0, 0, 6, 8]}
    away: {rect: [11, 0, 14, 8]}
populations:
  crowd: {count: 60, spawn: inside, spawn_layout: lattice, destination: away, on_arrival: leave, desired_speed: 1.2}
)";
  auto meanEvacuation = [&](const std::vector<std::string>& set) {
    double sum = 0.0;
    for (int seed = 1; seed <= 4; ++seed) {
      auto withSeed = set;
      withSeed.push_back("seed=" + std::to_string(seed));
      const Scenario sc = scenarioFromText("door.yaml", room, withSeed);
      const World world(sc);
      Simulation sim(sc, world, 1);
      while (!sim.done() && sim.exited() < 60) sim.step();
      REQUIRE(sim.exited() == 60);
      sum += sim.time();
    }
    return sum / 4.0;
  };
  // Each run is chaotic; the mean over seeds is what the step size must not change.
  const double coarse = meanEvacuation({});
  const double fine = meanEvacuation({"clock.dt=0.002", "physics.integrator=explicit"});
  CHECK(coarse == Approx(fine).epsilon(0.08));
}

TEST_CASE("HFV 2000 on a dense milling crowd: accurate at 20 ms, stable at 50 ms where explicit Euler breaks down",
          "[pipeline][integration]") {
  auto dense = [](const std::string& dt, const std::string& integrator) {
    return runToEnd(loadScenario(scenarioPath("benchmarks/dense.yaml"),
                                 {"locomotion.model=hfv2000", "map.bounds=[0,0,30,30]", "map.zones.square.rect=[0,0,30,30]",
                                  "populations.crowd.count=1800", "clock.duration=20", "clock.dt=" + dt,
                                  "physics.integrator=" + integrator}),
                    2);
  };
  const RunResult standard = dense("0.02", "implicit_contact");
  CHECK(standard.injuries == 0);
  CHECK(standard.peakPressure < 1600.0);
  CHECK(standard.wallCorrections == 0);
  CHECK(standard.maxSpeed <= 2.2 * 1.3 + 1e-9);  // never beyond v_max

  // At 50 ms a step is close to the time B/v it takes to cross the repulsion's range, so collisions overshoot
  // a little; the implicit step stays bounded while explicit Euler crushes a third of the crowd.
  const RunResult coarse = dense("0.05", "implicit_contact");
  const RunResult explicitCoarse = dense("0.05", "explicit");
  CHECK(coarse.wallCorrections == 0);
  CHECK(coarse.injuries <= 18);  // at most 1 %
  CHECK(explicitCoarse.injuries > 10 * std::max<std::int64_t>(coarse.injuries, 1));
}

namespace {
// 1,500 people (enough for every stage to run in parallel) rushing through a door: injuries, exits, events.
Scenario rushScenario(std::uint64_t seed) {
  return loadScenario(scenarioPath("validation/hfv2000_room.yaml"),
                      {"populations.crowd.count=1500", "map.bounds=[-0.5,-0.5,41,30.5]", "map.walkable.room.rect=[0,0,35,30]",
                       "map.walkable.door.rect=[34.9,14,36.1,16]", "map.walkable.outside.rect=[36,0,41,30]",
                       "map.zones.inside.rect=[0.3,0.3,34.7,29.7]", "map.zones.away.rect=[38,0,41,30]", "map.cell_size=0.1",
                       "populations.crowd.desired_speed=5", "clock.duration=20", "seed=" + std::to_string(seed)});
}
}  // namespace

TEST_CASE("outputs are identical byte for byte with 1, 2 and 3 threads", "[pipeline][determinism]") {
  const Scenario sc = rushScenario(11);
  const std::string one = runWithOutputs(sc, 1, "det1");
  const std::string metrics = readFile(one + "/metrics.csv");
  const std::string events = readFile(one + "/events.jsonl");
  REQUIRE(metrics.size() > 1000);
  REQUIRE(events.find("\"type\":\"injury\"") != std::string::npos);  // the run exercises the harm stage
  for (int threads : {2, 3}) {
    const std::string other = runWithOutputs(sc, threads, "det" + std::to_string(threads));
    CHECK(metrics == readFile(other + "/metrics.csv"));
    CHECK(events == readFile(other + "/events.jsonl"));
    CHECK(withoutPerformance(readFile(one + "/summary.json")) == withoutPerformance(readFile(other + "/summary.json")));
  }
}

TEST_CASE("a different seed gives a different run", "[pipeline][determinism]") {
  const std::string a = runWithOutputs(rushScenario(1), 2, "seed1");
  const std::string b = runWithOutputs(rushScenario(2), 2, "seed2");
  CHECK(readFile(a + "/metrics.csv") != readFile(b + "/metrics.csv"));
}

TEST_CASE("outputs hold a row per record interval, parseable events and a complete summary", "[pipeline][outputs]") {
  const Scenario sc = scenarioFromText("outputs.yaml", deadEndScenario(5.0));
  const std::string dir = runWithOutputs(sc, 1, "outputs");
  const std::string metrics = readFile(dir + "/metrics.csv");
  const auto lines = std::count(metrics.begin(), metrics.end(), '\n');
  CHECK(lines == 1 + 40);  // header + 20 s / 0.5 s
  CHECK(metrics.rfind("time_s,clock,waiting,walking,arrived,injured,exited,jailed,away,calm,active", 0) == 0);
  const std::string events = readFile(dir + "/events.jsonl");
  std::size_t injuries = 0;
  for (std::size_t at = events.find("\"type\":\"injury\""); at != std::string::npos; at = events.find("\"type\":\"injury\"", at + 1)) ++injuries;
  const std::string summary = readFile(dir + "/summary.json");
  CHECK(summary.find("\"crush\": " + std::to_string(injuries)) != std::string::npos);
  for (const char* key : {"\"seed\"", "\"steps\": 1000", "\"simulated_s\": 20.000", "\"agent_steps\"", "\"wall_s\"",
                          "\"agent_steps_per_s\"", "\"agent_seconds_per_s\"", "\"peak_rss_bytes\""})
    CHECK(summary.find(key) != std::string::npos);
}

TEST_CASE("the default Bishkek scenario keeps everyone on the walkable side of every wall", "[pipeline][scenario]") {
  // Four minutes of the march along Abdrakhmanov and Chuy: thousands of people brush the traced walls of a
  // 1 m raster. The wall guard must never have to act, and nobody may stand still against a wall.
  const Scenario sc = loadScenario(scenarioPath("bishkek/2020-10-09_rival_rallies.yaml"), {"clock.duration=240"});
  const World world(sc);
  Simulation sim(sc, world, 2);
  while (!sim.done()) sim.step();
  CHECK(sim.lastRow().wallCorrections == 0);
  CHECK(sim.injuriesCrush() == 0);
  CHECK(sim.spawned() >= 1900);
  CHECK(sim.lastRow().meanSpeed > 0.8);  // a walking crowd, not a jam
}

TEST_CASE("people inside their destination only head for spots they can see", "[pipeline][scenario]") {
  // The destination square is split by a fence with gaps at both ends; people arrive from the west. Walking
  // straight at a spot behind the fence would pin them against it.
  const Scenario sc = scenarioFromText("fenced_square.yaml", R"(scenario: {name: fenced_square}
clock: {dt: 0.02, duration: 90, record_interval: 1}
map:
  bounds: [0, 0, 20, 10]
  cell_size: 0.1
  obstacles:
    fence: {rect: [12, 1.5, 12.3, 8.5]}
  zones:
    west: {rect: [0, 2, 4, 8]}
    square: {rect: [8, 0, 16, 10]}
populations:
  crowd: {count: 60, spawn: west, destination: square, on_arrival: stay}
)");
  const World world(sc);
  Simulation sim(sc, world, 1);
  while (!sim.done()) sim.step();
  const auto& a = sim.agents();
  int arrived = 0, wallBetween = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a.state[k] != std::uint8_t(AgentState::Arrived)) continue;
    ++arrived;
    // Some are held short of their spot by people already standing; none by the fence.
    wallBetween += !world.lineOfSight(Vec2(a.x[k], a.y[k]), Vec2(a.goalX[k], a.goalY[k]));
  }
  CHECK(arrived == 60);
  CHECK(wallBetween == 0);
  CHECK(sim.lastRow().wallCorrections == 0);
}

TEST_CASE("a simulation stepped on a thread of its own uses the thread count it was given, not that thread's OpenMP default",
          "[pipeline][threads]") {
  // The viewer and the sweep step simulations on threads of their own, whose default OpenMP team is one per core; a
  // loop that fell back on that default woke extra threads every few steps, and their spinning slowed the run.
  const Scenario sc = loadScenario(scenarioPath("benchmarks/dense.yaml"), {"populations.crowd.count=5000"});
  const World world(sc);
  auto threadsInProcess = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/task"), std::filesystem::directory_iterator{});
  };
  std::ptrdiff_t before = 0, after = 0;
  std::int64_t people = 0;
  std::thread worker([&] {
    omp_set_num_threads(4);  // this thread's default team: four
    before = threadsInProcess();
    Simulation sim(sc, world, 1);
    for (int s = 0; s < 17; ++s) sim.step();  // the people are reordered by cell at steps 0, 8 and 16
    people = static_cast<std::int64_t>(sim.agents().size());
    after = threadsInProcess();
  });
  worker.join();
  REQUIRE(people > 4096);  // above the size at which the reorder runs in parallel
  CHECK(after == before);
}
