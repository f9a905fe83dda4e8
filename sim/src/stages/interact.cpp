// The interact stage: what people do to each other, marked in parallel where it can be and committed serially in id
// order: brawls, arrests, takings from shops, checkpoint screening.
#include "stages.hpp"

namespace unrest {

void runInteract(const StepContext& ctx, const NeighbourIndex& nbr, const IdIndex& ids, ModelState& model,
                 Population& a, Outcomes& out) {
  if (model.brawls.hostilities)
    brawl(ctx, nbr, model.perception.grid, model.seenActivity, model.brawls, model.fear, a, out);
  if (ctx.scenario.civilViolence.enabled) makeArrests(ctx, ids, model.plans, model.police, a, out);
  if (model.shops.any()) takeGoods(ctx, model.shops, a, out);
  screenAtCheckpoints(ctx, nbr, model.checkpoints, a);
}

}  // namespace unrest
