// `unrest validate`: registration of the subcommand on the command line (the work is in app/validation/).
#pragma once

#include <CLI/CLI.hpp>

namespace unrest {

// Adds the subcommand to `app`; returns it, so main() can tell whether it was chosen.
CLI::App* addValidateCommand(CLI::App& app);
int runValidateCommand();

}  // namespace unrest
