// The unrest model's state, one part per mechanism (each module owns its part and the hooks the stages call).
#pragma once

#include "../plans.hpp"
#include "checkpoints.hpp"
#include "civil_violence.hpp"
#include "factions.hpp"
#include "fear.hpp"
#include "looting.hpp"
#include "police.hpp"
#include "timeline.hpp"
#include "vehicles.hpp"

#include <vector>

namespace unrest {

struct ModelState {
  bool active = false;  // anything beyond pedestrians: civil violence, forces of order, factions, fear, vehicles
  Plans plans;
  TimelineState timeline;
  Perception perception;
  std::int64_t decisionEvery = 50;  // steps between a person's civil-violence decisions
  FearState fear;
  BrawlState brawls;
  PoliceState police;
  ShopState shops;
  CheckpointState checkpoints;
  std::vector<VehicleState> vehicles;
  // What everyone was doing as the decide stage found them: what others see of them this step. Off the streets (or
  // injured) reads as kOutOfSight, which no test of activity accepts.
  std::vector<std::uint8_t> seenActivity;
  static constexpr std::uint8_t kOutOfSight = 0xff;
};

}  // namespace unrest
