// Vehicles: cars and armoured vehicles that drive a route (edging through a crowd) or stand parked. To people they
// are oriented rectangles that push like walls, keep people a metre or two away, and make those in their path
// step aside.
#pragma once

#include "../neighbours.hpp"
#include "../step_context.hpp"
#include "unrest/forces.hpp"

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

// Departures and arrivals along the routes; each moving vehicle's speed from the gap ahead of it.
void moveVehicles(const StepContext& ctx, const NeighbourIndex& nbr, const Population& a, std::vector<VehicleState>& vehicles,
                  std::vector<Event>& events);
bool anyVehiclePresent(const std::vector<VehicleState>& vehicles);
// Whether a body of radius r at p would touch a vehicle on the map.
bool touchesVehicle(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p, double r);
// The velocity v of a body of radius r at p without the part of it, relative to the vehicle's own motion, that goes
// into a vehicle within `margin` of it: for a walker of a velocity model, which sees people and walls but not
// vehicles, so that they do not walk into one (the vehicle's forces alone, applied for one step, would not stop them).
Vec2 velocityOutOfVehicles(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p, double r,
                           double margin, Vec2 v);
// Move: the vehicles' body, friction and social forces on a person at p, and the push aside of those in the path.
void addVehicleForces(const Scenario& sc, const std::vector<VehicleState>& vehicles, const Vec2& p, const Vec2& v,
                      double r, const ForceParams& walls, ForceAccumulator& acc);

}  // namespace unrest
