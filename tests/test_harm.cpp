// Crush injuries and the measures of crowd danger: the two injury criteria, the local density a crush event carries,
// the peak contact pressure of a metrics row, and the crowd pressure of Helbing, Johansson and Al-Abideen (2007).
#include "support.hpp"
#include "unrest/crowd_pressure.hpp"
#include "unrest/harm.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace unrest;
using unrest::test::readFile;
using unrest::test::runWithOutputs;
using unrest::test::deadEndScenario;
using unrest::test::scenarioFromText;

namespace {

constexpr double kDt = 0.02;

// Steps of kDt at a constant pressure; true when the person was injured during them.
bool hold(const HarmDef& harm, double pressure, double seconds, float& exposure) {
  bool injured = false;
  for (long k = 0; k < std::lround(seconds / kDt) && !injured; ++k) injured = crushInjures(harm, pressure, kDt, exposure);
  return injured;
}

HarmDef sustained(double injuryTime, double recoveryTime) {
  HarmDef h;
  h.criterion = HarmCriterion::SustainedCompression;
  h.injuryTime = injuryTime;
  h.recoveryTime = recoveryTime;
  return h;
}

// An open square for the crowd pressure's nodes.
std::string openSquare() {
  return R"(scenario: {name: open_square}
map:
  bounds: [0, 0, 20, 20]
  cell_size: 0.1
  zones:
    a: {rect: [0, 0, 2, 2]}
    b: {rect: [18, 18, 20, 20]}
populations:
  crowd: {count: 1, spawn: a, destination: b}
)";
}

// A block of people 0.8 m apart in a square of side 4 m centred on (10, 10), all with velocity (vx, vy).
Population block(double vx, double vy) {
  Population a;
  std::uint32_t id = 0;
  for (int j = 0; j < 6; ++j)
    for (int i = 0; i < 6; ++i, ++id) {
      a.pushBack(id, 0, id, 0, 8.0 + 0.8 * i, 8.0 + 0.8 * j, 0.3f, 1.3f, 0.0f, 0.0f);
      a.vx.back() = vx;
      a.vy.back() = vy;
    }
  return a;
}

// The Gaussian density of HJA 2007 at p, by its definition over everyone.
double gaussianDensity(const Population& a, const Vec2& p, double R) {
  double rho = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k)
    rho += std::exp(-(Vec2(a.x[k], a.y[k]) - p).squaredNorm() / (R * R)) / (M_PI * R * R);
  return rho;
}

}  // namespace

TEST_CASE("HFV's criterion injures at once above the threshold; sustained compression only after its hold time",
          "[harm]") {
  const HarmDef hfv;  // the default: hfv2000, 1600 N/m
  float exposure = 0.0f;
  CHECK_FALSE(hold(hfv, 1599.0, 60.0, exposure));
  CHECK(crushInjures(hfv, 1601.0, kDt, exposure));

  const HarmDef held = sustained(30.0, 30.0);
  SECTION("below the threshold nothing builds up") {
    CHECK_FALSE(hold(held, 1599.0, 120.0, exposure));
    CHECK(exposure == 0.0f);
  }
  SECTION("29 s above the threshold do not injure, the 30th second does") {
    CHECK_FALSE(hold(held, 2000.0, 29.0, exposure));
    CHECK(exposure == Approx(29.0).margin(1e-3));
    int steps = 0;
    while (!crushInjures(held, 2000.0, kDt, exposure)) ++steps;
    CHECK(steps + 1 == 50);  // injured on the step that completes 30 s
  }
  SECTION("relief pays the exposure back at the recovery rate") {
    CHECK_FALSE(hold(held, 2000.0, 20.0, exposure));
    CHECK_FALSE(hold(held, 1000.0, 10.0, exposure));  // 10 s of relief clear 10 s of exposure: 10 s left
    CHECK(exposure == Approx(10.0).margin(1e-3));
    CHECK_FALSE(hold(held, 2000.0, 19.9, exposure));
    CHECK(hold(held, 2000.0, 0.2, exposure));
  }
  SECTION("a recovery time of 0 resets the exposure at the first relief") {
    const HarmDef resetting = sustained(30.0, 0.0);
    CHECK_FALSE(hold(resetting, 2000.0, 29.0, exposure));
    CHECK_FALSE(crushInjures(resetting, 1000.0, kDt, exposure));
    CHECK(exposure == 0.0f);
    CHECK_FALSE(hold(resetting, 2000.0, 29.0, exposure));
  }
}

TEST_CASE("in a crowd crushed against a wall, sustained compression injures later than HFV's rule, or not at all",
          "[harm][pipeline]") {
  struct Outcome {
    std::int64_t injuries = 0;
    double firstInjury = -1.0, firstOverThreshold = -1.0, peakPressure = 0.0;
  };
  auto run = [](const std::string& name, const std::string& harm) {
    const Scenario sc = scenarioFromText(name, deadEndScenario(5.0, harm));
    const World world(sc);
    Simulation sim(sc, world, 1);
    Outcome o;
    while (!sim.done()) {
      sim.step();
      const auto& a = sim.agents();
      for (std::size_t k = 0; k < a.size(); ++k)
        if (a.pressure[k] > sc.harm.injuryPressure && o.firstOverThreshold < 0) o.firstOverThreshold = sim.time();
      for (const Event& e : sim.stepEvents())
        if (e.type == EventType::Injury && o.firstInjury < 0) o.firstInjury = e.time;
      if (sim.recorded()) o.peakPressure = std::max(o.peakPressure, sim.lastRow().peakPressure);
    }
    o.injuries = sim.injuriesCrush();
    return o;
  };
  const Outcome hfv = run("crush_hfv.yaml", "harm: {criterion: hfv2000}");
  const Outcome unconscious = run("crush_30s.yaml", "harm: {criterion: sustained_compression}");
  const Outcome brief = run("crush_5s.yaml", "harm: {criterion: sustained_compression, injury_time: 5}");
  REQUIRE(hfv.injuries > 0);
  CHECK(hfv.firstInjury == Approx(hfv.firstOverThreshold));
  // The run lasts 20 s: pressures pass the threshold, but nobody is held above it for 30 s.
  CHECK(unconscious.peakPressure > 1600.0);
  CHECK(unconscious.injuries == 0);
  REQUIRE(brief.injuries > 0);
  // The first step above the threshold, ending at firstOverThreshold, is the first of the 5 s.
  CHECK(brief.firstInjury >= brief.firstOverThreshold + 5.0 - kDt - 1e-9);
}

