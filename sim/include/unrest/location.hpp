// Where in a file something was written, for messages that point the user at it.
#pragma once

#include <string>

namespace unrest {

struct Location {
  std::string file;  // "<--set>" for command-line overrides
  int line = 0;      // 1-based; 0 when unknown
  int col = 0;       // 1-based
  std::string str() const;
};

}  // namespace unrest
