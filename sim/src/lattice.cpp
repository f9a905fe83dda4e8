#include "unrest/lattice.hpp"

#include "model/timeline.hpp"
#include "unrest/driver.hpp"

#include "unrest/civil_violence.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>

namespace unrest {

namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

int halfWidthOf(Neighbourhood shape, int v, int dy) {
  const int ady = std::abs(dy);
  switch (shape) {
    case Neighbourhood::Moore: return v;
    case Neighbourhood::VonNeumann: return v - ady;
    case Neighbourhood::Cross: return ady == 0 ? v : 0;
    case Neighbourhood::Disc: {
      // Every cell whose centre lies within Euclidean distance v (NetLogo's in-radius), decided in integers.
      int w = 0;
      while ((w + 1) * (w + 1) + ady * ady <= v * v) ++w;
      return w;
    }
  }
  return 0;
}

// A uniform pick among n things from a uniform u in [0, 1).
std::size_t pick(double u, std::size_t n) { return std::min(n - 1, static_cast<std::size_t>(u * double(n))); }

double meanOf(double sum, std::int64_t n) { return n > 0 ? sum / double(n) : 0.0; }
double sdOf(double sum, double sumSquares, std::int64_t n) {
  if (n < 2) return 0.0;
  const double mean = sum / double(n);
  return std::sqrt(std::max(0.0, (sumSquares - double(n) * mean * mean) / double(n - 1)));
}

}  // namespace

// ---------------------------------------------------------------- outbursts

int OutburstTracker::add(std::int64_t tick, std::int64_t actives) {
  ++ticks_;
  if (actives > peak_) peak_ = actives, peakTick_ = tick;
  if (actives <= threshold_) {
    ++calm_;
    if (!in_) return 0;
    in_ = false;
    return -1;
  }
  if (firstAbove_ < 0) firstAbove_ = tick;
  if (!in_) {
    in_ = true;
    list_.push_back(Outburst{tick, tick, actives, tick, actives});
    return +1;
  }
  Outburst& o = list_.back();
  o.end = tick;
  o.totalActivation += actives;
  if (actives > o.peak) o.peak = actives, o.peakTick = tick;
  return 0;
}

OutburstStats OutburstTracker::stats() const {
  OutburstStats s;
  s.ticks = ticks_;
  s.calmTicks = calm_;
  s.outbursts = static_cast<std::int64_t>(list_.size());
  s.ongoing = in_;
  s.peakActives = peak_;
  s.peakTick = peakTick_;
  s.firstTickAbove = firstAbove_;
  double sum = 0, sum2 = 0, duration = 0, wait = 0, wait2 = 0;
  for (std::size_t i = 0; i < list_.size(); ++i) {
    const auto a = double(list_[i].totalActivation);
    sum += a, sum2 += a * a, duration += double(list_[i].duration());
    if (i > 0) {
      const auto w = double(list_[i].start - list_[i - 1].end - 1);
      wait += w, wait2 += w * w;
    }
  }
  s.meanTotalActivation = meanOf(sum, s.outbursts);
  s.sdTotalActivation = sdOf(sum, sum2, s.outbursts);
  s.meanDuration = meanOf(duration, s.outbursts);
  s.waits = std::max<std::int64_t>(0, s.outbursts - 1);
  s.meanWait = meanOf(wait, s.waits);
  s.sdWait = sdOf(wait, wait2, s.waits);
  return s;
}

const char* latticeEventTypeName(LatticeEventType t) {
  switch (t) {
    case LatticeEventType::OutburstStart: return "outburst_start";
    case LatticeEventType::OutburstEnd: return "outburst_end";
    case LatticeEventType::Legitimacy: return "legitimacy";
    case LatticeEventType::PolicePresence: return "police_presence";
  }
  return "?";
}

// ---------------------------------------------------------------- the view

LatticeView::LatticeView(Neighbourhood shape, int v) : vision(v), halfWidth(std::size_t(2 * v + 1)) {
  for (int dy = -v; dy <= v; ++dy) halfWidth[std::size_t(dy + v)] = halfWidthOf(shape, v, dy);
}

