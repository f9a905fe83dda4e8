#!/usr/bin/env bash
# Fuzzes the scenario loader and the sweep-file reader with libFuzzer, under AddressSanitizer and
# UndefinedBehaviorSanitizer (clang from Debian: scripts/install-deps.sh installs it).
#   scripts/fuzz.sh build                          configure (once) and build build/fuzz/fuzz-{scenario,sweep}
#   scripts/fuzz.sh run SECONDS [TARGET...]        fuzz each target (scenario, sweep; default both) SECONDS
# Seeds: the shipped scenarios and sweeps and the test files (good and bad). New inputs go to
# build/fuzz/corpus/TARGET, so a later run starts where the last stopped; a crash, a sanitizer report, an input
# taking over FUZZ_TIMEOUT seconds (default 10; give a long run at nice 19 on a busy machine more, as it may wait
# for the processor that long) or over 1 GB is written to build/fuzz/findings/TARGET/ and the script fails.
# Exit code 77 (a skipped test) when clang is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/fuzz

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: SKIPPED: clang++ is not installed (scripts/install-deps.sh installs clang and libclang-rt-14-dev)"
  exit 77
fi

build_fuzzers() {
  if [[ ! -f $build/build.ninja ]]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DUNREST_FUZZ=ON \
      -DUNREST_BUILD_TESTS=OFF -DUNREST_BUILD_BENCHMARKS=OFF >/dev/null
  fi
  cmake --build "$build" --target fuzz-scenario fuzz-sweep
}

seeds_of() {
  case $1 in
    scenario) find scenarios tests/data/bad tests/data/view -name '*.yaml' ;;
    sweep) find benchmarks/sweeps tests/data/sweeps tests/data/bad_sweeps -name '*.yaml' ;;
    *) echo "fuzz: unknown target '$1' (expected scenario or sweep)" >&2; exit 2 ;;
  esac
}

run_fuzzer() {
  local target=$1 seconds=$2
  local corpus=$build/corpus/$target seeds=$build/seeds/$target findings=$build/findings/$target
  rm -rf "$seeds"
  mkdir -p "$corpus" "$seeds" "$findings" "$build/tmp"
  seeds_of "$target" | while read -r f; do cp "$f" "$seeds/$(echo "$f" | tr / _)"; done
  echo "fuzz: $target for $seconds s (corpus $corpus, findings $findings)"
  # A small quarantine and short allocation stacks keep the sanitizer's own memory from growing towards the limit
  # over a long run.
  TMPDIR=$PWD/$build/tmp ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32:malloc_context_size=8} \
    "$build/fuzz-$target" "$corpus" "$seeds" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" \
    -rss_limit_mb=1024 -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" \
    -error_exitcode=1 -timeout_exitcode=1 2>&1 |
    grep --line-buffered -v '^#[0-9]*	\(NEW\|REDUCE\|pulse\)\|Uses: [0-9]*$'
}

case ${1:-} in
  build) build_fuzzers ;;
  run)
    [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh run SECONDS [scenario|sweep]..." >&2; exit 2; }
    seconds=$2
    shift 2
    targets=("$@")
    [[ ${#targets[@]} -gt 0 ]] || targets=(scenario sweep)
    build_fuzzers
    for t in "${targets[@]}"; do run_fuzzer "$t" "$seconds"; done
    ;;
  *) echo "usage: scripts/fuzz.sh build | run SECONDS [scenario|sweep]..." >&2; exit 2 ;;
esac
