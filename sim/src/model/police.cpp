#include "police.hpp"

#include "civil_violence.hpp"

#include <algorithm>
#include <cmath>

namespace unrest {

bool onDuty(const StepContext& ctx, const TimelineState& timeline, const Population& a, std::size_t i) {
  const PopulationDef& pop = ctx.scenario.populations[a.group[i]];
  if (pop.role == Role::Police) {
    const double rank = ctx.rng.uniform(0, personSubject(a, i), RandomPurpose::DutyRank);
    if (rank >= timeline.policePresence) return false;
  }
  if (pop.dutyHours) {
    const double tod = std::fmod(ctx.scenario.clock.startTimeOfDay + ctx.time(), 86400.0);
    const bool inShift = pop.dutyFrom <= pop.dutyTo ? (tod >= pop.dutyFrom && tod < pop.dutyTo)
                                                    : (tod >= pop.dutyFrom || tod < pop.dutyTo);
    if (!inShift) return false;
  }
  return true;
}

void changeShifts(const StepContext& ctx, const TimelineState& timeline, Population& a, std::vector<std::int32_t>& returning) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto state = static_cast<AgentState>(a.state[i]);
    if (state == AgentState::Jailed) {
      if (a.jailTerm[i] <= 0.0f) returning.push_back(static_cast<std::int32_t>(i));
      continue;
    }
    const PopulationDef& pop = ctx.scenario.populations[a.group[i]];
    if (pop.role == Role::Civilian && !pop.dutyHours) continue;
    const bool duty = onDuty(ctx, timeline, a, i);
    if (state == AgentState::Away && duty) returning.push_back(static_cast<std::int32_t>(i));
    if (walkingOrArrived(a.state[i]) && !duty && a.errand[i] != std::uint8_t(Errand::GoHome)) sendHome(ctx, a, i);
  }
}

namespace {

// A uniformly random choice that does not depend on the order people are visited in: the active civilian with the
// smallest hash of (step, officer, person).
std::optional<std::size_t> randomActiveInVision(const StepContext& ctx, const NeighbourIndex& nbr, const Population& a,
                                                const std::vector<std::uint8_t>& seenActivity, std::size_t i, double radius) {
  std::optional<std::size_t> best;
  std::uint64_t bestKey = ~std::uint64_t(0);
  nbr.forEachNear(Vec2(a.x[i], a.y[i]), radius, [&](const NeighbourSlot& o) {
    if (a.role[o.index] != std::uint8_t(Role::Civilian) || !isActive(seenActivity[o.index])) return;
    const std::uint64_t key =
        ctx.rng.bits(std::uint64_t(ctx.step), (std::uint64_t(a.id[i]) << 32) | a.id[o.index], RandomPurpose::ArrestChoice);
    if (key < bestKey) {
      bestKey = key;
      best = o.index;
    }
  });
  return best;
}

// A pursuit is given up when the person pursued is this many vision radii away.
constexpr double kPursuitReach = 1.5;  // assumption

}  // namespace

void decideOfficer(const StepContext& ctx, const NeighbourIndex& nbr, const IdIndex& ids, const Plans& plans,
                   const std::vector<std::uint8_t>& seenActivity, std::int64_t decisionEvery, Population& a, std::size_t i) {
  const auto errand = static_cast<Errand>(a.errand[i]);
  if (errand == Errand::GoHome) return;
  const double vision = ctx.scenario.civilViolence.vision;
  if (errand == Errand::Pursue) {
    const std::int64_t j = ids(a.quarry[i]);
    const bool stillThere = j >= 0 && isActive(seenActivity[j]) &&
                            (Vec2(a.x[j] - a.x[i], a.y[j] - a.y[i])).norm() <= kPursuitReach * vision;
    if (stillThere) {
      a.goalX[i] = static_cast<float>(a.x[j]);
      a.goalY[i] = static_cast<float>(a.y[j]);
      return;
    }
    resumePlan(ctx, plans, a, i);  // lost them: back to the post or the patrol
  }
  if (!decidesThisStep(ctx, decisionEvery, a.id[i])) return;
  const auto j = randomActiveInVision(ctx, nbr, a, seenActivity, i, vision);
  if (!j) return;
  a.errand[i] = static_cast<std::uint8_t>(Errand::Pursue);
  a.quarry[i] = a.id[*j];
  a.goalX[i] = static_cast<float>(a.x[*j]);
  a.goalY[i] = static_cast<float>(a.y[*j]);
}

void makeArrests(const StepContext& ctx, const IdIndex& ids, const Plans& plans, PoliceState& police, Population& a,
                 Outcomes& out) {
  const auto n = static_cast<std::int64_t>(a.size());
  auto& proposals = police.proposals;
  proposals.clear();
  for (std::int64_t i = 0; i < n; ++i) {
    if (a.errand[i] != std::uint8_t(Errand::Pursue) || !walkingOrArrived(a.state[i])) continue;
    const std::int64_t j = ids(a.quarry[i]);
    if (j < 0 || !walkingOrArrived(a.state[j])) continue;
    const double gap = Vec2(a.x[j] - a.x[i], a.y[j] - a.y[i]).norm() - a.radius[i] - a.radius[j];
    if (gap <= ctx.scenario.police.arrestRange) proposals.push_back({a.id[j], a.id[i]});
  }
  std::sort(proposals.begin(), proposals.end(), [](const ArrestProposal& l, const ArrestProposal& r) {
    return l.target != r.target ? l.target < r.target : l.officer < r.officer;
  });
  for (std::size_t k = 0; k < proposals.size(); ++k) {
    const auto officer = static_cast<std::size_t>(ids(proposals[k].officer));
    resumePlan(ctx, plans, a, officer);
    if (k > 0 && proposals[k].target == proposals[k - 1].target) continue;
    const auto j = static_cast<std::size_t>(ids(proposals[k].target));
    const double maxTerm = ctx.scenario.civilViolence.maxJailTerm;  // infinite: nobody is released
    const double term = std::isinf(maxTerm)
                            ? maxTerm
                            : maxTerm * ctx.rng.uniform(0, a.id[j], RandomPurpose::JailTerm, std::uint64_t(out.tally.arrests));
    a.state[j] = static_cast<std::uint8_t>(AgentState::Jailed);
    a.activity[j] = static_cast<std::uint8_t>(Activity::Quiet);
    a.errand[j] = static_cast<std::uint8_t>(Errand::None);
    a.vx[j] = a.vy[j] = 0.0;
    a.fear[j] = 0.0f;
    a.jailTerm[j] = static_cast<float>(term);
    ++out.tally.arrests;
    out.events.push_back({ctx.time() + ctx.dt, EventType::Arrest, a.id[j], a.group[j], Vec2(a.x[j], a.y[j]), term, int(a.id[officer])});
  }
}

}  // namespace unrest
