#include "unrest/measurement.hpp"

#include "unrest/output.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace unrest {

namespace {

double polygonArea(const std::vector<Vec2>& poly) {
  double twice = 0.0;
  for (std::size_t i = 0; i < poly.size(); ++i) twice += cross(poly[i], poly[(i + 1) % poly.size()]);
  return 0.5 * twice;
}

// Sutherland–Hodgman against one half-plane {x : n·x <= c}.
void clipHalfPlane(std::vector<Vec2>& poly, const Vec2& n, double c, std::vector<Vec2>& scratch) {
  scratch.clear();
  for (std::size_t i = 0; i < poly.size(); ++i) {
    const Vec2& a = poly[i];
    const Vec2& b = poly[(i + 1) % poly.size()];
    const double da = n.dot(a) - c, db = n.dot(b) - c;
    if (da <= 0) scratch.push_back(a);
    if ((da < 0 && db > 0) || (da > 0 && db < 0)) scratch.push_back(a + (b - a) * (da / (da - db)));
  }
  poly.swap(scratch);
}

std::vector<Vec2> counterClockwise(const Shape& shape) {
  std::vector<Vec2> poly;
  if (shape.kind == Shape::Kind::Rect) {
    const Vec2 lo = shape.points[0], hi = shape.points[1];
    poly = {lo, Vec2(hi.x(), lo.y()), hi, Vec2(lo.x(), hi.y())};
  } else {
    poly = shape.points;
  }
  if (polygonArea(poly) < 0) std::reverse(poly.begin(), poly.end());
  return poly;
}

std::int64_t stepsPer(double interval, double dt) {
  return interval > 0 ? std::max<std::int64_t>(1, std::llround(interval / dt)) : 0;
}

// Where along a -> b (parameter s in [0, 1]) the move crosses the segment p -> q, or a negative number.
double crossingAt(const Vec2& a, const Vec2& b, const Vec2& p, const Vec2& q) {
  const Vec2 r = b - a, e = q - p;
  const double denom = cross(r, e);
  if (std::abs(denom) < 1e-15) return -1.0;
  const double s = cross(p - a, e) / denom, u = cross(p - a, r) / denom;
  // Half-open in s, so a person standing exactly on the line is counted once, when they leave it.
  return (s > 0.0 && s <= 1.0 && u >= 0.0 && u <= 1.0) ? s : -1.0;
}

}  // namespace

Measurement::Measurement(const Simulation& sim) : def_(sim.scenario().measurement) {
  const double dt = sim.dt();
  areaEvery_ = def_.areas.empty() ? 0 : stepsPer(def_.interval, dt);
  frameEvery_ = stepsPer(def_.trajectoryInterval, dt);
  const auto total = static_cast<std::size_t>(sim.scenario().totalPeople());
  lastX_.assign(total, kNever);
  lastY_.assign(total, kNever);
  if (def_.people) people_.assign(total, Person{});
  net_.assign(def_.lines.size(), 0);
  for (const auto& a : def_.areas) {
    areaPolygons_.push_back(counterClockwise(a.shape));
    areaSizes_.push_back(polygonArea(areaPolygons_.back()));
  }
}

