#include "civil_violence.hpp"

namespace unrest {

void PerceptionGrid::build(const Grid& world, double vision, int factionCount) {
  grid.h = std::max(1.0, vision / 3.0);
  grid.origin = world.origin;
  grid.nx = std::max(1, static_cast<int>(std::ceil(world.nx * world.h / grid.h)));
  grid.ny = std::max(1, static_cast<int>(std::ceil(world.ny * world.h / grid.h)));
  factions = factionCount;
  for (auto* channel : {&forces, &volunteers, &people, &actives, &fear}) channel->assign(grid.size(), 0);
  activeByFaction.assign(grid.size() * std::size_t(std::max(1, factions)), 0);
  disc.clear();
  const int reach = static_cast<int>(std::ceil(vision / grid.h));
  for (int dj = -reach; dj <= reach; ++dj)
    for (int di = -reach; di <= reach; ++di)
      if ((di * di + dj * dj) * grid.h * grid.h <= vision * vision + 1e-9) disc.emplace_back(di, dj);
  touched.reserve(grid.size() / 4);
}

void PerceptionGrid::clear() {
  for (const std::uint32_t c : touched) {
    forces[c] = volunteers[c] = people[c] = actives[c] = fear[c] = 0;
    for (int f = 0; f < factions; ++f) activeByFaction[std::size_t(c) * factions + f] = 0;
  }
  touched.clear();
}

VisionCounts countInVision(const Scenario& sc, const PerceptionGrid& g, const Vec2& p, int faction) {
  VisionCounts seen;
  const int ci = std::clamp(g.grid.cellX(p.x()), 0, g.grid.nx - 1), cj = std::clamp(g.grid.cellY(p.y()), 0, g.grid.ny - 1);
  const std::vector<std::uint8_t>* hostile = faction >= 0 ? &sc.hostile[faction] : nullptr;
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

bool decidesThisStep(const StepContext& ctx, std::int64_t decisionEvery, std::uint32_t id) {
  const std::uint64_t phase = ctx.rng.bits(0, id, RandomPurpose::DecisionPhase) % std::uint64_t(decisionEvery);
  return (std::uint64_t(ctx.step) + phase) % std::uint64_t(decisionEvery) == 0;
}

double hardshipOf(const StepContext& ctx, const Population& a, std::size_t i) {
  const PopulationDef& pop = ctx.scenario.populations[a.group[i]];
  const Distribution& d = pop.hardship ? *pop.hardship : ctx.scenario.civilViolence.hardship;
  return d.sample(ctx.rng.stream(0, personSubject(a, i), RandomPurpose::Hardship));
}

double riskAversionOf(const StepContext& ctx, const Population& a, std::size_t i) {
  const PopulationDef& pop = ctx.scenario.populations[a.group[i]];
  const Distribution& d = pop.riskAversion ? *pop.riskAversion : ctx.scenario.civilViolence.riskAversion;
  return d.sample(ctx.rng.stream(0, personSubject(a, i), RandomPurpose::RiskAversion));
}

}  // namespace unrest
