// The frozen world: the city rasterised once, with everything the step loop looks up.
//   - walkable raster and the Euclidean distance to the nearest obstacle (with its gradient);
//   - wall geometry as line segments traced from the raster (marching squares, then simplified), bucketed for
//     constant-time lookup, so wall forces use exact distances rather than cell centres;
//   - one navigation field per destination zone (fast marching), shared by everyone heading there.
#pragma once

#include "unrest/geometry.hpp"
#include "unrest/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace unrest {

struct Grid {
  int nx = 0, ny = 0;
  double h = 1.0;  // cell size, m
  Vec2 origin{0, 0};  // lower-left corner of cell (0, 0)

  std::size_t size() const { return std::size_t(nx) * std::size_t(ny); }
  std::size_t index(int i, int j) const { return std::size_t(j) * std::size_t(nx) + std::size_t(i); }
  Vec2 centre(int i, int j) const { return origin + Vec2((i + 0.5) * h, (j + 0.5) * h); }
  int cellX(double x) const { return floorToInt((x - origin.x()) / h); }
  int cellY(double y) const { return floorToInt((y - origin.y()) / h); }
  // Inline floor: without SSE4.1, std::floor is a library call, and cell lookups sit in the hottest loop.
  static int floorToInt(double v) {
    v = std::isnan(v) ? 0.0 : std::clamp(v, -1e9, 1e9);  // far outside any grid, and safe to convert
    const int i = static_cast<int>(v);
    return v < static_cast<double>(i) ? i - 1 : i;
  }
  bool inside(int i, int j) const { return i >= 0 && j >= 0 && i < nx && j < ny; }
};

struct WallSegment {
  Vec2 a, b;
};

// A contour vertex where the wall turns outwards: only there does a person touch a corner rather than a side.
struct WallCorner {
  Vec2 p;
  Vec2 dirIn, dirOut;  // unit directions of the segments arriving at and leaving the corner
};

struct NavigationField {
  int zone = -1;  // -1 for a fixed heading: the direction is the same everywhere and nobody ever arrives
  std::vector<float> arrival;  // T, seconds at unit speed ≈ metres of path; +inf where unreachable or blocked
  // Unit −∇T per cell as two signed bytes (x, y) scaled by 127, 0 where undefined (blocked or inside the zone):
  // interpolated and renormalised on lookup, a direction to within half a degree at a sixth of the memory of
  // two floats, which matters when a city map has a field for every place people can head for.
  std::vector<std::int8_t> dir;
  Vec2 direction(std::size_t cell) const { return Vec2(dir[2 * cell], dir[2 * cell + 1]) * (1.0 / 127.0); }
};

class World {
public:
  explicit World(const Scenario& scenario);

  const Grid& grid() const { return grid_; }
  bool walkable(std::size_t cell) const { return walkable_[cell] != 0; }
  bool walkableAt(const Vec2& p) const;
  // Distance to the nearest obstacle cell boundary, bilinear between cell centres (m).
  double wallDistance(const Vec2& p) const;
  Vec2 wallDistanceGradient(const Vec2& p) const;
  // Exact distance to the nearest traced wall, capped at wallReach(); negative when the point lies behind that
  // wall (in a sliver of raster the simplified wall line cuts off) and 0 on blocked cells. Use this where a
  // body must clear a wall (spawning, goal spots); the raster field above is for smooth fields such as
  // navigation costs.
  double signedWallDistance(const Vec2& p) const;
  bool bodyFits(const Vec2& p, double radius) const { return signedWallDistance(p) >= radius; }
  // The first traced wall the straight move a -> b crosses from its walkable side, or -1. The move must be
  // shorter than wallReach() (one step's travel is).
  int wallCrossed(const Vec2& a, const Vec2& b) const;
  // True when no traced wall cuts the straight line from a to b (any length).
  bool lineOfSight(const Vec2& a, const Vec2& b) const;

  const std::vector<WallSegment>& walls() const { return walls_; }
  const std::vector<WallCorner>& corners() const { return corners_; }
  // Segments and corners within `wallReach()` of any point of bucket b.
  int wallBucketOf(const Vec2& p) const;
  std::pair<const std::int32_t*, const std::int32_t*> segmentsNear(int bucket) const;
  std::pair<const std::int32_t*, const std::int32_t*> cornersNear(int bucket) const;
  double wallReach() const { return wallReach_; }

  const std::vector<Shape>& zones() const { return zones_; }
  const std::vector<std::int32_t>& zoneCells(int zone) const { return zoneCells_[zone]; }
  double zoneArea(int zone) const { return double(zoneCells_[zone].size()) * grid_.h * grid_.h; }

  // Navigation: index of the field for a destination zone (or for population p, which may walk a fixed heading
  // instead), the desired direction there, and the zone test.
  int fieldForZone(int zone) const { return fieldOfZone_[zone]; }  // -1 when no one heads there
  int fieldForPopulation(int p) const { return fieldOfPopulation_[p]; }
  // The period along x of a periodic map, 0 otherwise.
  double periodX() const { return periodX_; }
  const NavigationField& field(int index) const { return fields_[index]; }
  std::size_t fieldCount() const { return fields_.size(); }
  Vec2 desiredDirection(int field, const Vec2& p) const;
  bool inDestination(int field, const Vec2& p) const;

  std::size_t memoryBytes() const;

  // Every zone someone may head for, each with a navigation field: destinations, patrol stops, homes, shops,
  // rally calls.
  static std::vector<int> navigationZones(const Scenario& scenario);

private:
  void rasterise(const Scenario& scenario);
  void computeWallDistance();
  void traceWalls(double reach);
  void addClosedLoop(std::vector<Vec2>& loop, double tolerance);
  void copyWallsAcrossPeriod(double reach);
  void bucketWalls(double reach);
  // Simplifies an open wall chain (walkable on its left) and adds its segments and outward corners.
  void addOpenChain(const std::vector<Vec2>& points, double tolerance);
  void buildNavigation(const Scenario& scenario);
  void checkReachable(const Scenario& scenario) const;

  Grid grid_;
  std::vector<std::uint8_t> walkable_;
  std::vector<float> wallDistance_;
  std::vector<WallSegment> walls_;
  std::vector<WallCorner> corners_;
  Grid bucketGrid_;
  double wallReach_ = 1.0;
  std::vector<std::int32_t> segmentStart_, segmentIds_, cornerStart_, cornerIds_;
  std::vector<Shape> zones_;
  std::vector<std::vector<std::int32_t>> zoneCells_;
  std::vector<int> fieldOfZone_;
  std::vector<int> fieldOfPopulation_;
  double periodX_ = 0.0;
  std::vector<NavigationField> fields_;
};

// Square cells of side `side` laid over the world's raster from the same origin (the density cells of the metrics
// and the viewer), and the walkable area in each, m².
Grid coarseCells(const Grid& fine, double side);
std::vector<double> walkableAreaPerCell(const World& world, const Grid& cells);

// Fast marching (Sethian 1996) from the seed cells over a cost field (cost = 1/speed per metre); blocked cells
// have cost <= 0. Returns arrival times; exposed for tests.
std::vector<float> fastMarching(const Grid& grid, const std::vector<float>& cost, const std::vector<std::int32_t>& seeds);

// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012) of a binary mask, in cells, from every
// cell to the nearest cell where mask is 0. Exposed for tests.
std::vector<float> distanceTransform(const Grid& grid, const std::vector<std::uint8_t>& mask);

}  // namespace unrest
