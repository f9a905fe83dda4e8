// Crowd pressure as Helbing, Johansson and Al-Abideen (2007, Phys. Rev. E 75, 046109) define it: at a fixed place r,
//   f(d)   = exp(−|d|²/R²) / (πR²)                       a Gaussian weight of the distance d to a person
//   ρ(r,t) = Σ_j f(r_j(t) − r)                           the local density
//   V(r,t) = Σ_j v_j(t) f(r_j(t) − r) / Σ_j f(r_j(t) − r)  the local velocity
//   P(r,t) = ρ(r,t) · Var_t V(r,t)                      the density times the variance over time of the local velocity
// The variance is that of the velocity measured at one place as time goes on: a crowd that moves as one, however
// fast, has none; a crowd in stop-and-go or turbulent motion has much. It is measured on a square lattice of nodes
// over the walkable map, sampled at a fixed interval over consecutive windows of a few seconds: per node and window,
// V's variance over the samples in which someone was near, times the mean of ρ over the window.
//
// Only nodes near people cost anything: each window's nodes take slots as people first come near them, and the
// slots are freed when it ends, so the memory beyond one index per node grows with the people, not the map.
#pragma once

#include "unrest/population.hpp"
#include "unrest/world.hpp"

#include <cstdint>
#include <vector>

namespace unrest {

class Archive;

struct CrowdPressureSettings {
  double radius = 0.7;          // R, m
  double spacing = 1.0;         // m between nodes
  double sampleInterval = 0.5;  // s between samples
  double window = 5.0;          // s per window
};

// The node of highest P in a window.
struct CrowdPressurePeak {
  double pressure = 0.0;  // P, 1/s²
  double density = 0.0;   // ρ at that node, averaged over the window, people/m²
  Vec2 at{0, 0};          // the node, m
};

class CrowdPressure {
public:
  // Nodes over the world's grid (a periodic map's columns wrap), those off the walkable ground left out; `people`
  // sizes the slots up front.
  void build(const World& world, double dt, std::size_t people, const CrowdPressureSettings& settings = {});
  // Steps of dt between samples.
  std::int64_t stepsPerSample() const { return stepsPerSample_; }
  // One sample of everyone on the street (the injured count, standing still); every window's last sample ends it.
  void sample(const Population& a);
  // The peak of the windows that ended since the last call, or of the last window that ended when none did; a window
  // reports once, then this repeats the last one.
  CrowdPressurePeak takePeak();
  std::size_t memoryBytes() const;
  // The window under way and the peaks not yet taken, for checkpoints (sim/src/checkpoint.cpp).
  void visit(Archive& ar);

private:
  void endWindow();
  std::int32_t slotFor(std::size_t node);

  static constexpr std::int32_t kEmpty = -1, kOffGround = -2;
  CrowdPressureSettings settings_;
  Grid nodes_;           // node (i, j) at the centre of cell (i, j)
  bool periodicX_ = false;
  double cutoff_ = 0.0;  // m: weights beyond are left out
  std::int64_t stepsPerSample_ = 1;
  int samplesPerWindow_ = 1, samplesInWindow_ = 0;
  std::uint32_t sampleStamp_ = 0;
  std::vector<std::int32_t> slotOf_;  // per node: its slot in this window, kEmpty or kOffGround
  // Per slot: this sample's weighted sums, together in 32 bytes since a person adds to all three at once, with the
  // sample they were last cleared for; the node; the window's sums.
  struct SampleSums {
    double weight, weightVx, weightVy;
    std::uint32_t stamp;
    void visit(Archive& ar);
  };
  std::vector<SampleSums> sums_;
  std::vector<std::uint32_t> node_, samples_;
  std::vector<double> densitySum_, vxSum_, vySum_, speed2Sum_;
  std::vector<std::int32_t> touched_;  // slots touched by this sample
  CrowdPressurePeak last_, sinceTaken_;
  int windowsSinceTaken_ = 0;
};

}  // namespace unrest
