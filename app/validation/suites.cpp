// The suites `unrest validate` knows. A suite is declared here even before it has cases, so that asking for it
// says "no cases yet" instead of passing; cases join a suite by naming it (Case::suite).
#include "validation/validation.hpp"

namespace unrest::validation {
namespace {
const Registrar pedestrian(Suite{"pedestrian", "pedestrian dynamics: RiMEA tests, door flows, Helbing-Farkas-Vicsek 2000"});
const Registrar civilViolence(Suite{"civil-violence", "Epstein 2002: punctuated equilibrium, legitimacy, police withdrawal"});
const Registrar article(Suite{"article", "the events of October 2020 in Bishkek as reported"});
}  // namespace
}  // namespace unrest::validation
