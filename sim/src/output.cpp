#include "unrest/output.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace unrest {

std::string jsonEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 2);
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string formatDuration(double seconds) {
  char buf[32];
  if (seconds < 60) std::snprintf(buf, sizeof buf, "%.0fs", seconds);
  else if (seconds < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", int(seconds) / 60, int(seconds) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", int(seconds) / 3600, (int(seconds) / 60) % 60);
  return buf;
}

std::size_t peakResidentBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

OutputWriter::OutputWriter(const Simulation& sim, const std::string& directory, const Measurement* measurement,
                           const OutputOffsets* resumeAt)
    : directory_(directory) {
  createOutputDirectory(directory);
  const Scenario& sc = sim.scenario();
  const OutputDef& out = sc.output;
  peakFaction_.assign(sc.factions.size(), FactionCounts{});
  peakQueue_.assign(sc.checkpoints.size(), 0);
  const auto dir = std::filesystem::path(directory);
  if (resumeAt) {
    if (out.metrics) metrics_ = OutputFile::reopenAt(dir / "metrics.csv", resumeAt->metrics);
    if (out.events) events_ = OutputFile::reopenAt(dir / "events.jsonl", resumeAt->events);
  } else if (out.metrics) {
    metrics_ = OutputFile(dir / "metrics.csv");
    std::string header =
        "time_s,clock,waiting,walking,arrived,injured,exited,jailed,away,calm,active,fighting,fleeing,looting,"
        "police_on_street,soldiers_on_street,volunteers_on_street,injuries_crush,injuries_brawl,injuries_gunshot,"
        "injuries_total,arrests,looting_incidents,looting_damage,legitimacy,police_presence,night,curfew,mean_fear,"
        "peak_density_pm2,peak_pressure_Npm,mean_speed_mps,crowd_pressure_ps2,contacts,wall_corrections";
    for (const auto& f : sc.factions)
      for (const char* what : {"on_street", "active", "fighting", "fleeing", "looting", "injured", "arrested"})
        header += ",faction_" + f.name + "_" + what;
    for (const auto& c : sc.checkpoints)
      for (const char* what : {"open", "queue", "admitted"}) header += ",checkpoint_" + c.name + "_" + what;
    header += "\n";
    metrics_.put(header);
    metrics_.commit();
  }
  if (out.events && !resumeAt) events_ = OutputFile(dir / "events.jsonl");
  if (measurement) measurement_ = std::make_unique<MeasurementWriter>(sim, *measurement, directory, resumeAt);
}

OutputOffsets OutputWriter::flushOffsets() {
  OutputOffsets o;
  o.metrics = metrics_.syncedSize();
  o.events = events_.syncedSize();
  if (measurement_) measurement_->flushOffsets(o);
  return o;
}

OutputWriter::~OutputWriter() = default;

