// The minds of the unrest model: what people see (perceive), what they decide (decide) and what they do to each
// other (interact).
//
//   perceive  counts of the forces of order, volunteers, active people by faction and fear on a coarse grid;
//   decide    per person, in parallel, writing only their own slots:
//               - fear: shots and injuries nearby, then contagion from the people around (ASCRIBE: Bosse,
//                 Hoogendoorn, Klein, Treur, van der Wal, Wissen 2013), decay; above a threshold, flight;
//               - civil violence (Epstein 2002): G = H (1 - L), P = 1 - exp(-k floor(C / A)), active when G - R P > T,
//                 where C counts police and soldiers in vision (and the garrisons of checkpoints within their
//                 deterrence radius) and A the active people in vision, oneself included;
//               - looting at night: the same rule with volunteers counted as deterrence;
//               - an active member of a faction goes for the nearest hostile active in reach;
//               - police and soldiers pick an active person in vision and pursue them;
//   interact  brawls (injury hazard per contact-second), arrests, takings from shops and checkpoint screening:
//             marks in parallel, effects committed serially in id order.
#include "unrest/civil_violence.hpp"
#include "unrest/simulation.hpp"

#include <omp.h>

#include <cmath>
#include <limits>

namespace unrest {

namespace {

bool isActive(std::uint8_t activity) {
  return activity == std::uint8_t(Activity::Active) || activity == std::uint8_t(Activity::Fighting) ||
         activity == std::uint8_t(Activity::Looting);
}

bool walkingOrArrived(std::uint8_t state) {
  return state == std::uint8_t(AgentState::Walking) || state == std::uint8_t(AgentState::Arrived);
}

constexpr std::uint8_t kMarkFighting = 1, kMarkHurt = 2;
constexpr std::uint8_t kOutOfSight = 0xff;  // in activitySnapshot_: injured or off the streets

}  // namespace

// ---------------------------------------------------------------- perceive

void Simulation::stagePerceive() {
  PerceptionGrid& g = perception_;
  if (g.grid.size() == 0 || stepIndex_ % perceptionEvery_ != 0) return;
  g.clear();
  const Population& a = agents_;
  const int factions = g.factions;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!walkingOrArrived(a.state[k])) continue;
    const auto c = g.cellOf(a.x[k], a.y[k]);
    if (g.people[c] == 0 && g.forces[c] == 0 && g.volunteers[c] == 0) g.touched.push_back(static_cast<std::uint32_t>(c));
    switch (static_cast<Role>(a.role[k])) {
      case Role::Civilian:
        ++g.people[c];
        g.fear[c] += static_cast<std::int32_t>(std::lround(1000.0 * a.fear[k]));
        if (isActive(a.activity[k])) {
          ++g.actives[c];
          if (a.faction[k] != kNoFaction) ++g.activeByFaction[c * std::size_t(factions) + a.faction[k]];
        }
        break;
      case Role::Police:
      case Role::Soldier:
        ++g.forces[c];
        break;
      case Role::Volunteer:
        ++g.volunteers[c];
        break;
    }
  }
  // What a looter weighs at each shop: the guards and the actives in sight of its floor.
  for (std::size_t s = 0; s < scenario_.shops.size(); ++s) {
    const VisionCounts seen = countInVision(shopCentre_[s], -1);
    shopGuard_[s] = double(seen.forces) + scenario_.looting.volunteerWeight * double(seen.volunteers) + checkpointDeterrence(shopCentre_[s]);
    shopActives_[s] = double(seen.actives);
  }
}

VisionCounts Simulation::countInVision(const Vec2& p, int faction) const {
  const PerceptionGrid& g = perception_;
  VisionCounts seen;
  const int ci = std::clamp(g.grid.cellX(p.x()), 0, g.grid.nx - 1), cj = std::clamp(g.grid.cellY(p.y()), 0, g.grid.ny - 1);
  const std::vector<std::uint8_t>* hostile = faction >= 0 ? &scenario_.hostile[faction] : nullptr;
  for (const auto& [di, dj] : g.disc) {
    const int i = ci + di, j = cj + dj;
    if (!g.grid.inside(i, j)) continue;
    const auto c = g.grid.index(i, j);
    seen.forces += g.forces[c];
    seen.volunteers += g.volunteers[c];
    seen.actives += g.actives[c];
    if (hostile)
      for (int f = 0; f < g.factions; ++f)
        if ((*hostile)[f]) seen.hostileActives += g.activeByFaction[c * std::size_t(g.factions) + f];
  }
  return seen;
}

