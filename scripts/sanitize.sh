#!/usr/bin/env bash
# Builds the command line and the unit tests with -fsanitize=address,undefined in build/sanitize and runs under them
# the tests of what reads user input and writes outputs: the scenario loader and its malformed-input corpus, the
# outputs (whole rows, refused folders), checkpoint and resume, and the step pipeline. Any sanitizer report fails.
# (The fuzz harnesses are built with the sanitizers already: ctest's fuzz.bounded.) Part of scripts/test.sh.
# Usage: scripts/sanitize.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/sanitize
if [[ ! -f $build/build.ninja ]]; then
  # -O1 -g1: line numbers in the reports; the model code compiles in less than half the time of -O3 -g (move.cpp:
  # 14 s against 34 s of CPU).
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DUNREST_SANITIZE=ON >/dev/null
fi
cmake --build "$build" --target unrest unrest-tests
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Catch2 cases by tag, the command-line cases by name; the slow model and physics tests stay in the Release run.
tags='[loader],[scenario],[errors],[outputs],[checkpoint],[resume],[pipeline],[timeline],[vehicles]'
"$build/unrest-tests" "$tags" --reporter compact
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -R "cli\\.|outputs\\.safety|checkpoint\\." "$@"
