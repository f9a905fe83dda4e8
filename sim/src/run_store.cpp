#include "unrest/run_store.hpp"

#include "unrest/output.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace unrest {

namespace {

// JuPedSim's trajectory database version whose tables we write (PedPy reads versions 1 and 2).
constexpr int kJuPedSimVersion = 2;
// unrest's own tables, bumped when they change.
constexpr int kStoreVersion = 2;
// Frames per transaction: 20 frames of 0.5 s keep at most 10 simulated seconds uncommitted.
constexpr std::int64_t kFramesPerTransaction = 20;
// Frames copied but not yet written; the step waits when the writer is this far behind.
constexpr std::size_t kQueueDepth = 8;
// trajectory_data rows per INSERT statement.
constexpr std::size_t kRowsPerInsert = 64;

const char* kSchema = R"SQL(
CREATE TABLE metadata(key TEXT NOT NULL UNIQUE PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE geometry(hash INTEGER NOT NULL, wkt TEXT NOT NULL);
CREATE TABLE frame_data(frame INTEGER NOT NULL, geometry_hash INTEGER NOT NULL);
CREATE TABLE trajectory_data(frame INTEGER NOT NULL, id INTEGER NOT NULL, pos_x REAL NOT NULL, pos_y REAL NOT NULL,
                             ori_x REAL NOT NULL, ori_y REAL NOT NULL, PRIMARY KEY(frame, id)) WITHOUT ROWID;
CREATE TABLE populations(population INTEGER PRIMARY KEY, name TEXT NOT NULL, faction TEXT);
CREATE TABLE factions(faction INTEGER PRIMARY KEY, name TEXT NOT NULL, colour INTEGER NOT NULL);
CREATE TABLE people(id INTEGER PRIMARY KEY, population INTEGER NOT NULL, role INTEGER NOT NULL, faction INTEGER,
                    radius REAL NOT NULL, desired_speed REAL NOT NULL);
CREATE TABLE frames(frame INTEGER PRIMARY KEY, step INTEGER NOT NULL, time_s REAL NOT NULL, clock TEXT NOT NULL,
                    spawned INTEGER NOT NULL, waiting INTEGER NOT NULL, on_street INTEGER NOT NULL,
                    walking INTEGER NOT NULL, arrived INTEGER NOT NULL, injured INTEGER NOT NULL,
                    exited INTEGER NOT NULL, jailed INTEGER NOT NULL, away INTEGER NOT NULL,
                    injuries_crush INTEGER NOT NULL, injuries_brawl INTEGER NOT NULL, injuries_gunshot INTEGER NOT NULL,
                    arrests INTEGER NOT NULL, looting_incidents INTEGER NOT NULL, looting_damage REAL NOT NULL,
                    peak_density_pm2 REAL NOT NULL, peak_pressure_Npm REAL NOT NULL, crowd_pressure_ps2 REAL NOT NULL,
                    legitimacy REAL NOT NULL, police_presence REAL NOT NULL, state BLOB NOT NULL);
CREATE TABLE vehicles(frame INTEGER NOT NULL, vehicle INTEGER NOT NULL, name TEXT NOT NULL, x REAL NOT NULL,
                      y REAL NOT NULL, heading REAL NOT NULL, speed REAL NOT NULL, PRIMARY KEY(frame, vehicle)) WITHOUT ROWID;
CREATE TABLE checkpoints(frame INTEGER NOT NULL, checkpoint INTEGER NOT NULL, name TEXT NOT NULL, open INTEGER NOT NULL,
                         queue INTEGER NOT NULL, admitted INTEGER NOT NULL, PRIMARY KEY(frame, checkpoint)) WITHOUT ROWID;
CREATE TABLE events(event INTEGER PRIMARY KEY, frame INTEGER NOT NULL, step INTEGER NOT NULL, time_s REAL NOT NULL,
                    type TEXT NOT NULL, type_code INTEGER NOT NULL, agent INTEGER, population INTEGER, x REAL, y REAL,
                    value REAL, item INTEGER, cause INTEGER, density REAL);
CREATE INDEX events_step ON events(step);
)SQL";

[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what + " (" + (db ? sqlite3_errmsg(db) : "out of memory") + ")");
}

void exec(sqlite3* db, const std::string& path, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, path, std::string("cannot run ") + sql);
}

