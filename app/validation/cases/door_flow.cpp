// Flow through a door against the bottleneck experiments (Kretz et al. 2006; Seyfried et al. 2009): J grows with
// the width b, within the measured bands, with a specific flow J/b of 1.5–2.3 per metre and second.
#include "validation/validation.hpp"

#include <cmath>

namespace unrest::validation {
namespace {

const double kWidths[] = {0.8, 1.0, 1.2, 1.6, 2.4};
// Measured flows (people/s) where there is a band: width, low, high.
const double kBands[][3] = {{0.8, 1.39, 1.46}, {1.0, 1.71, 2.02}, {1.2, 2.03, 2.29}};

Case make() {
  Case c;
  c.name = "door_flow";
  c.suite = "pedestrian";
  c.title = "Flow through a door against width";
  c.source = "Kretz, Gruenebohm, Schreckenberg 2006; Seyfried et al. 2009";
  for (double b : kWidths) {
    char wallSouth[64], wallNorth[64];
    std::snprintf(wallSouth, sizeof wallSouth, "map.obstacles.wall_south.rect=[10,0,10.2,%g]", 4.0 - b / 2);
    std::snprintf(wallNorth, sizeof wallNorth, "map.obstacles.wall_north.rect=[10,%g,10.2,8]", 4.0 + b / 2);
    c.runs.push_back({"b = " + format(b, 1) + " m", "validation/door_flow.yaml", {wallSouth, wallNorth}, b});
  }
  c.seeds = 10;
  c.quickRuns = {c.runs[1], c.runs[4]};
  c.quickSeeds = 1;
  c.stopWhen = nobodyLeft;
  c.measure = [](const RunContext& run, Metrics& m) {
    m["flow"] = flowBetween(run, 0, 10, 90);
    m["specific_flow"] = m["flow"] / run.spec.x;
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    bool increasing = true;
    double previous = 0.0;
    for (std::size_t s = 0; s < d.specs.size(); ++s) {
      const double b = d.specs[s].x;
      const Stats j = d.stats(s, "flow");
      increasing = increasing && j.ok() && j.median > previous;
      previous = j.ok() ? j.median : previous;
      for (const auto& band : kBands)
        if (std::abs(band[0] - b) < 1e-9)
          checks.push_back(Check::range("flow J at b = " + format(b, 1) + " m (1/s), measured band +-10 %", j, 0.9 * band[1],
                                        1.1 * band[2], Gate::Gated));
      checks.push_back(Check::range("specific flow J/b at b = " + format(b, 1) + " m (1/(m s))", d.stats(s, "specific_flow"), 1.5,
                                    2.3, Gate::Gated));
    }
    checks.push_back(Check::condition("J strictly increasing with b", "yes", d.stats(d.specs.size() - 1, "flow"), increasing,
                                      Gate::Gated));
  };
  c.plot = [](const CaseData& d) -> std::optional<Plot> {
    Plot p;
    p.title = "Flow through a door of width b (100 people)";
    p.xLabel = "door width b (m)";
    p.yLabel = "flow J (1/s)";
    p.seriesLabel = "unrest";
    for (std::size_t s = 0; s < d.specs.size(); ++s) {
      p.x.push_back(d.specs[s].x);
      p.y.push_back(d.stats(s, "flow"));
    }
    Plot::Curve band{"measured (Kretz 2006, Seyfried 2009)", {}, {}, {}, {}};
    for (const auto& b : kBands) {
      band.x.push_back(b[0]);
      band.yLow.push_back(b[1]);
      band.yHigh.push_back(b[2]);
    }
    Plot::Curve low{"specific flow 1.5 /(m s)", {0.7, 2.5}, {1.05, 3.75}, {}, {}};
    Plot::Curve high{"specific flow 2.3 /(m s)", {0.7, 2.5}, {1.61, 5.75}, {}, {}};
    p.references = {band, low, high};
    return p;
  };
  return c;
}

const Registrar registered(make());
const Registrar hybrid(onModel(make(), "hybrid"));

}  // namespace
}  // namespace unrest::validation
