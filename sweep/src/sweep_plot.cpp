// Plots of a sweep through gnuplot: the data and one script are written next to the PNGs, then gnuplot runs once.
#include "unrest/sweep_results.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace unrest {

namespace fs = std::filesystem;

namespace {

// Curves per plot before the other parameters are pooled instead of drawn one curve per combination.
constexpr std::size_t kMaxSeries = 6;

std::string fileName(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += std::isalnum(c) || c == '-' || c == '_' ? char(c) : '_';
  return out;
}

std::string quoted(const std::string& s) {  // a gnuplot single-quoted string
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string describeMetric(const MetricDef& m) {
  if (m.source == MetricDef::Source::Summary) return m.name + " (summary.json " + m.path + ")";
  static const char* names[] = {"final", "max", "min", "mean", "first time"};
  std::string s =
      m.name + " (" + names[int(m.reduce)] + (m.reduce == MetricDef::Reduce::TimeTo ? " " : " of ") + m.path;
  if (m.atLeast) (s += " >= ") += formatNumber(*m.atLeast);
  if (m.atMost) (s += " <= ") += formatNumber(*m.atMost);
  if (std::isfinite(m.from) || std::isfinite(m.to))
    s += ", " + (std::isfinite(m.from) ? formatNumber(m.from) : std::string("0")) + " to " +
         (std::isfinite(m.to) ? formatNumber(m.to) : std::string("end")) + " s";
  return s + ")";
}

// Where a parameter's values sit on an axis: at their numbers when all are numbers, else at 0, 1, 2 ... in the
// order they first appear, labelled with their text.
struct Axis {
  bool numeric = true;
  std::vector<std::string> labels;  // distinct values in order of first appearance
  double at(const ParamValue& v) const {
    if (numeric) return *v.number;
    return double(std::find(labels.begin(), labels.end(), v.text) - labels.begin());
  }
  std::string tics() const {
    if (numeric) return "set xtics autofreq\n";
    std::string s = "set xtics (";
    for (std::size_t i = 0; i < labels.size(); ++i) s += (i ? ", " : "") + quoted(labels[i]) + " " + std::to_string(i);
    return s + ")\n";
  }
};

struct Row {
  double x = 0.0;
  Stats s;
};

std::string rowsText(std::vector<Row> rows) {
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.x < b.x; });
  std::string out;
  for (const auto& r : rows) {
    if (std::isnan(r.s.mean)) continue;
    // Below two runs there is no interval; the band closes onto the mean there.
    const double lo = std::isnan(r.s.lo) ? r.s.mean : r.s.lo, hi = std::isnan(r.s.hi) ? r.s.mean : r.s.hi;
    out += formatNumber(r.x) + " " + formatNumber(r.s.mean) + " " + formatNumber(lo) + " " + formatNumber(hi) + " " +
           std::to_string(r.s.n) + "\n";
  }
  return out;
}

void writeFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

// Runs gnuplot on the script in `dir`; returns "" or why it did not work.
std::string runGnuplot(const fs::path& dir) {
  const pid_t pid = ::fork();
  if (pid < 0) return "cannot start gnuplot";
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    const int log = ::open("gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    ::execlp("gnuplot", "gnuplot", "plots.gp", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return "gnuplot is not installed (Debian: apt-get install gnuplot-nox); the data and plots.gp are in " +
           dir.string();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "gnuplot failed; see " + (dir / "gnuplot.log").string();
  return "";
}

}  // namespace

