// Epstein's lattice world (movement: lattice): its geometry, its invariants, the rule at work in it, the timeline,
// determinism, outputs, the loader, and short versions of the validation cases.
#include "support.hpp"

#include "unrest/civil_violence_cases.hpp"
#include "unrest/lattice.hpp"
#include "unrest/lattice_output.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <set>

using namespace unrest;
using unrest::test::scenarioFromText;

namespace {

std::string smallLattice(const std::string& extra = "", const std::string& civilViolence = "") {
  return "scenario: {name: small}\nseed: 3\nmovement: lattice\n"
         "lattice: {size: [20, 20], agent_density: 0.7, cop_density: 0.04, ticks: 200}\n"
         "civil_violence: {legitimacy: 0.82, vision: 4, max_jail_term: 30" +
         civilViolence + "}\n" + extra;
}

// Every agent and cop on the lattice has a cell of its own, and the counts of the row agree with the arrays.
void checkInvariants(const LatticeWorld& w) {
  std::set<std::uint32_t> used;
  std::int64_t quiet = 0, active = 0, jailed = 0, onDuty = 0;
  for (std::size_t a = 0; a < w.agentCount(); ++a) {
    const auto s = w.agentState(a);
    quiet += s == LatticeAgentState::Quiet, active += s == LatticeAgentState::Active, jailed += s == LatticeAgentState::Jailed;
    if (s == LatticeAgentState::Jailed) {
      REQUIRE(w.agentCell(a) == LatticeWorld::kOffLattice);
    } else {
      REQUIRE(w.agentCell(a) < std::uint32_t(w.width() * w.height()));
      REQUIRE(used.insert(w.agentCell(a)).second);
    }
  }
  for (std::size_t c = 0; c < w.copCount(); ++c) {
    if (w.copCell(c) == LatticeWorld::kOffLattice) continue;
    ++onDuty;
    REQUIRE(used.insert(w.copCell(c)).second);
  }
  REQUIRE(w.row().quiet == quiet);
  REQUIRE(w.row().active == active);
  REQUIRE(w.row().jailed == jailed);
  REQUIRE(w.row().copsOnDuty == onDuty);
}

std::vector<LatticeRow> seriesOf(const Scenario& sc) {
  std::vector<LatticeRow> rows;
  runLatticeToEnd(sc, &rows);
  return rows;
}

}  // namespace

TEST_CASE("each neighbourhood sees the cells its definition names", "[lattice]") {
  CHECK(LatticeView(Neighbourhood::Disc, 7).cells() == 149);  // NetLogo's patches in-radius 7
  CHECK(LatticeView(Neighbourhood::Disc, 1).cells() == 5);
  CHECK(LatticeView(Neighbourhood::Moore, 7).cells() == 225);  // (2v+1)^2
  CHECK(LatticeView(Neighbourhood::VonNeumann, 7).cells() == 113);  // 2v^2 + 2v + 1
  CHECK(LatticeView(Neighbourhood::Cross, 7).cells() == 29);  // 4v + 1: the paper's north, south, east and west
}

TEST_CASE("a lattice world places round(density x cells) agents and cops, one per cell, all quiet", "[lattice]") {
  const Scenario sc = scenarioFromText("lattice_start.yaml", smallLattice());
  const LatticeWorld w(sc);
  CHECK(w.agentCount() == 280);  // 0.7 x 400
  CHECK(w.copCount() == 16);     // 0.04 x 400
  CHECK(w.row().tick == 0);
  CHECK(w.row().quiet == 280);
  CHECK(w.row().legitimacy == 0.82);
  checkInvariants(w);
  // Hardship and risk aversion are U(0, 1) by default.
  double h = 0, r = 0;
  for (std::size_t a = 0; a < w.agentCount(); ++a) h += w.hardship(a), r += w.riskAversion(a);
  CHECK(h / 280 == Approx(0.5).margin(0.06));
  CHECK(r / 280 == Approx(0.5).margin(0.06));
}

TEST_CASE("through a run, bodies never share a cell and every agent is quiet, active or jailed", "[lattice]") {
  const Scenario sc = scenarioFromText("lattice_invariants.yaml", smallLattice());
  LatticeWorld w(sc);
  std::int64_t activeTicks = 0, jailedTicks = 0;
  while (!w.done()) {
    w.step();
    checkInvariants(w);
    activeTicks += w.row().active > 0;
    jailedTicks += w.row().jailed > 0;
  }
  CHECK(w.tick() == 200);
  // The regime of Run 2 on a smaller torus: people do rebel and get arrested.
  CHECK(activeTicks > 20);
  CHECK(jailedTicks > 20);
}