void Measurement::afterStep(const Simulation& sim) {
  if (sim.stepIndex() == lastStep_) return;
  lastStep_ = sim.stepIndex();
  stepCrossings_.clear();
  stepAreas_.clear();
  const Population& a = sim.agents();
  const double t = sim.time(), dt = sim.dt();
  const bool perStep = !def_.lines.empty() || def_.people;
  if (perStep) {
    for (std::size_t k = 0; k < a.size(); ++k) {
      const std::uint32_t id = a.id[k];
      const Vec2 now(a.x[k], a.y[k]);
      const auto state = static_cast<AgentState>(a.state[k]);
      if (std::isnan(lastX_[id])) {  // appeared in this step's events stage
        lastX_[id] = now.x();
        lastY_[id] = now.y();
        if (def_.people) {
          people_[id].population = a.group[k];
          people_[id].spawn = t - dt;
          if (state == AgentState::Arrived) people_[id].arrival = t - dt;
        }
        continue;
      }
      const Vec2 before(lastX_[id], lastY_[id]);
      if (!def_.lines.empty() && now != before) {
        // The move, taken across the periodic boundary when that is shorter; tried from both ends, so a line at
        // either end of the period sees it.
        const Vec2 d = sim.offset(now, before);
        for (std::size_t l = 0; l < def_.lines.size(); ++l) {
          const CountingLineDef& line = def_.lines[l];
          double s = crossingAt(before, before + d, line.from, line.to);
          if (s < 0 && (before + d - now).squaredNorm() > 1e-18) s = crossingAt(now - d, now, line.from, line.to);
          if (s < 0) continue;
          const int sign = d.dot(line.direction) >= 0 ? 1 : -1;
          stepCrossings_.push_back({t - dt + s * dt, static_cast<int>(l), id, a.group[k], sign});
          net_[l] += sign;
        }
      }
      lastX_[id] = now.x();
      lastY_[id] = now.y();
      if (def_.people) {
        Person& p = people_[id];
        p.peakPressure = std::max(p.peakPressure, double(a.pressure[k]));
        if ((state == AgentState::Arrived || state == AgentState::Exited) && std::isnan(p.arrival)) p.arrival = t;
        if (state == AgentState::Exited && std::isnan(p.exit)) p.exit = t;
        if (state == AgentState::Injured && std::isnan(p.injury)) p.injury = t;
      }
    }
    std::sort(stepCrossings_.begin(), stepCrossings_.end(), [](const Crossing& l, const Crossing& r) {
      return l.time != r.time ? l.time < r.time : (l.agent != r.agent ? l.agent < r.agent : l.line < r.line);
    });
  }
  const std::int64_t step = sim.stepIndex();
  if (areaEvery_ > 0 && step % areaEvery_ == 0) sampleAreas(sim);
  frameStep_ = frameEvery_ > 0 && step % frameEvery_ == 0;
  if (frameStep_) frame_ = step / frameEvery_;
}

std::pair<double, double> Measurement::voronoiCell(const Vec2& centre, const std::vector<Vec2>& others, double cutOff,
                                                   const std::vector<Vec2>& area,
                                                   const std::vector<std::pair<Vec2, Vec2>>& wallLines) {
  // The cut-off circle as a 32-gon, then one half-plane per neighbour (the perpendicular bisector) and per wall.
  constexpr int kSides = 32;
  std::vector<Vec2> cell, scratch;
  cell.reserve(kSides + 16);
  for (int s = 0; s < kSides; ++s) {
    const double angle = 2.0 * M_PI * s / kSides;
    cell.push_back(centre + cutOff * Vec2(std::cos(angle), std::sin(angle)));
  }
  for (const Vec2& q : others) {
    const Vec2 n = q - centre;
    const double d2 = n.squaredNorm();
    if (d2 <= 1e-18 || d2 >= 4.0 * cutOff * cutOff) continue;
    clipHalfPlane(cell, n, n.dot(0.5 * (centre + q)), scratch);
  }
  for (const auto& [point, outward] : wallLines) clipHalfPlane(cell, outward, outward.dot(point), scratch);
  const double whole = polygonArea(cell);
  for (std::size_t i = 0; i < area.size() && !cell.empty(); ++i) {
    const Vec2 edge = area[(i + 1) % area.size()] - area[i];
    const Vec2 outward(edge.y(), -edge.x());  // right of a counter-clockwise edge
    clipHalfPlane(cell, outward, outward.dot(area[i]), scratch);
  }
  return {whole, cell.size() >= 3 ? polygonArea(cell) : 0.0};
}

