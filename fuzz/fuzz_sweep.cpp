// Feeds arbitrary bytes to the sweep-file reader. The reader takes a path (a sweep names its scenario relative to
// its own folder), so each input is written to tests/data/sweeps/ of a scratch tree whose scenarios/ links to the
// shipped ones: the seeds, copied from tests/data/, then name real scenarios. Every input must end in a SweepDef
// or a ScenarioError.
#include "unrest/sweep.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

std::string scratchFile() {
  namespace fs = std::filesystem;
  const char* tmp = std::getenv("TMPDIR");
  const fs::path root = fs::path(tmp && *tmp ? tmp : "/tmp") / ("unrest-fuzz-sweep-" + std::to_string(::getpid()));
  fs::create_directories(root / "tests/data/sweeps");
  std::error_code ec;
  fs::create_directory_symlink(fs::path(UNREST_SOURCE_DIR) / "scenarios", root / "scenarios", ec);
  return (root / "tests/data/sweeps/fuzz.yaml").string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = scratchFile();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)unrest::readSweep(path);
  } catch (const unrest::ScenarioError&) {
  }
  return 0;
}
