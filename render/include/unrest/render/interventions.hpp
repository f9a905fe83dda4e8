// Interventions: what a person watching a live run may change in it. Each is a timeline event of the scenario
// format (docs/scenario-format.md, `events`), written into interventions.yaml in the output folder, a scenario that
// extends the viewed one and adds the events under `add_events`. The running simulation takes its timeline from
// that file as the loader reads it, so an event applied live is the very event a headless run of the file applies:
// `unrest run interventions.yaml` repeats the viewed run byte for byte.
#pragma once

#include "unrest/scenario.hpp"

#include <optional>
#include <string>
#include <vector>

namespace unrest::render {

// What was asked for, before the simulation thread gives it a time.
struct Intervention {
  enum class Kind { PolicePresence, Legitimacy, Deploy, Checkpoint, Shots, Curfew, Rally };
  Kind kind = Kind::Deploy;
  double value = 0.0;  // PolicePresence: the share on duty; Legitimacy: the change of L; Checkpoint: 1 close, 0 lift
  int faction = -1;     // Legitimacy, Rally (or population)
  int population = -1;  // Rally
  int checkpoint = -1;  // Checkpoint
  int zone = -1;        // Rally: the destination
  double x = 0.0, y = 0.0;  // Shots: where, m
};

// An intervention as scheduled: its time and its event, as written to interventions.yaml.
struct ScheduledIntervention {
  double time = 0.0;   // s after the start
  std::string event;   // a YAML flow mapping, {at: ..., type: ..., ...}
  std::string label;   // for the panel
  bool applied = false;
};

// The police withdraw, or come back, over this long: a minute to leave or return to their posts.
constexpr double kPoliceShiftSeconds = 60.0;
// A legitimacy key moves L by this much.
constexpr double kLegitimacyStep = 0.1;
// An ordered curfew lasts this long.
constexpr double kCurfewSeconds = 3600.0;

// When an intervention asked for at `now` takes effect: the first whole simulated second at least one second
// ahead. A whole second is written exactly in the file, and the second of grace is the time to undo it (a paused
// run waits as long as it is paused).
double interventionTime(double now);

// The event for `iv` at `time` on the scenario's timeline as it stands, and its label. Legitimacy moves from the
// value the timeline gives at `time`, rounded to hundredths. Empty, with the reason in `refusal`, when the event
// could not act: it names nothing there is, or a patrol (which keeps to its rounds whatever a rally call says).
std::optional<ScheduledIntervention> scheduleIntervention(const Scenario& sc, const Intervention& iv, double time,
                                                          std::string& refusal);

// interventions.yaml: `extends:` the viewed scenario's file (relative to `outDir`), its seed, the `--set` overrides
// the run was loaded with (mappings of keys; an override into a list item is listed in a comment and must be given
// again), and the events under `add_events`.
std::string interventionsFile(const Scenario& sc, const std::string& outDir, const std::vector<std::string>& overrides,
                              const std::vector<ScheduledIntervention>& events);

// The overrides interventions.yaml cannot hold (into list items): a run of the file needs them given again.
std::vector<std::string> overridesOutsideFile(const std::vector<std::string>& overrides);

// Why the scenario `changed` (the viewed one with interventions) cannot be run live from `now` on in place of
// `current`: what the run set up at its start from the timeline (navigation fields, fear, the model itself), or an
// arrival already under way, would differ. Empty when it can.
std::optional<std::string> liveIncompatibility(const Scenario& current, const Scenario& changed, double now);

// Takes from `changed` what the timeline decides in a scenario (the events, arrivals on deployment, departures),
// between steps of a run of `current`.
void adoptTimeline(Scenario& current, const Scenario& changed);

}  // namespace unrest::render
