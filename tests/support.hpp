// Helpers shared by the tests: scenario text written to a temporary file, and the scenarios directory.
#pragma once

#include "unrest/output.hpp"
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

// Runs the scenario to its end with the usual outputs in a fresh folder under tempDir(); returns the folder.
inline std::string runWithOutputs(const Scenario& sc, int threads, const std::string& dirName) {
  const World world(sc);
  Simulation sim(sc, world, threads);
  const auto dir = tempDir() / dirName;
  {
    OutputWriter writer(sim, dir.string());
    while (!sim.done()) {
      sim.step();
      writer.afterStep(sim);
    }
    writer.finish(sim, 1.0, false);
  }
  return dir.string();
}

}  // namespace unrest::test
