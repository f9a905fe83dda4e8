// The perceive stage: every perception interval, counts of the forces of order, volunteers, active people by faction
// and fear per perception cell, and what a looter would weigh at each shop.
#include "stages.hpp"

namespace unrest {

void runPerceive(const StepContext& ctx, const Population& a, const CheckpointState& checkpoints, Perception& perception,
                 ShopState& shops) {
  PerceptionGrid& g = perception.grid;
  if (!g.built() || ctx.step % perception.every != 0) return;
  g.clear();
  const int factions = g.factions;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!walkingOrArrived(a.state[k])) continue;
    const auto c = g.cellOf(a.x[k], a.y[k]);
    if (g.people[c] == 0 && g.forces[c] == 0 && g.volunteers[c] == 0) g.touched.push_back(static_cast<std::uint32_t>(c));
    switch (static_cast<Role>(a.role[k])) {
      case Role::Civilian:
        ++g.people[c];
        g.fear[c] += PerceptionGrid::fearUnits(a.fear[k]);
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
  perceiveShops(ctx, g, checkpoints, shops);
}

}  // namespace unrest
