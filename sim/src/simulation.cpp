#include "unrest/simulation.hpp"
#include "unrest/measurement.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace unrest {

namespace {

// Reordering the arrays by cell costs about one force pass over a few columns; every few steps keeps memory
// local (people move < 0.5 m in that time) at a fraction of the cost.
constexpr std::int64_t kReorderInterval = 8;

class StageTimer {
public:
  explicit StageTimer(double& slot) : slot_(slot), start_(std::chrono::steady_clock::now()) {}
  ~StageTimer() { slot_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

private:
  double& slot_;
  std::chrono::steady_clock::time_point start_;
};

double maxRadiusOf(const Scenario& sc) {
  double r = 0.0;
  for (const auto& p : sc.populations)
    r = std::max(r, p.radius.kind == Distribution::Kind::Constant ? p.radius.value : p.radius.max);
  return std::max(r, 0.1);
}

}  // namespace

void FoldedCells::build(const Grid& world, double side, std::size_t people, bool periodicX) {
  // Along a periodic axis the cells must tile the period exactly (a short last cell would put people who touch
  // across the seam two cells apart), so the side grows to the period over a whole number of cells.
  if (periodicX) side = world.nx * world.h / std::max(1.0, std::floor(world.nx * world.h / side));
  grid.h = side;
  grid.origin = world.origin;
  grid.nx = std::max(1, static_cast<int>(std::ceil(world.nx * world.h / side - (periodicX ? 1e-9 : 0.0))));
  grid.ny = std::max(1, static_cast<int>(std::ceil(world.ny * world.h / side)));
  const double target = std::max(4096.0, 4.0 * double(people));
  const double scale = std::min(1.0, std::sqrt(target / double(grid.size())));
  foldX = grid.nx;
  foldY = grid.ny;
  if (scale < 1.0) {
    foldX = std::min(grid.nx, std::max(3, static_cast<int>(std::ceil(grid.nx * scale))));
    foldY = std::min(grid.ny, std::max(3, static_cast<int>(std::ceil(grid.ny * scale))));
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
    : scenario_(scenario), world_(world), rng_(scenario.seed), threads_(std::max(1, threads)) {
  dt_ = scenario.clock.dt;
  totalSteps_ = static_cast<std::int64_t>(std::llround(scenario.clock.duration / dt_));
  recordEvery_ = std::max<std::int64_t>(1, std::llround(scenario.clock.recordInterval / dt_));

  const auto total = static_cast<std::size_t>(scenario.totalPeople());
  agents_.reserve(total);
  spawnedOf_.assign(scenario.populations.size(), 0);
  announcedArrival_.assign(scenario.populations.size(), 0);

  // Neighbour cells large enough that all interactions of a person lie in its 3×3 block.
  const Grid& g = world.grid();
  cells_.build(g, 2.0 * maxRadiusOf(scenario) + scenario.physics.interactionRange, total, world.periodX() > 0);
  if (world.periodX() > 0) {
    period_ = world.periodX();
    halfPeriod_ = 0.5 * period_;
    periodStart_ = g.origin.x();
    periodEnd_ = g.origin.x() + period_;
    // Three cells along the period at least, or the 3×3 block around a person would meet the same cell twice.
    if (cells_.grid.nx < 3)
      throw ScenarioError({{Location{scenario.file, 1, 1}, "map.periodic",
                            "the period is shorter than three neighbour cells (expected x_max - x_min >= " +
                                std::to_string(3.0 * cells_.grid.h) + " m with these radii and physics.interaction_range)"}});
  }
  if (scenario.measurement.any()) measurement_ = std::make_unique<Measurement>(*this);
  cellStart_.assign(cells_.buckets() + 2, 0);
  chunkCounts_.reserve((cells_.buckets() + 1) * std::size_t(threads_));
  cellOrder_.reserve(total);
  packed_.reserve(total);
  reorderScratch_.reserve(total);
  spawnHead_.assign(cells_.buckets(), -1);
  spawnNext_.reserve(total);

  densityGrid_ = coarseCells(g, scenario.output.densityCell);
  densityArea_ = walkableAreaPerCell(world, densityGrid_);
  densityCount_.assign(densityGrid_.size(), 0);
  densitySumVx_.assign(densityGrid_.size(), 0.0);
  densitySumVy_.assign(densityGrid_.size(), 0.0);
  densitySumV2_.assign(densityGrid_.size(), 0.0);
  events_.reserve(64);
  marks_.reserve(total);
  indexOfId_.reserve(total);
  maxRadius_ = maxRadiusOf(scenario);
  setUpModel();
}

Simulation::~Simulation() = default;

std::int64_t Simulation::active() const {
  std::int64_t n = 0;
  for (auto s : agents_.state) n += (s == std::uint8_t(AgentState::Walking) || s == std::uint8_t(AgentState::Arrived));
  return n;
}

void Simulation::step() {
  events_.clear();
  recorded_ = false;
  { StageTimer t(profile_.seconds[0]); stageEvents(); }
  { StageTimer t(profile_.seconds[1]); stageIndex(); }
  if (modelActive_) {
    { StageTimer t(profile_.seconds[2]); stagePerceive(); }
    { StageTimer t(profile_.seconds[3]); stageDecide(); }
    { StageTimer t(profile_.seconds[4]); stageInteract(); }
  }
  { StageTimer t(profile_.seconds[5]); stageMove(); }
  { StageTimer t(profile_.seconds[6]); stageHarm(); }
  ++stepIndex_;
  { StageTimer t(profile_.seconds[7]); stageRecord(); }
}

// ---------------------------------------------------------------- events: arrivals of people

Vec2 Simulation::randomSpot(int zone, std::uint64_t step, std::uint64_t subject, RandomPurpose purpose) const {
  const auto& cells = world_.zoneCells(zone);
  auto stream = rng_.stream(step, subject, purpose);
  const Grid& g = world_.grid();
  Vec2 spot = Vec2::Zero();
  // A few tries for a spot a body fits in; in a zone that is all narrow passages the last try stands.
  for (int attempt = 0; attempt < 8; ++attempt) {
    const auto pick = static_cast<std::size_t>(stream() * double(cells.size()));
    const auto c = static_cast<std::size_t>(cells[std::min(pick, cells.size() - 1)]);
    const int i = static_cast<int>(c % g.nx), j = static_cast<int>(c / g.nx);
    spot = g.origin + Vec2((i + stream()) * g.h, (j + stream()) * g.h);
    if (world_.bodyFits(spot, 0.35)) break;
  }
  return spot;
}

Vec2 Simulation::visibleSpot(const Vec2& from, int zone, std::uint32_t agentId, double radius) const {
  for (int attempt = 0; attempt < 16; ++attempt) {
    const Vec2 spot = randomSpot(zone, std::uint64_t(stepIndex_), (std::uint64_t(agentId) << 8) | std::uint64_t(attempt), RandomPurpose::GoalSpot);
    if (world_.bodyFits(spot, radius) && world_.lineOfSight(from, spot)) return spot;
  }
  return from;  // stand where they are
}

void Simulation::rebuildSpawnGrid() {
  std::fill(spawnHead_.begin(), spawnHead_.end(), -1);
  spawnNext_.assign(agents_.size(), -1);
  for (std::size_t k = 0; k < agents_.size(); ++k) {
    if (!onStreet(agents_.state[k])) continue;
    const auto c = cells_.bucketAt(agents_.x[k], agents_.y[k]);
    spawnNext_[k] = spawnHead_[c];
    spawnHead_[c] = static_cast<std::int32_t>(k);
  }
}

bool Simulation::spotIsFree(const Vec2& pos, double r) const {
  if (!world_.bodyFits(pos, r + 0.02)) return false;
  for (std::size_t v = 0; v < vehicles_.size(); ++v)
    if (vehicles_[v].present && vehicles_[v].distance(scenario_.vehicles[v], pos) < r + 0.02) return false;
  const int ci = cells_.cellX(pos.x()), cj = cells_.cellY(pos.y());
  for (int j = cj - 1; j <= cj + 1; ++j)
    for (int i = ci - 1; i <= ci + 1; ++i) {
      if (j < 0 || j >= cells_.grid.ny || i < cells_.loX || i >= cells_.hiX) continue;
      const int wrapped = (i + cells_.grid.nx) % cells_.grid.nx;  // i itself unless the map is periodic
      for (std::int32_t k = spawnHead_[cells_.bucket(wrapped, j)]; k >= 0; k = spawnNext_[k]) {
        const double minGap = r + agents_.radius[k] + 0.02;
        if (offset(Vec2(agents_.x[k], agents_.y[k]), pos).squaredNorm() < minGap * minGap) return false;
      }
    }
  return true;
}

// Attributes depend on (population, index) only, so they do not change with when or where one spawns.
std::uint64_t Simulation::personSubject(int p, std::int64_t indexInPopulation) {
  return (std::uint64_t(p) << 40) ^ std::uint64_t(indexInPopulation);
}

double Simulation::radiusOf(int p, std::int64_t indexInPopulation) const {
  return scenario_.populations[p].radius.sample(rng_.stream(0, personSubject(p, indexInPopulation), RandomPurpose::Radius));
}

void Simulation::addAgent(int p, std::int64_t indexInPopulation, const Vec2& pos) {
  const PopulationDef& pop = scenario_.populations[p];
  const std::uint64_t subject = personSubject(p, indexInPopulation);
  const double v0 = pop.desiredSpeed.sample(rng_.stream(0, subject, RandomPurpose::DesiredSpeed));
  const double r = radiusOf(p, indexInPopulation);
  const PlanNow& plan = plan_[p];
  const Vec2 goal = plan.zone >= 0 ? randomSpot(plan.zone, 0, subject, RandomPurpose::GoalSpot) : pos;
  const auto field = static_cast<std::uint16_t>(plan.field);
  const auto id = static_cast<std::uint32_t>(spawnedTotal_++);
  agents_.pushBack(id, static_cast<std::uint16_t>(p), static_cast<std::uint32_t>(indexInPopulation), field, pos.x(),
                   pos.y(), static_cast<float>(r), static_cast<float>(v0), static_cast<float>(goal.x()),
                   static_cast<float>(goal.y()));
  const std::size_t k = agents_.size() - 1;
  agents_.state[k] = static_cast<std::uint8_t>(world_.inDestination(field, pos) ? AgentState::Arrived : AgentState::Walking);
  agents_.role[k] = static_cast<std::uint8_t>(pop.role);
  agents_.faction[k] = pop.faction >= 0 ? static_cast<std::uint8_t>(pop.faction) : kNoFaction;
  if (!pop.patrol.empty()) agents_.target[k] = 0;  // the first stop of the patrol
  indexOfId_.push_back(static_cast<std::int64_t>(k));
  marks_.push_back(0);
  // Whoever is off duty at the time they would appear stays off the streets until their shift begins.
  if (!onDuty(k)) agents_.state[k] = static_cast<std::uint8_t>(AgentState::Away);
  spawnedOf_[p]++;
}

void Simulation::spawnPopulation(int p, std::int64_t due) {
  const PopulationDef& pop = scenario_.populations[p];
  const std::uint64_t subjectBase = personSubject(p, 0);
  // Bounded attempts per step: after a run of misses the zone counts as full, and the rest wait for people to
  // move on instead of stalling the step.
  constexpr int kMissesBeforeFull = 500;
  int misses = 0;
  for (std::int64_t attempt = 0; misses < kMissesBeforeFull && spawnedOf_[p] < due; ++attempt) {
    const double r = radiusOf(p, spawnedOf_[p]);
    const Vec2 pos = randomSpot(pop.spawnZone, std::uint64_t(stepIndex_), subjectBase ^ std::uint64_t(attempt), RandomPurpose::SpawnPosition);
    if (!spotIsFree(pos, r)) {
      ++misses;
      continue;
    }
    misses = 0;
    addAgent(p, spawnedOf_[p], pos);
    const std::size_t k = agents_.size() - 1;
    const auto c = cells_.bucketAt(pos.x(), pos.y());
    spawnNext_.push_back(spawnHead_[c]);
    spawnHead_[c] = static_cast<std::int32_t>(k);
  }
}

void Simulation::spawnLattice(int p) {
  // A hexagonal lattice filling the zone at the spacing that holds everyone: the standard start for fixed-density
  // experiments, where random placement jams long before 2 people/m².
  const PopulationDef& pop = scenario_.populations[p];
  const auto& cells = world_.zoneCells(pop.spawnZone);
  const Grid& g = world_.grid();
  const double rMax = pop.radius.kind == Distribution::Kind::Constant ? pop.radius.value : pop.radius.max;
  const double area = world_.zoneArea(pop.spawnZone);
  double spacing = std::sqrt(2.0 * area / (std::sqrt(3.0) * double(std::max<std::int64_t>(1, pop.count))));
  Vec2 lo(1e300, 1e300), hi(-1e300, -1e300);
  for (auto c : cells) {
    const Vec2 centre = g.centre(static_cast<int>(c % g.nx), static_cast<int>(c / g.nx));
    lo = lo.cwiseMin(centre);
    hi = hi.cwiseMax(centre);
  }
  lo.array() -= 0.5 * g.h;
  hi.array() += 0.5 * g.h;
  // A zone spanning a whole periodic map gets a lattice that tiles the period, so nobody overlaps across it.
  const bool tilesPeriod = period_ > 0 && hi.x() - lo.x() >= period_ - 1e-9;
  std::vector<Vec2> spots;
  for (int tries = 0; tries < 60; ++tries) {
    spots.clear();
    const double rowStep = spacing * std::sqrt(3.0) / 2.0;
    const double stepX = tilesPeriod ? period_ / std::max(1.0, std::floor(period_ / spacing)) : spacing;
    int row = 0;
    for (double y = lo.y() + 0.5 * rowStep; y < hi.y(); y += rowStep, ++row)
      for (double x = lo.x() + (row % 2 ? stepX : 0.5 * stepX); x < hi.x() - (tilesPeriod ? 0.25 * stepX : 0.0); x += stepX) {
        const Vec2 s(x, y);
        if (world_.zones()[pop.spawnZone].contains(s) && world_.bodyFits(s, rMax + 0.02))
          spots.push_back(s);
      }
    // Tighten until everyone fits, but never so far that bodies would overlap.
    if (std::int64_t(spots.size()) >= pop.count || spacing * 0.98 < 2.0 * rMax + 0.02) break;
    spacing *= 0.98;
  }
  // A deterministic random subset when the lattice has room to spare.
  for (std::size_t k = 0; k + 1 < spots.size(); ++k) {
    const auto pick = k + static_cast<std::size_t>(rng_.uniform(0, personSubject(p, std::int64_t(k)), RandomPurpose::LatticeOrder) * double(spots.size() - k));
    std::swap(spots[k], spots[std::min(pick, spots.size() - 1)]);
  }
  const std::int64_t n = std::min<std::int64_t>(pop.count, static_cast<std::int64_t>(spots.size()));
  for (std::int64_t k = 0; k < n; ++k) addAgent(p, k, spots[k]);
}

void Simulation::stageEvents() {
  const double t = time();
  if (modelActive_) {
    applyTimeline();
    moveVehicles();  // before anyone spawns, so nobody appears inside a vehicle that arrives now
  }
  bool gridReady = false;
  for (std::size_t p = 0; p < scenario_.populations.size(); ++p) {
    const PopulationDef& pop = scenario_.populations[p];
    const std::int64_t total = pop.totalCount();
    if (spawnedOf_[p] >= total) continue;
    const std::int64_t before = spawnedOf_[p];
    if (pop.layout == SpawnLayout::Lattice && before == 0 && t + 1e-9 >= pop.spawnStart) {
      spawnLattice(static_cast<int>(p));
      gridReady = false;  // the spawn grid must now include them
    }
    // Random arrivals, and whoever the lattice had no room for, who wait for space like any arrival.
    if (spawnedOf_[p] < total) {
      const std::int64_t due = dueOf(static_cast<int>(p), t);
      if (due > spawnedOf_[p]) {
        if (!gridReady) rebuildSpawnGrid();
        gridReady = true;
        spawnPopulation(static_cast<int>(p), due);
      }
    }
    if (spawnedOf_[p] >= total && before < total)
      events_.push_back({t, EventType::PopulationSpawned, 0, static_cast<int>(p), Vec2::Zero(), double(total)});
  }
  if (modelActive_) {
    updateDuties();
    if (!pendingPlacement_.empty()) {
      if (!gridReady) rebuildSpawnGrid();
      for (const std::int32_t i : pendingPlacement_) placeOnStreet(static_cast<std::size_t>(i), homeZoneOf(static_cast<std::size_t>(i)));
      pendingPlacement_.clear();
    }
  }
}

std::int64_t Simulation::dueOf(int p, double t) const {
  const PopulationDef& pop = scenario_.populations[p];
  auto wave = [&](double start, double rate, std::int64_t count) -> std::int64_t {
    if (t + 1e-9 < start) return 0;
    if (rate <= 0) return count;
    return std::min<std::int64_t>(count, static_cast<std::int64_t>(std::floor((t - start) * rate + 1e-9)) + 1);
  };
  std::int64_t due = wave(pop.spawnStart, pop.spawnRate, pop.count);
  for (const auto& w : pop.waves) due += wave(w.start, w.rate, w.count);
  return due;
}

// ---------------------------------------------------------------- index: neighbour cells

void Simulation::stageIndex() {
  const auto n = agents_.size();
  const bool reorder = stepIndex_ % kReorderInterval == 0;
  // People off the streets (jailed, away) go to one bucket past the last, so they keep their place in the arrays
  // but are never anyone's neighbour.
  const auto offStreet = static_cast<std::uint32_t>(cells_.buckets());
#pragma omp parallel for schedule(static) num_threads(threads_) if (n > kParallelMinimum)
  for (std::size_t k = 0; k < n; ++k)
    agents_.cell[k] = onStreet(agents_.state[k]) ? cells_.bucketAt(agents_.x[k], agents_.y[k]) : offStreet;

  // Counting sort by cell; people who left are dropped here.
  // Stable counting sort by bucket, in parallel: each thread counts and scatters one contiguous chunk, and the
  // chunks' offsets are laid out in chunk order, so the result is the serial stable order for any thread count.
  auto countingSort = [&](std::vector<std::uint32_t>& order) {
    // Below some tens of thousands of people the sort is faster on one thread than the cost of waking others.
    const int chunks = n > std::size_t(64 * kParallelMinimum) ? threads_ : 1;
    const std::size_t buckets = cells_.buckets() + 1;
    chunkCounts_.assign(std::size_t(chunks) * buckets, 0u);
    auto chunkBegin = [&](int t) { return n * std::size_t(t) / std::size_t(chunks); };
#pragma omp parallel for schedule(static, 1) num_threads(chunks)
    for (int t = 0; t < chunks; ++t) {
      std::uint32_t* counts = chunkCounts_.data() + std::size_t(t) * buckets;
      for (std::size_t k = chunkBegin(t); k < chunkBegin(t + 1); ++k)
        if (agents_.state[k] != std::uint8_t(AgentState::Exited)) ++counts[agents_.cell[k]];
    }
    std::uint32_t running = 0;
    for (std::size_t b = 0; b < buckets; ++b) {
      cellStart_[b] = running;
      for (int t = 0; t < chunks; ++t) {
        std::uint32_t& c = chunkCounts_[std::size_t(t) * buckets + b];
        const std::uint32_t count = c;
        c = running;  // becomes this chunk's write cursor in bucket b
        running += count;
      }
    }
    cellStart_[buckets] = running;
    order.resize(running);
#pragma omp parallel for schedule(static, 1) num_threads(chunks)
    for (int t = 0; t < chunks; ++t) {
      std::uint32_t* cursor = chunkCounts_.data() + std::size_t(t) * buckets;
      for (std::size_t k = chunkBegin(t); k < chunkBegin(t + 1); ++k)
        if (agents_.state[k] != std::uint8_t(AgentState::Exited)) order[cursor[agents_.cell[k]]++] = static_cast<std::uint32_t>(k);
    }
  };
  if (reorder) {
    countingSort(reorderScratch_);
    agents_.reorder(reorderScratch_, threads_);  // now sorted by cell, exited people gone
    cellOrder_.resize(agents_.size());
    std::iota(cellOrder_.begin(), cellOrder_.end(), 0u);
    std::fill(indexOfId_.begin(), indexOfId_.end(), -1);
    for (std::size_t k = 0; k < agents_.size(); ++k) indexOfId_[agents_.id[k]] = static_cast<std::int64_t>(k);
    marks_.resize(agents_.size());
  } else {
    countingSort(cellOrder_);
  }
  const auto m = static_cast<std::int64_t>(cellStart_[offStreet]);
  packed_.resize(static_cast<std::size_t>(m));
#pragma omp parallel for schedule(static) num_threads(threads_) if (m > kParallelMinimum)
  for (std::int64_t s = 0; s < m; ++s) {
    const std::uint32_t k = cellOrder_[s];
    packed_[s] = {agents_.x[k], agents_.y[k], static_cast<float>(agents_.vx[k]), static_cast<float>(agents_.vy[k]),
                  agents_.radius[k], k};
  }
}

// ---------------------------------------------------------------- harm: crush injuries and arrivals

void Simulation::stageHarm() {
  const double threshold = scenario_.harm.injuryPressure, holdTime = scenario_.harm.injuryTime;
  const auto n = static_cast<std::int64_t>(agents_.size());
  Population& a = agents_;
  std::int64_t changes = 0, corrections = 0, crossings = 0;
  // Marks are written per person; events are gathered afterwards in id order.
#pragma omp parallel for schedule(static) num_threads(threads_) if (n > kParallelMinimum) reduction(+ : changes, corrections, crossings)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto state = static_cast<AgentState>(a.state[i]);
    if (state == AgentState::Jailed) a.pause[i] -= static_cast<float>(dt_);
    if (state != AgentState::Walking && state != AgentState::Arrived) continue;
    std::uint8_t mark = a.corrected[i];
    corrections += mark & kMarkWallCorrection;
    crossings += (mark & kMarkCrossedBarrier) != 0;
    if (a.pressure[i] > threshold) {
      a.overPressureTime[i] += static_cast<float>(dt_);
      if (a.overPressureTime[i] >= holdTime) {
        a.state[i] = static_cast<std::uint8_t>(AgentState::Injured);
        a.vx[i] = a.vy[i] = 0.0;
        mark |= kMarkInjured;
      }
    } else {
      a.overPressureTime[i] = 0.0f;
    }
    if (!(mark & kMarkInjured)) mark |= arrive(static_cast<std::size_t>(i), state);
    a.corrected[i] = mark;
    changes += (mark & ~(kMarkWallCorrection | kMarkCrossedBarrier)) != 0;
  }
  agentSteps_ += n;
  wallCorrections_ += corrections;
  barrierCrossings_ += crossings;
  if (changes == 0) return;

  const std::size_t firstNew = events_.size();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint8_t mark = a.corrected[i];
    if (mark & kMarkInjured) recordInjury(static_cast<std::size_t>(i), InjuryCause::Crush, a.pressure[i]);
    if (mark & kMarkLeft) ++exitedTotal_;
  }
  std::sort(events_.begin() + static_cast<std::ptrdiff_t>(firstNew), events_.end(),
            [](const Event& l, const Event& r) { return l.agent < r.agent; });
  // A population has arrived when none of it is still walking or waiting to spawn.
  for (std::size_t p = 0; p < scenario_.populations.size(); ++p) {
    if (announcedArrival_[p] || spawnedOf_[p] < scenario_.populations[p].totalCount()) continue;
    bool anyWalking = false;
    for (std::int64_t i = 0; i < n && !anyWalking; ++i)
      anyWalking = a.group[i] == p && a.state[i] == std::uint8_t(AgentState::Walking);
    if (!anyWalking) {
      announcedArrival_[p] = 1;
      events_.push_back({time() + dt_, EventType::PopulationArrived, 0, static_cast<int>(p), Vec2::Zero(), 0.0});
    }
  }
}

std::uint8_t Simulation::arrive(std::size_t i, AgentState state) {
  Population& a = agents_;
  const Vec2 p(a.x[i], a.y[i]);
  const auto errand = static_cast<Errand>(a.errand[i]);
  if (a.pass[i] && (p - checkpointGate(a.pass[i] - 1)).squaredNorm() > 25.0) a.pass[i] = 0;
  if (errand == Errand::GoHome) {
    if (!world_.inDestination(a.field[i], p)) return 0;
    a.errand[i] = static_cast<std::uint8_t>(Errand::None);
    // Civilians have gone for good; the forces of order and volunteers may come back on duty.
    const bool civilian = a.role[i] == std::uint8_t(Role::Civilian);
    a.state[i] = static_cast<std::uint8_t>(civilian ? AgentState::Exited : AgentState::Away);
    a.vx[i] = a.vy[i] = 0.0;
    return civilian ? kMarkLeft : kMarkWentAway;
  }
  if (errand != Errand::None || a.activity[i] == std::uint8_t(Activity::Fleeing)) return 0;
  const PopulationDef& pop = scenario_.populations[a.group[i]];
  const PlanNow& plan = plan_[a.group[i]];
  if (state == AgentState::Walking && world_.inDestination(a.field[i], p)) {
    if (!pop.patrol.empty()) {  // on to the next stop
      a.target[i] = static_cast<std::int32_t>((a.target[i] + 1) % static_cast<std::int32_t>(pop.patrol.size()));
      a.field[i] = static_cast<std::uint16_t>(world_.fieldForZone(pop.patrol[a.target[i]]));
      return 0;
    }
    const bool leave = plan.onArrival == OnArrival::Leave;
    a.state[i] = static_cast<std::uint8_t>(leave ? AgentState::Exited : AgentState::Arrived);
    // Inside the zone people head straight for their spot, so it must be in sight from where they entered.
    if (!leave && !world_.lineOfSight(p, Vec2(a.goalX[i], a.goalY[i]))) {
      const Vec2 g = visibleSpot(p, plan.zone, a.id[i], a.radius[i]);
      a.goalX[i] = static_cast<float>(g.x());
      a.goalY[i] = static_cast<float>(g.y());
    }
    return leave ? kMarkLeft : kMarkReached;
  }
  if (state == AgentState::Arrived && plan.onArrival == OnArrival::Wander) wander(i, pop);
  return 0;
}

void Simulation::wander(std::size_t i, const PopulationDef& pop) {
  Population& a = agents_;
  const Vec2 p(a.x[i], a.y[i]);
  if ((Vec2(a.goalX[i], a.goalY[i]) - p).squaredNorm() >= 0.25) return;  // still on the way to the spot
  if (a.pause[i] < 0.0f) {  // just arrived: stand for an exponentially distributed while
    const double u = rng_.uniform(std::uint64_t(stepIndex_), a.id[i], RandomPurpose::Wander, 99);
    a.pause[i] = static_cast<float>(-std::log(1.0 - u) * pop.dwellTime);
    return;
  }
  a.pause[i] -= static_cast<float>(dt_);
  if (a.pause[i] > 0.0f) return;
  a.pause[i] = -1.0f;
  // Then a new spot nearby in the same zone: people in a rally shift about; they do not cross the square.
  Vec2 g = p;
  auto stream = rng_.stream(std::uint64_t(stepIndex_), a.id[i], RandomPurpose::Wander);
  bool found = false;
  for (int attempt = 0; attempt < 16 && !found; ++attempt) {
    const double radius = pop.wanderRadius * std::sqrt(stream()), angle = 2.0 * M_PI * stream();
    g = p + radius * Vec2(std::cos(angle), std::sin(angle));
    found = world_.inDestination(a.field[i], g) && world_.bodyFits(g, a.radius[i]) && world_.lineOfSight(p, g);
  }
  if (!found) g = p;  // nowhere in sight to go: stay a while longer
  a.goalX[i] = static_cast<float>(g.x());
  a.goalY[i] = static_cast<float>(g.y());
}

// ---------------------------------------------------------------- record: metrics

void Simulation::stageRecord() {
  if (stepIndex_ % recordEvery_ == 0 || stepIndex_ == totalSteps_) computeRow();
  if (measurement_) measurement_->afterStep(*this);
}

bool Simulation::recordNow() {
  events_.clear();  // already reported with their step
  if (recorded_) return false;
  computeRow();
  return true;
}

void Simulation::computeRow() {
  recorded_ = true;
  // Filled in place: the per-faction and per-checkpoint lists keep their storage from row to row.
  MetricsRow& row = row_;
  auto factions = std::move(row.factions);
  auto checkpoints = std::move(row.checkpoints);
  row = MetricsRow{};
  factions.assign(scenario_.factions.size(), FactionCounts{});
  checkpoints.assign(checkpointCounts_.begin(), checkpointCounts_.end());
  row.time = time();
  row.waiting = scenario_.totalPeople() - spawnedTotal_;
  row.byState[static_cast<int>(AgentState::Exited)] = exitedTotal_;
  std::fill(densityCount_.begin(), densityCount_.end(), 0u);
  std::fill(densitySumVx_.begin(), densitySumVx_.end(), 0.0);
  std::fill(densitySumVy_.begin(), densitySumVy_.end(), 0.0);
  std::fill(densitySumV2_.begin(), densitySumV2_.end(), 0.0);
  double speedSum = 0.0, fearSum = 0.0;
  std::int64_t moving = 0, civilians = 0;
  const Population& a = agents_;
  // Serial, in array order: sums are then the same whatever the thread count.
  for (std::size_t k = 0; k < a.size(); ++k) {
    const auto s = static_cast<AgentState>(a.state[k]);
    if (s == AgentState::Exited) continue;
    ++row.byState[static_cast<int>(s)];
    const bool civilian = a.role[k] == std::uint8_t(Role::Civilian);
    const Condition condition = a.condition(k);
    if (civilian) ++row.byCondition[static_cast<int>(condition)];
    if (a.faction[k] != kNoFaction) {
      FactionCounts& f = factions[a.faction[k]];
      f.onStreet += onStreet(a.state[k]);
      f.active += condition == Condition::Active;
      f.fighting += condition == Condition::Fighting;
      f.fleeing += condition == Condition::Fleeing;
      f.looting += condition == Condition::Looting;
      f.injured += condition == Condition::Injured;
      f.arrested += condition == Condition::Arrested;
    }
    if (!onStreet(a.state[k])) continue;
    const auto c = densityGrid_.index(std::clamp(densityGrid_.cellX(a.x[k]), 0, densityGrid_.nx - 1),
                                      std::clamp(densityGrid_.cellY(a.y[k]), 0, densityGrid_.ny - 1));
    ++densityCount_[c];
    if (s == AgentState::Injured) continue;
    ++row.onStreetByRole[a.role[k]];
    if (civilian) {
      fearSum += a.fear[k];
      ++civilians;
    }
    const double vx = a.vx[k], vy = a.vy[k];
    densitySumVx_[c] += vx;
    densitySumVy_[c] += vy;
    densitySumV2_[c] += vx * vx + vy * vy;
    speedSum += std::sqrt(vx * vx + vy * vy);
    ++moving;
    row.peakPressure = std::max(row.peakPressure, double(a.pressure[k]));
    row.contacts += a.pressure[k] > 0.0f;
  }
  const double minArea = 0.25 * densityGrid_.h * densityGrid_.h;  // ignore cells that are mostly wall
  for (std::size_t c = 0; c < densityGrid_.size(); ++c) {
    if (densityCount_[c] == 0 || densityArea_[c] < minArea) continue;
    const double rho = densityCount_[c] / densityArea_[c];
    row.peakDensity = std::max(row.peakDensity, rho);
    if (densityCount_[c] >= 2) {
      const double n = densityCount_[c];
      const double meanVx = densitySumVx_[c] / n, meanVy = densitySumVy_[c] / n;
      const double variance = std::max(0.0, densitySumV2_[c] / n - meanVx * meanVx - meanVy * meanVy);
      row.crowdPressure = std::max(row.crowdPressure, rho * variance);
    }
  }
  row.meanSpeed = moving ? speedSum / double(moving) : 0.0;
  row.meanFear = civilians ? fearSum / double(civilians) : 0.0;
  row.injuries = injuries_;
  row.injuriesCrush = injuries_[int(InjuryCause::Crush)];
  row.arrests = arrests_;
  row.lootingIncidents = lootingIncidents_;
  row.lootingDamage = lootingDamage_;
  row.legitimacy = legitimacy_;
  row.policePresence = policePresence_;
  row.night = night();
  row.curfew = curfew();
  row.wallCorrections = wallCorrections_;
  row.factions = std::move(factions);
  row.checkpoints = std::move(checkpoints);
}

std::size_t Simulation::memoryBytes() const {
  std::size_t flight = 0;
  for (const auto& f : flightFields_) flight += f.distance.size() * sizeof(float);
  return agents_.size() * agents_.bytesPerAgent() +
         (cellStart_.size() + cellOrder_.size() + reorderScratch_.size() + spawnHead_.size() + spawnNext_.size()) * 4 +
         densityArea_.size() * (8 * 4 + 4) + world_.memoryBytes() + perception_.memoryBytes() + flight +
         indexOfId_.size() * sizeof(std::int64_t) + marks_.size();
}

}  // namespace unrest
