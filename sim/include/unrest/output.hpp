// Run outputs: metrics.csv (a row per record interval), events.jsonl (one discrete event per line) and
// summary.json (totals and performance). Rows and events are written whole as they are produced, so a run that is
// stopped keeps everything it has produced; a failed write stops the run with the file and the reason
// (output_file.hpp).
#pragma once

#include "unrest/checkpoint.hpp"
#include "unrest/driver.hpp"
#include "unrest/measurement.hpp"
#include "unrest/output_file.hpp"
#include "unrest/simulation.hpp"

#include <array>
#include <cstdio>
#include <vector>
#include <filesystem>
#include <memory>
#include <string>

namespace unrest {

class OutputWriter : public Observer<Simulation> {
public:
  // Creates `directory` if needed and opens the files; throws std::runtime_error naming the path on failure.
  // `measurement` (null when the scenario measures nothing) is written beside the other outputs.
  // `resumeAt`: continue the files of a run resumed from a checkpoint, cut back to its offsets, instead of
  // starting them.
  OutputWriter(const Simulation& sim, const std::string& directory, const Measurement* measurement = nullptr,
               const OutputOffsets* resumeAt = nullptr);
  ~OutputWriter();
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  // Call after every step.
  void afterStep(const Simulation& sim) override;
  // Writes summary.json. `interrupted` marks a run stopped before its end.
  void finish(const Simulation& sim, double wallSeconds, bool interrupted);
  void finish(const Simulation& sim, const RunEnd& end) override { finish(sim, end.wallSeconds, end.interrupted); }

  const std::string& directory() const { return directory_; }
  // The most civilians in a condition at once so far (as summary.json's peak_civilians).
  std::int64_t peakCivilians(Condition c) const { return peakCondition_[std::size_t(c)]; }
  // Flushes the files to the disk; their sizes now (for a checkpoint).
  OutputOffsets flushOffsets();
  // The peaks and counters summary.json reports, for checkpoints (sim/src/checkpoint.cpp).
  void visit(Archive& ar);
  // After a resume: the performance figures count from the state `sim` is in now.
  void resumedFrom(const Simulation& sim);

private:
  std::string directory_;
  OutputFile metrics_, events_;
  std::unique_ptr<MeasurementWriter> measurement_;  // only when the scenario measures something
  double peakDensity_ = 0.0, peakPressure_ = 0.0;
  double peakDensityTime_ = 0.0, peakPressureTime_ = 0.0, peakCrowdPressureTime_ = 0.0;
  CrowdPressurePeak peakCrowdPressure_;
  std::int64_t eventCount_ = 0;
  std::array<std::int64_t, kConditionCount> peakCondition_{};
  std::vector<FactionCounts> peakFaction_;
  std::vector<std::int64_t> peakQueue_;
  double resumedTime_ = 0.0;
  std::int64_t resumedAgentSteps_ = 0;
};

std::string jsonEscape(const std::string& text);
std::size_t peakResidentBytes();
std::string formatDuration(double seconds);  // "42s", "3m07s", "2h05m", for progress lines

}  // namespace unrest
