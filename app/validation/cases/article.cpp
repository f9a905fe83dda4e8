// The article suite: what the Daily Telegraph of 10 October 2020 reported from Bishkek, checked against the Bishkek
// scenarios over many seeds (scenarios/bishkek/README.md maps each fact to its scenario and sources).
//
//   article-9oct    rival crowds fight in Ala-Too Square; after the shots hundreds run; "a dozen or so" injured;
//                   some crushed in the stampede                        (2020-10-09_rival_rallies.yaml)
//   article-night   looting rises when the police are gone and falls with volunteer patrols, paired seeds
//                   (2020-10-06_night_looting.yaml and its what-ifs police_stay, no_volunteers)
//   article-army    brawls fall once the army is in the streets        (2020-10-10_state_of_emergency.yaml)
//
// The quick forms (ctest) run each scenario for one seed, with smaller crowds or shorter clocks: they show the
// machinery works, not the facts; the facts are judged on the full runs only.
#include "validation/validation.hpp"

#include "unrest/output.hpp"

#include <algorithm>
#include <cmath>

namespace unrest::validation {
namespace {

// Civilians fighting inside zone `zone` now.
double fightingIn(const Simulation& sim, int zone) {
  const Shape& shape = sim.scenario().map.zones[zone];
  const Population& a = sim.agents();
  double n = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    n += a.activity[k] == std::uint8_t(Activity::Fighting) && onStreet(a.state[k]) && shape.contains(Vec2(a.x[k], a.y[k]));
  return n;
}

// Share of seeds for which `holds` is true of the per-seed values, as a Stats of 0/1 (the median is not used).
Check shareOfSeeds(const std::string& figure, const std::string& expected, const std::vector<double>& values,
                   double minimumShare, const std::function<bool(double)>& holds) {
  int yes = 0, n = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    ++n;
    yes += holds(v);
  }
  const double share = n ? double(yes) / n : 0.0;
  Check check = Check::condition(figure, expected, statsOf(values), n > 0 && share >= minimumShare, Gate::Gated);
  check.measuredText = std::to_string(yes) + " of " + std::to_string(n) + " seeds (" + std::to_string(int(std::lround(100 * share))) + " %)";
  return check;
}

// Paired seeds: the share of seeds for which `a` exceeds `b`.
Check pairedShare(const std::string& figure, const std::string& expected, const std::vector<double>& a,
                  const std::vector<double>& b, double minimumShare) {
  std::vector<double> differences;
  for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k) differences.push_back(a[k] - b[k]);
  Check check = shareOfSeeds(figure, expected, differences, minimumShare, [](double d) { return d > 0; });
  const Stats d = statsOf(differences);
  check.measuredText += ", difference " + format(d.median, 1) + " [" + format(d.lo, 1) + ", " + format(d.hi, 1) + "]";
  return check;
}

Case nineOctober() {
  Case c;
  c.name = "article-9oct";
  c.suite = "article";
  c.title = "9 October: the brawl on Ala-Too, the shots, the flight and the injured";
  c.source = "The Daily Telegraph, 10 Oct 2020; 24.kg 168564; Kommersant 4528197 (scenarios/bishkek/README.md)";
  c.runs = {{"9 October", "bishkek/2020-10-09_rival_rallies.yaml", {}, 0}};
  c.seeds = 20;
  c.quickSeeds = 1;
  // A tenth of each crowd, arriving ten times slower: the same timeline for a tenth of the cost.
  c.quickOverrides = {"populations.march_akyrky_umut.count=250", "populations.march_akyrky_umut.spawn_rate=0.7",
                      "populations.march_atambayev.count=100", "populations.march_atambayev.spawn_rate=0.3",
                      "populations.rally_japarov.count=250", "populations.rally_japarov.spawn_rate=0.6",
                      "clock.duration=2100"};
  c.needsMeasurement = false;
  c.perStep = [](const Simulation& sim, Metrics& s) {
    for (const Event& e : sim.stepEvents())
      if (e.type == EventType::Gunshot && !s.count("shot_s")) s["shot_s"] = e.time;
    if (!sim.recorded()) return;
    const double fleeing = double(sim.lastRow().byCondition[int(Condition::Fleeing)]);
    if (s.count("shot_s") && sim.time() <= s["shot_s"] + 60.0 + 1e-9) s["fleeing_60s"] = std::max(s["fleeing_60s"], fleeing);
    s["fighting_square"] = std::max(s["fighting_square"], fightingIn(sim, sim.scenario().zoneIndex("ala_too_square")));
  };
  c.measure = [](const RunContext& run, Metrics& m) {
    const Simulation& sim = run.sim;
    m["fighting_square_peak"] = run.scratch["fighting_square"];
    m["fleeing_within_60s"] = run.scratch.count("shot_s") ? run.scratch["fleeing_60s"] : std::nan("");
    m["injuries_total"] = double(sim.injuriesTotal());
    m["injuries_crush"] = double(sim.injuries(InjuryCause::Crush));
    m["injuries_brawl"] = double(sim.injuries(InjuryCause::Brawl));
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    checks.push_back(shareOfSeeds("rival crowds fight in Ala-Too Square: 10 or more fighting at once there",
                                  ">= 90 % of seeds", d.values(0, "fighting_square_peak"), 0.9, [](double v) { return v >= 10; }));
    checks.push_back(Check::report("peak number fighting in the square at once", d.stats(0, "fighting_square_peak")));
    checks.push_back(Check::range("after the shots hundreds run: most fleeing at once within a minute", d.stats(0, "fleeing_within_60s"),
                                  200, 1e9, Gate::Gated));
    checks.push_back(Check::range("\"a dozen or so\" injured: injuries of every cause", d.stats(0, "injuries_total"), 6, 30, Gate::Gated));
    checks.push_back(shareOfSeeds("\"some were crushed in the stampede\": one crush injury or more", ">= 50 % of seeds",
                                  d.values(0, "injuries_crush"), 0.5, [](double v) { return v >= 1; }));
    checks.push_back(Check::report("crush injuries", d.stats(0, "injuries_crush")));
    checks.push_back(Check::report("brawl injuries", d.stats(0, "injuries_brawl")));
  };
  return c;
}