void Measurement::sampleAreas(const Simulation& sim) {
  const Population& a = sim.agents();
  const World& world = sim.world();
  const double cutOff = def_.voronoiCutOff;
  std::vector<Vec2> pool;
  std::vector<std::size_t> poolIndex;
  std::vector<std::pair<Vec2, Vec2>> wallLines;
  for (std::size_t ar = 0; ar < def_.areas.size(); ++ar) {
    const auto& poly = areaPolygons_[ar];
    const Shape& shape = def_.areas[ar].shape;
    AreaSample sample;
    sample.time = sim.time();
    sample.area = static_cast<int>(ar);
    double speedSum = 0.0;
    Vec2 lo = poly[0], hi = poly[0];
    for (const Vec2& p : poly) {
      lo = lo.cwiseMin(p);
      hi = hi.cwiseMax(p);
    }
    const Vec2 middle = 0.5 * (lo + hi);
    pool.clear();
    poolIndex.clear();
    for (std::size_t k = 0; k < a.size(); ++k) {
      if (a.state[k] == std::uint8_t(AgentState::Exited)) continue;
      // Positions as seen from the area, across the periodic boundary where that is nearer.
      const Vec2 p = middle + sim.offset(Vec2(a.x[k], a.y[k]), middle);
      const double speed = std::hypot(a.vx[k], a.vy[k]);
      if (shape.contains(p)) {
        ++sample.count;
        speedSum += speed;
      }
      if (cutOff > 0 && p.x() > lo.x() - 4 * cutOff && p.x() < hi.x() + 4 * cutOff && p.y() > lo.y() - 4 * cutOff &&
          p.y() < hi.y() + 4 * cutOff) {
        pool.push_back(p);
        poolIndex.push_back(k);
      }
    }
    sample.density = sample.count / areaSizes_[ar];
    sample.speed = sample.count ? speedSum / sample.count : 0.0;
    if (cutOff > 0) {
      double density = 0.0, flux = 0.0;
      for (std::size_t c = 0; c < pool.size(); ++c) {
        const Vec2& p = pool[c];
        if (p.x() < lo.x() - 2 * cutOff || p.x() > hi.x() + 2 * cutOff || p.y() < lo.y() - 2 * cutOff || p.y() > hi.y() + 2 * cutOff)
          continue;
        // The walls a person stands beside bound their cell, as the walkable area bounds PedPy's cells.
        wallLines.clear();
        const Vec2 home(a.x[poolIndex[c]], a.y[poolIndex[c]]);
        for (auto [it, end] = world.segmentsNear(world.wallBucketOf(home)); it != end; ++it) {
          const WallSegment& w = world.walls()[*it];
          const Vec2 ab = w.b - w.a;
          const double s = (home - w.a).dot(ab) / ab.squaredNorm();
          if (s < 0.0 || s > 1.0 || cross(ab, home - w.a) <= 0.0) continue;
          const Vec2 shift = p - home;  // the periodic image the area sees
          wallLines.push_back({w.a + shift, Vec2(ab.y(), -ab.x())});  // outward: right of a wall with walkable on its left
        }
        const auto [whole, inside] = voronoiCell(p, pool, cutOff, poly, wallLines);
        if (inside <= 0.0 || whole <= 0.0) continue;
        const std::size_t k = poolIndex[c];
        density += inside / whole;
        flux += std::hypot(a.vx[k], a.vy[k]) * inside;
      }
      sample.voronoiDensity = density / areaSizes_[ar];
      sample.voronoiSpeed = flux / areaSizes_[ar];
    }
    stepAreas_.push_back(sample);
  }
}

// ---------------------------------------------------------------- files

namespace {
OutputFile openFile(const std::string& directory, const char* name, const char* header) {
  OutputFile f(std::filesystem::path(directory) / name);
  f.put(header);
  f.commit();
  return f;
}
}  // namespace

