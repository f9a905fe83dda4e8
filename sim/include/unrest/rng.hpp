// Counter-based random numbers: every draw is a pure function of (seed, step, subject, purpose, draw), so results
// never depend on which thread asks, or in which order (Salmon et al. 2011 made the idea standard; the mixing
// here is SplitMix64's finaliser, Steele, Lea & Flood 2014, applied to each key in turn).
#pragma once

#include <cstdint>

namespace unrest {

enum class RandomPurpose : std::uint32_t {
  SpawnPosition = 1,
  DesiredSpeed,
  Radius,
  GoalSpot,
  Wander,
  LatticeOrder,
  Separation,
  // The unrest model (numbered apart so that other additions never shift them).
  Hardship = 100,
  RiskAversion,
  DutyRank,
  Decision,
  BrawlInjury,
  JailTerm,
  ArrestChoice,
  GunshotHits,
  Placement,
  DecisionPhase,
  LootPropensity,
  FightPropensity,
  // Epstein's lattice world (lattice.cpp), numbered apart so that other additions never shift them.
  LatticeSetup = 200,  // initial cells, hardship and risk aversion
  LatticeTurnOrder,  // the random order of each tick's turns
  LatticeMove,       // the empty cell within vision moved to
  LatticeArrest,     // the active agent a cop arrests
  LatticeJailTerm,   // the length of a jail term
  LatticeEmptyCell,  // where a released agent or a cop back on duty reappears
  SweepSample = 300,  // parameter points of random and Latin hypercube sweeps (sweep/), numbered apart
};

inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class CounterRng {
public:
  explicit CounterRng(std::uint64_t seed = 1) : seed_(mix64(seed)) {}

  std::uint64_t bits(std::uint64_t step, std::uint64_t subject, RandomPurpose purpose, std::uint64_t draw = 0) const {
    std::uint64_t h = mix64(seed_ ^ static_cast<std::uint64_t>(purpose));
    h = mix64(h ^ step);
    h = mix64(h ^ subject);
    return mix64(h ^ draw);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform(std::uint64_t step, std::uint64_t subject, RandomPurpose purpose, std::uint64_t draw = 0) const {
    return static_cast<double>(bits(step, subject, purpose, draw) >> 11) * 0x1.0p-53;
  }

  // A stream of uniforms for one (step, subject, purpose), for samplers that need several.
  struct Stream {
    const CounterRng* rng;
    std::uint64_t step, subject;
    RandomPurpose purpose;
    std::uint64_t draw = 0;
    double operator()() { return rng->uniform(step, subject, purpose, draw++); }
  };
  Stream stream(std::uint64_t step, std::uint64_t subject, RandomPurpose purpose) const {
    return Stream{this, step, subject, purpose, 0};
  }

private:
  std::uint64_t seed_;
};

}  // namespace unrest
