// unrest-bench: whole-pipeline speed and memory on the standard workloads, one JSON line per run.
// The workloads are the scenario files in scenarios/benchmarks/ (and the default Bishkek scenario), resized to
// the requested number of people; the physics, time step and contact handling are the scenarios' own.
#include "unrest/memory.hpp"
#include "unrest/threads.hpp"
#include "unrest/output.hpp"
#include "unrest/scenario.hpp"
#include "unrest/simulation.hpp"
#include "unrest/world.hpp"

#include <CLI/CLI.hpp>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

namespace {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::vector<std::string> workloadOverrides(const std::string& workload, std::int64_t agents, std::string& file) {
  const std::string dir = std::string(UNREST_SOURCE_DIR) + "/scenarios/";
  std::vector<std::string> set;
  if (workload == "dense") {
    file = dir + "benchmarks/dense.yaml";
    const double side = std::ceil(std::sqrt(double(agents) / 2.0));  // 2 people per m²
    set = {"map.bounds=[0,0," + num(side) + "," + num(side) + "]", "map.zones.square.rect=[0,0," + num(side) + "," + num(side) + "]",
           "populations.crowd.count=" + std::to_string(agents)};
  } else if (workload == "corridor") {
    file = dir + "benchmarks/corridor.yaml";
    // Each stream fills its half at 1 person/m²; the corridor grows with the number of people.
    const double length = std::max(40.0, std::ceil(double(agents) / 10.0));
    const double half = 0.5 * length;
    set = {"map.bounds=[0,0," + num(length) + ",10]", "map.zones.west.rect=[0,0," + num(half) + ",10]",
           "map.zones.east.rect=[" + num(half) + ",0," + num(length) + ",10]",
           "map.zones.east_end.rect=[" + num(length - 2) + ",0," + num(length) + ",10]",
           "populations.eastbound.count=" + std::to_string(agents / 2),
           "populations.westbound.count=" + std::to_string(agents - agents / 2)};
  } else if (workload == "bishkek") {
    file = dir + "bishkek/2020-10-09_rival_rallies.yaml";
  } else {
    throw std::runtime_error("unknown workload '" + workload + "' (expected dense, corridor or bishkek)");
  }
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  unrest::preferPassiveWaiting(argv);
  unrest::returnFreedBlocksToSystem();
  CLI::App app{"unrest-bench: steps per second and bytes per person on the standard workloads"};
  std::string workload = "dense";
  std::int64_t agents = 100000, steps = 500;
  int threads = 0, warmup = 250, repeat = 3;
  std::vector<std::string> extra;
  std::string model;
  app.add_option("--workload", workload, "dense | corridor | bishkek")->check(CLI::IsMember({"dense", "corridor", "bishkek"}));
  app.add_option("--agents", agents, "Number of people")->check(CLI::Range(std::int64_t(1), std::int64_t(10'000'000)));
  app.add_option("--steps", steps, "Timed steps")->check(CLI::Range(std::int64_t(1), std::int64_t(1'000'000)));
  app.add_option("--warmup", warmup, "Untimed steps first (spawning, first reorder)")->check(CLI::Range(0, 100000));
  app.add_option("--repeat", repeat, "Timed repetitions; the median is reported (and the best and worst)")->check(CLI::Range(1, 100));
  app.add_option("--threads", threads, "Threads (default: all cores)")->check(CLI::Range(1, 1024));
  app.add_option("--model", model,
                 "Locomotion model, with its step: hfv2000 (0.02 s), collision_free_speed, anticipation_velocity, hybrid "
                 "(0.05 s); default: the workload's own")
      ->check(CLI::IsMember({"hfv2000", "collision_free_speed", "anticipation_velocity", "hybrid"}));
  app.add_option("--set", extra, "Extra scenario override key.path=value (repeatable), e.g. clock.dt=0.04");
  CLI11_PARSE(app, argc, argv);
  if (threads <= 0) threads = omp_get_max_threads();
  omp_set_num_threads(threads);