bool Simulation::hostileActiveAround(const Vec2& p, const std::vector<std::uint8_t>& hostile) const {
  // Anyone in contact now was near at the last count (at most a fifth of a second old), so no hostile active in
  // the perception cells around rules a brawl out without looking at anyone.
  const PerceptionGrid& g = perception_;
  const int ci = std::clamp(g.grid.cellX(p.x()), 0, g.grid.nx - 1), cj = std::clamp(g.grid.cellY(p.y()), 0, g.grid.ny - 1);
  // Reach: a contact's distance plus a metre of walking since the count.
  const int reach = static_cast<int>(std::ceil((2.0 * maxRadius_ + scenario_.brawl.contactGap + 1.0) / g.grid.h));
  for (int j = std::max(0, cj - reach); j <= std::min(g.grid.ny - 1, cj + reach); ++j)
    for (int i = std::max(0, ci - reach); i <= std::min(g.grid.nx - 1, ci + reach); ++i) {
      const std::size_t c = g.grid.index(i, j) * std::size_t(g.factions);
      for (int f = 0; f < g.factions; ++f)
        if (hostile[f] && g.activeByFaction[c + f] > 0) return true;
    }
  return false;
}

// ---------------------------------------------------------------- decide

bool Simulation::decidesThisStep(std::uint32_t id) const {
  // Everyone decides once per decision interval, at a phase of their own, so decisions are spread over the steps
  // (Epstein's agents are updated one at a time in random order, not all at once).
  const std::uint64_t phase = rng_.bits(0, id, RandomPurpose::DecisionPhase) % std::uint64_t(decisionEvery_);
  return (std::uint64_t(stepIndex_) + phase) % std::uint64_t(decisionEvery_) == 0;
}

double Simulation::legitimacyFor(int faction) const { return faction >= 0 ? factionLegitimacy_[faction] : legitimacy_; }

double Simulation::hardshipOf(std::size_t i) const {
  const PopulationDef& pop = scenario_.populations[agents_.group[i]];
  const Distribution& d = pop.hasHardship ? pop.hardship : scenario_.civilViolence.hardship;
  return d.sample(rng_.stream(0, personSubject(agents_.group[i], agents_.member[i]), RandomPurpose::Hardship));
}

double Simulation::riskAversionOf(std::size_t i) const {
  const PopulationDef& pop = scenario_.populations[agents_.group[i]];
  const Distribution& d = pop.hasRiskAversion ? pop.riskAversion : scenario_.civilViolence.riskAversion;
  return d.sample(rng_.stream(0, personSubject(agents_.group[i], agents_.member[i]), RandomPurpose::RiskAversion));
}

bool Simulation::wouldFight(std::size_t i) const {
  // Not every active member of a crowd comes to blows: only a share (brawl.propensity), fixed per person.
  return rng_.uniform(0, personSubject(agents_.group[i], agents_.member[i]), RandomPurpose::FightPropensity) <
         scenario_.brawl.propensity;
}

bool Simulation::wouldLoot(std::size_t i) const {
  // Only some would take from a shop at all (the opportunists among rioters); who they are is fixed per person.
  const PopulationDef& pop = scenario_.populations[agents_.group[i]];
  const double propensity = pop.lootPropensity >= 0 ? pop.lootPropensity : scenario_.looting.propensity;
  return rng_.uniform(0, personSubject(agents_.group[i], agents_.member[i]), RandomPurpose::LootPropensity) < propensity;
}

double Simulation::checkpointDeterrence(const Vec2& p) const {
  // A checkpoint's garrison weighs on everyone within its deterrence radius; those within vision of it already
  // count its soldiers one by one.
  double garrison = 0.0;
  for (std::size_t c = 0; c < checkpointCounts_.size(); ++c) {
    if (!checkpointCounts_[c].open) continue;
    const CheckpointDef& cp = scenario_.checkpoints[c];
    const double d = (p - checkpointGate(c)).norm();
    if (d <= cp.deterrenceRadius && d > scenario_.civilViolence.vision) garrison += double(cp.garrison);
  }
  return garrison;
}

