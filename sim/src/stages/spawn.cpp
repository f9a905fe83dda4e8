// The spawn stage: people appear at their spawn zones as their populations' rates say (on a free spot, or they wait
// for room), jail terms run down, shifts change, and those released or back on duty are placed on the streets.
#include "stages.hpp"

#include <algorithm>
#include <cmath>

namespace unrest {

namespace {

// Bounded attempts per step: after a run of misses the zone counts as full, and the rest wait for people to move on
// instead of stalling the step.
constexpr int kMissesBeforeFull = 500;
// Tries for a free spot for someone coming back onto the streets; with no room they are tried again at the next
// duty check.
constexpr int kPlacementTries = 64;
// Bodies are placed at least this far apart and from walls and vehicles.
constexpr double kSpawnGap = 0.02;  // m

}  // namespace

std::int64_t dueToSpawn(const PopulationDef& pop, double t) {
  auto wave = [&](double start, double rate, std::int64_t count) -> std::int64_t {
    if (t + 1e-9 < start) return 0;
    if (rate <= 0) return count;
    return std::min<std::int64_t>(count, static_cast<std::int64_t>(std::floor((t - start) * rate + 1e-9)) + 1);
  };
  std::int64_t due = wave(pop.spawnStart, pop.spawnRate, pop.count);
  for (const auto& w : pop.waves) due += wave(w.start, w.rate, w.count);
  return due;
}

namespace {

double radiusOf(const StepContext& ctx, int p, std::int64_t indexInPopulation) {
  return ctx.scenario.populations[p].radius.sample(ctx.rng.stream(0, personSubject(p, indexInPopulation), RandomPurpose::Radius));
}

class Placer {
public:
  Placer(const StepContext& ctx, const NeighbourIndex& nbr, const ModelState& model, Spawner& spawner, Population& a,
         IdIndex& ids, Outcomes& out)
      : ctx_(ctx), nbr_(nbr), model_(model), s_(spawner), a_(a), ids_(ids), out_(out) {}

  void rebuildGridOnce() {
    if (gridReady_) return;
    gridReady_ = true;
    const FoldedCells& cells = nbr_.cells;
    std::fill(s_.head.begin(), s_.head.end(), -1);
    s_.next.assign(a_.size(), -1);
    for (std::size_t k = 0; k < a_.size(); ++k) {
      if (!onStreet(a_.state[k])) continue;
      const auto c = cells.bucketAt(a_.x[k], a_.y[k]);
      s_.next[k] = s_.head[c];
      s_.head[c] = static_cast<std::int32_t>(k);
    }
  }
  void invalidateGrid() { gridReady_ = false; }

  bool spotIsFree(const Vec2& pos, double r) const {
    if (!ctx_.world.bodyFits(pos, r + kSpawnGap)) return false;
    if (touchesVehicle(ctx_.scenario, model_.vehicles, pos, r + kSpawnGap)) return false;
    const FoldedCells& cells = nbr_.cells;
    const int ci = cells.cellX(pos.x()), cj = cells.cellY(pos.y());
    for (int j = cj - 1; j <= cj + 1; ++j)
      for (int i = ci - 1; i <= ci + 1; ++i) {
        if (j < 0 || j >= cells.grid.ny || i < cells.loX || i >= cells.hiX) continue;
        const int wrapped = (i + cells.grid.nx) % cells.grid.nx;  // i itself unless the map is periodic
        for (std::int32_t k = s_.head[cells.bucket(wrapped, j)]; k >= 0; k = s_.next[k]) {
          const double minGap = r + a_.radius[k] + kSpawnGap;
          if (nbr_.periodic.offset(Vec2(a_.x[k], a_.y[k]), pos).squaredNorm() < minGap * minGap) return false;
        }
      }
    return true;
  }

  void link(std::size_t k, const Vec2& pos) {
    const auto c = nbr_.cells.bucketAt(pos.x(), pos.y());
    s_.next.resize(a_.size(), -1);
    s_.next[k] = s_.head[c];
    s_.head[c] = static_cast<std::int32_t>(k);
  }

