#include "unrest/world.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace unrest {

namespace {

// Marks cells whose centre lies in the shape; polylines go segment by segment so a long street does not test
// every cell of its bounding box against every segment.
template <class Mark>
void forEachCellIn(const Grid& grid, const Shape& shape, Mark&& mark) {
  auto visitBox = [&](Vec2 lo, Vec2 hi, auto&& test) {
    const int i0 = std::max(0, grid.cellX(lo.x())), i1 = std::min(grid.nx - 1, grid.cellX(hi.x()));
    const int j0 = std::max(0, grid.cellY(lo.y())), j1 = std::min(grid.ny - 1, grid.cellY(hi.y()));
#pragma omp parallel for schedule(static)
    for (int j = j0; j <= j1; ++j)
      for (int i = i0; i <= i1; ++i)
        if (test(grid.centre(i, j))) mark(grid.index(i, j));
  };
  if (shape.kind == Shape::Kind::Polyline) {
    const double half = 0.5 * shape.width;
    for (std::size_t s = 0; s + 1 < shape.points.size(); ++s) {
      const Vec2 a = shape.points[s], b = shape.points[s + 1];
      visitBox(a.cwiseMin(b).array() - half, a.cwiseMax(b).array() + half,
               [&](const Vec2& p) { return (p - closestPointOnSegment(p, a, b)).squaredNorm() <= half * half; });
    }
    return;
  }
  const auto [lo, hi] = shape.bounds();
  visitBox(lo, hi, [&](const Vec2& p) { return shape.contains(p); });
}

std::vector<float> edt1d(const std::vector<float>& f) {
  // Lower envelope of the parabolas (q - p)^2 + f(p) (Felzenszwalb & Huttenlocher 2012); squared distances.
  const int n = static_cast<int>(f.size());
  std::vector<float> d(n);
  std::vector<int> v(n);
  std::vector<double> z(n + 1);
  int k = 0;
  v[0] = 0;
  z[0] = -std::numeric_limits<double>::infinity();
  z[1] = std::numeric_limits<double>::infinity();
  auto intersection = [&](int q, int p) {
    return ((double(f[q]) + double(q) * q) - (double(f[p]) + double(p) * p)) / (2.0 * (q - p));
  };
  for (int q = 1; q < n; ++q) {
    double s = intersection(q, v[k]);
    while (s <= z[k]) {  // z[0] = -inf ends the loop
      --k;
      s = intersection(q, v[k]);
    }
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = std::numeric_limits<double>::infinity();
  }
  k = 0;
  for (int q = 0; q < n; ++q) {
    while (z[k + 1] < q) ++k;
    const double dq = q - v[k];
    d[q] = static_cast<float>(dq * dq + f[v[k]]);
  }
  return d;
}

// Douglas-Peucker on an open chain; keeps first and last.
void simplifyChain(const std::vector<Vec2>& pts, std::size_t first, std::size_t last, double tol, std::vector<char>& keep) {
  if (last <= first + 1) return;
  double worst = -1.0;
  std::size_t worstAt = first;
  for (std::size_t i = first + 1; i < last; ++i) {
    const double d = (pts[i] - closestPointOnSegment(pts[i], pts[first], pts[last])).norm();
    if (d > worst) {
      worst = d;
      worstAt = i;
    }
  }
  if (worst > tol) {
    keep[worstAt] = 1;
    simplifyChain(pts, first, worstAt, tol, keep);
    simplifyChain(pts, worstAt, last, tol, keep);
  }
}


// The parts of a polyline with lo <= x <= hi (lo == hi: the polyline whole).
std::vector<std::vector<Vec2>> clipToSlab(const std::vector<Vec2>& line, double lo, double hi) {
  if (lo >= hi) return {line};
  std::vector<std::vector<Vec2>> pieces;
  std::vector<Vec2> piece;
  auto inside = [&](const Vec2& p) { return p.x() >= lo && p.x() <= hi; };
  auto crossing = [](const Vec2& a, const Vec2& b, double x) { return Vec2(a + (b - a) * ((x - a.x()) / (b.x() - a.x()))); };
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (i == 0) {
      if (inside(line[0])) piece.push_back(line[0]);
      continue;
    }
    const Vec2 &a = line[i - 1], &b = line[i];
    const bool ia = inside(a), ib = inside(b);
    if (!ia) {
      // Entering: through whichever end of the slab lies between a and b.
      for (double x : {lo, hi})
        if ((a.x() - x) * (b.x() - x) < 0) piece = {crossing(a, b, x)};
    }
    if (ib) {
      piece.push_back(b);
    } else if (!piece.empty()) {
      for (double x : {lo, hi})
        if ((a.x() - x) * (b.x() - x) < 0) piece.push_back(crossing(a, b, x));
      if (piece.size() >= 2) pieces.push_back(piece);
      piece.clear();
    }
  }
  if (piece.size() >= 2) pieces.push_back(piece);
  return pieces;
}

}  // namespace

