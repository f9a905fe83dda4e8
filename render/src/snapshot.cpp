#include "unrest/render/snapshot.hpp"

#include <cstdio>

namespace unrest::render {

namespace {
template <class To, class From>
void copyColumn(const std::vector<From>& from, std::vector<To>& to) {
  to.resize(from.size());
  for (std::size_t k = 0; k < from.size(); ++k) to[k] = static_cast<To>(from[k]);
}
}  // namespace

void capture(const Simulation& sim, Snapshot& out) {
  const Population& a = sim.agents();
  out.step = sim.stepIndex();
  out.time = sim.time();
  copyColumn(a.x, out.x);
  copyColumn(a.y, out.y);
  copyColumn(a.vx, out.vx);
  copyColumn(a.vy, out.vy);
  copyColumn(a.radius, out.radius);
  copyColumn(a.desiredSpeed, out.desiredSpeed);
  copyColumn(a.fear, out.fear);
  copyColumn(a.pressure, out.pressure);
  copyColumn(a.state, out.state);
  copyColumn(a.role, out.role);
  copyColumn(a.faction, out.faction);
  copyColumn(a.activity, out.activity);
  copyColumn(a.id, out.id);
  copyColumn(a.group, out.group);
  copyColumn(a.field, out.field);
  out.condition.resize(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) out.condition[k] = static_cast<std::uint8_t>(a.condition(k));
  out.row = sim.lastRow();
  out.spawned = sim.spawned();
  out.waiting = sim.scenario().totalPeople() - sim.spawned();
  out.injuriesByCause.assign({{"crush", sim.injuriesCrush()}});
}

std::string describeEvent(const Scenario& sc, const Event& e) {
  const std::string population = e.population >= 0 ? sc.populations[e.population].name : "";
  char buf[256];
  switch (e.type) {
    case EventType::Injury:
      std::snprintf(buf, sizeof buf, "injury (crush): #%u of %s at (%.0f, %.0f), %.0f N/m", e.agent, population.c_str(),
                    e.position.x(), e.position.y(), e.value);
      return buf;
    case EventType::PopulationSpawned:
      std::snprintf(buf, sizeof buf, "all %lld of %s on the streets",
                    static_cast<long long>(sc.populations[e.population].count), population.c_str());
      return buf;
    case EventType::PopulationArrived:
      std::snprintf(buf, sizeof buf, "%s: nobody still walking", population.c_str());
      return buf;
  }
  return eventTypeName(e.type);
}

}  // namespace unrest::render
