#include "unrest/output.hpp"

#include <sys/resource.h>

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

namespace {
std::FILE* openOutput(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error(path.string() + ": cannot open for writing");
  return f;
}
}  // namespace

OutputWriter::OutputWriter(const Simulation& sim, const std::string& directory) : directory_(directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) throw std::runtime_error(directory + ": cannot create output directory (" + ec.message() + ")");
  const OutputDef& out = sim.scenario().output;
  if (out.metrics) {
    metrics_ = openOutput(std::filesystem::path(directory) / "metrics.csv");
    std::fputs("time_s,clock,waiting,walking,arrived,injured,exited,injuries_crush,injuries_total,peak_density_pm2,"
               "peak_pressure_Npm,mean_speed_mps,crowd_pressure_ps2,contacts,wall_corrections\n", metrics_);
    std::fflush(metrics_);
  }
  if (out.events) events_ = openOutput(std::filesystem::path(directory) / "events.jsonl");
}

OutputWriter::~OutputWriter() {
  if (metrics_) std::fclose(metrics_);
  if (events_) std::fclose(events_);
}

void OutputWriter::afterStep(const Simulation& sim) {
  const Scenario& sc = sim.scenario();
  const auto& events = sim.stepEvents();
  eventCount_ += static_cast<std::int64_t>(events.size());
  if (events_ && !events.empty()) {
    for (const Event& e : events) {
      const std::string clock = formatClock(sc.clock.startTimeOfDay + e.time);
      const std::string population = e.population >= 0 ? jsonEscape(sc.populations[e.population].name) : "";
      switch (e.type) {
        case EventType::Injury:
          std::fprintf(events_, "{\"time_s\":%.3f,\"clock\":\"%s\",\"type\":\"injury\",\"cause\":\"crush\",\"agent\":%u,"
                       "\"population\":\"%s\",\"x\":%.3f,\"y\":%.3f,\"pressure_Npm\":%.1f}\n",
                       e.time, clock.c_str(), e.agent, population.c_str(), e.position.x(), e.position.y(), e.value);
          break;
        case EventType::PopulationSpawned:
        case EventType::PopulationArrived:
          std::fprintf(events_, "{\"time_s\":%.3f,\"clock\":\"%s\",\"type\":\"%s\",\"population\":\"%s\",\"people\":%lld}\n",
                       e.time, clock.c_str(), eventTypeName(e.type), population.c_str(),
                       static_cast<long long>(sc.populations[e.population].count));
          break;
      }
    }
    std::fflush(events_);
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
  peakCrowdPressure_ = std::max(peakCrowdPressure_, r.crowdPressure);
  if (!metrics_) return;
  const std::string clock = formatClock(sc.clock.startTimeOfDay + r.time);
  std::fprintf(metrics_, "%.3f,%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%.4f,%.1f,%.4f,%.5f,%lld,%lld\n", r.time,
               clock.c_str(), static_cast<long long>(r.waiting), static_cast<long long>(r.byState[0]),
               static_cast<long long>(r.byState[1]), static_cast<long long>(r.byState[2]),
               static_cast<long long>(r.byState[3]), static_cast<long long>(r.injuriesCrush),
               static_cast<long long>(r.injuriesCrush), r.peakDensity, r.peakPressure, r.meanSpeed, r.crowdPressure,
               static_cast<long long>(r.contacts), static_cast<long long>(r.wallCorrections));
  std::fflush(metrics_);
}

void OutputWriter::finish(const Simulation& sim, double wallSeconds, bool interrupted) {
  const Scenario& sc = sim.scenario();
  const MetricsRow& last = sim.lastRow();
  const double simulated = sim.time();
  const double agentSeconds = double(sim.agentSteps()) * sim.dt();
  const auto path = std::filesystem::path(directory_) / "summary.json";
  const auto tmp = std::filesystem::path(directory_) / "summary.json.tmp";
  std::FILE* f = openOutput(tmp);
  std::fprintf(f, "{\n");
  std::fprintf(f, "  \"scenario\": \"%s\",\n", jsonEscape(sc.name).c_str());
  std::fprintf(f, "  \"file\": \"%s\",\n", jsonEscape(sc.file).c_str());
  std::fprintf(f, "  \"seed\": %llu,\n", static_cast<unsigned long long>(sc.seed));
  std::fprintf(f, "  \"completed\": %s,\n", interrupted ? "false" : "true");
  std::fprintf(f, "  \"dt_s\": %.6g,\n", sim.dt());
  std::fprintf(f, "  \"steps\": %lld,\n", static_cast<long long>(sim.stepIndex()));
  std::fprintf(f, "  \"simulated_s\": %.3f,\n", simulated);
  std::fprintf(f, "  \"start_clock\": \"%s\",\n", formatClock(sc.clock.startTimeOfDay).c_str());
  std::fprintf(f, "  \"end_clock\": \"%s\",\n", formatClock(sc.clock.startTimeOfDay + simulated).c_str());
  std::fprintf(f, "  \"people\": {\"planned\": %lld, \"spawned\": %lld, \"walking\": %lld, \"arrived\": %lld, "
               "\"injured\": %lld, \"exited\": %lld},\n",
               static_cast<long long>(sc.totalPeople()), static_cast<long long>(sim.spawned()),
               static_cast<long long>(last.byState[0]), static_cast<long long>(last.byState[1]),
               static_cast<long long>(last.byState[2]), static_cast<long long>(last.byState[3]));
  std::fprintf(f, "  \"injuries\": {\"total\": %lld, \"crush\": %lld},\n", static_cast<long long>(sim.injuriesCrush()),
               static_cast<long long>(sim.injuriesCrush()));
  std::fprintf(f, "  \"peaks\": {\"density_pm2\": %.4f, \"density_time_s\": %.3f, \"pressure_Npm\": %.1f, "
               "\"pressure_time_s\": %.3f, \"crowd_pressure_ps2\": %.5f},\n",
               peakDensity_, peakDensityTime_, peakPressure_, peakPressureTime_, peakCrowdPressure_);
  std::fprintf(f, "  \"events\": %lld,\n", static_cast<long long>(eventCount_));
  std::fprintf(f, "  \"agent_steps\": %lld,\n", static_cast<long long>(sim.agentSteps()));
  std::fprintf(f, "  \"wall_corrections\": %lld,\n", static_cast<long long>(last.wallCorrections));
  // Everything below depends on the machine and the thread count, not on the model.
  std::fprintf(f, "  \"performance\": {\"threads\": %d, \"wall_s\": %.3f, \"agent_steps_per_s\": %.0f, "
               "\"agent_seconds_per_s\": %.0f, \"real_time_factor\": %.2f, \"peak_rss_bytes\": %zu, \"stage_s\": {",
               sim.threads(), wallSeconds, wallSeconds > 0 ? double(sim.agentSteps()) / wallSeconds : 0.0,
               wallSeconds > 0 ? agentSeconds / wallSeconds : 0.0, wallSeconds > 0 ? simulated / wallSeconds : 0.0,
               peakResidentBytes());
  for (int s = 0; s < StageProfile::kStages; ++s)
    std::fprintf(f, "%s\"%s\": %.3f", s ? ", " : "", StageProfile::kNames[s], sim.profile().seconds[s]);
  std::fprintf(f, "}}\n}\n");
  const bool ok = std::fflush(f) == 0;
  std::fclose(f);
  if (!ok) throw std::runtime_error(tmp.string() + ": write failed");
  std::filesystem::rename(tmp, path);
}

}  // namespace unrest