TEST_CASE("the rule at work: grievance alone decides when nobody is policed", "[lattice]") {
  SECTION("no cops, no legitimacy: exactly the agents with H > T turn active at their first turn") {
    const Scenario sc = scenarioFromText("lattice_free.yaml",
                                         "scenario: {name: free}\nmovement: lattice\n"
                                         "lattice: {size: [20, 20], agent_density: 0.5, cop_density: 0, ticks: 3}\n"
                                         "civil_violence: {legitimacy: 0, vision: 3}\n");
    LatticeWorld w(sc);
    std::int64_t aggrieved = 0;
    for (std::size_t a = 0; a < w.agentCount(); ++a) aggrieved += w.hardship(a) > 0.1;
    w.step();
    CHECK(w.row().active == aggrieved);
    CHECK(w.row().jailed == 0);
    for (std::size_t a = 0; a < w.agentCount(); ++a)
      CHECK((w.agentState(a) == LatticeAgentState::Active) == (w.hardship(a) > 0.1));
  }
  SECTION("a fully legitimate regime: nobody is ever active") {
    const Scenario sc = scenarioFromText("lattice_legit.yaml", smallLattice(), {"civil_violence.legitimacy=1", "lattice.ticks=50"});
    for (const LatticeRow& r : seriesOf(sc)) REQUIRE(r.active == 0);
  }
  SECTION("an agent's estimate counts the cops and actives the world shows it") {
    const Scenario sc = scenarioFromText("lattice_seen.yaml", smallLattice());
    LatticeWorld w(sc);
    for (int t = 0; t < 30; ++t) w.step();
    // Count by brute force over the torus with the disc's own definition.
    const int v = 4;
    for (std::size_t a = 0; a < w.agentCount(); a += 17) {
      if (w.agentCell(a) == LatticeWorld::kOffLattice) continue;
      const int x = int(w.agentCell(a)) % 20, y = int(w.agentCell(a)) / 20;
      std::int64_t cops = 0, actives = 0;
      for (std::size_t c = 0; c < w.copCount(); ++c) {
        if (w.copCell(c) == LatticeWorld::kOffLattice) continue;
        int dx = std::abs(int(w.copCell(c)) % 20 - x), dy = std::abs(int(w.copCell(c)) / 20 - y);
        dx = std::min(dx, 20 - dx), dy = std::min(dy, 20 - dy);
        cops += dx * dx + dy * dy <= v * v;
      }
      for (std::size_t b = 0; b < w.agentCount(); ++b) {
        if (w.agentState(b) != LatticeAgentState::Active) continue;
        int dx = std::abs(int(w.agentCell(b)) % 20 - x), dy = std::abs(int(w.agentCell(b)) / 20 - y);
        dx = std::min(dx, 20 - dx), dy = std::min(dy, 20 - dy);
        actives += dx * dx + dy * dy <= v * v;
      }
      const auto seen = w.seenFrom(w.agentCell(a));
      CHECK(seen.cops == cops);
      CHECK(seen.actives == actives);
    }
  }
}

TEST_CASE("jail terms: none past J_max, and none end with max_jail_term: forever", "[lattice]") {
  SECTION("J_max = 0: the arrested are back at the end of the same tick") {
    const Scenario sc = scenarioFromText("lattice_j0.yaml", smallLattice(),
                                         {"civil_violence.max_jail_term=0", "civil_violence.legitimacy=0.6", "lattice.ticks=60"});
    std::int64_t actives = 0;
    for (const LatticeRow& r : seriesOf(sc)) {
      REQUIRE(r.jailed == 0);
      actives += r.active;
    }
    CHECK(actives > 0);
  }
  SECTION("forever: the jail only fills") {
    const Scenario sc = scenarioFromText("lattice_forever.yaml", smallLattice(), {"civil_violence.max_jail_term=forever"});
    CHECK(std::isinf(sc.civilViolence.maxJailTerm));
    const auto rows = seriesOf(sc);
    for (std::size_t i = 1; i < rows.size(); ++i) REQUIRE(rows[i].jailed >= rows[i - 1].jailed);
    CHECK(rows.back().jailed > 0);
  }
  SECTION("J_max = 5: an arrested agent misses at most 5 ticks") {
    const Scenario sc = scenarioFromText("lattice_j5.yaml", smallLattice(), {"civil_violence.max_jail_term=5"});
    LatticeWorld w(sc);
    std::vector<std::int64_t> jailedSince(w.agentCount(), -1);
    std::int64_t longest = 0, arrests = 0;
    while (!w.done()) {
      w.step();
      for (std::size_t a = 0; a < w.agentCount(); ++a) {
        const bool jailed = w.agentState(a) == LatticeAgentState::Jailed;
        if (jailed && jailedSince[a] < 0) jailedSince[a] = w.tick(), ++arrests;
        if (jailed) longest = std::max(longest, w.tick() - jailedSince[a] + 1);
        if (!jailed) jailedSince[a] = -1;
      }
    }
    CHECK(arrests > 10);
    CHECK(longest <= 5);
    CHECK(longest >= 4);  // the long terms do get drawn
  }
}