std::vector<float> distanceTransform(const Grid& grid, const std::vector<std::uint8_t>& mask) {
  const float inf = 1e20f;
  std::vector<float> out(grid.size());
  for (std::size_t c = 0; c < grid.size(); ++c) out[c] = mask[c] ? inf : 0.0f;
  // Columns, then rows: the 2-D transform separates into 1-D ones.
#pragma omp parallel
  {
    std::vector<float> line;
#pragma omp for schedule(static)
    for (int i = 0; i < grid.nx; ++i) {
      line.resize(grid.ny);
      for (int j = 0; j < grid.ny; ++j) line[j] = out[grid.index(i, j)];
      auto d = edt1d(line);
      for (int j = 0; j < grid.ny; ++j) out[grid.index(i, j)] = d[j];
    }
#pragma omp for schedule(static)
    for (int j = 0; j < grid.ny; ++j) {
      line.assign(out.begin() + grid.index(0, j), out.begin() + grid.index(0, j) + grid.nx);
      auto d = edt1d(line);
      for (int i = 0; i < grid.nx; ++i) out[grid.index(i, j)] = std::sqrt(d[i]);
    }
  }
  return out;
}

std::vector<float> fastMarching(const Grid& grid, const std::vector<float>& cost, const std::vector<std::int32_t>& seeds) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> T(grid.size(), inf);
  std::vector<std::uint8_t> known(grid.size(), 0);
  using Item = std::pair<double, std::int32_t>;
  std::vector<Item> heap;
  auto push = [&](double t, std::int32_t c) {
    heap.emplace_back(t, c);
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  };
  for (auto s : seeds) {
    T[s] = 0.0f;
    push(0.0, s);
  }
  const double h = grid.h;
  auto value = [&](int i, int j) -> double {
    if (!grid.inside(i, j)) return inf;
    const auto c = grid.index(i, j);
    return known[c] ? double(T[c]) : double(inf);
  };
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    const auto [t, c] = heap.back();
    heap.pop_back();
    if (known[c] || static_cast<float>(t) > T[c]) continue;  // stale entry
    known[c] = 1;
    const int ci = static_cast<int>(c % grid.nx), cj = static_cast<int>(c / grid.nx);
    const int di[4] = {1, -1, 0, 0}, dj[4] = {0, 0, 1, -1};
    for (int n = 0; n < 4; ++n) {
      const int i = ci + di[n], j = cj + dj[n];
      if (!grid.inside(i, j)) continue;
      const auto nc = grid.index(i, j);
      if (known[nc] || cost[nc] <= 0.0f) continue;
      // First-order upwind solution of |∇T| = cost from the known neighbours.
      const double a = std::min(value(i - 1, j), value(i + 1, j));
      const double b = std::min(value(i, j - 1), value(i, j + 1));
      const double f = cost[nc] * h;
      double tNew;
      if (std::isinf(a) || std::isinf(b) || std::abs(a - b) >= f) {
        tNew = std::min(a, b) + f;
      } else {
        tNew = 0.5 * (a + b + std::sqrt(2.0 * f * f - (a - b) * (a - b)));
      }
      if (tNew < T[nc]) {
        T[nc] = static_cast<float>(tNew);
        push(tNew, static_cast<std::int32_t>(nc));
      }
    }
  }
  return T;
}

World::World(const Scenario& scenario) : periodX_(scenario.map.periodX) {
  const auto& map = scenario.map;
  grid_.h = map.cellSize;
  grid_.origin = map.boundsMin;
  grid_.nx = std::max(1, static_cast<int>(std::ceil((map.boundsMax.x() - map.boundsMin.x()) / map.cellSize - 1e-9)));
  grid_.ny = std::max(1, static_cast<int>(std::ceil((map.boundsMax.y() - map.boundsMin.y()) / map.cellSize - 1e-9)));
  rasterise(scenario);
  computeWallDistance();
  double maxRadius = 0.35;
  for (const auto& p : scenario.populations) maxRadius = std::max(maxRadius, p.radius.kind == Distribution::Kind::Constant ? p.radius.value : p.radius.max);
  // Far enough for the wall forces, and under a velocity model for the walls that hide one neighbour from another.
  const double forceReach = maxRadius + scenario.physics.interactionRange + 0.05;
  traceWalls(scenario.locomotion.velocityModel() ? std::max(forceReach, scenario.neighbourReach()) : forceReach);
  buildNavigation(scenario);
  checkReachable(scenario);
}