void Simulation::stageDecide() {
  // What everyone else is doing, as of the start of the stage: decisions read others only through this copy, so
  // a person's own update never races with a neighbour's look at them. Off the streets (or injured) reads as
  // kOutOfSight, which no test of activity accepts.
  const auto people = agents_.size();
  activitySnapshot_.resize(people);
#pragma omp parallel for schedule(static) num_threads(threads_) if (people > std::size_t(kParallelMinimum))
  for (std::size_t k = 0; k < people; ++k)
    activitySnapshot_[k] = walkingOrArrived(agents_.state[k]) ? agents_.activity[k] : kOutOfSight;
  const auto n = static_cast<std::int64_t>(agents_.size());
  const bool fear = scenario_.fear.enabled && !threats_.empty();
  const bool civilViolence = scenario_.civilViolence.enabled;
#pragma omp parallel for schedule(static) num_threads(threads_) if (n > kParallelMinimum)
  for (std::int64_t k = 0; k < n; ++k) {
    const auto i = static_cast<std::size_t>(k);
    if (!walkingOrArrived(agents_.state[i])) continue;
    switch (static_cast<Role>(agents_.role[i])) {
      case Role::Civilian:
        if (fear) updateFear(i);
        decideCivilian(i);
        break;
      case Role::Police:
      case Role::Soldier:
        if (civilViolence) decideOfficer(i);
        break;
      case Role::Volunteer:
        break;
    }
  }
  firstNewThreat_ = threats_.size();
}

void Simulation::updateFear(std::size_t i) {
  Population& a = agents_;
  const FearDef& fd = scenario_.fear;
  const Vec2 p(a.x[i], a.y[i]);
  double q = a.fear[i];
  // New shots and injuries: the nearer, the more frightening.
  for (std::size_t k = firstNewThreat_; k < threats_.size(); ++k) {
    const Threat& th = threats_[k];
    const double d = (p - th.position).norm();
    if (d < th.radius) q = std::max(q, th.strength * (1.0 - d / th.radius));
  }
  // Contagion from the people around (the 3 x 3 perception cells): ASCRIBE's update
  //   q* = eta (1 - (1 - q_bar)(1 - q)) + (1 - eta) q_bar q,   dq/dt = gamma (q* - q)
  // with q_bar the mean fear of the others; eta near 1 amplifies, near 0 absorbs.
  const PerceptionGrid& g = perception_;
  const int ci = std::clamp(g.grid.cellX(p.x()), 0, g.grid.nx - 1), cj = std::clamp(g.grid.cellY(p.y()), 0, g.grid.ny - 1);
  std::int64_t others = -1, fearSum = -std::lround(1000.0 * a.fear[i]);
  for (int j = std::max(0, cj - 1); j <= std::min(g.grid.ny - 1, cj + 1); ++j)
    for (int ii = std::max(0, ci - 1); ii <= std::min(g.grid.nx - 1, ci + 1); ++ii) {
      const auto c = g.grid.index(ii, j);
      others += g.people[c];
      fearSum += g.fear[c];
    }
  if (others > 0) {
    const double qBar = std::clamp(double(fearSum) / 1000.0 / double(others), 0.0, 1.0);
    const double eta = fd.amplification;
    const double qStar = eta * (1.0 - (1.0 - qBar) * (1.0 - q)) + (1.0 - eta) * qBar * q;
    q += fd.contagionRate * (qStar - q) * dt_;
  }
  q -= fd.decay * q * dt_;
  a.fear[i] = static_cast<float>(std::clamp(q, 0.0, 1.0));
}

