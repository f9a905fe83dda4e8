// Helpers shared by the tests: scenario text written to a temporary file, and the scenarios directory.
#pragma once

#include "unrest/output.hpp"
#include "unrest/run.hpp"
#include "unrest/scenario.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace unrest::test {

inline std::filesystem::path tempDir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("unrest-tests-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// People pushing towards a strip along the end wall of a dead-end corridor 12 m long and 3 m wide, pressed against
// the wall by their own desired speed. `sections` adds top-level sections (harm:, locomotion:), `crowdKeys` more
// keys of the crowd (each line indented by four spaces).
inline std::string deadEndScenario(double desiredSpeed, const std::string& sections = "", double duration = 20,
                                   int people = 45, const std::string& crowdKeys = "") {
  return R"(scenario: {name: dead_end}
clock: {dt: 0.02, duration: )" + std::to_string(duration) + R"(, record_interval: 0.5}
map:
  bounds: [0, 0, 12, 3]
  cell_size: 0.05
  zones:
    back: {rect: [0, 0, 8.5, 3]}
    wall_strip: {rect: [11.6, 0, 12, 3]}
populations:
  crowd:
    count: )" + std::to_string(people) + R"(
    spawn: back
    spawn_layout: lattice
    destination: wall_strip
    on_arrival: stay
    desired_speed: )" + std::to_string(desiredSpeed) + "\n" + crowdKeys + sections + "\n";
}

inline std::string writeFile(const std::string& name, const std::string& text) {
  const auto path = tempDir() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

inline Scenario scenarioFromText(const std::string& name, const std::string& text,
                                 const std::vector<std::string>& overrides = {}) {
  return loadScenario(writeFile(name, text), overrides);
}

inline std::string scenarioPath(const std::string& relative) {
  return std::string(UNREST_SOURCE_DIR) + "/scenarios/" + relative;
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs a scenario to its end with the usual outputs in a fresh directory under tempDir(); returns the directory.
inline std::string runWithOutputs(const Scenario& sc, int threads, const std::string& dirName) {
  ScenarioRun run(sc, threads);
  const auto dir = tempDir() / dirName;
  OutputWriter writer(run.sim(), dir.string(), run.measurement());
  run.drive({&writer});
  return dir.string();
}

// summary.json without its machine-dependent performance block.
inline std::string withoutPerformance(const std::string& summary) {
  return summary.substr(0, summary.find("\"performance\""));
}

}  // namespace unrest::test
