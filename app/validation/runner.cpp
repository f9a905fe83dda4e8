// The runner of `unrest validate`: the case registry, the pool of runs, the verdicts, the table, validation.csv
// and the gnuplot PNGs.
#include "validation/validation.hpp"

#include "unrest/scenario.hpp"
#include "unrest/run.hpp"
#include "unrest/world.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace unrest::validation {

namespace {
std::vector<Case>& caseRegistry() {
  static std::vector<Case> registry;
  return registry;
}
std::vector<Suite>& suiteRegistry() {
  static std::vector<Suite> registry;
  return registry;
}
}  // namespace

void registerCase(Case c) { caseRegistry().push_back(std::move(c)); }
void registerSuite(Suite s) { suiteRegistry().push_back(std::move(s)); }
const std::vector<Case>& cases() { return caseRegistry(); }
const std::vector<Suite>& suites() { return suiteRegistry(); }

Stats statsOf(std::vector<double> values) {
  Stats s;
  std::vector<double> v;
  for (double x : values) {
    if (std::isnan(x)) ++s.missing;
    else v.push_back(x);
  }
  s.n = static_cast<int>(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  s.median = v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
  s.lo = v.front();
  s.hi = v.back();
  return s;
}

std::string format(double v, int digits) {
  if (std::isnan(v)) return "–";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

Check Check::range(const std::string& figure, const Stats& s, double lo, double hi, Gate gate, const std::string& note) {
  Check c;
  c.figure = figure;
  c.expected = "[" + format(lo) + ", " + format(hi) + "]";
  c.measured = s;
  c.gate = gate;
  c.passed = s.ok() && s.median >= lo && s.median <= hi;
  c.note = note;
  return c;
}

Check Check::report(const std::string& figure, const Stats& s, const std::string& note) {
  Check c;
  c.figure = figure;
  c.expected = "(reported)";
  c.measured = s;
  c.gate = Gate::Soft;
  c.note = note;
  return c;
}

Check Check::condition(const std::string& figure, const std::string& expected, const Stats& s, bool holds, Gate gate,
                       const std::string& note) {
  Check c;
  c.figure = figure;
  c.expected = expected;
  c.measured = s;
  c.gate = gate;
  c.passed = holds;
  c.note = note;
  return c;
}

std::vector<double> CaseData::values(std::size_t spec, const std::string& key) const {
  std::vector<double> out;
  for (const auto& m : metrics[spec]) {
    const auto it = m.find(key);
    out.push_back(it == m.end() ? std::nan("") : it->second);
  }
  return out;
}

Stats CaseData::stats(std::size_t spec, const std::string& key) const { return statsOf(values(spec, key)); }

int CaseData::specAt(double x) const {
  for (std::size_t s = 0; s < specs.size(); ++s)
    if (std::abs(specs[s].x - x) < 1e-9) return static_cast<int>(s);
  return -1;
}

bool nobodyLeft(const Simulation& sim, Metrics& scratch) {
  if (sim.spawned() == sim.scenario().totalPeople() && sim.active() == 0) return true;
  double& exited = scratch["stall.exited"];
  double& since = scratch["stall.since_s"];
  if (double(sim.exited()) != exited) {
    exited = double(sim.exited());
    since = sim.time();
  }
  return sim.time() - since > kStallSeconds;
}

double evacuationTime(const RunContext& run) {
  const Simulation& sim = run.sim;
  if (sim.exited() < sim.scenario().totalPeople()) return std::nan("");
  double last = 0.0;
  for (const auto& p : run.measurement->people()) last = std::max(last, p.exit);
  return last;
}

Case onModel(Case c, const std::string& model, const std::vector<std::string>& extra) {
  c.name += "_" + model;
  c.title += " (locomotion " + model + ")";
  for (auto* runs : {&c.runs, &c.quickRuns})
    for (RunSpec& r : *runs) {
      r.overrides.push_back("locomotion.model=" + model);
      r.overrides.insert(r.overrides.end(), extra.begin(), extra.end());
    }
  if (c.plot)
    c.plot = [plot = c.plot, model](const CaseData& d) {
      std::optional<Plot> p = plot(d);
      if (p) p->title += " - locomotion " + model;
      return p;
    };
  return c;
}

double flowBetween(const RunContext& run, int line, int first, int last) {
  std::vector<double> times;
  for (const auto& c : run.crossings)
    if (c.line == line && c.sign > 0) times.push_back(c.time);
  if (static_cast<int>(times.size()) <= last || last <= first) return std::nan("");
  return double(last - first) / (times[last] - times[first]);
}

double meanOverSamples(const RunContext& run, int area, double from, double to, double Measurement::AreaSample::*field) {
  double sum = 0.0;
  int n = 0;
  for (const auto& s : run.areaSamples)
    if (s.area == area && s.time >= from - 1e-9 && s.time <= to + 1e-9) {
      sum += s.*field;
      ++n;
    }
  return n ? sum / n : std::nan("");
}

namespace {

using Clock = std::chrono::steady_clock;

struct Task {
  std::size_t caseIndex, spec, seedIndex;
};

Metrics runOne(const Case& c, const RunSpec& spec, std::uint64_t seed, const Options& opt) {
  std::vector<std::string> overrides = spec.overrides;
  if (opt.quick) overrides.insert(overrides.end(), c.quickOverrides.begin(), c.quickOverrides.end());
  if (c.runCustom) return c.runCustom(spec, seed, overrides, (std::filesystem::path(opt.sourceDir) / "scenarios").string());
  overrides.push_back("seed=" + std::to_string(seed));
  const Scenario sc = loadScenario((std::filesystem::path(opt.sourceDir) / "scenarios" / spec.scenario).string(), overrides);
  ScenarioRun run(sc, 1);
  if (!run.measurement() && c.needsMeasurement)
    throw std::runtime_error(spec.scenario + ": the case needs a measurement: section in its scenario");
  // Gathers what the case reads step by step, and stops the run where the case says it is over.
  class Gatherer : public Observer<Simulation> {
  public:
    Gatherer(const Case& c, const Measurement* m) : c_(c), m_(m) {}
    bool beforeStep(const Simulation&) override { return !over_; }
    void afterStep(const Simulation& sim) override {
      if (sim.stepIndex() == lastStep_) return;  // the last record of a stopped run: already gathered
      lastStep_ = sim.stepIndex();
      if (m_) {
        crossings.insert(crossings.end(), m_->stepCrossings().begin(), m_->stepCrossings().end());
        samples.insert(samples.end(), m_->stepAreaSamples().begin(), m_->stepAreaSamples().end());
      }
      if (c_.perStep) c_.perStep(sim, scratch);
      over_ = c_.stopWhen && c_.stopWhen(sim, scratch);
    }
    std::vector<Measurement::Crossing> crossings;
    std::vector<Measurement::AreaSample> samples;
    Metrics scratch;

  private:
    const Case& c_;
    const Measurement* m_;
    std::int64_t lastStep_ = -1;
    bool over_ = false;
  } gathered(c, run.measurement());
  run.drive({&gathered});
  const Simulation& sim = run.sim();
  auto& crossings = gathered.crossings;
  auto& samples = gathered.samples;
  auto& scratch = gathered.scratch;
  Metrics result;
  const RunContext context{sim, run.measurement(), spec, seed, crossings, samples, scratch};
  c.measure(context, result);
  result["simulated_s"] = sim.time();
  result["injured"] = double(sim.injuriesCrush());
  return result;
}

const char* verdictName(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "pass";
    case Verdict::Fail: return "FAIL";
    case Verdict::Soft: return "soft";
  }
  return "?";
}

std::string csvField(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string measuredText(const Stats& s) {
  if (s.n == 0) return s.missing ? "not reached" : "–";
  std::string t = format(s.median) + " [" + format(s.lo) + ", " + format(s.hi) + "]";
  if (s.missing) t += " (" + std::to_string(s.missing) + " not reached)";
  return t;
}

// Writes the data and a gnuplot script, runs gnuplot; returns the PNG path, or an empty string with a warning.
std::string drawPlot(const Plot& plot, const std::filesystem::path& dir, const std::string& name) {
  const auto data = dir / (name + ".dat");
  const auto script = dir / (name + ".gp");
  const auto png = dir / (name + ".png");
  {
    std::ofstream out(data);
    out << "# x median min max\n";
    for (std::size_t i = 0; i < plot.x.size(); ++i)
      if (plot.y[i].n > 0) out << plot.x[i] << ' ' << plot.y[i].median << ' ' << plot.y[i].lo << ' ' << plot.y[i].hi << '\n';
    for (std::size_t r = 0; r < plot.references.size(); ++r) {
      const auto& ref = plot.references[r];
      out << "\n\n# reference " << r << ": " << ref.label << '\n';
      for (std::size_t i = 0; i < ref.x.size(); ++i) {
        out << ref.x[i];
        if (ref.yLow.empty()) out << ' ' << ref.y[i];
        else out << ' ' << ref.yLow[i] << ' ' << ref.yHigh[i];
        out << '\n';
      }
    }
  }
  {
    std::ofstream gp(script);
    gp << "set terminal pngcairo size 900,600 font 'sans,11'\n";
    gp << "set output '" << png.string() << "'\n";
    gp << "set title \"" << plot.title << "\"\nset xlabel \"" << plot.xLabel << "\"\nset ylabel \"" << plot.yLabel << "\"\n";
    gp << "set grid\nset key top right box opaque\nset datafile missing 'nan'\n";
    gp << "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n";  // points on the edge stay visible
    if (plot.logX) gp << "set logscale x\n";
    gp << "plot ";
    bool first = true;
    for (std::size_t r = 0; r < plot.references.size(); ++r) {
      const auto& ref = plot.references[r];
      gp << (first ? "" : ", ") << "'" << data.string() << "' index " << (r + 1)
         << (ref.yLow.empty() ? " using 1:2 with lines lw 2" : " using 1:2:3 with filledcurves fs transparent solid 0.25")
         << " title \"" << ref.label << "\"";
      first = false;
    }
    gp << (first ? "" : ", ") << "'" << data.string() << "' index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.2 lw 1.5 title \""
       << plot.seriesLabel << " (median, min–max over seeds)\", '' index 0 using 1:2 with lines dt 2 notitle\n";
  }
  const std::string command = "gnuplot '" + script.string() + "' 2>&1";
  if (std::system(command.c_str()) != 0 || !std::filesystem::exists(png)) {
    std::fprintf(stderr, "unrest validate: warning: gnuplot failed on %s (is gnuplot installed?)\n", script.c_str());
    return "";
  }
  return png.string();
}

}  // namespace

int runValidation(const Options& opt) {
  const auto wallStart = Clock::now();
  // The selection: a suite (or all), then named cases within it.
  std::set<std::string> knownSuites;
  for (const auto& s : suites()) knownSuites.insert(s.name);
  if (opt.suite != "all" && !knownSuites.count(opt.suite)) {
    std::string names;
    for (const auto& s : suites()) names += (names.empty() ? "" : ", ") + s.name;
    std::fprintf(stderr, "unrest validate: unknown suite '%s' (expected one of: %s, all)\n", opt.suite.c_str(), names.c_str());
    return 2;
  }
  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < cases().size(); ++i) {
    const Case& c = cases()[i];
    if (opt.suite != "all" && c.suite != opt.suite) continue;
    if (!opt.caseNames.empty() && std::find(opt.caseNames.begin(), opt.caseNames.end(), c.name) == opt.caseNames.end()) continue;
    selected.push_back(i);
  }
  for (const auto& name : opt.caseNames) {
    const bool found = std::any_of(selected.begin(), selected.end(), [&](std::size_t i) { return cases()[i].name == name; });
    if (!found) {
      std::string names;
      for (const auto& c : cases())
        if (opt.suite == "all" || c.suite == opt.suite) names += (names.empty() ? "" : ", ") + c.name;
      std::fprintf(stderr, "unrest validate: no case '%s' in suite '%s' (expected one of: %s)\n", name.c_str(), opt.suite.c_str(),
                   names.c_str());
      return 2;
    }
  }
  // Suites without cases are said so, never passed silently.
  bool emptyRequested = false;
  for (const auto& s : suites()) {
    if (opt.suite != "all" && s.name != opt.suite) continue;
    const bool empty = std::none_of(cases().begin(), cases().end(), [&](const Case& c) { return c.suite == s.name; });
    if (empty) {
      std::printf("suite '%s' (%s): no cases yet — nothing of it is validated\n", s.name.c_str(), s.description.c_str());
      emptyRequested = emptyRequested || opt.suite == s.name;
    }
  }
  if (selected.empty()) {
    std::printf("nothing to run\n");
    return emptyRequested ? 3 : 0;
  }

  // Every (case, spec, seed) is one task; results land in their slot whatever finishes first.
  std::vector<Task> tasks;
  std::vector<std::vector<std::vector<Metrics>>> results(cases().size());
  std::vector<std::vector<std::vector<std::string>>> errors(cases().size());
  auto runsOf = [&](const Case& c) -> const std::vector<RunSpec>& { return opt.quick && !c.quickRuns.empty() ? c.quickRuns : c.runs; };
  auto seedsOf = [&](const Case& c) { return opt.seeds > 0 ? opt.seeds : (opt.quick ? c.quickSeeds : c.seeds); };
  for (std::size_t ci : selected) {
    const Case& c = cases()[ci];
    const auto& runs = runsOf(c);
    results[ci].assign(runs.size(), std::vector<Metrics>(seedsOf(c)));
    errors[ci].assign(runs.size(), std::vector<std::string>(seedsOf(c)));
    for (std::size_t s = 0; s < runs.size(); ++s)
      for (int k = 0; k < seedsOf(c); ++k) tasks.push_back({ci, s, static_cast<std::size_t>(k)});
  }
  const int threads = std::max(1, opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency()));
  std::printf("unrest validate: %zu case(s), %zu runs on %d thread(s)%s\n", selected.size(), tasks.size(), threads,
              opt.quick ? " (quick subset)" : "");
  std::fflush(stdout);
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress;
  auto worker = [&] {
    omp_set_num_threads(1);  // each run on one thread: the runs themselves are the parallelism
    for (std::size_t t; (t = next.fetch_add(1)) < tasks.size();) {
      const Task& task = tasks[t];
      const Case& c = cases()[task.caseIndex];
      try {
        results[task.caseIndex][task.spec][task.seedIndex] =
            runOne(c, runsOf(c)[task.spec], 1 + task.seedIndex, opt);
      } catch (const std::exception& e) {
        errors[task.caseIndex][task.spec][task.seedIndex] = e.what();
      }
      const std::size_t finished = ++done;
      if (isatty(fileno(stderr))) {
        std::lock_guard<std::mutex> lock(progress);
        std::fprintf(stderr, "\r  %zu/%zu runs", finished, tasks.size());
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < std::min<int>(threads, static_cast<int>(tasks.size())); ++i) pool.emplace_back(worker);
  for (auto& th : pool) th.join();
  if (isatty(fileno(stderr))) std::fprintf(stderr, "\n");

  // Verdicts, table, CSV, plots.
  std::filesystem::create_directories(opt.out);
  std::FILE* csv = std::fopen((std::filesystem::path(opt.out) / "validation.csv").c_str(), "w");
  if (!csv) throw std::runtime_error(opt.out + "/validation.csv: cannot open for writing");
  std::fputs("suite,case,figure,expected,median,min,max,runs,not_reached,verdict,gate,note\n", csv);
  std::printf("\n%-16s %-44s %-22s %-32s %s\n", "case", "figure", "expected", "measured: median [min, max]", "verdict");
  int gatedPasses = 0, gatedFailures = 0, softWithin = 0, softs = 0;
  std::vector<std::string> notes, failures;
  for (std::size_t ci : selected) {
    const Case& c = cases()[ci];
    bool runErrors = false;
    for (std::size_t s = 0; s < errors[ci].size(); ++s)
      for (const auto& e : errors[ci][s])
        if (!e.empty()) {
          std::fprintf(stderr, "unrest validate: %s, %s: %s\n", c.name.c_str(), runsOf(c)[s].label.c_str(), e.c_str());
          runErrors = true;
        }
    std::vector<Check> checks;
    const CaseData data{runsOf(c), results[ci]};
    if (runErrors) {
      checks.push_back(Check::condition("runs completed", "all", Stats{}, false, Gate::Gated, "a run failed (see above)"));
    } else {
      c.judge(data, checks);
    }
    for (const auto& ch : checks) {
      const Verdict v = ch.verdict();
      // A soft check within its band passes but is not gated: shown and counted apart.
      const bool gated = ch.gate == Gate::Gated, softPass = !gated && v == Verdict::Pass;
      gatedPasses += gated && v == Verdict::Pass;
      gatedFailures += v == Verdict::Fail;
      softWithin += softPass;
      softs += !gated;
      const std::string measured = ch.measuredText.empty() ? measuredText(ch.measured) : ch.measuredText;
      std::printf("%-16s %-44s %-22s %-32s %s\n", c.name.c_str(), ch.figure.c_str(), ch.expected.c_str(), measured.c_str(),
                  softPass ? "pass (soft)" : verdictName(v));
      if (v == Verdict::Fail) failures.push_back(c.name + " — " + ch.figure + ": expected " + ch.expected + ", measured " + measured);
      if (!ch.note.empty()) notes.push_back(c.name + ", " + ch.figure + ": " + ch.note);
      std::fprintf(csv, "%s,%s,%s,%s,%s,%s,%s,%d,%d,%s,%s,%s\n", c.suite.c_str(), c.name.c_str(), csvField(ch.figure).c_str(),
                   csvField(ch.expected).c_str(), format(ch.measured.median, 4).c_str(), format(ch.measured.lo, 4).c_str(),
                   format(ch.measured.hi, 4).c_str(), ch.measured.n, ch.measured.missing, v == Verdict::Fail ? "fail" : verdictName(v),
                   ch.gate == Gate::Gated ? "gated" : "soft",
                   csvField(ch.measuredText.empty() ? ch.note : ch.measuredText + (ch.note.empty() ? "" : "; " + ch.note)).c_str());
    }
    if (c.plot && !runErrors) {
      if (auto p = c.plot(data)) {
        const std::string png = drawPlot(*p, opt.out, c.name);
        if (!png.empty()) notes.push_back(c.name + ": plot " + png);
      }
    }
  }
  std::fclose(csv);
  for (const auto& n : notes) std::printf("  - %s\n", n.c_str());
  const double wall = std::chrono::duration<double>(Clock::now() - wallStart).count();
  std::printf("\ngated: %d pass, %d fail; soft (reported, not gated): %d, %d of them within their band; %zu runs in %.1f s "
              "wall time on %d thread(s); table in %s/validation.csv\n",
              gatedPasses, gatedFailures, softs, softWithin, tasks.size(), wall, threads, opt.out.c_str());
  // The gated failures again, so that the end of a long log says what failed.
  for (const auto& f : failures) std::printf("failed: %s\n", f.c_str());
  if (emptyRequested) return 3;
  return gatedFailures > 0 ? 1 : 0;
}

}  // namespace unrest::validation
