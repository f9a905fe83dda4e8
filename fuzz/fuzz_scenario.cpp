// Feeds arbitrary bytes to the scenario loader as the text of a scenario file. Every input must end in a
// Scenario or a ScenarioError: anything else (a crash, a sanitizer report, another exception, a timeout, more
// memory than -rss_limit_mb) is a finding.
#include "unrest/scenario.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const unrest::YamlNode root = unrest::parseYamlText(text, "fuzz.yaml");
    (void)unrest::scenarioFromYaml(root, "fuzz.yaml");
  } catch (const unrest::ScenarioError&) {
  }
  return 0;
}
