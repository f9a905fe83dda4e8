#include "unrest/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

namespace unrest {

namespace fs = std::filesystem;

namespace {

// Every file a run may write, so that a folder from before manifests existed is still recognised, and the
// temporary and side files a stopped run can leave beside them.
constexpr const char* kRunOutputs[] = {"metrics.csv",  "events.jsonl",  "summary.json",    "people.csv",
                                       "crossings.csv", "areas.csv",    "trajectories.txt", "run.sqlite",
                                       "checkpoint.bin", "interventions.yaml", kManifestName};
constexpr const char* kLeftoverSuffixes[] = {".tmp", "-journal", "-wal", "-shm"};

std::string reason(int error) { return std::strerror(error); }

void writeAll(int fd, const char* data, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t w = ::write(fd, data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw errno;
    }
    done += static_cast<std::size_t>(w);
  }
}

// PATH.tmp, flushed to disk, renamed over PATH, the folder flushed; the .tmp never survives a failure.
void replaceFile(const fs::path& path, std::string_view text) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw OutputError(tmp.string() + ": cannot open for writing: " + reason(errno));
  int error = 0;
  try {
    writeAll(fd, text.data(), text.size());
    if (::fsync(fd) != 0) error = errno;
  } catch (int e) {
    error = e;
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(tmp.c_str());
    throw OutputError(path.string() + ": cannot write: " + reason(error));
  }
  // The rename itself is durable once the folder is.
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

// A manifest line names a file in the same folder; anything else (a path, "..") is not ours to remove.
bool plainName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

std::vector<std::string> manifestNames(const fs::path& manifest) {
  std::vector<std::string> names;
  std::ifstream in(manifest);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#' && plainName(line)) names.push_back(line);
  return names;
}

// Formats into a stack buffer first: a record's fields fit, so composing one allocates nothing once the record's
// string has grown to its size.
void vappendf(std::string& out, const char* format, va_list args) {
  char buf[512];
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(buf, sizeof buf, format, copy);
  va_end(copy);
  if (n <= 0) return;
  if (static_cast<std::size_t>(n) < sizeof buf) {
    out.append(buf, static_cast<std::size_t>(n));
    return;
  }
  const std::size_t at = out.size();
  out.resize(at + static_cast<std::size_t>(n) + 1);
  std::vsnprintf(out.data() + at, static_cast<std::size_t>(n) + 1, format, args);
  out.resize(at + static_cast<std::size_t>(n));
}

}  // namespace

void appendf(std::string& out, const char* format, ...) {
  va_list args;
  va_start(args, format);
  vappendf(out, format, args);
  va_end(args);
}

OutputFile::OutputFile(const fs::path& path) : path_(path) {
  listInManifest(path);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw OutputError(path.string() + ": cannot open for writing: " + reason(errno));
}

OutputFile OutputFile::reopenAt(const fs::path& path, std::uint64_t size) {
  OutputFile f;
  f.path_ = path;
  f.fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (f.fd_ < 0) throw OutputError(path.string() + ": cannot reopen for writing: " + reason(errno));
  struct stat st {};
  if (::fstat(f.fd_, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < size)
    throw OutputError(path.string() + ": shorter than the " + std::to_string(size) +
                      " bytes the checkpoint recorded (the outputs were changed since)");
  if (::ftruncate(f.fd_, static_cast<off_t>(size)) != 0 || ::lseek(f.fd_, static_cast<off_t>(size), SEEK_SET) < 0)
    throw OutputError(path.string() + ": cannot cut back to the checkpoint: " + reason(errno));
  f.committed_ = size;
  return f;
}

OutputFile::~OutputFile() { close(); }

OutputFile::OutputFile(OutputFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), pending_(std::move(other.pending_)),
      committed_(other.committed_) {}

OutputFile& OutputFile::operator=(OutputFile&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    pending_ = std::move(other.pending_);
    committed_ = other.committed_;
  }
  return *this;
}

void OutputFile::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void OutputFile::printf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  vappendf(pending_, format, args);
  va_end(args);
}

void OutputFile::commit() {
  if (pending_.empty() || fd_ < 0) return;
  try {
    writeAll(fd_, pending_.data(), pending_.size());
  } catch (int error) {
    // Whatever part of the record reached the file goes again, so the file ends on a whole record.
    const bool cut = ::ftruncate(fd_, static_cast<off_t>(committed_)) == 0;
    pending_.clear();
    throw OutputError(path_.string() + ": cannot write: " + reason(error) +
                      (cut ? "" : " (and cannot cut the file back to its last whole record)"));
  }
  committed_ += pending_.size();
  pending_.clear();
}

std::int64_t OutputFile::syncedSize() {
  if (fd_ < 0) return -1;
  if (::fsync(fd_) != 0) throw OutputError(path_.string() + ": cannot write to the disk: " + reason(errno));
  return static_cast<std::int64_t>(committed_);
}

void writeFileAtomically(const fs::path& path, std::string_view text) {
  listInManifest(path);
  replaceFile(path, text);
}

void listInManifest(const fs::path& file) {
  const fs::path manifest = file.parent_path() / kManifestName;
  const std::string name = file.filename().string();
  std::vector<std::string> names = manifestNames(manifest);
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  names.push_back(name);
  std::string text = "# The files one unrest run wrote here; a new run into this folder needs --overwrite, which removes them.\n";
  for (const auto& n : names) text += n + "\n";
  replaceFile(manifest, text);
}

void createOutputDirectory(const std::string& directory) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) throw OutputError(directory + ": cannot create output directory (" + ec.message() + ")");
}

void claimOutputDirectory(const std::string& directory, bool overwrite, const fs::path& scenarioFile) {
  createOutputDirectory(directory);
  std::error_code ec;
  const fs::path dir(directory);
  std::vector<std::string> candidates = manifestNames(dir / kManifestName);
  for (const char* name : kRunOutputs) candidates.emplace_back(name);
  std::vector<std::string> found;
  for (const auto& name : candidates) {
    for (std::size_t s = 0; s <= std::size(kLeftoverSuffixes); ++s) {
      const std::string file = s == 0 ? name : name + kLeftoverSuffixes[s - 1];
      if (std::find(found.begin(), found.end(), file) != found.end()) continue;
      if (fs::symlink_status(dir / file, ec).type() == fs::file_type::not_found || ec) continue;
      if (!scenarioFile.empty() && fs::equivalent(dir / file, scenarioFile, ec)) continue;
      found.push_back(file);
    }
  }
  if (found.empty()) return;
  if (!overwrite) {
    std::string list;
    for (std::size_t k = 0; k < found.size() && k < 6; ++k) list += (k ? ", " : "") + found[k];
    if (found.size() > 6) list += ", ...";
    throw OutputError(directory + ": holds the outputs of another run (" + list +
                      "); give --overwrite to replace them, or choose another --out");
  }
  for (const auto& file : found) {
    if (fs::is_directory(fs::symlink_status(dir / file, ec)))
      throw OutputError((dir / file).string() + ": is a directory where a run writes a file; remove it or choose another --out");
    if (!fs::remove(dir / file, ec) && ec)
      throw OutputError((dir / file).string() + ": cannot remove (" + ec.message() + ")");
  }
}

}  // namespace unrest
