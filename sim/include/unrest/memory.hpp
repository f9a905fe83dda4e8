// How the process gives memory back to the system.
#pragma once

namespace unrest {

// glibc serves blocks of 128 KiB and more straight from the system and returns them when freed, but after the first
// such block is freed it raises that threshold to the block's size, and later blocks of that size then stay in the
// process after they are freed. Building the world frees many (the work arrays of its distance transform, wall
// tracing and navigation fields), and a run kept them for its whole length: 5 MB of 38 at 100,000 people in `dense`
// (peak RSS 37.9 MB; 30.5 MB with the threshold fixed). Fixing it keeps it at 128 KiB; the step loop allocates
// nothing, so a run pays nothing for it. Call it first thing in main.
void returnFreedBlocksToSystem();

}  // namespace unrest
