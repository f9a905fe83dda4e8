#include "injuries.hpp"

namespace unrest {

void recordInjury(const StepContext& ctx, std::size_t i, InjuryCause cause, double value, const Population& a,
                  FearState& fear, Outcomes& out) {
  ++out.tally.injuries[static_cast<int>(cause)];
  const Vec2 at(a.x[i], a.y[i]);
  Event e{ctx.time() + ctx.dt, EventType::Injury, a.id[i], a.group[i], at, value};
  e.cause = cause;
  out.events.push_back(e);
  noteInjury(ctx, fear, at);
}

void injure(const StepContext& ctx, std::size_t i, InjuryCause cause, double value, Population& a, FearState& fear,
            Outcomes& out) {
  a.state[i] = static_cast<std::uint8_t>(AgentState::Injured);
  a.vx[i] = a.vy[i] = 0.0;
  a.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
  a.errand[i] = static_cast<std::uint8_t>(Errand::None);
  recordInjury(ctx, i, cause, value, a, fear, out);
}

}  // namespace unrest
