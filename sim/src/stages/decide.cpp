// The decide stage: per person, in parallel, writing only their own slots (others are read through the snapshot of
// activities taken at the start of the stage):
//   - fear: shots and injuries nearby, contagion, decay; above a threshold, flight (model/fear);
//   - civil violence (Epstein 2002): G = H (1 - L), P = 1 - exp(-k floor(C / A)), active when G - R P > T, where C
//     counts police and soldiers in vision (and the garrisons of checkpoints within their deterrence radius) and A
//     the active people in vision, oneself included (model/civil_violence);
//   - looting at night: the same rule with volunteers counted as deterrence (model/looting);
//   - an active member of a faction goes for the nearest hostile active in reach (model/factions);
//   - police and soldiers pick an active person in vision and pursue them (model/police).
#include "stages.hpp"

#include "unrest/civil_violence.hpp"

#include <omp.h>

namespace unrest {

namespace {

struct CivilianDecision {
  const StepContext& ctx;
  const NeighbourIndex& nbr;
  const IdIndex& ids;
  const ModelState& model;
  Population& a;

  // Fear overrides every plan. Returns true when it settles the person's step.
  bool flight(std::size_t i, Activity& act) const {
    const FearDef& fd = ctx.scenario.fear;
    if (!fd.enabled) return false;
    if (act != Activity::Fleeing && a.fear[i] > fd.fleeThreshold) {
      a.activity[i] = static_cast<std::uint8_t>(Activity::Fleeing);
      if (a.errand[i] != std::uint8_t(Errand::None)) resumePlan(ctx, model.plans, a, i);
      a.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
      return true;
    }
    if (act == Activity::Fleeing) {
      if (a.fear[i] >= fd.calmThreshold) return true;
      a.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
      act = Activity::Quiet;
      resumePlan(ctx, model.plans, a, i);  // back to where they were going, by the streets
    }
    return false;
  }

  // Looting, for those who would: returns true when it settles the person's step.
  bool looting(std::size_t i, Activity act, bool active, double G, double R, const Vec2& p) const {
    const CivilViolenceDef& cv = ctx.scenario.civilViolence;
    const bool night = ctx.scenario.isNight(ctx.time());
    if (act == Activity::Looting) {
      // A looter re-judges the risk at each decision and is deterred by guards who arrive.
      if (!night || !decidesActive(G, R, shopArrestProbability(ctx, model.shops, a.shop[i]), cv.threshold)) sendHome(ctx, a, i);
      return true;
    }
    if (!active || !night || a.errand[i] != std::uint8_t(Errand::None)) return false;
    const auto shop = safestShop(ctx, model.shops, p);
    if (!shop || !decidesActive(G, R, shopArrestProbability(ctx, model.shops, *shop), cv.threshold)) return false;
    a.activity[i] = static_cast<std::uint8_t>(Activity::Looting);
    a.errand[i] = static_cast<std::uint8_t>(Errand::Loot);
    a.shop[i] = static_cast<std::uint16_t>(*shop);
    a.field[i] = static_cast<std::uint16_t>(ctx.world.fieldForZone(ctx.scenario.shops[*shop].zone));
    a.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
    a.carried[i] = 0.0f;
    return true;
  }

