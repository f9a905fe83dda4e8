// The events stage of the unrest model: the scenario's timeline (legitimacy, police presence, shots, the army's
// deployment, curfew, rally calls), duty shifts and releases from jail, and vehicles on their routes. All of it
// runs serially at the start of a step, so whatever it changes is settled before the parallel stages read it.
#include "unrest/simulation.hpp"

#include <cmath>
#include <limits>

namespace unrest {

void PerceptionGrid::build(const Grid& world, double vision, int factionCount) {
  grid.h = std::max(1.0, vision / 3.0);
  grid.origin = world.origin;
  grid.nx = std::max(1, static_cast<int>(std::ceil(world.nx * world.h / grid.h)));
  grid.ny = std::max(1, static_cast<int>(std::ceil(world.ny * world.h / grid.h)));
  factions = factionCount;
  for (auto* channel : {&forces, &volunteers, &people, &actives, &fear}) channel->assign(grid.size(), 0);
  activeByFaction.assign(grid.size() * std::size_t(std::max(1, factions)), 0);
  disc.clear();
  const int reach = static_cast<int>(std::ceil(vision / grid.h));
  for (int dj = -reach; dj <= reach; ++dj)
    for (int di = -reach; di <= reach; ++di)
      if ((di * di + dj * dj) * grid.h * grid.h <= vision * vision + 1e-9) disc.emplace_back(di, dj);
  touched.reserve(grid.size() / 4);
}

void PerceptionGrid::clear() {
  for (const std::uint32_t c : touched) {
    forces[c] = volunteers[c] = people[c] = actives[c] = fear[c] = 0;
    for (int f = 0; f < factions; ++f) activeByFaction[std::size_t(c) * factions + f] = 0;
  }
  touched.clear();
}

double VehicleState::distance(const VehicleDef& def, const Vec2& p, Vec2* normal) const {
  const Vec2 rel = p - position;
  const Vec2 side(-direction.y(), direction.x());
  const double halfL = 0.5 * def.length, halfW = 0.5 * def.width;
  const double u = rel.dot(direction), w = rel.dot(side);
  if (std::abs(u) < halfL && std::abs(w) < halfW) {  // inside the body: out by the nearest side
    const double du = halfL - std::abs(u), dw = halfW - std::abs(w);
    if (normal) *normal = du < dw ? Vec2(direction * (u < 0 ? -1.0 : 1.0)) : Vec2(side * (w < 0 ? -1.0 : 1.0));
    return -std::min(du, dw);
  }
  const Vec2 offset = (u - std::clamp(u, -halfL, halfL)) * direction + (w - std::clamp(w, -halfW, halfW)) * side;
  const double d = offset.norm();
  if (normal) *normal = d > 1e-12 ? Vec2(offset / d) : direction;
  return d;
}

void Simulation::setUpModel() {
  const Scenario& sc = scenario_;
  plan_.resize(sc.populations.size());
  bool forcesOfOrder = false;
  for (std::size_t p = 0; p < sc.populations.size(); ++p) {
    const PopulationDef& pop = sc.populations[p];
    plan_[p] = {pop.destinationZone, world_.fieldForPopulation(int(p)), pop.onArrival};
    forcesOfOrder = forcesOfOrder || pop.role != Role::Civilian;
  }
  modelActive_ = sc.civilViolence.enabled || sc.fear.enabled || !sc.factions.empty() || !sc.vehicles.empty() ||
                 !sc.checkpoints.empty() || !sc.shops.empty() || !sc.events.empty() || forcesOfOrder;
  legitimacy_ = sc.civilViolence.legitimacy;
  factionLegitimacy_.assign(sc.factions.size(), 0.0);
  for (std::size_t f = 0; f < sc.factions.size(); ++f)
    factionLegitimacy_[f] = sc.factions[f].hasLegitimacy ? sc.factions[f].legitimacy : legitimacy_;
  if (sc.civilViolence.enabled || sc.fear.enabled) {
    // Fear alone (no civil violence) still needs the grid for contagion; ten metres is then the reach of a look.
    const double vision = sc.civilViolence.enabled ? sc.civilViolence.vision : 10.0;
    perception_.build(world_.grid(), vision, static_cast<int>(sc.factions.size()));
  }
  perceptionEvery_ = std::max<std::int64_t>(1, std::llround(0.2 / dt_));
  decisionEvery_ = std::max<std::int64_t>(1, std::llround(sc.civilViolence.decisionInterval / dt_));
  vehicles_.assign(sc.vehicles.size(), VehicleState{});
  checkpointCounts_.assign(sc.checkpoints.size(), CheckpointCounts{});
  checkpointTokens_.assign(sc.checkpoints.size(), 0.0);
  shopStock_.clear();
  shopCentre_.clear();
  for (const auto& shop : sc.shops) {
    shopStock_.push_back(shop.stock);
    // The centre of the shop floor's walkable cells: where a looter's view of the guards is taken from.
    Vec2 sum = Vec2::Zero();
    for (const auto c : world_.zoneCells(shop.zone))
      sum += world_.grid().centre(static_cast<int>(c % world_.grid().nx), static_cast<int>(c / world_.grid().nx));
    shopCentre_.push_back(sum / double(std::max<std::size_t>(1, world_.zoneCells(shop.zone).size())));
  }
  shopGuard_.assign(sc.shops.size(), 0.0);
  shopActives_.assign(sc.shops.size(), 0.0);
  std::size_t shots = 0;
  for (const auto& e : sc.events) shots += e.kind == EventKind::Gunshot;
  flightFields_.reserve(shots);
  threats_.reserve(256);
  arrestProposals_.reserve(64);
  pendingPlacement_.reserve(64);
  for (const auto& row : sc.hostile)
    for (auto h : row) hostilities_ = hostilities_ || (h && sc.civilViolence.enabled);  // only actives fight
  activitySnapshot_.reserve(static_cast<std::size_t>(sc.totalPeople()));
  committed_.reserve(256);
  row_.factions.reserve(sc.factions.size());
  row_.checkpoints.reserve(sc.checkpoints.size());
}

double Simulation::scheduledValue(EventKind kind, int faction, double start) const {
  // Piecewise linear: each event moves the value from where it stands to its own over `over` seconds; a later
  // event takes over from wherever the earlier ramp had got to.
  const auto& events = scenario_.events;
  const double t = time();
  double v = start;
  for (std::size_t k = 0; k < events.size(); ++k) {
    const TimelineEventDef& e = events[k];
    if (e.kind != kind || e.faction != faction) continue;
    if (e.time > t + 1e-9) break;
    double next = std::numeric_limits<double>::infinity();
    for (std::size_t m = k + 1; m < events.size(); ++m)
      if (events[m].kind == kind && events[m].faction == faction) {
        next = events[m].time;
        break;
      }
    const double until = std::min(t, next);
    v = e.over > 0 ? v + (e.value - v) * std::min(1.0, (until - e.time) / e.over) : e.value;
  }
  return v;
}

void Simulation::applyTimeline() {
  const Scenario& sc = scenario_;
  const double t = time();
  legitimacy_ = scheduledValue(EventKind::Legitimacy, -1, sc.civilViolence.legitimacy);
  for (std::size_t f = 0; f < sc.factions.size(); ++f)
    factionLegitimacy_[f] = sc.factions[f].hasLegitimacy ? scheduledValue(EventKind::Legitimacy, int(f), sc.factions[f].legitimacy)
                                                         : legitimacy_;
  policePresence_ = scheduledValue(EventKind::PolicePresence, -1, 1.0);
  if (curfewUntil_ >= 0 && t + 1e-9 >= curfewUntil_) {
    curfewUntil_ = -1.0;
    events_.push_back({t, EventType::CurfewEnd});
  }
  for (; nextTimelineEvent_ < sc.events.size() && sc.events[nextTimelineEvent_].time <= t + 1e-9; ++nextTimelineEvent_) {
    const TimelineEventDef& e = sc.events[nextTimelineEvent_];
    switch (e.kind) {
      case EventKind::Legitimacy:
        events_.push_back({t, EventType::Legitimacy, 0, -1, Vec2::Zero(), e.value, e.faction});
        break;
      case EventKind::PolicePresence:
        events_.push_back({t, EventType::PolicePresence, 0, -1, Vec2::Zero(), e.value});
        break;
      case EventKind::Gunshot:
        fireShot(e);
        break;
      case EventKind::Deploy:
        for (std::size_t c = 0; c < checkpointCounts_.size(); ++c) {
          checkpointCounts_[c].open = true;
          checkpointTokens_[c] = 1.0;  // the first person can be screened at once
        }
        events_.push_back({t, EventType::Deploy, 0, -1, Vec2::Zero(), double(checkpointCounts_.size())});
        break;
      case EventKind::Curfew:
        curfewUntil_ = std::max(curfewUntil_, e.until);
        events_.push_back({t, EventType::CurfewStart, 0, -1, Vec2::Zero(), e.until});
        break;
      case EventKind::RallyCall: {
        const int field = world_.fieldForZone(e.zone);
        for (std::size_t p = 0; p < sc.populations.size(); ++p) {
          const bool called = int(p) == e.population || (e.faction >= 0 && sc.populations[p].faction == e.faction);
          if (called && sc.populations[p].patrol.empty()) plan_[p] = {e.zone, field, e.onArrival};
        }
        for (std::size_t i = 0; i < agents_.size(); ++i) {
          const PlanNow& plan = plan_[agents_.group[i]];
          const bool onTheirWay = agents_.state[i] == std::uint8_t(AgentState::Walking) || agents_.state[i] == std::uint8_t(AgentState::Arrived);
          if (plan.zone == e.zone && agents_.field[i] != field && onTheirWay && agents_.errand[i] == std::uint8_t(Errand::None))
            resumePlan(i);
        }
        events_.push_back({t, EventType::RallyCall, 0, e.population, Vec2::Zero(), 0.0, e.faction >= 0 ? e.faction : e.zone});
        break;
      }
      case EventKind::Arrival:
        break;  // the population's spawning takes it from here
    }
  }
}

bool Simulation::onDuty(std::size_t i) const {
  const PopulationDef& pop = scenario_.populations[agents_.group[i]];
  if (pop.role == Role::Police) {
    // Each officer's place in the duty roster is a fixed random rank: as presence falls, the same officers leave
    // first, and they come back in the same order.
    const double rank = rng_.uniform(0, personSubject(agents_.group[i], agents_.member[i]), RandomPurpose::DutyRank);
    if (rank >= policePresence_) return false;
  }
  if (pop.dutyHours) {
    const double tod = std::fmod(scenario_.clock.startTimeOfDay + time(), 86400.0);
    const bool inShift = pop.dutyFrom <= pop.dutyTo ? (tod >= pop.dutyFrom && tod < pop.dutyTo)
                                                    : (tod >= pop.dutyFrom || tod < pop.dutyTo);
    if (!inShift) return false;
  }
  return true;
}

int Simulation::homeZoneOf(std::size_t i) const {
  const PopulationDef& pop = scenario_.populations[agents_.group[i]];
  return pop.homeZone >= 0 ? pop.homeZone : pop.spawnZone;
}

void Simulation::updateDuties() {
  if (stepIndex_ % perceptionEvery_ != 0) return;
  Population& a = agents_;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto state = static_cast<AgentState>(a.state[i]);
    if (state == AgentState::Jailed) {
      if (a.pause[i] <= 0.0f) pendingPlacement_.push_back(static_cast<std::int32_t>(i));
      continue;
    }
    const PopulationDef& pop = scenario_.populations[a.group[i]];
    if (pop.role == Role::Civilian && !pop.dutyHours) continue;
    const bool duty = onDuty(i);
    if (state == AgentState::Away && duty) pendingPlacement_.push_back(static_cast<std::int32_t>(i));
    if ((state == AgentState::Walking || state == AgentState::Arrived) && !duty && a.errand[i] != std::uint8_t(Errand::GoHome))
      sendHome(i);
  }
}

