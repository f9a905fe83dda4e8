// Epstein's civil-violence model in its own world (movement: lattice): J. M. Epstein, "Modeling civil violence: an
// agent-based computational approach", PNAS 99 suppl. 3, 7243-7250 (2002), Model I, as the NetLogo "Rebellion"
// model (Wilensky 2004) implements it.
//
// A torus of width x height cells holds at most one agent or cop per cell. Each tick, first the timeline (legitimacy,
// police presence), then every agent and cop once, in a fresh random order:
//   rule M   a free agent or a cop on duty moves to a random empty cell within vision (stays if there is none);
//   rule A   an agent then decides to be active or quiet by the shared rule (civil_violence.hpp) from the cops and
//            the actives it sees from its new cell;
//   rule C   a cop then arrests a random active agent within vision, if any, and moves to its cell; the agent is
//            off the lattice for a jail term drawn uniformly from the whole ticks 0..J_max (or for ever);
// then agents whose term is over come back, each on a random empty cell, quiet.
//
// The turns are sequential (each sees the lattice as the turns before it left it), so a tick runs on one thread;
// every random draw is keyed by (seed, tick, agent or cop, purpose), so a run is a pure function of scenario and seed.
#pragma once

#include "unrest/rng.hpp"
#include "unrest/scenario.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace unrest {

// The state after a tick (tick 0: the start, before anyone has moved).
struct LatticeRow {
  std::int64_t tick = 0;
  std::int64_t quiet = 0, active = 0, jailed = 0;  // agents
  std::int64_t copsOnDuty = 0;
  double legitimacy = 0.0;     // L during the tick
  double policePresence = 1.0; // share of the force on duty during the tick
};

// One outburst: a maximal run of ticks with more actives than the threshold (Epstein 2002: 50).
struct Outburst {
  std::int64_t start = 0, end = 0;  // first and last tick of the run
  std::int64_t peak = 0, peakTick = 0;
  std::int64_t totalActivation = 0;  // actives summed over the ticks of the run (agent-ticks of open rebellion)
  std::int64_t duration() const { return end - start + 1; }
};

struct OutburstStats {
  std::int64_t ticks = 0;       // ticks seen (the start, tick 0, is not one)
  std::int64_t calmTicks = 0;   // ticks with at most `threshold` actives
  std::int64_t outbursts = 0;   // including one still going at the end
  bool ongoing = false;         // the last outburst had not ended when the series stopped
  double meanTotalActivation = 0.0, sdTotalActivation = 0.0;
  double meanDuration = 0.0;
  std::int64_t waits = 0;       // calm gaps between two outbursts
  double meanWait = 0.0, sdWait = 0.0;  // ticks from the end of one outburst to the start of the next
  std::int64_t peakActives = 0, peakTick = 0;
  std::int64_t firstTickAbove = -1;  // first tick with more actives than the threshold; -1: never
  double calmFraction() const { return ticks > 0 ? double(calmTicks) / double(ticks) : 1.0; }
};

// Counts outbursts in a series of active counts, one tick at a time.
class OutburstTracker {
public:
  explicit OutburstTracker(std::int64_t threshold = 50) : threshold_(threshold) { list_.reserve(256); }
  // Adds the actives of `tick` (ticks in increasing order). Returns +1 when an outburst starts at this tick, -1
  // when the last one ended with the tick before (this one is calm), 0 otherwise.
  int add(std::int64_t tick, std::int64_t actives);
  OutburstStats stats() const;
  const std::vector<Outburst>& outbursts() const { return list_; }  // the last one may still be going
  bool inOutburst() const { return in_; }
  std::int64_t threshold() const { return threshold_; }

private:
  std::int64_t threshold_;
  bool in_ = false;
  std::vector<Outburst> list_;
  std::int64_t ticks_ = 0, calm_ = 0, peak_ = 0, peakTick_ = 0, firstAbove_ = -1;
};

enum class LatticeEventType : std::uint8_t { OutburstStart, OutburstEnd, Legitimacy, PolicePresence };
const char* latticeEventTypeName(LatticeEventType t);

