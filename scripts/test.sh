#!/usr/bin/env bash
# The second Quick start command: install what is missing, build everything, run every test; then build the
# command line and the unit tests with the address and undefined-behaviour sanitizers and run the input, output,
# checkpoint and pipeline tests under them (scripts/sanitize.sh; UNREST_SKIP_SANITIZE=1 skips that part).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build/release --output-on-failure -j "$(nproc)" "$@"
if [[ ${UNREST_SKIP_SANITIZE:-0} != 1 ]]; then
  scripts/sanitize.sh
fi