void Simulation::placeOnStreet(std::size_t i, int zone) {
  Population& a = agents_;
  for (int attempt = 0; attempt < 64; ++attempt) {
    const Vec2 pos = randomSpot(zone, std::uint64_t(stepIndex_), (std::uint64_t(a.id[i]) << 8) | std::uint64_t(attempt),
                                RandomPurpose::Placement);
    if (!spotIsFree(pos, a.radius[i])) continue;
    const bool released = a.state[i] == std::uint8_t(AgentState::Jailed);
    a.x[i] = pos.x();
    a.y[i] = pos.y();
    a.vx[i] = a.vy[i] = 0.0;
    a.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
    a.fear[i] = 0.0f;
    a.pass[i] = 0;
    a.pause[i] = -1.0f;
    a.overPressureTime[i] = 0.0f;
    a.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
    resumePlan(i);
    const auto c = cells_.bucketAt(pos.x(), pos.y());
    spawnNext_.resize(a.size(), -1);
    spawnNext_[i] = spawnHead_[c];
    spawnHead_[c] = static_cast<std::int32_t>(i);
    if (released) events_.push_back({time(), EventType::Release, a.id[i], a.group[i], pos, 0.0});
    return;
  }
  // No room this time: the person stays off the streets and is tried again at the next duty check.
}

