// What every stage may read (the run's fixed inputs and the step being computed), and the two records every stage
// may add to (the step's events and the run's running totals).
#pragma once

#include "unrest/rng.hpp"
#include "unrest/scenario.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace unrest {

// Loops over people hand out work in chunks rather than in fixed shares: when another process holds one core, the
// thread that keeps running takes the chunks its slowed partner cannot, so two threads are never slower than one.
// Every such loop writes only its own people's slots and sums integers, so the result does not depend on who ran what.
constexpr std::int64_t kCheapChunk = 4096;  // people per chunk, for loops of a few nanoseconds a person
constexpr std::int64_t kMoveChunk = 256;    // people per chunk in loops over everyone's neighbours (move, peak density)

struct StepContext {
  const Scenario& scenario;
  const World& world;
  const CounterRng& rng;
  int threads = 1;
  double dt = 0.02;
  std::int64_t step = 0;  // the step being computed: it starts at time() and ends at time() + dt
  double time() const { return double(step) * dt; }
  // Whether a loop over n people is worth a team of threads (below kParallelMinimum waking them costs more).
  bool parallel(std::int64_t n) const { return n > kParallelMinimum; }
};

// Running totals of the run, as the outputs report them.
struct Tally {
  std::int64_t spawned = 0, exited = 0, agentSteps = 0, wallCorrections = 0;
  std::array<std::int64_t, kInjuryCauseCount> injuries{};
  std::int64_t arrests = 0, lootingIncidents = 0, barrierCrossings = 0;
  double lootingDamage = 0.0;
};

// What a step adds to the record: its events (for observers) and the totals.
struct Outcomes {
  std::vector<Event> events;
  Tally tally;
};

// Where each person is in the arrays, by id (the arrays are reordered by cell); -1 once they are gone.
struct IdIndex {
  std::vector<std::int32_t> of;  // 32 bits, as the neighbour index (cellOrder)
  std::int64_t operator()(std::uint32_t id) const { return id < of.size() ? of[id] : -1; }
};

// Attributes depend on (population, index) only, so they do not change with when or where one spawns.
inline std::uint64_t personSubject(int population, std::int64_t indexInPopulation) {
  return (std::uint64_t(population) << 40) ^ std::uint64_t(indexInPopulation);
}
inline std::uint64_t personSubject(const Population& a, std::size_t i) { return personSubject(a.group[i], a.member[i]); }

inline bool walkingOrArrived(std::uint8_t state) {
  return state == std::uint8_t(AgentState::Walking) || state == std::uint8_t(AgentState::Arrived);
}
inline bool isActive(std::uint8_t activity) {
  return activity == std::uint8_t(Activity::Active) || activity == std::uint8_t(Activity::Fighting) ||
         activity == std::uint8_t(Activity::Looting);
}

}  // namespace unrest
