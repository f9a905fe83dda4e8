// The crush criterion for one person and one step, as the harm stage applies it to everyone (`harm` in
// docs/scenario-format.md gives the two criteria and their sources).
#pragma once

#include "unrest/scenario.hpp"

namespace unrest {

// One step of length dt at contact pressure `pressure` (N/m): updates the person's exposure (s above the injury
// threshold, drained while below it; sustained_compression only) and says whether they are injured at its end.
bool crushInjures(const HarmDef& harm, double pressure, double dt, float& exposure);

}  // namespace unrest
