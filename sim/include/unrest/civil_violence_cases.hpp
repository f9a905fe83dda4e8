// The civil-violence validation cases (docs/validation-spec.md, "Civil violence"), as plain functions: a
// case runs its scenarios under scenarios/validation/ for one seed and returns its figures; its judge turns the
// figures of several seeds into verdicts, judging medians and shares of seeds, never one run.
//
//   epstein-run2             Run 2, punctuated equilibrium (epstein_run2.yaml)
//   epstein-runs3-4          Runs 3 and 4, salami versus one jump, paired seeds (epstein_run3_salami.yaml,
//                            epstein_run4_jump.yaml)
//   epstein-police-withdrawal  the police withdrawn over 500 ticks (epstein_police_withdrawal.yaml), with the
//                            same seeds and no withdrawal as a control
//
// A validation command registers them with a loop (the `civil-violence` suite):
//
//   for (const CivilViolenceCase& c : civilViolenceCases()) {
//     const CaseReport r = runCivilViolenceCase(c, scenariosDir, seeds, threads);  // seeds: e.g. 1..20
//     for (const CaseVerdict& v : r.verdicts) table.add(c.name, v.figure, v.expected, v.got, v.pass, v.gated);
//   }
//
// or calls c.run(scenariosDir, seed, {}) per seed itself and c.judge(runs) once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace unrest {

// The figures of one case for one seed (for a paired case, of both runs of the pair).
struct CaseRun {
  std::uint64_t seed = 0;
  std::vector<std::pair<std::string, double>> figures;  // in a fixed order per case
  double get(const std::string& name) const;            // throws std::out_of_range for an unknown name
};

// One line of the validation table.
struct CaseVerdict {
  std::string figure;    // what is measured
  std::string expected;  // the published figure or band, and how it is judged
  std::string got;       // what the runs gave: median, spread or share of seeds
  bool pass = true;      // within the expected band (always true for a figure reported only)
  bool gated = true;     // false: never fails the case (a soft figure)
  bool judged = true;    // with gated false: a soft band `pass` is judged against; false: reported only
};

struct CivilViolenceCase {
  const char* name;
  const char* title;
  std::vector<const char*> scenarios;  // relative to the scenarios directory
  // Runs the case's scenarios with `seed`; `overrides` (key.path=value) apply to each, e.g. for shorter runs.
  CaseRun (*run)(const std::string& scenariosDir, std::uint64_t seed, const std::vector<std::string>& overrides);
  std::vector<CaseVerdict> (*judge)(const std::vector<CaseRun>& runs);
};

const std::vector<CivilViolenceCase>& civilViolenceCases();

struct CaseReport {
  std::vector<CaseRun> runs;  // in the order of the seeds given
  std::vector<CaseVerdict> verdicts;
  bool pass() const;  // every gated verdict passes
};

// Runs a case for each seed, `threads` seeds at a time (the report does not depend on it), and judges it.
// Scenario errors propagate as ScenarioError.
CaseReport runCivilViolenceCase(const CivilViolenceCase& c, const std::string& scenariosDir,
                                const std::vector<std::uint64_t>& seeds, int threads = 1,
                                const std::vector<std::string>& overrides = {});

// The cases one by one.
CaseRun epsteinRun2(const std::string& scenariosDir, std::uint64_t seed, const std::vector<std::string>& overrides);
std::vector<CaseVerdict> judgeEpsteinRun2(const std::vector<CaseRun>& runs);
CaseRun epsteinRuns3And4(const std::string& scenariosDir, std::uint64_t seed, const std::vector<std::string>& overrides);
std::vector<CaseVerdict> judgeEpsteinRuns3And4(const std::vector<CaseRun>& runs);
CaseRun epsteinPoliceWithdrawal(const std::string& scenariosDir, std::uint64_t seed,
                                const std::vector<std::string>& overrides);
std::vector<CaseVerdict> judgeEpsteinPoliceWithdrawal(const std::vector<CaseRun>& runs);

}  // namespace unrest