void World::rasterise(const Scenario& scenario) {
  const auto& map = scenario.map;
  walkable_.assign(grid_.size(), map.walkable.empty() ? 1 : 0);
  for (const auto& s : map.walkable) forEachCellIn(grid_, s, [&](std::size_t c) { walkable_[c] = 1; });
  for (const auto& s : map.obstacles) forEachCellIn(grid_, s, [&](std::size_t c) { walkable_[c] = 0; });

  zones_ = map.zones;
  zoneCells_.assign(zones_.size(), {});
  std::vector<Diagnostic> problems;
  for (std::size_t z = 0; z < zones_.size(); ++z) {
    std::vector<std::uint8_t> in(grid_.size(), 0);
    forEachCellIn(grid_, zones_[z], [&](std::size_t c) { in[c] = walkable_[c]; });
    for (std::size_t c = 0; c < grid_.size(); ++c)
      if (in[c]) zoneCells_[z].push_back(static_cast<std::int32_t>(c));
    if (zoneCells_[z].empty())
      problems.push_back({zones_[z].where, "map.zones." + zones_[z].name,
                          "the zone has no walkable cell (expected it to overlap the walkable area inside map.bounds)"});
  }
  if (!problems.empty()) throw ScenarioError(problems);
}

void World::computeWallDistance() {
  // Distances on a grid padded with one blocked ring, so the bounds act as walls; a periodic map is padded along x
  // with wrapped copies of itself instead (10 m of them: enough for any clearance the navigation asks).
  const int padX = periodX_ > 0 ? std::min(grid_.nx, static_cast<int>(std::ceil(10.0 / grid_.h))) : 1;
  Grid padded = grid_;
  padded.nx += 2 * padX;
  padded.ny += 2;
  std::vector<std::uint8_t> mask(padded.size(), 0);
  for (int j = 0; j < grid_.ny; ++j)
    for (int i = 0; i < padded.nx; ++i) {
      const int gi = periodX_ > 0 ? ((i - padX) % grid_.nx + grid_.nx) % grid_.nx : i - padX;
      if (gi >= 0 && gi < grid_.nx) mask[padded.index(i, j + 1)] = walkable_[grid_.index(gi, j)];
    }
  const auto d = distanceTransform(padded, mask);
  wallDistance_.resize(grid_.size());
  for (int j = 0; j < grid_.ny; ++j)
    for (int i = 0; i < grid_.nx; ++i)
      // Centre-to-centre distance minus half a cell: the wall lies on the boundary between the cells.
      wallDistance_[grid_.index(i, j)] = std::max(0.0f, float((d[padded.index(i + padX, j + 1)] - 0.5f) * grid_.h));
}

bool World::walkableAt(const Vec2& p) const {
  const int i = grid_.cellX(p.x()), j = grid_.cellY(p.y());
  return grid_.inside(i, j) && walkable_[grid_.index(i, j)];
}

double World::wallDistance(const Vec2& p) const {
  const double fx = (p.x() - grid_.origin.x()) / grid_.h - 0.5, fy = (p.y() - grid_.origin.y()) / grid_.h - 0.5;
  const int i0 = std::clamp(static_cast<int>(std::floor(fx)), 0, grid_.nx - 1), j0 = std::clamp(static_cast<int>(std::floor(fy)), 0, grid_.ny - 1);
  const int i1 = std::min(i0 + 1, grid_.nx - 1), j1 = std::min(j0 + 1, grid_.ny - 1);
  const double tx = std::clamp(fx - i0, 0.0, 1.0), ty = std::clamp(fy - j0, 0.0, 1.0);
  auto at = [&](int i, int j) { return double(wallDistance_[grid_.index(i, j)]); };
  return (1 - ty) * ((1 - tx) * at(i0, j0) + tx * at(i1, j0)) + ty * ((1 - tx) * at(i0, j1) + tx * at(i1, j1));
}

