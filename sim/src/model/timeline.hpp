// The scenario's timeline as the model sees it at each moment: legitimacy (the scenario's and each faction's),
// the share of the police on duty, the curfew, and how far through the list of events the run has got.
#pragma once

#include "unrest/scenario.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace unrest {

struct TimelineState {
  double legitimacy = 0.8;      // L now (the scenario's, before any faction's own)
  double policePresence = 1.0;  // share of the police force on duty
  std::optional<double> curfewUntil;  // s since start, while a curfew is ordered
  std::vector<double> factionLegitimacy;
  std::size_t nextEvent = 0;  // the first event of the scenario's list not yet applied

  double legitimacyFor(int faction) const { return faction >= 0 ? factionLegitimacy[faction] : legitimacy; }
  bool curfew(double t) const { return curfewUntil && *curfewUntil > t; }
};

// How event times fall on a run's clock. Continuous: an event acts from its time on, and a change over `over`
// seconds is complete `over` seconds later. Ticks (Epstein's lattice): an event acts from the first tick at or after
// its time (tick 1 at the earliest), and a change over N ticks moves in equal steps from that tick on, complete at
// its N-th tick.
enum class TimeBase { Continuous, Ticks };

// A scheduled value at time (or tick) t: piecewise linear, each event of `kind` (and `faction`, -1 for the
// scenario's own) moving the value from where it stands to its own over `over`; a later event takes over from
// wherever the earlier ramp had got to. `start` is the value before the first event. Events are in time order.
double scheduledValue(const std::vector<TimelineEventDef>& events, EventKind kind, int faction, double start, double t,
                      TimeBase base = TimeBase::Continuous);

}  // namespace unrest
