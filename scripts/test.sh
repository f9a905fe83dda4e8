#!/usr/bin/env bash
# The second Quick start command: install what is missing, build everything, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build/release --output-on-failure -j "$(nproc)" "$@"
