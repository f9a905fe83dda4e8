// Vehicles: cars and armoured vehicles that drive a route (edging through a crowd) or stand parked. To people they
// are oriented rectangles that push like walls, keep people a metre or two away, and make those in their path
// step aside.
#pragma once

#include "../neighbours.hpp"
#include "../step_context.hpp"
#include "unrest/forces.hpp"

#include <optional>
#include <vector>

namespace unrest {

// A driver in a crowd edges forward: full speed with this much clear ahead of the bumper, a walking pace when
// someone is close, stopped only with someone right at the bumper (people step aside from a car, see the forces).
constexpr double kDriverClearance = 5.0;  // m; assumption
constexpr double kDriverCreepSpeed = 0.5;  // m/s; assumption: a walking pace
// People in a moving vehicle's path step aside towards the nearer kerb of its path rather than walk on ahead of
// its bumper (the evasive, sideways reaction of pedestrians to a car in shared-space social-force models, e.g.
// Anvari, Bell, Sivakumar, Ochieng 2015): strongest right at the bumper, felt this far ahead, decaying over
// kSideStepDecay, and as strong as a walker's own drive (m v0 / tau ~ 200 N) within about a metre.
constexpr double kSideStepForce = 300.0;  // N; assumption, of the order of m v0 / tau
constexpr double kSideStepAhead = 8.0;    // m; assumption
constexpr double kSideStepDecay = 2.0;    // m; assumption
// The social repulsion of a vehicle: people keep a metre or two from a car, not the few centimetres they keep from a
// wall (B = 0.5 m, felt up to 3 m; an assumption, there is no measured value).
constexpr double kVehicleB = 0.5, kVehicleRange = 3.0;  // m

// A parked vehicle (a route of one point) due at `depart` takes its place once nobody on their feet is within kPlaceGap
// of its footprint (the injured there are carried aside); until then those within kDeployClearance of it step out of
// its way, walkers of the hybrid do not step into it, and those heading for a spot there stand that far from it
// (beside a parked one, kPlaceGap from it).
constexpr double kDeployClearance = 1.0;  // m; assumption: room cleared round it, a step or two
constexpr double kPlaceGap = 0.05;        // m
// People making their way round a parked vehicle keep this far (beyond their own radius) from its body.
constexpr double kDetourClearance = 0.3;  // m; assumption: room to pass beside it without brushing it

// A vehicle with a route of one point stands there: parked, or arriving to park at `depart`.
inline bool isParked(const VehicleDef& def) { return def.route.size() < 2; }
// The heading from p (a body of radius r) to `target` round the first parked vehicle across the straight way there:
// towards the next corner of the shortest way round its footprint (grown by r + kDetourClearance), a way that
// crosses neither a wall nor the line lineA-lineB (a closed barrier); nullopt when no parked vehicle is in the way or
// there is no such way round it (then the caller heads straight on). Only the first vehicle in the way is gone round.
std::optional<Vec2> detourRoundParkedVehicles(const Scenario& sc, const std::vector<VehicleState>& vehicles, const World& world,
                                              const Vec2& p, double r, const Vec2& target, const Vec2& lineA,
                                              const Vec2& lineB);
// The distance between a vehicle's body and the segment a-b (0 where they meet).
double distanceToSegment(const VehicleDef& def, const VehicleState& s, const Vec2& a, const Vec2& b);
// Where someone of radius r heading for `spot` stands instead: beside any parked vehicle (on the map or due) the spot
// lies in or next to.
Vec2 spotBesideParkedVehicles(const Scenario& sc, const std::vector<VehicleState>& vehicles, Vec2 spot, double r);
// The way out (a unit vector) for someone of radius r at p standing where a due vehicle is to park, or nullopt.
std::optional<Vec2> wayOutOfDueVehicles(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p,
                                        double r);

// Departures and arrivals along the routes; each moving vehicle's speed from the gap ahead of it; a parked vehicle due
// takes its place once it is clear, carrying aside the injured lying there.
void moveVehicles(const StepContext& ctx, const NeighbourIndex& nbr, Population& a, std::vector<VehicleState>& vehicles,
                  std::vector<Event>& events);
// Whether any vehicle is on the map or due to park on it.
bool anyVehiclePresentOrDue(const std::vector<VehicleState>& vehicles);
// Whether a body of radius r at p would touch a vehicle on the map.
bool touchesVehicle(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p, double r);
// The velocity v of a body of radius r at p without the part of it, relative to the vehicle's own motion, that goes
// into a vehicle (or the place of one due to park) within `margin` of it: for a walker of a velocity model, which
// sees people and walls but not vehicles, so that they do not walk into one (the vehicle's forces alone, applied for one step, would not stop them).
Vec2 velocityOutOfVehicles(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p, double r,
                           double margin, Vec2 v);
// Move: the vehicles' body, friction and social forces on a person at p, and the push aside of those in the path.
void addVehicleForces(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p, const Vec2& v,
                      double r, const ForceParams& walls, ForceAccumulator& acc);

}  // namespace unrest