TEST_CASE("a crush injury event carries the number of people within the square metre around the injured person",
          "[harm][outputs]") {
  const Scenario sc = scenarioFromText("crush_density.yaml", deadEndScenario(5.0, "harm: {criterion: hfv2000}"));
  const World world(sc);
  Simulation sim(sc, world, 1);
  int checked = 0;
  while (!sim.done()) {
    sim.step();
    const auto& a = sim.agents();
    for (const Event& e : sim.stepEvents()) {
      if (e.type != EventType::Injury || e.cause != InjuryCause::Crush) continue;
      const std::int64_t i = sim.indexOfId(e.agent);
      REQUIRE(i >= 0);
      int within = 0;
      for (std::size_t k = 0; k < a.size(); ++k)
        within += onStreet(a.state[k]) && std::hypot(a.x[k] - a.x[i], a.y[k] - a.y[i]) <= 1.0 / std::sqrt(M_PI);
      CHECK(e.density == within);
      CHECK(e.density >= 1);  // the injured person
      ++checked;
    }
  }
  CHECK(checked > 0);
  const std::string events = readFile(runWithOutputs(sc, 1, "crush_density") + "/events.jsonl");
  CHECK(events.find("\"cause\":\"crush\"") != std::string::npos);
  CHECK(events.find("\"density_pm2\":") != std::string::npos);
}

TEST_CASE("a row's peak contact pressure is the highest since the row before, the step someone is injured included",
          "[harm][outputs]") {
  const Scenario sc = scenarioFromText("peak_pressure.yaml", deadEndScenario(5.0, "harm: {criterion: hfv2000}"));
  const World world(sc);
  Simulation sim(sc, world, 1);
  double sinceRow = 0.0, injuryPressure = 0.0;
  int rows = 0;
  while (!sim.done()) {
    sim.step();
    // The injured keep the pressure that injured them until the next step; from then on they are obstacles at 0.
    const auto& a = sim.agents();
    for (std::size_t k = 0; k < a.size(); ++k)
      if (onStreet(a.state[k])) sinceRow = std::max(sinceRow, double(a.pressure[k]));
    for (const Event& e : sim.stepEvents())
      if (e.type == EventType::Injury) injuryPressure = std::max(injuryPressure, e.value);
    if (!sim.recorded()) continue;
    CHECK(sim.lastRow().peakPressure == sinceRow);
    CHECK(sim.lastRow().peakPressure >= injuryPressure);
    sinceRow = injuryPressure = 0.0;
    ++rows;
  }
  CHECK(rows == 40);
  CHECK(sim.injuriesCrush() > 0);
}

TEST_CASE("crowd pressure is nil for a crowd moving as one and rho/4 for one in stop-and-go", "[harm][crowd_pressure]") {
  const Scenario sc = scenarioFromText("open_square.yaml", openSquare());
  const World world(sc);
  CrowdPressureSettings settings;  // R = 0.7 m, nodes 1 m apart
  settings.sampleInterval = 0.2;
  settings.window = 4.0;  // 20 samples
  CrowdPressure field;

  SECTION("moving as one, across the nodes") {
    Population a = block(1.2, 0.3);
    field.build(world, kDt, a.size(), settings);
    CHECK(field.stepsPerSample() == 10);
    for (int s = 0; s < 40; ++s) {
      for (std::size_t k = 0; k < a.size(); ++k) {
        a.x[k] += 0.2 * a.vx[k];
        a.y[k] += 0.2 * a.vy[k];
      }
      field.sample(a);
    }
    const CrowdPressurePeak peak = field.takePeak();
    CHECK(peak.pressure < 1e-9);
  }
  SECTION("stop-and-go in place: V alternates between (1, 0) and rest, so Var V = 1/4") {
    Population a = block(0.0, 0.0);
    field.build(world, kDt, a.size(), settings);
    for (int s = 0; s < 20; ++s) {
      for (std::size_t k = 0; k < a.size(); ++k) a.vx[k] = (s / 2) % 2 == 0 ? 1.0 : 0.0;
      field.sample(a);
    }
    const CrowdPressurePeak peak = field.takePeak();
    const double rho = gaussianDensity(a, peak.at, settings.radius);
    CHECK(peak.density == Approx(rho).epsilon(1e-3));
    CHECK(peak.pressure == Approx(0.25 * rho).epsilon(1e-3));
    CHECK(peak.pressure > 0.02);  // far above where turbulence set in at the Hajj
    CHECK((peak.at - Vec2(10, 10)).norm() < 2.0);
    // A window reports once; until the next one ends, the last one is repeated.
    CHECK(field.takePeak().pressure == peak.pressure);
  }
}
