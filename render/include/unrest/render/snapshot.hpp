// What the viewer draws: a copy of the simulation's state taken between steps, plus the plain views of things the
// population arrays do not hold (vehicles, checkpoints) and the event feed. The simulation thread fills it; the
// drawing thread only ever reads its own copy, so a slow frame can never touch the running simulation.
#pragma once

#include "unrest/population.hpp"
#include "unrest/render/interventions.hpp"
#include "unrest/simulation.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace unrest::render {

// A vehicle as drawn: an oriented rectangle. Armoured vehicles stand at checkpoints; cars move along routes.
struct VehicleView {
  enum class Kind : std::uint8_t { Armoured, Car };
  Kind kind = Kind::Car;
  float x = 0, y = 0;      // centre, m
  float heading = 0;       // rad, 0 = east, counter-clockwise
  float length = 4.5f, width = 1.8f;  // m
};

// A checkpoint as drawn: where it is, the barrier across the road, and how many people wait to be screened.
struct CheckpointView {
  std::string name;
  float x = 0, y = 0;                  // the post, m
  float ax = 0, ay = 0, bx = 0, by = 0;  // barrier segment, m
  int queue = 0;                       // people waiting
};

// One line of the event feed.
struct FeedItem {
  double time = 0.0;  // s since start
  EventType type = EventType::Injury;
  std::string text;
};

struct Snapshot {
  std::int64_t step = -1;  // steps taken when captured; -1 before the first capture
  double time = 0.0;       // s since start
  bool finished = false;   // the run is over (ended, or stopped) and its outputs are closed
  bool paused = false;     // the simulation thread is holding
  double speed = 0.0;      // measured simulated seconds per wall second over the last second

  // People, in the simulation's array order (which changes between snapshots; `id` is stable).
  std::vector<float> x, y, vx, vy, radius, desiredSpeed, fear, pressure;
  std::vector<std::uint8_t> state, role, faction, activity, condition;
  std::vector<std::uint32_t> id;
  std::vector<std::uint16_t> group, field;
  // Person i's role, read safely: an out-of-range byte (a replay from a newer build) is shown as the last role.
  Role roleOf(std::size_t i) const { return Role(role[i] < kRoleCount ? role[i] : kRoleCount - 1); }

  MetricsRow row;  // the last recorded metrics row
  std::int64_t spawned = 0, waiting = 0;
  std::vector<std::pair<std::string, std::int64_t>> injuriesByCause;  // cumulative

  std::vector<VehicleView> vehicles;
  std::vector<CheckpointView> checkpoints;
  std::vector<FeedItem> feed;  // most recent last
  // A live run's interventions so far (pending ones last), and what became of the last thing asked for.
  std::vector<ScheduledIntervention> interventions;
  std::string interventionNote;

  std::size_t size() const { return x.size(); }
};

// Copies the simulation's state into `out`, reusing its buffers (no allocation once they have grown).
void capture(const Simulation& sim, Snapshot& out);

// How a vehicle (heading in radians) and an open checkpoint with its queue are drawn.
VehicleView vehicleView(const VehicleDef& def, double x, double y, double heading);
CheckpointView checkpointView(const CheckpointDef& def, std::int64_t queue);

// "injury (crush): #12 of west at (3.1, 4.0), 1702 N/m" and the like, for the feed.
std::string describeEvent(const Scenario& sc, const Event& e);

}  // namespace unrest::render