TEST_CASE("the timeline moves legitimacy and police presence tick by tick", "[lattice]") {
  const Scenario sc = scenarioFromText("lattice_timeline.yaml", smallLattice(R"(events:
  - {at: 10, type: legitimacy, value: 0.2, over: 10}
  - {at: 30, type: legitimacy, value: 0.9}
  - {at: 5, type: police_presence, value: 0, over: 20}
  - {at: 35, type: police_presence, value: 1}
)"), {"lattice.ticks=40"});
  LatticeWorld w(sc);
  std::vector<LatticeEvent> events;
  while (!w.done()) {
    w.step();
    events.insert(events.end(), w.tickEvents().begin(), w.tickEvents().end());
    checkInvariants(w);
    const std::int64_t t = w.tick();
    // Legitimacy: 0.82 until tick 9, then 0.062 lower each tick from tick 10 to reach 0.2 at tick 19; 0.9 from 30.
    const double l = t < 10 ? 0.82 : t < 20 ? 0.82 + (0.2 - 0.82) * double(t - 9) / 10 : t < 30 ? 0.2 : 0.9;
    REQUIRE(w.row().legitimacy == Approx(l));
    // Presence: 1 until tick 4, falling by 1/20 a tick from tick 5 to 0 at tick 24; everyone back at tick 35.
    const double p = t < 5 ? 1.0 : t < 25 ? 1.0 - double(t - 4) / 20 : t < 35 ? 0.0 : 1.0;
    REQUIRE(w.row().policePresence == Approx(p));
    std::int64_t onDuty = 0;  // cop c (rank c/16) is on duty while c/16 < presence
    for (int c = 0; c < 16; ++c) onDuty += double(c) / 16.0 < w.row().policePresence;
    REQUIRE(w.row().copsOnDuty == onDuty);
  }
  std::vector<std::pair<std::int64_t, LatticeEventType>> timeline;
  for (const auto& e : events)
    if (e.type == LatticeEventType::Legitimacy || e.type == LatticeEventType::PolicePresence) timeline.emplace_back(e.tick, e.type);
  CHECK(timeline == std::vector<std::pair<std::int64_t, LatticeEventType>>{{5, LatticeEventType::PolicePresence},
                                                                           {10, LatticeEventType::Legitimacy},
                                                                           {30, LatticeEventType::Legitimacy},
                                                                           {35, LatticeEventType::PolicePresence}});
}

TEST_CASE("outbursts are runs of ticks above the threshold", "[lattice]") {
  OutburstTracker t(50);
  const std::vector<std::int64_t> actives{0, 60, 70, 40, 50, 55, 0, 80, 90};
  std::vector<int> changes;
  for (std::size_t i = 0; i < actives.size(); ++i) changes.push_back(t.add(std::int64_t(i) + 1, actives[i]));
  CHECK(changes == std::vector<int>{0, 1, 0, -1, 0, 1, -1, 1, 0});
  const OutburstStats s = t.stats();
  CHECK(s.ticks == 9);
  CHECK(s.calmTicks == 4);  // 0, 40, 50 (not above 50) and 0
  CHECK(s.calmFraction() == Approx(4.0 / 9));
  CHECK(s.outbursts == 3);
  CHECK(s.ongoing);
  REQUIRE(t.outbursts().size() == 3);
  CHECK(t.outbursts()[0].start == 2);
  CHECK(t.outbursts()[0].end == 3);
  CHECK(t.outbursts()[0].totalActivation == 130);
  CHECK(t.outbursts()[0].peak == 70);
  CHECK(t.outbursts()[1].totalActivation == 55);
  CHECK(t.outbursts()[2].totalActivation == 170);
  CHECK(s.meanTotalActivation == Approx(355.0 / 3));
  CHECK(s.waits == 2);
  CHECK(s.meanWait == Approx(1.5));  // ticks 4-5 between the first two, tick 7 between the last two
  CHECK(s.peakActives == 90);
  CHECK(s.peakTick == 9);
  CHECK(s.firstTickAbove == 2);
}

TEST_CASE("a lattice run is a function of scenario and seed", "[lattice][determinism]") {
  const std::string text = smallLattice();
  const auto a = seriesOf(scenarioFromText("lattice_det.yaml", text));
  const auto b = seriesOf(scenarioFromText("lattice_det.yaml", text));
  const auto c = seriesOf(scenarioFromText("lattice_det.yaml", text, {"seed=4"}));
  const auto same = [](const std::vector<LatticeRow>& x, const std::vector<LatticeRow>& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i].quiet != y[i].quiet || x[i].active != y[i].active || x[i].jailed != y[i].jailed) return false;
    return true;
  };
  CHECK(same(a, b));
  CHECK_FALSE(same(a, c));

  SECTION("the output files are byte for byte the same") {
    const Scenario sc = scenarioFromText("lattice_out.yaml", text);
    std::string files[2][2];
    for (int k = 0; k < 2; ++k) {
      const auto dir = test::tempDir() / ("lattice_out_" + std::to_string(k));
      LatticeWorld w(sc);
      LatticeOutputWriter out(w, dir.string());
      while (!w.done()) {
        w.step();
        out.afterStep(w);
      }
      out.finish(w, 0.0, false);
      files[k][0] = test::readFile(dir / "metrics.csv");
      files[k][1] = test::readFile(dir / "events.jsonl");
      const std::string summary = test::readFile(dir / "summary.json");
      CHECK(summary.find("\"completed\": true") != std::string::npos);
      CHECK(summary.find("\"movement\": \"lattice\"") != std::string::npos);
    }
    CHECK(files[0][0] == files[1][0]);
    CHECK(files[0][1] == files[1][1]);
    // A header and a row per tick, the start included; outbursts start and end in the event log.
    CHECK(std::count(files[0][0].begin(), files[0][0].end(), '\n') == 1 + 201);
    CHECK(files[0][0].rfind("tick,quiet,active,jailed,cops_on_duty,police_presence,legitimacy\n0,280,0,0,16,1,0.82\n", 0) == 0);
  }
  SECTION("a case gives the same figures on 1 and 2 threads") {
    const CivilViolenceCase& c = civilViolenceCases()[2];
    const std::vector<std::string> shorter{"lattice.ticks=60", "events=[{at: 1, type: police_presence, value: 0, over: 30}]"};
    const auto one = runCivilViolenceCase(c, test::scenarioPath(""), {1, 2, 3}, 1, shorter);
    const auto two = runCivilViolenceCase(c, test::scenarioPath(""), {1, 2, 3}, 2, shorter);
    for (std::size_t i = 0; i < 3; ++i) CHECK(one.runs[i].figures == two.runs[i].figures);
    CHECK(one.runs[0].figures != one.runs[1].figures);
  }
}

