// Checkpoints: the field list of every piece of state a run carries from step to step, written once per struct as a
// visit function that both saves and restores it, and the file around them (unrest/checkpoint.hpp).
//
// Left out on purpose, because each step rebuilds them before anyone reads them: the spawn grid and the list of those
// coming back (Spawner::head, next, returning), the sort's per-thread counts and scratch, the brawl marks and the
// list of the hurt, the arrest proposals, the list of looters, the crowd-pressure slots touched by one sample, the
// events of the last step (already written when a checkpoint is taken), the stage timings (wall clock). The flight
// fields of shots follow from the map and where each shot was fired, and are computed again on reading.
#include "unrest/checkpoint.hpp"

#include "simulation_state.hpp"
#include "unrest/output.hpp"
#include "unrest/run.hpp"
#include "unrest/yaml_tree.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <filesystem>

#ifndef UNREST_VERSION
#error "UNREST_VERSION must be defined by the build (sim/CMakeLists.txt)"
#endif

namespace unrest {

namespace {

constexpr char kMagic[8] = {'U', 'N', 'R', 'E', 'S', 'T', 'C', 'K'};
// Raise whenever a field is added, removed or reordered below: an older file is then refused, not misread.
constexpr std::uint32_t kFormatVersion = 3;

}  // namespace

// ---------------------------------------------------------------- the archive

void Archive::check(bool condition, const std::string& what) const {
  if (reading() && !condition) throw CheckpointError(source_ + ": corrupt checkpoint: " + what);
}

void Archive::truncated() const {
  throw CheckpointError(source_ + ": corrupt checkpoint: it ends in the middle of its state (expected " +
                        std::to_string(in_.size()) + " bytes to hold it all)");
}

void Archive::finish() const {
  check(at_ == in_.size(), std::to_string(in_.size() - at_) + " bytes left over after the state");
}

std::size_t Archive::count(std::size_t n, std::size_t minBytes) {
  std::uint64_t c = n;
  raw(&c, sizeof c);
  if (reading() && c > (in_.size() - at_) / minBytes) truncated();
  return static_cast<std::size_t>(c);
}

// ---------------------------------------------------------------- the state, struct by struct

void visit(Archive& ar, Population& a) {
  ar.fields(a.x, a.y, a.vx, a.vy, a.radius, a.desiredSpeed, a.goalX, a.goalY, a.state, a.field, a.pressure, a.marks,
            a.overPressureTime, a.dwell, a.jailTerm, a.id, a.group, a.role, a.faction, a.activity, a.fear, a.facingX,
            a.facingY, a.member, a.quarry, a.shop, a.carried, a.patrolStop, a.errand, a.pass, a.cell);
}

void visit(Archive& ar, IdIndex& ids) { ar(ids.of); }

void visit(Archive& ar, NeighbourSlot& s) { ar.fields(s.x, s.y, s.vx, s.vy, s.radius, s.index); }

// The cells are the scenario's; what the last index stage found in them is read by the next step's timeline (a
// vehicle's gap ahead) before the index stage runs again.
void visit(Archive& ar, NeighbourIndex& nbr) {
  const std::size_t starts = nbr.cellStart.size();
  ar.fields(nbr.cellStart, nbr.cellOrder, nbr.packed);
  ar.check(nbr.cellStart.size() == starts, "neighbour cells of another map");
}

void visit(Archive& ar, Spawner& s) { ar.fields(s.spawnedOf, s.announcedArrival); }

void visit(Archive& ar, PlanNow& p) { ar.fields(p.zone, p.field, p.onArrival); }

void visit(Archive& ar, TimelineState& t) {
  ar.fields(t.legitimacy, t.policePresence, t.curfewUntil, t.factionLegitimacy, t.nextEvent);
}

// Only the cells the last perception counted hold anything (PerceptionGrid::touched), so only they are written.
void visit(Archive& ar, PerceptionGrid& g) {
  if (ar.reading()) g.clear();
  ar(g.touched);
  const auto factions = static_cast<std::size_t>(g.factions);
  for (const std::uint32_t c : g.touched) {
    ar.check(c < g.grid.size(), "a perception cell off the map");
    ar.fields(g.forces[c], g.volunteers[c], g.people[c], g.actives[c], g.fear[c]);
    for (std::size_t f = 0; f < factions; ++f) ar(g.activeByFaction[c * factions + f]);
  }
}

void visit(Archive& ar, Threat& t) { ar.fields(t.position, t.time, t.radius, t.strength, t.flightField); }

// The flight fields are not written: each is a function of the map and of where its shot was fired, a raster of up
// to 600 m square (1.4 MB) computed again on reading (Simulation::visit).
void visit(Archive& ar, FearState& f) { ar.fields(f.threats, f.firstNew); }

void visit(Archive& ar, BrawlState& b) { ar.fields(b.hostilities, b.seen, b.maxRadius, b.reachExtra); }

void visit(Archive& ar, ShopState& s) { ar.fields(s.stock, s.guard, s.actives); }

void visit(Archive& ar, CheckpointCounts& c) { ar.fields(c.open, c.queue, c.admitted); }

void visit(Archive& ar, CheckpointState& c) { ar.fields(c.counts, c.tokens); }

void visit(Archive& ar, VehicleState& v) {
  ar.fields(v.present, v.departed, v.finished, v.due, v.position, v.direction, v.speed, v.travelled);
}

void visit(Archive& ar, ModelState& m) {
  const bool active = m.active;
  ar(m.active);
  ar.check(m.active == active, "the state of another scenario (unrest model on or off)");
  ar.fields(m.plans.byPopulation, m.timeline, m.perception.grid, m.fear, m.brawls, m.shops, m.checkpoints, m.vehicles,
            m.seenActivity);
}

void visit(Archive& ar, Tally& t) {
  ar.fields(t.spawned, t.exited, t.agentSteps, t.wallCorrections, t.injuries, t.arrests, t.lootingIncidents,
            t.barrierCrossings, t.lootingDamage);
}

void visit(Archive& ar, RowPeaks& p) { ar(p.pressure); }

void visit(Archive& ar, CrowdPressurePeak& p) { ar.fields(p.pressure, p.density, p.at); }

void visit(Archive& ar, FactionCounts& f) {
  ar.fields(f.onStreet, f.active, f.fighting, f.fleeing, f.looting, f.injured, f.arrested);
}

void visit(Archive& ar, MetricsRow& r) {
  ar.fields(r.time, r.waiting, r.byState, r.byCondition, r.onStreetByRole, r.injuries, r.injuriesCrush, r.arrests,
            r.lootingIncidents, r.lootingDamage, r.legitimacy, r.policePresence, r.night, r.curfew, r.meanFear,
            r.peakDensity, r.peakPressure, r.meanSpeed, r.crowdPressure, r.contacts, r.wallCorrections, r.factions,
            r.checkpoints);
}

void CrowdPressure::visit(Archive& ar) {
  if (ar.reading())
    for (const std::uint32_t node : node_) slotOf_[node] = kEmpty;
  ar.fields(samplesInWindow_, sampleStamp_, node_, samples_, densitySum_, vxSum_, vySum_, speed2Sum_, sums_, last_,
            sinceTaken_, windowsSinceTaken_);
  if (!ar.reading()) return;
  const std::size_t slots = node_.size();
  ar.check(samples_.size() == slots && densitySum_.size() == slots && vxSum_.size() == slots && vySum_.size() == slots &&
               speed2Sum_.size() == slots && sums_.size() == slots && samplesInWindow_ >= 0 &&
               samplesInWindow_ < samplesPerWindow_,
           "crowd-pressure windows that do not fit together");
  // The node-to-slot table is the slots' own list turned round.
  for (std::size_t s = 0; s < slots; ++s) {
    ar.check(node_[s] < slotOf_.size() && slotOf_[node_[s]] == kEmpty, "a crowd-pressure slot off the walkable map");
    slotOf_[node_[s]] = static_cast<std::int32_t>(s);
  }
}

void CrowdPressure::SampleSums::visit(Archive& ar) { ar.fields(weight, weightVx, weightVy, stamp); }

void Simulation::visit(Archive& ar) {
  SimulationState& s = *state_;
  ar.fields(stepIndex_, recorded_, s.agents, s.ids, s.neighbours, s.spawner, s.model, s.outcomes.tally, s.peaks,
            s.crowdPressure, s.row);
  if (!ar.reading()) return;
  FearState& fear = s.model.fear;
  fear.flightFields.clear();
  const StepContext ctx{scenario_, world_, rng_, threads_, dt_, stepIndex_};
  for (const Threat& t : fear.threats) {
    if (!t.flightField) continue;
    // Numbered in the order the shots were fired (fireShot).
    ar.check(*t.flightField == fear.flightFields.size(), "a shot without its flight field");
    auto field = flightFieldFrom(ctx, t.position);
    ar.check(field.has_value(), "a shot's flight field off the streets");
    fear.flightFields.push_back(std::move(*field));
  }
  ar.check(fear.firstNew <= fear.threats.size(), "more new threats than threats");
  // What the step loop indexes with, checked, so that even a forged file cannot send it out of its arrays.
  const Population& a = s.agents;
  const std::size_t n = a.size();
  ar.check(stepIndex_ >= 0 && stepIndex_ <= totalSteps_, "a step beyond the scenario's clock");
  bool columns = true;
  for (std::size_t size : {a.y.size(), a.vx.size(), a.vy.size(), a.radius.size(), a.desiredSpeed.size(), a.goalX.size(),
                           a.goalY.size(), a.state.size(), a.field.size(), a.pressure.size(), a.marks.size(),
                           a.overPressureTime.size(), a.dwell.size(), a.jailTerm.size(), a.id.size(), a.group.size(),
                           a.role.size(), a.faction.size(), a.activity.size(), a.fear.size(), a.facingX.size(),
                           a.facingY.size(), a.member.size(), a.quarry.size(), a.shop.size(), a.carried.size(),
                           a.patrolStop.size(), a.errand.size(), a.pass.size(), a.cell.size()})
    columns = columns && size == n;
  ar.check(columns, "columns of people of different lengths");
  const auto total = static_cast<std::size_t>(scenario_.totalPeople());
  ar.check(n <= total && s.ids.of.size() == static_cast<std::size_t>(s.outcomes.tally.spawned) &&
               s.ids.of.size() <= total,
           "more people than the scenario has");
  for (std::size_t k = 0; k < n; ++k)
    ar.check(a.id[k] < s.ids.of.size() && a.group[k] < scenario_.populations.size() &&
                 a.field[k] < world_.fieldCount() && a.state[k] < kAgentStateCount && a.role[k] < kRoleCount &&
                 a.activity[k] < kActivityCount && a.errand[k] <= std::uint8_t(Errand::Approach) &&
                 (a.faction[k] == kNoFaction || a.faction[k] < scenario_.factions.size()) &&
                 (a.shop[k] == 0 || a.shop[k] < scenario_.shops.size()) && a.pass[k] <= scenario_.checkpoints.size() &&
                 (a.patrolStop[k] == 0 || a.patrolStop[k] < scenario_.populations[a.group[k]].patrol.size()),
             "a person outside the scenario");
  for (const PlanNow& plan : s.model.plans.byPopulation)
    ar.check(plan.zone >= -1 && plan.zone < int(world_.zones().size()) && plan.field >= -1 &&
                 plan.field < int(world_.fieldCount()),
             "a plan off the map");
  for (const std::int32_t k : s.ids.of) ar.check(k >= -1 && k < std::int64_t(n), "an id pointing outside the people");
  const NeighbourIndex& nbr = s.neighbours;
  ar.check(nbr.packed.size() <= n && nbr.cellOrder.size() <= n, "more neighbours than people");
  for (const NeighbourSlot& slot : nbr.packed) ar.check(slot.index < n, "a neighbour outside the people");
  for (const std::uint32_t k : nbr.cellOrder) ar.check(k < n, "a neighbour outside the people");
  const std::size_t buckets = nbr.cells.buckets();
  bool cells = nbr.cellStart.size() == buckets + 2 && nbr.cellStart[buckets] == nbr.packed.size() &&
               nbr.cellStart[buckets + 1] == nbr.cellOrder.size();
  for (std::size_t c = 0; cells && c + 1 < nbr.cellStart.size(); ++c) cells = nbr.cellStart[c] <= nbr.cellStart[c + 1];
  ar.check(cells, "neighbour cells that do not add up");
  const ModelState& m = s.model;
  ar.check(s.spawner.spawnedOf.size() == scenario_.populations.size() &&
               s.spawner.announcedArrival.size() == scenario_.populations.size() &&
               m.plans.byPopulation.size() == scenario_.populations.size() &&
               m.timeline.factionLegitimacy.size() == scenario_.factions.size() &&
               m.timeline.nextEvent <= scenario_.events.size() && m.vehicles.size() == scenario_.vehicles.size() &&
               m.checkpoints.counts.size() == scenario_.checkpoints.size() &&
               m.checkpoints.tokens.size() == scenario_.checkpoints.size() &&
               m.shops.stock.size() == m.shops.centre.size() && m.shops.guard.size() == m.shops.centre.size() &&
               m.shops.actives.size() == m.shops.centre.size(),
           "the state of another scenario");
}

void visit(Archive& ar, Measurement::Person& p) {
  ar.fields(p.population, p.spawn, p.arrival, p.exit, p.injury, p.peakPressure);
}

void Measurement::visit(Archive& ar) {
  const std::size_t ids = lastX_.size(), people = people_.size(), lines = net_.size();
  ar.fields(lastX_, lastY_, people_, net_, frame_, frameStep_, lastStep_);
  ar.check(lastX_.size() == ids && lastY_.size() == ids && people_.size() == people && net_.size() == lines,
           "a measurement of another scenario");
}

void OutputWriter::visit(Archive& ar) {
  const std::size_t factions = peakFaction_.size(), queues = peakQueue_.size();
  ar.fields(peakDensity_, peakPressure_, peakDensityTime_, peakPressureTime_, peakCrowdPressureTime_,
            peakCrowdPressure_, eventCount_, peakCondition_, peakFaction_, peakQueue_);
  ar.check(peakFaction_.size() == factions && peakQueue_.size() == queues, "outputs of another scenario");
  bool measured = measurement_ != nullptr;
  ar(measured);
  ar.check(measured == (measurement_ != nullptr), "outputs of another scenario (measurement on or off)");
  if (measurement_) ar(*measurement_);
}

void OutputWriter::resumedFrom(const Simulation& sim) {
  resumedTime_ = sim.time();
  resumedAgentSteps_ = sim.agentSteps();
}

// ---------------------------------------------------------------- what the run was started with

void RunIdentity::visit(Archive& ar) {
  ar.fields(scenario, scenarioAbsolute, overrides, seed, fileHash, resolvedHash, checkpointEvery);
}

std::vector<std::string> RunIdentity::loadOverrides() const { return withSeed(overrides, seed); }

namespace {

// The whole of a file; throws CheckpointError with the system's reason.
std::string readWhole(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw CheckpointError(path + ": cannot read " + what + " (" + std::strerror(errno) + ")");
  std::string bytes;
  char buf[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      throw CheckpointError(path + ": cannot read " + what + " (" + reason + ")");
    }
    if (got == 0) break;
    bytes.append(buf, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return bytes;
}

void hashScenario(RunIdentity& id) {
  id.fileHash = hashText(readWhole(id.scenarioAbsolute, "the scenario"));
  id.resolvedHash = hashText(canonicalText(resolveScenarioYaml(id.scenarioAbsolute, id.loadOverrides())));
}

}  // namespace

RunIdentity identifyRun(const std::string& scenario, const std::vector<std::string>& overrides, std::int64_t seed,
                        double checkpointEvery) {
  RunIdentity id;
  id.scenario = scenario;
  id.scenarioAbsolute = std::filesystem::absolute(scenario).lexically_normal().string();
  id.overrides = overrides;
  id.seed = seed;
  id.checkpointEvery = checkpointEvery;
  hashScenario(id);
  return id;
}

void checkUnchanged(const RunIdentity& identity, const std::string& checkpoint) {
  RunIdentity now = identity;
  hashScenario(now);
  if (now.fileHash != identity.fileHash)
    throw CheckpointError(checkpoint + ": the scenario " + identity.scenarioAbsolute +
                          " has changed since the checkpoint was written (expected the file as it was; a changed "
                          "scenario is a new run)");
  if (now.resolvedHash != identity.resolvedHash)
    throw CheckpointError(checkpoint + ": a file the scenario " + identity.scenarioAbsolute +
                          " extends has changed since the checkpoint was written (expected the files as they were; a "
                          "changed scenario is a new run)");
}

// ---------------------------------------------------------------- writing

Checkpointer::Checkpointer(ScenarioRun& run, OutputWriter& writer, RunIdentity identity, const std::string& directory)
    : run_(run), writer_(writer), identity_(std::move(identity)),
      path_((std::filesystem::path(directory) / kCheckpointFile).string()),
      directory_(directory) {
  everySteps_ = std::max<std::int64_t>(1, std::llround(identity_.checkpointEvery / run.sim().dt()));
}

void Checkpointer::afterStep(const Simulation& sim) {
  if (sim.done() || sim.stepIndex() % everySteps_ != 0 || sim.stepIndex() == lastStep_) return;
  lastStep_ = sim.stepIndex();
  write();
}

std::string Checkpointer::serialise() {
  buffer_.clear();
  Archive ar(buffer_);
  char magic[sizeof kMagic];
  std::memcpy(magic, kMagic, sizeof magic);
  for (char& c : magic) ar(c);
  std::uint32_t format = kFormatVersion;
  std::string version = UNREST_VERSION;
  ar.fields(format, version);
  const std::size_t bodyStart = buffer_.size() + sizeof(std::uint64_t);
  std::uint64_t bodyBytes = 0;  // filled in below
  ar(bodyBytes);
  OutputOffsets offsets = writer_.flushOffsets();
  ar.fields(identity_, offsets, run_.sim());
  bool measured = run_.measurement() != nullptr;
  ar(measured);
  if (measured) ar(*run_.measurement());
  ar(writer_);
  bodyBytes = buffer_.size() - bodyStart;
  std::memcpy(buffer_.data() + bodyStart - sizeof bodyBytes, &bodyBytes, sizeof bodyBytes);
  std::uint64_t sum = fnv1a(std::string_view(buffer_).substr(bodyStart));
  ar(sum);
  return buffer_;
}


void Checkpointer::write() {
  const auto start = std::chrono::steady_clock::now();
  serialise();
  writeFileAtomically(path_, buffer_);  // tmp, fsync, rename, fsync of the folder: a kill never leaves half a checkpoint
  ++written_;
  lastBytes_ = buffer_.size();
  writeSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---------------------------------------------------------------- reading

namespace {

// The body of a checkpoint file, once its header, length and checksum are found right.
std::string_view checkedBody(const std::string& bytes, const std::string& path) {
  auto corrupt = [&](const std::string& what) { return CheckpointError(path + ": " + what); };
  std::string_view rest(bytes);
  if (rest.size() < sizeof kMagic || std::memcmp(rest.data(), kMagic, sizeof kMagic) != 0)
    throw corrupt("not an unrest checkpoint (expected the checkpoint.bin of `unrest run --checkpoint-every`)");
  Archive header(rest.substr(sizeof kMagic), path);
  std::uint32_t format = 0;
  std::string version;
  std::uint64_t bodyBytes = 0;
  header(format);
  if (format != kFormatVersion)
    throw corrupt("checkpoint format " + std::to_string(format) + " (this unrest reads format " +
                  std::to_string(kFormatVersion) + "; rerun from the start)");
  header.fields(version, bodyBytes);
  if (version != UNREST_VERSION)
    throw corrupt("written by unrest " + version + " (this is unrest " + UNREST_VERSION +
                  ", whose runs may differ; rerun from the start)");
  const std::size_t bodyStart = sizeof kMagic + sizeof format + sizeof(std::uint64_t) + version.size() + sizeof bodyBytes;
  if (bytes.size() < bodyStart || bodyBytes > bytes.size() - bodyStart ||
      bytes.size() - bodyStart - bodyBytes != sizeof(std::uint64_t))
    throw corrupt("corrupt checkpoint: " + std::to_string(bytes.size()) + " bytes, not the " +
                  std::to_string(bodyStart + bodyBytes + sizeof(std::uint64_t)) +
                  " its header announces (truncated, or cut short by a full disk?)");
  const std::string_view body = rest.substr(bodyStart, bodyBytes);
  std::uint64_t sum = 0;
  std::memcpy(&sum, bytes.data() + bodyStart + bodyBytes, sizeof sum);
  if (sum != fnv1a(body)) throw corrupt("corrupt checkpoint: its checksum does not match its contents");
  return body;
}

}  // namespace

CheckpointReader::CheckpointReader(const std::string& path)
    : bytes_(readWhole(path, "the checkpoint")), ar_(checkedBody(bytes_, path), path) {
  ar_.fields(identity_, offsets_);
}

void CheckpointReader::restore(ScenarioRun& run, OutputWriter& writer) {
  ar_(run.sim());
  bool measured = false;
  ar_(measured);
  ar_.check(measured == (run.measurement() != nullptr), "the state of another scenario (measurement on or off)");
  if (measured) ar_(*run.measurement());
  ar_(writer);
  ar_.finish();
  writer.resumedFrom(run.sim());
}

}  // namespace unrest