// A prepared statement, reset after each use.
class Statement {
public:
  Statement(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(&path) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st_, nullptr) != SQLITE_OK)
      fail(db, path, std::string("cannot prepare ") + sql);
  }
  ~Statement() { sqlite3_finalize(st_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& bind(int k, std::int64_t v) { return check(sqlite3_bind_int64(st_, k, v)); }
  Statement& bind(int k, double v) { return check(sqlite3_bind_double(st_, k, v)); }
  Statement& bind(int k, const std::string& v) { return check(sqlite3_bind_text(st_, k, v.c_str(), int(v.size()), SQLITE_TRANSIENT)); }
  // An empty blob, not NULL, when there is nothing to bind.
  Statement& bindBlob(int k, const void* data, std::size_t n) {
    static const char none = 0;
    return check(sqlite3_bind_blob64(st_, k, n ? data : &none, n, SQLITE_STATIC));
  }
  Statement& bindNull(int k) { return check(sqlite3_bind_null(st_, k)); }
  // Runs a statement that returns no rows.
  void run() {
    const int rc = sqlite3_step(st_);
    sqlite3_reset(st_);
    if (rc != SQLITE_DONE) fail(db_, *path_, "cannot write");
  }
  // Steps to the next row; false at the end.
  bool next() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    sqlite3_reset(st_);
    if (rc != SQLITE_DONE) fail(db_, *path_, "cannot read");
    return false;
  }
  void reset() { sqlite3_reset(st_); }
  std::int64_t integer(int k) const { return sqlite3_column_int64(st_, k); }
  double real(int k) const { return sqlite3_column_double(st_, k); }
  bool null(int k) const { return sqlite3_column_type(st_, k) == SQLITE_NULL; }
  std::string text(int k) const {
    const auto* t = sqlite3_column_text(st_, k);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  const void* blob(int k, std::size_t& n) const {
    n = static_cast<std::size_t>(sqlite3_column_bytes(st_, k));
    return sqlite3_column_blob(st_, k);
  }

private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) fail(db_, *path_, "cannot bind a value");
    return *this;
  }
  sqlite3* db_;
  const std::string* path_;
  sqlite3_stmt* st_ = nullptr;
};

// The walkable raster as rectangles: runs of walkable cells along each row, a run grown upwards while the rows above
// repeat it exactly. Rectangles share edges, so the MULTIPOLYGON is the walkable area once its parts are unioned
// (PedPy's loader does so for version-2 databases).
std::string walkableWkt(const World& world) {
  const Grid& g = world.grid();
  struct Open {
    int i0, i1, j0;
  };
  std::vector<Open> open, next;
  std::string wkt = "MULTIPOLYGON(";
  bool first = true;
  auto emit = [&](const Open& r, int j1) {
    const double x0 = g.origin.x() + r.i0 * g.h, x1 = g.origin.x() + r.i1 * g.h;
    const double y0 = g.origin.y() + r.j0 * g.h, y1 = g.origin.y() + j1 * g.h;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s((%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f))", first ? "" : ",", x0, y0,
                  x1, y0, x1, y1, x0, y1, x0, y0);
    wkt += buf;
    first = false;
  };
  for (int j = 0; j <= g.ny; ++j) {
    next.clear();
    std::size_t k = 0;  // open rectangles and runs are both sorted by i0
    for (int i = 0; j < g.ny && i < g.nx;) {
      if (!world.walkable(g.index(i, j))) {
        ++i;
        continue;
      }
      const int i0 = i;
      while (i < g.nx && world.walkable(g.index(i, j))) ++i;
      while (k < open.size() && open[k].i0 < i0) emit(open[k++], j);
      if (k < open.size() && open[k].i0 == i0 && open[k].i1 == i) next.push_back(open[k++]);
      else next.push_back({i0, i, j});
    }
    while (k < open.size()) emit(open[k++], j);
    std::swap(open, next);
  }
  return wkt + ")";
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void removeStore(const std::filesystem::path& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path.string() + suffix, ec);
}

}  // namespace