Case night() {
  Case c;
  c.name = "article-night";
  c.suite = "article";
  c.title = "The nights of 6-8 October: looting without the police, deterred by volunteer patrols";
  c.source = "The Daily Telegraph, 10 Oct 2020; CABAR.asia; 24.kg 167985 (scenarios/bishkek/README.md)";
  c.runs = {{"police gone, volunteers (as it was)", "bishkek/2020-10-06_night_looting.yaml", {}, 0},
            {"police on patrol", "bishkek/whatif/police_stay.yaml", {}, 1},
            {"no volunteers", "bishkek/whatif/no_volunteers.yaml", {}, 2}};
  c.seeds = 20;
  c.quickSeeds = 1;
  c.quickOverrides = {"clock.duration=300"};
  c.needsMeasurement = false;
  c.measure = [](const RunContext& run, Metrics& m) {
    m["looting_incidents"] = double(run.sim.lootingIncidents());
    m["looting_damage"] = run.sim.lootingDamage();
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    const auto asItWas = d.values(0, "looting_incidents"), police = d.values(1, "looting_incidents"),
               noVolunteers = d.values(2, "looting_incidents");
    checks.push_back(Check::report("looting incidents, police gone, volunteers out", d.stats(0, "looting_incidents")));
    checks.push_back(Check::report("looting incidents, police on patrol", d.stats(1, "looting_incidents")));
    checks.push_back(Check::report("looting incidents, no volunteers", d.stats(2, "looting_incidents")));
    checks.push_back(pairedShare("looting rises when the police are gone (more incidents than with the police, same seed)",
                                 ">= 80 % of paired seeds", asItWas, police, 0.8));
    checks.push_back(pairedShare("volunteer patrols reduce looting (fewer incidents than without them, same seed)",
                                 ">= 80 % of paired seeds", noVolunteers, asItWas, 0.8));
  };
  return c;
}

Case army() {
  Case c;
  c.name = "article-army";
  c.suite = "article";
  c.title = "10 October: brawls fall once the army deploys";
  c.source = "The Daily Telegraph, 10 Oct 2020 (\"to prevent clashes\"); Kaktus.media 423177; 24.kg 168678";
  c.runs = {{"10 October", "bishkek/2020-10-10_state_of_emergency.yaml", {}, 0},
            {"10 October without the army", "bishkek/whatif/no_army.yaml", {}, 1}};
  c.seeds = 20;
  c.quickSeeds = 1;
  c.quickOverrides = {"populations.japarov.count=300", "populations.rival_bloc.count=160"};
  c.needsMeasurement = false;
  // Person-seconds of fighting in the half hour before the deployment and the half hour after its first ten minutes
  // (the soldiers need those to reach the square). The windows are those of 10 October's 16:00 in both runs: the
  // counterfactual's deployment comes after its end.
  c.perStep = [](const Simulation& sim, Metrics& s) {
    if (!sim.recorded()) return;
    constexpr double deployTimeOfDay = 16 * 3600.0;  // when the army came onto the square on 10 October
    const double deploy = deployTimeOfDay - sim.scenario().clock.startTimeOfDay, t = sim.time();
    const double fighting = double(sim.lastRow().byCondition[int(Condition::Fighting)]) * sim.scenario().clock.recordInterval;
    if (t > deploy - 1800.0 && t <= deploy) s["fighting_before"] += fighting;
    if (t > deploy + 600.0 && t <= deploy + 2400.0) s["fighting_after"] += fighting;
  };
  c.measure = [](const RunContext& run, Metrics& m) {
    m["fighting_before"] = run.scratch["fighting_before"];
    m["fighting_after"] = run.scratch["fighting_after"];
    m["arrests"] = double(run.sim.arrests());
    m["injuries_brawl"] = double(run.sim.injuries(InjuryCause::Brawl));
  };
  c.judge = [](const CaseData& d, std::vector<Check>& checks) {
    checks.push_back(Check::report("person-seconds of fighting, half an hour before the army", d.stats(0, "fighting_before")));
    checks.push_back(Check::report("person-seconds of fighting, half an hour after", d.stats(0, "fighting_after")));
    checks.push_back(pairedShare("brawls fall after the army deploys (less fighting after than before, same run)",
                                 ">= 80 % of seeds", d.values(0, "fighting_before"), d.values(0, "fighting_after"), 0.8));
    checks.push_back(Check::report("person-seconds of fighting in the same half hour without the army", d.stats(1, "fighting_after")));
    checks.push_back(pairedShare("the fall is the army's: less fighting after 16:10 than without the army, same seed",
                                 ">= 80 % of paired seeds", d.values(1, "fighting_after"), d.values(0, "fighting_after"), 0.8));
    checks.push_back(Check::report("arrests", d.stats(0, "arrests")));
    checks.push_back(Check::report("brawl injuries", d.stats(0, "injuries_brawl")));
  };
  return c;
}

const Registrar registeredNineOctober(nineOctober());
const Registrar registeredNight(night());
const Registrar registeredArmy(army());

}  // namespace
}  // namespace unrest::validation
