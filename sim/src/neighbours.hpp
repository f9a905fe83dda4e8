// The neighbour index: cells of side h laid over the world, people sorted into them by a counting sort, and a packed
// copy of what the force loop reads of each neighbour. Built by the index stage; read by every stage after it.
#pragma once

#include "unrest/world.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace unrest {

// Neighbour cells of side h laid over the world and folded onto a table of a few buckets per person (cell
// (i, j) goes to bucket (i mod foldX, j mod foldY)). A city-sized map then costs memory and sorting time in
// proportion to its people, not its area; people of distant cells that share a bucket are rejected by the
// distance test. With foldX, foldY >= 3 the nine cells around a person always fall in nine different buckets.
struct FoldedCells {
  Grid grid;
  int foldX = 1, foldY = 1;
  // Cells i with loX <= i < hiX exist; a periodic map has no such bound along x (its cells wrap, unfolded).
  int loX = 0, hiX = 1;

  // minFold: the widest block of cells a query visits (2·span + 1), so no bucket is met twice in one block.
  void build(const Grid& world, double side, std::size_t people, bool periodicX = false, int minFold = 3);
  std::size_t buckets() const { return std::size_t(foldX) * std::size_t(foldY); }
  int cellX(double x) const { return std::clamp(grid.cellX(x), 0, grid.nx - 1); }
  int cellY(double y) const { return std::clamp(grid.cellY(y), 0, grid.ny - 1); }
  std::uint32_t bucket(int i, int j) const { return std::uint32_t(i % foldX) + std::uint32_t(foldX) * std::uint32_t(j % foldY); }
  std::uint32_t bucketAt(double x, double y) const { return bucket(cellX(x), cellY(y)); }
};

// A periodic boundary along x; the defaults (no period, infinite half period) make the wrapping arithmetic a no-op.
struct PeriodicX {
  double period = 0.0, half = std::numeric_limits<double>::infinity();
  double start = -std::numeric_limits<double>::infinity(), end = std::numeric_limits<double>::infinity();
  bool on() const { return period > 0; }
  // An x offset across the periodic boundary when that is shorter (the nearest image).
  double wrapX(double dx) const { return dx - period * double((dx > half) - (dx < -half)); }
  // a − b, across the periodic boundary when that is shorter.
  Vec2 offset(const Vec2& a, const Vec2& b) const {
    Vec2 d = a - b;
    d.x() = wrapX(d.x());
    return d;
  }
};

// What the force loop reads of each neighbour, packed in cell order so a cell's people are one run of memory.
// 32 bytes, two to a cache line: positions in double (differences of nearby points must stay exact to well below a
// millimetre anywhere on a city map), velocities and radius in float (they only scale forces).
struct NeighbourSlot {
  double x, y;
  float vx, vy, radius;
  std::uint32_t index;
};

struct NeighbourIndex {
  FoldedCells cells;
  PeriodicX periodic;
  // How many cells either side of a person's own cell hold everyone within the move stage's reach: 1 for the force
  // model (cells as wide as the reach), more for the velocity models, whose cells are a fraction of their long reach
  // so that each person looks only as far as their own speed needs (forEachCellWithin).
  int span = 1;
  std::vector<std::uint32_t> cellStart;    // size buckets+2: the last bucket holds people off the streets
  std::vector<std::uint32_t> chunkCounts;  // per-thread bucket counts of the parallel counting sort
  std::vector<std::uint32_t> cellOrder;    // people sorted by cell (indices into the population)
  std::vector<NeighbourSlot> packed;

  // Calls visit(slot) for everyone in the 3×3 neighbour cells around p (plus whoever shares their buckets).
  // Periodic: the cells wrap along x (the map's periodic boundary), instead of ending at its edges.
  template <bool Periodic, class Visit>
  void forEachCandidate(const Vec2& p, Visit&& visit) const {
    const int ci = cells.cellX(p.x()), cj = cells.cellY(p.y());
    const int foldX = cells.foldX, foldY = cells.foldY;
    // Folded coordinates of the home cell; neighbours wrap by one at most, so no division in the loop.
    const int fi = ci % foldX, fj = cj % foldY;
    for (int dj = -1; dj <= 1; ++dj) {
      if (cj + dj < 0 || cj + dj >= cells.grid.ny) continue;
      const int bj = fj + dj < 0 ? fj + dj + foldY : (fj + dj >= foldY ? fj + dj - foldY : fj + dj);
      for (int di = -1; di <= 1; ++di) {
        if (!Periodic && (ci + di < 0 || ci + di >= cells.grid.nx)) continue;
        const int bi = fi + di < 0 ? fi + di + foldX : (fi + di >= foldX ? fi + di - foldX : fi + di);
        const auto c = static_cast<std::size_t>(bi + foldX * bj);
        for (std::uint32_t s = cellStart[c]; s < cellStart[c + 1]; ++s) visit(packed[s]);
      }
    }
  }

