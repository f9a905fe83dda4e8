#include "unrest/memory.hpp"

#include <malloc.h>

namespace unrest {

void returnFreedBlocksToSystem() {
#ifdef M_MMAP_THRESHOLD
  ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);  // setting it at all turns glibc's sliding threshold off
#endif
}

}  // namespace unrest
