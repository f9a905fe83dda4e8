// People as a structure of arrays. What the step loop touches every step (positions, velocities, radii, desired
// speeds, state) is kept apart from bookkeeping, and the arrays are periodically reordered by neighbour cell so
// that people who interact sit close together in memory.
#pragma once

#include "unrest/role.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace unrest {

enum class AgentState : std::uint8_t {
  Walking,  // heading for the destination
  Arrived,  // inside the destination, standing at or milling between personal spots
  Injured,  // crushed: a fixed obstacle from now on (HFV 2000)
  Exited,   // left through the destination; removed at the next reorder
  Jailed,   // arrested: off the streets until the jail term ends (Epstein 2002)
  Away,     // off duty or gone home for now: off the streets, may come back
};
constexpr int kAgentStateCount = 6;
inline bool onStreet(std::uint8_t state) {
  return state == std::uint8_t(AgentState::Walking) || state == std::uint8_t(AgentState::Arrived) ||
         state == std::uint8_t(AgentState::Injured);
}

// What a civilian is doing besides walking, decided in the decide stage.
enum class Activity : std::uint8_t {
  Quiet,     // following their population's plan
  Active,    // openly rebelling (Epstein's "active")
  Fighting,  // active and in a brawl with a hostile faction
  Fleeing,   // afraid: running from a threat
  Looting,   // active at night, heading for or taking from a shop
};
constexpr int kActivityCount = 5;

// A task of a person's own that overrides their population's plan until it is done.
enum class Errand : std::uint8_t {
  None,    // the population's plan (its destination and on_arrival, or its patrol)
  Loot,    // heading for a shop (Population::shop), then taking goods
  GoHome,  // heading home (field: the home zone); gone on arrival
  Pursue,  // police: chasing the person whose id is in Population::quarry
  Approach,  // an active rival: walking at the hostile person whose id is in Population::quarry
};

// One word for how a person looks from outside, for outputs and the viewer.
enum class Condition : std::uint8_t { Calm, Active, Fighting, Fleeing, Looting, Injured, Arrested };
constexpr int kConditionCount = 7;

// Bits of Population::marks: what happened to a person during one step, set by the move, harm and arrive stages.
struct StepMark {
  static constexpr std::uint8_t WallCorrection = 1;  // the wall guard (or a closed barrier) held them back
  static constexpr std::uint8_t Injured = 2;         // crushed this step
  static constexpr std::uint8_t Reached = 4;         // arrived at their destination
  static constexpr std::uint8_t Left = 8;            // left the map through their destination, or went home for good
  static constexpr std::uint8_t CrossedBarrier = 16; // crossed a closed checkpoint's barrier, cleared to pass
  static constexpr std::uint8_t WentAway = 32;       // went off duty, off the streets for now
};

struct Population {
  // Hot: read or written by the move stage every step.
  std::vector<double> x, y, vx, vy;
  std::vector<float> radius;       // r_i, m
  std::vector<float> desiredSpeed; // v0_i, m/s
  std::vector<float> goalX, goalY; // personal spot inside the destination
  std::vector<std::uint8_t> state;
  std::vector<std::uint16_t> field;  // navigation field of the destination
  // Per-step results of the move stage.
  std::vector<float> pressure;       // contact pressure, N/m
  std::vector<std::uint8_t> marks;   // what happened to the person this step: StepMark bits
  // Harm bookkeeping and identity.
  std::vector<float> overPressureTime;  // crush exposure, s above the injury threshold less what relief paid back
  std::vector<float> dwell;             // s left standing at the current spot while milling; < 0 while walking to it
  std::vector<float> jailTerm;          // s left in jail (AgentState::Jailed)
  std::vector<std::uint32_t> id;        // stable across reorders; spawn order
  std::vector<std::uint16_t> group;     // population index in the scenario
  // The unrest model.
  std::vector<std::uint8_t> role;       // Role
  std::vector<std::uint8_t> faction;    // index into the scenario's factions, kNoFaction for none
  std::vector<std::uint8_t> activity;   // Activity
  std::vector<float> fear;              // in [0, 1]
  std::vector<float> facingX, facingY;  // unit direction the person last walked (anticipation_velocity); 0, 0 unknown
  std::vector<std::uint32_t> member;    // index within the population: the key of a person's own attributes
  std::vector<std::uint32_t> quarry;    // the id of the person pursued or approached (Errand::Pursue, Approach)
  std::vector<std::uint16_t> shop;      // the shop heading for or taking from (Errand::Loot)
  std::vector<float> carried;           // units of goods taken so far (Errand::Loot)
  std::vector<std::uint16_t> patrolStop;  // the stop of the patrol due (populations with a patrol)
  std::vector<std::uint8_t> errand;     // Errand
  std::vector<std::uint8_t> pass;       // 1 + the checkpoint that cleared the person to cross, else 0
  // Neighbour-cell index of each person, refreshed by the index stage.
  std::vector<std::uint32_t> cell;

  std::size_t size() const { return x.size(); }
  Condition condition(std::size_t i) const {
    switch (static_cast<AgentState>(state[i])) {
      case AgentState::Injured: return Condition::Injured;
      case AgentState::Jailed: return Condition::Arrested;
      default: break;
    }
    switch (static_cast<Activity>(activity[i])) {
      case Activity::Active: return Condition::Active;
      case Activity::Fighting: return Condition::Fighting;
      case Activity::Fleeing: return Condition::Fleeing;
      case Activity::Looting: return Condition::Looting;
      case Activity::Quiet: break;
    }
    return Condition::Calm;
  }
  void reserve(std::size_t n);
  void pushBack(std::uint32_t agentId, std::uint16_t groupIndex, std::uint32_t memberIndex, std::uint16_t fieldIndex,
                double px, double py, float r, float v0, float gx, float gy);
  // Keeps only the people listed in `order`, in that order. Scratch buffers are reused, so this allocates nothing
  // once they have grown to the population's capacity. `threads` is explicit because OpenMP's default team size
  // belongs to the calling thread: a simulation stepped on a worker thread would otherwise get a team per core.
  void reorder(const std::vector<std::uint32_t>& order, int threads);
  std::size_t bytesPerAgent() const;

private:
  // One gather buffer for every column, as wide as the widest (8 bytes a person): a buffer per column type would
  // cost 19 bytes a person.
  std::unique_ptr<std::byte[]> scratch_;
  std::size_t scratchPeople_ = 0;
};

}  // namespace unrest
