#include "validate.hpp"

#include "validation/validation.hpp"

#include <filesystem>

namespace unrest {

namespace {
validation::Options& options() {
  static validation::Options opt;
  return opt;
}
}  // namespace

CLI::App* addValidateCommand(CLI::App& app) {
  validation::Options& opt = options();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Run the reference cases from the literature over seeds: table, validation.csv and plots; exit 1 when a gated check fails");
  cmd->add_option("--suite", opt.suite, "pedestrian | civil-violence | article | all")->check(CLI::IsMember({"pedestrian", "civil-violence", "article", "all"}));
  cmd->add_option("cases", opt.caseNames, "Only these cases (default: all in the suite)");
  cmd->add_option("--seeds", opt.seeds, "Seeds per parameter set (default: each case's own, 10 or more)")->check(CLI::Range(1, 1000));
  cmd->add_option("--threads", opt.threads, "Runs in parallel (each run on one thread; default: all cores)")->check(CLI::Range(1, 1024));
  cmd->add_option("--out", opt.out, "Output directory for validation.csv and the plots (default: out/validation)");
  cmd->add_flag("--quick", opt.quick, "The fast subset ctest runs: fewer seeds, shorter cases");
  cmd->add_option("--source", opt.sourceDir, "Repository root holding scenarios/ (default: the one this program was built from)");
  return cmd;
}

int runValidateCommand() {
  validation::Options& opt = options();
  if (opt.sourceDir.empty()) opt.sourceDir = UNREST_SOURCE_DIR;
  if (!std::filesystem::exists(std::filesystem::path(opt.sourceDir) / "scenarios"))
    throw std::runtime_error(opt.sourceDir + ": no scenarios/ folder here (expected the repository root; use --source)");
  return validation::runValidation(opt);
}

}  // namespace unrest
