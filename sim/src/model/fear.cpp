#include "fear.hpp"

#include <cmath>
#include <limits>

namespace unrest {

void noteInjury(const StepContext& ctx, FearState& fear, const Vec2& at) {
  const FearDef& fd = ctx.scenario.fear;
  if (fd.enabled && fd.injuryFear > 0) fear.threats.push_back({at, ctx.time(), fd.injuryRadius, fd.injuryFear, std::nullopt});
}

void updateFear(const StepContext& ctx, const FearState& fear, const PerceptionGrid& seen, Population& a, std::size_t i) {
  const FearDef& fd = ctx.scenario.fear;
  const Vec2 p(a.x[i], a.y[i]);
  double q = a.fear[i];
  // New shots and injuries: the nearer, the more frightening.
  for (std::size_t k = fear.firstNew; k < fear.threats.size(); ++k) {
    const Threat& th = fear.threats[k];
    const double d = (p - th.position).norm();
    if (d < th.radius) q = std::max(q, th.strength * (1.0 - d / th.radius));
  }
  // Contagion from the people around (the 3 x 3 perception cells): ASCRIBE's update
  //   q* = eta (1 - (1 - q_bar)(1 - q)) + (1 - eta) q_bar q,   dq/dt = gamma (q* - q)
  // with q_bar the mean fear of the others; eta near 1 amplifies, near 0 absorbs.
  const PerceptionGrid& g = seen;
  const int ci = std::clamp(g.grid.cellX(p.x()), 0, g.grid.nx - 1), cj = std::clamp(g.grid.cellY(p.y()), 0, g.grid.ny - 1);
  std::int64_t others = -1, fearSum = -PerceptionGrid::fearUnits(a.fear[i]);
  for (int j = std::max(0, cj - 1); j <= std::min(g.grid.ny - 1, cj + 1); ++j)
    for (int ii = std::max(0, ci - 1); ii <= std::min(g.grid.nx - 1, ci + 1); ++ii) {
      const auto c = g.grid.index(ii, j);
      others += g.people[c];
      fearSum += g.fear[c];
    }
  if (others > 0) {
    const double qBar = std::clamp(double(fearSum) / PerceptionGrid::kFearScale / double(others), 0.0, 1.0);
    const double eta = fd.amplification;
    const double qStar = eta * (1.0 - (1.0 - qBar) * (1.0 - q)) + (1.0 - eta) * qBar * q;
    q += fd.contagionRate * (qStar - q) * ctx.dt;
  }
  q -= fd.decay * q * ctx.dt;
  a.fear[i] = static_cast<float>(std::clamp(q, 0.0, 1.0));
}

Vec2 fleeDirection(const StepContext& ctx, const FearState& fear, const Population& a, std::size_t i, const Vec2& p) {
  // From the nearest recent threat: up the flight field of a shot (away along the streets), else straight away.
  const Threat* nearest = nullptr;
  double best = std::numeric_limits<double>::infinity();
  for (const Threat& th : fear.threats) {
    if (ctx.time() - th.time > kThreatMemory) continue;
    const double d = (p - th.position).squaredNorm();
    if (d < best) {
      best = d;
      nearest = &th;
    }
  }
  if (!nearest) {
    const Vec2 v(a.vx[i], a.vy[i]);
    return v.squaredNorm() > 1e-6 ? Vec2(v.normalized()) : Vec2::Zero();
  }
  if (nearest->flightField) {
    const FlightField& f = fear.flightFields[*nearest->flightField];
    const int ci = f.grid.cellX(p.x()), cj = f.grid.cellY(p.y());
    if (f.grid.inside(ci, cj) && std::isfinite(f.distance[f.grid.index(ci, cj)])) {
      const float centre = f.distance[f.grid.index(ci, cj)];
      auto at = [&](int u, int w) {
        return f.grid.inside(u, w) && std::isfinite(f.distance[f.grid.index(u, w)]) ? double(f.distance[f.grid.index(u, w)])
                                                                                   : double(centre);
      };
      const Vec2 uphill(at(ci + 1, cj) - at(ci - 1, cj), at(ci, cj + 1) - at(ci, cj - 1));
      if (uphill.squaredNorm() > 1e-12) return uphill.normalized();
    }
  }
  const Vec2 away = p - nearest->position;
  return away.squaredNorm() > 1e-12 ? Vec2(away.normalized()) : Vec2(1.0, 0.0);
}

// Where people run from a shot at `at`: away along the streets, up the geodesic distance from it (fast marching on
// the raster around the shot, out to fear.safe_distance), rather than in a straight line into the nearest wall.
std::optional<FlightField> flightFieldFrom(const StepContext& ctx, const Vec2& at) {
  const World& world = ctx.world;
  const Grid& g = world.grid();
  FlightField field;
  const int reach = static_cast<int>(std::ceil(ctx.scenario.fear.safeDistance / g.h));
  const int ci = std::clamp(g.cellX(at.x()), 0, g.nx - 1), cj = std::clamp(g.cellY(at.y()), 0, g.ny - 1);
  const int i0 = std::max(0, ci - reach), i1 = std::min(g.nx - 1, ci + reach);
  const int j0 = std::max(0, cj - reach), j1 = std::min(g.ny - 1, cj + reach);
  field.grid.h = g.h;
  field.grid.nx = i1 - i0 + 1;
  field.grid.ny = j1 - j0 + 1;
  field.grid.origin = g.origin + Vec2(i0 * g.h, j0 * g.h);
  std::vector<float> cost(field.grid.size(), 0.0f);
  std::optional<std::int32_t> seed;
  double seedDistance = std::numeric_limits<double>::infinity();
  for (int j = 0; j < field.grid.ny; ++j)
    for (int i = 0; i < field.grid.nx; ++i) {
      if (!world.walkable(g.index(i0 + i, j0 + j))) continue;
      const auto c = field.grid.index(i, j);
      cost[c] = 1.0f;
      const double d = (field.grid.centre(i, j) - at).squaredNorm();
      if (d < seedDistance) {
        seedDistance = d;
        seed = static_cast<std::int32_t>(c);
      }
    }
  if (!seed) return std::nullopt;
  field.distance = fastMarching(field.grid, cost, {*seed});
  return field;
}

Vec2 fireShot(const StepContext& ctx, const TimelineEventDef& e, const std::vector<VehicleState>& vehicles,
              const Population& a, FearState& fear) {
  Vec2 at = e.position;
  if (e.vehicle >= 0) {
    const VehicleState& v = vehicles[e.vehicle];
    at = v.present || v.finished ? v.position : ctx.scenario.vehicles[e.vehicle].route.front();
  } else if (e.population >= 0) {
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a.group[i] == e.population && onStreet(a.state[i])) at = Vec2(a.x[i], a.y[i]);
  }
  std::optional<std::size_t> flight;
  if (auto field = flightFieldFrom(ctx, at)) {
    flight = fear.flightFields.size();
    fear.flightFields.push_back(std::move(*field));
  }
  fear.threats.push_back({at, ctx.time(), ctx.scenario.fear.gunshotRadius, 1.0, flight});
  return at;
}

}  // namespace unrest
