#include "unrest/render/style.hpp"

#include <algorithm>
#include <cmath>

namespace unrest::render {

const char* roleName(Role r) {
  switch (r) {
    case Role::Civilian: return "civilian";
    case Role::Police: return "police";
    case Role::Soldier: return "soldier";
    case Role::Volunteer: return "volunteer";
  }
  return "?";
}

const char* conditionName(Condition c) {
  switch (c) {
    case Condition::Calm: return "calm";
    case Condition::Active: return "active";
    case Condition::Fighting: return "fighting";
    case Condition::Fleeing: return "fleeing";
    case Condition::Looting: return "looting";
    case Condition::Injured: return "injured";
    case Condition::Arrested: return "arrested";
  }
  return "?";
}

sf::Color heatColour(double t, std::uint8_t alpha) {
  // Samples of matplotlib's "inferno" at t = 0.15, 0.3, ..., 1 (the darkest end is left out: it would vanish on
  // the dark map).
  static constexpr std::array<std::array<double, 3>, 7> kStops{{{40, 11, 84},
                                                                {101, 21, 110},
                                                                {159, 42, 99},
                                                                {212, 72, 66},
                                                                {245, 125, 21},
                                                                {250, 193, 39},
                                                                {252, 255, 164}}};
  t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 1.0;
  const double pos = t * (kStops.size() - 1);
  const std::size_t k = std::min(kStops.size() - 2, static_cast<std::size_t>(pos));
  const double f = pos - double(k);
  auto mix = [&](int c) { return static_cast<std::uint8_t>(std::lround(kStops[k][c] + f * (kStops[k + 1][c] - kStops[k][c]))); };
  return sf::Color(mix(0), mix(1), mix(2), alpha);
}

}  // namespace unrest::render
