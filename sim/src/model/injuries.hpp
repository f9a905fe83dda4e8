// Injuries, whatever their cause: the person becomes a fixed obstacle (HFV 2000), the event is recorded, and those
// who see it are frightened.
#pragma once

#include "../step_context.hpp"
#include "fear.hpp"

namespace unrest {

// Records an injury of person i that has already happened (their state is Injured): event, total, fear.
void recordInjury(const StepContext& ctx, std::size_t i, InjuryCause cause, double value, const Population& a,
                  FearState& fear, Outcomes& out);
// Injures person i: they stop, drop what they were doing, and the injury is recorded.
void injure(const StepContext& ctx, std::size_t i, InjuryCause cause, double value, Population& a, FearState& fear,
            Outcomes& out);

}  // namespace unrest