struct LatticeEvent {
  std::int64_t tick = 0;
  LatticeEventType type = LatticeEventType::OutburstStart;
  // OutburstStart: actives at the start. OutburstEnd: the outburst (index into outbursts()).
  // Legitimacy, PolicePresence: the change that begins (from `from` to `to` over `over` ticks).
  std::int64_t actives = 0;
  std::size_t outburst = 0;
  double from = 0.0, to = 0.0, over = 0.0;
};

// The cells within vision of a cell, as one run of columns per row: row offset dy in [-v, v] covers columns
// x - halfWidth[dy + v] .. x + halfWidth[dy + v]. Every shape Epstein's model is run with is of this form.
struct LatticeView {
  int vision = 0;
  std::vector<int> halfWidth;  // 2v + 1 entries; the cell itself is included (dy = 0, dx = 0)
  LatticeView(Neighbourhood shape, int v);
  std::size_t cells() const;   // the cell itself included
};

enum class LatticeAgentState : std::uint8_t { Quiet, Active, Jailed };

class LatticeWorld {
public:
  explicit LatticeWorld(const Scenario& scenario);

  void step();  // one tick
  bool done() const { return tick_ >= scenario_.lattice.ticks; }
  // Every tick ends with its row recorded, so a stopped run has nothing left to record (see drive()).
  bool recordNow() { return false; }
  std::int64_t tick() const { return tick_; }  // ticks completed
  std::int64_t totalTicks() const { return scenario_.lattice.ticks; }
  const Scenario& scenario() const { return scenario_; }

  const LatticeRow& row() const { return row_; }  // the state after the last tick
  const std::vector<LatticeEvent>& tickEvents() const { return events_; }  // of the last tick, in order
  const OutburstTracker& outbursts() const { return tracker_; }
  std::int64_t turns() const { return turns_; }  // agent and cop turns taken so far

  // Inspection, for tests and viewers.
  int width() const { return width_; }
  int height() const { return height_; }
  const LatticeView& view() const { return view_; }
  std::size_t agentCount() const { return agentCell_.size(); }
  std::size_t copCount() const { return copCell_.size(); }
  LatticeAgentState agentState(std::size_t i) const { return static_cast<LatticeAgentState>(agentState_[i]); }
  double hardship(std::size_t i) const { return hardship_[i]; }
  double riskAversion(std::size_t i) const { return riskAversion_[i]; }
  // Cell index (x + width * y) of an agent or cop; kOffLattice when jailed or off duty.
  static constexpr std::uint32_t kOffLattice = 0xffffffffu;
  std::uint32_t agentCell(std::size_t i) const { return agentCell_[i]; }
  std::uint32_t copCell(std::size_t c) const { return copCell_[c]; }
  // Cops and actives within vision of a cell (the cell itself included).
  struct Seen {
    std::int64_t cops = 0, actives = 0;
  };
  Seen seenFrom(std::uint32_t cell) const;

private:
  // One bit per cell, each row of the lattice in whole 64-bit words, so that counting or choosing among the cells of
  // a run of columns takes a few popcounts rather than a look at every cell.
  class BitPlane {
  public:
    void resize(int width, int height);
    void set(std::uint32_t x, std::uint32_t y) { words_[index(x, y)] |= bit(x); }
    void reset(std::uint32_t x, std::uint32_t y) { words_[index(x, y)] &= ~bit(x); }
    bool test(std::uint32_t x, std::uint32_t y) const { return (words_[index(x, y)] & bit(x)) != 0; }
    // Cells of row y, columns [lo, hi), whose bit is set (or clear, when `clear`).
    std::uint32_t count(int y, int lo, int hi, bool clear) const {
      const std::uint64_t* row = &words_[std::size_t(y) * perRow_];
      std::uint32_t n = 0;
      for (int k = lo >> 6; k <= (hi - 1) >> 6; ++k)
        n += static_cast<std::uint32_t>(bitCount((clear ? ~row[k] : row[k]) & columnMask(k, lo, hi)));
      return n;
    }
    // The column of the k-th (from 0) such cell; the caller knows it exists.
    int select(int y, int lo, int hi, bool clear, std::uint32_t k) const;