Vec2 World::wallDistanceGradient(const Vec2& p) const {
  const double e = 0.5 * grid_.h;
  return Vec2(wallDistance(p + Vec2(e, 0)) - wallDistance(p - Vec2(e, 0)),
              wallDistance(p + Vec2(0, e)) - wallDistance(p - Vec2(0, e))) / (2 * e);
}

void World::traceWalls(double reach) {
  // Marching squares over cell centres of a grid padded with blocked cells; contour points lie on the midpoints
  // of the sample edges, i.e. on the cell boundaries. Each segment keeps the walkable side on its left; saddles
  // keep blocked cells connected so no one slips through a diagonal wall.
  const int W = grid_.nx + 2, H = grid_.ny + 2;
  // A periodic map is padded along x with its own wrapped columns, so no wall appears at its two ends; the contours
  // along it then run off the padded grid as open chains, which are cut at the period's ends below.
  const bool periodic = periodX_ > 0;
  auto sample = [&](int i, int j) -> int {  // padded coordinates
    const int gi = periodic ? ((i - 1) % grid_.nx + grid_.nx) % grid_.nx : i - 1, gj = j - 1;
    return grid_.inside(gi, gj) && walkable_[grid_.index(gi, gj)] ? 1 : 0;
  };
  // Edge keys: 2*(j*W+i) is the horizontal edge from sample (i,j) to (i+1,j); +1 the vertical edge to (i,j+1).
  auto hKey = [&](int i, int j) { return 2 * (std::int64_t(j) * W + i); };
  auto vKey = [&](int i, int j) { return 2 * (std::int64_t(j) * W + i) + 1; };
  auto keyPoint = [&](std::int64_t key) {
    const std::int64_t cell = key / 2;
    const int i = static_cast<int>(cell % W), j = static_cast<int>(cell / W);
    const Vec2 base = grid_.origin + Vec2((i - 0.5) * grid_.h, (j - 0.5) * grid_.h);  // sample (i,j) centre
    return (key % 2 == 0) ? Vec2(base.x() + 0.5 * grid_.h, base.y()) : Vec2(base.x(), base.y() + 0.5 * grid_.h);
  };
  std::vector<std::int64_t> next(2 * std::size_t(W) * H, -1);
  for (int j = 0; j + 1 < H; ++j) {
    for (int i = 0; i + 1 < W; ++i) {
      const int c[4] = {sample(i, j), sample(i + 1, j), sample(i + 1, j + 1), sample(i, j + 1)};
      if (c[0] == c[1] && c[1] == c[2] && c[2] == c[3]) continue;
      // Edges in counter-clockwise order: bottom, right, top, left; edge e runs from corner e to corner e+1.
      const std::int64_t edge[4] = {hKey(i, j), vKey(i + 1, j), hKey(i, j + 1), vKey(i, j)};
      for (int e = 0; e < 4; ++e) {
        const bool exit = c[e] == 1 && c[(e + 1) % 4] == 0;
        if (!exit) continue;
        for (int back = 1; back < 4; ++back) {  // the nearest entry going clockwise
          const int f = (e - back + 4) % 4;
          if (c[f] == 0 && c[(f + 1) % 4] == 1) {
            next[edge[e]] = edge[f];
            break;
          }
        }
      }
    }
  }
  const double tolerance = 0.49 * grid_.h;
  // Open chains (only on periodic maps) first, from their starts; what is left are closed loops.
  std::vector<char> hasPredecessor(next.size(), 0);
  for (auto n : next)
    if (n >= 0) hasPredecessor[n] = 1;
  auto follow = [&](std::int64_t k) {
    std::vector<Vec2> points;
    for (; k >= 0 && next[k] >= 0;) {
      points.push_back(keyPoint(k));
      const std::int64_t n = next[k];
      next[k] = -1;
      k = n;
    }
    if (k >= 0) points.push_back(keyPoint(k));  // an open chain's last point
    return points;
  };
  for (std::size_t startKey = 0; startKey < next.size(); ++startKey)
    if (next[startKey] >= 0 && !hasPredecessor[startKey])
      for (const auto& piece : clipToSlab(follow(static_cast<std::int64_t>(startKey)), grid_.origin.x(), grid_.origin.x() + periodX_))
        addOpenChain(piece, tolerance);
  for (std::size_t startKey = 0; startKey < next.size(); ++startKey) {
    if (next[startKey] < 0) continue;
    std::vector<Vec2> loop = follow(static_cast<std::int64_t>(startKey));
    loop.pop_back();  // the start again
    if (loop.size() < 3) continue;
    addClosedLoop(loop, tolerance);
  }

  if (periodic) copyWallsAcrossPeriod(reach);
  bucketWalls(reach);
}