std::size_t LatticeView::cells() const {
  std::size_t n = 0;
  for (int w : halfWidth) n += std::size_t(2 * w + 1);
  return n;
}

// ---------------------------------------------------------------- the world

LatticeWorld::LatticeWorld(const Scenario& scenario)
    : scenario_(scenario),
      rng_(scenario.seed),
      width_(scenario.lattice.width),
      height_(scenario.lattice.height),
      view_(scenario.lattice.neighbourhood, static_cast<int>(scenario.civilViolence.vision)),
      tracker_(scenario.lattice.outburstThreshold) {
  const LatticeDef& lat = scenario.lattice;
  const CivilViolenceDef& cv = scenario.civilViolence;
  const auto cells = static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_);
  // Counts as NetLogo's Rebellion rounds them: round(density x cells).
  const auto cops = static_cast<std::size_t>(std::llround(lat.copDensity * double(cells)));
  const auto agents = std::min(cells - std::min(cells, cops), static_cast<std::size_t>(std::llround(lat.agentDensity * double(cells))));

  who_.assign(cells, 0);
  occupied_.resize(width_, height_);
  cops_.resize(width_, height_);
  actives_.resize(width_, height_);
  // Distinct random cells: a shuffle of all cells, cops first (as NetLogo creates them), then agents.
  std::vector<std::uint32_t> shuffled(cells);
  std::iota(shuffled.begin(), shuffled.end(), 0u);
  for (std::size_t k = 0; k + 1 < cells && k < cops + agents; ++k)
    std::swap(shuffled[k], shuffled[k + pick(rng_.uniform(0, k, RandomPurpose::LatticeSetup), cells - k)]);

  copCell_.resize(cops);
  copOnDuty_.assign(cops, 1);
  for (std::size_t c = 0; c < cops; ++c) {
    copCell_[c] = shuffled[c];
    place(copCell_[c], true, static_cast<std::uint32_t>(c));
  }
  agentCell_.resize(agents);
  hardship_.resize(agents);
  riskAversion_.resize(agents);
  agentState_.assign(agents, std::uint8_t(LatticeAgentState::Quiet));
  releaseTick_.assign(agents, kNever);
  for (std::size_t a = 0; a < agents; ++a) {
    agentCell_[a] = shuffled[cops + a];
    place(agentCell_[a], false, static_cast<std::uint32_t>(a));
    // Hardship and risk aversion each from a stream of their own (keys 1 and 2 in the step slot), so a
    // distribution that takes several draws does not shift the other.
    hardship_[a] = cv.hardship.sample(rng_.stream(1, a, RandomPurpose::LatticeSetup));
    riskAversion_[a] = cv.riskAversion.sample(rng_.stream(2, a, RandomPurpose::LatticeSetup));
  }

  order_.resize(agents + cops);
  events_.reserve(16);
  legitimacy_ = cv.legitimacy;
  row_ = LatticeRow{};
  row_.quiet = static_cast<std::int64_t>(agents);
  row_.copsOnDuty = static_cast<std::int64_t>(cops);
  row_.legitimacy = legitimacy_;
  row_.policePresence = presence_;
}

void LatticeWorld::BitPlane::resize(int width, int height) {
  perRow_ = (std::size_t(width) + 63) / 64;
  words_.assign(perRow_ * std::size_t(height), 0);
}

int LatticeWorld::BitPlane::select(int y, int lo, int hi, bool clear, std::uint32_t k) const {
  const std::uint64_t* row = &words_[std::size_t(y) * perRow_];
  for (int w = lo >> 6; w <= (hi - 1) >> 6; ++w) {
    std::uint64_t bits = (clear ? ~row[w] : row[w]) & columnMask(w, lo, hi);
    const auto n = static_cast<std::uint32_t>(bitCount(bits));
    if (k >= n) {
      k -= n;
      continue;
    }
    for (; k > 0; --k) bits &= bits - 1;  // drop the lowest set bits before the k-th
    return w * 64 + std::countr_zero(bits);
  }
  return -1;
}

