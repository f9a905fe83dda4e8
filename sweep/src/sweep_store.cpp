// The sweep folder: manifest, journal (runs.csv), final files. Everything here runs on one thread (the main
// thread of a local sweep, rank 0 of an MPI sweep).
#include "unrest/output.hpp"
#include "unrest/sweep_results.hpp"
#include "unrest/yaml_reader.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace unrest {

namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = "manifest.json";
constexpr const char* kJournal = "runs.csv";
// The files a sweep writes into its folder; --restart removes these and nothing else.
constexpr const char* kOwnFiles[] = {kManifest,      "sweep.yaml", kJournal, "points.csv",
                                     "failures.log", "plots",      "runs",   ".work"};

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void syncFile(std::FILE* f, const fs::path& path) {
  if (std::fflush(f) != 0 || ::fdatasync(::fileno(f)) != 0) throw std::runtime_error(path.string() + ": write failed");
}

void syncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Written whole to a temporary file, synced and renamed over the old one: a reader (or a kill) sees the old file
// or the new one, never half of one.
void writeAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) throw std::runtime_error(tmp.string() + ": cannot open for writing");
  std::fputs(text.c_str(), f);
  try {
    syncFile(f, tmp);
  } catch (...) {
    std::fclose(f);
    throw;
  }
  std::fclose(f);
  fs::rename(tmp, path);
  syncDirectory(path.parent_path());
}

std::string paddedId(std::int64_t id, std::int64_t total) {
  const std::string s = std::to_string(id);
  const std::size_t width = std::to_string(std::max<std::int64_t>(total - 1, 0)).size();
  return std::string(width > s.size() ? width - s.size() : 0, '0') + s;
}

}  // namespace

SweepStore::SweepStore(const SweepPlan& plan, const fs::path& dir, bool restart, bool retryFailed)
    : plan_(plan), dir_(dir) {
  try {
    openFolder(restart);
    readJournal(retryFailed);
  } catch (...) {
    close();  // a refused folder stays free for the next attempt
    throw;
  }
}

SweepStore::~SweepStore() { close(); }

void SweepStore::close() {
  if (journal_) std::fclose(journal_);
  journal_ = nullptr;
  if (lockFd_ >= 0) ::close(lockFd_);  // releases the lock
  lockFd_ = -1;
}

