// A sweep across Open MPI ranks. Rank 0 is a work queue and the only writer: each worker asks for a run, gets
// the next run id, simulates it whole and sends back its record (and, with --keep-runs, its output files) with
// its next request. A slow run holds up only its own worker. Every rank reads the sweep file and scenario itself
// (a cluster shares them through its filesystem, as it shares the program); each worker says which plan it
// built, and rank 0 refuses workers whose plan differs from its own.
#include "sweep_session.hpp"

#include <mpi.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace unrest {

bool mpiSupported() { return true; }

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kTagRequest = 1, kTagWork = 2;
enum class Message : std::uint8_t { Hello, PlanError, Result, Abandoned, SweepError };

// Messages are byte strings: fixed-size values as they are in memory (every rank is the same program, built for
// one architecture), strings with their length first.
class Packer {
public:
  template <class T>
  void put(const T& v) {
    bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void putString(const std::string& s) {
    put<std::uint64_t>(s.size());
    bytes += s;
  }
  std::string bytes;
};

class Unpacker {
public:
  explicit Unpacker(const std::string& bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    T v{};
    if (pos_ + sizeof v > bytes_.size()) throw std::runtime_error("truncated message from a worker");
    std::memcpy(&v, bytes_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string getString() {
    const auto n = get<std::uint64_t>();
    if (pos_ + n > bytes_.size()) throw std::runtime_error("truncated message from a worker");
    std::string s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }

private:
  const std::string& bytes_;
  std::size_t pos_ = 0;
};

// Sleeps between polls, a little longer each time up to a millisecond: Open MPI's blocking calls spin a core,
// which a worker's simulation needs more on a machine with as many ranks as cores.
class Backoff {
public:
  void reset() { micros_ = 10; }
  void pause() {
    std::this_thread::sleep_for(std::chrono::microseconds(micros_));
    micros_ = std::min(micros_ * 2, 1000);
  }

private:
  int micros_ = 10;
};

struct Served {
  bool interrupted = false;
  std::string fatal;
  double waitSum = 0.0, waitMax = 0.0;
  std::int64_t waits = 0;
};

Served serve(SweepSession* session, bool check, int workers, const std::atomic<bool>& stop) {
  Served out;
  const std::vector<std::int64_t> todo = session && !check ? session->pending() : std::vector<std::int64_t>{};
  if (session && !check) session->announce(std::to_string(workers) + " MPI worker ranks, one run each at a time");
  std::size_t next = 0;
  int live = workers, inFlight = 0;
  bool halting = session == nullptr || check;
  Backoff backoff;
  while (live > 0) {
    int waiting = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &waiting, &status);
    if (stop.load() && !out.interrupted) out.interrupted = halting = true;
    if (!waiting) {
      if (session && !check) session->showProgress(inFlight);
      backoff.pause();
      continue;
    }
    backoff.reset();
    int size = 0;
    MPI_Get_count(&status, MPI_BYTE, &size);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    const int source = status.MPI_SOURCE;
    MPI_Recv(bytes.data(), size, MPI_BYTE, source, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    Unpacker in(bytes);
    const std::string rank = "rank " + std::to_string(source);
    std::optional<RunRecord> result;  // recorded after the worker has its next run, so it never waits for the disk
    fs::path resultDir;
    switch (in.get<Message>()) {
      case Message::Hello:
        if (session && in.getString() != session->plan().fingerprint() && out.fatal.empty()) {
          out.fatal = "unrest sweep: error: " + rank +
                      " built another plan from the sweep file than rank 0 (expected every rank to "
                      "read the same sweep file and scenarios, e.g. from a shared filesystem)";
          halting = true;
        }
        break;
      case Message::PlanError:
        if (out.fatal.empty()) out.fatal = "unrest sweep: error: " + rank + " cannot read the sweep: " + in.getString();
        halting = true;
        break;
      case Message::Result: {
        --inFlight;
        RunRecord r;
        r.id = in.get<std::int64_t>();
        r.ok = in.get<std::uint8_t>() != 0;
        r.wallSeconds = in.get<double>();
        const auto metrics = in.get<std::uint64_t>();
        for (std::uint64_t k = 0; k < metrics; ++k) r.metrics.push_back(in.get<double>());
        r.message = in.getString();
        const double wait = in.get<double>();
        if (wait >= 0) {
          out.waitSum += wait;
          out.waitMax = std::max(out.waitMax, wait);
          ++out.waits;
        }
        resultDir = session->store().workDir(r.id);
        const auto files = in.get<std::uint64_t>();
        if (files > 0) fs::create_directories(resultDir);
        for (std::uint64_t f = 0; f < files; ++f) {
          const std::string name = in.getString();
          std::ofstream(resultDir / fs::path(name).filename(), std::ios::binary) << in.getString();
        }
        if (!r.ok && session->plan().def().onFailure == FailurePolicy::Stop) halting = true;
        result = std::move(r);
        break;
      }
      case Message::Abandoned:
        --inFlight;
        break;
      case Message::SweepError:
        --inFlight;
        if (out.fatal.empty()) out.fatal = in.getString();
        halting = true;
        break;
    }
    std::int64_t id = -1;  // -1: stop
    if (!halting && next < todo.size()) {
      id = todo[next++];
      ++inFlight;
    } else {
      --live;
    }
    MPI_Send(&id, 1, MPI_INT64_T, source, kTagWork, MPI_COMM_WORLD);
    if (result && !session->accept(*result, resultDir)) halting = true;
  }
  return out;
}

void work(const SweepOptions& options, const std::atomic<bool>& stop) {
  std::unique_ptr<SweepPlan> plan;
  Packer message;
  try {
    plan = std::make_unique<SweepPlan>(readSweep(options.file), false);  // rank 0 validates; here only the plan
    message.put(Message::Hello);
    message.putString(plan->fingerprint());
  } catch (const std::exception& e) {
    message.put(Message::PlanError);
    message.putString(e.what());
  }
  const fs::path scratch = fs::temp_directory_path() / ("unrest-sweep-" + std::to_string(::getpid()));
  bool afterResult = false;
  Backoff backoff;
  while (true) {
    // The time from sending a result to holding the next run is what the queue costs per run.
    const auto asked = Clock::now();
    MPI_Send(message.bytes.data(), static_cast<int>(message.bytes.size()), MPI_BYTE, 0, kTagRequest, MPI_COMM_WORLD);
    std::int64_t id = -1;
    MPI_Request request;
    MPI_Irecv(&id, 1, MPI_INT64_T, 0, kTagWork, MPI_COMM_WORLD, &request);
    backoff.reset();
    for (int done = 0;;) {
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done) break;
      backoff.pause();
    }
    const double wait = afterResult ? std::chrono::duration<double>(Clock::now() - asked).count() : -1.0;
    if (id < 0) break;
    const fs::path dir = scratch / std::to_string(id);
    message = Packer();
    try {
      const auto run = executeRun(*plan, id, dir, stop);
      if (!run) {
        message.put(Message::Abandoned);
      } else {
        message.put(Message::Result);
        message.put<std::int64_t>(run->id);
        message.put<std::uint8_t>(run->ok);
        message.put<double>(run->wallSeconds);
        message.put<std::uint64_t>(run->metrics.size());
        for (double v : run->metrics) message.put<double>(v);
        message.putString(run->message);
        message.put<double>(wait);
        std::vector<fs::path> files;
        if (options.keepRuns && run->ok && fs::is_directory(dir))
          for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        message.put<std::uint64_t>(files.size());
        for (const auto& f : files) {
          std::ifstream in(f, std::ios::binary);
          std::ostringstream text;
          text << in.rdbuf();
          message.putString(f.filename().string());
          message.putString(text.str());
        }
      }
    } catch (const std::exception& e) {
      message = Packer();
      message.put(Message::SweepError);
      message.putString(e.what());
    }
    afterResult = !message.bytes.empty() && message.bytes[0] == char(Message::Result);
    fs::remove_all(dir);
    if (message.bytes.size() > std::size_t(std::numeric_limits<int>::max()))
      throw std::runtime_error("the outputs of run " + std::to_string(id) +
                               " exceed 2 GB, too large to send to rank 0");
  }
  fs::remove_all(scratch);
}

}  // namespace

int runSweepMpi(const SweepOptions& options, const std::atomic<bool>& stop) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);  // MPI calls come from the main thread only
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank != 0) {
    work(options, stop);
    MPI_Finalize();
    return 0;
  }
  std::unique_ptr<SweepSession> session;
  std::string setupError;
  int setupCode = 0;
  try {
    session = std::make_unique<SweepSession>(options);
  } catch (const ScenarioError& e) {
    setupError = e.what();
    setupCode = 2;
  } catch (const std::exception& e) {
    setupError = std::string("unrest: error: ") + e.what();
    setupCode = 1;
  }
  const Served served = serve(session.get(), options.check, size - 1, stop);
  MPI_Finalize();  // before the plots: gnuplot is started with fork()
  if (!session) {
    std::fprintf(stderr, "%s\n", setupError.c_str());
    return setupCode;
  }
  if (options.check) {
    session->announce("");
    std::printf("%s: ok: %lld runs\n", options.file.c_str(), static_cast<long long>(session->plan().runs()));
    return 0;
  }
  std::string queue;
  if (served.waits > 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "MPI queue: %d workers; a worker waited %.2f ms on average (at most %.2f ms) from sending a result "
                  "to holding its next run",
                  size - 1, 1e3 * served.waitSum / double(served.waits), 1e3 * served.waitMax);
    queue = buf;
  }
  if (options.jobs > 1)
    queue += std::string(queue.empty() ? "" : "\n  ") +
             "--jobs is ignored under mpirun: each worker rank runs one simulation at a time (start one rank per core, "
             "plus rank 0)";
  return session->end(served.interrupted, served.fatal, queue);
}

}  // namespace unrest
