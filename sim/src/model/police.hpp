// Police and soldiers: duty (the share of the police on duty, shift hours), pursuit of an active person in vision
// and arrest on contact, with a jail term uniform in [0, J_max] (Epstein 2002). Volunteers keep shift hours too.
#pragma once

#include "../neighbours.hpp"
#include "../plans.hpp"
#include "../step_context.hpp"
#include "timeline.hpp"

#include <vector>

namespace unrest {

struct ArrestProposal {
  std::uint32_t target, officer;  // ids
};

struct PoliceState {
  std::vector<ArrestProposal> proposals;  // scratch of the interact stage
};

// Whether person i is on duty now: each officer's place in the duty roster is a fixed random rank, so as presence
// falls the same officers leave first, and they come back in the same order; shift hours apply to anyone with them.
bool onDuty(const StepContext& ctx, const TimelineState& timeline, const Population& a, std::size_t i);
// Spawn: who of those with duties should come back onto the streets (off duty -> on duty, or a jail term that has
// run out: appended to `returning`), and who goes home now (sent on their way).
void changeShifts(const StepContext& ctx, const TimelineState& timeline, Population& a, std::vector<std::int32_t>& returning);
// Decide: an officer keeps after the person pursued while in sight, else picks a random active in vision.
void decideOfficer(const StepContext& ctx, const NeighbourIndex& nbr, const IdIndex& ids, const Plans& plans,
                   const std::vector<std::uint8_t>& seenActivity, std::int64_t decisionEvery, Population& a, std::size_t i);
// Interact: an officer within arrest range of the person pursued takes them; when several reach the same person,
// the one with the lowest id makes the arrest.
void makeArrests(const StepContext& ctx, const IdIndex& ids, const Plans& plans, PoliceState& police, Population& a,
                 Outcomes& out);

}  // namespace unrest
