// From a sweep file to its plan: the sampled points, the runs (points × seeded replicates), and the scenario of
// each run, checked up front.
#include "unrest/rng.hpp"
#include "unrest/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace unrest {

namespace {

double normalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// The standard normal quantile: Acklam's rational approximation (relative error 1.15e-9) polished by one step of
// Halley's method on the exact CDF, which brings it to full double precision.
double normalQuantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  p = std::clamp(p, 1e-300, 1.0 - 1e-16);
  constexpr double pLow = 0.02425;
  double x;
  if (p < pLow || p > 1.0 - pLow) {
    const double q = std::sqrt(-2.0 * std::log(p < pLow ? p : 1.0 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    if (p > pLow) x = -x;
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  const double e = normalCdf(x) - p;
  const double u = e * std::sqrt(2.0 * M_PI) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

ParamValue valueAt(const SweepParameter& p, double u) {
  if (p.kind == SweepParameter::Kind::Values) {
    const auto n = p.values.size();
    return p.values[std::min(n - 1, static_cast<std::size_t>(u * double(n)))];
  }
  const double x = parameterQuantile(p, u);
  YamlNode node;
  node.kind = YamlNode::Kind::Scalar;
  node.scalar = formatNumber(x);
  node.where = p.where;
  return ParamValue{node.scalar, x, {node}};
}

}  // namespace

double parameterQuantile(const SweepParameter& p, double u) {
  const Distribution& d = p.distribution;
  u = std::clamp(u, 0.0, std::nextafter(1.0, 0.0));
  switch (d.kind) {
    case Distribution::Kind::Constant:
      return p.integer ? std::round(d.value) : d.value;
    case Distribution::Kind::Uniform:
      if (p.integer) {  // every whole number in [min, max] equally likely
        const double lo = std::ceil(d.min), hi = std::floor(d.max);
        return std::min(hi, lo + std::floor(u * (hi - lo + 1.0)));
      }
      return d.min + u * (d.max - d.min);
    case Distribution::Kind::Normal: {
      double x = d.mean;
      if (d.sd > 0) {  // the normal truncated to [min, max], by inverting its CDF
        const double lo = normalCdf((d.min - d.mean) / d.sd), hi = normalCdf((d.max - d.mean) / d.sd);
        x = d.mean + d.sd * normalQuantile(lo + u * (hi - lo));
      }
      x = std::clamp(x, d.min, d.max);
      return p.integer ? std::clamp(std::round(x), std::ceil(d.min), std::floor(d.max)) : x;
    }
  }
  return d.value;
}

std::vector<std::vector<ParamValue>> samplePoints(const SweepDef& def) {
  const auto& params = def.parameters;
  std::vector<std::vector<ParamValue>> points;
  if (def.sampler == SamplerKind::Grid) {
    std::size_t total = 1;
    for (const auto& p : params) total *= p.values.size();
    points.reserve(total);
    for (std::size_t n = 0; n < total; ++n) {
      std::vector<ParamValue> point(params.size());
      std::size_t rest = n;
      for (std::size_t j = params.size(); j-- > 0;) {  // the last parameter varies fastest
        point[j] = params[j].values[rest % params[j].values.size()];
        rest /= params[j].values.size();
      }
      points.push_back(std::move(point));
    }
    return points;
  }
  // Draws are keyed by (parameter, sample, use), so adding samples never changes the earlier random ones.
  const CounterRng rng(def.samplerSeed);
  const auto samples = static_cast<std::size_t>(def.samples);
  const bool latin = def.sampler == SamplerKind::LatinHypercube;
  std::vector<std::vector<std::size_t>> strata(params.size());
  if (latin) {
    for (std::size_t j = 0; j < params.size(); ++j) {  // a random permutation of the strata per parameter
      auto& perm = strata[j];
      perm.resize(samples);
      std::iota(perm.begin(), perm.end(), std::size_t(0));
      for (std::size_t k = samples; k-- > 1;) {
        const auto pick = static_cast<std::size_t>(rng.uniform(j, k, RandomPurpose::SweepSample, 1) * double(k + 1));
        std::swap(perm[k], perm[std::min(pick, k)]);
      }
    }
  }
  points.reserve(samples);
  for (std::size_t i = 0; i < samples; ++i) {
    std::vector<ParamValue> point;
    for (std::size_t j = 0; j < params.size(); ++j) {
      const double u = latin
                           ? (double(strata[j][i]) + rng.uniform(j, i, RandomPurpose::SweepSample, 2)) / double(samples)
                           : rng.uniform(j, i, RandomPurpose::SweepSample, 0);
      point.push_back(valueAt(params[j], u));
    }
    points.push_back(std::move(point));
  }
  return points;
}

SweepPlan::SweepPlan(SweepDef def, bool validate) : def_(std::move(def)) {
  base_ = loadYamlWithExtends(def_.scenarioFile);
  def_.fingerprints.insert(def_.fingerprints.begin(), {"scenario", hashText(canonicalText(base_))});
  points_ = samplePoints(def_);
  if (!validate) return;

  // Every point's scenario, loaded as a run will load it. The same problem at many points is reported once.
  struct Seen {
    Diagnostic diagnostic;
    std::int64_t firstPoint = 0, count = 0;
  };
  std::vector<Seen> seen;
  std::map<std::string, std::size_t> index;
  for (std::int64_t p = 0; p < points(); ++p) {
    try {
      scenario(p, def_.seedBase);
    } catch (const ScenarioError& e) {
      for (const auto& d : e.diagnostics()) {
        auto [it, fresh] = index.emplace(d.str(), seen.size());
        if (fresh) seen.push_back({d, p, 0});
        seen[it->second].count++;
      }
    }
  }
  if (seen.empty()) return;
  std::vector<Diagnostic> problems;
  constexpr std::size_t kShown = 20;
  for (std::size_t k = 0; k < seen.size() && k < kShown; ++k) {
    Diagnostic d = seen[k].diagnostic;
    if (!def_.parameters.empty()) {
      const std::string where =
          "point " + std::to_string(seen[k].firstPoint) + ": " + describePoint(seen[k].firstPoint);
      d.message += seen[k].count == points() ? " (at every point)"
                   : seen[k].count == 1      ? " (at " + where + ")"
                                        : " (at " + std::to_string(seen[k].count) + " points, the first " + where + ")";
    }
    problems.push_back(d);
  }
  if (seen.size() > kShown)
    problems.push_back(
        {Location{def_.file, 0, 0}, "", "and " + std::to_string(seen.size() - kShown) + " other problems"});
  throw ScenarioError(problems);
}

RunSpec SweepPlan::run(std::int64_t id) const {
  RunSpec r;
  r.id = id;
  r.point = id / def_.replicates;
  r.replicate = id % def_.replicates;
  r.seed = def_.seedBase + def_.seedStride * static_cast<std::uint64_t>(r.replicate);
  return r;
}

YamlNode SweepPlan::tree(std::int64_t point, std::uint64_t seed) const {
  YamlNode t = base_;
  for (const auto& [key, value] : def_.fixed) setAtPath(t, key, value, value.where);
  const auto& values = points_[static_cast<std::size_t>(point)];
  for (std::size_t j = 0; j < def_.parameters.size(); ++j) {
    const SweepParameter& p = def_.parameters[j];
    for (std::size_t k = 0; k < p.targets.size() && k < values[j].settings.size(); ++k)
      if (p.targets[k].rfind("run.", 0) != 0) setAtPath(t, p.targets[k], values[j].settings[k], p.where);
  }
  YamlNode s;
  s.kind = YamlNode::Kind::Scalar;
  s.scalar = std::to_string(seed);
  s.where = def_.replicatesWhere;
  setAtPath(t, "seed", s, def_.replicatesWhere);
  return t;
}

Scenario SweepPlan::scenario(std::int64_t point, std::uint64_t seed, const std::vector<std::string>& extra) const {
  YamlNode t = tree(point, seed);
  for (const auto& o : extra) applyOverride(t, o);
  return scenarioFromYaml(t, def_.scenarioFile);
}

int SweepPlan::threads(std::int64_t point) const {
  for (std::size_t j = 0; j < def_.parameters.size(); ++j)
    if (def_.parameters[j].targets == std::vector<std::string>{kRunThreadsKey})
      return static_cast<int>(points_[static_cast<std::size_t>(point)][j].number.value_or(1.0));
  return 1;
}

std::string SweepPlan::describePoint(std::int64_t point) const {
  if (def_.parameters.empty()) return "the base scenario";
  std::string s;
  for (std::size_t j = 0; j < def_.parameters.size(); ++j)
    s += (j ? ", " : "") + def_.parameters[j].name + "=" + points_[static_cast<std::size_t>(point)][j].text;
  return s;
}

std::string SweepPlan::fingerprint() const {
  std::string all;
  for (const auto& [section, hash] : def_.fingerprints) all += section + "=" + hash + ";";
  return hashText(all);
}

}  // namespace unrest
