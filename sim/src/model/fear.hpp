// Fear: shots and injuries frighten the people near them, fear spreads between neighbours (ASCRIBE: Bosse,
// Hoogendoorn, Klein, Treur, van der Wal, Wissen 2013) and decays; above a threshold people flee, away from the
// threat along the streets (up the geodesic distance from a shot), faster and following others (Helbing, Farkas,
// Vicsek 2000).
#pragma once

#include "../step_context.hpp"
#include "civil_violence.hpp"

#include <vector>

namespace unrest {

struct Threat {
  Vec2 position{0, 0};
  double time = 0.0;
  double radius = 0.0;    // people within it are frightened at once
  double strength = 0.0;  // fear at the threat's position
  std::optional<std::size_t> flightField;  // where people run from it, for shots
};

struct FlightField {
  Grid grid;
  std::vector<float> distance;  // geodesic distance from the threat, m
};

struct FearState {
  std::vector<Threat> threats;
  std::size_t firstNew = 0;  // threats from here on frighten people at this step's decide
  std::vector<FlightField> flightFields;
  bool anyThreat() const { return !threats.empty(); }
};

// How long a threat still sets the direction of flight.
constexpr double kThreatMemory = 300.0;  // s; assumption: a few minutes, the span of a stampede

// Someone hurt frightens those who see it (fear.injury_fear within fear.injury_radius).
void noteInjury(const StepContext& ctx, FearState& fear, const Vec2& at);
// Person i's fear after this step: new threats, contagion from the perception cells around, decay.
void updateFear(const StepContext& ctx, const FearState& fear, const PerceptionGrid& seen, Population& a, std::size_t i);
// Which way person i at p runs.
Vec2 fleeDirection(const StepContext& ctx, const FearState& fear, const Population& a, std::size_t i, const Vec2& p);
// The flight field of a shot at `at`: the geodesic distance from it over the streets within fear.safe_distance;
// none when no street is near.
std::optional<FlightField> flightFieldFrom(const StepContext& ctx, const Vec2& at);
// Where a shot of the timeline is fired from, and the flight field and threat it leaves. Returns the position.
Vec2 fireShot(const StepContext& ctx, const TimelineEventDef& e, const std::vector<VehicleState>& vehicles,
              const Population& a, FearState& fear);

}  // namespace unrest