void World::addClosedLoop(std::vector<Vec2>& loop, double tolerance) {
  // Simplify the closed loop as two chains split at its farthest point from the start.
  std::size_t far = 0;
  for (std::size_t i = 1; i < loop.size(); ++i)
    if ((loop[i] - loop[0]).squaredNorm() > (loop[far] - loop[0]).squaredNorm()) far = i;
  loop.push_back(loop[0]);
  std::vector<char> keep(loop.size(), 0);
  keep[0] = keep[far] = keep.back() = 1;
  simplifyChain(loop, 0, far, tolerance, keep);
  simplifyChain(loop, far, loop.size() - 1, tolerance, keep);
  std::vector<Vec2> poly;
  for (std::size_t i = 0; i + 1 < loop.size(); ++i)
    if (keep[i]) poly.push_back(loop[i]);
  // Drop vertices where the line goes straight on (the split points may be such).
  std::vector<Vec2> clean;
  for (std::size_t i = 0; i < poly.size(); ++i) {
    const Vec2& prev = poly[(i + poly.size() - 1) % poly.size()];
    const Vec2& next2 = poly[(i + 1) % poly.size()];
    const Vec2 d1 = (poly[i] - prev).normalized(), d2 = (next2 - poly[i]).normalized();
    if (std::abs(cross(d1, d2)) > 1e-9 || d1.dot(d2) < 0) clean.push_back(poly[i]);
  }
  if (clean.size() < 2) return;
  const std::size_t n = clean.size();
  for (std::size_t i = 0; i < n; ++i) {
    walls_.push_back({clean[i], clean[(i + 1) % n]});
    const Vec2 dirIn = (clean[i] - clean[(i + n - 1) % n]).normalized();
    const Vec2 dirOut = (clean[(i + 1) % n] - clean[i]).normalized();
    // Walkable is on the left: a right turn is an obstacle corner pointing into the walkable space.
    if (cross(dirIn, dirOut) < 0) corners_.push_back({clean[i], dirIn, dirOut});
  }
}

// On a periodic map, walls near one end also act across it: their copies one period away join the lists.
void World::copyWallsAcrossPeriod(double reach) {
  const double lo = grid_.origin.x() + reach, hi = grid_.origin.x() + periodX_ - reach;
  const std::size_t segments = walls_.size(), corners = corners_.size();
  const Vec2 shift(periodX_, 0.0);
  for (std::size_t s = 0; s < segments; ++s) {
    const WallSegment w = walls_[s];
    if (std::min(w.a.x(), w.b.x()) < lo) walls_.push_back({w.a + shift, w.b + shift});
    if (std::max(w.a.x(), w.b.x()) > hi) walls_.push_back({w.a - shift, w.b - shift});
  }
  for (std::size_t c = 0; c < corners; ++c) {
    const WallCorner k = corners_[c];
    if (k.p.x() < lo) corners_.push_back({k.p + shift, k.dirIn, k.dirOut});
    if (k.p.x() > hi) corners_.push_back({k.p - shift, k.dirIn, k.dirOut});
  }
}

