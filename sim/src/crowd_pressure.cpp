#include "unrest/crowd_pressure.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace unrest {

namespace {

// Weights beyond 3R are below e^-9 of the peak: leaving them out changes ρ by less than 0.02 %.
constexpr double kCutoffRadii = 3.0;
// Most nodes along one axis within the cut-off of a person (the buffers of a sample).
constexpr int kMaxSpan = 64;

}  // namespace

void CrowdPressure::build(const World& world, double dt, std::size_t people, const CrowdPressureSettings& settings) {
  settings_ = settings;
  const Grid& g = world.grid();
  periodicX_ = world.periodX() > 0;
  double spacing = settings.spacing;
  // Along a periodic axis the nodes must tile the period, or the column at the seam would sit closer to its
  // neighbour across it than to the others.
  if (periodicX_) spacing = world.periodX() / std::max(1.0, std::round(world.periodX() / spacing));
  nodes_.h = spacing;
  nodes_.origin = g.origin;
  nodes_.nx = std::max(1, static_cast<int>(std::ceil((periodicX_ ? world.periodX() : g.nx * g.h) / spacing - 1e-9)));
  nodes_.ny = std::max(1, static_cast<int>(std::ceil(g.ny * g.h / spacing - 1e-9)));
  slotOf_.assign(nodes_.size(), kEmpty);
  std::size_t walkableNodes = 0;
  for (int j = 0; j < nodes_.ny; ++j)
    for (int i = 0; i < nodes_.nx; ++i) {
      if (world.walkableAt(nodes_.centre(i, j))) ++walkableNodes;
      else slotOf_[nodes_.index(i, j)] = kOffGround;
    }
  cutoff_ = kCutoffRadii * settings.radius;
  if (!(2.0 * cutoff_ / spacing + 2.0 <= kMaxSpan))
    throw std::invalid_argument("crowd pressure: nodes too close for the radius (expected spacing >= radius / 5)");
  stepsPerSample_ = std::max<std::int64_t>(1, std::llround(settings.sampleInterval / dt));
  samplesPerWindow_ = std::max(2, static_cast<int>(std::lround(settings.window / (double(stepsPerSample_) * dt))));
  samplesInWindow_ = 0;
  // A person touches about π(3R/spacing)² = 14 nodes a sample, fewer in a dense crowd where they share them, more as
  // they walk on through a window. Beyond this the slots grow in the first windows that need more, then hold; there
  // are never more than the walkable nodes.
  const std::size_t slots = std::min(walkableNodes, std::max<std::size_t>(1024, 4 * people));
  sums_.reserve(slots);
  for (auto* v : {&node_, &samples_}) v->reserve(slots);
  for (auto* v : {&densitySum_, &vxSum_, &vySum_, &speed2Sum_}) v->reserve(slots);
  touched_.reserve(slots);
}

std::int32_t CrowdPressure::slotFor(std::size_t node) {
  std::int32_t& slot = slotOf_[node];
  if (slot == kEmpty) {
    slot = static_cast<std::int32_t>(node_.size());
    sums_.push_back({0.0, 0.0, 0.0, sampleStamp_ - 1});
    node_.push_back(static_cast<std::uint32_t>(node));
    samples_.push_back(0);
    for (auto* v : {&densitySum_, &vxSum_, &vySum_, &speed2Sum_}) v->push_back(0.0);
  }
  return slot;
}

