// `unrest run` and `unrest check` for scenarios with movement: lattice (Epstein's civil-violence world).
#pragma once

#include "unrest/scenario.hpp"

#include <atomic>
#include <string>

namespace unrest::cli {

// Runs to the end or until `stop` is set, with a progress line on stderr unless `quiet`; writes the outputs to
// `outDir` (default out/<scenario name>). Returns the exit code: 0, or 130 when stopped.
int runLattice(const Scenario& sc, const std::string& outDir, bool overwrite, bool quiet, const std::atomic<bool>& stop);
// Prints what the checked scenario will build. Returns 0.
int checkLattice(const std::string& path, const Scenario& sc);

}  // namespace unrest::cli
