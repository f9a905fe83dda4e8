// Checkpoints: a checkpoint read back into a fresh run and written again gives the same bytes, the two runs then step
// on to the same state, and a damaged file is refused with what is wrong with it (never a crash).
// tests/checkpoint_resume.sh kills and resumes real processes.
#include "support.hpp"
#include "unrest/checkpoint.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>

using namespace unrest;
using unrest::test::readFile;
using unrest::test::tempDir;
using unrest::test::writeFile;

namespace {

// Every mechanism that carries state from step to step, measurement included.
const std::string kScenario = std::string(UNREST_SOURCE_DIR) + "/tests/data/checkpoint/everything.yaml";

// Steps a run to time t as `unrest run` does: the measurement, then the outputs, see each step.
void stepTo(ScenarioRun& run, OutputWriter& writer, double t) {
  while (run.sim().time() < t - 1e-9) {
    run.sim().step();
    if (run.measurement()) run.measurement()->afterStep(run.sim());
    writer.afterStep(run.sim());
  }
}

// The bytes of a checkpoint of the scenario at time t, with its outputs in `directory`.
std::string checkpointAt(const Scenario& sc, double t, const std::filesystem::path& directory) {
  ScenarioRun run(sc, 1);
  OutputWriter writer(run.sim(), directory.string(), run.measurement());
  Checkpointer checkpointer(run, writer, identifyRun(kScenario, {}, -1, 5.0), directory.string());
  stepTo(run, writer, t);
  checkpointer.write();
  return readFile(directory / kCheckpointFile);
}

}  // namespace

namespace {

// Runs the scenario at `path`, saves a checkpoint at each of `times`, and checks that the checkpoint read back into a
// fresh run saves to the same bytes, and that both runs then step on alike, outputs included. `atSave` sees the
// uninterrupted run at each save, `atEnd` after the last.
template <class AtSave, class AtEnd>
void checkResumesAlike(const std::string& path, std::initializer_list<double> times, AtSave&& atSave, AtEnd&& atEnd) {
  const Scenario sc = loadScenario(path);
  const auto dirA = tempDir() / "checkpoint_a", dirB = tempDir() / "checkpoint_b";
  std::filesystem::remove_all(dirA);
  ScenarioRun a(sc, 2);
  OutputWriter writerA(a.sim(), dirA.string(), a.measurement());
  Checkpointer checkpointerA(a, writerA, identifyRun(path, {}, -1, 5.0), dirA.string());
  for (const double t : times) {
    stepTo(a, writerA, t);
    atSave(a.sim());
    checkpointerA.write();
    const std::string saved = readFile(dirA / kCheckpointFile);
    REQUIRE(saved == checkpointerA.serialise());

    // The resumed run's folder holds what the first run wrote (and more, cut back on reopening).
    std::filesystem::remove_all(dirB);
    std::filesystem::copy(dirA, dirB);
    stepTo(a, writerA, t + 0.5);
    CheckpointReader reader((dirB / kCheckpointFile).string());
    ScenarioRun b(sc, 3);
    OutputWriter writerB(b.sim(), dirB.string(), b.measurement(), &reader.offsets());
    reader.restore(b, writerB);
    Checkpointer checkpointerB(b, writerB, reader.identity(), dirB.string());
    CHECK(b.sim().stepIndex() == std::llround(t / sc.clock.dt));
    CHECK(checkpointerB.serialise() == saved);

    stepTo(b, writerB, t + 0.5);
    CHECK(checkpointerA.serialise() == checkpointerB.serialise());
    stepTo(a, writerA, t + 15.0);
    stepTo(b, writerB, t + 15.0);
    CHECK(checkpointerA.serialise() == checkpointerB.serialise());
    for (const char* file : {"metrics.csv", "events.jsonl", "crossings.csv", "areas.csv", "trajectories.txt"})
      CHECK(readFile(dirA / file) == readFile(dirB / file));
  }
  atEnd(a.sim());
}

}  // namespace

TEST_CASE("a checkpoint loaded into a fresh run saves to the same bytes, and both runs step on alike", "[checkpoint]") {
  // After the shot at the car (30 s), then in the curfew with looting under way; each time in the middle of a record
  // interval, a perception interval and a decision interval.
  checkResumesAlike(kScenario, {33.15, 52.35}, [](const Simulation&) {}, [](const Simulation& sim) {
    CHECK(sim.injuriesTotal() > 0);
    CHECK(sim.arrests() > 0);
    CHECK(sim.lootingIncidents() > 0);
  });
}

