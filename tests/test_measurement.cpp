// Measurement (areas, counting lines, per-person times, trajectories) and the periodic boundary, on set-ups whose
// answer is known by hand.
#include "support.hpp"
#include "unrest/measurement.hpp"
#include "unrest/run.hpp"
#include "unrest/output.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

using namespace unrest;
using unrest::test::readFile;
using unrest::test::scenarioFromText;
using unrest::test::scenarioPath;

namespace {

// One walker along a 2 m corridor, with a counting line at x = 10 and one at x = 20 crossed backwards.
std::string corridor(const std::string& direction) {
  return R"(scenario: {name: line}
clock: {dt: 0.02, duration: 30, record_interval: 1}
map:
  bounds: [0, 0, 30, 2]
  cell_size: 0.1
  zones:
    start: {rect: [0.5, 0.5, 1.5, 1.5]}
    end: {rect: [28, 0, 30, 2]}
populations:
  walker: {count: 1, spawn: start, destination: end, on_arrival: leave, desired_speed: 1.0}
measurement:
  lines:
    ten: {from: [10, 0], to: [10, 2], direction: )" + direction + R"(}
  people: true
)";
}

std::vector<Measurement::Crossing> runCollecting(Simulation& sim, Measurement& m) {
  std::vector<Measurement::Crossing> all;
  while (!sim.done()) {
    sim.step();
    m.afterStep(sim);
    const auto& c = m.stepCrossings();
    all.insert(all.end(), c.begin(), c.end());
  }
  return all;
}

// A periodic corridor 10 m long with one population walking +x.
std::string periodicCorridor(int people, const std::string& extra = "") {
  return R"(scenario: {name: ring}
clock: {dt: 0.02, duration: 20, record_interval: 1}
map:
  bounds: [0, 0, 10, 4]
  cell_size: 0.1
  periodic: x
  zones:
    all: {rect: [0, 0, 10, 4]}
populations:
  walkers: {count: )" + std::to_string(people) + R"(, spawn: all, spawn_layout: lattice, direction: [1, 0], desired_speed: 1.2}
)" + extra;
}

}  // namespace

TEST_CASE("a counting line records one crossing at the time the walker passes it, with the line's sign", "[measurement]") {
  for (const std::string dir : {"[1, 0]", "[-1, 0]"}) {
    const Scenario sc = scenarioFromText("line.yaml", corridor(dir));
    const World world(sc);
    Simulation sim(sc, world, 1);
    Measurement m(sim);
    const auto crossings = runCollecting(sim, m);
    REQUIRE(crossings.size() == 1);
    CHECK(crossings[0].sign == (dir == "[1, 0]" ? 1 : -1));
    CHECK(crossings[0].agent == 0);
    // From x ≈ 1 at rest to x = 10 at 1 m/s after a relaxation of τ = 0.5 s.
    const auto& person = m.people()[0];
    CHECK(person.spawn == Approx(0.0));
    CHECK(crossings[0].time == Approx(9.0 + 0.5).margin(0.6));
    CHECK(m.netCrossings()[0] == crossings[0].sign);
    // Leaving at x = 28 is the travel time.
    CHECK(person.exit == Approx(27.0 + 0.5).margin(0.6));
    CHECK(person.arrival == person.exit);
  }
}

TEST_CASE("a scenario without a measurement section measures nothing", "[measurement]") {
  const Scenario sc = loadScenario(scenarioPath("benchmarks/dense.yaml"), {"map.bounds=[0,0,10,10]", "map.zones.square.rect=[0,0,10,10]",
                                                                           "populations.crowd.count=50"});
  const ScenarioRun run(sc, 1);
  CHECK(run.measurement() == nullptr);
}

