// The world: raster, distance field, traced walls and navigation fields.
#include "support.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace unrest;
using unrest::test::scenarioFromText;

TEST_CASE("distance transform equals brute force", "[world]") {
  Grid grid;
  grid.nx = 37;
  grid.ny = 23;
  std::vector<std::uint8_t> mask(grid.size(), 1);
  std::mt19937 gen(5);
  for (int k = 0; k < 30; ++k) mask[gen() % grid.size()] = 0;
  const auto d = distanceTransform(grid, mask);
  for (int j = 0; j < grid.ny; ++j)
    for (int i = 0; i < grid.nx; ++i) {
      double best = 1e9;
      for (int b = 0; b < grid.ny; ++b)
        for (int a = 0; a < grid.nx; ++a)
          if (!mask[grid.index(a, b)]) best = std::min(best, std::hypot(a - i, b - j));
      REQUIRE(d[grid.index(i, j)] == Approx(best).margin(1e-4));
    }
}

TEST_CASE("fast marching approximates Euclidean distance in open space", "[world][navigation]") {
  Grid grid;
  grid.nx = grid.ny = 201;
  grid.h = 0.5;
  std::vector<float> cost(grid.size(), 1.0f);
  const std::vector<std::int32_t> seed{static_cast<std::int32_t>(grid.index(100, 100))};
  const auto T = fastMarching(grid, cost, seed);
  for (auto [i, j] : {std::pair{200, 100}, {100, 0}, {200, 200}, {150, 180}, {30, 60}}) {
    const double exact = grid.h * std::hypot(i - 100, j - 100);
    // First-order fast marching overestimates diagonals by a few per cent at most.
    CHECK(T[grid.index(i, j)] == Approx(exact).epsilon(0.06));
    CHECK(T[grid.index(i, j)] >= exact * 0.999);
  }
}

namespace {
// A 30 m x 20 m room with a wall across the middle (x = 14..16) open only at its north end (y > 16).
const char* kRoomWithWall = R"(scenario: {name: wall_room}
map:
  bounds: [0, 0, 30, 20]
  cell_size: 0.25
  obstacles:
    wall: {rect: [14, 0, 16, 16]}
  zones:
    west: {rect: [1, 1, 5, 5]}
    east: {rect: [25, 1, 29, 5]}
populations:
  walkers: {count: 1, spawn: west, destination: east}
)";
}  // namespace

TEST_CASE("walls are traced on cell boundaries with the walkable side on the left", "[world]") {
  const Scenario sc = scenarioFromText("wall_room.yaml", kRoomWithWall);
  const World world(sc);
  // Outer boundary and the wall's free sides, straight runs merged (each concave corner keeps a half-cell
  // chamfer): a handful of segments, not one per cell.
  CHECK(world.walls().size() <= 16);
  bool foundWallFace = false;
  for (const auto& w : world.walls()) {
    const Vec2 mid = 0.5 * (w.a + w.b);
    const Vec2 dir = (w.b - w.a).normalized();
    const Vec2 left(-dir.y(), dir.x());
    CHECK(world.walkableAt(mid + 0.1 * left));
    CHECK_FALSE(world.walkableAt(mid - 0.1 * left));
    if (std::abs(w.a.x() - 14.0) < 1e-9 && std::abs(w.b.x() - 14.0) < 1e-9) foundWallFace = true;
  }
  CHECK(foundWallFace);
  CHECK(world.signedWallDistance(Vec2(10, 8)) == Approx(world.wallReach()));  // no wall within reach
  CHECK(world.signedWallDistance(Vec2(13.5, 8)) == Approx(0.5));
  CHECK(world.bodyFits(Vec2(13.5, 8), 0.3));
  CHECK_FALSE(world.bodyFits(Vec2(13.8, 8), 0.3));
  CHECK_FALSE(world.bodyFits(Vec2(15, 8), 0.3));  // inside the wall
}

TEST_CASE("navigation leads around an obstacle, not into it", "[world][navigation]") {
  const Scenario sc = scenarioFromText("wall_room_nav.yaml", kRoomWithWall);
  const World world(sc);
  const int field = world.fieldForZone(sc.zoneIndex("east"));
  // West of the wall, the way east goes north round the wall's end.
  const Vec2 d = world.desiredDirection(field, Vec2(10, 8));
  CHECK(d.norm() == Approx(1.0).epsilon(1e-6));
  CHECK(d.y() > 0.5);
  // North of the gap, heading east and south-east.
  const Vec2 past = world.desiredDirection(field, Vec2(20, 18));
  CHECK(past.x() > 0.3);
  CHECK(past.y() < 0.0);
  // Arrival time is about the length of the shortest path (5,3) -> (16,16.5) -> (25,5), and longer than straight.
  const auto& T = world.field(field).arrival;
  const auto& g = world.grid();
  const double t = T[g.index(g.cellX(5), g.cellY(3))];
  const double shortest = std::hypot(16 - 5, 16.3 - 3) + std::hypot(25 - 16, 16.3 - 5);
  CHECK(t > shortest * 0.98);
  CHECK(t < shortest * 1.15);  // a margin for the slower cells near walls
  CHECK(world.inDestination(field, Vec2(27, 3)));
  CHECK_FALSE(world.inDestination(field, Vec2(20, 3)));
}

TEST_CASE("neighbour search finds exactly the people a brute-force search finds", "[world][index]") {
  // A big map with few people folds the cell table; a small one does not. Both must be exact.
  for (const char* bounds : {"[0, 0, 60, 60]", "[0, 0, 3000, 2000]"}) {
    const std::string text = std::string(R"(scenario: {name: neighbours}
clock: {dt: 0.02, duration: 1}
map:
  bounds: )") + bounds + R"(
  cell_size: 1.0
  zones:
    crowd: {rect: [5, 5, 45, 45]}
    far: {rect: [50, 50, 55, 55]}
populations:
  people: {count: 1500, spawn: crowd, destination: far}
)";
    const Scenario sc = scenarioFromText("neighbours.yaml", text);
    const World world(sc);
    Simulation sim(sc, world, 1);
    sim.step();  // spawns and indexes
    sim.step();  // indexes the moved crowd again (not a reorder step)
    const Population& a = sim.agents();
    REQUIRE(a.size() == 1500);
    const double radius = sim.neighbourCellSide();
    // The index holds positions from the start of the last step; since then nobody moved more than 5 cm
    // (2.6 m/s at most for 0.02 s), so pair distances changed by at most 0.1 m.
    for (std::size_t i = 0; i < a.size(); i += 7) {
      const auto found = sim.neighboursOf(i, radius);
      for (auto id : found) {
        const auto j = static_cast<std::size_t>(std::find(a.id.begin(), a.id.end(), id) - a.id.begin());
        CHECK(std::hypot(a.x[j] - a.x[i], a.y[j] - a.y[i]) < radius + 0.1);
      }
      for (std::size_t j = 0; j < a.size(); ++j)
        if (j != i && std::hypot(a.x[j] - a.x[i], a.y[j] - a.y[i]) < radius - 0.1)
          CHECK(std::find(found.begin(), found.end(), a.id[j]) != found.end());
    }
  }
}
