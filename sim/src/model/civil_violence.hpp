// Civil violence in the city (Epstein 2002, with the decision rule of unrest/civil_violence.hpp): what people see
// of the forces of order and of the active around them, and each person's fixed hardship and risk aversion.
//
// Vision is counted on a coarse grid of cells a third of the vision radius wide: a person "sees" the cells whose
// centres lie within the vision radius of their own cell's centre (about 29 cells). Counts are integers (fear in
// thousandths), so sums never depend on the order of addition.
#pragma once

#include "../step_context.hpp"

#include <cmath>
#include <utility>
#include <vector>

namespace unrest {

struct PerceptionGrid {
  Grid grid;
  int factions = 0;
  std::vector<std::int32_t> forces, volunteers, people, actives, fear;  // per cell
  std::vector<std::int32_t> activeByFaction;  // per cell and faction
  std::vector<std::pair<int, int>> disc;      // cell offsets within vision
  std::vector<std::uint32_t> touched;         // cells written since the last clear

  static constexpr double kFearScale = 1000.0;  // fear is counted in thousandths
  static std::int32_t fearUnits(float fear) { return static_cast<std::int32_t>(std::lround(kFearScale * fear)); }

  void build(const Grid& world, double vision, int factionCount);
  void clear();
  bool built() const { return grid.size() > 0; }
  std::size_t memoryBytes() const {
    return (forces.size() + volunteers.size() + people.size() + actives.size() + fear.size() + activeByFaction.size() +
            touched.capacity()) * 4;
  }
  std::size_t cellOf(double x, double y) const {
    return grid.index(std::clamp(grid.cellX(x), 0, grid.nx - 1), std::clamp(grid.cellY(y), 0, grid.ny - 1));
  }
};

struct VisionCounts {
  std::int32_t forces = 0, volunteers = 0, actives = 0;
  std::int32_t hostileActives = 0;
};

// The perception grid and how often it is refreshed.
struct Perception {
  PerceptionGrid grid;
  std::int64_t every = 10;  // steps between counts
};

// A count a fifth of a second old is fresh enough for a look around: people move less than 0.3 m in that time.
constexpr double kPerceptionInterval = 0.2;  // s; assumption
// Fear alone (no civil violence) still needs the grid for contagion; then this is the reach of a look.
constexpr double kFearOnlyVision = 10.0;  // m; assumption

// Counts of the forces of order, volunteers and actives within vision of p; hostile actives for `faction` (>= 0).
VisionCounts countInVision(const Scenario& sc, const PerceptionGrid& g, const Vec2& p, int faction);
// Everyone decides once per decision interval, at a phase of their own, so decisions are spread over the steps
// (Epstein's agents are updated one at a time in random order, not all at once).
bool decidesThisStep(const StepContext& ctx, std::int64_t decisionEvery, std::uint32_t id);
double hardshipOf(const StepContext& ctx, const Population& a, std::size_t i);
double riskAversionOf(const StepContext& ctx, const Population& a, std::size_t i);

}  // namespace unrest