void LatticeWorld::place(std::uint32_t cell, bool cop, std::uint32_t who) {
  const std::uint32_t x = cell % std::uint32_t(width_), y = cell / std::uint32_t(width_);
  occupied_.set(x, y);
  if (cop) cops_.set(x, y);
  else cops_.reset(x, y);
  actives_.reset(x, y);
  who_[cell] = who;
}

void LatticeWorld::clear(std::uint32_t cell) {
  const std::uint32_t x = cell % std::uint32_t(width_), y = cell / std::uint32_t(width_);
  occupied_.reset(x, y);
  cops_.reset(x, y);
  actives_.reset(x, y);
}

void LatticeWorld::setActive(std::uint32_t cell, bool active) {
  const std::uint32_t x = cell % std::uint32_t(width_), y = cell / std::uint32_t(width_);
  if (active) actives_.set(x, y);
  else actives_.reset(x, y);
}

template <class Visit>
void LatticeWorld::forEachSeen(std::uint32_t cell, Visit&& visit) const {
  const int x = static_cast<int>(cell % std::uint32_t(width_)), y = static_cast<int>(cell / std::uint32_t(width_));
  const int v = view_.vision;
  for (int dy = -v; dy <= v; ++dy) {
    int row = y + dy;
    row += row < 0 ? height_ : (row >= height_ ? -height_ : 0);
    const int w = view_.halfWidth[std::size_t(dy + v)];
    // The columns x - w .. x + w wrap round at most once (the checks keep 2v + 1 <= width).
    const int lo = x - w, hi = x + w + 1;
    if (lo < 0) {
      if (!visit(row, lo + width_, width_) || !visit(row, 0, hi)) return;
    } else if (hi > width_) {
      if (!visit(row, lo, width_) || !visit(row, 0, hi - width_)) return;
    } else if (!visit(row, lo, hi)) {
      return;
    }
  }
}

LatticeWorld::Seen LatticeWorld::seenFrom(std::uint32_t cell) const {
  Seen s;
  forEachSeen(cell, [&](int row, int lo, int hi) {
    s.cops += cops_.count(row, lo, hi, false);
    s.actives += actives_.count(row, lo, hi, false);
    return true;
  });
  return s;
}

std::uint32_t LatticeWorld::pickSeen(std::uint32_t cell, const BitPlane& plane, bool clear, double u) const {
  // Count the candidates, then walk to the chosen one.
  std::uint32_t n = 0;
  forEachSeen(cell, [&](int row, int lo, int hi) {
    n += plane.count(row, lo, hi, clear);
    return true;
  });
  if (n == 0) return kOffLattice;
  auto k = static_cast<std::uint32_t>(pick(u, n));
  std::uint32_t found = kOffLattice;
  forEachSeen(cell, [&](int row, int lo, int hi) {
    const std::uint32_t m = plane.count(row, lo, hi, clear);
    if (k >= m) {
      k -= m;
      return true;
    }
    found = std::uint32_t(row) * std::uint32_t(width_) + std::uint32_t(plane.select(row, lo, hi, clear, k));
    return false;
  });
  return found;
}

std::uint32_t LatticeWorld::randomEmptyCell(std::int64_t t, std::uint64_t subject, RandomPurpose purpose) const {
  auto u = rng_.stream(std::uint64_t(t), subject, purpose);
  const std::size_t cells = who_.size();
  const auto empty = [&](std::size_t c) { return !occupied_.test(std::uint32_t(c % std::size_t(width_)), std::uint32_t(c / std::size_t(width_))); };
  for (int attempt = 0; attempt < 64; ++attempt) {
    const std::size_t c = pick(u(), cells);
    if (empty(c)) return static_cast<std::uint32_t>(c);
  }
  // A nearly full lattice: the first empty cell from a random start.
  const std::size_t start = pick(u(), cells);
  for (std::size_t k = 0; k < cells; ++k)
    if (empty((start + k) % cells)) return static_cast<std::uint32_t>((start + k) % cells);
  return kOffLattice;
}