void Simulation::decideCivilian(std::size_t i) {
  Population& a = agents_;
  const FearDef& fd = scenario_.fear;
  auto act = static_cast<Activity>(a.activity[i]);
  if (fd.enabled) {
    if (act != Activity::Fleeing && a.fear[i] > fd.fleeThreshold) {
      // Fear overrides every plan: drop the errand and run.
      a.activity[i] = static_cast<std::uint8_t>(Activity::Fleeing);
      if (a.errand[i] != std::uint8_t(Errand::None)) resumePlan(i);
      a.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
      return;
    }
    if (act == Activity::Fleeing) {
      if (a.fear[i] >= fd.calmThreshold) return;
      a.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
      act = Activity::Quiet;
      resumePlan(i);  // back to where they were going, by the streets
    }
  }
  const CivilViolenceDef& cv = scenario_.civilViolence;
  if (!cv.enabled) return;
  const auto errand = static_cast<Errand>(a.errand[i]);
  if (errand == Errand::GoHome) return;
  if (errand == Errand::Approach) {
    // Keep after the rival between decisions, while they are still out and fighting.
    const std::int64_t j = indexOfId(static_cast<std::uint32_t>(a.target[i]));
    if (j >= 0 && isActive(activitySnapshot_[j])) {
      a.goalX[i] = static_cast<float>(a.x[j]);
      a.goalY[i] = static_cast<float>(a.y[j]);
    } else {
      resumePlan(i);
    }
  }
  if (curfew() && act == Activity::Quiet && a.errand[i] == std::uint8_t(Errand::None)) {
    sendHome(i);
    return;
  }
  if (!decidesThisStep(a.id[i])) return;

  const Vec2 p(a.x[i], a.y[i]);
  const int faction = a.faction[i] == kNoFaction ? -1 : int(a.faction[i]);
  const VisionCounts seen = countInVision(p, faction);
  const bool wasActive = isActive(a.activity[i]);
  const double actives = double(seen.actives) + (wasActive ? 0.0 : 1.0);  // A counts oneself
  const double forces = double(seen.forces) + checkpointDeterrence(p);
  const double G = grievance(hardshipOf(i), legitimacyFor(faction));
  const double R = riskAversionOf(i);
  const double P = estimatedArrestProbability(forces, actives, cv.arrestConstant, cv.arrestRatio);
  const bool active = decidesActive(G, R, P, cv.threshold);

  if (!shopStock_.empty() && wouldLoot(i)) {
    // Looting (after Davies, Fry, Wilson, Bishop 2013, where rioters pick sites by their attraction and the
    // police there): an active opportunist picks, among the shops in reach, the one where the arrest probability
    // is lowest, counting the volunteers guarding it as deterrence too, and goes only in the dark and only if
    // Epstein's rule holds against that risk. A looter re-judges the risk at each decision and is deterred by
    // guards who arrive.
    if (act == Activity::Looting) {
      if (!night() || !decidesActive(G, R, shopArrestProbability(a.target[i]), cv.threshold)) sendHome(i);
      return;
    }
    if (active && night() && a.errand[i] == std::uint8_t(Errand::None)) {
      const int shop = safestShop(p);
      if (shop >= 0 && decidesActive(G, R, shopArrestProbability(shop), cv.threshold)) {
        a.activity[i] = static_cast<std::uint8_t>(Activity::Looting);
        a.errand[i] = static_cast<std::uint8_t>(Errand::Loot);
        a.target[i] = shop;
        a.field[i] = static_cast<std::uint16_t>(world_.fieldForZone(scenario_.shops[shop].zone));
        a.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
        a.pause[i] = 0.0f;  // units taken so far
        return;
      }
    }
  }
  if (!active) {
    if (wasActive) {
      a.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
      if (a.errand[i] == std::uint8_t(Errand::Approach)) resumePlan(i);
    }
    return;
  }
  if (act != Activity::Fighting) a.activity[i] = static_cast<std::uint8_t>(Activity::Active);
  if (seen.hostileActives > 0 && a.errand[i] == std::uint8_t(Errand::None) && wouldFight(i)) {
    const std::int64_t j = nearestRivalFighter(i, scenario_.brawl.approachRadius);
    if (j >= 0) {
      a.errand[i] = static_cast<std::uint8_t>(Errand::Approach);
      a.target[i] = static_cast<std::int32_t>(a.id[j]);
      a.goalX[i] = static_cast<float>(a.x[j]);
      a.goalY[i] = static_cast<float>(a.y[j]);
    }
  }
}