// Buckets of side `reach`: each lists every segment and corner within `reach` of some point of the bucket.
void World::bucketWalls(double reach) {
  wallReach_ = reach;
  bucketGrid_.h = reach;
  bucketGrid_.origin = grid_.origin;
  bucketGrid_.nx = std::max(1, static_cast<int>(std::ceil(grid_.nx * grid_.h / reach)));
  bucketGrid_.ny = std::max(1, static_cast<int>(std::ceil(grid_.ny * grid_.h / reach)));
  const double halfDiagonal = reach * std::sqrt(0.5);
  auto build = [&](auto&& nearestTo, std::size_t count, auto&& boxOf, std::vector<std::int32_t>& start, std::vector<std::int32_t>& ids) {
    std::vector<std::vector<std::int32_t>> lists(bucketGrid_.size());
    for (std::size_t s = 0; s < count; ++s) {
      auto [lo, hi] = boxOf(s);
      const int i0 = std::max(0, bucketGrid_.cellX(lo.x() - reach)), i1 = std::min(bucketGrid_.nx - 1, bucketGrid_.cellX(hi.x() + reach));
      const int j0 = std::max(0, bucketGrid_.cellY(lo.y() - reach)), j1 = std::min(bucketGrid_.ny - 1, bucketGrid_.cellY(hi.y() + reach));
      for (int j = j0; j <= j1; ++j)
        for (int i = i0; i <= i1; ++i)
          if ((bucketGrid_.centre(i, j) - nearestTo(s, bucketGrid_.centre(i, j))).norm() <= reach + halfDiagonal)
            lists[bucketGrid_.index(i, j)].push_back(static_cast<std::int32_t>(s));
    }
    start.assign(bucketGrid_.size() + 1, 0);
    for (std::size_t b = 0; b < lists.size(); ++b) start[b + 1] = start[b] + static_cast<std::int32_t>(lists[b].size());
    ids.clear();
    ids.reserve(start.back());
    for (const auto& l : lists) ids.insert(ids.end(), l.begin(), l.end());
  };
  build([&](std::size_t s, const Vec2& p) { return closestPointOnSegment(p, walls_[s].a, walls_[s].b); }, walls_.size(),
        [&](std::size_t s) { return std::pair<Vec2, Vec2>(walls_[s].a.cwiseMin(walls_[s].b), walls_[s].a.cwiseMax(walls_[s].b)); },
        segmentStart_, segmentIds_);
  build([&](std::size_t s, const Vec2&) { return corners_[s].p; }, corners_.size(),
        [&](std::size_t s) { return std::pair<Vec2, Vec2>(corners_[s].p, corners_[s].p); }, cornerStart_, cornerIds_);
}

void World::addOpenChain(const std::vector<Vec2>& points, double tolerance) {
  if (points.size() < 2) return;
  std::vector<char> keep(points.size(), 0);
  keep.front() = keep.back() = 1;
  simplifyChain(points, 0, points.size() - 1, tolerance, keep);
  std::vector<Vec2> line;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (keep[i]) line.push_back(points[i]);
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    walls_.push_back({line[i], line[i + 1]});
    if (i == 0) continue;
    const Vec2 dirIn = (line[i] - line[i - 1]).normalized(), dirOut = (line[i + 1] - line[i]).normalized();
    if (cross(dirIn, dirOut) < 0) corners_.push_back({line[i], dirIn, dirOut});
  }
}

double World::signedWallDistance(const Vec2& p) const {
  if (!walkableAt(p)) return 0.0;
  double best = wallReach_;
  bool behind = false;
  for (auto [it, end] = segmentsNear(wallBucketOf(p)); it != end; ++it) {
    const WallSegment& w = walls_[*it];
    double t = 0.0;
    const double d = (p - closestPointOnSegment(p, w.a, w.b, &t)).norm();
    if (d < best) {
      best = d;
      behind = t > 0.0 && t < 1.0 && cross(w.b - w.a, p - w.a) <= 0.0;
    }
  }
  return behind ? -best : best;
}

int World::wallCrossed(const Vec2& a, const Vec2& b) const {
  for (auto [it, end] = segmentsNear(wallBucketOf(a)); it != end; ++it) {
    const WallSegment& w = walls_[*it];
    // Only a move from the walkable (left) side to behind the wall is a crossing.
    if (cross(w.b - w.a, a - w.a) > 0.0 && cross(w.b - w.a, b - w.a) <= 0.0 && segmentsIntersect(a, b, w.a, w.b))
      return *it;
  }
  return -1;
}

bool World::lineOfSight(const Vec2& a, const Vec2& b) const {
  // Walk the wall buckets the line passes through; each lists every segment near it.
  const double length = (b - a).norm();
  const int samples = std::max(1, static_cast<int>(std::ceil(length / (0.5 * bucketGrid_.h))));
  int lastBucket = -1;
  for (int k = 0; k <= samples; ++k) {
    const int bucket = wallBucketOf(a + (b - a) * (double(k) / samples));
    if (bucket == lastBucket) continue;
    lastBucket = bucket;
    for (auto [it, end] = segmentsNear(bucket); it != end; ++it)
      if (segmentsIntersect(a, b, walls_[*it].a, walls_[*it].b)) return false;
  }
  return true;
}

int World::wallBucketOf(const Vec2& p) const {
  const int i = std::clamp(bucketGrid_.cellX(p.x()), 0, bucketGrid_.nx - 1);
  const int j = std::clamp(bucketGrid_.cellY(p.y()), 0, bucketGrid_.ny - 1);
  return static_cast<int>(bucketGrid_.index(i, j));
}

std::pair<const std::int32_t*, const std::int32_t*> World::segmentsNear(int bucket) const {
  return {segmentIds_.data() + segmentStart_[bucket], segmentIds_.data() + segmentStart_[bucket + 1]};
}