namespace {

// One JSON object per event: the common fields, then those of its type.
void writeEvent(OutputFile& f, const Scenario& sc, const Event& e) {
  const std::string clock = formatClock(sc.clock.startTimeOfDay + e.time);
  f.printf("{\"time_s\":%.3f,\"clock\":\"%s\",\"type\":\"%s\"", e.time, clock.c_str(), eventTypeName(e.type));
  auto population = [&] {
    if (e.population >= 0) f.printf(",\"population\":\"%s\"", jsonEscape(sc.populations[e.population].name).c_str());
  };
  auto person = [&] {
    f.printf(",\"agent\":%u", e.agent);
    population();
    f.printf(",\"x\":%.3f,\"y\":%.3f", e.position.x(), e.position.y());
  };
  auto name = [&](const char* key, const std::string& value) { f.printf(",\"%s\":\"%s\"", key, jsonEscape(value).c_str()); };
  switch (e.type) {
    case EventType::Injury:
      f.printf(",\"cause\":\"%s\"", injuryCauseName(e.cause));
      person();
      if (e.cause == InjuryCause::Crush) f.printf(",\"pressure_Npm\":%.1f,\"density_pm2\":%.0f", e.value, e.density);
      if (e.cause == InjuryCause::Gunshot) f.printf(",\"distance_m\":%.2f", e.value);
      break;
    case EventType::PopulationSpawned:
    case EventType::PopulationArrived:
      population();
      f.printf(",\"people\":%lld", static_cast<long long>(sc.populations[e.population].totalCount()));
      break;
    case EventType::Arrest:
      person();
      f.printf(",\"jail_term_s\":%.1f,\"officer\":%d", e.value, e.index);
      break;
    case EventType::Release:
      person();
      break;
    case EventType::LootingIncident:
      person();
      name("shop", sc.shops[e.index].name);
      f.printf(",\"stock_before\":%.2f", e.value);
      break;
    case EventType::ShopEmptied:
      name("shop", sc.shops[e.index].name);
      break;
    case EventType::Gunshot:
      f.printf(",\"x\":%.3f,\"y\":%.3f,\"hits\":%.0f", e.position.x(), e.position.y(), e.value);
      if (e.index >= 0) name("vehicle", sc.vehicles[e.index].name);
      if (e.population >= 0) name("target", sc.populations[e.population].leader.empty() ? sc.populations[e.population].name : sc.populations[e.population].leader);
      break;
    case EventType::Legitimacy:
      f.printf(",\"value\":%.4f", e.value);
      if (e.index >= 0) name("faction", sc.factions[e.index].name);
      break;
    case EventType::PolicePresence:
      f.printf(",\"value\":%.4f", e.value);
      break;
    case EventType::Deploy:
      f.printf(",\"checkpoints\":%.0f", e.value);
      break;
    case EventType::CurfewStart:
      name("until", formatClock(sc.clock.startTimeOfDay + e.value));
      break;
    case EventType::CurfewEnd:
      break;
    case EventType::RallyCall:
      population();
      if (e.population < 0) name("faction", sc.factions[e.index].name);
      break;
    case EventType::VehicleDeparted:
    case EventType::VehicleArrived:
      name("vehicle", sc.vehicles[e.index].name);
      f.printf(",\"x\":%.3f,\"y\":%.3f", e.position.x(), e.position.y());
      break;
    case EventType::FirstBrawl:
      person();
      if (e.index >= 0) name("faction", sc.factions[e.index].name);
      break;
    case EventType::Checkpoint:
      name("checkpoint", sc.checkpoints[e.index].name);
      name("barrier", e.value > 0 ? "closed" : "open");
      break;
  }
  f.put("}\n");
}

}  // namespace

void OutputWriter::afterStep(const Simulation& sim) {
  const Scenario& sc = sim.scenario();
  if (measurement_) measurement_->afterStep(sim);
  const auto& events = sim.stepEvents();
  eventCount_ += static_cast<std::int64_t>(events.size());
  if (events_ && !events.empty()) {
    for (const Event& e : events) writeEvent(events_, sc, e);
    events_.commit();
  }
  if (!sim.recorded()) return;
  const MetricsRow& r = sim.lastRow();
  if (r.peakDensity > peakDensity_) {
    peakDensity_ = r.peakDensity;
    peakDensityTime_ = r.time;
  }
  if (r.peakPressure > peakPressure_) {
    peakPressure_ = r.peakPressure;
    peakPressureTime_ = r.time;
  }
  if (r.crowdPressure.pressure > peakCrowdPressure_.pressure) {
    peakCrowdPressure_ = r.crowdPressure;
    peakCrowdPressureTime_ = r.time;
  }
  for (int c = 0; c < kConditionCount; ++c) peakCondition_[c] = std::max(peakCondition_[c], r.byCondition[c]);
  for (std::size_t f = 0; f < r.factions.size(); ++f) {
    FactionCounts& p = peakFaction_[f];
    const FactionCounts& now = r.factions[f];
    p.onStreet = std::max(p.onStreet, now.onStreet);
    p.active = std::max(p.active, now.active);
    p.fighting = std::max(p.fighting, now.fighting);
    p.fleeing = std::max(p.fleeing, now.fleeing);
    p.looting = std::max(p.looting, now.looting);
    p.injured = std::max(p.injured, now.injured);
    p.arrested = std::max(p.arrested, now.arrested);
  }
  for (std::size_t c = 0; c < r.checkpoints.size(); ++c) peakQueue_[c] = std::max(peakQueue_[c], r.checkpoints[c].queue);
  if (!metrics_) return;
  const std::string clock = formatClock(sc.clock.startTimeOfDay + r.time);
  auto n = [](std::int64_t v) { return static_cast<long long>(v); };
  metrics_.printf("%.3f,%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld", r.time, clock.c_str(), n(r.waiting),
               n(r.byState[int(AgentState::Walking)]), n(r.byState[int(AgentState::Arrived)]),
               n(r.byState[int(AgentState::Injured)]), n(r.byState[int(AgentState::Exited)]),
               n(r.byState[int(AgentState::Jailed)]), n(r.byState[int(AgentState::Away)]));
  for (Condition c : {Condition::Calm, Condition::Active, Condition::Fighting, Condition::Fleeing, Condition::Looting})
    metrics_.printf(",%lld", n(r.byCondition[int(c)]));
  for (Role role : {Role::Police, Role::Soldier, Role::Volunteer}) metrics_.printf(",%lld", n(r.onStreetByRole[int(role)]));
  metrics_.printf(",%lld,%lld,%lld,%lld,%lld,%lld,%.3f,%.4f,%.4f,%d,%d,%.4f,%.4f,%.1f,%.4f,%.5f,%lld,%lld",
               n(r.injuries[int(InjuryCause::Crush)]), n(r.injuries[int(InjuryCause::Brawl)]),
               n(r.injuries[int(InjuryCause::Gunshot)]), n(r.injuries[0] + r.injuries[1] + r.injuries[2]), n(r.arrests),
               n(r.lootingIncidents), r.lootingDamage, r.legitimacy, r.policePresence, r.night ? 1 : 0, r.curfew ? 1 : 0,
               r.meanFear, r.peakDensity, r.peakPressure, r.meanSpeed, r.crowdPressure.pressure, n(r.contacts), n(r.wallCorrections));
  for (const FactionCounts& f : r.factions)
    metrics_.printf(",%lld,%lld,%lld,%lld,%lld,%lld,%lld", n(f.onStreet), n(f.active), n(f.fighting), n(f.fleeing),
                 n(f.looting), n(f.injured), n(f.arrested));
  for (const CheckpointCounts& c : r.checkpoints) metrics_.printf(",%d,%lld,%lld", c.open ? 1 : 0, n(c.queue), n(c.admitted));
  metrics_.put("\n");
  metrics_.commit();
}