void Simulation::resumePlan(std::size_t i) {
  Population& a = agents_;
  const PopulationDef& pop = scenario_.populations[a.group[i]];
  a.errand[i] = static_cast<std::uint8_t>(Errand::None);
  int zone = plan_[a.group[i]].zone;
  if (!pop.patrol.empty()) {
    if (a.target[i] < 0 || a.target[i] >= static_cast<std::int32_t>(pop.patrol.size())) a.target[i] = 0;
    zone = pop.patrol[a.target[i]];
  } else {
    a.target[i] = -1;
  }
  a.field[i] = static_cast<std::uint16_t>(world_.fieldForZone(zone));
  if (a.state[i] == std::uint8_t(AgentState::Arrived)) a.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
  // A new personal spot in the zone: the old one belonged to wherever they were before.
  const Vec2 g = randomSpot(zone, std::uint64_t(stepIndex_), a.id[i], RandomPurpose::GoalSpot);
  a.goalX[i] = static_cast<float>(g.x());
  a.goalY[i] = static_cast<float>(g.y());
  a.pause[i] = -1.0f;
}

void Simulation::sendHome(std::size_t i) {
  Population& a = agents_;
  const int field = world_.fieldForZone(homeZoneOf(i));
  if (field < 0) return;
  a.errand[i] = static_cast<std::uint8_t>(Errand::GoHome);
  a.target[i] = -1;
  a.field[i] = static_cast<std::uint16_t>(field);
  if (a.activity[i] != std::uint8_t(Activity::Fleeing)) a.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
  if (a.state[i] == std::uint8_t(AgentState::Arrived)) a.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
}