std::pair<const std::int32_t*, const std::int32_t*> World::cornersNear(int bucket) const {
  return {cornerIds_.data() + cornerStart_[bucket], cornerIds_.data() + cornerStart_[bucket + 1]};
}

void World::buildNavigation(const Scenario& scenario) {
  fieldOfZone_.assign(zones_.size(), -1);
  fieldOfPopulation_.clear();
  for (const int zone : navigationZones(scenario)) {
    fieldOfZone_[zone] = static_cast<int>(fields_.size());
    fields_.push_back(NavigationField{zone, {}, {}});
  }
  std::vector<Vec2> headings(fields_.size(), Vec2::Zero());  // of the fixed-heading fields, by field index
  for (const auto& pop : scenario.populations) {
    if (pop.destinationZone >= 0) {
      fieldOfPopulation_.push_back(fieldOfZone_[pop.destinationZone]);
      continue;
    }
    // A fixed heading: one field per distinct direction, the same everywhere, with no destination in it.
    int found = -1;
    for (std::size_t f = 0; f < fields_.size(); ++f)
      if (fields_[f].zone < 0 && headings[f] == pop.heading) found = static_cast<int>(f);
    if (found < 0) {
      found = static_cast<int>(fields_.size());
      NavigationField field{-1, std::vector<float>(grid_.size(), 1.0f), std::vector<std::int8_t>(2 * grid_.size())};
      for (std::size_t c = 0; c < grid_.size(); ++c) {
        field.dir[2 * c] = static_cast<std::int8_t>(std::lround(127.0 * pop.heading.x()));
        field.dir[2 * c + 1] = static_cast<std::int8_t>(std::lround(127.0 * pop.heading.y()));
      }
      fields_.push_back(std::move(field));
      headings.push_back(pop.heading);
    }
    fieldOfPopulation_.push_back(found);
  }
  // Walking is slower near walls, so shortest paths keep a body's width off corners.
  std::vector<float> cost(grid_.size(), 0.0f);
  const double clearance = scenario.navigation.wallClearance, wallCost = scenario.navigation.wallCost;
  for (std::size_t c = 0; c < grid_.size(); ++c) {
    if (!walkable_[c]) continue;
    const double closeness = clearance > 0 ? std::max(0.0, 1.0 - wallDistance_[c] / clearance) : 0.0;
    cost[c] = static_cast<float>(1.0 + (wallCost - 1.0) * closeness);
  }
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t f = 0; f < fields_.size(); ++f) {
    NavigationField& field = fields_[f];
    if (field.zone < 0) continue;  // a fixed heading
    field.arrival = fastMarching(grid_, cost, zoneCells_[field.zone]);
    field.dir.assign(2 * grid_.size(), 0);
    const auto& T = field.arrival;
    for (int j = 0; j < grid_.ny; ++j) {
      for (int i = 0; i < grid_.nx; ++i) {
        const auto c = grid_.index(i, j);
        if (!walkable_[c] || T[c] == 0.0f || std::isinf(T[c])) continue;
        auto at = [&](int a, int b) { return grid_.inside(a, b) ? double(T[grid_.index(a, b)]) : std::numeric_limits<double>::infinity(); };
        auto slope = [&](double minus, double centre, double plus) {
          const bool hasMinus = std::isfinite(minus), hasPlus = std::isfinite(plus);
          if (hasMinus && hasPlus) return 0.5 * (plus - minus);
          if (hasPlus) return plus - centre;
          if (hasMinus) return centre - minus;
          return 0.0;
        };
        Vec2 g(slope(at(i - 1, j), T[c], at(i + 1, j)), slope(at(i, j - 1), T[c], at(i, j + 1)));
        const double norm = g.norm();
        if (norm > 0) g /= -norm;
        field.dir[2 * c] = static_cast<std::int8_t>(std::lround(127.0 * g.x()));
        field.dir[2 * c + 1] = static_cast<std::int8_t>(std::lround(127.0 * g.y()));
      }
    }
  }
}