// A frame as copied from the simulation, with what the writer needs besides.
struct FrameCopy {
  RecordedFrame frame;
  std::vector<float> oriX, oriY;  // per person of frame.people
  struct NewPerson {
    std::uint32_t id;
    std::uint16_t population;
    std::uint8_t role, faction;
    float radius, desiredSpeed;
  };
  std::vector<NewPerson> newPeople;
  std::vector<std::pair<std::int64_t, Event>> events;  // with their steps
  std::int64_t eventFrame = 0;                         // the frame the events lead up to
  bool writeFrame = true;                              // false: only the events (the end of a stopped run)
};

struct RunRecorder::Writer {
  std::string path;
  sqlite3* db = nullptr;
  std::unique_ptr<Statement> trajectory, trajectoryBatch, frameData, frames, people, vehicles, checkpoints, events, meta;
  std::vector<std::string> vehicleNames, checkpointNames;
  std::int64_t geometryHash = 0, inTransaction = 0;
  double startTimeOfDay = 0.0;
  std::vector<std::uint32_t> byId;  // scratch

  std::thread thread;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::unique_ptr<FrameCopy>> queue;
  std::vector<std::unique_ptr<FrameCopy>> spare;
  bool closing = false;
  std::exception_ptr error;

  ~Writer() {
    stopThread();
    if (!error && db && inTransaction > 0) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);  // all it has
    trajectory.reset(), trajectoryBatch.reset(), frameData.reset(), frames.reset(), people.reset(), vehicles.reset(), checkpoints.reset(),
        events.reset(), meta.reset();
    if (db) sqlite3_close(db);
  }

  void stopThread() {
    {
      std::lock_guard lock(mutex);
      closing = true;
      changed.notify_all();
    }
    if (thread.joinable()) thread.join();
  }

  void loop() {
    for (;;) {
      std::unique_ptr<FrameCopy> f;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return closing || !queue.empty(); });
        if (queue.empty()) return;
        f = std::move(queue.front());
        queue.pop_front();
      }
      try {
        write(*f);
      } catch (...) {
        std::lock_guard lock(mutex);
        error = std::current_exception();
        queue.clear();
        closing = true;
        changed.notify_all();
        return;
      }
      std::lock_guard lock(mutex);
      spare.push_back(std::move(f));
      changed.notify_all();
    }
  }

  // Hands a frame to the thread, waiting while the queue is full; rethrows the thread's failure.
  void push(std::unique_ptr<FrameCopy> f) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return queue.size() < kQueueDepth || error; });
    if (error) std::rethrow_exception(error);
    queue.push_back(std::move(f));
    changed.notify_all();
  }

  std::unique_ptr<FrameCopy> take() {
    std::lock_guard lock(mutex);
    if (error) std::rethrow_exception(error);
    if (spare.empty()) return std::make_unique<FrameCopy>();
    auto f = std::move(spare.back());
    spare.pop_back();
    return f;
  }

  static void bindTrajectory(Statement& st, int first, const RecordedFrame& f, const FrameCopy& c, std::uint32_t k) {
    const RecordedPerson& p = f.people[k];
    st.bind(first + 1, f.frame).bind(first + 2, std::int64_t(p.id)).bind(first + 3, double(p.x)).bind(first + 4, double(p.y))
        .bind(first + 5, double(c.oriX[k])).bind(first + 6, double(c.oriY[k]));
  }

  void setMeta(const std::string& key, const std::string& value) { meta->bind(1, key).bind(2, value).run(); }

  void write(const FrameCopy& c) {
    if (inTransaction == 0) exec(db, path, "BEGIN");
    const RecordedFrame& f = c.frame;
    for (const auto& p : c.newPeople) {
      people->bind(1, std::int64_t(p.id)).bind(2, std::int64_t(p.population)).bind(3, std::int64_t(p.role));
      if (p.faction == kNoFaction) people->bindNull(4);
      else people->bind(4, std::int64_t(p.faction));
      people->bind(5, double(p.radius)).bind(6, double(p.desiredSpeed)).run();
    }
    for (const auto& [step, e] : c.events) {
      events->bind(1, c.eventFrame).bind(2, step).bind(3, e.time).bind(4, std::string(eventTypeName(e.type)))
          .bind(5, std::int64_t(e.type));
      const bool person = e.type == EventType::Injury || e.type == EventType::Arrest || e.type == EventType::Release ||
                          e.type == EventType::LootingIncident || e.type == EventType::FirstBrawl;
      if (person) events->bind(6, std::int64_t(e.agent));
      else events->bindNull(6);
      if (e.population >= 0) events->bind(7, std::int64_t(e.population));
      else events->bindNull(7);
      events->bind(8, e.position.x()).bind(9, e.position.y()).bind(10, e.value);
      if (e.index >= 0) events->bind(11, std::int64_t(e.index));
      else events->bindNull(11);
      events->bind(12, std::int64_t(e.cause));
      if (e.type == EventType::Injury && e.cause == InjuryCause::Crush) events->bind(13, e.density);
      else events->bindNull(13);
      events->run();
    }
    if (c.writeFrame) {
      // By id: rows then go to the end of the table's B-tree, the cheapest insertion there is.
      byId.clear();
      for (std::uint32_t k = 0; k < f.people.size(); ++k)
        if (onStreet(f.people[k].state)) byId.push_back(k);
      std::sort(byId.begin(), byId.end(), [&](std::uint32_t a, std::uint32_t b) { return f.people[a].id < f.people[b].id; });
      // Rows go kRowsPerInsert to a statement: the statement's own overhead, paid once for them all, was the larger
      // part of the writer's time at one row each.
      std::size_t done = 0;
      for (; done + kRowsPerInsert <= byId.size(); done += kRowsPerInsert) {
        for (std::size_t r = 0; r < kRowsPerInsert; ++r) bindTrajectory(*trajectoryBatch, int(6 * r), f, c, byId[done + r]);
        trajectoryBatch->run();
      }
      for (; done < byId.size(); ++done) {
        bindTrajectory(*trajectory, 0, f, c, byId[done]);
        trajectory->run();
      }
      frameData->bind(1, f.frame).bind(2, geometryHash).run();
      const MetricsRow& r = f.row;
      std::int64_t onStreetCount = 0;
      for (const RecordedPerson& p : f.people) onStreetCount += onStreet(p.state);
      const std::string clock = formatClock(startTimeOfDay + f.time);
      frames->bind(1, f.frame).bind(2, f.step).bind(3, f.time).bind(4, clock).bind(5, f.spawned).bind(6, f.waiting)
          .bind(7, onStreetCount);
      int k = 8;
      for (AgentState s : {AgentState::Walking, AgentState::Arrived, AgentState::Injured, AgentState::Exited,
                           AgentState::Jailed, AgentState::Away})
        frames->bind(k++, r.byState[int(s)]);
      for (auto n : f.injuries) frames->bind(k++, n);
      frames->bind(k, r.arrests).bind(k + 1, r.lootingIncidents).bind(k + 2, r.lootingDamage).bind(k + 3, r.peakDensity)
          .bind(k + 4, r.peakPressure).bind(k + 5, r.crowdPressure.pressure).bind(k + 6, r.legitimacy)
          .bind(k + 7, r.policePresence);
      frames->bindBlob(k + 8, f.people.data(), f.people.size() * sizeof(RecordedPerson)).run();
      for (const RecordedVehicle& v : f.vehicles)
        vehicles->bind(1, f.frame).bind(2, std::int64_t(v.vehicle)).bind(3, vehicleNames[v.vehicle]).bind(4, double(v.x))
            .bind(5, double(v.y)).bind(6, double(v.heading)).bind(7, double(v.speed)).run();
      for (std::size_t k2 = 0; k2 < f.checkpoints.size(); ++k2) {
        const CheckpointCounts& cp = f.checkpoints[k2];
        checkpoints->bind(1, f.frame).bind(2, std::int64_t(k2)).bind(3, checkpointNames[k2]).bind(4, std::int64_t(cp.open))
            .bind(5, cp.queue).bind(6, cp.admitted).run();
      }
    }
    if (++inTransaction >= kFramesPerTransaction) commit();
  }

  void commit() {
    if (inTransaction == 0) return;
    exec(db, path, "COMMIT");
    inTransaction = 0;
  }
};

