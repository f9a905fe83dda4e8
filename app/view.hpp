// `unrest view`: the live viewer, headless captures and the drawing benchmark.
#pragma once

#include "unrest/scenario.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace unrest::app {

struct ViewOptions {
  int threads = 0;
  std::string out;
  bool overwrite = false;
  std::string speed = "1";
  std::string size = "1280x800";
  std::string center;  // "x,y" in metres
  double width = 0;    // metres across
  bool paused = false, exitAtEnd = false, hidePanels = false;
  std::string overlay = "none";
  std::string destination;  // zone whose navigation field the overlay shows
  std::string screenshot, at;
  std::string record, until;
  double fps = 25;
  int benchmarkFrames = 0;
  std::string detail = "auto";
  std::string replay;  // a run.sqlite to play back instead of simulating
  std::vector<std::string> overrides;  // the --set overrides the scenario was loaded with (interventions.yaml repeats them)
};

// Adds the view options (besides the scenario, --set and --seed, which main adds to every command).
void addViewOptions(CLI::App& cmd, ViewOptions& options);
int runView(const Scenario& scenario, const ViewOptions& options);
// The scenario a run store was recorded with (its file, overrides and seed, from the store's metadata).
Scenario scenarioOfReplay(const std::string& store);

}  // namespace unrest::app
