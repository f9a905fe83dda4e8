#!/usr/bin/env bash
# Configures (once) and builds the Release tree in build/release with Ninja and ccache.
# Usage: scripts/build.sh [TARGET...]   (no target: everything)
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/release
if [[ ! -f $build/build.ninja ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if [[ $# -gt 0 ]]; then
  cmake --build "$build" --target "$@"
else
  cmake --build "$build"
fi
