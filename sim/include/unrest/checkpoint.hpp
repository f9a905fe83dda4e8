// Checkpoints of a continuous run (`unrest run --checkpoint-every`, `--resume`): the whole state of a run, written
// between steps into checkpoint.bin in its output folder, so that a run killed at any moment continues from its last
// checkpoint and ends with the same bytes an uninterrupted run writes.
//
// The file: a header (magic, format version, project version), the body, and an FNV-1a checksum of the body. The
// body holds, in order, what the run was started with (RunIdentity), the byte offsets of the output files, the
// simulation's state, the measurement's and the output writer's. Each state struct lists its fields once, in a
// visit function that both writes and reads them (sim/src/checkpoint.cpp); vectors of numbers are written as blocks.
// Random numbers are counter-based (unrest/rng.hpp): a draw is a function of the seed and the step, so the step
// index is every stream's position.
#pragma once

#include "unrest/driver.hpp"
#include "unrest/geometry.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace unrest {

class OutputWriter;
class ScenarioRun;
class Simulation;

// A checkpoint that cannot be read or written: names the file and what is wrong with it.
class CheckpointError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Writes fields into a byte buffer, or reads them back in the same order. `ar(x)` handles numbers, enums, strings,
// Vec2, optionals, arrays, vectors and any type with a `visit(Archive&, T&)` function (or a `visit(Archive&)`
// member) that lists its fields.
class Archive {
public:
  // Appends to `out`.
  explicit Archive(std::string& out) : out_(&out) {}
  // Reads `bytes` (which must outlive the archive); `source` names them in errors.
  Archive(std::string_view bytes, std::string source) : in_(bytes), source_(std::move(source)) {}

  bool reading() const { return out_ == nullptr; }

  template <class T>
  Archive& operator()(T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      std::uint8_t b = value;
      raw(&b, 1);
      check(b <= 1, "a flag that is neither 0 nor 1");
      value = b != 0;
    } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
      raw(&value, sizeof value);
    } else if constexpr (requires { value.visit(*this); }) {
      value.visit(*this);
    } else {
      visit(*this, value);
    }
    return *this;
  }
  Archive& operator()(std::string& s) {
    const std::size_t n = count(s.size(), 1);
    if (reading()) s.resize(n);
    raw(s.data(), n);
    return *this;
  }
  Archive& operator()(Vec2& v) {
    raw(&v.x(), sizeof(double));
    raw(&v.y(), sizeof(double));
    return *this;
  }
  template <class T>
  Archive& operator()(std::optional<T>& o) {
    bool has = o.has_value();
    (*this)(has);
    if (reading()) o = has ? std::optional<T>(T{}) : std::nullopt;
    if (has) (*this)(*o);
    return *this;
  }
  template <class T, std::size_t N>
  Archive& operator()(std::array<T, N>& a) {
    for (T& e : a) (*this)(e);
    return *this;
  }
  // Reading keeps the vector's capacity (resize never shrinks it), so what the run reserved up front stays.
  template <class T>
  Archive& operator()(std::vector<T>& v) {
    constexpr bool block = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;
    const std::size_t n = count(v.size(), block ? sizeof(T) : 1);
    if (reading()) v.resize(n);
    if constexpr (block) raw(v.data(), n * sizeof(T));
    else
      for (T& e : v) (*this)(e);
    return *this;
  }
  template <class... T>
  void fields(T&... values) {
    ((*this)(values), ...);
  }

  // Reading: throws CheckpointError "<source>: corrupt checkpoint: <what>" unless `condition` holds.
  void check(bool condition, const std::string& what) const;
  // Reading: everything was read.
  void finish() const;
  const std::string& source() const { return source_; }

private:
  void raw(void* data, std::size_t bytes) {
    if (out_) {
      out_->append(static_cast<const char*>(data), bytes);
      return;
    }
    if (bytes > in_.size() - at_) truncated();
    if (bytes) std::memcpy(data, in_.data() + at_, bytes);
    at_ += bytes;
  }
  // Writes or reads the length of a sequence; when reading, checks that that many elements of at least
  // `minBytes` each can still be in the buffer (so a corrupt count never asks for gigabytes).
  std::size_t count(std::size_t n, std::size_t minBytes);
  [[noreturn]] void truncated() const;

  std::string* out_ = nullptr;
  std::string_view in_;
  std::size_t at_ = 0;
  std::string source_;
};

