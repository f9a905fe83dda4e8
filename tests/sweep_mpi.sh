#!/usr/bin/env bash
# sweep_mpi.sh UNREST MPIRUN SWEEP WORK: the same sweep under `mpirun --oversubscribe -np 3` (rank 0 the queue, two
# worker ranks) and under --jobs 2 gives the same runs.csv (but for wall_s), points.csv and kept run outputs.
set -u
unrest=$1 mpirun=$2 sweep=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "--- $f"; cat "$f"; done; exit 1; }
strip() { sed -E 's/,[0-9.]+$//' "$1"; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # containers run tests as root
"$mpirun" --oversubscribe -np 3 "$unrest" sweep "$sweep" --out "$work/mpi" --quiet --keep-runs > "$work/mpi.log" 2>&1 || fail "the MPI sweep failed"
grep -q "MPI queue: 2 workers" "$work/mpi.log" || fail "the sweep did not run on MPI worker ranks"
"$unrest" sweep "$sweep" --out "$work/jobs" --jobs 2 --quiet --keep-runs > "$work/jobs.log" 2>&1 || fail "the --jobs sweep failed"
diff <(strip "$work/mpi/runs.csv") <(strip "$work/jobs/runs.csv") > "$work/runs.diff" || fail "runs.csv differs: $(cat "$work/runs.diff")"
cmp "$work/mpi/points.csv" "$work/jobs/points.csv" || fail "points.csv differs"
for run in "$work"/jobs/runs/*; do
  id=$(basename "$run")
  for f in metrics.csv events.jsonl; do
    cmp "$run/$f" "$work/mpi/runs/$id/$f" || fail "run $id: $f differs (rank 0 must write what the worker produced)"
  done
done
grep "MPI queue" "$work/mpi.log"
echo "ok: $(tail -n +2 "$work/jobs/runs.csv" | wc -l) runs, identical under mpirun and --jobs"