TEST_CASE("a checkpoint saved while a vehicle waits for its place to clear resumes alike", "[checkpoint][vehicles]") {
  // An armoured vehicle due at 10 s where people stand: saved while it waits, resumed, it parks when the first run's does.
  const std::string path = writeFile("checkpoint_due_vehicle.yaml", R"(scenario: {name: checkpoint_due_vehicle}
clock: {dt: 0.05, duration: 40, record_interval: 1}
map:
  bounds: [0, 0, 40, 40]
  cell_size: 0.5
  zones:
    centre: {rect: [5, 5, 35, 35]}
locomotion: {model: hybrid}
populations:
  crowd: {count: 600, spawn: centre, destination: centre, on_arrival: stay}
vehicles:
  apc: {kind: armoured, route: [[20, 20]], depart: 10, heading: 0}
)");
  bool dueAtSave = false;
  checkResumesAlike(path, {10.15}, [&](const Simulation& sim) { dueAtSave = sim.vehicles()[0].due; },
                    [](const Simulation& sim) { CHECK(sim.vehicles()[0].present); });
  CHECK(dueAtSave);
}

TEST_CASE("a damaged checkpoint is refused with what is wrong with it", "[checkpoint]") {
  const Scenario sc = loadScenario(kScenario);
  const std::string good = checkpointAt(sc, 6.0, tempDir() / "checkpoint_damaged");
  REQUIRE(good.size() > 1000);
  auto refusal = [&sc](const std::string& bytes) -> std::string {
    const std::string path = writeFile("damaged/checkpoint.bin", bytes);
    try {
      CheckpointReader reader(path);
      ScenarioRun run(sc, 1);
      OutputWriter writer(run.sim(), (tempDir() / "damaged_outputs").string(), run.measurement());
      reader.restore(run, writer);
    } catch (const CheckpointError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(refusal(good).empty());

  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x5a;
  CHECK_THAT(refusal(flipped), Catch::Contains("checksum does not match"));
  CHECK_THAT(refusal(good.substr(0, good.size() - 100)), Catch::Contains("truncated"));
  CHECK_THAT(refusal(good + "x"), Catch::Contains("corrupt checkpoint"));
  CHECK_THAT(refusal(""), Catch::Contains("not an unrest checkpoint"));
  CHECK_THAT(refusal("scenario: {name: x}\n"), Catch::Contains("not an unrest checkpoint"));
  std::string otherFormat = good;
  otherFormat[8] ^= 0x01;  // the format version, just after the magic
  CHECK_THAT(refusal(otherFormat), Catch::Contains("checkpoint format"));
  std::string otherVersion = good;
  otherVersion[8 + 4 + 8] ^= 0x01;  // the first character of the project version, after its length
  CHECK_THAT(refusal(otherVersion), Catch::Contains("written by unrest"));
  // Any byte of the state changed, and the checksum made to match: read or refused, never a crash.
  std::uint64_t versionLength = 0;  // after the magic and the format version
  std::memcpy(&versionLength, good.data() + 12, 8);
  const std::size_t bodyStart = 8 + 4 + 8 + versionLength + 8;
  for (std::size_t at = bodyStart; at + 8 < good.size(); at += 1 + (good.size() - bodyStart) / 150) {
    std::string forged = good;
    forged[at] ^= 0x80;
    const std::uint64_t sum = fnv1a(std::string_view(forged).substr(bodyStart, forged.size() - 8 - bodyStart));
    std::memcpy(forged.data() + forged.size() - 8, &sum, 8);
    CHECK_NOTHROW(refusal(forged));
  }
  // Cut anywhere: refused, never a crash.
  for (std::size_t cut = 0; cut < good.size(); cut += 1 + cut / 3) CHECK_FALSE(refusal(good.substr(0, cut)).empty());
  CHECK_THROWS_WITH(CheckpointReader((tempDir() / "no such folder" / kCheckpointFile).string()),
                    Catch::Contains("cannot read the checkpoint") && Catch::Contains("No such file"));
}

TEST_CASE("a checkpoint remembers the run's scenario, overrides and seed, and notices a changed scenario", "[checkpoint]") {
  const std::string text = readFile(kScenario);
  const std::string path = writeFile("identity/scenario.yaml", text);
  const RunIdentity id = identifyRun(path, {"clock.duration=30"}, 11, 5.0);
  CHECK(id.loadOverrides() == std::vector<std::string>{"clock.duration=30", "seed=11"});
  CHECK(std::filesystem::path(id.scenarioAbsolute).is_absolute());
  CHECK_NOTHROW(checkUnchanged(id, "c.bin"));
  writeFile("identity/scenario.yaml", text + "# a comment\n");
  CHECK_THROWS_WITH(checkUnchanged(id, "c.bin"), Catch::Contains("has changed since the checkpoint"));
  writeFile("identity/scenario.yaml", text);
  CHECK_NOTHROW(checkUnchanged(id, "c.bin"));
  // A file it extends changes: the resolved scenario does.
  writeFile("identity/base.yaml", "output: {metrics: true}\n");
  const std::string child = writeFile("identity/child.yaml", "extends: base.yaml\n" + text.substr(text.find("scenario:")));
  const RunIdentity extended = identifyRun(child, {}, -1, 5.0);
  writeFile("identity/base.yaml", "output: {metrics: false}\n");
  CHECK_THROWS_WITH(checkUnchanged(extended, "c.bin"), Catch::Contains("extends has changed"));
}