  try {
    std::string file;
    auto overrides = workloadOverrides(workload, agents, file);
    if (workload == "bishkek") {
      // Scale the rival crowds to the requested total, keeping their proportions.
      const unrest::Scenario base = unrest::loadScenario(file);
      const double scale = double(agents) / double(std::max<std::int64_t>(1, base.totalPeople()));
      std::int64_t assigned = 0;
      for (std::size_t p = 0; p < base.populations.size(); ++p) {
        const std::int64_t n = p + 1 == base.populations.size() ? agents - assigned
                                                                : std::llround(base.populations[p].count * scale);
        assigned += n;
        overrides.push_back("populations." + base.populations[p].name + ".count=" + std::to_string(n));
        overrides.push_back("populations." + base.populations[p].name + ".spawn_rate=0");
        overrides.push_back("populations." + base.populations[p].name + ".spawn_start=0");
      }
    }
    overrides.push_back("clock.duration=" + num(1e6));
    if (!model.empty()) {
      // The force model needs its 20 ms step (the contact forces); the first-order models and the hybrid, whose contact
      // layer is integrated implicitly, take JuPedSim's 50 ms for first-order models.
      overrides.push_back("locomotion.model=" + model);
      overrides.push_back(std::string("clock.dt=") + (model == "hfv2000" ? "0.02" : "0.05"));
    }
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    const unrest::Scenario sc = unrest::loadScenario(file, overrides);
    const unrest::World world(sc);
    // This machine shares its cores with others: the median of a few runs is the honest figure.
    std::vector<double> rates;
    std::unique_ptr<unrest::Simulation> sim;
    double agentSteps = 0.0, wall = 0.0;
    for (int r = 0; r < repeat; ++r) {
      sim.reset();  // one simulation in memory at a time, so peak RSS is that of one run
      sim = std::make_unique<unrest::Simulation>(sc, world, threads);
      for (int s = 0; s < warmup; ++s) sim->step();
      const std::int64_t stepsBefore = sim->agentSteps();
      const auto start = std::chrono::steady_clock::now();
      for (std::int64_t s = 0; s < steps; ++s) sim->step();
      wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      agentSteps = double(sim->agentSteps() - stepsBefore);
      rates.push_back(agentSteps / wall);
    }
    std::sort(rates.begin(), rates.end());
    const double median = rates[rates.size() / 2];
    const std::size_t rss = unrest::peakResidentBytes();
    const auto people = std::max<std::int64_t>(1, sim->spawned());
    std::printf("{\"workload\":\"%s\",\"model\":\"%s\",\"agents\":%lld,\"active\":%lld,\"threads\":%d,\"steps\":%lld,\"dt\":%g,"
                "\"agent_steps_per_s\":%.0f,\"agent_seconds_per_s\":%.0f,\"agent_seconds_per_s_best\":%.0f,"
                "\"agent_seconds_per_s_worst\":%.0f,\"repeats\":%d,\"peak_rss_bytes\":%zu,\"bytes_per_agent\":%.0f,"
                "\"model_bytes_per_agent\":%.0f,\"injured\":%lld,\"wall_corrections\":%lld,\"mean_speed\":%.3f,"
                "\"peak_pressure\":%.0f}\n",
                workload.c_str(), unrest::locomotionName(sc.locomotion.model), static_cast<long long>(sim->spawned()), static_cast<long long>(sim->active()), threads,
                static_cast<long long>(steps), sim->dt(), median, median * sim->dt(), rates.back() * sim->dt(),
                rates.front() * sim->dt(), repeat, rss, double(rss) / double(people),
                double(sim->memoryBytes()) / double(people), static_cast<long long>(sim->injuriesCrush()),
                static_cast<long long>(sim->lastRow().wallCorrections), sim->lastRow().meanSpeed,
                sim->lastRow().peakPressure);
  } catch (const unrest::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unrest-bench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
