// Whether an X display can be opened. SFML aborts the process when it cannot open one, so the command line asks
// first and explains instead. Kept apart: Xlib's macros (None, Status, Bool) clash with ordinary names.
#include "unrest/render/session.hpp"

#include <X11/Xlib.h>

namespace unrest::render {

bool displayAvailable() {
  Display* display = XOpenDisplay(nullptr);
  if (!display) return false;
  XCloseDisplay(display);
  return true;
}

}  // namespace unrest::render