void OutputWriter::finish(const Simulation& sim, double wallSeconds, bool interrupted) {
  if (measurement_) measurement_->finish(sim);
  const Scenario& sc = sim.scenario();
  const MetricsRow& last = sim.lastRow();
  const double simulated = sim.time();
  // The performance block is this process's: a resumed run's counts from its checkpoint.
  const auto agentSteps = double(sim.agentSteps() - resumedAgentSteps_);
  const double agentSeconds = agentSteps * sim.dt(), simulatedHere = simulated - resumedTime_;
  const auto path = std::filesystem::path(directory_) / "summary.json";
  auto n = [](std::int64_t v) { return static_cast<long long>(v); };
  std::string f;
  f.reserve(4096);
  appendf(f, "{\n");
  appendf(f, "  \"scenario\": \"%s\",\n", jsonEscape(sc.name).c_str());
  appendf(f, "  \"file\": \"%s\",\n", jsonEscape(sc.file).c_str());
  appendf(f, "  \"seed\": %llu,\n", static_cast<unsigned long long>(sc.seed));
  appendf(f, "  \"completed\": %s,\n", interrupted ? "false" : "true");
  appendf(f, "  \"dt_s\": %.6g,\n", sim.dt());
  appendf(f, "  \"steps\": %lld,\n", n(sim.stepIndex()));
  appendf(f, "  \"simulated_s\": %.3f,\n", simulated);
  appendf(f, "  \"start_clock\": \"%s\",\n", formatClock(sc.clock.startTimeOfDay).c_str());
  appendf(f, "  \"end_clock\": \"%s\",\n", formatClock(sc.clock.startTimeOfDay + simulated).c_str());
  appendf(f, "  \"people\": {\"planned\": %lld, \"spawned\": %lld, \"walking\": %lld, \"arrived\": %lld, "
               "\"injured\": %lld, \"exited\": %lld, \"jailed\": %lld, \"away\": %lld},\n",
               n(sc.totalPeople()), n(sim.spawned()), n(last.byState[int(AgentState::Walking)]),
               n(last.byState[int(AgentState::Arrived)]), n(last.byState[int(AgentState::Injured)]),
               n(last.byState[int(AgentState::Exited)]), n(last.byState[int(AgentState::Jailed)]),
               n(last.byState[int(AgentState::Away)]));
  appendf(f, "  \"injuries\": {\"total\": %lld, \"crush\": %lld, \"brawl\": %lld, \"gunshot\": %lld},\n",
               n(sim.injuriesTotal()), n(sim.injuries(InjuryCause::Crush)), n(sim.injuries(InjuryCause::Brawl)),
               n(sim.injuries(InjuryCause::Gunshot)));
  appendf(f, "  \"arrests\": %lld,\n", n(sim.arrests()));
  appendf(f, "  \"looting\": {\"incidents\": %lld, \"damage\": %.3f, \"stock_left\": {", n(sim.lootingIncidents()), sim.lootingDamage());
  for (std::size_t s = 0; s < sc.shops.size(); ++s)
    appendf(f, "%s\"%s\": %.3f", s ? ", " : "", jsonEscape(sc.shops[s].name).c_str(), sim.shopStock()[s]);
  appendf(f, "}},\n");
  appendf(f, "  \"peak_civilians\": {\"active\": %lld, \"fighting\": %lld, \"fleeing\": %lld, \"looting\": %lld},\n",
               n(peakCondition_[int(Condition::Active)]), n(peakCondition_[int(Condition::Fighting)]),
               n(peakCondition_[int(Condition::Fleeing)]), n(peakCondition_[int(Condition::Looting)]));
  appendf(f, "  \"factions\": {");
  for (std::size_t k = 0; k < sc.factions.size(); ++k) {
    const FactionCounts& p = peakFaction_[k];
    appendf(f, "%s\"%s\": {\"peak_on_street\": %lld, \"peak_active\": %lld, \"peak_fighting\": %lld, "
                 "\"peak_fleeing\": %lld, \"peak_looting\": %lld, \"injured\": %lld, \"arrested_peak\": %lld}",
                 k ? ", " : "", jsonEscape(sc.factions[k].name).c_str(), n(p.onStreet), n(p.active), n(p.fighting),
                 n(p.fleeing), n(p.looting), n(last.factions.size() > k ? last.factions[k].injured : 0), n(p.arrested));
  }
  appendf(f, "},\n");
  appendf(f, "  \"checkpoints\": {");
  for (std::size_t c = 0; c < sc.checkpoints.size(); ++c)
    appendf(f, "%s\"%s\": {\"admitted\": %lld, \"peak_queue\": %lld}", c ? ", " : "", jsonEscape(sc.checkpoints[c].name).c_str(),
                 n(sim.checkpoints()[c].admitted), n(peakQueue_[c]));
  appendf(f, "},\n");
  appendf(f, "  \"checkpoint_crossings\": %lld,\n", n(sim.barrierCrossings()));
  appendf(f, "  \"legitimacy_end\": %.4f,\n", sim.legitimacy());
  appendf(f, "  \"police_presence_end\": %.4f,\n", sim.policePresence());
  const CrowdPressurePeak& cp = peakCrowdPressure_;
  appendf(f, "  \"peaks\": {\"density_pm2\": %.4f, \"density_time_s\": %.3f, \"pressure_Npm\": %.1f, "
               "\"pressure_time_s\": %.3f, \"crowd_pressure_ps2\": %.5f, \"crowd_pressure_time_s\": %.3f, "
               "\"crowd_pressure_x\": %.1f, \"crowd_pressure_y\": %.1f, \"crowd_pressure_density_pm2\": %.3f},\n",
               peakDensity_, peakDensityTime_, peakPressure_, peakPressureTime_, cp.pressure, peakCrowdPressureTime_,
               cp.at.x(), cp.at.y(), cp.density);
  appendf(f, "  \"events\": %lld,\n", n(eventCount_));
  appendf(f, "  \"agent_steps\": %lld,\n", n(sim.agentSteps()));
  appendf(f, "  \"wall_corrections\": %lld,\n", n(last.wallCorrections));
  // Everything below depends on the machine and the thread count, not on the model.
  appendf(f, "  \"performance\": {\"threads\": %d, \"wall_s\": %.3f, \"agent_steps_per_s\": %.0f, "
               "\"agent_seconds_per_s\": %.0f, \"real_time_factor\": %.2f, \"peak_rss_bytes\": %zu, \"stage_s\": {",
               sim.threads(), wallSeconds, wallSeconds > 0 ? agentSteps / wallSeconds : 0.0,
               wallSeconds > 0 ? agentSeconds / wallSeconds : 0.0, wallSeconds > 0 ? simulatedHere / wallSeconds : 0.0,
               peakResidentBytes());
  for (int s = 0; s < kStageCount; ++s)
    appendf(f, "%s\"%s\": %.3f", s ? ", " : "", stageName(Stage(s)), sim.profile().seconds[s]);
  appendf(f, "}}\n}\n");
  writeFileAtomically(path, f);
}

}  // namespace unrest
