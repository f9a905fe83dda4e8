// RiMEA test 12: behind a corridor the flow does not drop; the queue forms before the corridor only.
#include "validation/validation.hpp"

namespace unrest::validation {
namespace {

Case make() {
  Case c;
  c.name = "rimea12";
  c.suite = "pedestrian";
  c.title = "RiMEA test 12: a corridor between two rooms";
  c.source = "RiMEA guideline 3.0, test 12";
  c.runs = {{"150 people", "validation/rimea12_bottleneck.yaml", {}, 150}};
  c.seeds = 10;
  c.quickSeeds = 2;
  c.stopWhen = nobodyLeft;
  // Steady flows: from the 10th to the 140th person through each line.
  c.measure = [](const RunContext& run, Metrics& m) {
    m["door_flow"] = flowBetween(run, 0, 10, 140);
    m["exit_flow"] = flowBetween(run, 1, 10, 140);
    m["exit_minus_door"] = m["exit_flow"] - m["door_flow"];
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    checks.push_back(Check::report("flow into the corridor (1/s)", d.stats(0, "door_flow")));
    checks.push_back(Check::report("flow through the exit (1/s)", d.stats(0, "exit_flow")));
    checks.push_back(Check::condition("exit flow - door flow (1/s)", ">= -0.05", d.stats(0, "exit_minus_door"), d.stats(0, "exit_minus_door").ok() && d.stats(0, "exit_minus_door").median >= -0.05, Gate::Gated));
  };
  return c;
}

const Registrar registered(make());

}  // namespace
}  // namespace unrest::validation