void Simulation::decideOfficer(std::size_t i) {
  Population& a = agents_;
  const auto errand = static_cast<Errand>(a.errand[i]);
  if (errand == Errand::GoHome) return;
  const double vision = scenario_.civilViolence.vision;
  if (errand == Errand::Pursue) {
    const std::int64_t j = indexOfId(static_cast<std::uint32_t>(a.target[i]));
    const bool stillThere = j >= 0 && isActive(activitySnapshot_[j]) &&
                            (Vec2(a.x[j] - a.x[i], a.y[j] - a.y[i])).norm() <= 1.5 * vision;
    if (stillThere) {
      a.goalX[i] = static_cast<float>(a.x[j]);
      a.goalY[i] = static_cast<float>(a.y[j]);
      return;
    }
    resumePlan(i);  // lost them: back to the post or the patrol
  }
  if (!decidesThisStep(a.id[i])) return;
  const std::int64_t j = randomActiveInVision(i, vision);
  if (j < 0) return;
  a.errand[i] = static_cast<std::uint8_t>(Errand::Pursue);
  a.target[i] = static_cast<std::int32_t>(a.id[j]);
  a.goalX[i] = static_cast<float>(a.x[j]);
  a.goalY[i] = static_cast<float>(a.y[j]);
}

double Simulation::shopArrestProbability(int shop) const {
  const CivilViolenceDef& cv = scenario_.civilViolence;
  return estimatedArrestProbability(shopGuard_[shop], shopActives_[shop] + 1.0, cv.arrestConstant, cv.arrestRatio);
}

int Simulation::safestShop(const Vec2& p) const {
  int best = -1;
  double bestRisk = 2.0, bestDistance = 0.0;
  const Grid& g = world_.grid();
  const int ci = g.cellX(p.x()), cj = g.cellY(p.y());
  if (!g.inside(ci, cj)) return -1;
  for (std::size_t s = 0; s < scenario_.shops.size(); ++s) {
    if (shopStock_[s] <= 0.0) continue;
    // Distance along the streets (the navigation field's arrival time), not as the crow flies.
    const int field = world_.fieldForZone(scenario_.shops[s].zone);
    const double d = world_.field(field).arrival[g.index(ci, cj)];
    if (!(d <= scenario_.looting.searchRadius)) continue;
    const double risk = shopArrestProbability(static_cast<int>(s));
    if (risk < bestRisk || (risk == bestRisk && d < bestDistance)) {
      best = static_cast<int>(s);
      bestRisk = risk;
      bestDistance = d;
    }
  }
  return best;
}

std::int64_t Simulation::nearestRivalFighter(std::size_t i, double radius) const {
  const Population& a = agents_;
  const Vec2 p(a.x[i], a.y[i]);
  const auto& hostile = scenario_.hostile[a.faction[i]];
  std::int64_t best = -1;
  double bestD2 = std::numeric_limits<double>::infinity();
  std::uint32_t bestId = 0;
  forEachNear(p, radius, [&](const NeighbourSlot& o) {
    const std::uint8_t f = a.faction[o.index];
    if (f == kNoFaction || !hostile[f] || !isActive(activitySnapshot_[o.index]) || !wouldFight(o.index)) return;
    const double d2 = (Vec2(o.x, o.y) - p).squaredNorm();
    const std::uint32_t id = a.id[o.index];
    if (d2 < bestD2 || (d2 == bestD2 && id < bestId)) {
      bestD2 = d2;
      bestId = id;
      best = o.index;
    }
  });
  return best;
}

std::int64_t Simulation::randomActiveInVision(std::size_t i, double radius) const {
  // A uniformly random choice that does not depend on the order people are visited in: the active person with the
  // smallest hash of (step, officer, person).
  const Population& a = agents_;
  std::int64_t best = -1;
  std::uint64_t bestKey = ~std::uint64_t(0);
  forEachNear(Vec2(a.x[i], a.y[i]), radius, [&](const NeighbourSlot& o) {
    if (a.role[o.index] != std::uint8_t(Role::Civilian) || !isActive(activitySnapshot_[o.index]))
      return;
    const std::uint64_t key = rng_.bits(std::uint64_t(stepIndex_), (std::uint64_t(a.id[i]) << 32) | a.id[o.index], RandomPurpose::ArrestChoice);
    if (key < bestKey) {
      bestKey = key;
      best = o.index;
    }
  });
  return best;
}

