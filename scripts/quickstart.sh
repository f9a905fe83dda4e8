#!/usr/bin/env bash
# The first Quick start command: install what is missing, build, and run the default scenario headless
# (central Bishkek, 9 October 2020, 18:20-19:05: rival rallies meet on Ala-Too Square, fight, shots are fired at a
# departing car, hundreds run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh unrest
exec build/release/unrest run scenarios/bishkek/2020-10-09_rival_rallies.yaml --out out/quickstart --overwrite "$@"