  void addAgent(int p, std::int64_t indexInPopulation, const Vec2& pos) {
    const PopulationDef& pop = ctx_.scenario.populations[p];
    const std::uint64_t subject = personSubject(p, indexInPopulation);
    const double v0 = pop.desiredSpeed.sample(ctx_.rng.stream(0, subject, RandomPurpose::DesiredSpeed));
    const double r = radiusOf(ctx_, p, indexInPopulation);
    const PlanNow& plan = model_.plans.byPopulation[p];
    const Vec2 goal = plan.zone >= 0 ? randomSpot(ctx_, plan.zone, 0, subject, RandomPurpose::GoalSpot) : pos;
    const auto field = static_cast<std::uint16_t>(plan.field);
    const auto id = static_cast<std::uint32_t>(out_.tally.spawned++);
    a_.pushBack(id, static_cast<std::uint16_t>(p), static_cast<std::uint32_t>(indexInPopulation), field, pos.x(), pos.y(),
                static_cast<float>(r), static_cast<float>(v0), static_cast<float>(goal.x()), static_cast<float>(goal.y()));
    const std::size_t k = a_.size() - 1;
    // A patrol never arrives: one that starts at its stop is walking, and the arrive stage sends it on to the next.
    const bool arrived = pop.patrol.empty() && ctx_.world.inDestination(field, pos);
    a_.state[k] = static_cast<std::uint8_t>(arrived ? AgentState::Arrived : AgentState::Walking);
    a_.role[k] = static_cast<std::uint8_t>(pop.role);
    a_.faction[k] = pop.faction >= 0 ? static_cast<std::uint8_t>(pop.faction) : kNoFaction;
    ids_.of.push_back(static_cast<std::int32_t>(k));
    // Whoever is off duty at the time they would appear stays off the streets until their shift begins.
    if (!onDuty(ctx_, model_.timeline, a_, k)) a_.state[k] = static_cast<std::uint8_t>(AgentState::Away);
    s_.spawnedOf[p]++;
  }

  void spawnRandomly(int p, std::int64_t due) {
    const PopulationDef& pop = ctx_.scenario.populations[p];
    const std::uint64_t subjectBase = personSubject(p, 0);
    int misses = 0;
    for (std::int64_t attempt = 0; misses < kMissesBeforeFull && s_.spawnedOf[p] < due; ++attempt) {
      const double r = radiusOf(ctx_, p, s_.spawnedOf[p]);
      const Vec2 pos = randomSpot(ctx_, pop.spawnZone, std::uint64_t(ctx_.step), subjectBase ^ std::uint64_t(attempt),
                                  RandomPurpose::SpawnPosition);
      if (!spotIsFree(pos, r)) {
        ++misses;
        continue;
      }
      misses = 0;
      addAgent(p, s_.spawnedOf[p], pos);
      const std::size_t k = a_.size() - 1;
      const auto c = nbr_.cells.bucketAt(pos.x(), pos.y());
      s_.next.push_back(s_.head[c]);
      s_.head[c] = static_cast<std::int32_t>(k);
    }
  }

  // A hexagonal lattice filling the zone at the spacing that holds everyone: the standard start for fixed-density
  // experiments, where random placement jams long before 2 people/m².
  void spawnLattice(int p) {
    const PopulationDef& pop = ctx_.scenario.populations[p];
    const World& world = ctx_.world;
    const auto& cells = world.zoneCells(pop.spawnZone);
    const Grid& g = world.grid();
    const double rMax = pop.radius.kind == Distribution::Kind::Constant ? pop.radius.value : pop.radius.max;
    const double area = world.zoneArea(pop.spawnZone);
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
    const double period = nbr_.periodic.period;
    const bool tilesPeriod = period > 0 && hi.x() - lo.x() >= period - 1e-9;
    std::vector<Vec2> spots;
    constexpr int kTightenings = 60;
    constexpr double kTighten = 0.98;  // each try packs the lattice 2 % tighter
    for (int tries = 0; tries < kTightenings; ++tries) {
      spots.clear();
      const double rowStep = spacing * std::sqrt(3.0) / 2.0;
      const double stepX = tilesPeriod ? period / std::max(1.0, std::floor(period / spacing)) : spacing;
      int row = 0;
      for (double y = lo.y() + 0.5 * rowStep; y < hi.y(); y += rowStep, ++row)
        for (double x = lo.x() + (row % 2 ? stepX : 0.5 * stepX); x < hi.x() - (tilesPeriod ? 0.25 * stepX : 0.0); x += stepX) {
          const Vec2 s(x, y);
          if (world.zones()[pop.spawnZone].contains(s) && world.bodyFits(s, rMax + kSpawnGap)) spots.push_back(s);
        }
      // Tighten until everyone fits, but never so far that bodies would overlap.
      if (std::int64_t(spots.size()) >= pop.count || spacing * kTighten < 2.0 * rMax + kSpawnGap) break;
      spacing *= kTighten;
    }
    // A deterministic random subset when the lattice has room to spare.
    for (std::size_t k = 0; k + 1 < spots.size(); ++k) {
      const auto pick = k + static_cast<std::size_t>(ctx_.rng.uniform(0, personSubject(p, std::int64_t(k)), RandomPurpose::LatticeOrder) *
                                                     double(spots.size() - k));
      std::swap(spots[k], spots[std::min(pick, spots.size() - 1)]);
    }
    const std::int64_t n = std::min<std::int64_t>(pop.count, static_cast<std::int64_t>(spots.size()));
    for (std::int64_t k = 0; k < n; ++k) addAgent(p, k, spots[k]);
  }

