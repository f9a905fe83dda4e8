// RiMEA test 1: one person walks 40 m of a 2 m corridor at 1.33 m/s in 26–34 s and never leaves it.
#include "validation/validation.hpp"

#include <algorithm>

namespace unrest::validation {
namespace {

Case make() {
  Case c;
  c.name = "rimea01";
  c.suite = "pedestrian";
  c.title = "RiMEA test 1: free walking along a 2 m x 40 m corridor";
  c.source = "RiMEA guideline 3.0, test 1";
  c.runs = {{"v0 = 1.33 m/s", "validation/rimea01_corridor.yaml", {}, 1.33}};
  c.seeds = 10;
  c.quickSeeds = 2;
  c.stopWhen = nobodyLeft;
  // The body's clearance from the corridor's long walls (y = 0 and y = 2), at its smallest.
  c.perStep = [](const Simulation& sim, Metrics& m) {
    const Population& a = sim.agents();
    double& least = m.try_emplace("clearance_m", 1e9).first->second;
    for (std::size_t k = 0; k < a.size(); ++k)
      if (a.state[k] != std::uint8_t(AgentState::Exited) && a.x[k] <= 40.0)
        least = std::min({least, a.y[k] - a.radius[k], 2.0 - a.y[k] - a.radius[k]});
  };
  c.measure = [](const RunContext& run, Metrics& m) {
    m["travel_s"] = std::nan("");
    for (const auto& x : run.crossings)
      if (x.sign > 0) {
        m["travel_s"] = x.time;
        break;
      }
    m["clearance_m"] = run.scratch.count("clearance_m") ? run.scratch.at("clearance_m") : std::nan("");
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    checks.push_back(Check::range("travel time over 40 m (s)", d.stats(0, "travel_s"), 26.0, 34.0, Gate::Gated));
    const Stats clearance = d.stats(0, "clearance_m");
    checks.push_back(Check::condition("least clearance from the corridor walls (m)", ">= 0", clearance,
                                      clearance.ok() && clearance.lo >= 0.0, Gate::Gated));
  };
  return c;
}

const Registrar registered(make());

}  // namespace
}  // namespace unrest::validation
