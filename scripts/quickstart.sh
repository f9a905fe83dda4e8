#!/usr/bin/env bash
# The first Quick start command: install what is missing, build, and run the default scenario headless
# (central Bishkek, 9 October 2020, 18:20-18:50: two rival crowds converge on Ala-Too Square).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh unrest
exec build/release/unrest run scenarios/bishkek/2020-10-09_rival_rallies.yaml --out out/quickstart "$@"
