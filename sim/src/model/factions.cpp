#include "factions.hpp"

#include "injuries.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace unrest {

namespace {

constexpr std::uint8_t kMarkFighting = 1, kMarkHurt = 2;

bool fightingMood(std::uint8_t activity) {
  return activity == std::uint8_t(Activity::Active) || activity == std::uint8_t(Activity::Fighting);
}

// Anyone in contact now was near at the last count (at most a perception interval old), so no hostile active in the
// perception cells around rules a brawl out without looking at anyone.
bool hostileActiveAround(const Scenario& sc, const PerceptionGrid& g, double maxRadius, const Vec2& p,
                         const std::vector<std::uint8_t>& hostile) {
  const int ci = std::clamp(g.grid.cellX(p.x()), 0, g.grid.nx - 1), cj = std::clamp(g.grid.cellY(p.y()), 0, g.grid.ny - 1);
  // Reach: a contact's distance plus a metre of walking since the count.
  constexpr double kWalkSinceCount = 1.0;  // m
  const int reach = static_cast<int>(std::ceil((2.0 * maxRadius + sc.brawl.contactGap + kWalkSinceCount) / g.grid.h));
  for (int j = std::max(0, cj - reach); j <= std::min(g.grid.ny - 1, cj + reach); ++j)
    for (int i = std::max(0, ci - reach); i <= std::min(g.grid.nx - 1, ci + reach); ++i) {
      const std::size_t c = g.grid.index(i, j) * std::size_t(g.factions);
      for (int f = 0; f < g.factions; ++f)
        if (hostile[f] && g.activeByFaction[c + f] > 0) return true;
    }
  return false;
}

}  // namespace

void setUpBrawls(const Scenario& sc, double maxRadius, std::size_t people, BrawlState& brawls) {
  for (const auto& row : sc.hostile)
    for (auto h : row) brawls.hostilities = brawls.hostilities || (h && sc.civilViolence.enabled);
  brawls.maxRadius = maxRadius;
  brawls.reachExtra = maxRadius + sc.brawl.contactGap;
  brawls.marks.reserve(people);
  brawls.hurt.reserve(256);
}

bool wouldFight(const StepContext& ctx, const Population& a, std::size_t i) {
  return ctx.rng.uniform(0, personSubject(a, i), RandomPurpose::FightPropensity) < ctx.scenario.brawl.propensity;
}

std::optional<std::size_t> nearestRivalFighter(const StepContext& ctx, const NeighbourIndex& nbr, const Population& a,
                                               const std::vector<std::uint8_t>& seenActivity, std::size_t i, double radius) {
  const Vec2 p(a.x[i], a.y[i]);
  const auto& hostile = ctx.scenario.hostile[a.faction[i]];
  std::optional<std::size_t> best;
  double bestD2 = std::numeric_limits<double>::infinity();
  std::uint32_t bestId = 0;
  nbr.forEachNear(p, radius, [&](const NeighbourSlot& o) {
    const std::uint8_t f = a.faction[o.index];
    if (f == kNoFaction || !hostile[f] || !isActive(seenActivity[o.index]) || !wouldFight(ctx, a, o.index)) return;
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

void brawl(const StepContext& ctx, const NeighbourIndex& nbr, const PerceptionGrid& seen,
           const std::vector<std::uint8_t>& seenActivity, BrawlState& brawls, FearState& fear, Population& a, Outcomes& out) {
  const auto n = static_cast<std::int64_t>(a.size());
  const double rate = ctx.scenario.brawl.injuryRate, contactGap = ctx.scenario.brawl.contactGap;
  std::vector<std::uint8_t>& marks = brawls.marks;
  marks.resize(a.size());
  std::int64_t hurt = 0;
  // Both sides judge from their own side, so the marks need no coordination.
#pragma omp parallel for schedule(dynamic, kCheapChunk) num_threads(ctx.threads) if (ctx.parallel(n)) reduction(+ : hurt)
  for (std::int64_t i = 0; i < n; ++i) {
    marks[i] = 0;
    if (a.faction[i] == kNoFaction || !walkingOrArrived(a.state[i]) || !fightingMood(seenActivity[i]) || !wouldFight(ctx, a, i))
      continue;
    const auto& hostile = ctx.scenario.hostile[a.faction[i]];
    const Vec2 p(a.x[i], a.y[i]);
    if (!hostileActiveAround(ctx.scenario, seen, brawls.maxRadius, p, hostile)) continue;
    const double r = a.radius[i];
    int contacts = 0;
    nbr.forEachNear(p, r + brawls.reachExtra, [&](const NeighbourSlot& o) {
      const std::uint8_t f = a.faction[o.index];
      if (f == kNoFaction || !hostile[f] || !walkingOrArrived(a.state[o.index])) return;
      if (!fightingMood(seenActivity[o.index]) || !wouldFight(ctx, a, o.index)) return;
      const double gap = (Vec2(o.x, o.y) - p).norm() - r - o.radius;
      contacts += gap <= contactGap;
    });
    if (contacts == 0) continue;
    marks[i] = kMarkFighting;
    if (ctx.rng.uniform(std::uint64_t(ctx.step), a.id[i], RandomPurpose::BrawlInjury) < 1.0 - std::exp(-rate * contacts * ctx.dt)) {
      marks[i] |= kMarkHurt;
      ++hurt;
    }
  }
#pragma omp parallel for schedule(dynamic, kCheapChunk) num_threads(ctx.threads) if (ctx.parallel(n))
  for (std::int64_t i = 0; i < n; ++i) {
    if (marks[i] & kMarkFighting) a.activity[i] = static_cast<std::uint8_t>(Activity::Fighting);
    else if (a.activity[i] == std::uint8_t(Activity::Fighting)) a.activity[i] = static_cast<std::uint8_t>(Activity::Active);
  }
  if (!brawls.seen) {
    for (std::int64_t i = 0; i < n && !brawls.seen; ++i)
      if (marks[i] & kMarkFighting) {
        brawls.seen = true;
        out.events.push_back({ctx.time(), EventType::FirstBrawl, a.id[i], a.group[i], Vec2(a.x[i], a.y[i]), 0.0, a.faction[i]});
      }
  }
  if (hurt == 0) return;
  brawls.hurt.clear();
  for (std::int64_t i = 0; i < n; ++i)
    if (marks[i] & kMarkHurt) brawls.hurt.push_back(static_cast<std::uint32_t>(i));
  std::sort(brawls.hurt.begin(), brawls.hurt.end(), [&](std::uint32_t l, std::uint32_t r) { return a.id[l] < a.id[r]; });
  for (const std::uint32_t i : brawls.hurt) injure(ctx, i, InjuryCause::Brawl, 0.0, a, fear, out);
}

}  // namespace unrest
