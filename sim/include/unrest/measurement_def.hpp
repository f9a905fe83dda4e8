// What a scenario asks to be measured (the `measurement:` section), as plain validated data. The measuring itself
// is in measurement.hpp; a scenario without this section measures nothing and pays nothing.
#pragma once

#include "unrest/geometry.hpp"

#include <string>
#include <vector>

namespace unrest {

// A measurement area: density and mean speed of the people inside, sampled every `MeasurementDef::interval`.
struct MeasurementAreaDef {
  Shape shape;  // rect or convex polygon (the Voronoi method clips cells against it)
};

// A counting line: every crossing of the segment from -> to is recorded with its time and sign; a crossing
// counts +1 when the move has a positive component along `direction`, -1 otherwise.
struct CountingLineDef {
  std::string name;
  Vec2 from{0, 0}, to{0, 0};
  Vec2 direction{1, 0};  // unit
  Location where;
};

struct MeasurementDef {
  double interval = 0.1;  // s between samples of the areas
  std::vector<MeasurementAreaDef> areas;
  // Voronoi density and speed (Steffen & Seyfried 2010) besides the classical ones; cells are cut off at this
  // radius around each person (0: off).
  double voronoiCutOff = 0.0;  // m
  std::vector<CountingLineDef> lines;
  bool people = false;  // people.csv: per person spawn, arrival and exit times, peak contact pressure, injury time
  double trajectoryInterval = 0.0;  // s between frames of trajectories.txt (PedPy's text format); 0: none

  bool any() const { return !areas.empty() || !lines.empty() || people || trajectoryInterval > 0.0; }
};

}  // namespace unrest