TEST_CASE("lattice scenarios: values read as given, the city's sections refused", "[lattice][loader]") {
  const Scenario sc = scenarioFromText("lattice_values.yaml", R"(scenario: {name: values}
movement: lattice
lattice: {size: [30, 25], agent_density: 0.6, cop_density: 0.05, neighbourhood: von_neumann, ticks: 77, outburst_threshold: 20}
civil_violence: {legitimacy: 0.9, vision: 3, max_jail_term: forever, arrest_ratio: literal}
events:
  - {at: 12, type: legitimacy, value: 0.5, over: 4}
)");
  CHECK(sc.movement == Movement::Lattice);
  CHECK(sc.lattice.width == 30);
  CHECK(sc.lattice.height == 25);
  CHECK(sc.lattice.agentDensity == 0.6);
  CHECK(sc.lattice.copDensity == 0.05);
  CHECK(sc.lattice.neighbourhood == Neighbourhood::VonNeumann);
  CHECK(sc.lattice.ticks == 77);
  CHECK(sc.lattice.outburstThreshold == 20);
  CHECK(std::isinf(sc.civilViolence.maxJailTerm));
  CHECK(sc.civilViolence.arrestRatio == ArrestRatio::Literal);
  REQUIRE(sc.events.size() == 1);
  CHECK(sc.events[0].time == 12.0);
  CHECK(sc.events[0].over == 4.0);

  try {
    scenarioFromText("lattice_city.yaml", smallLattice("map: {bounds: [0, 0, 10, 10]}\nclock: {duration: 5}\n"));
    FAIL("a lattice scenario with a map was accepted");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 2);
    CHECK(e.diagnostics()[0].keyPath == "map");
    CHECK(e.diagnostics()[0].where.line == 6);
    CHECK(e.diagnostics()[0].message.find("not used with movement: lattice") != std::string::npos);
    CHECK(e.diagnostics()[1].keyPath == "clock");
    CHECK(e.diagnostics()[1].where.line == 7);
  }
}

