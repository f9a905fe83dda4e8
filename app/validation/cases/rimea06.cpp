// RiMEA test 6: 20 people round a left-hand corner without cutting it, all within 60 s.
#include "validation/validation.hpp"

#include <algorithm>

namespace unrest::validation {
namespace {

Case make() {
  Case c;
  c.name = "rimea06";
  c.suite = "pedestrian";
  c.title = "RiMEA test 6: a left-hand corner";
  c.source = "RiMEA guideline 3.0, test 6";
  c.runs = {{"20 people", "validation/rimea06_corner.yaml", {}, 20}};
  c.seeds = 10;
  c.quickSeeds = 2;
  c.stopWhen = nobodyLeft;
  // How far any centre gets into the inner block [0, 10] x [2, 12] (0 when nobody enters it).
  c.perStep = [](const Simulation& sim, Metrics& m) {
    const Population& a = sim.agents();
    double& deepest = m.try_emplace("intrusion_m", 0.0).first->second;
    for (std::size_t k = 0; k < a.size(); ++k)
      if (a.state[k] != std::uint8_t(AgentState::Exited) && a.x[k] < 10.0 && a.y[k] > 2.0 && a.y[k] < 12.0)
        deepest = std::max(deepest, std::min(10.0 - a.x[k], a.y[k] - 2.0));
  };
  c.measure = [](const RunContext& run, Metrics& m) {
    int arrived = 0;
    double last = 0.0;
    for (const auto& x : run.crossings)
      if (x.sign > 0 && x.time <= 60.0) {
        ++arrived;
        last = x.time;
      }
    m["arrived_60s"] = arrived;
    m["last_arrival_s"] = arrived == 20 ? last : std::nan("");
    m["intrusion_m"] = run.scratch.count("intrusion_m") ? run.scratch.at("intrusion_m") : 0.0;
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    const Stats intrusion = d.stats(0, "intrusion_m");
    checks.push_back(Check::condition("deepest centre inside the inner block (m)", "0 in every run", intrusion,
                                      intrusion.ok() && intrusion.hi <= 0.0, Gate::Gated));
    const Stats arrived = d.stats(0, "arrived_60s");
    checks.push_back(Check::condition("people arrived within 60 s", "20 in every run", arrived, arrived.ok() && arrived.lo >= 20,
                                      Gate::Gated));
    checks.push_back(Check::range("time of the last arrival (s)", d.stats(0, "last_arrival_s"), 0.0, 60.0, Gate::Soft));
  };
  return c;
}

const Registrar registered(make());

}  // namespace
}  // namespace unrest::validation