void LatticeWorld::setPresence(std::int64_t t, double presence) {
  presence_ = presence;
  const std::size_t cops = copCell_.size();
  for (std::size_t c = 0; c < cops; ++c) {
    // Cop c has rank c / cops in [0, 1) and is on duty while its rank is below the presence.
    const bool duty = double(c) / double(cops) < presence;
    if (duty == bool(copOnDuty_[c])) continue;
    if (!duty) {
      clear(copCell_[c]);
      copCell_[c] = kOffLattice;
      copOnDuty_[c] = 0;
      continue;
    }
    const std::uint32_t cell = randomEmptyCell(t, agentCell_.size() + c, RandomPurpose::LatticeEmptyCell);
    if (cell == kOffLattice) continue;  // no room this tick; tried again the next
    place(cell, true, static_cast<std::uint32_t>(c));
    copCell_[c] = cell;
    copOnDuty_[c] = 1;
  }
}

void LatticeWorld::applyTimeline(std::int64_t t) {
  const auto& timeline = scenario_.events;
  const double tick = double(t);
  while (nextEvent_ < timeline.size() && timeline[nextEvent_].time <= tick) {
    const TimelineEventDef& e = timeline[nextEvent_++];
    const bool isLegitimacy = e.kind == EventKind::Legitimacy;
    presenceScheduled_ = presenceScheduled_ || !isLegitimacy;
    LatticeEvent ev;
    ev.tick = t;
    ev.type = isLegitimacy ? LatticeEventType::Legitimacy : LatticeEventType::PolicePresence;
    // A later change of the same kind takes over from wherever the earlier one has got to.
    ev.from = isLegitimacy ? legitimacy_ : presence_, ev.to = e.value, ev.over = e.over;
    events_.push_back(ev);
  }
  legitimacy_ = scheduledValue(timeline, EventKind::Legitimacy, -1, scenario_.civilViolence.legitimacy, tick, TimeBase::Ticks);
  if (presenceScheduled_) setPresence(t, scheduledValue(timeline, EventKind::PolicePresence, -1, 1.0, tick, TimeBase::Ticks));
}

void LatticeWorld::agentTurn(std::int64_t t, std::uint32_t a) {
  if (agentState_[a] == std::uint8_t(LatticeAgentState::Jailed)) return;
  ++turns_;
  const CivilViolenceDef& cv = scenario_.civilViolence;
  std::uint32_t cell = agentCell_[a];
  bool active = agentState_[a] == std::uint8_t(LatticeAgentState::Active);
  // Rule M: to a random empty cell within vision.
  const std::uint32_t to = pickSeen(cell, occupied_, true, rng_.uniform(std::uint64_t(t), a, RandomPurpose::LatticeMove));
  if (to != kOffLattice) {
    clear(cell);
    cell = agentCell_[a] = to;
  }
  // Rule A, from the new cell: C cops and A actives in vision, the agent counting itself once among the actives.
  place(cell, false, a);
  const Seen seen = seenFrom(cell);
  const double p = estimatedArrestProbability(double(seen.cops), double(seen.actives + 1), cv.arrestConstant, cv.arrestRatio);
  active = decidesActive(grievance(hardship_[a], legitimacy_), riskAversion_[a], p, cv.threshold);
  agentState_[a] = std::uint8_t(active ? LatticeAgentState::Active : LatticeAgentState::Quiet);
  setActive(cell, active);
}

