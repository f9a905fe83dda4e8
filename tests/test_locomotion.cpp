// The locomotion models as a user meets them: the velocity model's fundamental diagram on a ring is V(s), a slow walker
// gets through a door that stops HFV's, the hybrid's calm crowd never touches, and its pushing crowd crushes.
#include "support.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace unrest;
using unrest::test::scenarioFromText;

namespace {

// A single-file ring: a periodic lane 0.6 m wide (bodies of 0.4 m cannot pass each other), N people walking east.
std::string ring(int people) {
  return R"(scenario: {name: ring}
clock: {dt: 0.05, duration: 120, record_interval: 1.0}
map:
  bounds: [0, 0, 20, 1]
  cell_size: 0.05
  periodic: x
  walkable:
    lane: {rect: [0, 0.2, 20, 0.8]}
  zones:
    lane: {rect: [0, 0.2, 20, 0.8]}
locomotion: {model: collision_free_speed}
harm: {injuries: false}
populations:
  walkers:
    count: )" + std::to_string(people) + R"(
    spawn: lane
    direction: [1, 0]
    desired_speed: 1.34
)";
}

double meanSpeedAtEnd(const Scenario& sc) {
  const World world(sc);
  Simulation sim(sc, world, 2);
  while (!sim.done()) sim.step();
  const auto& a = sim.agents();
  REQUIRE(std::int64_t(a.size()) == sc.totalPeople());  // everyone found room on the ring
  double sum = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) sum += a.vx[k];
  return sum / double(a.size());
}

// A room with a 1 m door in a thin wall (as HFV's escape room), and one person walking out.
std::string door(const std::string& model, double desiredSpeed, double radius) {
  return R"(scenario: {name: lone_walker}
clock: {dt: 0.02, duration: 60, record_interval: 1.0}
map:
  bounds: [0, 0, 12, 6]
  cell_size: 0.05
  obstacles:
    wall_south: {rect: [6, -1, 6.1, 2.5]}
    wall_north: {rect: [6, 3.5, 6.1, 7]}
  zones:
    start: {rect: [2, 2.5, 3, 3.5]}
    away: {rect: [10, 0, 12, 6]}
locomotion: {model: )" + model + R"(}
harm: {injuries: false}
populations:
  walker:
    count: 1
    spawn: start
    destination: away
    on_arrival: leave
    desired_speed: )" + std::to_string(desiredSpeed) + R"(
    radius: )" + std::to_string(radius) + "\n";
}

// The dead-end corridor (support.hpp) walked with the hybrid, the crowd at a given urgency.
std::string deadEnd(double desiredSpeed, double urgency, const std::string& criterion = "hfv2000", int duration = 20,
                    int people = 60) {
  return test::deadEndScenario(desiredSpeed, "harm: {criterion: " + criterion + "}\nlocomotion: {model: hybrid}", duration,
                               people, "    urgency: " + std::to_string(urgency) + "\n");
}

struct Pressures {
  double peak = 0.0;
  std::int64_t injured = 0;
};

Pressures runPressures(const Scenario& sc) {
  const World world(sc);
  Simulation sim(sc, world, 2);
  Pressures p;
  while (!sim.done()) {
    sim.step();
    const auto& a = sim.agents();
    for (std::size_t k = 0; k < a.size(); ++k) p.peak = std::max(p.peak, double(a.pressure[k]));
  }
  p.injured = sim.injuriesCrush();
  return p;
}

}  // namespace

TEST_CASE("collision-free speed model: on a single-file ring the speed is V(s) = min(v0, (L/N - l)/T)", "[locomotion]") {
  // L = 20 m, l = 0.4 m (two bodies of 0.2 m), T = 1 s. While everyone is slowed by the one ahead the mean speed is
  // exactly the mean spacing over T, whatever the spacings' spread; with room enough everyone walks at v0.
  for (const int n : {20, 25, 30}) {
    const double expected = (20.0 / n - 0.4) / 1.0;
    CAPTURE(n);
    CHECK(meanSpeedAtEnd(scenarioFromText("ring.yaml", ring(n))) == Approx(expected).margin(0.02));
  }
  CHECK(meanSpeedAtEnd(scenarioFromText("ring_free.yaml", ring(8))) == Approx(1.34).margin(0.02));
}

