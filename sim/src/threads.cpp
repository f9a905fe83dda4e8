#include "unrest/threads.hpp"

#include <cstdlib>

#include <unistd.h>

namespace unrest {

void preferPassiveWaiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;  // chosen already
  if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // Only reached when the program cannot start itself again: it runs on with OpenMP's own waiting.
}

}  // namespace unrest
