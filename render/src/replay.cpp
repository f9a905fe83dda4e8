#include "unrest/render/replay.hpp"

#include <algorithm>
#include <cmath>

namespace unrest::render {

namespace {
constexpr int kFeedLength = 40;  // as the live feed
// "As fast as possible" for a replay: the fastest of the speeds offered.
constexpr double kMaxReplaySpeed = 64.0;
}  // namespace

void snapshotFromRecord(const Scenario& sc, RunStore& store, const RecordedFrame& f, Snapshot& out) {
  out.step = f.step;
  out.time = f.time;
  const std::size_t n = f.people.size();
  for (auto* column : {&out.x, &out.y, &out.vx, &out.vy, &out.radius, &out.desiredSpeed, &out.fear, &out.pressure}) column->resize(n);
  for (auto* column : {&out.state, &out.role, &out.faction, &out.activity, &out.condition}) column->resize(n);
  out.id.resize(n);
  out.group.resize(n);
  out.field.resize(n);
  const auto& population = store.population();
  for (std::size_t k = 0; k < n; ++k) {
    const RecordedPerson& p = f.people[k];
    const bool known = p.id < population.size();
    out.x[k] = p.x, out.y[k] = p.y, out.vx[k] = p.vx, out.vy[k] = p.vy, out.fear[k] = p.fear, out.pressure[k] = p.pressure;
    out.radius[k] = known ? store.radius()[p.id] : 0.25f;
    out.desiredSpeed[k] = known ? store.desiredSpeed()[p.id] : 0.0f;
    out.state[k] = p.state, out.role[k] = p.role, out.faction[k] = p.faction, out.condition[k] = p.condition;
    // The activity behind the condition (the store keeps the condition, which says as much for the viewer).
    static constexpr std::uint8_t kActivityOf[kConditionCount] = {
        std::uint8_t(Activity::Quiet), std::uint8_t(Activity::Active), std::uint8_t(Activity::Fighting),
        std::uint8_t(Activity::Fleeing), std::uint8_t(Activity::Looting), std::uint8_t(Activity::Quiet), std::uint8_t(Activity::Quiet)};
    out.activity[k] = kActivityOf[std::min<int>(p.condition, kConditionCount - 1)];
    out.id[k] = p.id;
    out.group[k] = known ? population[p.id] : 0;
    out.field[k] = 0xffff;  // not recorded: the inspector shows no destination
  }
  out.row = f.row;
  out.spawned = f.spawned;
  out.waiting = f.waiting;
  out.injuriesByCause.clear();
  for (InjuryCause c : {InjuryCause::Crush, InjuryCause::Brawl, InjuryCause::Gunshot})
    out.injuriesByCause.emplace_back(injuryCauseName(c), f.injuries[int(c)]);
  out.vehicles.clear();
  for (const RecordedVehicle& v : f.vehicles)
    if (v.vehicle >= 0 && v.vehicle < int(sc.vehicles.size())) out.vehicles.push_back(vehicleView(sc.vehicles[v.vehicle], v.x, v.y, v.heading));
  out.checkpoints.clear();
  for (std::size_t c = 0; c < f.checkpoints.size() && c < sc.checkpoints.size(); ++c)
    if (f.checkpoints[c].open) out.checkpoints.push_back(checkpointView(sc.checkpoints[c], f.checkpoints[c].queue));
  out.feed.clear();
  for (const Event& e : store.eventsUpTo(f.step, kFeedLength)) out.feed.push_back({e.time, e.type, describeEvent(sc, e)});
}

ReplaySource::ReplaySource(const Scenario& scenario, RunStore& store) : scenario_(scenario), store_(store) { anchor(); }

void ReplaySource::anchor() {
  wallAnchor_ = Clock::now();
}

double ReplaySource::now() const {
  if (paused_ || !started_) return position_;
  const double speed = speed_ > 0 ? speed_ : kMaxReplaySpeed;
  const double wall = std::chrono::duration<double>(Clock::now() - wallAnchor_).count();
  return std::clamp(position_ + (backwards_ ? -1.0 : 1.0) * speed * wall, 0.0, endTime());
}

std::int64_t ReplaySource::frameAt(double time) const {
  const auto frame = static_cast<std::int64_t>(std::floor(time / store_.interval() + 1e-9));
  return std::clamp<std::int64_t>(frame, 0, store_.frameCount() - 1);
}

void ReplaySource::start() {
  started_ = true;
  anchor();
}

void ReplaySource::setPaused(bool paused) {
  position_ = now();
  // Play from the start again after the end (or from the end again, backwards).
  if (!paused && !backwards_ && position_ >= endTime()) position_ = 0.0;
  if (!paused && backwards_ && position_ <= 0.0) position_ = endTime();
  paused_ = paused;
  if (!paused) ended_ = false;
  anchor();
  published_ = -1;  // the paused state shows in the HUD
}

void ReplaySource::setSpeed(double speed) {
  position_ = now();
  speed_ = std::min(speed, kMaxReplaySpeed);
  anchor();
}

void ReplaySource::setBackwards(bool backwards) {
  position_ = now();
  backwards_ = backwards;
  anchor();
}

void ReplaySource::seek(double time) {
  position_ = double(frameAt(std::clamp(time, 0.0, endTime()))) * store_.interval();
  anchor();
}

void ReplaySource::stepOnce() {
  paused_ = true;
  position_ = double(std::min(frameAt(now()) + 1, store_.frameCount() - 1)) * store_.interval();
}

void ReplaySource::stepBack() {
  paused_ = true;
  position_ = double(std::max<std::int64_t>(frameAt(now()) - 1, 0)) * store_.interval();
}

void ReplaySource::runTo(std::int64_t step) {
  paused_ = true;
  position_ = double(frameAt(double(step) * scenario_.clock.dt)) * store_.interval();
}

bool ReplaySource::latest(Snapshot& out) {
  double t = now();
  if (!paused_ && (backwards_ ? t <= 0.0 : t >= endTime())) {  // the end (or the start): hold there
    position_ = t;
    paused_ = true;
    ended_ = true;
    published_ = -1;
  }
  const std::int64_t frame = frameAt(t);
  if (frame == published_ && out.step >= 0) return false;
  store_.readFrame(frame, frame_);
  snapshotFromRecord(scenario_, store_, frame_, out);
  out.paused = paused_;
  out.finished = ended_;
  out.speed = paused_ ? 0.0 : (backwards_ ? -1.0 : 1.0) * (speed_ > 0 ? speed_ : kMaxReplaySpeed);
  published_ = frame;
  return true;
}

void ReplaySource::waitFor(std::int64_t step, Snapshot& out) {
  runTo(step);
  published_ = -1;
  latest(out);
}

}  // namespace unrest::render
