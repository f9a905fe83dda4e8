// Output files: whole records or none, the system's reason when a write fails, a manifest of what a run wrote, and
// a folder holding another run's outputs refused unless the caller asks to overwrite.
#include "support.hpp"

#include "unrest/output_file.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <sstream>

using namespace unrest;
using Catch::Matchers::Contains;

namespace {

std::string readAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Lowers the file-size limit for the scope: a write past it fails with EFBIG (SIGXFSZ ignored meanwhile).
class FileSizeLimit {
public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &old_);
    oldHandler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lower = old_;
    lower.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &lower);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, oldHandler_);
  }

private:
  rlimit old_{};
  void (*oldHandler_)(int) = nullptr;
};

}  // namespace

TEST_CASE("a write that fails names the file and the system's reason", "[outputs]") {
  OutputFile full("/dev/full");
  full.printf("time_s,%s\n", "people");
  CHECK_THROWS_WITH(full.commit(), Contains("/dev/full: cannot write: No space left on device"));
}

TEST_CASE("a file whose write fails is cut back to its last whole record", "[outputs]") {
  const auto dir = test::tempDir() / "outputs_cut";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  OutputFile f(dir / "rows.csv");
  const std::string row(100, 'x');
  std::uint64_t whole = 0;
  bool failed = false;
  {
    const FileSizeLimit limit(1050);  // room for ten rows and half of the eleventh
    for (int k = 0; k < 20 && !failed; ++k) {
      f.printf("%s\n", row.c_str());
      try {
        f.commit();
        whole = f.size();
      } catch (const OutputError& e) {
        CHECK_THAT(std::string(e.what()), Contains("rows.csv: cannot write: File too large"));
        failed = true;
      }
    }
  }
  REQUIRE(failed);
  CHECK(whole == 10 * 101);
  const std::string text = readAll(dir / "rows.csv");
  CHECK(text.size() == whole);
  CHECK(text.back() == '\n');
}

TEST_CASE("a file reopened at a recorded size continues from there", "[outputs][resume]") {
  const auto dir = test::tempDir() / "outputs_reopen";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::uint64_t mark = 0;
  {
    OutputFile f(dir / "events.jsonl");
    f.put("{\"a\":1}\n");
    f.commit();
    mark = f.size();
    f.put("{\"b\":2}\n");  // written after the mark: a resumed run writes it again
    f.commit();
  }
  OutputFile again = OutputFile::reopenAt(dir / "events.jsonl", mark);
  again.put("{\"c\":3}\n");
  again.commit();
  CHECK(readAll(dir / "events.jsonl") == "{\"a\":1}\n{\"c\":3}\n");
  CHECK_THROWS_WITH(OutputFile::reopenAt(dir / "events.jsonl", 1000), Contains("shorter than the 1000 bytes"));
}

TEST_CASE("summary files are written whole, and every file a run writes is in its manifest", "[outputs]") {
  const auto dir = test::tempDir() / "outputs_manifest";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  writeFileAtomically(dir / "summary.json", "{}\n");
  { OutputFile f(dir / "metrics.csv"); }
  writeFileAtomically(dir / "summary.json", "{\"again\": true}\n");
  CHECK(readAll(dir / "summary.json") == "{\"again\": true}\n");
  CHECK_FALSE(std::filesystem::exists(dir / "summary.json.tmp"));
  const std::string manifest = readAll(dir / kManifestName);
  CHECK_THAT(manifest, Contains("\nsummary.json\nmetrics.csv\n"));
  CHECK(manifest.find("summary.json") == manifest.rfind("summary.json"));  // listed once

  CHECK_THROWS_WITH(writeFileAtomically("/proc/unrest-no-such-dir/summary.json", "{}"),
                    Contains("/proc/unrest-no-such-dir/") && Contains("No such file or directory"));
}

TEST_CASE("a folder holding another run's outputs is refused; overwriting removes only those", "[outputs]") {
  const auto dir = test::tempDir() / "outputs_claim";
  std::filesystem::remove_all(dir);
  claimOutputDirectory(dir.string(), false);  // new: fine
  { OutputFile f(dir / "metrics.csv"); }
  { OutputFile f(dir / "people.csv"); }
  std::ofstream(dir / "notes.txt") << "mine";
  std::ofstream(dir / "events.jsonl.tmp") << "cut";  // left by a killed run
  CHECK_THROWS_WITH(claimOutputDirectory(dir.string(), false),
                    Contains("holds the outputs of another run (metrics.csv, people.csv, events.jsonl.tmp, "
                                      "manifest.txt); give --overwrite"));
  CHECK(std::filesystem::exists(dir / "metrics.csv"));
  claimOutputDirectory(dir.string(), true);
  CHECK_FALSE(std::filesystem::exists(dir / "metrics.csv"));
  CHECK_FALSE(std::filesystem::exists(dir / "people.csv"));
  CHECK_FALSE(std::filesystem::exists(dir / kManifestName));
  CHECK_FALSE(std::filesystem::exists(dir / "events.jsonl.tmp"));
  CHECK(std::filesystem::exists(dir / "notes.txt"));

  // A manifest naming a path outside the folder is not followed.
  std::ofstream(dir / kManifestName) << "../outside.txt\n";
  std::ofstream(dir.parent_path() / "outside.txt") << "keep";
  claimOutputDirectory(dir.string(), true);
  CHECK(std::filesystem::exists(dir.parent_path() / "outside.txt"));
}

TEST_CASE("an interventions.yaml run again from its own folder is never removed by the run it starts", "[outputs]") {
  const auto dir = test::tempDir() / "outputs_interventions";
  std::filesystem::remove_all(dir);
  claimOutputDirectory(dir.string(), false);
  writeFileAtomically(dir / "interventions.yaml", "extends: x.yaml\n");
  { OutputFile f(dir / "metrics.csv"); }
  CHECK_THROWS_WITH(claimOutputDirectory(dir.string(), false, dir / "interventions.yaml"),
                    Contains("(metrics.csv, manifest.txt)"));
  claimOutputDirectory(dir.string(), true, dir / "interventions.yaml");
  CHECK(std::filesystem::exists(dir / "interventions.yaml"));
  CHECK_FALSE(std::filesystem::exists(dir / "metrics.csv"));
}
