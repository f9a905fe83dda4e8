// Everything a Simulation carries from step to step, grouped by the stage or mechanism that owns it.
#pragma once

#include "model/model.hpp"
#include "neighbours.hpp"
#include "stages/stages.hpp"
#include "step_context.hpp"

#include <vector>

namespace unrest {

struct SimulationState {
  Population agents;
  IdIndex ids;
  NeighbourIndex neighbours;
  Spawner spawner;
  ModelState model;
  Outcomes outcomes;  // this step's events, the run's totals
  RowPeaks peaks;     // since the last metrics row
  CrowdPressure crowdPressure;
  MetricsRow row;
};

}  // namespace unrest