  // Calls visitCell(begin, end) with the slots [begin, end) of each cell within `radius` of p's cell (at most `span`
  // cells either side), row by row, cells wrapping along x on a periodic map.
  template <bool Periodic, class VisitCell>
  void forEachCellWithin(const Vec2& p, double radius, VisitCell&& visitCell) const {
    const int ci = cells.cellX(p.x()), cj = cells.cellY(p.y());
    const int foldX = cells.foldX, foldY = cells.foldY;
    const double h = cells.grid.h;
    const int k = std::min(span, static_cast<int>(std::ceil(radius / h)));
    const int fi = ci % foldX, fj = cj % foldY;
    // A cell (di, dj) away is at least (|di| − 1)·h along x and (|dj| − 1)·h along y from anywhere in the own cell.
    const double r2 = radius * radius;
    for (int dj = -k; dj <= k; ++dj) {
      if (cj + dj < 0 || cj + dj >= cells.grid.ny) continue;
      const int bj = fj + dj < 0 ? fj + dj + foldY : (fj + dj >= foldY ? fj + dj - foldY : fj + dj);
      const double gy = std::max(0, std::abs(dj) - 1) * h;
      for (int di = -k; di <= k; ++di) {
        if (!Periodic && (ci + di < 0 || ci + di >= cells.grid.nx)) continue;
        const double gx = std::max(0, std::abs(di) - 1) * h;
        if (gx * gx + gy * gy >= r2) continue;  // a corner of the block beyond the radius
        const int bi = fi + di < 0 ? fi + di + foldX : (fi + di >= foldX ? fi + di - foldX : fi + di);
        const auto c = static_cast<std::size_t>(bi + foldX * bj);
        visitCell(cellStart[c], cellStart[c + 1]);
      }
    }
  }

  // Calls visit(slot) for everyone in the cells within `radius` of p's cell (forEachCellWithin). The caller rejects
  // those beyond the radius.
  template <bool Periodic, class Visit>
  void forEachWithin(const Vec2& p, double radius, Visit&& visit) const {
    forEachCellWithin<Periodic>(p, radius, [&](std::uint32_t begin, std::uint32_t end) {
      for (std::uint32_t s = begin; s < end; ++s) visit(packed[s]);
    });
  }

  // Calls visit(slot, dx, dy, d2) for everyone in those cells whose centre is closer than `radius` to p, in
  // forEachWithin's order: dx, dy the offset x_j − p (the nearest image on a periodic map), d2 = dx² + dy², as the
  // caller would compute them. A cell's people are tested first without a jump and those closer collected, then
  // visited: in a crowd most candidates are out of reach and which ones is as good as random, so a jump on that test
  // would often be mispredicted. The same people in the same order: results are identical to testing in the visit.
  template <bool Periodic, class Visit>
  void forEachCloserThan(const Vec2& p, double radius, Visit&& visit) const {
    const double r2 = radius * radius;
    const double px = p.x(), py = p.y();
    constexpr std::uint32_t kBlock = 32;
    struct Found {
      double dx, dy, d2;
      std::uint32_t slot;
    };
    Found found[kBlock];
    forEachCellWithin<Periodic>(p, radius, [&](std::uint32_t begin, std::uint32_t end) {
      for (std::uint32_t stop; begin < end; begin = stop) {
        stop = end - begin > kBlock ? begin + kBlock : end;
        std::uint32_t n = 0;
        for (std::uint32_t s = begin; s < stop; ++s) {
          double dx = packed[s].x - px;
          if constexpr (Periodic) dx = periodic.wrapX(dx);
          const double dy = packed[s].y - py;
          const double d2 = dx * dx + dy * dy;
          found[n] = Found{dx, dy, d2, s};
          n += d2 < r2;
        }
        for (std::uint32_t f = 0; f < n; ++f) visit(packed[found[f].slot], found[f].dx, found[f].dy, found[f].d2);
      }
    });
  }

  // Calls visit(slot) for everyone whose cell lies within `radius` of p and whose centre is within it.
  template <class Visit>
  void forEachNear(const Vec2& p, double radius, Visit&& visit) const {
    const double h = cells.grid.h;
    const int ci = cells.cellX(p.x()), cj = cells.cellY(p.y());
    const int reach = static_cast<int>(std::ceil(radius / h));
    const int i0 = std::max(0, ci - reach), i1 = std::min(cells.grid.nx - 1, ci + reach);
    const int j0 = std::max(0, cj - reach), j1 = std::min(cells.grid.ny - 1, cj + reach);
    // A window wider than the fold would visit a bucket twice: then every bucket column (row) is visited once.
    const bool allX = i1 - i0 + 1 >= cells.foldX, allY = j1 - j0 + 1 >= cells.foldY;
    const int bi0 = allX ? 0 : i0, bi1 = allX ? cells.foldX - 1 : i1;
    const int bj0 = allY ? 0 : j0, bj1 = allY ? cells.foldY - 1 : j1;
    const double r2 = radius * radius;
    for (int j = bj0; j <= bj1; ++j)
      for (int i = bi0; i <= bi1; ++i) {
        const std::size_t c = cells.bucket(i, j);
        for (std::uint32_t s = cellStart[c]; s < cellStart[c + 1]; ++s) {
          const NeighbourSlot& o = packed[s];
          const double dx = o.x - p.x(), dy = o.y - p.y();
          if (dx * dx + dy * dy <= r2) visit(o);
        }
      }
  }
};

}  // namespace unrest