void Simulation::recordInjury(std::size_t i, InjuryCause cause, double value) {
  const Population& a = agents_;
  ++injuries_[static_cast<int>(cause)];
  const Vec2 at(a.x[i], a.y[i]);
  Event e{time() + dt_, EventType::Injury, a.id[i], a.group[i], at, value};
  e.cause = cause;
  events_.push_back(e);
  // Seeing someone hurt frightens those nearby.
  if (scenario_.fear.enabled && scenario_.fear.injuryFear > 0)
    threats_.push_back({at, time(), scenario_.fear.injuryRadius, scenario_.fear.injuryFear, -1});
}

void Simulation::injure(std::size_t i, InjuryCause cause, double value) {
  Population& a = agents_;
  a.state[i] = static_cast<std::uint8_t>(AgentState::Injured);
  a.vx[i] = a.vy[i] = 0.0;
  a.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
  a.errand[i] = static_cast<std::uint8_t>(Errand::None);
  recordInjury(i, cause, value);
}

void Simulation::fireShot(const TimelineEventDef& e) {
  const FearDef& fear = scenario_.fear;
  const double t = time();
  Vec2 at = e.position;
  if (e.vehicle >= 0) {
    const VehicleState& v = vehicles_[e.vehicle];
    at = v.present || v.finished ? v.position : scenario_.vehicles[e.vehicle].route.front();
  } else if (e.population >= 0) {
    for (std::size_t i = 0; i < agents_.size(); ++i)
      if (agents_.group[i] == e.population && onStreet(agents_.state[i])) at = Vec2(agents_.x[i], agents_.y[i]);
  }
  // Where people run: away from the shot along the streets, up the geodesic distance from it (fast marching on
  // the raster around the shot), rather than in a straight line into the nearest wall.
  const Grid& g = world_.grid();
  FlightField field;
  const int reach = static_cast<int>(std::ceil(fear.safeDistance / g.h));
  const int ci = std::clamp(g.cellX(at.x()), 0, g.nx - 1), cj = std::clamp(g.cellY(at.y()), 0, g.ny - 1);
  const int i0 = std::max(0, ci - reach), i1 = std::min(g.nx - 1, ci + reach);
  const int j0 = std::max(0, cj - reach), j1 = std::min(g.ny - 1, cj + reach);
  field.grid.h = g.h;
  field.grid.nx = i1 - i0 + 1;
  field.grid.ny = j1 - j0 + 1;
  field.grid.origin = g.origin + Vec2(i0 * g.h, j0 * g.h);
  std::vector<float> cost(field.grid.size(), 0.0f);
  std::int32_t seed = -1;
  double seedDistance = std::numeric_limits<double>::infinity();
  for (int j = 0; j < field.grid.ny; ++j)
    for (int i = 0; i < field.grid.nx; ++i) {
      if (!world_.walkable(g.index(i0 + i, j0 + j))) continue;
      const auto c = field.grid.index(i, j);
      cost[c] = 1.0f;
      const double d = (field.grid.centre(i, j) - at).squaredNorm();
      if (d < seedDistance) {
        seedDistance = d;
        seed = static_cast<std::int32_t>(c);
      }
    }
  int flight = -1;
  if (seed >= 0) {
    field.distance = fastMarching(field.grid, cost, {seed});
    flight = static_cast<int>(flightFields_.size());
    flightFields_.push_back(std::move(field));
  }
  threats_.push_back({at, t, fear.gunshotRadius, 1.0, flight});
  events_.push_back({t, EventType::Gunshot, 0, e.population, at, double(e.count), e.vehicle});

  if (e.count <= 0) return;
  // Those struck are the people nearest the line of fire: the civilians closest to where the shot was aimed.
  std::vector<std::pair<double, std::uint32_t>> near;
  for (std::size_t i = 0; i < agents_.size(); ++i) {
    if (agents_.role[i] != std::uint8_t(Role::Civilian) || !(agents_.state[i] == std::uint8_t(AgentState::Walking) ||
                                                              agents_.state[i] == std::uint8_t(AgentState::Arrived)))
      continue;
    const double d = (Vec2(agents_.x[i], agents_.y[i]) - at).norm();
    if (d <= 15.0) near.emplace_back(d, agents_.id[i]);
  }
  std::sort(near.begin(), near.end());
  for (std::size_t k = 0; k < near.size() && std::int64_t(k) < e.count; ++k)
    injure(static_cast<std::size_t>(indexOfId_[near[k].second]), InjuryCause::Gunshot, near[k].first);
}

