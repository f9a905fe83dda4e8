// The timeline stage: the scenario's scheduled events, applied at the start of a step, and the vehicles on their
// routes. All of it runs serially, so whatever it changes is settled before the parallel stages read it.
#include "stages.hpp"

#include "../model/injuries.hpp"

#include <algorithm>

namespace unrest {

namespace {

// Those struck by a shot with `count` hits are the civilians nearest the line of fire, within this distance.
constexpr double kLineOfFire = 15.0;  // m; assumption

void hitNearest(const StepContext& ctx, const TimelineEventDef& e, const Vec2& at, const IdIndex& ids, ModelState& model,
                Population& a, Outcomes& out) {
  std::vector<std::pair<double, std::uint32_t>> near;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a.role[i] != std::uint8_t(Role::Civilian) || !walkingOrArrived(a.state[i])) continue;
    const double d = (Vec2(a.x[i], a.y[i]) - at).norm();
    if (d <= kLineOfFire) near.emplace_back(d, a.id[i]);
  }
  std::sort(near.begin(), near.end());
  for (std::size_t k = 0; k < near.size() && std::int64_t(k) < e.count; ++k)
    injure(ctx, static_cast<std::size_t>(ids(near[k].second)), InjuryCause::Gunshot, near[k].first, a, model.fear, out);
}

void callRally(const StepContext& ctx, const TimelineEventDef& e, ModelState& model, Population& a) {
  const Scenario& sc = ctx.scenario;
  const int field = ctx.world.fieldForZone(e.zone);
  for (std::size_t p = 0; p < sc.populations.size(); ++p) {
    const bool called = int(p) == e.population || (e.faction >= 0 && sc.populations[p].faction == e.faction);
    if (called && sc.populations[p].patrol.empty()) model.plans.byPopulation[p] = {e.zone, field, e.onArrival};
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const PlanNow& plan = model.plans.of(a, i);
    if (plan.zone == e.zone && a.field[i] != field && walkingOrArrived(a.state[i]) && a.errand[i] == std::uint8_t(Errand::None))
      resumePlan(ctx, model.plans, a, i);
  }
}

}  // namespace

void runTimeline(const StepContext& ctx, const NeighbourIndex& nbr, const IdIndex& ids, ModelState& model,
                 Population& a, Outcomes& out) {
  const Scenario& sc = ctx.scenario;
  const double t = ctx.time();
  TimelineState& tl = model.timeline;
  tl.legitimacy = sc.legitimacyAt(-1, t);
  for (std::size_t f = 0; f < sc.factions.size(); ++f)
    tl.factionLegitimacy[f] = sc.factions[f].legitimacy ? sc.legitimacyAt(int(f), t) : tl.legitimacy;
  tl.policePresence = scheduledValue(sc.events, EventKind::PolicePresence, -1, 1.0, t);
  if (tl.curfewUntil && t + 1e-9 >= *tl.curfewUntil) {
    tl.curfewUntil.reset();
    out.events.push_back({t, EventType::CurfewEnd});
  }
  for (; tl.nextEvent < sc.events.size() && sc.events[tl.nextEvent].time <= t + 1e-9; ++tl.nextEvent) {
    const TimelineEventDef& e = sc.events[tl.nextEvent];
    switch (e.kind) {
      case EventKind::Legitimacy:
        out.events.push_back({t, EventType::Legitimacy, 0, -1, Vec2::Zero(), e.value, e.faction});
        break;
      case EventKind::PolicePresence:
        out.events.push_back({t, EventType::PolicePresence, 0, -1, Vec2::Zero(), e.value});
        break;
      case EventKind::Gunshot: {
        const Vec2 at = fireShot(ctx, e, model.vehicles, a, model.fear);
        out.events.push_back({t, EventType::Gunshot, 0, e.population, at, double(e.count), e.vehicle});
        if (e.count > 0) hitNearest(ctx, e, at, ids, model, a, out);
        break;
      }
      case EventKind::Deploy:
        deployCheckpoints(model.checkpoints);
        out.events.push_back({t, EventType::Deploy, 0, -1, Vec2::Zero(), double(model.checkpoints.counts.size())});
        break;
      case EventKind::Curfew:
        tl.curfewUntil = tl.curfewUntil ? std::max(*tl.curfewUntil, e.until) : e.until;
        out.events.push_back({t, EventType::CurfewStart, 0, -1, Vec2::Zero(), e.until});
        break;
      case EventKind::RallyCall:
        callRally(ctx, e, model, a);
        out.events.push_back({t, EventType::RallyCall, 0, e.population, Vec2::Zero(), 0.0, e.faction >= 0 ? e.faction : e.zone});
        break;
      case EventKind::Arrival:
        break;  // the population's spawning takes it from here
      case EventKind::Checkpoint:
        setCheckpointBarrier(model.checkpoints, std::size_t(e.checkpoint), e.value > 0);
        out.events.push_back({t, EventType::Checkpoint, 0, -1, Vec2::Zero(), e.value, e.checkpoint});
        break;
    }
  }
  // Before anyone spawns, so nobody appears inside a vehicle that arrives now.
  moveVehicles(ctx, nbr, a, model.vehicles, out.events);
}

}  // namespace unrest