    // The bits of word k of a row that fall in the columns [lo, hi).
    static std::uint64_t columnMask(int k, int lo, int hi) {
      std::uint64_t m = ~std::uint64_t(0);
      if (k == lo >> 6) m &= ~std::uint64_t(0) << (lo & 63);
      if (k == (hi - 1) >> 6) m &= ~std::uint64_t(0) >> (63 - ((hi - 1) & 63));
      return m;
    }
    // Set bits by the SWAR sum (Hacker's Delight 5-1): a few instructions inline, where std::popcount is a library
    // call unless the build targets a CPU with a popcount instruction.
    static int bitCount(std::uint64_t x) {
      x -= (x >> 1) & 0x5555555555555555ULL;
      x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
      x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
      return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
    }

  private:
    std::size_t index(std::uint32_t x, std::uint32_t y) const { return std::size_t(y) * perRow_ + (x >> 6); }
    static std::uint64_t bit(std::uint32_t x) { return std::uint64_t(1) << (x & 63); }
    std::size_t perRow_ = 1;
    std::vector<std::uint64_t> words_;
  };

  void applyTimeline(std::int64_t t);
  void setPresence(std::int64_t t, double presence);
  void agentTurn(std::int64_t t, std::uint32_t a);
  void copTurn(std::int64_t t, std::uint32_t c);
  void release(std::int64_t t);
  void record(std::int64_t t);
  // Calls visit(y, lo, hi) for each run of columns [lo, hi) of row y within vision of `cell`, row by row, until it
  // returns false.
  template <class Visit>
  void forEachSeen(std::uint32_t cell, Visit&& visit) const;
  // A cell within vision of `cell` whose bit in `plane` is set (clear, when `clear`), chosen uniformly by u in
  // [0, 1); kOffLattice when there is none.
  std::uint32_t pickSeen(std::uint32_t cell, const BitPlane& plane, bool clear, double u) const;
  // A random empty cell; kOffLattice only when the lattice is full.
  std::uint32_t randomEmptyCell(std::int64_t t, std::uint64_t subject, RandomPurpose purpose) const;
  void place(std::uint32_t cell, bool cop, std::uint32_t who);
  void clear(std::uint32_t cell);
  void setActive(std::uint32_t cell, bool active);

  const Scenario& scenario_;
  CounterRng rng_;
  int width_, height_;
  LatticeView view_;
  std::int64_t tick_ = 0, turns_ = 0;

  // Agents (structure of arrays).
  std::vector<std::uint32_t> agentCell_;
  std::vector<double> hardship_, riskAversion_;  // H, R (Epstein 2002), fixed for life
  std::vector<std::uint8_t> agentState_;         // LatticeAgentState
  std::vector<std::int64_t> releaseTick_;        // while jailed: the tick at whose end the agent returns
  // Cops.
  std::vector<std::uint32_t> copCell_;
  std::vector<std::uint8_t> copOnDuty_;
  // Cells: who is where (agent or cop index), and three planes of bits.
  std::vector<std::uint32_t> who_;
  BitPlane occupied_, cops_, actives_;

  // The timeline (the same schedule as the continuous world's, on ticks): the first event not yet reported, and
  // whether police presence has been scheduled at all yet.
  std::size_t nextEvent_ = 0;
  bool presenceScheduled_ = false;
  double legitimacy_ = 0.0, presence_ = 1.0;

  std::vector<std::uint32_t> order_;    // turn order of the tick: agents 0..A-1, then cops as A + c
  OutburstTracker tracker_;
  std::vector<LatticeEvent> events_;
  LatticeRow row_;
};

// Runs a lattice scenario to its end and returns its outburst figures; `series`, when given, receives every row
// (tick 0 included).
OutburstStats runLatticeToEnd(const Scenario& scenario, std::vector<LatticeRow>* series = nullptr);

}  // namespace unrest
