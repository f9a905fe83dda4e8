// RiMEA test 9: closing two of four exits roughly doubles the evacuation time of a large room.
#include "validation/validation.hpp"

namespace unrest::validation {
namespace {

Case make() {
  Case c;
  c.name = "rimea09";
  c.suite = "pedestrian";
  c.title = "RiMEA test 9: a large room with four exits, then two";
  c.source = "RiMEA guideline 3.0, test 9";
  const std::string file = "validation/rimea09_large_room.yaml";
  c.runs = {{"4 exits", file, {}, 4}, {"2 exits", file, {"map.walkable.exit_nw=null", "map.walkable.exit_ne=null"}, 2}};
  c.seeds = 10;
  c.quickSeeds = 1;
  c.quickOverrides = {"populations.occupants.count=200"};  // a fifth of the crowd: the same ratio, a fifth of the cost
  c.stopWhen = nobodyLeft;
  c.measure = [](const RunContext& run, Metrics& m) { m["evacuation_s"] = evacuationTime(run); };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    const Stats four = d.stats(0, "evacuation_s"), two = d.stats(1, "evacuation_s");
    checks.push_back(Check::report("evacuation time, 4 exits (s)", four));
    checks.push_back(Check::report("evacuation time, 2 exits (s)", two));
    // The ratio of the medians, with the range of the per-seed ratios (runs are paired by seed).
    std::vector<double> ratios;
    const auto a = d.values(0, "evacuation_s"), b = d.values(1, "evacuation_s");
    for (std::size_t i = 0; i < a.size(); ++i) ratios.push_back(b[i] / a[i]);
    Stats ratio = statsOf(ratios);
    if (four.ok() && two.ok()) ratio.median = two.median / four.median;
    checks.push_back(Check::range("ratio T(2 exits) / T(4 exits)", ratio, 1.6, 2.4, Gate::Gated));
  };
  return c;
}

const Registrar registered(make());

}  // namespace
}  // namespace unrest::validation
