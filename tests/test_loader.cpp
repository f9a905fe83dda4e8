// Scenario loading: defaults, extends, --set, and errors that name file, line, column and key path.
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace unrest;
using unrest::test::scenarioFromText;
using unrest::test::writeFile;

namespace {

const char* kMinimal = R"(scenario: {name: minimal}
map:
  bounds: [0, 0, 20, 10]
  zones:
    left: {rect: [0, 0, 2, 10]}
    right: {rect: [18, 0, 20, 10]}
populations:
  walkers: {count: 5, spawn: left, destination: right}
)";

// Loads text expected to fail and returns the diagnostics.
std::vector<Diagnostic> errorsOf(const std::string& name, const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    scenarioFromText(name, text, overrides);
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  FAIL("expected a ScenarioError for " << name);
  return {};
}

}  // namespace

TEST_CASE("a minimal scenario gets the published defaults", "[loader]") {
  const Scenario sc = scenarioFromText("minimal.yaml", kMinimal);
  CHECK(sc.name == "minimal");
  CHECK(sc.clock.dt == Approx(0.02));
  // Helbing, Farkas, Vicsek 2000.
  CHECK(sc.physics.mass == 80.0);
  CHECK(sc.physics.tau == 0.5);
  CHECK(sc.physics.A == 2000.0);
  CHECK(sc.physics.B == 0.08);
  CHECK(sc.physics.k == 1.2e5);
  CHECK(sc.physics.kappa == 2.4e5);
  CHECK(sc.harm.injuryPressure == 1600.0);
  REQUIRE(sc.populations.size() == 1);
  const PopulationDef& p = sc.populations[0];
  CHECK(p.count == 5);
  CHECK(sc.map.zones[p.spawnZone].name == "left");
  CHECK(sc.map.zones[p.destinationZone].name == "right");
  // Weidmann 1993 speeds, HFV radii.
  CHECK(p.desiredSpeed.kind == Distribution::Kind::Normal);
  CHECK(p.desiredSpeed.mean == Approx(1.34));
  CHECK(p.desiredSpeed.sd == Approx(0.26));
  CHECK(p.radius.min == 0.25);
  CHECK(p.radius.max == 0.35);
}

TEST_CASE("extends merges mappings and replaces lists, and overrides apply on top", "[loader]") {
  writeFile("family/base.yaml", kMinimal);
  const std::string variant = writeFile("family/variant.yaml", R"(extends: base.yaml
scenario: {name: variant}
clock: {duration: 30}
populations:
  walkers: {count: 9}
  others: {count: 2, spawn: right, destination: left}
)");
  const Scenario sc = loadScenario(variant);
  CHECK(sc.name == "variant");
  CHECK(sc.clock.duration == 30.0);
  CHECK(sc.map.boundsMax.x() == 20.0);
  REQUIRE(sc.populations.size() == 2);
  CHECK(sc.populations[0].count == 9);
  CHECK(sc.map.zones[sc.populations[0].spawnZone].name == "left");  // kept from the base
  CHECK(sc.populations[1].name == "others");

  const Scenario set = loadScenario(variant, {"populations.walkers.count=3", "map.zones.right.rect=[15,0,20,10]", "seed=42"});
  CHECK(set.populations[0].count == 3);
  CHECK(set.map.zones[1].points[0].x() == 15.0);
  CHECK(set.seed == 42u);
}

