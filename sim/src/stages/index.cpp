// The index stage: neighbour cells by a stable parallel counting sort, every few steps a reorder of the arrays by
// cell (people who interact then sit close together in memory), and the packed copy the force loop reads.
#include "stages.hpp"

#include <omp.h>

#include <numeric>

namespace unrest {

namespace {

// Reordering the arrays by cell costs about one force pass over a few columns; every few steps keeps memory local
// (people move < 0.5 m in that time) at a fraction of the cost.
constexpr std::int64_t kReorderInterval = 8;
// Below this many people per thread the sort is faster on one thread than the cost of waking others.
constexpr std::int64_t kParallelSortMinimum = 64 * kParallelMinimum;

// Stable counting sort by bucket, in parallel: each thread counts and scatters one contiguous chunk, and the chunks'
// offsets are laid out in chunk order, so the result is the serial stable order for any thread count. People who
// left are dropped here.
void countingSort(const StepContext& ctx, NeighbourIndex& nbr, const Population& a, std::vector<std::uint32_t>& order) {
  const std::size_t n = a.size();
  // One chunk a thread: the per-chunk bucket counts cost memory in proportion to the buckets (about 4 per person).
  const int chunks = n > std::size_t(kParallelSortMinimum) ? ctx.threads : 1;
  const std::size_t buckets = nbr.cells.buckets() + 1;
  nbr.chunkCounts.assign(std::size_t(chunks) * buckets, 0u);
  auto chunkBegin = [&](int t) { return n * std::size_t(t) / std::size_t(chunks); };
  const auto exited = std::uint8_t(AgentState::Exited);
#pragma omp parallel for schedule(static, 1) num_threads(chunks)
  for (int t = 0; t < chunks; ++t) {
    std::uint32_t* counts = nbr.chunkCounts.data() + std::size_t(t) * buckets;
    for (std::size_t k = chunkBegin(t); k < chunkBegin(t + 1); ++k)
      if (a.state[k] != exited) ++counts[a.cell[k]];
  }
  std::uint32_t running = 0;
  for (std::size_t b = 0; b < buckets; ++b) {
    nbr.cellStart[b] = running;
    for (int t = 0; t < chunks; ++t) {
      std::uint32_t& c = nbr.chunkCounts[std::size_t(t) * buckets + b];
      const std::uint32_t count = c;
      c = running;  // becomes this chunk's write cursor in bucket b
      running += count;
    }
  }
  nbr.cellStart[buckets] = running;
  order.resize(running);
#pragma omp parallel for schedule(static, 1) num_threads(chunks)
  for (int t = 0; t < chunks; ++t) {
    std::uint32_t* cursor = nbr.chunkCounts.data() + std::size_t(t) * buckets;
    for (std::size_t k = chunkBegin(t); k < chunkBegin(t + 1); ++k)
      if (a.state[k] != exited) order[cursor[a.cell[k]]++] = static_cast<std::uint32_t>(k);
  }
}

}  // namespace

void runIndex(const StepContext& ctx, NeighbourIndex& nbr, IdIndex& ids, Population& a) {
  const auto n = static_cast<std::int64_t>(a.size());
  const bool reorder = ctx.step % kReorderInterval == 0;
  // People off the streets (jailed, away) go to one bucket past the last, so they keep their place in the arrays but
  // are never anyone's neighbour.
  const auto offStreet = static_cast<std::uint32_t>(nbr.cells.buckets());
#pragma omp parallel for schedule(dynamic, kCheapChunk) num_threads(ctx.threads) if (ctx.parallel(n))
  for (std::int64_t k = 0; k < n; ++k) a.cell[k] = onStreet(a.state[k]) ? nbr.cells.bucketAt(a.x[k], a.y[k]) : offStreet;

  if (reorder) {
    countingSort(ctx, nbr, a, nbr.cellOrder);
    a.reorder(nbr.cellOrder, ctx.threads);  // now sorted by cell, exited people gone
    std::iota(nbr.cellOrder.begin(), nbr.cellOrder.end(), 0u);
    std::fill(ids.of.begin(), ids.of.end(), -1);
    for (std::size_t k = 0; k < a.size(); ++k) ids.of[a.id[k]] = static_cast<std::int32_t>(k);
  } else {
    countingSort(ctx, nbr, a, nbr.cellOrder);
  }
  const auto m = static_cast<std::int64_t>(nbr.cellStart[offStreet]);
  nbr.packed.resize(static_cast<std::size_t>(m));
#pragma omp parallel for schedule(dynamic, kCheapChunk) num_threads(ctx.threads) if (ctx.parallel(m))
  for (std::int64_t s = 0; s < m; ++s) {
    const std::uint32_t k = nbr.cellOrder[s];
    nbr.packed[s] = {a.x[k], a.y[k], static_cast<float>(a.vx[k]), static_cast<float>(a.vy[k]), a.radius[k], k};
  }
}

}  // namespace unrest
