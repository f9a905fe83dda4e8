// How a run writes files so that they never lie: every write is checked, a text output grows by whole records only
// (a row, a line, a frame), a file written at the end appears whole or not at all, and every file a run writes is
// listed in its folder's manifest so that the next run can tell another run's outputs from anything else.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace unrest {

// A write that failed: names the file and the system's reason ("No space left on device").
class OutputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// The name of the list of what a run wrote, in its output folder.
inline constexpr const char* kManifestName = "manifest.txt";

// A text output written record by record. A record is composed with printf()/put() and written by commit() with
// one checked write; if the write fails the file is cut back to its last whole record and an OutputError is thrown,
// so a stopped run never leaves half a row. Not thread-safe: one writer owns it.
class OutputFile {
public:
  OutputFile() = default;
  // Creates (or empties) the file and lists it in its folder's manifest; throws OutputError naming the path.
  explicit OutputFile(const std::filesystem::path& path);
  // Reopens a file this run wrote before, cut back to `size` bytes (a run resumed from a checkpoint).
  static OutputFile reopenAt(const std::filesystem::path& path, std::uint64_t size);
  ~OutputFile();
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&& other) noexcept;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  explicit operator bool() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }

  // Appends to the record being composed (nothing reaches the file before commit()).
  void printf(const char* format, ...) __attribute__((format(printf, 2, 3)));
  void put(std::string_view text) { pending_.append(text); }
  // Writes what was composed since the last commit; throws OutputError (file cut back to whole records) on failure.
  void commit();
  // Bytes of whole records in the file.
  std::uint64_t size() const { return committed_; }
  // Makes what was committed durable (fsync) and returns its size, or -1 for a file not open (a checkpoint's offsets).
  std::int64_t syncedSize();

private:
  void close() noexcept;
  int fd_ = -1;
  std::filesystem::path path_;
  std::string pending_;
  std::uint64_t committed_ = 0;
};

// Appends printf-formatted text to `out`.
void appendf(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));

// Writes `text` to `path` so that the file is either its old self or whole: into PATH.tmp, flushed to disk, renamed
// over PATH. Lists the file in the manifest. On failure the .tmp is removed and an OutputError names the reason.
void writeFileAtomically(const std::filesystem::path& path, std::string_view text);

// Creates the directory and its parents if needed; throws OutputError naming it on failure.
void createOutputDirectory(const std::string& directory);

// Adds a file's name to the manifest of its folder (once).
void listInManifest(const std::filesystem::path& file);

// Makes `directory` ready for a new run: creates it, and if it holds another run's outputs (a manifest, or any file
// a run writes) refuses with an error that names them, unless `overwrite`, which removes exactly those files (and
// the temporary files a stopped run may have left) and nothing else. `scenarioFile`, when it lies in the folder (an
// interventions.yaml run again), is neither counted nor removed: it is what the new run reads.
void claimOutputDirectory(const std::string& directory, bool overwrite, const std::filesystem::path& scenarioFile = {});

}  // namespace unrest
