// Outputs of a lattice run (movement: lattice): metrics.csv (a row per tick, the start included), events.jsonl
// (timeline changes and outbursts as they happen) and summary.json (Epstein's outburst figures). Rows and events are
// flushed as written, so a stopped run keeps everything it produced.
#pragma once

#include "unrest/driver.hpp"
#include "unrest/lattice.hpp"
#include "unrest/output_file.hpp"

#include <string>

namespace unrest {

class LatticeOutputWriter : public Observer<LatticeWorld> {
public:
  // Creates `directory` if needed, opens the files and writes the row of tick 0; throws std::runtime_error naming
  // the path on failure.
  LatticeOutputWriter(const LatticeWorld& world, const std::string& directory);
  ~LatticeOutputWriter();
  LatticeOutputWriter(const LatticeOutputWriter&) = delete;
  LatticeOutputWriter& operator=(const LatticeOutputWriter&) = delete;

  void afterStep(const LatticeWorld& world) override;  // call after every tick
  // Writes summary.json. `interrupted` marks a run stopped before its end.
  void finish(const LatticeWorld& world, double wallSeconds, bool interrupted);
  void finish(const LatticeWorld& world, const RunEnd& end) override { finish(world, end.wallSeconds, end.interrupted); }
  const std::string& directory() const { return directory_; }

private:
  void writeRow(const LatticeRow& row);

  std::string directory_;
  OutputFile metrics_, events_;
  std::int64_t eventCount_ = 0;
};

const char* neighbourhoodName(Neighbourhood shape);

}  // namespace unrest