void SweepStore::openFolder(bool restart) {
  const fs::path manifest = dir_ / kManifest;
  std::error_code ec;
  if (fs::exists(dir_) && !fs::is_directory(dir_))
    throw std::runtime_error(dir_.string() + " is a file (expected a folder for the sweep's results)");
  if (fs::is_directory(dir_) && !fs::exists(manifest)) {
    for (const auto& entry : fs::directory_iterator(dir_))
      if (entry.path().filename() != ".lock")
        throw std::runtime_error(dir_.string() +
                                 " holds other files and no sweep (no manifest.json); nothing was changed "
                                 "(expected a new or empty folder, or one a sweep made: choose another --out)");
  }
  fs::create_directories(dir_, ec);
  if (ec) throw std::runtime_error(dir_.string() + ": cannot create the folder (" + ec.message() + ")");

  lockFd_ = ::open((dir_ / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lockFd_ < 0 || ::flock(lockFd_, LOCK_EX | LOCK_NB) != 0)
    throw std::runtime_error(
        dir_.string() +
        ": another sweep is writing to this folder right now (expected one sweep per folder at a time)");

  if (fs::exists(manifest)) {
    std::string storedFingerprint, storedFile;
    std::vector<std::string> changed;
    try {
      const YamlNode stored = parseYamlFile(manifest.string());
      const YamlNode* f = stored.find("fingerprint");
      const YamlNode* file = stored.find("sweep_file");
      const YamlNode* sections = stored.find("sections");
      storedFingerprint = f ? f->scalar : "";
      storedFile = file ? file->scalar : "?";
      for (const auto& [section, hash] : plan_.def().fingerprints) {
        const YamlNode* h = sections ? sections->find(section) : nullptr;
        if (!h || h->scalar != hash)
          changed.push_back(section == "scenario" ? "the base scenario (or a file it extends)" : section + ":");
      }
    } catch (const ScenarioError& e) {
      throw std::runtime_error(manifest.string() + " is damaged (" + e.what() +
                               "); run with --restart to start the sweep again");
    }
    if (storedFingerprint != plan_.fingerprint() && !restart)
      throw std::runtime_error(dir_.string() + " holds results of a different sweep: " +
                               (changed.empty() ? std::string("the plan") : join(changed)) + " changed since " +
                               storedFile +
                               " made it. Nothing was changed: run with --restart to discard those results and start "
                               "again, or choose another --out.");
    if (restart)
      for (const char* name : kOwnFiles) fs::remove_all(dir_ / name);
  }
  if (!fs::exists(manifest)) {
    const SweepDef& def = plan_.def();
    std::string sections;
    for (const auto& [section, hash] : def.fingerprints)
      sections += (sections.empty() ? "" : ", ") + ("\"" + section + "\": \"" + hash + "\"");
    std::ostringstream m;
    m << "{\n  \"format\": 1,\n  \"sweep\": \"" << jsonEscape(def.name) << "\",\n  \"sweep_file\": \""
      << jsonEscape(def.file) << "\",\n  \"scenario\": \"" << jsonEscape(def.scenarioFile)
      << "\",\n  \"fingerprint\": \"" << plan_.fingerprint() << "\",\n  \"sections\": {" << sections
      << "},\n  \"points\": " << plan_.points() << ",\n  \"replicates\": " << def.replicates
      << ",\n  \"runs\": " << plan_.runs() << "\n}\n";
    writeAtomically(dir_ / "sweep.yaml", readText(def.file));  // the file as it was, for the record
    writeAtomically(manifest, m.str());
  }
  fs::remove_all(dir_ / ".work");  // outputs of runs a kill interrupted
  for (const char* name : kOwnFiles) fs::remove(dir_ / (std::string(name) + ".tmp"));  // and files it cut short
}

std::string SweepStore::header() const {
  std::string h = "run,point,replicate,seed";
  for (const auto& p : plan_.def().parameters) (h += ",") += csvField(p.name);
  for (const auto& m : plan_.def().metrics) (h += ",") += csvField(m.name);
  return h + ",status,wall_s";
}

std::string SweepStore::rowPrefix(std::int64_t id) const {
  const RunSpec r = plan_.run(id);
  std::string s = std::to_string(r.id) + "," + std::to_string(r.point) + "," + std::to_string(r.replicate) + "," +
                  std::to_string(r.seed);
  for (const auto& v : plan_.point(r.point)) (s += ",") += csvField(v.text);
  return s;
}

std::string SweepStore::row(const RunRecord& run) const {
  std::string s = rowPrefix(run.id);
  for (std::size_t k = 0; k < plan_.def().metrics.size(); ++k)
    (s += ",") += (run.ok && k < run.metrics.size() ? csvNumber(run.metrics[k]) : std::string());
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.3f", run.wallSeconds);
  return s + (run.ok ? ",ok," : ",failed,") + wall;
}

void SweepStore::readJournal(bool retryFailed) {
  const fs::path path = dir_ / kJournal;
  const std::string expected = header();
  bool rewrite = !fs::exists(path);
  if (!rewrite) {
    std::string text = readText(path);
    // A kill while a row was being written leaves it unfinished: that run counts as not done.
    const auto lastNewline = text.rfind('\n');
    const std::size_t complete = lastNewline == std::string::npos ? 0 : lastNewline + 1;
    if (complete != text.size()) {
      text.resize(complete);
      fs::resize_file(path, complete);
    }
    std::istringstream lines(text);
    std::string line;
    const auto refuse = [&](const std::string& why) {
      throw std::runtime_error(path.string() + ": " + why +
                               "; it was not written by this sweep. Nothing was changed: run "
                               "with --restart to discard it and start again, or choose another --out.");
    };
    if (!std::getline(lines, line)) {
      rewrite = true;  // killed before the header was complete
    } else if (line != expected) {
      refuse("its columns are not this sweep's (expected " + expected + ")");
    }
    const std::size_t columns = csvSplit(expected).size(), metrics = plan_.def().metrics.size();
    std::int64_t lineNo = 1;
    while (std::getline(lines, line)) {
      ++lineNo;
      const auto fields = csvSplit(line);
      char* end = nullptr;
      const long long id = fields.empty() ? -1 : std::strtoll(fields[0].c_str(), &end, 10);
      if (fields.size() != columns || id < 0 || id >= plan_.runs() || *end != '\0')
        refuse("line " + std::to_string(lineNo) + " is not a run of this sweep");
      if (line.rfind(rowPrefix(id) + ",", 0) != 0)
        refuse("line " + std::to_string(lineNo) + " (run " + std::to_string(id) +
               ") has other parameters or seed than this sweep's run " + std::to_string(id));
      if (records_.count(id)) continue;
      RunRecord r;
      r.id = id;
      r.ok = fields[columns - 2] == "ok";
      r.wallSeconds = std::strtod(fields[columns - 1].c_str(), nullptr);
      for (std::size_t k = 0; k < metrics; ++k) {
        const std::string& f = fields[columns - 2 - metrics + k];
        r.metrics.push_back(f.empty() ? kMissing : std::strtod(f.c_str(), nullptr));
      }
      if (!r.ok && retryFailed) {
        rewrite = true;
        continue;
      }
      records_[id] = r;
      rows_[id] = line;
    }
  }
  if (rewrite) {
    std::string text = expected + "\n";
    for (const auto& [id, line] : rows_) text += line + "\n";
    writeAtomically(path, text);
  }
  journal_ = std::fopen(path.c_str(), "a");
  if (!journal_) throw std::runtime_error(path.string() + ": cannot open for appending");
}

std::vector<std::int64_t> SweepStore::pending() const {
  std::vector<std::int64_t> ids;
  for (std::int64_t id = 0; id < plan_.runs(); ++id)
    if (!records_.count(id)) ids.push_back(id);
  return ids;
}

std::int64_t SweepStore::failed() const {
  std::int64_t n = 0;
  for (const auto& [id, r] : records_) n += !r.ok;
  return n;
}

void SweepStore::record(const RunRecord& run) {
  const std::string line = row(run);
  std::fputs((line + "\n").c_str(), journal_);
  syncFile(journal_, dir_ / kJournal);
  records_[run.id] = run;
  rows_[run.id] = line;
  if (!run.ok) {
    const fs::path log = dir_ / "failures.log";
    if (std::FILE* f = std::fopen(log.c_str(), "a")) {
      const RunSpec spec = plan_.run(run.id);
      std::string message = run.message;
      for (char& c : message)
        if (c == '\n') c = ' ';
      std::fprintf(f, "run %lld (point %lld: %s, seed %llu): %s\n", static_cast<long long>(run.id),
                   static_cast<long long>(spec.point), plan_.describePoint(spec.point).c_str(),
                   static_cast<unsigned long long>(spec.seed), message.c_str());
      std::fclose(f);
    }
  }
}

fs::path SweepStore::workDir(std::int64_t id) const { return dir_ / ".work" / paddedId(id, plan_.runs()); }
fs::path SweepStore::keptDir(std::int64_t id) const { return dir_ / "runs" / paddedId(id, plan_.runs()); }

void SweepStore::keep(std::int64_t id, const fs::path& from) const {
  const fs::path to = keptDir(id);
  fs::remove_all(to);  // a copy from before a kill, of a run that is being recorded again
  fs::create_directories(to.parent_path());
  fs::rename(from, to);
}

std::vector<PointStats> aggregate(const SweepPlan& plan, const std::map<std::int64_t, RunRecord>& records) {
  std::vector<PointStats> out;
  const std::size_t metrics = plan.def().metrics.size();
  for (auto it = records.begin(); it != records.end();) {
    PointStats ps;
    ps.point = plan.run(it->first).point;
    std::vector<std::vector<double>> values(metrics);
    // Runs of a point have consecutive ids, so the map holds them together and in id order.
    for (; it != records.end() && plan.run(it->first).point == ps.point; ++it) {
      ++ps.runs;
      if (!it->second.ok) {
        ++ps.failed;
        continue;
      }
      for (std::size_t k = 0; k < metrics && k < it->second.metrics.size(); ++k)
        values[k].push_back(it->second.metrics[k]);
    }
    for (const auto& v : values) ps.metrics.push_back(summarise(v));
    out.push_back(std::move(ps));
  }
  return out;
}

int SweepStore::finish(bool plots, std::string& plotNote) {
  std::string text = header() + "\n";
  for (const auto& [id, line] : rows_) text += line + "\n";
  writeAtomically(dir_ / kJournal, text);
  if (journal_) std::fclose(journal_);
  journal_ = std::fopen((dir_ / kJournal).c_str(), "a");

  const auto points = aggregate(plan_, records_);
  std::string csv = "point";
  for (const auto& p : plan_.def().parameters) (csv += ",") += csvField(p.name);
  csv += ",runs,failed";
  for (const auto& m : plan_.def().metrics)
    for (const char* suffix : {"_mean", "_sd", "_ci95_lo", "_ci95_hi", "_n"}) (csv += ",") += csvField(m.name + suffix);
  csv += "\n";
  for (const auto& ps : points) {
    csv += std::to_string(ps.point);
    for (const auto& v : plan_.point(ps.point)) (csv += ",") += csvField(v.text);
    (csv += ",") += std::to_string(ps.runs) + "," + std::to_string(ps.failed);
    for (const auto& s : ps.metrics)
      (csv += ",") += csvNumber(s.mean) + "," + csvNumber(s.sd) + "," + csvNumber(s.lo) + "," + csvNumber(s.hi) + "," +
                      std::to_string(s.n);
    csv += "\n";
  }
  writeAtomically(dir_ / "points.csv", csv);
  fs::remove_all(dir_ / ".work");
  if (!plots) return 0;
  return writePlots(plan_, records_, points, dir_ / "plots", plotNote);
}

}  // namespace unrest