TEST_CASE("classical density and speed of an area count the centres inside", "[measurement]") {
  // People standing still on a lattice in a closed room: the area holds a known number of centres.
  const Scenario sc = scenarioFromText("area.yaml", R"(scenario: {name: area}
clock: {dt: 0.02, duration: 1, record_interval: 1}
map:
  bounds: [0, 0, 10, 10]
  cell_size: 0.1
  zones:
    all: {rect: [0, 0, 10, 10]}
populations:
  crowd: {count: 100, spawn: all, spawn_layout: lattice, destination: all, on_arrival: stay}
measurement:
  interval: 0.5
  areas:
    middle: {rect: [3, 3, 7, 7]}
    wedge: {polygon: [[0, 0], [10, 0], [10, 10]]}
  voronoi: {cut_off: 2.0}
)");
  const World world(sc);
  Simulation sim(sc, world, 1);
  Measurement m(sim);
  int samples = 0;
  while (!sim.done()) {
    sim.step();
    m.afterStep(sim);
    for (const auto& s : m.stepAreaSamples()) {
      ++samples;
      const auto& a = sim.agents();
      int inside = 0;
      for (std::size_t k = 0; k < a.size(); ++k)
        inside += sc.measurement.areas[s.area].shape.contains(Vec2(a.x[k], a.y[k]));
      CHECK(s.count == inside);
      CHECK(s.density == Approx(inside / (s.area == 0 ? 16.0 : 50.0)));
      // On a lattice of about 1 /m² the Voronoi density agrees with the count within the edge cells' share.
      CHECK(s.voronoiDensity == Approx(s.density).epsilon(0.25));
    }
  }
  CHECK(samples == 2 * 2);  // two areas, every 0.5 s of 1 s
}

TEST_CASE("Voronoi cells of a square lattice are the lattice squares", "[measurement]") {
  // Neighbours at spacing 0.8 m: the cell is the 0.8 m square around the centre.
  std::vector<Vec2> lattice;
  for (int i = -3; i <= 3; ++i)
    for (int j = -3; j <= 3; ++j) lattice.emplace_back(0.8 * i, 0.8 * j);
  const std::vector<Vec2> area{{-0.4, -0.4}, {0.4, -0.4}, {0.4, 0.4}, {-0.4, 0.4}};
  const auto [whole, inside] = Measurement::voronoiCell(Vec2(0, 0), lattice, 2.0, area);
  CHECK(whole == Approx(0.64).epsilon(1e-9));
  CHECK(inside == Approx(0.64).epsilon(1e-9));
  // Half of the cell inside a half-plane area.
  const std::vector<Vec2> right{{0, -5}, {5, -5}, {5, 5}, {0, 5}};
  CHECK(Measurement::voronoiCell(Vec2(0, 0), lattice, 2.0, right).second == Approx(0.32).epsilon(1e-9));
  // Alone, the cell is the cut-off disc (a 32-gon of it); a wall 0.5 m away cuts off a segment of it.
  const double disc = Measurement::voronoiCell(Vec2(0, 0), {}, 1.0, area).first;
  CHECK(disc == Approx(M_PI).epsilon(0.01));
  const double walled = Measurement::voronoiCell(Vec2(0, 0), {}, 1.0, area, {{Vec2(0, 0.5), Vec2(0, 1)}}).first;
  const double segment = std::acos(0.5) - 0.5 * std::sqrt(0.75);  // area of the unit disc beyond y = 0.5
  CHECK(walled == Approx(M_PI - segment).epsilon(0.01));
}