std::vector<int> World::navigationZones(const Scenario& sc) {
  std::vector<int> zones;
  auto add = [&](int z) {
    if (z >= 0 && std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  };
  // Homes matter only where someone may go home: after looting, at curfew, off duty.
  bool anyoneGoesHome = !sc.shops.empty();
  for (const auto& e : sc.events) anyoneGoesHome = anyoneGoesHome || e.kind == EventKind::Curfew || e.kind == EventKind::PolicePresence;
  for (const auto& pop : sc.populations) {
    add(pop.destinationZone);
    for (int z : pop.patrol) add(z);
    const bool goesHome = anyoneGoesHome || pop.dutyHours || pop.homeZone >= 0;
    if (goesHome) add(pop.homeZone >= 0 ? pop.homeZone : pop.spawnZone);
  }
  for (const auto& shop : sc.shops) add(shop.zone);
  for (const auto& e : sc.events)
    if (e.kind == EventKind::RallyCall) add(e.zone);
  return zones;
}

void World::checkReachable(const Scenario& scenario) const {
  std::vector<Diagnostic> problems;
  for (const auto& pop : scenario.populations) {
    if (pop.destinationZone < 0) continue;  // a fixed heading goes nowhere in particular
    const auto& T = fields_[fieldOfZone_[pop.destinationZone]].arrival;
    bool reachable = false;
    for (auto c : zoneCells_[pop.spawnZone]) reachable = reachable || std::isfinite(T[c]);
    if (!reachable)
      problems.push_back({pop.where, "populations." + pop.name + ".destination",
                          "zone '" + zones_[pop.destinationZone].name + "' cannot be reached from spawn zone '" +
                              zones_[pop.spawnZone].name + "' (expected a walkable path between them)"});
  }
  if (!problems.empty()) throw ScenarioError(problems);
}

Vec2 World::desiredDirection(int fieldIndex, const Vec2& p) const {
  const NavigationField& f = fields_[fieldIndex];
  const double fx = (p.x() - grid_.origin.x()) / grid_.h - 0.5, fy = (p.y() - grid_.origin.y()) / grid_.h - 0.5;
  const int i0 = static_cast<int>(std::floor(fx)), j0 = static_cast<int>(std::floor(fy));
  const double tx = fx - i0, ty = fy - j0;
  Vec2 d(0, 0);
  const double w[4] = {(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty};
  const int oi[4] = {0, 1, 0, 1}, oj[4] = {0, 0, 1, 1};
  for (int n = 0; n < 4; ++n) {
    const int i = i0 + oi[n], j = j0 + oj[n];
    if (!grid_.inside(i, j)) continue;
    const auto c = grid_.index(i, j);
    d += w[n] * f.direction(c);
  }
  const double norm = d.norm();
  if (norm > 1e-6) return d / norm;
  const int i = grid_.cellX(p.x()), j = grid_.cellY(p.y());
  if (!grid_.inside(i, j)) return Vec2::Zero();
  const auto c = grid_.index(i, j);
  const Vec2 fallback = f.direction(c);
  return fallback.squaredNorm() > 0 ? Vec2(fallback.normalized()) : Vec2::Zero();
}

bool World::inDestination(int fieldIndex, const Vec2& p) const {
  const int i = grid_.cellX(p.x()), j = grid_.cellY(p.y());
  return grid_.inside(i, j) && fields_[fieldIndex].arrival[grid_.index(i, j)] == 0.0f;
}

std::size_t World::memoryBytes() const {
  std::size_t bytes = walkable_.size() + wallDistance_.size() * sizeof(float) +
                      walls_.size() * sizeof(WallSegment) + corners_.size() * sizeof(WallCorner) +
                      (segmentStart_.size() + segmentIds_.size() + cornerStart_.size() + cornerIds_.size()) * sizeof(std::int32_t);
  for (const auto& f : fields_) bytes += f.arrival.size() * sizeof(float) + f.dir.size();
  for (const auto& z : zoneCells_) bytes += z.size() * sizeof(std::int32_t);
  return bytes;
}

Grid coarseCells(const Grid& fine, double side) {
  Grid cells;
  cells.h = side;
  cells.origin = fine.origin;
  cells.nx = std::max(1, static_cast<int>(std::ceil(fine.nx * fine.h / side)));
  cells.ny = std::max(1, static_cast<int>(std::ceil(fine.ny * fine.h / side)));
  return cells;
}

std::vector<double> walkableAreaPerCell(const World& world, const Grid& cells) {
  const Grid& g = world.grid();
  std::vector<double> area(cells.size(), 0.0);
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i)
      if (world.walkable(g.index(i, j))) {
        const Vec2 c = g.centre(i, j);
        area[cells.index(std::clamp(cells.cellX(c.x()), 0, cells.nx - 1), std::clamp(cells.cellY(c.y()), 0, cells.ny - 1))] += g.h * g.h;
      }
  return area;
}

}  // namespace unrest
