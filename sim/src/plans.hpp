// Where people are heading: each population's plan now (its destination, changed by rally calls), the personal
// spots people aim for inside a zone, and the calls that put a person back on their plan or send them home.
#pragma once

#include "step_context.hpp"

#include <vector>

namespace unrest {

struct PlanNow {
  int zone = -1, field = -1;
  OnArrival onArrival = OnArrival::Stay;
};

struct Plans {
  std::vector<PlanNow> byPopulation;
  const PlanNow& of(const Population& a, std::size_t i) const { return byPopulation[a.group[i]]; }
};

// A random spot of `zone` (a few tries for one a body fits in).
Vec2 randomSpot(const StepContext& ctx, int zone, std::uint64_t step, std::uint64_t subject, RandomPurpose purpose);
// A random spot of the zone in sight of `from` that a body fits in; `from` itself when none is found.
Vec2 visibleSpot(const StepContext& ctx, const Vec2& from, int zone, std::uint32_t agentId, double radius);
int homeZoneOf(const Scenario& sc, const Population& a, std::size_t i);
// Back to the population's plan (its destination, or the patrol stop due), walking by the streets.
void resumePlan(const StepContext& ctx, const Plans& plans, Population& a, std::size_t i);
// Home by the streets (the home zone, else the spawn zone); gone on arrival.
void sendHome(const StepContext& ctx, Population& a, std::size_t i);

}  // namespace unrest