TEST_CASE("trajectories.txt is PedPy's text format at the chosen rate", "[measurement][outputs]") {
  const Scenario sc = scenarioFromText("traj.yaml", corridor("[1, 0]") + "  trajectories: {interval: 0.5}\n",
                                       {"clock.duration=5"});
  const std::filesystem::path dir = unrest::test::runWithOutputs(sc, 1, "traj");
  const std::string text = readFile(dir / "trajectories.txt");
  // PedPy reads the frame rate from the first number of a comment line naming "framerate", and the unit from
  // "x/m"; data rows are whitespace-separated id, frame, x, y (and z).
  CHECK(text.find("# framerate: 2\n") != std::string::npos);
  CHECK(text.find("x/m") != std::string::npos);
  std::istringstream in(text);
  std::string line;
  int rows = 0;
  long lastFrame = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    long id = -1, frame = -1;
    double x = 0, y = 0, z = 1;
    fields >> id >> frame >> x >> y >> z;
    REQUIRE(fields);
    CHECK(id == 0);
    CHECK(frame == lastFrame + 1);
    CHECK(z == 0.0);
    lastFrame = frame;
    ++rows;
  }
  CHECK(rows == 10);  // 5 s at 2 frames per second
  const std::string people = readFile(dir / "people.csv");
  CHECK(people.rfind("agent,population,spawn_s,arrival_s,exit_s,travel_s,peak_pressure_Npm,injury_s\n0,walker,0.000,", 0) == 0);
  CHECK(readFile(dir / "crossings.csv").rfind("time_s,line,agent,population,sign\n", 0) == 0);
}

TEST_CASE("a periodic corridor wraps people, neighbours and forces, and has no walls at its ends", "[periodic]") {
  const Scenario sc = scenarioFromText("ring.yaml", periodicCorridor(40));
  const World world(sc);
  CHECK(world.periodX() == 10.0);
  for (const auto& w : world.walls()) CHECK(std::abs(w.a.y() - w.b.y()) < 1e-9);  // only the two long walls (and copies)
  Simulation sim(sc, world, 1);
  std::vector<double> unwrapped;
  while (!sim.done()) {
    std::vector<double> before(sim.agents().size());
    for (std::size_t k = 0; k < before.size(); ++k) before[sim.agents().id[k]] = sim.agents().x[k];
    sim.step();
    const auto& a = sim.agents();
    unwrapped.resize(a.size(), 0.0);
    for (std::size_t k = 0; k < a.size(); ++k) {
      REQUIRE(a.x[k] >= 0.0);
      REQUIRE(a.x[k] < 10.0);
      const double step = a.x[k] - (before.size() > a.id[k] ? before[a.id[k]] : a.x[k]);
      unwrapped[a.id[k]] += step - 10.0 * std::round(step / 10.0);
    }
  }
  // 40 people at 1 /m² walk at close to their desired speed, round and round.
  double mean = 0.0;
  for (double d : unwrapped) mean += d / unwrapped.size();
  CHECK(mean == Approx(1.2 * 20.0).epsilon(0.1));
  CHECK(sim.injuriesCrush() == 0);
  CHECK(sim.lastRow().wallCorrections == 0);
  // Someone at either end has neighbours across the seam.
  const auto& a = sim.agents();
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a.x[k] < 0.3) {
      bool across = false;
      for (std::uint32_t id : sim.neighboursOf(k, 1.3))
        for (std::size_t j = 0; j < a.size(); ++j) across = across || (a.id[j] == id && a.x[j] > 8.7);
      CHECK(across);
    }
}

TEST_CASE("two people facing across the periodic seam push each other apart", "[periodic]") {
  // Head-on across x = 0: without the wrap they would never meet.
  const Scenario sc = scenarioFromText("seam.yaml", R"(scenario: {name: seam}
clock: {dt: 0.02, duration: 6, record_interval: 1}
map:
  bounds: [0, 0, 10, 2]
  cell_size: 0.1
  periodic: x
  zones:
    east_end: {rect: [9, 0.8, 9.6, 1.2]}
    west_end: {rect: [0.4, 0.8, 1, 1.2]}
populations:
  east: {count: 1, spawn: east_end, direction: [1, 0], desired_speed: 1.0, radius: 0.3}
  west: {count: 1, spawn: west_end, direction: [-1, 0], desired_speed: 1.0, radius: 0.3}
measurement:
  lines:
    seam: {from: [0, 0], to: [0, 2], direction: [1, 0]}
)");
  const World world(sc);
  Simulation sim(sc, world, 1);
  double closest = 1e9;
  while (!sim.done()) {
    sim.step();
    const auto& a = sim.agents();
    if (a.size() == 2) closest = std::min(closest, sim.offset(Vec2(a.x[0], a.y[0]), Vec2(a.x[1], a.y[1])).norm());
  }
  // They meet and dodge sideways instead of passing through each other (r_i + r_j = 0.6 m).
  CHECK(closest < 1.0);
  CHECK(closest > 0.6);
}