void LatticeWorld::copTurn(std::int64_t t, std::uint32_t c) {
  if (!copOnDuty_[c]) return;
  ++turns_;
  const CivilViolenceDef& cv = scenario_.civilViolence;
  const std::uint64_t subject = agentCell_.size() + c;
  std::uint32_t cell = copCell_[c];
  // Rule M.
  const std::uint32_t to = pickSeen(cell, occupied_, true, rng_.uniform(std::uint64_t(t), subject, RandomPurpose::LatticeMove));
  if (to != kOffLattice) {
    clear(cell);
    place(to, true, c);
    cell = copCell_[c] = to;
  }
  // Rule C: arrest a random active agent within vision and take its cell.
  const std::uint32_t at = pickSeen(cell, actives_, false, rng_.uniform(std::uint64_t(t), subject, RandomPurpose::LatticeArrest));
  if (at == kOffLattice) return;
  const std::uint32_t a = who_[at];
  agentState_[a] = std::uint8_t(LatticeAgentState::Jailed);
  agentCell_[a] = kOffLattice;
  // A term drawn uniformly from the whole ticks 0..J_max; the agent misses that many ticks and returns at the end of
  // the last (a term of 0: at the end of this tick).
  releaseTick_[a] = std::isinf(cv.maxJailTerm)
                        ? kNever
                        : t + static_cast<std::int64_t>(pick(rng_.uniform(std::uint64_t(t), a, RandomPurpose::LatticeJailTerm),
                                                             static_cast<std::size_t>(cv.maxJailTerm) + 1));
  clear(cell);
  place(at, true, c);
  copCell_[c] = at;
}

void LatticeWorld::release(std::int64_t t) {
  for (std::size_t a = 0; a < agentCell_.size(); ++a) {
    if (agentState_[a] != std::uint8_t(LatticeAgentState::Jailed) || releaseTick_[a] > t) continue;
    const std::uint32_t cell = randomEmptyCell(t, a, RandomPurpose::LatticeEmptyCell);
    if (cell == kOffLattice) continue;  // cannot happen while agents + cops <= cells; kept for safety
    place(cell, false, static_cast<std::uint32_t>(a));
    agentCell_[a] = cell;
    agentState_[a] = std::uint8_t(LatticeAgentState::Quiet);
    releaseTick_[a] = kNever;
  }
}

void LatticeWorld::record(std::int64_t t) {
  LatticeRow r;
  r.tick = t;
  for (auto s : agentState_) {
    r.quiet += s == std::uint8_t(LatticeAgentState::Quiet);
    r.active += s == std::uint8_t(LatticeAgentState::Active);
    r.jailed += s == std::uint8_t(LatticeAgentState::Jailed);
  }
  for (auto d : copOnDuty_) r.copsOnDuty += d;
  r.legitimacy = legitimacy_;
  r.policePresence = presence_;
  row_ = r;
  const int change = tracker_.add(t, r.active);
  if (change == 0) return;
  LatticeEvent ev;
  ev.tick = t;
  ev.actives = r.active;
  ev.type = change > 0 ? LatticeEventType::OutburstStart : LatticeEventType::OutburstEnd;
  ev.outburst = tracker_.outbursts().size() - 1;
  events_.push_back(ev);
}

void LatticeWorld::step() {
  events_.clear();
  const std::int64_t t = tick_ + 1;
  applyTimeline(t);
  // A fresh random order every tick (Fisher-Yates keyed by the tick), so the order is a function of seed and tick.
  std::iota(order_.begin(), order_.end(), 0u);
  for (std::size_t k = 0; k + 1 < order_.size(); ++k)
    std::swap(order_[k], order_[k + pick(rng_.uniform(std::uint64_t(t), k, RandomPurpose::LatticeTurnOrder), order_.size() - k)]);
  const auto agents = static_cast<std::uint32_t>(agentCell_.size());
  for (std::uint32_t id : order_) {
    if (id < agents) agentTurn(t, id);
    else copTurn(t, id - agents);
  }
  release(t);
  tick_ = t;
  record(t);
}

OutburstStats runLatticeToEnd(const Scenario& scenario, std::vector<LatticeRow>* series) {
  LatticeWorld world(scenario);
  // Keeps every row, tick 0 included.
  struct Series : Observer<LatticeWorld> {
    std::vector<LatticeRow>* rows;
    void afterStep(const LatticeWorld& w) override { rows->push_back(w.row()); }
  } keep;
  keep.rows = series;
  std::vector<Observer<LatticeWorld>*> observers;
  if (series) {
    series->clear();
    series->reserve(static_cast<std::size_t>(world.totalTicks()) + 1);
    series->push_back(world.row());
    observers.push_back(&keep);
  }
  drive<LatticeWorld>(world, observers);
  return world.outbursts().stats();
}

}  // namespace unrest