RunRecorder::RunRecorder(const Simulation& sim, const std::string& directory, const RecordOptions& options)
    : writer_(std::make_unique<Writer>()) {
  const Scenario& sc = sim.scenario();
  const double steps = options.interval / sim.dt();
  everySteps_ = std::llround(steps);
  if (!(options.interval > 0) || everySteps_ < 1 || std::abs(steps - double(everySteps_)) > 1e-6 * steps) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "--record-interval %g: expected a positive multiple of clock.dt (%g s)", options.interval,
                  sim.dt());
    throw std::runtime_error(buf);
  }
  createOutputDirectory(directory);
  const auto file = std::filesystem::path(directory) / "run.sqlite";
  path_ = file.string();
  removeStore(file);  // a store never mixes two runs
  listInManifest(file);
  Writer& w = *writer_;
  w.path = path_;
  w.startTimeOfDay = sc.clock.startTimeOfDay;
  if (sqlite3_open_v2(path_.c_str(), &w.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    fail(w.db, path_, "cannot create the run store");
  // WAL without fsync: a killed process loses nothing the OS has been given, and commits stay cheap. (A power cut
  // may lose the last batches, never the database's consistency.)
  exec(w.db, path_, "PRAGMA page_size=16384");
  exec(w.db, path_, "PRAGMA journal_mode=WAL");
  exec(w.db, path_, "PRAGMA synchronous=OFF");
  exec(w.db, path_, "BEGIN");
  exec(w.db, path_, kSchema);
  w.meta = std::make_unique<Statement>(w.db, path_, "INSERT OR REPLACE INTO metadata(key, value) VALUES(?, ?)");
  const double fps = 1.0 / (double(everySteps_) * sim.dt());
  const Vec2 lo = sc.map.boundsMin, hi = sc.map.boundsMax;
  std::string overrides;
  for (const auto& o : options.overrides) overrides += (overrides.empty() ? "" : "\n") + o;
  const std::pair<std::string, std::string> meta[] = {
      {"version", std::to_string(kJuPedSimVersion)}, {"fps", number(fps)},
      {"xmin", number(lo.x())}, {"xmax", number(hi.x())}, {"ymin", number(lo.y())}, {"ymax", number(hi.y())},
      {"unrest_store_version", std::to_string(kStoreVersion)}, {"scenario", sc.name},
      {"scenario_file", std::filesystem::absolute(sc.file).lexically_normal().string()}, {"overrides", overrides},
      {"seed", std::to_string(sc.seed)}, {"dt_s", number(sim.dt())}, {"frame_interval_s", number(double(everySteps_) * sim.dt())},
      {"steps_per_frame", std::to_string(everySteps_)}, {"start_clock", formatClock(sc.clock.startTimeOfDay)},
      {"duration_s", number(sc.clock.duration)}, {"completed", "false"}};
  for (const auto& [key, value] : meta) w.setMeta(key, value);
  const std::string wkt = walkableWkt(sim.world());
  w.geometryHash = std::int64_t(std::hash<std::string>{}(wkt) & 0x7fffffffffffffffULL);
  {
    Statement geometry(w.db, path_, "INSERT INTO geometry(hash, wkt) VALUES(?, ?)");
    geometry.bind(1, w.geometryHash).bind(2, wkt).run();
    Statement population(w.db, path_, "INSERT INTO populations(population, name, faction) VALUES(?, ?, ?)");
    for (std::size_t p = 0; p < sc.populations.size(); ++p) {
      population.bind(1, std::int64_t(p)).bind(2, sc.populations[p].name);
      const int f = sc.populations[p].faction;
      if (f >= 0) population.bind(3, sc.factions[f].name);
      else population.bindNull(3);
      population.run();
    }
    Statement faction(w.db, path_, "INSERT INTO factions(faction, name, colour) VALUES(?, ?, ?)");
    for (std::size_t f = 0; f < sc.factions.size(); ++f)
      faction.bind(1, std::int64_t(f)).bind(2, sc.factions[f].name).bind(3, std::int64_t(sc.factions[f].colour)).run();
  }
  exec(w.db, path_, "COMMIT");
  for (const auto& v : sc.vehicles) w.vehicleNames.push_back(v.name);
  for (const auto& c : sc.checkpoints) w.checkpointNames.push_back(c.name);
  w.trajectory = std::make_unique<Statement>(w.db, path_, "INSERT INTO trajectory_data VALUES(?, ?, ?, ?, ?, ?)");
  std::string batch = "INSERT INTO trajectory_data VALUES(?, ?, ?, ?, ?, ?)";
  for (std::size_t r = 1; r < kRowsPerInsert; ++r) batch += ", (?, ?, ?, ?, ?, ?)";
  w.trajectoryBatch = std::make_unique<Statement>(w.db, path_, batch.c_str());
  w.frameData = std::make_unique<Statement>(w.db, path_, "INSERT INTO frame_data VALUES(?, ?)");
  w.frames = std::make_unique<Statement>(w.db, path_,
                                         "INSERT INTO frames VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                         "?, ?, ?, ?, ?, ?)");
  w.people = std::make_unique<Statement>(w.db, path_, "INSERT INTO people VALUES(?, ?, ?, ?, ?, ?)");
  w.vehicles = std::make_unique<Statement>(w.db, path_, "INSERT INTO vehicles VALUES(?, ?, ?, ?, ?, ?, ?)");
  w.checkpoints = std::make_unique<Statement>(w.db, path_, "INSERT INTO checkpoints VALUES(?, ?, ?, ?, ?, ?)");
  w.events = std::make_unique<Statement>(
      w.db, path_,
      "INSERT INTO events(frame, step, time_s, type, type_code, agent, population, x, y, value, item, cause, density) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  w.thread = std::thread([&w] { w.loop(); });
  afterStep(sim);  // frame 0: the street before the first step
}

RunRecorder::~RunRecorder() = default;

void RunRecorder::fill(const Simulation& sim, FrameCopy& c) {
  const Population& a = sim.agents();
  const Scenario& sc = sim.scenario();
  RecordedFrame& f = c.frame;
  f.frame = frames_;
  f.step = sim.stepIndex();
  f.time = sim.time();
  f.spawned = sim.spawned();
  f.waiting = sc.totalPeople() - sim.spawned();
  f.row = sim.lastRow();
  for (InjuryCause cause : {InjuryCause::Crush, InjuryCause::Brawl, InjuryCause::Gunshot})
    f.injuries[int(cause)] = sim.injuries(cause);
  c.eventFrame = frames_;
  c.writeFrame = true;
  f.people.clear();
  c.oriX.clear();
  c.oriY.clear();
  c.newPeople.clear();
  const auto spawned = static_cast<std::uint32_t>(sim.spawned());
  oriX_.resize(spawned, 1.0f);
  oriY_.resize(spawned, 0.0f);
  for (std::uint32_t id = peopleWritten_; id < spawned; ++id) {
    const std::int64_t i = sim.indexOfId(id);
    if (i >= 0) c.newPeople.push_back({id, a.group[i], a.role[i], a.faction[i], a.radius[i], a.desiredSpeed[i]});
  }
  peopleWritten_ = spawned;
  // In the order of the arrays, which is the order the viewer draws them in (it shows where bodies overlap).
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a.state[i] == std::uint8_t(AgentState::Exited)) continue;
    const std::uint32_t id = a.id[i];
    RecordedPerson p;
    p.id = id;
    p.x = float(a.x[i]), p.y = float(a.y[i]), p.vx = float(a.vx[i]), p.vy = float(a.vy[i]);
    p.fear = a.fear[i], p.pressure = a.pressure[i];
    p.state = a.state[i], p.role = a.role[i], p.faction = a.faction[i], p.condition = std::uint8_t(a.condition(i));
    // The heading: where the person moves, or where they last moved while they stand.
    const double speed = std::hypot(a.vx[i], a.vy[i]);
    if (speed > 1e-3) oriX_[id] = float(a.vx[i] / speed), oriY_[id] = float(a.vy[i] / speed);
    f.people.push_back(p);
    c.oriX.push_back(oriX_[id]);
    c.oriY.push_back(oriY_[id]);
  }
  f.vehicles.clear();
  for (std::size_t v = 0; v < sim.vehicles().size(); ++v) {
    const VehicleState& s = sim.vehicles()[v];
    if (!s.present) continue;
    f.vehicles.push_back({int(v), float(s.position.x()), float(s.position.y()),
                          float(std::atan2(s.direction.y(), s.direction.x())), float(s.speed)});
  }
  f.checkpoints = sim.checkpoints();
}

