#include "unrest/simulation.hpp"

#include "simulation_state.hpp"

#include <chrono>
#include <cmath>

namespace unrest {

namespace {
constexpr int kVelocityModelSpan = 2;  // neighbour cells either side of a person's own that the velocity models may visit
}  // namespace

namespace {

bool modelIsActive(const Scenario& sc) {
  bool forcesOfOrder = false;
  for (const auto& pop : sc.populations) forcesOfOrder = forcesOfOrder || pop.role != Role::Civilian;
  return sc.civilViolence.enabled || sc.fear.enabled || !sc.factions.empty() || !sc.vehicles.empty() ||
         !sc.checkpoints.empty() || !sc.shops.empty() || !sc.events.empty() || forcesOfOrder;
}

void setUpModel(const Scenario& sc, const World& world, double dt, double maxRadius, ModelState& m) {
  m.active = modelIsActive(sc);
  m.plans.byPopulation.resize(sc.populations.size());
  for (std::size_t p = 0; p < sc.populations.size(); ++p) {
    const PopulationDef& pop = sc.populations[p];
    m.plans.byPopulation[p] = {pop.destinationZone, world.fieldForPopulation(int(p)), pop.onArrival};
  }
  m.timeline.legitimacy = sc.civilViolence.legitimacy;
  m.timeline.factionLegitimacy.assign(sc.factions.size(), 0.0);
  for (std::size_t f = 0; f < sc.factions.size(); ++f)
    m.timeline.factionLegitimacy[f] = sc.factions[f].legitimacy.value_or(m.timeline.legitimacy);
  if (sc.civilViolence.enabled || sc.fear.enabled)
    m.perception.grid.build(world.grid(), sc.civilViolence.enabled ? sc.civilViolence.vision : kFearOnlyVision,
                            static_cast<int>(sc.factions.size()));
  m.perception.every = std::max<std::int64_t>(1, std::llround(kPerceptionInterval / dt));
  m.decisionEvery = std::max<std::int64_t>(1, std::llround(sc.civilViolence.decisionInterval / dt));
  m.vehicles.assign(sc.vehicles.size(), VehicleState{});
  setUpCheckpoints(sc, m.checkpoints);
  setUpShops(sc, world, m.shops);
  std::size_t shots = 0;
  for (const auto& e : sc.events) shots += e.kind == EventKind::Gunshot;
  m.fear.flightFields.reserve(shots);
  m.fear.threats.reserve(256);
  m.police.proposals.reserve(64);
  const auto people = static_cast<std::size_t>(sc.totalPeople());
  setUpBrawls(sc, maxRadius, people, m.brawls);
  m.seenActivity.reserve(people);
}

}  // namespace

const char* stageName(Stage s) {
  switch (s) {
    case Stage::Timeline: return "timeline";
    case Stage::Spawn: return "spawn";
    case Stage::Index: return "index";
    case Stage::Perceive: return "perceive";
    case Stage::Decide: return "decide";
    case Stage::Interact: return "interact";
    case Stage::Move: return "move";
    case Stage::Harm: return "harm";
    case Stage::Arrive: return "arrive";
    case Stage::Record: return "record";
  }
  return "?";
}

void FoldedCells::build(const Grid& world, double side, std::size_t people, bool periodicX, int minFold) {
  // Along a periodic axis the cells must tile the period exactly (a short last cell would put people who touch
  // across the seam two cells apart), so the side grows to the period over a whole number of cells.
  if (periodicX) side = world.nx * world.h / std::max(1.0, std::floor(world.nx * world.h / side));
  grid.h = side;
  grid.origin = world.origin;
  grid.nx = std::max(1, static_cast<int>(std::ceil(world.nx * world.h / side - (periodicX ? 1e-9 : 0.0))));
  grid.ny = std::max(1, static_cast<int>(std::ceil(world.ny * world.h / side)));
  // A few buckets per person (at least 4096): enough that a bucket rarely holds people of two distant cells.
  const double target = std::max(4096.0, 4.0 * double(people));
  const double scale = std::min(1.0, std::sqrt(target / double(grid.size())));
  foldX = grid.nx;
  foldY = grid.ny;
  if (scale < 1.0) {
    foldX = std::min(grid.nx, std::max(minFold, static_cast<int>(std::ceil(grid.nx * scale))));
    foldY = std::min(grid.ny, std::max(minFold, static_cast<int>(std::ceil(grid.ny * scale))));
  }
  // Wrapping cells must wrap buckets too, so a periodic axis is never folded.
  if (periodicX) foldX = grid.nx;
  loX = periodicX ? std::numeric_limits<int>::min() / 2 : 0;
  hiX = periodicX ? std::numeric_limits<int>::max() / 2 : grid.nx;
}

const char* eventTypeName(EventType t) {
  switch (t) {
    case EventType::Injury: return "injury";
    case EventType::PopulationSpawned: return "population_spawned";
    case EventType::PopulationArrived: return "population_arrived";
    case EventType::Arrest: return "arrest";
    case EventType::Release: return "release";
    case EventType::LootingIncident: return "looting";
    case EventType::ShopEmptied: return "shop_emptied";
    case EventType::Gunshot: return "gunshot";
    case EventType::Legitimacy: return "legitimacy";
    case EventType::PolicePresence: return "police_presence";
    case EventType::Deploy: return "deploy";
    case EventType::CurfewStart: return "curfew_start";
    case EventType::CurfewEnd: return "curfew_end";
    case EventType::RallyCall: return "rally_call";
    case EventType::VehicleDeparted: return "vehicle_departed";
    case EventType::VehicleArrived: return "vehicle_arrived";
    case EventType::FirstBrawl: return "first_brawl";
    case EventType::Checkpoint: return "checkpoint";
  }
  return "?";
}

const char* injuryCauseName(InjuryCause c) {
  switch (c) {
    case InjuryCause::Crush: return "crush";
    case InjuryCause::Brawl: return "brawl";
    case InjuryCause::Gunshot: return "gunshot";
  }
  return "?";
}

Simulation::Simulation(const Scenario& scenario, const World& world, int threads)
    : scenario_(scenario), world_(world), rng_(scenario.seed), threads_(std::max(1, threads)),
      state_(std::make_unique<SimulationState>()) {
  dt_ = scenario.clock.dt;
  totalSteps_ = static_cast<std::int64_t>(std::llround(scenario.clock.duration / dt_));
  recordEvery_ = std::max<std::int64_t>(1, std::llround(scenario.clock.recordInterval / dt_));
  SimulationState& s = *state_;
  const auto total = static_cast<std::size_t>(scenario.totalPeople());
  s.agents.reserve(total);
  s.ids.of.reserve(total);
  s.spawner.spawnedOf.assign(scenario.populations.size(), 0);
  s.spawner.announcedArrival.assign(scenario.populations.size(), 0);
  const double maxRadius = scenario.largestRadius();

  // Neighbour cells large enough that all interactions of a person lie in its 3×3 block, and so does the square
  // metre around them that the local density counts (localDensity, stages.hpp), with room for a step's movement.
  constexpr double kSmallestNeighbourCell = 1.0;  // m
  const Grid& g = world.grid();
  NeighbourIndex& nbr = s.neighbours;
  // The velocity models' reach (the headway of the fastest walker, 2.6 m with Weidmann's speeds) is long; their cells
  // are half of it, and each person visits only the cells their own speed needs (5×5 at most, less the corners).
  // Smaller cells would visit less ground but fold more of a city onto the same buckets (measured on the Bishkek
  // map: quarter-reach cells made the move stage 4× slower than HFV's).
  nbr.span = scenario.locomotion.velocityModel() ? kVelocityModelSpan : 1;
  nbr.cells.build(g, std::max(scenario.neighbourReach() / nbr.span, kSmallestNeighbourCell), total, world.periodX() > 0,
                  2 * nbr.span + 1);
  if (world.periodX() > 0) {
    nbr.periodic.period = world.periodX();
    nbr.periodic.half = 0.5 * nbr.periodic.period;
    nbr.periodic.start = g.origin.x();
    nbr.periodic.end = g.origin.x() + nbr.periodic.period;
    // The block of cells around a person must fit in the period, or it would meet the same cell twice.
    if (nbr.cells.grid.nx < 2 * nbr.span + 1)
      throw ScenarioError({{Location{scenario.file, 1, 1}, "map.periodic",
                            "the period is shorter than the block of neighbour cells around a person (expected x_max - x_min >= " +
                                std::to_string((2 * nbr.span + 1) * nbr.cells.grid.h) + " m with these radii and this locomotion model)"}});
  }
  nbr.cellStart.assign(nbr.cells.buckets() + 2, 0);
  nbr.chunkCounts.reserve((nbr.cells.buckets() + 1) * std::size_t(threads_));
  nbr.cellOrder.reserve(total);
  nbr.packed.reserve(total);
  s.spawner.head.assign(nbr.cells.buckets(), -1);
  s.spawner.next.reserve(total);

  s.crowdPressure.build(world, dt_, total);
  s.outcomes.events.reserve(64);
  setUpModel(scenario, world, dt_, maxRadius, s.model);
  s.row.factions.reserve(scenario.factions.size());
  s.row.checkpoints.reserve(scenario.checkpoints.size());
}

Simulation::~Simulation() = default;

template <class StageRun>
void Simulation::timed(Stage stage, StageRun&& run) {
  const auto start = std::chrono::steady_clock::now();
  run();
  profile_[stage] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Simulation::step() {
  SimulationState& s = *state_;
  ModelState& model = s.model;
  Population& a = s.agents;
  Outcomes& out = s.outcomes;
  out.events.clear();
  recorded_ = false;
  const StepContext ctx{scenario_, world_, rng_, threads_, dt_, stepIndex_};
  timed(Stage::Timeline, [&] { if (model.active) runTimeline(ctx, s.neighbours, s.ids, model, a, out); });
  timed(Stage::Spawn, [&] { runSpawn(ctx, s.neighbours, model, s.spawner, a, s.ids, out); });
  timed(Stage::Index, [&] { runIndex(ctx, s.neighbours, s.ids, a); });
  if (model.active) {
    timed(Stage::Perceive, [&] { runPerceive(ctx, a, model.checkpoints, model.perception, model.shops); });
    timed(Stage::Decide, [&] { runDecide(ctx, s.neighbours, s.ids, model, a); });
    timed(Stage::Interact, [&] { runInteract(ctx, s.neighbours, s.ids, model, a, out); });
  }
  timed(Stage::Move, [&] { runMove(ctx, s.neighbours, model, a, out.tally); });
  std::int64_t injured = 0;
  timed(Stage::Harm, [&] { injured = runHarm(ctx, s.neighbours, model.fear, a, out, s.peaks); });
  timed(Stage::Arrive, [&] { runArrive(ctx, model.plans, injured, s.spawner, a, out); });
  ++stepIndex_;
  timed(Stage::Record, [&] {
    if (stepIndex_ % s.crowdPressure.stepsPerSample() == 0) s.crowdPressure.sample(a);
    if (stepIndex_ % recordEvery_ == 0 || stepIndex_ == totalSteps_) recordRow();
  });
}

void Simulation::recordRow() {
  const StepContext ctx{scenario_, world_, rng_, threads_, dt_, stepIndex_};
  SimulationState& s = *state_;
  runRecord(ctx, s.neighbours, s.agents, s.model, s.outcomes.tally, scenario_.totalPeople(), s.peaks, s.crowdPressure,
            s.row);
  recorded_ = true;
}

bool Simulation::recordNow() {
  state_->outcomes.events.clear();  // already reported with their step
  if (recorded_) return false;
  recordRow();
  return true;
}

const Population& Simulation::agents() const { return state_->agents; }
const std::vector<Event>& Simulation::stepEvents() const { return state_->outcomes.events; }
const MetricsRow& Simulation::lastRow() const { return state_->row; }
std::int64_t Simulation::spawned() const { return state_->outcomes.tally.spawned; }
std::int64_t Simulation::waitingForRoom() const {
  if (stepIndex_ == 0) return 0;
  const double lastSpawn = double(stepIndex_ - 1) * dt_;  // the time the spawn stage last ran
  std::int64_t blocked = 0;
  for (std::size_t p = 0; p < scenario_.populations.size(); ++p)
    blocked += std::max<std::int64_t>(0, dueToSpawn(scenario_.populations[p], lastSpawn) - state_->spawner.spawnedOf[p]);
  return blocked;
}
std::int64_t Simulation::agentSteps() const { return state_->outcomes.tally.agentSteps; }
std::int64_t Simulation::injuries(InjuryCause c) const { return state_->outcomes.tally.injuries[int(c)]; }
std::int64_t Simulation::injuriesTotal() const {
  const auto& i = state_->outcomes.tally.injuries;
  return i[0] + i[1] + i[2];
}
std::int64_t Simulation::arrests() const { return state_->outcomes.tally.arrests; }
bool Simulation::modelActive() const { return state_->model.active; }
std::int64_t Simulation::lootingIncidents() const { return state_->outcomes.tally.lootingIncidents; }
double Simulation::lootingDamage() const { return state_->outcomes.tally.lootingDamage; }
double Simulation::legitimacy() const { return state_->model.timeline.legitimacy; }
double Simulation::policePresence() const { return state_->model.timeline.policePresence; }
bool Simulation::curfew() const { return state_->model.timeline.curfew(time()); }
const std::vector<VehicleState>& Simulation::vehicles() const { return state_->model.vehicles; }
const std::vector<CheckpointCounts>& Simulation::checkpoints() const { return state_->model.checkpoints.counts; }
std::int64_t Simulation::barrierCrossings() const { return state_->outcomes.tally.barrierCrossings; }
const std::vector<double>& Simulation::shopStock() const { return state_->model.shops.stock; }
std::int64_t Simulation::indexOfId(std::uint32_t id) const { return state_->ids(id); }
std::int64_t Simulation::exited() const { return state_->outcomes.tally.exited; }
double Simulation::neighbourCellSide() const { return state_->neighbours.cells.grid.h; }
Vec2 Simulation::offset(const Vec2& a, const Vec2& b) const { return state_->neighbours.periodic.offset(a, b); }

std::int64_t Simulation::active() const {
  std::int64_t n = 0;
  for (auto st : state_->agents.state) n += walkingOrArrived(st);
  return n;
}

std::vector<std::uint32_t> Simulation::neighboursOf(std::size_t i, double radius) const {
  const SimulationState& s = *state_;
  std::vector<std::uint32_t> ids;
  const Vec2 p(s.agents.x[i], s.agents.y[i]);
  auto collect = [&](const NeighbourSlot& o) {
    if (o.index != i && offset(Vec2(o.x, o.y), p).norm() < radius) ids.push_back(s.agents.id[o.index]);
  };
  if (s.neighbours.periodic.on()) s.neighbours.forEachCandidate<true>(p, collect);
  else s.neighbours.forEachCandidate<false>(p, collect);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::size_t Simulation::memoryBytes() const {
  const SimulationState& s = *state_;
  std::size_t flight = 0;
  for (const auto& f : s.model.fear.flightFields) flight += f.distance.size() * sizeof(float);
  const NeighbourIndex& nbr = s.neighbours;
  return s.agents.size() * s.agents.bytesPerAgent() +
         (nbr.cellStart.size() + nbr.cellOrder.size() + s.spawner.head.size() +
          s.spawner.next.size()) * 4 +
         nbr.packed.size() * sizeof(NeighbourSlot) +
         s.crowdPressure.memoryBytes() + world_.memoryBytes() + s.model.perception.grid.memoryBytes() + flight +
         s.ids.of.size() * sizeof(std::int32_t) + s.model.brawls.marks.size() + s.model.seenActivity.size();
}

}  // namespace unrest
