#include "timeline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace unrest {

double scheduledValue(const std::vector<TimelineEventDef>& events, EventKind kind, int faction, double start, double t,
                      TimeBase base) {
  const bool ticks = base == TimeBase::Ticks;
  auto startOf = [&](const TimelineEventDef& e) { return ticks ? std::max(1.0, std::ceil(e.time)) : e.time; };
  double v = start;
  for (std::size_t k = 0; k < events.size(); ++k) {
    const TimelineEventDef& e = events[k];
    if (e.kind != kind || e.faction != faction) continue;
    const double from = startOf(e);
    if (from > t + 1e-9) break;
    // Up to now, or to the last moment before the next event of the kind takes over.
    double until = t;
    for (std::size_t m = k + 1; m < events.size(); ++m)
      if (events[m].kind == kind && events[m].faction == faction) {
        until = std::min(t, ticks ? startOf(events[m]) - 1.0 : startOf(events[m]));
        break;
      }
    if (e.over <= 0) {
      v = e.value;
      continue;
    }
    const double elapsed = ticks ? until - from + 1.0 : until - from;  // a tick's change shows at that tick
    v = v + (e.value - v) * std::min(1.0, elapsed / e.over);
  }
  return v;
}

double Scenario::legitimacyAt(int faction, double t) const {
  if (faction >= 0 && factions[faction].legitimacy)
    return scheduledValue(events, EventKind::Legitimacy, faction, *factions[faction].legitimacy, t);
  return scheduledValue(events, EventKind::Legitimacy, -1, civilViolence.legitimacy, t);
}

}  // namespace unrest
