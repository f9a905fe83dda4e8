// Helbing, Farkas & Vicsek 2000 (Nature 407:487), Fig. 1: 200 people leave a 15 m room through a 1 m door.
// Two cases on the same room: "faster is slower" (the time for all to leave against the desired speed v0) and
// crush injuries (people above 1600 N/m against v0).
#include "validation/validation.hpp"

#include <algorithm>
#include <cmath>

namespace unrest::validation {
namespace {

const char* kRoom = "validation/hfv2000_room.yaml";

RunSpec atSpeed(double v0) {
  char set[64];
  std::snprintf(set, sizeof set, "populations.crowd.desired_speed=%g", v0);
  return {"v0 = " + format(v0, 1) + " m/s", kRoom, {set}, v0};
}

// The same run with the crush-injury rule off: the flow effect alone, reported beside the paper's model.
RunSpec withoutInjuries(RunSpec spec) {
  spec.label += ", no injuries";
  spec.overrides.push_back("harm.injuries=false");
  return spec;
}
bool injuriesOff(const RunSpec& spec) {
  return std::find(spec.overrides.begin(), spec.overrides.end(), "harm.injuries=false") != spec.overrides.end();
}

// Read off Fig. 1c (a few % error).
const double kLeavingTimes[][2] = {{1.0, 135}, {1.5, 115}, {2.0, 130}, {3.0, 155}, {5.0, 195}};

Case fasterIsSlower() {
  Case c;
  c.name = "faster_is_slower";
  c.suite = "pedestrian";
  c.title = "HFV 2000 Fig. 1: time for 200 people to leave against v0";
  c.source = "Helbing, Farkas, Vicsek 2000, Nature 407:487, Fig. 1";
  for (const auto& p : kLeavingTimes) c.runs.push_back(atSpeed(p[0]));
  for (const auto& p : kLeavingTimes) c.runs.push_back(withoutInjuries(atSpeed(p[0])));
  c.seeds = 10;
  c.quickRuns = {atSpeed(1.0)};
  c.quickSeeds = 1;
  c.stopWhen = nobodyLeft;
  c.measure = [](const RunContext& run, Metrics& m) {
    m["leaving_s"] = evacuationTime(run);
    m["left"] = double(run.sim.exited());
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    // The paper's model (gated), then the same without the injury rule (reported). Runs where not everyone left
    // have no leaving time: their medians are missing, and the shape of a curve with gaps cannot be judged.
    for (const bool off : {false, true}) {
      int fastest = -1, i3 = -1, i5 = -1;
      bool allFinite = true;
      const std::string suffix = off ? ", no injuries" : "";
      for (std::size_t s = 0; s < d.specs.size(); ++s) {
        if (injuriesOff(d.specs[s]) != off) continue;
        const Stats t = d.stats(s, "leaving_s");
        const Stats left = d.stats(s, "left");
        double reference = 0.0;
        for (const auto& r : kLeavingTimes)
          if (r[0] == d.specs[s].x) reference = r[1];
        checks.push_back(Check::range("leaving time at v0 = " + format(d.specs[s].x, 1) + " m/s" + suffix + " (s), paper +-25 %", t,
                                      0.75 * reference, 1.25 * reference, Gate::Soft,
                                      t.ok() ? "" : "not all left within the run: median " + format(left.median, 0) + " of 200 left"));
        allFinite = allFinite && t.ok();
        if (t.ok() && (fastest < 0 || t.median < d.stats(fastest, "leaving_s").median)) fastest = static_cast<int>(s);
        if (d.specs[s].x == 3.0) i3 = static_cast<int>(s);
        if (d.specs[s].x == 5.0) i5 = static_cast<int>(s);
      }
      if (fastest < 0 || i3 < 0 || i5 < 0) continue;  // a --quick subset: the shape needs the whole curve
      const Gate gate = off ? Gate::Soft : Gate::Gated;
      const std::string unfinished = allFinite ? "" : "some v0 never emptied the room, so the curve has no minimum to judge";
      auto one = [](double v) { return Stats{1, 0, v, v, v}; };
      const double tFast = d.stats(fastest, "leaving_s").median, t3 = d.stats(i3, "leaving_s").median, t5 = d.stats(i5, "leaving_s").median;
      const double vFast = d.specs[fastest].x;
      checks.push_back(Check::condition("v0 of the fastest evacuation (m/s)" + suffix, "in [1.0, 2.0]", one(vFast),
                                        allFinite && vFast >= 1.0 && vFast <= 2.0, gate, unfinished));
      checks.push_back(Check::condition("T(3) / T(fastest)" + suffix, "> 1.15", one(t3 / tFast), allFinite && t3 > 1.15 * tFast, gate, unfinished));
      checks.push_back(Check::condition("T(5) / T(3)" + suffix, "> 1", one(t5 / t3), allFinite && t5 > t3, gate, unfinished));
    }
  };
  c.plot = [](const CaseData& d) -> std::optional<Plot> {
    Plot p;
    p.title = "Faster is slower: 200 people through a 1 m door (HFV 2000)";
    p.xLabel = "desired speed v0 (m/s)";
    p.yLabel = "time for all to leave (s)";
    p.seriesLabel = "unrest, with crush injuries (no point: the room never emptied)";
    Plot::Curve alone{"unrest without the injury rule (median)", {}, {}, {}, {}};
    for (std::size_t s = 0; s < d.specs.size(); ++s) {
      if (injuriesOff(d.specs[s])) {
        if (d.stats(s, "leaving_s").ok()) {
          alone.x.push_back(d.specs[s].x);
          alone.y.push_back(d.stats(s, "leaving_s").median);
        }
        continue;
      }
      p.x.push_back(d.specs[s].x);
      p.y.push_back(d.stats(s, "leaving_s"));
    }
    if (!alone.x.empty()) p.references.push_back(alone);
    Plot::Curve paper{"HFV 2000, Fig. 1c", {}, {}, {}, {}};
    for (const auto& t : kLeavingTimes) {
      paper.x.push_back(t[0]);
      paper.y.push_back(t[1]);
    }
    p.references.push_back(paper);
    return p;
  };
  return c;
}

const double kSpeeds[] = {1.0, 1.5, 2.0, 5.0, 7.0, 10.0};

Case crushInjuries() {
  Case c;
  c.name = "crush_injuries";
  c.suite = "pedestrian";
  c.title = "HFV 2000: people injured (> 1600 N/m) against v0";
  c.source = "Helbing, Farkas, Vicsek 2000, Nature 407:487";
  for (double v0 : kSpeeds) c.runs.push_back(atSpeed(v0));
  c.seeds = 10;
  c.quickRuns = {atSpeed(1.0), atSpeed(10.0)};
  c.quickSeeds = 1;
  c.quickOverrides = {"clock.duration=60"};
  c.stopWhen = nobodyLeft;
  c.measure = [](const RunContext& run, Metrics& m) { m["injured"] = double(run.sim.injuriesCrush()); };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    for (std::size_t s = 0; s < d.specs.size(); ++s) {
      const double v0 = d.specs[s].x;
      const Stats n = d.stats(s, "injured");
      // The paper has nobody injured up to 2 m/s; no literal reading of its criterion reproduces that in this room
      // (docs/validation-spec.md), so only walking speed is gated and 1.5–2 m/s are reported.
      if (v0 <= 2.0)
        checks.push_back(Check::range("injured at v0 = " + format(v0, 1) + " m/s" + (v0 > 1.0 ? " (paper 0)" : ""), n, 0, 0,
                                      v0 <= 1.0 ? Gate::Gated : Gate::Soft));
      if (v0 == 7.0) checks.push_back(Check::range("injured at v0 = 7 m/s (paper about 25)", n, 15, 35, Gate::Soft));
      if (v0 == 10.0) checks.push_back(Check::range("injured at v0 = 10 m/s (paper about 68)", n, 50, 85, Gate::Soft));
    }
    const int i5 = d.specAt(5.0), i7 = d.specAt(7.0), i10 = d.specAt(10.0);
    if (i5 < 0 || i7 < 0 || i10 < 0) return;  // a --quick subset
    const Stats n5 = d.stats(i5, "injured"), n7 = d.stats(i7, "injured"), n10 = d.stats(i10, "injured");
    // A room where nearly everyone is injured already at 5 m/s cannot show a rise: the count must stay below 90 %.
    checks.push_back(Check::condition("injured rise with v0 from 5 to 7 to 10 m/s", "n(5) < n(7) < n(10) < 180", n10,
                                      n5.median < n7.median && n7.median < n10.median && n10.median < 180, Gate::Gated,
                                      "medians " + format(n5.median, 0) + ", " + format(n7.median, 0) + ", " + format(n10.median, 0)));
  };
  c.plot = [](const CaseData& d) -> std::optional<Plot> {
    Plot p;
    p.title = "Crush injuries in the HFV 2000 room (200 people)";
    p.xLabel = "desired speed v0 (m/s)";
    p.yLabel = "people injured";
    p.seriesLabel = "unrest";
    for (std::size_t s = 0; s < d.specs.size(); ++s) {
      p.x.push_back(d.specs[s].x);
      p.y.push_back(d.stats(s, "injured"));
    }
    p.references.push_back({"HFV 2000 (read off the figure)", {2.0, 5.0, 7.0, 10.0}, {0.0, 2.0, 25.0, 68.0}, {}, {}});
    return p;
  };
  return c;
}

const Registrar registeredFasterIsSlower(fasterIsSlower());
const Registrar registeredCrush(crushInjuries());
// The hybrid model on HFV's room, its crush layer on: everyone pushes (urgency 1), as HFV's escaping crowd does.
const Registrar registeredHybrid(onModel(fasterIsSlower(), "hybrid", {"populations.crowd.urgency=1"}));

}  // namespace
}  // namespace unrest::validation