TEST_CASE("periodic runs are the same with 1 and 2 threads", "[periodic][determinism]") {
  auto run = [](int threads) {
    const Scenario sc = scenarioFromText("ring_det.yaml", periodicCorridor(1500, ""),
                                         {"map.bounds=[0,0,50,20]", "map.zones.all.rect=[0,0,50,20]", "clock.duration=4"});
    const World world(sc);
    Simulation sim(sc, world, threads);
    while (!sim.done()) sim.step();
    std::vector<double> xs(sim.agents().size());
    for (std::size_t k = 0; k < xs.size(); ++k) xs[sim.agents().id[k]] = sim.agents().x[k] + 1e3 * sim.agents().y[k];
    return xs;
  };
  CHECK(run(1) == run(2));
}

TEST_CASE("the measurement section, map.periodic and direction: are checked strictly", "[measurement][loader]") {
  const std::string base = R"(scenario: {name: bad}
map:
  bounds: [0, 0, 10, 4]
  cell_size: 0.1
  zones:
    all: {rect: [0, 0, 10, 4]}
populations:
  p: {count: 1, spawn: all, destination: all}
)";
  auto problems = [&](const std::string& extra, const std::vector<std::string>& set = {}) {
    try {
      scenarioFromText("bad_measurement.yaml", base + extra, set);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(problems("measurement: {lines: {l: {from: [1, 0], to: [1, 4], direction: [0, 1]}}}").find("measurement.lines.l.direction: parallel to the line") != std::string::npos);
  CHECK(problems("measurement: {lines: {l: {from: [1, 0], to: [1, 4]}}}").find("measurement.lines.l.direction: missing") != std::string::npos);
  CHECK(problems("measurement: {areas: {a: {polygon: [[0, 0], [4, 0], [1, 1], [0, 4]]}}}").find("measurement.areas.a: expected a rect or a convex polygon") != std::string::npos);
  CHECK(problems("measurement: {areas: {a: {circle: [1, 1, 1]}}}").find("expected a rect or a convex polygon") != std::string::npos);
  CHECK(problems("measurement: {intervall: 1}").find("measurement.intervall: unknown key (did you mean 'interval'?") != std::string::npos);
  CHECK(problems("measurement: {trajectories: {interval: 0.001}}").find("measurement.trajectories.interval: shorter than clock.dt") != std::string::npos);
  CHECK(problems("", {"map.periodic=y"}).find("map.periodic: 'y' is not allowed (expected one of: none, x)") != std::string::npos);
  CHECK(problems("", {"map.periodic=x", "map.bounds=[0,0,10.05,4]", "map.cell_size=0.1"}).find("map.periodic: the length along x is not a whole number of cells") != std::string::npos);
  CHECK(problems("", {"populations.p.direction=[1,0]"}).find("populations.p.direction: a population has either a destination or a direction") != std::string::npos);
  CHECK(problems("", {"populations.p.destination=null", "populations.p.direction=[0,0]"}).find("populations.p.direction: zero vector") != std::string::npos);
  CHECK(problems("", {"populations.p.destination=null"}).find("populations.p.destination: missing") != std::string::npos);
  CHECK(problems("measurement: {areas: {a: {rect: [1, 1, 2, 2]}}, voronoi: {cut_off: 1.5}, lines: {l: {from: [1, 0], to: [1, 4], direction: [1, 0]}}, people: true, trajectories: {interval: 0.1}}").empty());
}