  // Back onto the streets at a free spot of their home zone: released from jail, or back on duty.
  void placeOnStreet(std::size_t i, int zone) {
    for (int attempt = 0; attempt < kPlacementTries; ++attempt) {
      const Vec2 pos = randomSpot(ctx_, zone, std::uint64_t(ctx_.step), (std::uint64_t(a_.id[i]) << 8) | std::uint64_t(attempt),
                                  RandomPurpose::Placement);
      if (!spotIsFree(pos, a_.radius[i])) continue;
      const bool released = a_.state[i] == std::uint8_t(AgentState::Jailed);
      a_.x[i] = pos.x();
      a_.y[i] = pos.y();
      a_.vx[i] = a_.vy[i] = 0.0;
      a_.activity[i] = static_cast<std::uint8_t>(Activity::Quiet);
      a_.fear[i] = 0.0f;
      a_.facingX[i] = a_.facingY[i] = 0.0f;
      a_.pass[i] = 0;
      a_.dwell[i] = -1.0f;
      a_.overPressureTime[i] = 0.0f;
      a_.state[i] = static_cast<std::uint8_t>(AgentState::Walking);
      resumePlan(ctx_, model_.plans, a_, i);
      link(i, pos);
      if (released) out_.events.push_back({ctx_.time(), EventType::Release, a_.id[i], a_.group[i], pos, 0.0});
      return;
    }
  }

private:
  const StepContext& ctx_;
  const NeighbourIndex& nbr_;
  const ModelState& model_;
  Spawner& s_;
  Population& a_;
  IdIndex& ids_;
  Outcomes& out_;
  bool gridReady_ = false;
};

}  // namespace

void runSpawn(const StepContext& ctx, const NeighbourIndex& nbr, const ModelState& model, Spawner& spawner,
              Population& a, IdIndex& ids, Outcomes& out) {
  const double t = ctx.time();
  // Jail terms run down (a term set this step starts running at the next).
  if (model.active)
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a.state[i] == std::uint8_t(AgentState::Jailed)) a.jailTerm[i] -= static_cast<float>(ctx.dt);
  Placer placer(ctx, nbr, model, spawner, a, ids, out);
  for (std::size_t p = 0; p < ctx.scenario.populations.size(); ++p) {
    const PopulationDef& pop = ctx.scenario.populations[p];
    const std::int64_t total = pop.totalCount();
    if (spawner.spawnedOf[p] >= total) continue;
    const std::int64_t before = spawner.spawnedOf[p];
    if (pop.layout == SpawnLayout::Lattice && before == 0 && t + 1e-9 >= pop.spawnStart) {
      placer.spawnLattice(static_cast<int>(p));
      placer.invalidateGrid();  // the spawn grid must now include them
    }
    // Random arrivals, and whoever the lattice had no room for, who wait for space like any arrival.
    if (spawner.spawnedOf[p] < total) {
      const std::int64_t due = dueToSpawn(pop, t);
      if (due > spawner.spawnedOf[p]) {
        placer.rebuildGridOnce();
        placer.spawnRandomly(static_cast<int>(p), due);
      }
    }
    if (spawner.spawnedOf[p] >= total && before < total)
      out.events.push_back({t, EventType::PopulationSpawned, 0, static_cast<int>(p), Vec2::Zero(), double(total)});
  }
  if (!model.active || ctx.step % model.perception.every != 0) return;
  spawner.returning.clear();
  changeShifts(ctx, model.timeline, a, spawner.returning);
  if (spawner.returning.empty()) return;
  placer.rebuildGridOnce();
  for (const std::int32_t i : spawner.returning)
    placer.placeOnStreet(static_cast<std::size_t>(i), homeZoneOf(ctx.scenario, a, static_cast<std::size_t>(i)));
  spawner.returning.clear();
}

}  // namespace unrest