// What a run was started with, so that a resume reloads exactly the same scenario.
struct RunIdentity {
  std::string scenario;                // the path as given (summary.json's "file")
  std::string scenarioAbsolute;        // the same file, found from any working directory
  std::vector<std::string> overrides;  // --set, in order
  std::int64_t seed = -1;              // --seed, or -1
  std::string fileHash;                // of the scenario file's text
  std::string resolvedHash;            // of the scenario as resolved: `extends` merged, overrides and seed applied
  double checkpointEvery = 0.0;        // s simulated between checkpoints

  // The overrides with --seed as the last one, as the scenario is loaded.
  std::vector<std::string> loadOverrides() const;
  void visit(Archive& ar);
};
// The identity of a run of `scenario` (hashing its file and its resolved tree).
RunIdentity identifyRun(const std::string& scenario, const std::vector<std::string>& overrides, std::int64_t seed,
                        double checkpointEvery);
// Throws CheckpointError when the scenario file (or anything it extends) no longer says what it said.
void checkUnchanged(const RunIdentity& identity, const std::string& checkpoint);

// Byte offsets of the output files at a checkpoint; -1 for a file the run does not write.
struct OutputOffsets {
  std::int64_t metrics = -1, events = -1, crossings = -1, areas = -1, trajectories = -1;
  void visit(Archive& ar) { ar.fields(metrics, events, crossings, areas, trajectories); }
};

// The observer that writes checkpoints: after every step that ends on a multiple of the interval (and is not the
// last), once, into <directory>/checkpoint.bin, atomically (checkpoint.bin.tmp, fsync, rename). Give it after the output
// writer, so the files it records the offsets of hold that step.
class Checkpointer : public Observer<Simulation> {
public:
  Checkpointer(ScenarioRun& run, OutputWriter& writer, RunIdentity identity, const std::string& directory);
  void afterStep(const Simulation& sim) override;
  // Writes a checkpoint of the state now. Throws CheckpointError with the system's reason on failure.
  void write();
  // The bytes of a checkpoint of the state now, without writing them (for tests).
  std::string serialise();

  std::int64_t written() const { return written_; }
  std::size_t lastBytes() const { return lastBytes_; }
  double writeSeconds() const { return writeSeconds_; }  // all checkpoints so far, wall clock

private:
  ScenarioRun& run_;
  OutputWriter& writer_;
  RunIdentity identity_;
  std::string path_, directory_;
  std::int64_t everySteps_ = 0;
  // A stopped run shows its last step twice (driver.hpp); the second time its state is no longer the step's.
  std::int64_t lastStep_ = -1;
  std::string buffer_;  // reused, so a checkpoint allocates only when the state has grown
  std::int64_t written_ = 0;
  std::size_t lastBytes_ = 0;
  double writeSeconds_ = 0.0;
};

// A checkpoint read back: the header and checksum are checked on opening; identity() and offsets() are available
// at once (to reload the scenario and reopen the outputs), restore() loads the rest into a freshly set-up run.
class CheckpointReader {
public:
  // Throws CheckpointError for a missing, truncated, corrupt or foreign file, or one of another format or version.
  explicit CheckpointReader(const std::string& path);
  const RunIdentity& identity() const { return identity_; }
  const OutputOffsets& offsets() const { return offsets_; }
  // Into a run set up from the same scenario (ScenarioRun of it, then an OutputWriter reopened at offsets()).
  void restore(ScenarioRun& run, OutputWriter& writer);

private:
  std::string bytes_;
  Archive ar_;
  RunIdentity identity_;
  OutputOffsets offsets_;
};

constexpr const char* kCheckpointFile = "checkpoint.bin";

}  // namespace unrest