  void operator()(std::size_t i) const {
    auto act = static_cast<Activity>(a.activity[i]);
    if (flight(i, act)) return;
    const CivilViolenceDef& cv = ctx.scenario.civilViolence;
    if (!cv.enabled) return;
    const auto errand = static_cast<Errand>(a.errand[i]);
    if (errand == Errand::GoHome) return;
    const auto& seen = model.seenActivity;
    if (errand == Errand::Approach) {
      // Keep after the rival between decisions, while they are still out and fighting.
      const std::int64_t j = ids(a.quarry[i]);
      if (j >= 0 && isActive(seen[j])) {
        a.goalX[i] = static_cast<float>(a.x[j]);
        a.goalY[i] = static_cast<float>(a.y[j]);
      } else {
        resumePlan(ctx, model.plans, a, i);
      }
    }
    if (model.timeline.curfew(ctx.time()) && act == Activity::Quiet && a.errand[i] == std::uint8_t(Errand::None)) {
      sendHome(ctx, a, i);
      return;
    }
    if (!decidesThisStep(ctx, model.decisionEvery, a.id[i])) return;

    const Vec2 p(a.x[i], a.y[i]);
    const int faction = a.faction[i] == kNoFaction ? -1 : int(a.faction[i]);
    const VisionCounts inSight = countInVision(ctx.scenario, model.perception.grid, p, faction);
    const bool wasActive = isActive(a.activity[i]);
    const double actives = double(inSight.actives) + (wasActive ? 0.0 : 1.0);  // A counts oneself
    const double forces = double(inSight.forces) + checkpointDeterrence(ctx, model.checkpoints, p);
    const double G = grievance(hardshipOf(ctx, a, i), model.timeline.legitimacyFor(faction));
    const double R = riskAversionOf(ctx, a, i);
    const double P = estimatedArrestProbability(forces, actives, cv.arrestConstant, cv.arrestRatio);
    const bool active = decidesActive(G, R, P, cv.threshold);

    if (model.shops.any() && wouldLoot(ctx, a, i) && looting(i, act, active, G, R, p)) return;
    if (!active) {
      if (wasActive) {
        a.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
        if (a.errand[i] == std::uint8_t(Errand::Approach)) resumePlan(ctx, model.plans, a, i);
      }
      return;
    }
    if (act != Activity::Fighting) a.activity[i] = static_cast<std::uint8_t>(Activity::Active);
    if (inSight.hostileActives > 0 && a.errand[i] == std::uint8_t(Errand::None) && wouldFight(ctx, a, i)) {
      if (const auto j = nearestRivalFighter(ctx, nbr, a, seen, i, ctx.scenario.brawl.approachRadius)) {
        a.errand[i] = static_cast<std::uint8_t>(Errand::Approach);
        a.quarry[i] = a.id[*j];
        a.goalX[i] = static_cast<float>(a.x[*j]);
        a.goalY[i] = static_cast<float>(a.y[*j]);
      }
    }
  }
};

}  // namespace

void runDecide(const StepContext& ctx, const NeighbourIndex& nbr, const IdIndex& ids, ModelState& model, Population& a) {
  const auto n = static_cast<std::int64_t>(a.size());
  auto& seen = model.seenActivity;
  seen.resize(a.size());
#pragma omp parallel for schedule(dynamic, kCheapChunk) num_threads(ctx.threads) if (ctx.parallel(n))
  for (std::int64_t k = 0; k < n; ++k) seen[k] = walkingOrArrived(a.state[k]) ? a.activity[k] : ModelState::kOutOfSight;
  const bool fear = ctx.scenario.fear.enabled && model.fear.anyThreat();
  const bool civilViolence = ctx.scenario.civilViolence.enabled;
  const CivilianDecision decideCivilian{ctx, nbr, ids, model, a};
#pragma omp parallel for schedule(dynamic, kCheapChunk) num_threads(ctx.threads) if (ctx.parallel(n))
  for (std::int64_t k = 0; k < n; ++k) {
    const auto i = static_cast<std::size_t>(k);
    if (!walkingOrArrived(a.state[i])) continue;
    switch (static_cast<Role>(a.role[i])) {
      case Role::Civilian:
        if (fear) updateFear(ctx, model.fear, model.perception.grid, a, i);
        decideCivilian(i);
        break;
      case Role::Police:
      case Role::Soldier:
        if (civilViolence) decideOfficer(ctx, nbr, ids, model.plans, seen, model.decisionEvery, a, i);
        break;
      case Role::Volunteer:
        break;
    }
  }
  model.fear.firstNew = model.fear.threats.size();
}

}  // namespace unrest
