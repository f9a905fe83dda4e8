// Parameter sweeps: the samplers cover what they promise, seeds are reproducible, metrics are read the way the
// sweep file says, statistics are right, bad sweep files are rejected with located errors, and the results folder
// survives a kill and refuses another sweep's results.
#include "support.hpp"
#include "unrest/sweep.hpp"
#include "unrest/sweep_results.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace unrest;
using unrest::test::readFile;
using unrest::test::scenarioPath;
using unrest::test::tempDir;
using unrest::test::writeFile;

namespace {

std::string sweepText(const std::string& body) {
  return "sweep: {name: t}\nscenario: " + scenarioPath("validation/hfv2000_room.yaml") + "\n" + body;
}

SweepDef sweepFromText(const std::string& name, const std::string& body) {
  return readSweep(writeFile(name, sweepText(body)));
}

// The error text a bad sweep file gives (reading it and loading every point's scenario), or "" when it is fine.
std::string sweepError(const std::string& body) {
  try {
    SweepPlan plan(sweepFromText("bad_sweep.yaml", body), true);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> texts(const std::vector<ParamValue>& point) {
  std::vector<std::string> out;
  for (const auto& v : point) out.push_back(v.text);
  return out;
}

double normalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

constexpr const char* kMetrics = "metrics: {left: {summary: people.exited}}\n";

}  // namespace

TEST_CASE("a grid holds every combination once, the first parameter varying slowest", "[sweep][sampler]") {
  const SweepDef def = sweepFromText("grid.yaml", std::string(R"(parameters:
  populations.crowd.desired_speed: {values: [1.0, 1.5, 2.0]}
  physics.tau: {from: 0.3, to: 0.7, step: 0.1}
  populations.crowd.spawn_layout: {values: [random, lattice]}
)") + kMetrics);
  const auto points = samplePoints(def);
  REQUIRE(points.size() == 3 * 5 * 2);
  std::set<std::vector<std::string>> distinct;
  for (const auto& p : points) distinct.insert(texts(p));
  CHECK(distinct.size() == points.size());
  CHECK(texts(points[0]) == std::vector<std::string>{"1", "0.3", "random"});
  CHECK(texts(points[1]) == std::vector<std::string>{"1", "0.3", "lattice"});
  CHECK(texts(points[2]) == std::vector<std::string>{"1", "0.4", "random"});
  CHECK(texts(points[10]) == std::vector<std::string>{"1.5", "0.3", "random"});
  // A range lands on the round values a user wrote, not on sums of 0.1.
  std::vector<std::string> taus;
  for (int i = 0; i < 5; ++i) taus.push_back(points[std::size_t(2 * i)][1].text);
  CHECK(taus == std::vector<std::string>{"0.3", "0.4", "0.5", "0.6", "0.7"});
  CHECK(*points[8][1].number == 0.7);
}

TEST_CASE("Latin hypercube: each of n equal-probability strata of every parameter is hit exactly once",
          "[sweep][sampler]") {
  constexpr int n = 40;
  const SweepDef def = sweepFromText("lhs.yaml", std::string(R"(parameters:
  populations.crowd.desired_speed: {distribution: {dist: uniform, min: 1, max: 3}}
  physics.A: {distribution: {dist: normal, mean: 2000, sd: 300, min: 1200, max: 2800}}
  populations.crowd.count: {distribution: {dist: uniform, min: 0, max: 39}, integer: true}
  populations.crowd.spawn_layout: {values: [random, lattice, random_again, lattice_again]}
sampler: {kind: latin_hypercube, samples: 40, seed: 3}
)") + kMetrics);
  const auto points = samplePoints(def);
  REQUIRE(points.size() == std::size_t(n));
  std::multiset<int> uniform, normal, whole;
  std::map<std::string, int> listed;
  const double lo = normalCdf((1200.0 - 2000.0) / 300.0), hi = normalCdf((2800.0 - 2000.0) / 300.0);
  for (const auto& p : points) {
    const double v0 = *p[0].number, a = *p[1].number;
    CHECK(v0 >= 1.0);
    CHECK(v0 < 3.0);
    CHECK(a >= 1200.0);
    CHECK(a <= 2800.0);
    uniform.insert(int(std::floor((v0 - 1.0) / 2.0 * n)));
    normal.insert(int(std::floor((normalCdf((a - 2000.0) / 300.0) - lo) / (hi - lo) * n)));
    whole.insert(int(*p[2].number));
    listed[p[3].text]++;
  }
  for (int s = 0; s < n; ++s) {
    CHECK(uniform.count(s) == 1);
    CHECK(normal.count(s) == 1);
    CHECK(whole.count(s) == 1);
  }
  CHECK(listed ==
        std::map<std::string, int>{{"lattice", 10}, {"lattice_again", 10}, {"random", 10}, {"random_again", 10}});
}

TEST_CASE("random and Latin hypercube points come back the same from the same sampler seed, and change with it",
          "[sweep][sampler]") {
  for (const std::string kind : {"random", "latin_hypercube"}) {
    auto sample = [&](int seed, int samples) {
      return samplePoints(sweepFromText("seeded.yaml", R"(parameters:
  populations.crowd.desired_speed: {distribution: {dist: uniform, min: 0.5, max: 2.5}}
  physics.tau: {distribution: {dist: normal, mean: 0.5, sd: 0.1, min: 0.2, max: 0.8}}
sampler: {kind: )" + kind + ", samples: " + std::to_string(samples) +
                                                           ", seed: " + std::to_string(seed) + "}\n" + kMetrics));
    };
    const auto a = sample(7, 12), b = sample(7, 12), c = sample(8, 12);
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(texts(a[i]) == texts(b[i]));
      CHECK(texts(a[i]) != texts(c[i]));
      CHECK(*a[i][0].number >= 0.5);
      CHECK(*a[i][0].number <= 2.5);
    }
    if (kind == "random") {  // more samples extend a random plan without changing its first points
      const auto longer = sample(7, 20);
      for (std::size_t i = 0; i < a.size(); ++i) CHECK(texts(a[i]) == texts(longer[i]));
    }
  }
}

TEST_CASE("replicates: seed base plus stride, the same seeds at every point; runs go point by point",
          "[sweep][seeds]") {
  const SweepPlan plan(sweepFromText("seeds.yaml", std::string(R"(parameters:
  populations.crowd.desired_speed: {values: [1.0, 2.0]}
  run.threads: {values: [1, 2]}
replicates: {count: 4, seed_base: 100, seed_stride: 10}
)") + kMetrics),
                       true);
  REQUIRE(plan.runs() == 16);
  CHECK(plan.run(0).seed == 100);
  CHECK(plan.run(3).seed == 130);
  CHECK(plan.run(4).point == 1);
  CHECK(plan.run(4).replicate == 0);
  CHECK(plan.run(4).seed == 100);
  CHECK(plan.run(15).point == 3);
  CHECK(plan.threads(0) == 1);
  CHECK(plan.threads(1) == 2);
  // The scenario of a run carries its point's values and its seed, and run.threads is no scenario key.
  const Scenario sc = plan.scenario(2, plan.run(9).seed);
  CHECK(sc.seed == 110);
  CHECK(sc.populations[0].desiredSpeed.value == 2.0);
}

TEST_CASE("a linked parameter sets several keys together and shows its own values", "[sweep][sampler]") {
  const SweepPlan plan(sweepFromText("linked.yaml", std::string(R"(parameters:
  room:
    values: [small, large]
    set:
      populations.crowd.count: [50, 150]
      populations.crowd.desired_speed: [1.0, 1.4]
)") + kMetrics),
                       true);
  REQUIRE(plan.points() == 2);
  CHECK(plan.point(1)[0].text == "large");
  const Scenario sc = plan.scenario(1, 1);
  CHECK(sc.populations[0].count == 150);
  CHECK(sc.populations[0].desiredSpeed.value == 1.4);
}

TEST_CASE("a run gives the same metrics each time it runs, and another seed another run", "[sweep][seeds]") {
  const SweepPlan plan(sweepFromText("rerun.yaml", R"(set: {clock.duration: 15, populations.crowd.count: 40}
replicates: {count: 2}
metrics:
  left: {summary: people.exited}
  speed: {column: mean_speed_mps, reduce: mean, from: 2}
  density: {column: peak_density_pm2, reduce: max}
)"),
                       true);
  const std::atomic<bool> never{false};
  const auto a = executeRun(plan, 0, tempDir() / "rerun_a", never);
  const auto b = executeRun(plan, 0, tempDir() / "rerun_b", never);
  const auto c = executeRun(plan, 1, tempDir() / "rerun_c", never);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  REQUIRE(a->ok);
  CHECK(a->metrics == b->metrics);
  CHECK(readFile(tempDir() / "rerun_a" / "metrics.csv") == readFile(tempDir() / "rerun_b" / "metrics.csv"));
  CHECK(a->metrics[1] != c->metrics[1]);
  CHECK(a->metrics[1] > 0.3);  // people walked
  // An abort ends a run without a record.
  const std::atomic<bool> stop{true};
  CHECK_FALSE(executeRun(plan, 0, tempDir() / "rerun_d", stop));
}

TEST_CASE("metrics are fields of summary.json and reductions of metrics.csv over a time window", "[sweep][metrics]") {
  const auto dir = tempDir() / "metric_outputs";
  writeFile("metric_outputs/summary.json",
            R"({"scenario": "x", "completed": true, "people": {"exited": 42, "spawned": 50}, "note": null})");
  std::string csv = "time_s,clock,x\n";
  for (int t = 1; t <= 10; ++t)
    csv += std::to_string(t) + ".000,12:00:0" + std::to_string(t % 10) + "," + std::to_string(t * t) + "\n";
  writeFile("metric_outputs/metrics.csv", csv);
  auto column = [](MetricDef::Reduce reduce, double from = -INFINITY, double to = INFINITY) {
    MetricDef m;
    m.name = "m";
    m.source = MetricDef::Source::Column;
    m.path = "x";
    m.reduce = reduce;
    m.from = from;
    m.to = to;
    return m;
  };
  auto summary = [](const std::string& path) {
    MetricDef m;
    m.name = "s";
    m.path = path;
    return m;
  };
  MetricDef reach = column(MetricDef::Reduce::TimeTo), never = column(MetricDef::Reduce::TimeTo),
            below = column(MetricDef::Reduce::TimeTo, 3);
  reach.atLeast = 50;
  never.atLeast = 1000;
  below.atMost = 20;
  const auto v =
      readRunMetrics({column(MetricDef::Reduce::Final), column(MetricDef::Reduce::Max), column(MetricDef::Reduce::Min),
                      column(MetricDef::Reduce::Mean, 2, 4), column(MetricDef::Reduce::Final, 0, 5.5), reach, never,
                      below, summary("people.exited"), summary("completed"), summary("note")},
                     dir);
  REQUIRE(v.size() == 11);
  CHECK(v[0] == 100);
  CHECK(v[1] == 100);
  CHECK(v[2] == 1);
  CHECK(v[3] == Approx((4.0 + 9.0 + 16.0) / 3.0));
  CHECK(v[4] == 25);
  CHECK(v[5] == 8);         // 8² = 64 is the first value >= 50
  CHECK(std::isnan(v[6]));  // never reached: undefined, not a number made up
  CHECK(v[7] == 3);         // the window starts at t = 3, where x = 9 <= 20 already
  CHECK(v[8] == 42);
  CHECK(v[9] == 1);
  CHECK(std::isnan(v[10]));
}

TEST_CASE("a metric the outputs do not have is an error at the metric's line, with a suggestion", "[sweep][metrics]") {
  writeFile("metric_missing/summary.json", R"({"people": {"exited": 42}})");
  writeFile("metric_missing/metrics.csv", "time_s,exited\n1.000,3\n");
  MetricDef column;
  column.name = "evac";
  column.source = MetricDef::Source::Column;
  column.path = "exitted";
  column.where = Location{"sweep.yaml", 7, 3};
  MetricDef field;
  field.name = "out";
  field.path = "people.exitted";
  field.where = Location{"sweep.yaml", 8, 3};
  try {
    readRunMetrics({column, field}, tempDir() / "metric_missing");
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("sweep.yaml:7:3: error: metrics.evac.column: 'exitted' is not a column of "
                                     "metrics.csv (did you mean 'exited'?"));
    CHECK_THAT(what, Catch::Contains("sweep.yaml:8:3: error: metrics.out.summary: 'people.exitted' is not a field of "
                                     "summary.json (did you mean 'people.exited'?"));
  }
}

TEST_CASE("Student's t quantiles and the 95 % confidence interval of a mean", "[sweep][stats]") {
  // Reference values: any table of Student's t (e.g. Abramowitz and Stegun, table 26.10).
  CHECK(studentQuantile(0.975, 1) == Approx(12.7062047362).epsilon(1e-9));
  CHECK(studentQuantile(0.975, 4) == Approx(2.7764451052).epsilon(1e-9));
  CHECK(studentQuantile(0.975, 9) == Approx(2.2621571628).epsilon(1e-9));
  CHECK(studentQuantile(0.975, 29) == Approx(2.0452296421).epsilon(1e-9));
  CHECK(studentQuantile(0.975, 1e7) == Approx(1.9599640).epsilon(1e-6));
  CHECK(studentQuantile(0.025, 9) == Approx(-2.2621571628).epsilon(1e-9));
  const Stats s = summarise({1, 2, 3, 4, 5, kMissing});
  CHECK(s.n == 5);
  CHECK(s.mean == 3);
  CHECK(s.sd == Approx(std::sqrt(2.5)));
  CHECK(s.hi - s.mean == Approx(2.7764451052 * std::sqrt(2.5) / std::sqrt(5.0)));
  CHECK(s.mean - s.lo == Approx(s.hi - s.mean));
  const Stats one = summarise({4});
  CHECK(one.mean == 4);
  CHECK(std::isnan(one.sd));
  CHECK(std::isnan(one.lo));
  CHECK(summarise({kMissing}).n == 0);
}

TEST_CASE("bad sweep files are rejected with every problem located in the sweep file", "[sweep][errors]") {
  // Line numbers count from the two lines sweepText puts first (sweep:, scenario:).
  const std::string m = kMetrics;
  CHECK_THAT(sweepError(m + "on_falure: stop\n"),
             Catch::Contains("bad_sweep.yaml:4:1: error: on_falure: unknown key (did you mean 'on_failure'?"));
  CHECK_THAT(sweepError(m + "parameters:\n  physics.tau: {}\n"),
             Catch::Contains("bad_sweep.yaml:5:16: error: parameters.physics.tau: no values given"));
  CHECK_THAT(sweepError(m + "parameters:\n  physics.tau: {distribution: {dist: uniform, min: 0.2, max: 0.8}}\n"),
             Catch::Contains("5:31: error: parameters.physics.tau.distribution: a grid cannot sample a distribution"));
  CHECK_THAT(
      sweepError(m + "parameters:\n  physics.tau: {from: 0.2, to: 0.8, step: 0}\n"),
      Catch::Contains("5:43: error: parameters.physics.tau.step: value 0 is out of range (expected a number > 0)"));
  CHECK_THAT(sweepError(m + "parameters:\n  physics.tau: {values: [0.5, 0.50]}\n"),
             Catch::Contains("5:31: error: parameters.physics.tau.values[1]: '0.5' appears twice"));
  CHECK_THAT(sweepError(m + "parameters:\n  size: {values: [a, b], set: {populations.crowd.count: [1, 2, 3]}}\n"),
             Catch::Contains("5:57: error: parameters.size.set.populations.crowd.count: expected a list of 2 values"));
  CHECK_THAT(sweepError(m + "parameters:\n  seed: {values: [1, 2]}\n"),
             Catch::Contains("5:3: error: parameters.seed: the seed is set by replicates:"));
  CHECK_THAT(sweepError(m + "parameters:\n  run.cores: {values: [1, 2]}\n"),
             Catch::Contains("'run.cores' is not a run setting"));
  CHECK_THAT(sweepError(m + "parameters:\n  run.threads: {values: [1, 2.5]}\n"),
             Catch::Contains("'2.5' is not a thread count"));
  CHECK_THAT(sweepError("metrics: {x: {summary: a.b, column: y}}\n"),
             Catch::Contains("3:14: error: metrics.x: expected exactly one of: summary:"));
  CHECK_THAT(sweepError("metrics: {x: {column: exited, reduce: time_to}}\n"),
             Catch::Contains("metrics.x: reduce: time_to needs exactly one of at_least: or at_most:"));
  CHECK_THAT(sweepError("metrics: {seed: {summary: seed}}\n"),
             Catch::Contains("metrics.seed: the column name 'seed' is taken"));
  CHECK_THAT(sweepError(m + "set: {physics: {tau: 0.4}}\nparameters:\n  physics.tau: {values: [0.3]}\n"),
             Catch::Contains("error: parameters.physics.tau: 'physics.tau' overlaps 'physics'"));
  CHECK_THAT(sweepError(m + "replicates: {count: 3, seed_base: 9007199254740992}\n"),
             Catch::Contains("the last seed would exceed 2^53"));
  CHECK_THAT(sweepError(m + "sampler: {kind: latin_hypercube}\n"), Catch::Contains("sampler.samples: missing"));
  // Key paths and values are checked against the scenario, and located in the sweep file.
  CHECK_THAT(
      sweepError(m + "parameters:\n  populations.crowd.desird_speed: {values: [1, 2]}\n"),
      Catch::Contains(
          "bad_sweep.yaml:5:3: error: populations.crowd.desird_speed: unknown key (did you mean 'desired_speed'?"));
  CHECK_THAT(sweepError(m + "parameters:\n  physics.tau: {values: [0.5, -1]}\n"),
             Catch::Contains("bad_sweep.yaml:5:31: error: physics.tau: value -1 is out of range (expected a number in "
                             "[0.01, 10] s) (at point 1: physics.tau=-1)"));
  const std::string missing = [] {
    try {
      readSweep(
          writeFile("no_scenario.yaml", "sweep: {name: t}\nscenario: nowhere.yaml\nmetrics: {x: {summary: seed}}\n"));
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  CHECK_THAT(missing, Catch::Contains("no_scenario.yaml:2:11: error: scenario: '") &&
                          Catch::Contains("nowhere.yaml' is not a file"));
  CHECK(sweepError(m + "parameters:\n  physics.tau: {values: [0.4, 0.6]}\n").empty());
}

TEST_CASE(
    "the results folder: a row cut short by a kill is dropped, rows end sorted by run id, another sweep is refused",
    "[sweep][resume]") {
  const std::string body = std::string(R"(parameters:
  populations.crowd.desired_speed: {values: [1.0, 2.0]}
replicates: {count: 2}
)") + kMetrics;
  const SweepPlan plan(sweepFromText("store.yaml", body), false);
  const auto dir = tempDir() / "store";
  std::filesystem::remove_all(dir);
  auto run = [](std::int64_t id, double left) {
    RunRecord r;
    r.id = id;
    r.ok = true;
    r.metrics = {left};
    return r;
  };
  {
    SweepStore store(plan, dir, false, false);
    CHECK(store.pending().size() == 4);
    store.record(run(3, 30));
    store.record(run(0, 10));
    RunRecord failed = run(2, kMissing);
    failed.ok = false;
    failed.message = "a wall fell";
    store.record(failed);
    // One folder, one sweep at a time.
    CHECK_THROWS_WITH(SweepStore(plan, dir, false, false), Catch::Contains("another sweep is writing to this folder"));
  }
  std::ofstream(dir / "runs.csv", std::ios::app) << "1,0,1,2,1,1";  // killed while writing run 1's row
  {
    SweepStore store(plan, dir, false, false);
    CHECK(store.pending() == std::vector<std::int64_t>{1});
    CHECK(store.failed() == 1);
    CHECK(readFile(dir / "runs.csv").back() == '\n');
    store.record(run(1, 20));
    std::string note;
    store.finish(false, note);
  }
  CHECK(readFile(dir / "runs.csv") ==
        "run,point,replicate,seed,populations.crowd.desired_speed,left,status,wall_s\n"
        "0,0,0,1,1,10,ok,0.000\n1,0,1,2,1,20,ok,0.000\n2,1,0,1,2,,failed,0.000\n3,1,1,2,2,30,ok,0.000\n");
  CHECK_THAT(readFile(dir / "points.csv"),
             Catch::StartsWith("point,populations.crowd.desired_speed,runs,failed,left_mean,left_sd,"
                               "left_ci95_lo,left_ci95_hi,left_n\n0,1,2,0,15,7.0710678118654755,"));
  CHECK_THAT(readFile(dir / "failures.log"),
             Catch::Contains("run 2 (point 1: populations.crowd.desired_speed=2, seed 1): a wall fell"));
  {
    SweepStore store(plan, dir, false, true);  // --retry-failed
    CHECK(store.pending() == std::vector<std::int64_t>{2});
  }
  std::string more = body;
  more.replace(more.find("count: 2"), 8, "count: 3");
  const SweepPlan changed(sweepFromText("store.yaml", more), false);
  CHECK_THROWS_WITH(
      SweepStore(changed, dir, false, false),
      Catch::Contains("holds results of a different sweep: replicates: changed") && Catch::Contains("--restart"));
  {
    SweepStore store(changed, dir, true, false);
    CHECK(store.recorded() == 0);
    CHECK(store.pending().size() == 6);
  }
  writeFile("foreign/notes.txt", "mine");
  CHECK_THROWS_WITH(SweepStore(plan, tempDir() / "foreign", true, false),
                    Catch::Contains("holds other files and no sweep"));
  CHECK(readFile(tempDir() / "foreign" / "notes.txt") == "mine");
}

TEST_CASE("key paths reach list items, for --set and sweeps alike", "[sweep][loader]") {
  const std::string room = scenarioPath("validation/hfv2000_room.yaml");
  CHECK(loadScenario(room, {"map.bounds[2]=30"}).map.boundsMax.x() == 30.0);
  CHECK_THROWS_WITH(loadScenario(room, {"map.bounds[7]=1"}),
                    Catch::Contains("map.bounds[7]: item 7 does not exist (expected an index below 4)"));
  CHECK_THROWS_WITH(loadScenario(room, {"scenario[0]=x"}), Catch::Contains("cannot take item 0 of a mapping"));
  CHECK_THROWS_WITH(loadScenario(room, {"map.bounds[x]=1"}), Catch::Contains("is not a key or a list item"));
  const SweepPlan plan(sweepFromText("indexed.yaml", std::string("parameters:\n  map.bounds[2]: {values: [21, 25]}\n") +
                                                         kMetrics),
                       true);
  CHECK(plan.scenario(1, 1).map.boundsMax.x() == 25.0);
  CHECK_THAT(sweepError(std::string("set: {map: {cell_size: 0.1}}\nparameters:\n  map.bounds[2]: {values: [21]}\n") +
                        kMetrics),
             Catch::Contains("'map.bounds[2]' overlaps 'map'"));
}
