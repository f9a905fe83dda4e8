// Readers of the scenario sections beyond the pedestrian core, each in the file of its mechanism, called in turn
// by scenarioFromYaml. Each reports its problems to the checker and fills its part of the scenario.
#pragma once

#include "unrest/scenario.hpp"
#include "unrest/yaml_reader.hpp"

namespace unrest {

// The `measurement:` section (scenario_measurement.cpp).
void readMeasurement(Checker& checker, MapReader& root, Scenario& sc);
// `map.periodic` (needs map.bounds and map.cell_size read first) and a population's `direction:`; the latter returns
// true when the population walks a fixed heading instead of to a destination.
void readPeriodic(Checker& checker, MapReader& map, Scenario& sc);
bool readHeading(Checker& checker, MapReader& population, PopulationDef& pop);

void readCivilViolence(Checker& checker, MapReader& root, Scenario& sc);
// `factions:` comes before the populations, which refer to them.
void readFactions(Checker& checker, MapReader& root, Scenario& sc);
// The unrest keys of one population (role, faction, leader, home, patrol, duty hours, own distributions).
void readPopulationModel(Checker& checker, MapReader& population, PopulationDef& pop, const Scenario& sc);
// brawl, police, army, vehicles, shops, looting, fear.
void readModelSections(Checker& checker, MapReader& root, Scenario& sc);
// After the timeline: deploy times, checkpoint garrisons (a zone and a population each), cross-checks.
void resolveModel(Checker& checker, Scenario& sc);
// The index of the zone a scalar names, or -1 with an error listing the zones.
int readZoneRef(Checker& checker, const YamlNode& node, const std::string& path, const Scenario& sc);
// Needs the clock (times of day are converted to seconds after the start).
void readTimeline(Checker& checker, MapReader& root, Scenario& sc);

// Epstein's lattice world (movement: lattice): the lattice: section, the checks that tie it to civil_violence: and
// events:, and a clear error for each section of the city a lattice scenario must not have. Runs last.
void readLattice(Checker& checker, MapReader& root, Scenario& sc);

// A time in the timeline: seconds after the start, or a time of day "HH:MM[:SS]" on or after the start clock.
std::optional<double> readEventTime(Checker& checker, const YamlNode& node, const std::string& path, const Scenario& sc);

}  // namespace unrest
