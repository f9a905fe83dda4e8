// The hybrid locomotion's calm crowd: at 2 people/m², with nobody pushing, the velocity model keeps every gap, so the
// contact layer never acts (zero contact pressure at every step) and nobody is injured.
#include "validation/validation.hpp"

#include "unrest/population.hpp"

#include <algorithm>

namespace unrest::validation {
namespace {

Case make() {
  Case c;
  c.name = "calm_hybrid";
  c.suite = "pedestrian";
  c.title = "Calm milling at 2 /m2 under the hybrid model: no contact pressure";
  c.source = "Tordeux, Chraibi, Seyfried 2016 (walking); Helbing, Farkas, Vicsek 2000 (contact)";
  c.runs.push_back({"1800 people, 30 m x 30 m", "validation/hybrid_calm.yaml", {}, 2.0});
  c.seeds = 10;
  c.quickSeeds = 1;
  c.quickOverrides = {"clock.duration=15"};
  // The highest contact pressure on anyone at any step, and the number of person-steps in contact.
  c.perStep = [](const Simulation& sim, Metrics& m) {
    const Population& a = sim.agents();
    double peak = m["peak_pressure"];
    double touching = m["contact_steps"];
    for (std::size_t k = 0; k < a.size(); ++k) {
      peak = std::max(peak, double(a.pressure[k]));
      touching += a.pressure[k] > 0.0f;
    }
    m["peak_pressure"] = peak;
    m["contact_steps"] = touching;
  };
  c.measure = [](const RunContext& run, Metrics& m) {
    m["injured"] = double(run.sim.injuriesCrush());
    m["peak_pressure"] = run.scratch["peak_pressure"];
    m["contact_steps"] = run.scratch["contact_steps"];
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    checks.push_back(Check::range("crush injuries", d.stats(0, "injured"), 0, 0, Gate::Gated));
    checks.push_back(Check::range("highest contact pressure at any step (N/m)", d.stats(0, "peak_pressure"), 0, 0, Gate::Gated));
    checks.push_back(Check::range("person-steps in contact", d.stats(0, "contact_steps"), 0, 0, Gate::Soft));
  };
  return c;
}

const Registrar registered(make());

}  // namespace
}  // namespace unrest::validation
