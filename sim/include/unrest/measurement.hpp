// Measurement as part of the engine, for any scenario with a `measurement:` section (see measurement_def.hpp):
//   - measurement areas: classical density (people whose centre is inside / area) and mean speed, and the Voronoi
//     density and speed of Steffen & Seyfried (2010): each person owns the points nearer to them than to anyone
//     else (their Voronoi cell, cut off at a radius and at the walls beside them), the density at a point is
//     1 / (area of the cell it lies in), and ρ_V = Σ_i |V_i ∩ A| / |V_i| / |A|, v_V = Σ_i |v_i| |V_i ∩ A| / |A|;
//   - counting lines: the time and sign of every crossing, interpolated within the step;
//   - per person: spawn, arrival and exit times (travel and evacuation times), peak contact pressure, injury time;
//   - trajectory frames for trajectories.txt (PedPy's text format).
// It observes a run like the outputs do (ScenarioRun drives it before the other observers); they (the output writer,
// `unrest validate`) read the results of the last step as they read Simulation::stepEvents(). Everything runs serially in id or array order, so results do not
// depend on the thread count. A scenario without the section has no Measurement at all.
#pragma once

#include "unrest/checkpoint.hpp"
#include "unrest/driver.hpp"
#include "unrest/measurement_def.hpp"
#include "unrest/output_file.hpp"

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace unrest {

class Simulation;

class Measurement : public Observer<Simulation> {
public:
  explicit Measurement(const Simulation& sim);
  void afterStep(const Simulation& sim) override;

  struct Crossing {
    double time = 0.0;  // s, interpolated within the step
    int line = 0;       // index into MeasurementDef::lines
    std::uint32_t agent = 0;
    int population = 0;
    int sign = 1;  // +1 along the line's direction, -1 against it
  };
  struct AreaSample {
    double time = 0.0;
    int area = 0;  // index into MeasurementDef::areas
    int count = 0;  // centres inside
    double density = 0.0, speed = 0.0;                // classical: people/m², m/s (mean over those inside)
    double voronoiDensity = 0.0, voronoiSpeed = 0.0;  // Steffen & Seyfried 2010 (0 when off)
  };
  static constexpr double kNever = std::numeric_limits<double>::quiet_NaN();
  struct Person {
    int population = -1;
    double spawn = kNever, arrival = kNever, exit = kNever, injury = kNever;  // s
    double peakPressure = 0.0;  // N/m
  };

  // Of the last step, ordered by time then person id.
  const std::vector<Crossing>& stepCrossings() const { return stepCrossings_; }
  // Non-empty on the steps that sampled the areas.
  const std::vector<AreaSample>& stepAreaSamples() const { return stepAreas_; }
  // True when the last step ended on a trajectory frame; frame() is its number (time / interval).
  bool trajectoryFrame() const { return frame_ >= 0 && frameStep_; }
  std::int64_t frame() const { return frame_; }
  // By person id; only kept with `people: true`.
  const std::vector<Person>& people() const { return people_; }
  // Net crossings (positive minus negative) of each line so far.
  const std::vector<std::int64_t>& netCrossings() const { return net_; }
  // What carries from step to step, for checkpoints (sim/src/checkpoint.cpp).
  void visit(Archive& ar);

  // Voronoi cell area of a person at `centre` among `others` (positions relative to the same origin), cut off at
  // `cutOff`, and the part of it inside the convex polygon `area` (counter-clockwise). Exposed for tests.
  static std::pair<double, double> voronoiCell(const Vec2& centre, const std::vector<Vec2>& others, double cutOff,
                                               const std::vector<Vec2>& area, const std::vector<std::pair<Vec2, Vec2>>& wallLines = {});

private:
  void sampleAreas(const Simulation& sim);

  const MeasurementDef& def_;
  std::int64_t lineEvery_ = 0, areaEvery_ = 0, frameEvery_ = 0;
  std::vector<double> lastX_, lastY_;  // by id; NaN before the person appears
  std::vector<Person> people_;
  std::vector<std::int64_t> net_;
  std::vector<Crossing> stepCrossings_;
  std::vector<AreaSample> stepAreas_;
  std::vector<std::vector<Vec2>> areaPolygons_;  // counter-clockwise
  std::vector<double> areaSizes_;
  std::int64_t frame_ = -1;
  bool frameStep_ = false;
  std::int64_t lastStep_ = -1;  // a step is measured once, even when a stopped run records its last row again
};

// Writes what a Measurement gathers next to the run's other outputs: crossings.csv and areas.csv row by row,
// trajectories.txt frame by frame (all flushed as written), people.csv at the end.
class MeasurementWriter {
public:
  // `resumeAt`: continue the files of a resumed run, cut back to the checkpoint's offsets.
  MeasurementWriter(const Simulation& sim, const Measurement& measurement, const std::string& directory,
                    const OutputOffsets* resumeAt = nullptr);
  ~MeasurementWriter();
  MeasurementWriter(const MeasurementWriter&) = delete;
  MeasurementWriter& operator=(const MeasurementWriter&) = delete;
  void afterStep(const Simulation& sim);
  void finish(const Simulation& sim);
  // Flushes the files to the disk and puts their sizes into `offsets`.
  void flushOffsets(OutputOffsets& offsets);
  void visit(Archive& ar) { ar(lastStep_); }

private:
  const Measurement& m_;
  std::string directory_;
  OutputFile crossings_, areas_, trajectories_;
  std::vector<std::size_t> frameOrder_;  // a trajectory frame's people in id order, kept to spare an allocation per frame
  std::int64_t lastStep_ = -1;  // a step is written once, even when an interrupted run records its last row again
};

}  // namespace unrest