TEST_CASE("Run 2, shortened: outbursts come and go with the floor of C/A, never with the literal ratio", "[lattice][validation]") {
  // Two seeds of 600 ticks each, both ratios (about a second in all).
  const std::string run2 = test::scenarioPath("validation/epstein_run2.yaml");
  for (std::uint64_t seed : {1, 2}) {
    const OutburstStats floor = runLatticeToEnd(loadScenario(run2, {"lattice.ticks=600", "seed=" + std::to_string(seed)}));
    const OutburstStats literal = runLatticeToEnd(
        loadScenario(run2, {"lattice.ticks=600", "seed=" + std::to_string(seed), "civil_violence.arrest_ratio=literal"}));
    INFO("seed " << seed);
    CHECK(floor.outbursts >= 12);  // about one every 30 ticks
    CHECK(floor.calmFraction() >= 0.5);
    CHECK(floor.meanWait > 5);
    CHECK(literal.outbursts == 0);
    CHECK(literal.peakActives <= 50);
  }
}

TEST_CASE("Runs 3-4, shortened: the same loss of legitimacy in one jump stirs more than in small steps", "[lattice][validation]") {
  // The legitimacy decline is over by tick 146; 160 ticks, three paired seeds.
  const auto report = runCivilViolenceCase(civilViolenceCases()[1], test::scenarioPath(""), {1, 2, 3}, 1, {"lattice.ticks=160"});
  for (const CaseRun& r : report.runs) {
    INFO("seed " << r.seed);
    CHECK(r.get("salami_peak_actives") <= 50);
    CHECK(r.get("jump_peak_actives") > r.get("salami_peak_actives"));
  }
}

TEST_CASE("removing the police raises activation against the same seeds", "[lattice][validation]") {
  // The withdrawal of the validation case, twice as fast (over 250 ticks), against the police kept on duty.
  const std::vector<std::string> faster{"lattice.ticks=350", "events=[{at: 1, type: police_presence, value: 0, over: 250}]"};
  const auto report = runCivilViolenceCase(civilViolenceCases()[2], test::scenarioPath(""), {1, 2, 3}, 1, faster);
  for (const CaseRun& r : report.runs) {
    INFO("seed " << r.seed);
    CHECK(r.get("tip_tick") > 0);
    CHECK(r.get("tip_tick") <= 350);
    CHECK(r.get("peak_actives") > 2 * std::max(50.0, r.get("control_peak_actives")));
  }
  CHECK(report.verdicts[0].pass);
}

// The full civil-violence check of the validation README over 20 seeds (about 35 s of CPU); hidden from
// ctest, run it with `unrest-tests "[.cv-suite]" -s` or through the validation command.
TEST_CASE("civil-violence validation cases over 20 seeds", "[.cv-suite]") {
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t s = 1; s <= 20; ++s) seeds.push_back(s);
  for (const CivilViolenceCase& c : civilViolenceCases()) {
    const CaseReport r = runCivilViolenceCase(c, test::scenarioPath(""), seeds, 2);
    std::printf("%s: %s\n", c.name, c.title);
    for (const CaseVerdict& v : r.verdicts)
      std::printf("  %-4s %s\n       expected %s\n       got      %s\n",
                  v.gated ? (v.pass ? "PASS" : "FAIL") : (v.judged && !v.pass ? "soft" : "info"),
                  v.figure.c_str(), v.expected.c_str(), v.got.c_str());
    for (const CaseVerdict& v : r.verdicts) {
      INFO(c.name << ": " << v.figure << ": expected " << v.expected << ", got " << v.got);
      CHECK((v.pass || !v.gated));
    }
  }
}
