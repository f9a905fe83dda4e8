// Looting at night (after Davies, Fry, Wilson, Bishop 2013, where rioters pick sites by their attraction and the
// police there): an active opportunist picks, among the shops in reach along the streets, the one where the arrest
// probability is lowest, counting the volunteers guarding it as deterrence too, and goes only in the dark and only
// if Epstein's rule holds against that risk; inside, looters take goods at a fixed rate until they carry their load
// or the shop is bare.
#pragma once

#include "../neighbours.hpp"
#include "../step_context.hpp"
#include "checkpoints.hpp"
#include "civil_violence.hpp"

#include <optional>
#include <vector>

namespace unrest {

struct Plans;

struct ShopState {
  std::vector<double> stock;   // units left
  std::vector<Vec2> centre;    // of the shop floor: where a looter's view of the guards is taken from
  std::vector<double> guard;   // deterrence in sight of each shop, as last perceived
  std::vector<double> actives; // actives in sight of each shop, as last perceived
  std::vector<std::uint32_t> looters;  // scratch: who takes goods this step, in id order
  bool any() const { return !stock.empty(); }
};

void setUpShops(const Scenario& sc, const World& world, ShopState& shops);
// Perceive: what a looter weighs at each shop, the guards and the actives in sight of its floor.
void perceiveShops(const StepContext& ctx, const PerceptionGrid& seen, const CheckpointState& checkpoints, ShopState& shops);
// Only some would take from a shop at all (the opportunists among rioters); who they are is fixed per person.
bool wouldLoot(const StepContext& ctx, const Population& a, std::size_t i);
double shopArrestProbability(const StepContext& ctx, const ShopState& shops, int shop);
// The shop in reach with the lowest arrest probability (ties: the nearest), if any.
std::optional<int> safestShop(const StepContext& ctx, const ShopState& shops, const Vec2& p);
// Interact: takings committed in id order, so two looters emptying a shop never depends on thread scheduling.
void takeGoods(const StepContext& ctx, ShopState& shops, Population& a, Outcomes& out);

}  // namespace unrest
