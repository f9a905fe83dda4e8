#!/usr/bin/env bash
# The speed targets of `unrest sweep`, measured:
#   1. --jobs 2 on a 2-core machine reaches >= 90 % of twice the throughput of --jobs 1, with runs of >= 10 s
#      (benchmarks/sweeps/jobs_efficiency.yaml: four single-threaded ten-minute Bishkek runs);
#   2. the Open MPI work queue costs < 50 ms per run (benchmarks/sweeps/mpi_overhead.yaml: 200 runs of a few ms
#      under mpirun -np 3; each worker times the gap from sending a result to holding its next run).
# Usage: benchmarks/sweep_speed.sh [BUILD_DIR] [jobs|mpi]...   (default: build/release, both). About 3 minutes
# on a quiet 2-core machine. Other work on the machine shows in the figures: the load average is printed, and so
# is the CPU time the sweeps got, so a busy machine can be told from a slow sweep.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/release
if [[ $# -gt 0 && -d $1 ]]; then build=$1; shift; fi
parts=("$@")
[[ ${#parts[@]} -eq 0 ]] && parts=(jobs mpi)
unrest=$build/unrest
[[ -x $unrest ]] || { echo "no $unrest: build first (scripts/build.sh)" >&2; exit 1; }
out=$(mktemp -d /tmp/unrest-sweep-speed.XXXXXX)
trap 'rm -rf "$out"' EXIT

# Runs a command; prints "wall user+sys" in seconds.
measure() {
  local TIMEFORMAT='%R %U %S'
  { time "$@" > "$out/last.log" 2>&1; } 2> "$out/time" || { cat "$out/last.log" >&2; exit 1; }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$out/time"
}
meanWall() { awk -F, 'NR > 1 { s += $NF; n++ } END { printf "%.2f", s / n }' "$1/runs.csv"; }
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

for part in "${parts[@]}"; do
  case $part in
  jobs)
    sweep=benchmarks/sweeps/jobs_efficiency.yaml
    read -r wall1 cpu1 < <(measure "$unrest" sweep "$sweep" --out "$out/jobs1" --jobs 1 --quiet --no-plots)
    read -r wall2 cpu2 < <(measure "$unrest" sweep "$sweep" --out "$out/jobs2" --jobs 2 --quiet --no-plots)
    runs=$(($(wc -l < "$out/jobs1/runs.csv") - 1))
    echo "--jobs 1: $runs runs in $wall1 s (mean run $(meanWall "$out/jobs1") s), CPU $cpu1 s"
    echo "--jobs 2: $runs runs in $wall2 s (mean run $(meanWall "$out/jobs2") s), CPU $cpu2 s"
    awk -v w1="$wall1" -v w2="$wall2" -v c1="$cpu1" -v c2="$cpu2" 'BEGIN {
      printf "efficiency: --jobs 2 throughput / (2 x --jobs 1 throughput) = %.1f %% (target >= 90 %%)\n", 100 * w1 / (2 * w2);
      printf "cores the sweeps got: %.2f with --jobs 1, %.2f with --jobs 2 (CPU time / wall time); CPU per run %+.1f %% with two at once\n",
             c1 / w1, c2 / w2, 100 * (c2 / c1 - 1) }'
    ;;
  mpi)
    command -v mpirun > /dev/null || { echo "mpi: mpirun not found (Debian: openmpi-bin)"; continue; }
    sweep=benchmarks/sweeps/mpi_overhead.yaml
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    read -r wallMpi cpuMpi < <(measure mpirun --oversubscribe -np 3 "$unrest" sweep "$sweep" --out "$out/mpi" --quiet --no-plots)
    queue=$(grep -o "MPI queue: .*" "$out/last.log" || true)
    read -r wallJobs cpuJobs < <(measure "$unrest" sweep "$sweep" --out "$out/mpijobs" --jobs 2 --quiet --no-plots)
    runs=$(($(wc -l < "$out/mpi/runs.csv") - 1))
    echo "mpirun -np 3 (2 workers): $runs runs in $wallMpi s; --jobs 2: $runs runs in $wallJobs s; mean run $(meanWall "$out/mpi") s"
    echo "$queue"
    echo "$queue" | awk '{ for (i = 1; i <= NF; i++) if ($i == "average") v = $(i - 3) }
      END { printf "per-run queue cost: %s ms (target < 50 ms)\n", v }'
    awk -v a="$wallMpi" -v b="$wallJobs" -v n="$runs" 'BEGIN {
      printf "whole sweep under mpirun against --jobs 2: %+.1f ms per run (MPI start-up and shutdown included)\n", 1000 * (a - b) / n }'
    ;;
  *) echo "unknown part '$part' (expected jobs or mpi)" >&2; exit 1 ;;
  esac
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