void Simulation::moveVehicles() {
  const double t = time();
  for (std::size_t v = 0; v < vehicles_.size(); ++v) {
    const VehicleDef& def = scenario_.vehicles[v];
    VehicleState& s = vehicles_[v];
    if (s.finished) continue;
    if (!s.present) {
      if (t + 1e-9 < def.depart) continue;
      s.present = true;
      s.position = def.route.front();
      s.direction = def.route.size() >= 2 ? Vec2((def.route[1] - def.route[0]).normalized())
                                          : Vec2(std::cos(def.heading), std::sin(def.heading));
      events_.push_back({t, EventType::VehicleDeparted, 0, -1, s.position, 0.0, static_cast<int>(v)});
    }
    if (def.route.size() < 2) continue;  // parked
    // A driver in a crowd edges forward: full speed with 5 m clear ahead, a walking pace when someone is close,
    // stopped only with someone right at the bumper (people step aside from a car, see the move stage).
    double gap = std::numeric_limits<double>::infinity();
    const Vec2 side(-s.direction.y(), s.direction.x());
    const Vec2 front = s.position + s.direction * (0.5 * def.length + 3.0);
    forEachNear(front, 3.5 + 0.5 * def.width, [&](const NeighbourSlot& o) {
      const std::uint8_t state = agents_.state[o.index];
      if (state != std::uint8_t(AgentState::Walking) && state != std::uint8_t(AgentState::Arrived) &&
          state != std::uint8_t(AgentState::Injured))
        return;
      const Vec2 rel = Vec2(o.x, o.y) - s.position;
      const double along = rel.dot(s.direction) - 0.5 * def.length;
      if (along > -0.2 && std::abs(rel.dot(side)) < 0.5 * def.width + o.radius + 0.2) gap = std::min(gap, along - o.radius);
    });
    s.speed = gap <= 0.1 ? 0.0 : std::min(def.speed, std::max(0.5, def.speed * (gap - 0.5) / 4.5));
    s.travelled += s.speed * dt_;
    // Position along the polyline.
    double left = s.travelled;
    bool atEnd = true;
    for (std::size_t k = 0; k + 1 < def.route.size(); ++k) {
      const Vec2 seg = def.route[k + 1] - def.route[k];
      const double len = seg.norm();
      if (left <= len) {
        s.direction = seg / len;
        s.position = def.route[k] + s.direction * left;
        atEnd = false;
        break;
      }
      left -= len;
    }
    if (atEnd) {
      s.present = false;
      s.finished = true;
      s.position = def.route.back();
      s.speed = 0.0;
      events_.push_back({t, EventType::VehicleArrived, 0, -1, s.position, 0.0, static_cast<int>(v)});
    }
  }
}

}  // namespace unrest