MeasurementWriter::MeasurementWriter(const Simulation& sim, const Measurement& measurement, const std::string& directory,
                                     const OutputOffsets* resumeAt)
    : m_(measurement), directory_(directory) {
  const MeasurementDef& def = sim.scenario().measurement;
  if (resumeAt) {
    const auto dir = std::filesystem::path(directory);
    if (!def.lines.empty()) crossings_ = OutputFile::reopenAt(dir / "crossings.csv", resumeAt->crossings);
    if (!def.areas.empty()) areas_ = OutputFile::reopenAt(dir / "areas.csv", resumeAt->areas);
    if (def.trajectoryInterval > 0) trajectories_ = OutputFile::reopenAt(dir / "trajectories.txt", resumeAt->trajectories);
    return;
  }
  if (!def.lines.empty()) crossings_ = openFile(directory, "crossings.csv", "time_s,line,agent,population,sign\n");
  if (!def.areas.empty())
    areas_ = openFile(directory, "areas.csv", "time_s,area,count,density_pm2,speed_mps,voronoi_density_pm2,voronoi_speed_mps\n");
  if (def.trajectoryInterval > 0) {
    // PedPy's load_trajectory_from_txt reads the frame rate and the unit from these comment lines.
    char header[512];
    std::snprintf(header, sizeof header,
                  "# unrest trajectories of scenario '%s', seed %llu\n# framerate: %.6g\n"
                  "# positions in m; frame = time / %.6g s\n# id frame x/m y/m z/m\n",
                  jsonEscape(sim.scenario().name).c_str(), static_cast<unsigned long long>(sim.scenario().seed),
                  1.0 / def.trajectoryInterval, def.trajectoryInterval);
    trajectories_ = openFile(directory, "trajectories.txt", header);
  }
}

MeasurementWriter::~MeasurementWriter() = default;

void MeasurementWriter::flushOffsets(OutputOffsets& offsets) {
  offsets.crossings = crossings_.syncedSize();
  offsets.areas = areas_.syncedSize();
  offsets.trajectories = trajectories_.syncedSize();
}

void MeasurementWriter::afterStep(const Simulation& sim) {
  const Measurement* m = &m_;
  if (sim.stepIndex() == lastStep_) return;
  lastStep_ = sim.stepIndex();
  const MeasurementDef& def = sim.scenario().measurement;
  if (crossings_ && !m->stepCrossings().empty()) {
    for (const auto& c : m->stepCrossings())
      crossings_.printf("%.4f,%s,%u,%s,%d\n", c.time, def.lines[c.line].name.c_str(), c.agent,
                   sim.scenario().populations[c.population].name.c_str(), c.sign);
    crossings_.commit();
  }
  if (areas_ && !m->stepAreaSamples().empty()) {
    for (const auto& s : m->stepAreaSamples())
      areas_.printf("%.3f,%s,%d,%.4f,%.4f,%.4f,%.4f\n", s.time, def.areas[s.area].shape.name.c_str(), s.count,
                   s.density, s.speed, s.voronoiDensity, s.voronoiSpeed);
    areas_.commit();
  }
  if (trajectories_ && m->trajectoryFrame()) {
    const Population& a = sim.agents();
    std::vector<std::size_t>& order = frameOrder_;
    order.clear();
    for (std::size_t k = 0; k < a.size(); ++k)
      if (a.state[k] != std::uint8_t(AgentState::Exited)) order.push_back(k);
    std::sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) { return a.id[l] < a.id[r]; });
    for (std::size_t k : order)
      trajectories_.printf("%u %lld %.4f %.4f 0\n", a.id[k], static_cast<long long>(m->frame()), a.x[k], a.y[k]);
    trajectories_.commit();
  }
}

void MeasurementWriter::finish(const Simulation& sim) {
  const Measurement* m = &m_;
  if (!sim.scenario().measurement.people) return;
  OutputFile f = openFile(directory_, "people.csv",
                          "agent,population,spawn_s,arrival_s,exit_s,travel_s,peak_pressure_Npm,injury_s\n");
  auto num = [](double v) {
    char buf[32];
    if (std::isnan(v)) return std::string();
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return std::string(buf);
  };
  const auto& people = m->people();
  for (std::size_t id = 0; id < people.size(); ++id) {
    const auto& p = people[id];
    if (p.population < 0) continue;  // never appeared
    f.printf("%zu,%s,%s,%s,%s,%s,%.1f,%s\n", id, sim.scenario().populations[p.population].name.c_str(),
                 num(p.spawn).c_str(), num(p.arrival).c_str(), num(p.exit).c_str(), num(p.arrival - p.spawn).c_str(),
                 p.peakPressure, num(p.injury).c_str());
  }
  f.commit();
}

}  // namespace unrest
