#include "looting.hpp"

#include "../plans.hpp"
#include "unrest/civil_violence.hpp"

#include <algorithm>

namespace unrest {

void setUpShops(const Scenario& sc, const World& world, ShopState& shops) {
  shops.stock.clear();
  shops.centre.clear();
  for (const auto& shop : sc.shops) {
    shops.stock.push_back(shop.stock);
    // The centre of the shop floor's walkable cells.
    Vec2 sum = Vec2::Zero();
    for (const auto c : world.zoneCells(shop.zone))
      sum += world.grid().centre(static_cast<int>(c % world.grid().nx), static_cast<int>(c / world.grid().nx));
    shops.centre.push_back(sum / double(std::max<std::size_t>(1, world.zoneCells(shop.zone).size())));
  }
  shops.guard.assign(sc.shops.size(), 0.0);
  shops.actives.assign(sc.shops.size(), 0.0);
  shops.looters.reserve(256);
}

void perceiveShops(const StepContext& ctx, const PerceptionGrid& seen, const CheckpointState& checkpoints, ShopState& shops) {
  for (std::size_t s = 0; s < ctx.scenario.shops.size(); ++s) {
    const VisionCounts counts = countInVision(ctx.scenario, seen, shops.centre[s], -1);
    shops.guard[s] = double(counts.forces) + ctx.scenario.looting.volunteerWeight * double(counts.volunteers) +
                     checkpointDeterrence(ctx, checkpoints, shops.centre[s]);
    shops.actives[s] = double(counts.actives);
  }
}

bool wouldLoot(const StepContext& ctx, const Population& a, std::size_t i) {
  const PopulationDef& pop = ctx.scenario.populations[a.group[i]];
  const double propensity = pop.lootPropensity.value_or(ctx.scenario.looting.propensity);
  return ctx.rng.uniform(0, personSubject(a, i), RandomPurpose::LootPropensity) < propensity;
}

double shopArrestProbability(const StepContext& ctx, const ShopState& shops, int shop) {
  const CivilViolenceDef& cv = ctx.scenario.civilViolence;
  return estimatedArrestProbability(shops.guard[shop], shops.actives[shop] + 1.0, cv.arrestConstant, cv.arrestRatio);
}

std::optional<int> safestShop(const StepContext& ctx, const ShopState& shops, const Vec2& p) {
  std::optional<int> best;
  double bestRisk = 2.0, bestDistance = 0.0;
  const Grid& g = ctx.world.grid();
  const int ci = g.cellX(p.x()), cj = g.cellY(p.y());
  if (!g.inside(ci, cj)) return std::nullopt;
  for (std::size_t s = 0; s < ctx.scenario.shops.size(); ++s) {
    if (shops.stock[s] <= 0.0) continue;
    // Distance along the streets (the navigation field's arrival time), not as the crow flies.
    const int field = ctx.world.fieldForZone(ctx.scenario.shops[s].zone);
    const double d = ctx.world.field(field).arrival[g.index(ci, cj)];
    if (!(d <= ctx.scenario.looting.searchRadius)) continue;
    const double risk = shopArrestProbability(ctx, shops, static_cast<int>(s));
    if (risk < bestRisk || (risk == bestRisk && d < bestDistance)) {
      best = static_cast<int>(s);
      bestRisk = risk;
      bestDistance = d;
    }
  }
  return best;
}

void takeGoods(const StepContext& ctx, ShopState& shops, Population& a, Outcomes& out) {
  const auto n = static_cast<std::int64_t>(a.size());
  const double dt = ctx.dt;
  shops.looters.clear();
  for (std::int64_t i = 0; i < n; ++i)
    if (a.errand[i] == std::uint8_t(Errand::Loot) && walkingOrArrived(a.state[i]) &&
        ctx.world.inDestination(a.field[i], Vec2(a.x[i], a.y[i])))
      shops.looters.push_back(static_cast<std::uint32_t>(i));
  std::sort(shops.looters.begin(), shops.looters.end(), [&](std::uint32_t l, std::uint32_t r) { return a.id[l] < a.id[r]; });
  const LootingDef& looting = ctx.scenario.looting;
  for (const std::uint32_t i : shops.looters) {
    const int shop = a.shop[i];
    double& stock = shops.stock[shop];
    if (stock <= 0.0) {
      sendHome(ctx, a, i);
      continue;
    }
    const double take = std::min({looting.rate * dt, looting.carry - double(a.carried[i]), stock});
    if (a.carried[i] <= 0.0f) {
      ++out.tally.lootingIncidents;
      out.events.push_back({ctx.time() + dt, EventType::LootingIncident, a.id[i], a.group[i], Vec2(a.x[i], a.y[i]), stock, shop});
    }
    stock -= take;
    out.tally.lootingDamage += take;
    a.carried[i] += static_cast<float>(take);
    if (stock <= 1e-9) {
      stock = 0.0;
      out.events.push_back({ctx.time() + dt, EventType::ShopEmptied, 0, -1, Vec2(a.x[i], a.y[i]), 0.0, shop});
    }
    if (double(a.carried[i]) >= looting.carry - 1e-9 || stock <= 0.0) sendHome(ctx, a, i);
  }
}

}  // namespace unrest