void CrowdPressure::sample(const Population& a) {
  ++sampleStamp_;
  touched_.clear();
  const double R2 = settings_.radius * settings_.radius, norm = 1.0 / (M_PI * R2), cutoff2 = cutoff_ * cutoff_;
  const double h = nodes_.h, ox = nodes_.origin.x(), oy = nodes_.origin.y();
  // exp(−|d|²/R²) = exp(−dx²/R²)·exp(−dy²/R²): one exponential per column and per row of nodes, not per node.
  double wx[kMaxSpan], wy[kMaxSpan], dx2[kMaxSpan], dy2[kMaxSpan];
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!onStreet(a.state[k])) continue;
    const double px = a.x[k], py = a.y[k], vx = a.vx[k], vy = a.vy[k];
    // Nodes whose centre ((i + ½)h from the origin) lies within the cut-off along each axis.
    const int i0 = static_cast<int>(std::ceil((px - cutoff_ - ox) / h - 0.5));
    const int i1 = static_cast<int>(std::floor((px + cutoff_ - ox) / h - 0.5));
    const int j0 = std::max(0, static_cast<int>(std::ceil((py - cutoff_ - oy) / h - 0.5)));
    const int j1 = std::min(nodes_.ny - 1, static_cast<int>(std::floor((py + cutoff_ - oy) / h - 0.5)));
    for (int i = i0; i <= i1; ++i) {
      const double dx = ox + (i + 0.5) * h - px;
      dx2[i - i0] = dx * dx;
      wx[i - i0] = std::exp(-dx * dx / R2);
    }
    for (int j = j0; j <= j1; ++j) {
      const double dy = oy + (j + 0.5) * h - py;
      dy2[j - j0] = dy * dy;
      wy[j - j0] = norm * std::exp(-dy * dy / R2);
    }
    for (int j = j0; j <= j1; ++j) {
      for (int i = i0; i <= i1; ++i) {
        int column = i;
        if (periodicX_) column = ((i % nodes_.nx) + nodes_.nx) % nodes_.nx;
        else if (i < 0 || i >= nodes_.nx) continue;
        if (dx2[i - i0] + dy2[j - j0] > cutoff2) continue;
        const std::size_t node = nodes_.index(column, j);
        if (slotOf_[node] == kOffGround) continue;
        const std::int32_t s = slotFor(node);
        SampleSums& sum = sums_[s];
        if (sum.stamp != sampleStamp_) {
          sum = {0.0, 0.0, 0.0, sampleStamp_};
          touched_.push_back(s);
        }
        const double w = wx[i - i0] * wy[j - j0];
        sum.weight += w;
        sum.weightVx += w * vx;
        sum.weightVy += w * vy;
      }
    }
  }
  for (const std::int32_t s : touched_) {
    const SampleSums& sum = sums_[s];
    const double w = sum.weight;
    if (!(w > 0.0)) continue;
    const double vx = sum.weightVx / w, vy = sum.weightVy / w;
    densitySum_[s] += w;
    vxSum_[s] += vx;
    vySum_[s] += vy;
    speed2Sum_[s] += vx * vx + vy * vy;
    ++samples_[s];
  }
  if (++samplesInWindow_ == samplesPerWindow_) endWindow();
}

void CrowdPressure::endWindow() {
  CrowdPressurePeak best;
  for (std::size_t s = 0; s < node_.size(); ++s) {
    const double n = samples_[s];
    if (n >= 2) {
      const double meanVx = vxSum_[s] / n, meanVy = vySum_[s] / n;
      const double variance = std::max(0.0, speed2Sum_[s] / n - meanVx * meanVx - meanVy * meanVy);
      // The density over the whole window: samples with nobody near count as empty.
      const double density = densitySum_[s] / samplesPerWindow_;
      const double pressure = density * variance;
      if (pressure > best.pressure) {
        const std::size_t node = node_[s];
        best = {pressure, density, nodes_.centre(int(node % std::size_t(nodes_.nx)), int(node / std::size_t(nodes_.nx)))};
      }
    }
    slotOf_[node_[s]] = kEmpty;
  }
  sums_.clear();
  for (auto* v : {&node_, &samples_}) v->clear();
  for (auto* v : {&densitySum_, &vxSum_, &vySum_, &speed2Sum_}) v->clear();
  samplesInWindow_ = 0;
  last_ = best;
  if (windowsSinceTaken_ == 0 || best.pressure > sinceTaken_.pressure) sinceTaken_ = best;
  ++windowsSinceTaken_;
}

std::size_t CrowdPressure::memoryBytes() const {
  return slotOf_.capacity() * sizeof(std::int32_t) + touched_.capacity() * sizeof(std::int32_t) +
         sums_.capacity() * sizeof(SampleSums) + node_.capacity() * (2 * sizeof(std::uint32_t) + 4 * sizeof(double));
}

CrowdPressurePeak CrowdPressure::takePeak() {
  const CrowdPressurePeak peak = windowsSinceTaken_ > 0 ? sinceTaken_ : last_;
  windowsSinceTaken_ = 0;
  return peak;
}

}  // namespace unrest
