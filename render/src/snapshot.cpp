#include "unrest/render/snapshot.hpp"

#include <cmath>
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
  out.injuriesByCause.clear();
  for (InjuryCause c : {InjuryCause::Crush, InjuryCause::Brawl, InjuryCause::Gunshot})
    out.injuriesByCause.emplace_back(injuryCauseName(c), sim.injuries(c));
  // Vehicles on the map and the checkpoints that are open, from the simulation's own state.
  const Scenario& sc = sim.scenario();
  out.vehicles.clear();
  for (std::size_t v = 0; v < sim.vehicles().size(); ++v) {
    const VehicleState& state = sim.vehicles()[v];
    if (state.present)
      out.vehicles.push_back(vehicleView(sc.vehicles[v], state.position.x(), state.position.y(),
                                         std::atan2(state.direction.y(), state.direction.x())));
  }
  out.checkpoints.clear();
  for (std::size_t c = 0; c < sc.checkpoints.size(); ++c)
    if (sim.checkpointOpen(c)) out.checkpoints.push_back(checkpointView(sc.checkpoints[c], sim.checkpoints()[c].queue));
}

VehicleView vehicleView(const VehicleDef& def, double x, double y, double heading) {
  return {def.kind == VehicleDef::Kind::Armoured ? VehicleView::Kind::Armoured : VehicleView::Kind::Car, float(x), float(y),
          float(heading), float(def.length), float(def.width)};
}

CheckpointView checkpointView(const CheckpointDef& def, std::int64_t queue) {
  const Vec2 gate = 0.5 * (def.barrierA + def.barrierB);
  return {def.name, float(gate.x()), float(gate.y()), float(def.barrierA.x()), float(def.barrierA.y()), float(def.barrierB.x()),
          float(def.barrierB.y()), int(queue)};
}

std::string describeEvent(const Scenario& sc, const Event& e) {
  const std::string population = e.population >= 0 ? sc.populations[e.population].name : "";
  const auto named = [&](int index, const auto& defs) { return index >= 0 && index < int(defs.size()) ? defs[index].name : std::string(); };
  char buf[256];
  switch (e.type) {
    case EventType::Injury:
      if (e.cause == InjuryCause::Crush)
        std::snprintf(buf, sizeof buf, "injury (crush): #%u of %s at (%.0f, %.0f), %.0f N/m, %.0f /m2", e.agent,
                      population.c_str(), e.position.x(), e.position.y(), e.value, e.density);
      else
        std::snprintf(buf, sizeof buf, "injury (%s): #%u of %s at (%.0f, %.0f)", injuryCauseName(e.cause), e.agent,
                      population.c_str(), e.position.x(), e.position.y());
      return buf;
    case EventType::PopulationSpawned:
      std::snprintf(buf, sizeof buf, "all %lld of %s on the streets",
                    static_cast<long long>(sc.populations[e.population].totalCount()), population.c_str());
      return buf;
    case EventType::PopulationArrived:
      std::snprintf(buf, sizeof buf, "%s: nobody still walking", population.c_str());
      return buf;
    case EventType::Arrest:
      std::snprintf(buf, sizeof buf, "arrest: #%u of %s, %.0f s in jail", e.agent, population.c_str(), e.value);
      return buf;
    case EventType::Release:
      std::snprintf(buf, sizeof buf, "released: #%u of %s", e.agent, population.c_str());
      return buf;
    case EventType::LootingIncident:
      std::snprintf(buf, sizeof buf, "looting at %s by #%u", named(e.index, sc.shops).c_str(), e.agent);
      return buf;
    case EventType::ShopEmptied:
      std::snprintf(buf, sizeof buf, "%s emptied", named(e.index, sc.shops).c_str());
      return buf;
    case EventType::Gunshot:
      std::snprintf(buf, sizeof buf, "SHOTS at (%.0f, %.0f)%s%s", e.position.x(), e.position.y(),
                    e.index >= 0 ? " at the car " : "", named(e.index, sc.vehicles).c_str());
      return buf;
    case EventType::Legitimacy:
      std::snprintf(buf, sizeof buf, "legitimacy heading for %.2f%s%s", e.value, e.index >= 0 ? " for " : "",
                    named(e.index, sc.factions).c_str());
      return buf;
    case EventType::PolicePresence:
      std::snprintf(buf, sizeof buf, "police on duty heading for %.0f %%", 100.0 * e.value);
      return buf;
    case EventType::Deploy:
      std::snprintf(buf, sizeof buf, "the army deploys: %.0f checkpoints close", e.value);
      return buf;
    case EventType::CurfewStart:
      return "curfew begins";
    case EventType::CurfewEnd:
      return "curfew ends";
    case EventType::RallyCall:
      std::snprintf(buf, sizeof buf, "rally call: %s", e.population >= 0 ? population.c_str() : named(e.index, sc.factions).c_str());
      return buf;
    case EventType::VehicleDeparted:
      return named(e.index, sc.vehicles) + " sets off";
    case EventType::VehicleArrived:
      return named(e.index, sc.vehicles) + " leaves the map";
    case EventType::FirstBrawl:
      std::snprintf(buf, sizeof buf, "first brawl at (%.0f, %.0f)", e.position.x(), e.position.y());
      return buf;
    case EventType::Checkpoint:
      return "checkpoint " + named(e.index, sc.checkpoints) + (e.value > 0 ? ": barrier closed" : ": barrier lifted");
  }
  return eventTypeName(e.type);
}

}  // namespace unrest::render
