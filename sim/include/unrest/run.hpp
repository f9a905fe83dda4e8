// A continuous scenario ready to run: its world, its simulation and, when the scenario measures something, its
// measurement (an observer like the outputs). Every command sets a run up this way and drives it with drive().
#pragma once

#include "unrest/driver.hpp"
#include "unrest/measurement.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <initializer_list>
#include <memory>
#include <vector>

namespace unrest {

class ScenarioRun {
public:
  ScenarioRun(const Scenario& scenario, int threads);
  // On a world built already (the viewer draws it before the run starts).
  ScenarioRun(const Scenario& scenario, const World& world, int threads);

  const World& world() const { return world_; }
  Simulation& sim() { return sim_; }
  const Simulation& sim() const { return sim_; }
  // Null when the scenario has no measurement: section.
  const Measurement* measurement() const { return measurement_.get(); }
  Measurement* measurement() { return measurement_.get(); }

  // Drives the simulation to its end (or a stop): the measurement first, then `observers` in order.
  RunEnd drive(std::initializer_list<Observer<Simulation>*> observers, const std::atomic<bool>* stop = nullptr);

private:
  std::unique_ptr<World> ownWorld_;
  const World& world_;
  Simulation sim_;
  std::unique_ptr<Measurement> measurement_;
  std::vector<Observer<Simulation>*> observers_;
};

}  // namespace unrest
