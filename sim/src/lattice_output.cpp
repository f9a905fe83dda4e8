#include "unrest/lattice_output.hpp"

#include "unrest/output.hpp"

#include <cmath>
#include <stdexcept>

namespace unrest {

const char* neighbourhoodName(Neighbourhood shape) {
  switch (shape) {
    case Neighbourhood::Disc: return "disc";
    case Neighbourhood::Cross: return "cross";
    case Neighbourhood::VonNeumann: return "von_neumann";
    case Neighbourhood::Moore: return "moore";
  }
  return "?";
}

LatticeOutputWriter::LatticeOutputWriter(const LatticeWorld& world, const std::string& directory) : directory_(directory) {
  createOutputDirectory(directory);
  const OutputDef& out = world.scenario().output;
  if (out.metrics) {
    metrics_ = OutputFile(std::filesystem::path(directory) / "metrics.csv");
    metrics_.put("tick,quiet,active,jailed,cops_on_duty,police_presence,legitimacy\n");
    writeRow(world.row());
  }
  if (out.events) events_ = OutputFile(std::filesystem::path(directory) / "events.jsonl");
}

LatticeOutputWriter::~LatticeOutputWriter() = default;

void LatticeOutputWriter::writeRow(const LatticeRow& r) {
  metrics_.printf("%lld,%lld,%lld,%lld,%lld,%.6g,%.6g\n", static_cast<long long>(r.tick),
               static_cast<long long>(r.quiet), static_cast<long long>(r.active), static_cast<long long>(r.jailed),
               static_cast<long long>(r.copsOnDuty), r.policePresence, r.legitimacy);
  metrics_.commit();
}

void LatticeOutputWriter::afterStep(const LatticeWorld& world) {
  if (metrics_) writeRow(world.row());
  const auto& events = world.tickEvents();
  eventCount_ += static_cast<std::int64_t>(events.size());
  if (!events_ || events.empty()) return;
  for (const LatticeEvent& e : events) {
    const auto tick = static_cast<long long>(e.tick);
    const char* type = latticeEventTypeName(e.type);
    switch (e.type) {
      case LatticeEventType::Legitimacy:
      case LatticeEventType::PolicePresence:
        events_.printf("{\"tick\":%lld,\"type\":\"%s\",\"from\":%.6g,\"to\":%.6g,\"over_ticks\":%.6g}\n", tick,
                     type, e.from, e.to, e.over);
        break;
      case LatticeEventType::OutburstStart:
        events_.printf("{\"tick\":%lld,\"type\":\"%s\",\"outburst\":%zu,\"actives\":%lld}\n", tick, type,
                     e.outburst, static_cast<long long>(e.actives));
        break;
      case LatticeEventType::OutburstEnd: {
        // Written on the first calm tick after the outburst.
        const Outburst& o = world.outbursts().outbursts()[e.outburst];
        events_.printf(
                     "{\"tick\":%lld,\"type\":\"%s\",\"outburst\":%zu,\"actives\":%lld,\"start\":%lld,\"last\":%lld,"
                     "\"duration\":%lld,\"peak\":%lld,\"peak_tick\":%lld,\"total_activation\":%lld}\n",
                     tick, type, e.outburst, static_cast<long long>(e.actives), static_cast<long long>(o.start),
                     static_cast<long long>(o.end), static_cast<long long>(o.duration()),
                     static_cast<long long>(o.peak), static_cast<long long>(o.peakTick),
                     static_cast<long long>(o.totalActivation));
        break;
      }
    }
  }
  events_.commit();
}

void LatticeOutputWriter::finish(const LatticeWorld& world, double wallSeconds, bool interrupted) {
  const Scenario& sc = world.scenario();
  const CivilViolenceDef& cv = sc.civilViolence;
  const LatticeRow& last = world.row();
  const OutburstStats s = world.outbursts().stats();
  const auto path = std::filesystem::path(directory_) / "summary.json";
  std::string f;
  const auto ll = [](std::int64_t v) { return static_cast<long long>(v); };
  appendf(f, "{\n");
  appendf(f, "  \"scenario\": \"%s\",\n", jsonEscape(sc.name).c_str());
  appendf(f, "  \"file\": \"%s\",\n", jsonEscape(sc.file).c_str());
  appendf(f, "  \"seed\": %llu,\n", static_cast<unsigned long long>(sc.seed));
  appendf(f, "  \"movement\": \"lattice\",\n");
  appendf(f, "  \"completed\": %s,\n", interrupted ? "false" : "true");
  appendf(f, "  \"ticks\": %lld,\n", ll(world.tick()));
  appendf(f, "  \"lattice\": {\"width\": %d, \"height\": %d, \"agents\": %zu, \"cops\": %zu, \"neighbourhood\": \"%s\", "
               "\"vision\": %d, \"cells_in_vision\": %zu},\n",
               world.width(), world.height(), world.agentCount(), world.copCount(),
               neighbourhoodName(sc.lattice.neighbourhood), world.view().vision, world.view().cells());
  if (std::isinf(cv.maxJailTerm))
    appendf(f, "  \"civil_violence\": {\"arrest_ratio\": \"%s\", \"max_jail_term\": \"forever\"},\n",
                 cv.arrestRatio == ArrestRatio::Floor ? "floor" : "literal");
  else
    appendf(f, "  \"civil_violence\": {\"arrest_ratio\": \"%s\", \"max_jail_term\": %.6g},\n",
                 cv.arrestRatio == ArrestRatio::Floor ? "floor" : "literal", cv.maxJailTerm);
  appendf(f, "  \"final\": {\"quiet\": %lld, \"active\": %lld, \"jailed\": %lld, \"cops_on_duty\": %lld, "
               "\"police_presence\": %.6g, \"legitimacy\": %.6g},\n",
               ll(last.quiet), ll(last.active), ll(last.jailed), ll(last.copsOnDuty), last.policePresence, last.legitimacy);
  appendf(f, "  \"outbursts\": {\"threshold\": %lld, \"count\": %lld, \"ongoing_at_end\": %s, "
               "\"mean_total_activation\": %.4f, \"sd_total_activation\": %.4f, \"mean_duration\": %.4f, "
               "\"waits\": %lld, \"mean_wait\": %.4f, \"sd_wait\": %.4f},\n",
               ll(world.outbursts().threshold()), ll(s.outbursts), s.ongoing ? "true" : "false", s.meanTotalActivation,
               s.sdTotalActivation, s.meanDuration, ll(s.waits), s.meanWait, s.sdWait);
  appendf(f, "  \"calm_fraction\": %.6f,\n", s.calmFraction());
  appendf(f, "  \"peak_actives\": %lld,\n", ll(s.peakActives));
  appendf(f, "  \"peak_tick\": %lld,\n", ll(s.peakTick));
  appendf(f, "  \"first_tick_above_threshold\": %lld,\n", ll(s.firstTickAbove));
  appendf(f, "  \"events\": %lld,\n", ll(eventCount_));
  appendf(f, "  \"turns\": %lld,\n", ll(world.turns()));
  // Everything below depends on the machine, not on the model.
  appendf(f, "  \"performance\": {\"threads\": 1, \"wall_s\": %.3f, \"ticks_per_s\": %.1f, \"turns_per_s\": %.0f, "
               "\"peak_rss_bytes\": %zu}\n}\n",
               wallSeconds, wallSeconds > 0 ? double(world.tick()) / wallSeconds : 0.0,
               wallSeconds > 0 ? double(world.turns()) / wallSeconds : 0.0, peakResidentBytes());
  writeFileAtomically(path, f);
}

}  // namespace unrest
