// `unrest sweep`: its command-line options and its entry point (the sweep itself is in sweep/).
#pragma once

#include "unrest/sweep_command.hpp"

#include <CLI/CLI.hpp>

namespace unrest::app {

CLI::App* addSweepCommand(CLI::App& app, SweepOptions& options);
int runSweepCommand(const SweepOptions& options);  // with Ctrl-C and SIGTERM stopping it cleanly

}  // namespace unrest::app