void RunRecorder::afterStep(const Simulation& sim) {
  if (!pending_) {
    pending_ = writer_->take();
    pending_->events.clear();
  }
  const std::int64_t step = sim.stepIndex();
  for (const Event& e : sim.stepEvents()) pending_->events.emplace_back(step, e);
  if (step % everySteps_ != 0) return;
  fill(sim, *pending_);
  writer_->push(std::move(pending_));
  ++frames_;
}

void RunRecorder::finish(const Simulation& sim, double wallSeconds, bool interrupted) {
  Writer& w = *writer_;
  if (pending_ && !pending_->events.empty()) {  // events after the last frame of a stopped run
    pending_->eventFrame = frames_;
    pending_->writeFrame = false;
    w.push(std::move(pending_));
  }
  pending_.reset();
  w.stopThread();
  if (w.error) std::rethrow_exception(w.error);
  w.setMeta("completed", interrupted ? "false" : "true");
  w.setMeta("frames", std::to_string(frames_));
  w.setMeta("simulated_s", number(sim.time()));
  w.setMeta("wall_s", number(wallSeconds));
  w.commit();
  // One plain file from here on: the log folded back in and removed.
  exec(w.db, path_, "PRAGMA wal_checkpoint(TRUNCATE)");
  exec(w.db, path_, "PRAGMA journal_mode=DELETE");
}

