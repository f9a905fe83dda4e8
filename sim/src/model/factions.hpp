// Factions and brawls: every active member of a faction touching an active member of a hostile one fights (if they
// are among the share who come to blows at all, brawl.propensity), and each contact carries an injury hazard
// (brawl.injury_rate per contact-second); an active member who sees hostile actives goes for the nearest in reach.
#pragma once

#include "../neighbours.hpp"
#include "../step_context.hpp"
#include "civil_violence.hpp"
#include "fear.hpp"

#include <optional>
#include <vector>

namespace unrest {

struct BrawlState {
  bool hostilities = false;  // some pair of factions is hostile (and civil violence is on: only actives fight)
  bool seen = false;         // the first brawl has been reported
  double maxRadius = 0.0;    // the largest body of the scenario, m
  double reachExtra = 0.0;   // the largest radius plus brawl.contact_gap: how far beyond a body a fist reaches
  std::vector<std::uint8_t> marks;  // per person, within a step
  std::vector<std::uint32_t> hurt;  // scratch: the injured of this step, in id order
};

void setUpBrawls(const Scenario& sc, double maxRadius, std::size_t people, BrawlState& brawls);
// Whether person i is among the share of their faction's actives who come to blows (fixed per person).
bool wouldFight(const StepContext& ctx, const Population& a, std::size_t i);
// The nearest active rival in reach who would fight (ties: the lowest id), if any.
std::optional<std::size_t> nearestRivalFighter(const StepContext& ctx, const NeighbourIndex& nbr, const Population& a,
                                               const std::vector<std::uint8_t>& seenActivity, std::size_t i, double radius);
// Interact: who fights whom, and who is hurt.
void brawl(const StepContext& ctx, const NeighbourIndex& nbr, const PerceptionGrid& seen,
           const std::vector<std::uint8_t>& seenActivity, BrawlState& brawls, FearState& fear, Population& a, Outcomes& out);

}  // namespace unrest