int writePlots(const SweepPlan& plan, const std::map<std::int64_t, RunRecord>& records,
               const std::vector<PointStats>& points, const fs::path& dir, std::string& note) {
  const SweepDef& def = plan.def();
  fs::remove_all(dir);
  fs::create_directories(dir);
  note.clear();

  // Parameters that take two values or more among the points with results, each with its axis.
  std::vector<std::size_t> varying;
  std::vector<Axis> axes(def.parameters.size());
  for (std::size_t j = 0; j < def.parameters.size(); ++j) {
    for (const auto& ps : points) {
      const ParamValue& v = plan.point(ps.point)[j];
      if (std::find(axes[j].labels.begin(), axes[j].labels.end(), v.text) == axes[j].labels.end())
        axes[j].labels.push_back(v.text);
      axes[j].numeric = axes[j].numeric && v.number.has_value();
    }
    if (axes[j].labels.size() >= 2) varying.push_back(j);
  }
  if (varying.empty() || points.empty()) {
    note = "no plots: no parameter takes two values or more";
    return 0;
  }
  // The ok runs' values of metric k, pooled by the texts of the chosen parameters at their point.
  auto pooled = [&](std::size_t k, const std::vector<std::size_t>& by) {
    std::map<std::vector<std::string>, std::vector<double>> groups;
    for (const auto& [id, r] : records) {
      if (!r.ok || k >= r.metrics.size()) continue;
      std::vector<std::string> key;
      for (std::size_t j : by) key.push_back(plan.point(plan.run(id).point)[j].text);
      groups[key].push_back(r.metrics[k]);
    }
    return groups;
  };

  std::ostringstream gp;
  gp << "# Written by unrest sweep for '" << def.name << "'; run `gnuplot plots.gp` here to redraw.\n"
     << "set terminal pngcairo size 960,600 noenhanced font 'Sans,11'\n"
     << "set grid\nset key below\nset offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n"
     << "set palette defined (0 '#ffffcc', 0.5 '#41b6c4', 1 '#225ea8')\n";
  std::vector<std::string> images;
  const bool grid = def.sampler == SamplerKind::Grid;

  for (std::size_t k = 0; k < def.metrics.size(); ++k) {
    const std::string metric = describeMetric(def.metrics[k]);
    for (std::size_t j : varying) {
      const SweepParameter& param = def.parameters[j];
      const std::string base = fileName(def.metrics[k].name) + "-vs-" + fileName(param.name);
      std::vector<std::vector<Row>> blocks;
      std::vector<std::string> titles;
      if (grid) {
        // One curve per combination of the other parameters while they are few; else all pooled per value.
        std::vector<std::size_t> others;
        for (std::size_t o : varying)
          if (o != j) others.push_back(o);
        std::vector<std::vector<std::string>> keys;
        std::map<std::vector<std::string>, std::vector<Row>> series;
        for (const auto& ps : points) {
          std::vector<std::string> key;
          for (std::size_t o : others) key.push_back(def.parameters[o].name + "=" + plan.point(ps.point)[o].text);
          if (!series.count(key)) keys.push_back(key);
          series[key].push_back({axes[j].at(plan.point(ps.point)[j]), ps.metrics[k]});
        }
        if (keys.size() <= kMaxSeries) {
          for (const auto& key : keys) {
            std::string title;
            for (const auto& part : key) title += (title.empty() ? "" : ", ") + part;
            blocks.push_back(series[key]);
            titles.push_back(title.empty() ? "mean, 95 % CI shaded" : title);
          }
        } else {
          std::vector<Row> rows;
          for (const auto& [key, values] : pooled(k, {j})) {
            ParamValue v;
            v.text = key[0];
            for (const auto& ps : points)
              if (plan.point(ps.point)[j].text == key[0]) v = plan.point(ps.point)[j];
            rows.push_back({axes[j].at(v), summarise(values)});
          }
          blocks.push_back(rows);
          titles.push_back("mean over all other parameters, 95 % CI shaded");
        }
      } else {
        std::vector<Row> rows;
        for (const auto& ps : points) rows.push_back({axes[j].at(plan.point(ps.point)[j]), ps.metrics[k]});
        blocks.push_back(rows);
        titles.push_back("points sampled, mean and 95 % CI");
      }
      std::string data;
      std::int64_t fewest = std::numeric_limits<std::int64_t>::max(), most = 0;
      for (const auto& rows : blocks) {
        for (const auto& r : rows)
          if (r.s.n > 0) {
            fewest = std::min(fewest, r.s.n);
            most = std::max(most, r.s.n);
          }
        const std::string b = rowsText(rows);
        data += "# x mean ci95_lo ci95_hi n\n" + (b.empty() ? std::string("nan nan nan nan 0\n") : b) + "\n\n";
      }
      // Where a metric is undefined in some runs (a level never reached), each point says how many runs it stands on.
      const bool showCounts = fewest < most;
      writeFile(dir / (base + ".dat"), data);
      gp << "\nset output " << quoted(base + ".png") << "\nset title "
         << quoted(def.name + ": " + def.metrics[k].name + " against " + param.name) << "\nset xlabel "
         << quoted(param.name) << "\nset ylabel " << quoted(metric) << "\nunset colorbox\n"
         << axes[j].tics() << "set xrange [*:*]\nset yrange [*:*]\nset ytics autofreq\nplot ";
      for (std::size_t s = 0; s < blocks.size(); ++s) {
        const std::string src = quoted(base + ".dat") + " index " + std::to_string(s);
        const std::string lc = " lc " + std::to_string(s + 1);
        if (s) gp << ", \\\n     ";
        if (grid)
          gp << src << " using 1:3:4 with filledcurves" << lc << " fs transparent solid 0.2 notitle, \\\n     " << src
             << " using 1:2 with linespoints" << lc << " pt 7 ps 0.8 title " << quoted(titles[s]);
        else
          gp << src << " using 1:2:3:4 with yerrorbars" << lc << " pt 7 ps 0.6 title " << quoted(titles[s]);
        if (showCounts)
          gp << ", \\\n     " << src << " using 1:2:(sprintf('n=%d', $5)) with labels offset 0,0.8 font ',8'"
             << " tc lt " << s + 1 << " notitle";
      }
      gp << "\n";
      images.push_back(base + ".png");
    }
    if (!grid) continue;
    // Heat maps: the mean over each pair of grid parameters, the others pooled.
    for (std::size_t a = 0; a < varying.size(); ++a)
      for (std::size_t b = a + 1; b < varying.size(); ++b) {
        const std::size_t ja = varying[a], jb = varying[b];
        const std::string base = fileName(def.metrics[k].name) + "-map-" + fileName(def.parameters[ja].name) + "-" +
                                 fileName(def.parameters[jb].name);
        auto index = [](const Axis& axis, const std::string& text) {
          return std::find(axis.labels.begin(), axis.labels.end(), text) - axis.labels.begin();
        };
        std::string data = "# x_index y_index mean n\n";
        for (const auto& [key, values] : pooled(k, {ja, jb})) {
          const Stats s = summarise(values);
          if (!std::isnan(s.mean))
            data += std::to_string(index(axes[ja], key[0])) + " " + std::to_string(index(axes[jb], key[1])) + " " +
                    formatNumber(s.mean) + " " + std::to_string(s.n) + "\n";
        }
        writeFile(dir / (base + ".dat"), data);
        Axis yAxis = axes[jb];
        yAxis.numeric = false;
        Axis xAxis = axes[ja];
        xAxis.numeric = false;
        std::string ytics = yAxis.tics();
        ytics.replace(ytics.find("xtics"), 5, "ytics");
        gp << "\nset output " << quoted(base + ".png") << "\nset title "
           << quoted(def.name + ": mean " + def.metrics[k].name + " over " + def.parameters[ja].name + " and " +
                     def.parameters[jb].name)
           << "\nset xlabel " << quoted(def.parameters[ja].name) << "\nset ylabel " << quoted(def.parameters[jb].name)
           << "\nset cblabel " << quoted(metric) << "\nset colorbox\n"
           << xAxis.tics() << ytics << "set xrange [-0.5:" << xAxis.labels.size() - 0.5
           << "]\nset yrange [-0.5:" << yAxis.labels.size() - 0.5 << "]\nplot " << quoted(base + ".dat")
           << " using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \\\n     "
           << quoted(base + ".dat") << " using 1:2:(sprintf('%.3g', $3)) with labels font ',9' notitle\n";
        images.push_back(base + ".png");
      }
  }
  writeFile(dir / "plots.gp", gp.str());
  note = runGnuplot(dir);
  int made = 0;
  for (const auto& image : images) made += fs::exists(dir / image) && fs::file_size(dir / image) > 0;
  if (made < int(images.size()) && note.empty())
    note = std::to_string(images.size() - made) + " plots missing; see " + (dir / "gnuplot.log").string();
  return made;
}

}  // namespace unrest
