// Micro-benchmarks of the kernels the step is made of (Google Benchmark). Whole-pipeline figures come from
// unrest-bench; these show where the time of one step goes.
#include "unrest/forces.hpp"
#include "unrest/rng.hpp"
#include "unrest/world.hpp"

#include <benchmark/benchmark.h>

namespace {

void PersonForce(benchmark::State& state) {
  const unrest::ForceParams params;
  unrest::CounterRng rng(1);
  std::vector<unrest::Vec2> offsets(1024);
  for (std::size_t k = 0; k < offsets.size(); ++k)
    offsets[k] = unrest::Vec2(rng.uniform(0, k, unrest::RandomPurpose::SpawnPosition, 0) - 0.5,
                              rng.uniform(0, k, unrest::RandomPurpose::SpawnPosition, 1) - 0.5) * 1.6;
  const unrest::Vec2 heading(1, 0), relVel(0.1, -0.2);
  for (auto _ : state) {
    unrest::ForceAccumulator acc;
    for (const auto& o : offsets) unrest::addPersonForce(acc, params, o, 0.6, relVel, heading);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(offsets.size()));
}
BENCHMARK(PersonForce);

void ImplicitSolve(benchmark::State& state) {
  unrest::ForceAccumulator acc;
  acc.force = unrest::Vec2(120, -40);
  acc.stiffness << 1.3e5, 2e3, 2e3, 4e4;
  acc.damping << 160, 10, 10, 4000;
  acc.stiffnessRate << 300, -20;
  for (auto _ : state) benchmark::DoNotOptimize(unrest::implicitVelocityChange(acc, 80.0, 0.02));
}
BENCHMARK(ImplicitSolve);

void FastMarching(benchmark::State& state) {
  unrest::Grid grid;
  grid.nx = grid.ny = static_cast<int>(state.range(0));
  grid.h = 0.25;
  std::vector<float> cost(grid.size(), 1.0f);
  for (int j = grid.ny / 4; j < 3 * grid.ny / 4; ++j) cost[grid.index(grid.nx / 2, j)] = 0.0f;  // a wall
  const std::vector<std::int32_t> seeds{static_cast<std::int32_t>(grid.index(0, 0))};
  for (auto _ : state) benchmark::DoNotOptimize(unrest::fastMarching(grid, cost, seeds));
  state.SetItemsProcessed(state.iterations() * std::int64_t(grid.size()));
}
BENCHMARK(FastMarching)->Arg(256)->Arg(1024);

}  // namespace

BENCHMARK_MAIN();
