#include "unrest/run.hpp"

namespace unrest {

ScenarioRun::ScenarioRun(const Scenario& scenario, int threads)
    : ownWorld_(std::make_unique<World>(scenario)), world_(*ownWorld_), sim_(scenario, world_, threads) {
  if (scenario.measurement.any()) measurement_ = std::make_unique<Measurement>(sim_);
}

ScenarioRun::ScenarioRun(const Scenario& scenario, const World& world, int threads)
    : world_(world), sim_(scenario, world_, threads) {
  if (scenario.measurement.any()) measurement_ = std::make_unique<Measurement>(sim_);
}

RunEnd ScenarioRun::drive(std::initializer_list<Observer<Simulation>*> observers, const std::atomic<bool>* stop) {
  observers_.clear();
  if (measurement_) observers_.push_back(measurement_.get());
  for (auto* o : observers)
    if (o) observers_.push_back(o);
  return unrest::drive<Simulation>(sim_, observers_, stop);
}

}  // namespace unrest
