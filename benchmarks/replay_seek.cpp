// unrest-replay-seek STORE [--seeks N]: how long a replay takes to show an arbitrary moment of a recorded run: the
// frame read from run.sqlite and turned into the viewer's snapshot (feed included), for N frames spread over the
// whole recording in a shuffled order, after a first open of the store. One JSON line.
#include "unrest/render/replay.hpp"
#include "unrest/run_store.hpp"
#include "unrest/scenario.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <vector>

int main(int argc, char** argv) {
  CLI::App app{"unrest-replay-seek: time to seek to any moment of a recorded run"};
  std::string path;
  int seeks = 50;
  app.add_option("store", path, "run.sqlite written by unrest run --record")->required();
  app.add_option("--seeks", seeks, "Frames to seek to (default 50)")->check(CLI::Range(1, 100000));
  CLI11_PARSE(app, argc, argv);
  using Clock = std::chrono::steady_clock;
  try {
    const auto t0 = Clock::now();
    unrest::RunStore store(path);
    const double openMs = 1e3 * std::chrono::duration<double>(Clock::now() - t0).count();
    const unrest::Scenario sc = unrest::loadScenario(store.scenarioFile(), store.overrides());
    // Frames evenly spread over the recording, visited in a fixed shuffled order (no two neighbours in a row).
    std::vector<std::int64_t> frames(static_cast<std::size_t>(seeks));
    for (int k = 0; k < seeks; ++k) frames[k] = (store.frameCount() - 1) * k / std::max(1, seeks - 1);
    for (std::size_t k = frames.size(); k > 1; --k) std::swap(frames[k - 1], frames[(k * 7919) % k]);
    unrest::RecordedFrame frame;
    unrest::render::Snapshot snap;
    std::vector<double> ms;
    std::size_t people = 0;
    for (const auto f : frames) {
      const auto a = Clock::now();
      store.readFrame(f, frame);
      unrest::render::snapshotFromRecord(sc, store, frame, snap);
      ms.push_back(1e3 * std::chrono::duration<double>(Clock::now() - a).count());
      people = std::max(people, snap.size());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("{\"benchmark\": \"replay_seek\", \"store\": \"%s\", \"bytes\": %llu, \"frames\": %lld, \"seeks\": %d, "
                "\"most_people\": %zu, \"open_ms\": %.1f, \"seek_ms_median\": %.2f, \"seek_ms_worst\": %.2f}\n",
                path.c_str(), static_cast<unsigned long long>(std::filesystem::file_size(path)),
                static_cast<long long>(store.frameCount()), seeks, people, openMs, ms[ms.size() / 2], ms.back());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unrest-replay-seek: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
