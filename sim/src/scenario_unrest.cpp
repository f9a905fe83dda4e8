// The scenario sections of the unrest model: civil violence (Epstein 2002) and the event timeline.
#include "scenario_sections.hpp"

#include <algorithm>

namespace unrest {

void readCivilViolence(Checker& checker, MapReader& root, Scenario& sc) {
  const YamlNode* node = root.get("civil_violence");
  MapReader r(checker, node, "civil_violence", root.where());
  CivilViolenceDef& cv = sc.civilViolence;
  cv.enabled = r.present();
  cv.legitimacy = r.number("legitimacy", cv.legitimacy, between(0, 1));
  cv.threshold = r.number("threshold", cv.threshold, between(-1, 1));
  cv.arrestConstant = r.number("arrest_constant", cv.arrestConstant, between(0, 100));
  cv.arrestRatio = r.choice<ArrestRatio>("arrest_ratio", cv.arrestRatio,
                                         {{"floor", ArrestRatio::Floor}, {"literal", ArrestRatio::Literal}});
  cv.vision = r.number("vision", cv.vision, {0.0, 1000.0, true, false}, "cells on the lattice, m in the city");
  if (const YamlNode* j = r.get("max_jail_term"); j && j->kind == YamlNode::Kind::Scalar && !j->quoted && j->scalar == "forever")
    cv.maxJailTerm = kInf;  // no release from jail (Epstein's Runs 3-4)
  else if (j)
    cv.maxJailTerm = r.numberValue(*j, r.keyPath("max_jail_term"), cv.maxJailTerm, between(0, 1e7),
                                   "ticks on the lattice, s in the city, or forever");
  if (const YamlNode* d = r.get("hardship"))
    cv.hardship = readDistribution(checker, *d, r.keyPath("hardship"), cv.hardship, between(0, 1), "");
  if (const YamlNode* d = r.get("risk_aversion"))
    cv.riskAversion = readDistribution(checker, *d, r.keyPath("risk_aversion"), cv.riskAversion, between(0, 1), "");
  r.finish();
}

std::optional<double> readEventTime(Checker& checker, const YamlNode& node, const std::string& path, const Scenario& sc) {
  if (sc.movement == Movement::Lattice) {
    if (auto tick = parseNumber(node); tick && *tick >= 0) return *tick;
    checker.error(node.where, path, MapReader::describe(node) + " is not a tick (expected a number of ticks >= 0 after the start; the lattice has no clock)");
    return std::nullopt;
  }
  if (auto seconds = parseNumber(node)) {
    if (*seconds >= 0) return *seconds;
    checker.error(node.where, path, "value " + node.scalar + " is out of range (expected seconds >= 0 after the start, or \"HH:MM\")");
    return std::nullopt;
  }
  if (node.kind == YamlNode::Kind::Scalar) {
    if (auto tod = parseTimeOfDay(node.scalar)) {
      // The first time the clock shows this time of day, on the start day or the next.
      double t = *tod - sc.clock.startTimeOfDay;
      if (t < 0) t += 86400.0;
      return t;
    }
  }
  checker.error(node.where, path, MapReader::describe(node) + " is not a time (expected seconds after the start, or a time of day \"HH:MM\" or \"HH:MM:SS\")");
  return std::nullopt;
}

void readTimeline(Checker& checker, MapReader& root, Scenario& sc) {
  const YamlNode* node = root.get("events");
  if (!node) return;
  if (node->kind != YamlNode::Kind::Sequence) {
    checker.error(node->where, "events", std::string("expected a list of events, found ") + node->kindName());
    return;
  }
  const std::vector<std::pair<std::string, EventKind>> kinds{{"legitimacy", EventKind::Legitimacy},
                                                              {"police_presence", EventKind::PolicePresence}};
  for (std::size_t i = 0; i < node->items.size(); ++i) {
    const YamlNode& item = node->items[i];
    const std::string path = "events[" + std::to_string(i) + "]";
    MapReader r(checker, &item, path, item.where);
    if (!r.present()) continue;
    TimelineEventDef e;
    e.where = item.where;
    if (const YamlNode* at = r.required("at", "seconds after the start, or a time of day \"HH:MM\""))
      if (auto t = readEventTime(checker, *at, r.keyPath("at"), sc)) e.time = *t;
    e.kind = r.choice<EventKind>("type", e.kind, kinds);
    if (!item.find("type")) r.required("type", "one of: legitimacy, police_presence");
    switch (e.kind) {
      case EventKind::Legitimacy:
        if (r.required("value", "the new legitimacy L in [0, 1]")) e.value = r.number("value", 0.0, between(0, 1));
        e.over = r.number("over", 0.0, atLeast(0), "s");
        break;
      case EventKind::PolicePresence:
        if (r.required("value", "the share of the force on duty, in [0, 1]")) e.value = r.number("value", 0.0, between(0, 1));
        e.over = r.number("over", 0.0, atLeast(0), "s");
        break;
    }
    r.finish();
    sc.events.push_back(e);
  }
  std::stable_sort(sc.events.begin(), sc.events.end(),
                   [](const TimelineEventDef& a, const TimelineEventDef& b) { return a.time < b.time; });
}

}  // namespace unrest
