// Statistics of replicates and the CSV the sweep writes.
#include "unrest/sweep_results.hpp"

#include <cmath>
#include <unordered_map>

namespace unrest {

namespace {

// The continued fraction of the incomplete beta function, by the modified Lentz method (Press et al.,
// Numerical Recipes, 3rd ed., §6.4).
double betaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300, kEps = 1e-16;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0, d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 1000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEps) break;
  }
  return h;
}

// The regularised incomplete beta function I_x(a, b).
double incompleteBeta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * betaContinuedFraction(a, b, x) / a;
  return 1.0 - front * betaContinuedFraction(b, a, 1.0 - x) / b;
}

// P(T <= t) for Student's t with dof degrees of freedom, t >= 0.
double studentCdf(double t, double dof) { return 1.0 - 0.5 * incompleteBeta(0.5 * dof, 0.5, dof / (dof + t * t)); }

}  // namespace

double studentQuantile(double p, double dof) {
  if (p == 0.5) return 0.0;
  if (p < 0.5) return -studentQuantile(1.0 - p, dof);
  // Points share their replicate count, so a handful of (p, dof) pairs cover a whole sweep.
  thread_local std::unordered_map<std::uint64_t, double> cache;
  const std::uint64_t key = std::hash<double>{}(p) ^ (std::hash<double>{}(dof) << 1);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  double lo = 0.0, hi = 1.0;
  while (studentCdf(hi, dof) < p && hi < 1e12) hi *= 2.0;
  for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (studentCdf(mid, dof) < p ? lo : hi) = mid;
  }
  return cache[key] = 0.5 * (lo + hi);
}

Stats summarise(const std::vector<double>& values) {
  Stats s;
  double sum = 0.0;
  for (double v : values)
    if (!std::isnan(v)) {
      sum += v;
      ++s.n;
    }
  if (s.n == 0) return s;
  s.mean = sum / double(s.n);
  if (s.n < 2) return s;
  double squares = 0.0;  // two passes: no cancellation when the spread is small against the mean
  for (double v : values)
    if (!std::isnan(v)) squares += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(squares / double(s.n - 1));
  const double half = studentQuantile(0.975, double(s.n - 1)) * s.sd / std::sqrt(double(s.n));
  s.lo = s.mean - half;
  s.hi = s.mean + half;
  return s;
}

std::string csvField(const std::string& text) {
  // Line breaks become spaces: the journal is read back line by line.
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' || c == '\r' ? ' ' : c);
  return out + "\"";
}

std::vector<std::string> csvSplit(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::string csvNumber(double v) { return std::isnan(v) ? std::string() : formatNumber(v); }

}  // namespace unrest