Vec2 Simulation::fleeDirection(std::size_t i, const Vec2& p) const {
  // From the nearest recent threat: up the flight field of a shot (away along the streets), else straight away.
  constexpr double kThreatMemory = 300.0;  // s
  const Threat* nearest = nullptr;
  double best = std::numeric_limits<double>::infinity();
  for (const Threat& th : threats_) {
    if (time() - th.time > kThreatMemory) continue;
    const double d = (p - th.position).squaredNorm();
    if (d < best) {
      best = d;
      nearest = &th;
    }
  }
  if (!nearest) {
    const Vec2 v(agents_.vx[i], agents_.vy[i]);
    return v.squaredNorm() > 1e-6 ? Vec2(v.normalized()) : Vec2::Zero();
  }
  if (nearest->flightField >= 0) {
    const FlightField& f = flightFields_[nearest->flightField];
    const int ci = f.grid.cellX(p.x()), cj = f.grid.cellY(p.y());
    if (f.grid.inside(ci, cj) && std::isfinite(f.distance[f.grid.index(ci, cj)])) {
      const float centre = f.distance[f.grid.index(ci, cj)];
      auto at = [&](int a, int b) {
        return f.grid.inside(a, b) && std::isfinite(f.distance[f.grid.index(a, b)]) ? double(f.distance[f.grid.index(a, b)]) : double(centre);
      };
      const Vec2 uphill(at(ci + 1, cj) - at(ci - 1, cj), at(ci, cj + 1) - at(ci, cj - 1));
      if (uphill.squaredNorm() > 1e-12) return uphill.normalized();
    }
  }
  const Vec2 away = p - nearest->position;
  return away.squaredNorm() > 1e-12 ? Vec2(away.normalized()) : Vec2(1.0, 0.0);
}

// ---------------------------------------------------------------- interact

