// How the worker threads wait between the step's parallel loops.
#pragma once

namespace unrest {

// OpenMP's threads spin while they wait for the next loop (libgomp's default, for about a fraction of a millisecond
// each time). On a machine where another process is busy on one core the spinning thread takes that core from the
// one doing the work, and two threads ran at a seventh of one (measured: dense, 10,000 people). Waiting passively
// (asleep until woken) avoids it. libgomp reads the policy once, when it loads, so a program that has not been given
// OMP_WAIT_POLICY or GOMP_SPINCOUNT starts itself again with OMP_WAIT_POLICY=PASSIVE. Call it first thing in main.
void preferPassiveWaiting(char** argv);

}  // namespace unrest