struct RunStore::Db {
  std::string path;
  sqlite3* db = nullptr;
  std::unique_ptr<Statement> frame, vehicles, checkpoints, events, meta;
  ~Db() {
    frame.reset(), vehicles.reset(), checkpoints.reset(), events.reset(), meta.reset();
    if (db) sqlite3_close(db);
  }
};

RunStore::RunStore(const std::string& path) : path_(path), db_(std::make_unique<Db>()) {
  Db& d = *db_;
  d.path = path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error(path + ": no such file (expected a run.sqlite written by unrest run --record)");
  // Read-write when allowed: a store left by a killed run still has its write-ahead log to fold in.
  if (sqlite3_open_v2(path.c_str(), &d.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(d.db);
    d.db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &d.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) fail(d.db, path, "cannot open");
  }
  const auto tableCheck = [&](const char* table) {
    sqlite3_stmt* st = nullptr;
    const bool ok = sqlite3_prepare_v2(d.db, (std::string("SELECT 1 FROM ") + table + " LIMIT 1").c_str(), -1, &st, nullptr) == SQLITE_OK;
    sqlite3_finalize(st);
    if (!ok)
      throw std::runtime_error(path + ": not a run store of unrest (no table '" + table + "': " + sqlite3_errmsg(d.db) +
                               "; expected a run.sqlite written by unrest run --record)");
  };
  for (const char* table : {"metadata", "frames", "people", "vehicles", "checkpoints", "events"}) tableCheck(table);
  d.meta = std::make_unique<Statement>(d.db, path, "SELECT value FROM metadata WHERE key = ?");
  const std::string version = metadata("unrest_store_version");
  if (version != std::to_string(kStoreVersion))
    throw std::runtime_error(path + ": run store version '" + version + "', expected " + std::to_string(kStoreVersion));
  everySteps_ = std::max<std::int64_t>(1, std::atoll(metadata("steps_per_frame").c_str()));
  interval_ = std::atof(metadata("frame_interval_s").c_str());
  {
    Statement count(d.db, path, "SELECT count(*) FROM frames");
    if (count.next()) frameCount_ = count.integer(0);
    count.reset();
    if (frameCount_ == 0) throw std::runtime_error(path + ": the run store holds no frame");
    Statement people(d.db, path, "SELECT id, population, radius, desired_speed FROM people ORDER BY id");
    while (people.next()) {
      const auto id = static_cast<std::size_t>(people.integer(0));
      if (id >= population_.size()) {
        population_.resize(id + 1, 0);
        radius_.resize(id + 1, 0.25f);
        desiredSpeed_.resize(id + 1, 0.0f);
      }
      population_[id] = static_cast<std::uint16_t>(people.integer(1));
      radius_[id] = float(people.real(2));
      desiredSpeed_[id] = float(people.real(3));
    }
  }
  d.frame = std::make_unique<Statement>(
      d.db, path,
      "SELECT step, time_s, spawned, waiting, walking, arrived, injured, exited, jailed, away, injuries_crush, "
      "injuries_brawl, injuries_gunshot, arrests, looting_incidents, looting_damage, peak_density_pm2, peak_pressure_Npm, "
      "crowd_pressure_ps2, legitimacy, police_presence, state FROM frames WHERE frame = ?");
  d.vehicles = std::make_unique<Statement>(d.db, path, "SELECT vehicle, x, y, heading, speed FROM vehicles WHERE frame = ? ORDER BY vehicle");
  d.checkpoints = std::make_unique<Statement>(d.db, path, "SELECT open, queue, admitted FROM checkpoints WHERE frame = ? ORDER BY checkpoint");
  d.events = std::make_unique<Statement>(
      d.db, path,
      "SELECT time_s, type_code, agent, population, x, y, value, item, cause, density FROM "
      "(SELECT * FROM events WHERE step <= ? ORDER BY event DESC LIMIT ?) ORDER BY event");
}

