// The one loop that drives a run, for every command (`unrest run`, sweeps, `unrest validate`, the viewer's
// simulation thread) and both worlds (the continuous Simulation and Epstein's LatticeWorld): step, let every
// observer see the step, stop when the clock runs out, a stop is requested or an observer asks to stop, and close
// with a last record of the moment a stopped run ended.
#pragma once

#include <atomic>
#include <chrono>
#include <span>

namespace unrest {

// How a run ended.
struct RunEnd {
  bool interrupted = false;  // stopped before the end of its clock
  double wallSeconds = 0.0;  // spent stepping and observing (waiting in beforeStep not included)
};

// What watches a run: outputs, measurement, progress lines, the viewer. `Model` is Simulation or LatticeWorld; an
// observer only reads it.
template <class Model>
class Observer {
public:
  virtual ~Observer() = default;
  // Before each step; false ends the run there. May block (the viewer holds a paused run here).
  virtual bool beforeStep(const Model&) { return true; }
  // After every step, in the order the observers were given.
  virtual void afterStep(const Model& model) = 0;
  // Once, at the end.
  virtual void finish(const Model&, const RunEnd&) {}
};

// Steps `model` until it is done, `stop` is set or an observer says stop. A run stopped early ends with a record for
// the moment it stopped (Model::recordNow), shown to the observers, so its last row and its summary agree.
template <class Model>
RunEnd drive(Model& model, std::span<Observer<Model>* const> observers, const std::atomic<bool>* stop = nullptr) {
  using Clock = std::chrono::steady_clock;
  auto goOn = [&] {
    if (stop && stop->load(std::memory_order_relaxed)) return false;
    for (auto* o : observers)
      if (!o->beforeStep(model)) return false;
    return true;
  };
  RunEnd end;
  while (!model.done() && goOn()) {
    const auto start = Clock::now();
    model.step();
    for (auto* o : observers) o->afterStep(model);
    end.wallSeconds += std::chrono::duration<double>(Clock::now() - start).count();
  }
  end.interrupted = !model.done();
  if (end.interrupted && model.recordNow())
    for (auto* o : observers) o->afterStep(model);
  for (auto* o : observers) o->finish(model, end);
  return end;
}

}  // namespace unrest