TEST_CASE("a lone slow walker with a broad body passes a 1 m door under the velocity models, not under HFV 2000",
          "[locomotion]") {
  // r = 0.35 m, v0 = 0.5 m/s: under HFV the door posts' repulsion exceeds the drive m v0/tau and the walker stands
  // before the door for ever; the velocity models steer only by the gap ahead, and the door is wider than the body.
  auto leaves = [](const std::string& model) {
    const Scenario sc = scenarioFromText("lone_" + model + ".yaml", door(model, 0.5, 0.35));
    const World world(sc);
    Simulation sim(sc, world, 1);
    while (!sim.done() && sim.exited() == 0) sim.step();
    return sim.exited() == 1 ? sim.time() : -1.0;
  };
  const double cfs = leaves("collision_free_speed");
  // 7 to 8 m to the far zone at 0.5 m/s, plus the bend through the door: 14 to 17 s, well under a minute.
  CHECK(cfs > 13.5);
  CHECK(cfs < 20.0);
  CHECK(leaves("anticipation_velocity") > 0.0);
  CHECK(leaves("hybrid") > 0.0);
  CHECK(leaves("hfv2000") < 0.0);
}

TEST_CASE("hybrid model: a calm crowd at 2 people/m2 keeps its gaps, with no contact pressure", "[locomotion][harm]") {
  const Scenario sc = scenarioFromText("calm.yaml", R"(scenario: {name: calm}
clock: {dt: 0.05, duration: 30, record_interval: 1.0}
map:
  bounds: [0, 0, 10, 10]
  cell_size: 0.1
  zones:
    square: {rect: [0, 0, 10, 10]}
locomotion: {model: hybrid}
populations:
  crowd: {count: 200, spawn: square, spawn_layout: lattice, destination: square, on_arrival: wander, wander_radius: 20, dwell_time: 0}
)");
  const Pressures p = runPressures(sc);
  CHECK(p.peak == 0.0);
  CHECK(p.injured == 0);
}

TEST_CASE("hybrid model: a crowd pushing against a wall compresses and crushes under both injury criteria; calm, it does not",
          "[locomotion][harm]") {
  const Pressures calm = runPressures(scenarioFromText("calm_wall.yaml", deadEnd(5.0, 0.0)));
  const Pressures pushing = runPressures(scenarioFromText("pushing_wall.yaml", deadEnd(5.0, 1.0)));
  CHECK(calm.peak == 0.0);
  CHECK(calm.injured == 0);
  CHECK(pushing.peak > 1600.0);
  CHECK(pushing.injured > 0);
  // Under sustained compression only those held above the threshold for 30 s are hurt: none in the first 20 s; a
  // crowd twice as deep, held for two minutes, hurts some.
  const Pressures brief = runPressures(scenarioFromText("pushing_brief.yaml", deadEnd(5.0, 1.0, "sustained_compression", 20)));
  const Pressures held =
      runPressures(scenarioFromText("pushing_held.yaml", deadEnd(5.0, 1.0, "sustained_compression", 120, 120)));
  CHECK(brief.peak > 1600.0);
  CHECK(brief.injured == 0);
  CHECK(held.injured > 0);
}

TEST_CASE("hybrid model: those who push lean on their goal, so past a point pushing harder empties HFV's room more slowly",
          "[locomotion][hybrid]") {
  // HFV 2000's room (200 people, a 1 m door) under the hybrid, everyone pushing (urgency 1), the injury rule off:
  // the faster-is-slower shape of the contact layer. Were the push aimed along the velocity model's direction, which
  // turns the blocked away from the people around them, the room would empty ever faster (83 s at 5 m/s against
  // 110 s at 3 m/s, seeds 1-3): nobody would press on the door.
  auto leavingTime = [](double desiredSpeed) {
    const Scenario sc = loadScenario(test::scenarioPath("validation/hfv2000_room.yaml"),
                                     {"locomotion.model=hybrid", "populations.crowd.urgency=1", "harm.injuries=false", "seed=1",
                                      "populations.crowd.desired_speed=" + std::to_string(desiredSpeed)});
    const World world(sc);
    Simulation sim(sc, world, 2);
    while (!sim.done() && sim.exited() < 200) sim.step();
    return sim.exited() == 200 ? sim.time() : std::numeric_limits<double>::infinity();
  };
  const double t3 = leavingTime(3.0), t5 = leavingTime(5.0);
  INFO("time for all 200 to leave: " << t3 << " s at 3 m/s, " << t5 << " s at 5 m/s");
  CHECK(std::isfinite(t5));
  CHECK(t5 > 1.03 * t3);
}
