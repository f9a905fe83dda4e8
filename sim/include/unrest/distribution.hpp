// A random quantity of a scenario (a speed, a radius, a hardship): constant, uniform, or normal clipped to a range.
#pragma once

#include <algorithm>
#include <cmath>

namespace unrest {

struct Distribution {
  enum class Kind { Constant, Uniform, Normal };
  Kind kind = Kind::Constant;
  double value = 0.0;  // Constant
  double mean = 0.0, sd = 0.0;
  double min = 0.0, max = 0.0;  // Uniform range, or Normal clipping range

  // Draws from the distribution given independent uniforms in [0, 1). Normal draws are clipped by redrawing,
  // so `uniforms` supplies pairs until one lands in range (the caller passes a generator).
  template <class UniformSource>
  double sample(UniformSource&& nextUniform) const;
};

template <class UniformSource>
double Distribution::sample(UniformSource&& nextUniform) const {
  switch (kind) {
    case Kind::Constant:
      return value;
    case Kind::Uniform:
      return min + (max - min) * nextUniform();
    case Kind::Normal:
      for (int attempt = 0; attempt < 64; ++attempt) {
        // Box-Muller; redraw outside [min, max] so the clipped distribution keeps its shape inside.
        const double u1 = 1.0 - nextUniform();
        const double u2 = nextUniform();
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
        const double v = mean + sd * z;
        if (v >= min && v <= max) return v;
      }
      return std::clamp(mean, min, max);
  }
  return value;
}

}  // namespace unrest
