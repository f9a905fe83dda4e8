// The civil-violence suite: Epstein's (2002) reference runs on his lattice (Run 2; Runs 3-4, paired; the police
// withdrawal). The cases themselves live in the simulation library (sim/include/unrest/civil_violence_cases.hpp), where
// the tests call them too; here each becomes a validate case whose runs are the case's seeds.
#include "unrest/civil_violence_cases.hpp"
#include "validation/validation.hpp"

namespace unrest::validation {
namespace {

Case fromLattice(const CivilViolenceCase& cv) {
  Case c;
  c.name = cv.name;
  c.suite = "civil-violence";
  c.title = cv.title;
  c.source = "J. M. Epstein, PNAS 99 suppl. 3 (2002); docs/validation-spec.md";
  c.runs = {{"lattice", cv.scenarios.front(), {}, 0.0}};
  c.seeds = 20;
  c.quickSeeds = 2;
  c.runCustom = [&cv](const RunSpec&, std::uint64_t seed, const std::vector<std::string>& overrides, const std::string& dir) {
    Metrics m;
    for (const auto& [name, value] : cv.run(dir, seed, overrides).figures) m[name] = value;
    return m;
  };
  c.judge = [&cv](const CaseData& data, std::vector<Check>& checks) {
    std::vector<CaseRun> runs;
    for (std::size_t k = 0; k < data.metrics[0].size(); ++k) {
      CaseRun run;
      run.seed = k + 1;
      for (const auto& [name, value] : data.metrics[0][k]) run.figures.emplace_back(name, value);
      runs.push_back(std::move(run));
    }
    for (const CaseVerdict& v : cv.judge(runs)) {
      Check check = v.gated || v.judged
                        ? Check::condition(v.figure, v.expected, Stats{}, v.pass, v.gated ? Gate::Gated : Gate::Soft)
                        : Check::report(v.figure, Stats{});
      check.measuredText = v.got;
      checks.push_back(std::move(check));
    }
  };
  return c;
}

struct RegisterAll {
  RegisterAll() {
    for (const CivilViolenceCase& cv : civilViolenceCases()) registerCase(fromLattice(cv));
  }
};
const RegisterAll registered;

}  // namespace
}  // namespace unrest::validation
