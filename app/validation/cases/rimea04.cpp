// RiMEA test 4: the fundamental diagram in a periodic corridor against Weidmann (1993).
#include "validation/validation.hpp"

#include <cmath>

namespace unrest::validation {
namespace {

// Weidmann (1993): v(ρ) = 1.34 (1 − exp(−1.913 (1/ρ − 1/5.4))) m/s.
double weidmann(double rho) { return 1.34 * (1.0 - std::exp(-1.913 * (1.0 / rho - 1.0 / 5.4))); }

const double kDensities[] = {0.5, 1.0, 2.0, 3.0, 4.0};

Case make() {
  Case c;
  c.name = "rimea04";
  c.suite = "pedestrian";
  c.title = "RiMEA test 4: speed against density (Weidmann 1993)";
  c.source = "RiMEA guideline 3.0, test 4; Weidmann 1993";
  for (double rho : kDensities) {
    const auto people = static_cast<long>(std::lround(rho * 500.0));  // the corridor is 50 m x 10 m
    c.runs.push_back({"rho = " + format(rho, 1) + " /m2", "validation/rimea04_fundamental_diagram.yaml",
                      {"populations.walkers.count=" + std::to_string(people)}, rho});
  }
  c.seeds = 10;
  c.quickRuns = {c.runs[0], c.runs[2]};
  c.quickSeeds = 1;
  c.quickOverrides = {"clock.duration=30"};
  c.measure = [](const RunContext& run, Metrics& m) {
    // 60 s after a 10 s transient (in --quick runs, what there is after the transient).
    const double end = run.sim.time();
    m["density"] = meanOverSamples(run, 0, 10.0, end, &Measurement::AreaSample::density);
    m["speed"] = meanOverSamples(run, 0, 10.0, end, &Measurement::AreaSample::speed);
    m["voronoi_density"] = meanOverSamples(run, 0, 10.0, end, &Measurement::AreaSample::voronoiDensity);
    m["voronoi_speed"] = meanOverSamples(run, 0, 10.0, end, &Measurement::AreaSample::voronoiSpeed);
    m["deviation"] = m["speed"] - weidmann(m["density"]);
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    bool falling = true;
    double peakFlow = 0.0, previous = 1e9;
    Stats speeds;
    for (std::size_t s = 0; s < d.specs.size(); ++s) {
      const double rho = d.specs[s].x;
      const Stats v = d.stats(s, "speed"), dev = d.stats(s, "deviation"), den = d.stats(s, "density");
      const double tolerance = rho <= 2.0 ? 0.15 : 0.25;
      Check check = Check::range("v - Weidmann(rho measured) at " + format(rho, 1) + " /m2 (m/s)", dev, -tolerance, tolerance,
                                 Gate::Gated, "measured rho " + format(den.median) + " /m2, v " + format(v.median) + " m/s, Weidmann " +
                                                  format(weidmann(den.median)) + " m/s");
      checks.push_back(check);
      falling = falling && v.ok() && v.median < previous;
      previous = v.ok() ? v.median : previous;
      if (v.ok() && den.ok()) peakFlow = std::max(peakFlow, v.median * den.median);
      speeds = v;
    }
    checks.push_back(Check::condition("speed falls as density rises", "strictly", speeds, falling, Gate::Gated));
    Stats flow;
    flow.n = 1;
    flow.median = flow.lo = flow.hi = peakFlow;
    checks.push_back(Check::range("peak specific flow rho*v (1/(m s))", flow, 1.0, 1.9, Gate::Gated));
  };
  c.plot = [](const CaseData& d) -> std::optional<Plot> {
    Plot p;
    p.title = "RiMEA 4: fundamental diagram in a periodic corridor";
    p.xLabel = "density (1/m^2), measured in the 2 m x 2 m area";
    p.yLabel = "mean speed (m/s)";
    p.seriesLabel = "unrest";
    for (std::size_t s = 0; s < d.specs.size(); ++s) {
      p.x.push_back(d.stats(s, "density").median);
      p.y.push_back(d.stats(s, "speed"));
    }
    Plot::Curve w{"Weidmann 1993", {}, {}, {}, {}};
    for (double rho = 0.3; rho <= 5.4; rho += 0.05) {
      w.x.push_back(rho);
      w.y.push_back(weidmann(rho));
    }
    p.references.push_back(w);
    return p;
  };
  return c;
}

const Registrar registered(make());
const Registrar hybrid(onModel(make(), "hybrid"));

}  // namespace
}  // namespace unrest::validation