void Simulation::stageInteract() {
  Population& a = agents_;
  const auto n = static_cast<std::int64_t>(a.size());
  const double dt = dt_;

  // Brawls: every active member of a faction touching an active member of a hostile one fights, and each contact
  // carries an injury hazard; both sides judge from their own side, so the marks need no coordination.
  if (hostilities_) {
    const double reachExtra = maxRadius_ + scenario_.brawl.contactGap;
    const double rate = scenario_.brawl.injuryRate;
    std::int64_t hurt = 0;
#pragma omp parallel for schedule(static) num_threads(threads_) if (n > kParallelMinimum) reduction(+ : hurt)
    for (std::int64_t i = 0; i < n; ++i) {
      marks_[i] = 0;
      const std::uint8_t act = activitySnapshot_[i];
      if (a.faction[i] == kNoFaction || !walkingOrArrived(a.state[i]) ||
          (act != std::uint8_t(Activity::Active) && act != std::uint8_t(Activity::Fighting)) || !wouldFight(i))
        continue;
      const auto& hostile = scenario_.hostile[a.faction[i]];
      const Vec2 p(a.x[i], a.y[i]);
      if (!hostileActiveAround(p, hostile)) continue;
      const double r = a.radius[i];
      int contacts = 0;
      forEachNear(p, r + reachExtra, [&](const NeighbourSlot& o) {
        const std::uint8_t f = a.faction[o.index];
        if (f == kNoFaction || !hostile[f] || !walkingOrArrived(a.state[o.index])) return;
        const std::uint8_t other = activitySnapshot_[o.index];
        if ((other != std::uint8_t(Activity::Active) && other != std::uint8_t(Activity::Fighting)) || !wouldFight(o.index)) return;
        const double gap = (Vec2(o.x, o.y) - p).norm() - r - o.radius;
        contacts += gap <= scenario_.brawl.contactGap;
      });
      if (contacts == 0) continue;
      marks_[i] = kMarkFighting;
      if (rng_.uniform(std::uint64_t(stepIndex_), a.id[i], RandomPurpose::BrawlInjury) < 1.0 - std::exp(-rate * contacts * dt)) {
        marks_[i] |= kMarkHurt;
        ++hurt;
      }
    }
#pragma omp parallel for schedule(static) num_threads(threads_) if (n > kParallelMinimum)
    for (std::int64_t i = 0; i < n; ++i) {
      if (marks_[i] & kMarkFighting) a.activity[i] = static_cast<std::uint8_t>(Activity::Fighting);
      else if (a.activity[i] == std::uint8_t(Activity::Fighting)) a.activity[i] = static_cast<std::uint8_t>(Activity::Active);
    }
    if (!brawlSeen_) {
      for (std::int64_t i = 0; i < n && !brawlSeen_; ++i)
        if (marks_[i] & kMarkFighting) {
          brawlSeen_ = true;
          events_.push_back({time(), EventType::FirstBrawl, a.id[i], a.group[i], Vec2(a.x[i], a.y[i]), 0.0, a.faction[i]});
        }
    }
    if (hurt > 0) {
      committed_.clear();
      for (std::int64_t i = 0; i < n; ++i)
        if (marks_[i] & kMarkHurt) committed_.push_back(static_cast<std::uint32_t>(i));
      std::sort(committed_.begin(), committed_.end(), [&](std::uint32_t l, std::uint32_t r) { return a.id[l] < a.id[r]; });
      for (const std::uint32_t i : committed_) injure(i, InjuryCause::Brawl, 0.0);
    }
  }

  // Arrests: an officer within arrest range of the person pursued takes them; when several reach the same person,
  // the one with the lowest id makes the arrest. Jail terms are uniform in [0, J_max] (Epstein 2002).
  if (scenario_.civilViolence.enabled) {
    arrestProposals_.clear();
    for (std::int64_t i = 0; i < n; ++i) {
      if (a.errand[i] != std::uint8_t(Errand::Pursue) || !walkingOrArrived(a.state[i])) continue;
      const std::int64_t j = indexOfId(static_cast<std::uint32_t>(a.target[i]));
      if (j < 0 || !walkingOrArrived(a.state[j])) continue;
      const double gap = Vec2(a.x[j] - a.x[i], a.y[j] - a.y[i]).norm() - a.radius[i] - a.radius[j];
      if (gap <= scenario_.police.arrestRange) arrestProposals_.push_back({a.id[j], a.id[i]});
    }
    std::sort(arrestProposals_.begin(), arrestProposals_.end(),
              [](const Arrest& l, const Arrest& r) { return l.target != r.target ? l.target < r.target : l.officer < r.officer; });
    for (std::size_t k = 0; k < arrestProposals_.size(); ++k) {
      const auto officer = static_cast<std::size_t>(indexOfId_[arrestProposals_[k].officer]);
      resumePlan(officer);
      if (k > 0 && arrestProposals_[k].target == arrestProposals_[k - 1].target) continue;
      const auto j = static_cast<std::size_t>(indexOfId_[arrestProposals_[k].target]);
      const double maxTerm = scenario_.civilViolence.maxJailTerm;  // infinite: nobody is released
      const double term = std::isinf(maxTerm) ? maxTerm
                                              : maxTerm * rng_.uniform(0, a.id[j], RandomPurpose::JailTerm, std::uint64_t(arrests_));
      a.state[j] = static_cast<std::uint8_t>(AgentState::Jailed);
      a.activity[j] = static_cast<std::uint8_t>(Activity::Quiet);
      a.errand[j] = static_cast<std::uint8_t>(Errand::None);
      a.vx[j] = a.vy[j] = 0.0;
      a.fear[j] = 0.0f;
      a.pause[j] = static_cast<float>(term);
      ++arrests_;
      events_.push_back({time() + dt, EventType::Arrest, a.id[j], a.group[j], Vec2(a.x[j], a.y[j]), term, int(a.id[officer])});
    }
  }

  // Looting: looters inside their shop take goods at a fixed rate until they carry their load or the shop is bare;
  // takings are committed in id order, so two looters emptying a shop never depends on thread scheduling.
  if (!shopStock_.empty()) {
    committed_.clear();
    for (std::int64_t i = 0; i < n; ++i)
      if (a.errand[i] == std::uint8_t(Errand::Loot) && walkingOrArrived(a.state[i]) &&
          world_.inDestination(a.field[i], Vec2(a.x[i], a.y[i])))
        committed_.push_back(static_cast<std::uint32_t>(i));
    std::sort(committed_.begin(), committed_.end(), [&](std::uint32_t l, std::uint32_t r) { return a.id[l] < a.id[r]; });
    const LootingDef& looting = scenario_.looting;
    for (const std::uint32_t i : committed_) {
      const int shop = a.target[i];
      double& stock = shopStock_[shop];
      if (stock <= 0.0) {
        sendHome(i);
        continue;
      }
      const double take = std::min({looting.rate * dt, looting.carry - double(a.pause[i]), stock});
      if (a.pause[i] <= 0.0f) {
        ++lootingIncidents_;
        events_.push_back({time() + dt, EventType::LootingIncident, a.id[i], a.group[i], Vec2(a.x[i], a.y[i]), stock, shop});
      }
      stock -= take;
      lootingDamage_ += take;
      a.pause[i] += static_cast<float>(take);
      if (stock <= 1e-9) {
        stock = 0.0;
        events_.push_back({time() + dt, EventType::ShopEmptied, 0, -1, Vec2(a.x[i], a.y[i]), 0.0, shop});
      }
      if (double(a.pause[i]) >= looting.carry - 1e-9 || stock <= 0.0) sendHome(i);
    }
  }

  // Checkpoint screening: a token bucket of one person admits at most `throughput` people a minute; the person
  // admitted is whoever waits nearest the gate (ties by id), and only they may pass the barrier.
  for (std::size_t c = 0; c < checkpointCounts_.size(); ++c) {
    CheckpointCounts& counts = checkpointCounts_[c];
    if (!counts.open) continue;
    const CheckpointDef& cp = scenario_.checkpoints[c];
    checkpointTokens_[c] = std::min(1.0, checkpointTokens_[c] + cp.throughput / 60.0 * dt);
    const Vec2 gate = checkpointGate(c);
    std::int64_t queue = 0, candidate = -1;
    double candidateD2 = 2.5 * 2.5;
    forEachNear(gate, 20.0, [&](const NeighbourSlot& o) {
      const std::size_t i = o.index;
      if (!walkingOrArrived(a.state[i]) || a.pass[i] == c + 1 || !wantsToCross(i, c)) return;
      ++queue;
      const double d2 = (Vec2(o.x, o.y) - gate).squaredNorm();
      if (d2 < candidateD2 || (d2 == candidateD2 && candidate >= 0 && a.id[i] < a.id[candidate])) {
        candidateD2 = d2;
        candidate = static_cast<std::int64_t>(i);
      }
    });
    counts.queue = queue;
    if (candidate >= 0 && checkpointTokens_[c] >= 1.0) {
      a.pass[candidate] = static_cast<std::uint8_t>(c + 1);
      checkpointTokens_[c] -= 1.0;
      ++counts.admitted;
    }
  }
}

bool Simulation::screened(std::size_t i) const {
  const auto role = static_cast<Role>(agents_.role[i]);
  return role == Role::Civilian || role == Role::Volunteer;
}

bool Simulation::wantsToCross(std::size_t i, std::size_t c) const {
  // Someone screened by the checkpoint, near the barrier, whose way leads across it.
  if (!screened(i) || agents_.activity[i] == std::uint8_t(Activity::Fleeing)) return false;
  const CheckpointDef& cp = scenario_.checkpoints[c];
  const Vec2 p(agents_.x[i], agents_.y[i]);
  const Vec2 along = cp.barrierB - cp.barrierA;
  const double t = (p - cp.barrierA).dot(along) / along.squaredNorm();
  if (t < -0.1 || t > 1.1) return false;
  const Vec2 normal = Vec2(-along.y(), along.x()).normalized();
  const double side = (p - cp.barrierA).dot(normal);
  const Vec2 heading = world_.desiredDirection(agents_.field[i], p);
  return (side > 0 ? 1.0 : -1.0) * heading.dot(normal) < -0.2;
}

}  // namespace unrest