TEST_CASE("add_events adds to the timeline a file extends, after the base's events at equal times", "[loader]") {
  writeFile("timeline/base.yaml", std::string(kMinimal) + R"(events:
  - {at: 20, type: legitimacy, value: 0.5}
  - {at: 10, type: police_presence, value: 0.5}
)");
  const Scenario sc = loadScenario(writeFile("timeline/added.yaml", R"(extends: base.yaml
add_events:
  - {at: 10, type: legitimacy, value: 0.3}
  - {at: 5, type: deploy}
)"));
  REQUIRE(sc.events.size() == 4);
  CHECK(sc.events[0].kind == EventKind::Deploy);
  CHECK(sc.events[1].kind == EventKind::PolicePresence);  // the base's first at 10 s
  CHECK(sc.events[2].kind == EventKind::Legitimacy);
  CHECK(sc.events[2].value == 0.3);
  CHECK(sc.events[3].time == 20.0);
  // Down a chain, add_events add to the add_events of the file extended.
  const Scenario chained = loadScenario(writeFile("timeline/chained.yaml", R"(extends: added.yaml
add_events:
  - {at: 10, type: curfew, until: "13:00"}
)"));
  REQUIRE(chained.events.size() == 5);
  CHECK(chained.events[2].kind == EventKind::Legitimacy);
  CHECK(chained.events[3].kind == EventKind::Curfew);
  // events: in the extending file replaces the base's list whole.
  const Scenario replaced = loadScenario(writeFile("timeline/replaced.yaml", R"(extends: base.yaml
events:
  - {at: 5, type: deploy}
)"));
  CHECK(replaced.events.size() == 1);
}

TEST_CASE("errors name file, line, column and key path, and all are reported at once", "[loader]") {
  const std::string text = R"(scenario: {name: many_errors}
clock:
  dt: 1.5
map:
  bounds: [0, 0, 20, 10]
  zones:
    left: {rect: [0, 0, 2, 10]}
populations:
  walkers:
    count: ten
    spawn: left
    destination: nowhere
    colour: red
)";
  const auto errors = errorsOf("many.yaml", text);
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].keyPath == "clock.dt");
  CHECK(errors[0].where.line == 3);
  CHECK(errors[0].where.col == 7);
  CHECK_THAT(errors[0].message, Catch::Contains("expected a number in (0, 0.1]"));
  CHECK(errors[1].keyPath == "populations.walkers.count");
  CHECK(errors[1].where.line == 10);
  CHECK(errors[2].keyPath == "populations.walkers.destination");
  CHECK_THAT(errors[2].message, Catch::Contains("zone 'nowhere' does not exist (expected one of: left)"));
  CHECK(errors[3].keyPath == "populations.walkers.colour");
  CHECK(errors[3].where.line == 13);
  CHECK_THAT(errors[3].str(), Catch::StartsWith(errors[3].where.file + ":13:5: error: populations.walkers.colour: unknown key"));
}

TEST_CASE("errors in a base file point into the base file", "[loader]") {
  writeFile("chain/base.yaml", R"(scenario: {name: base}
map:
  bounds: [0, 0, 20, 10]
  cell_size: -1
  zones:
    left: {rect: [0, 0, 2, 10]}
)");
  const std::string variant = writeFile("chain/variant.yaml", R"(extends: base.yaml
populations:
  walkers: {count: 1, spawn: left, destination: left}
)");
  try {
    loadScenario(variant);
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK_THAT(e.diagnostics()[0].where.file, Catch::EndsWith("chain/base.yaml"));
    CHECK(e.diagnostics()[0].where.line == 4);
    CHECK(e.diagnostics()[0].keyPath == "map.cell_size");
  }
}

TEST_CASE("command-line overrides are validated like the file and located at <--set>", "[loader]") {
  const auto errors = errorsOf("set.yaml", kMinimal, {"physics.tau=fast"});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].where.file == "<--set>");
  CHECK(errors[0].keyPath == "physics.tau");
  CHECK_THROWS_AS(scenarioFromText("set2.yaml", kMinimal, {"no_equals_sign"}), ScenarioError);
  CHECK_THROWS_AS(scenarioFromText("set3.yaml", kMinimal, {"scenario.name.deeper=1"}), ScenarioError);
}

TEST_CASE("mangled scenario files are rejected with a ScenarioError, never a crash", "[loader]") {
  // Every prefix of a valid file, and the file with each character replaced by a troublesome one: the loader
  // must either accept it or throw ScenarioError.
  const std::string text = kMinimal;
  int rejected = 0;
  auto attempt = [&](const std::string& mangled) {
    try {
      scenarioFromText("mangled.yaml", mangled);
    } catch (const ScenarioError&) {
      ++rejected;
    }
  };
  for (std::size_t cut = 0; cut < text.size(); cut += 3) attempt(text.substr(0, cut));
  for (std::size_t at = 0; at < text.size(); at += 2)
    for (char c : {'[', ':', '-', '\t', '\0', '9'}) {
      std::string mangled = text;
      mangled[at] = c;
      attempt(mangled);
    }
  CHECK(rejected > 100);
}