RunStore::~RunStore() = default;

std::string RunStore::metadata(const std::string& key) const {
  Statement& m = *db_->meta;
  m.bind(1, key);
  std::string value;
  if (m.next()) value = m.text(0);
  m.reset();
  return value;
}

std::vector<std::string> RunStore::overrides() const {
  std::vector<std::string> list;
  const std::string all = metadata("overrides");
  for (std::size_t from = 0; from < all.size();) {
    const std::size_t to = std::min(all.find('\n', from), all.size());
    list.push_back(all.substr(from, to - from));
    from = to + 1;
  }
  list.push_back("seed=" + metadata("seed"));
  return list;
}

void RunStore::readFrame(std::int64_t frame, RecordedFrame& out) {
  if (frame < 0 || frame >= frameCount_)
    throw std::runtime_error(path_ + ": no frame " + std::to_string(frame) + " (it holds 0 to " + std::to_string(frameCount_ - 1) + ")");
  Db& d = *db_;
  Statement& f = *d.frame;
  f.bind(1, frame);
  if (!f.next()) throw std::runtime_error(path_ + ": frame " + std::to_string(frame) + " is missing");
  out.frame = frame;
  out.step = f.integer(0);
  out.time = f.real(1);
  out.spawned = f.integer(2);
  out.waiting = f.integer(3);
  MetricsRow& r = out.row;
  r.time = out.time;
  int k = 4;
  for (AgentState s : {AgentState::Walking, AgentState::Arrived, AgentState::Injured, AgentState::Exited, AgentState::Jailed,
                       AgentState::Away})
    r.byState[int(s)] = f.integer(k++);
  for (auto& n : out.injuries) n = f.integer(k++);
  r.injuries = out.injuries;
  r.arrests = f.integer(k++);
  r.lootingIncidents = f.integer(k++);
  r.lootingDamage = f.real(k++);
  r.peakDensity = f.real(k++);
  r.peakPressure = f.real(k++);
  r.crowdPressure.pressure = f.real(k++);
  r.legitimacy = f.real(k++);
  r.policePresence = f.real(k++);
  std::size_t bytes = 0;
  const void* blob = f.blob(k, bytes);
  out.people.resize(bytes / sizeof(RecordedPerson));
  if (bytes) std::memcpy(out.people.data(), blob, out.people.size() * sizeof(RecordedPerson));
  f.reset();
  Statement& v = *d.vehicles;
  v.bind(1, frame);
  out.vehicles.clear();
  while (v.next()) out.vehicles.push_back({int(v.integer(0)), float(v.real(1)), float(v.real(2)), float(v.real(3)), float(v.real(4))});
  Statement& c = *d.checkpoints;
  c.bind(1, frame);
  out.checkpoints.clear();
  while (c.next()) out.checkpoints.push_back({c.integer(0) != 0, c.integer(1), c.integer(2)});
}

std::vector<Event> RunStore::eventsUpTo(std::int64_t step, int count) {
  Statement& q = *db_->events;
  q.bind(1, step).bind(2, std::int64_t(count));
  std::vector<Event> events;
  while (q.next()) {
    Event e;
    e.time = q.real(0);
    e.type = static_cast<EventType>(q.integer(1));
    e.agent = q.null(2) ? 0u : static_cast<std::uint32_t>(q.integer(2));
    e.population = q.null(3) ? -1 : int(q.integer(3));
    e.position = Vec2(q.real(4), q.real(5));
    e.value = q.real(6);
    e.index = q.null(7) ? -1 : int(q.integer(7));
    e.cause = static_cast<InjuryCause>(q.integer(8));
    e.density = q.null(9) ? 0.0 : q.real(9);
    events.push_back(e);
  }
  return events;
}

}  // namespace unrest
