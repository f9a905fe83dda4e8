#!/usr/bin/env bash
# sweep_resume.sh UNREST SWEEP WORK: a sweep killed with SIGKILL twice and stopped with SIGTERM once, then resumed,
# gives the files of an uninterrupted sweep and repeats no recorded run; the same sweep file elsewhere is the same
# sweep; a changed one is refused without --restart and starts again with it.
set -u
unrest=$1 sweep=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "--- $f"; cat "$f"; done; exit 1; }
rows() { if [ -f "$1/runs.csv" ]; then tail -n +2 "$1/runs.csv" | wc -l; else echo 0; fi; }  # complete rows only
strip() { sed -E 's/,[0-9.]+$//' "$1"; }  # wall_s, the only column that depends on the machine
session() { sed -nE 's/.*runs recorded \([0-9]+ failed\); ([0-9]+) this session.*/\1/p' "$1"; }

"$unrest" sweep "$sweep" --out "$work/whole" --jobs 2 --quiet --keep-runs > "$work/whole.log" 2>&1 || fail "the uninterrupted sweep failed"
total=$(rows "$work/whole")
[ "$total" -ge 8 ] || fail "expected a sweep of 8 runs or more, got $total"
[ "$(ls "$work/whole/runs" | wc -l)" -eq "$total" ] || fail "--keep-runs kept $(ls "$work/whole/runs" | wc -l) of $total runs"
[ -s "$work/whole/runs/00/summary.json" ] || fail "no summary.json kept for run 0"
for png in "$work"/whole/plots/*.png; do
  [ "$(head -c 4 "$png" | tail -c 3)" = "PNG" ] || fail "$png is not a PNG"
done
[ "$(ls "$work"/whole/plots/*.png | wc -l)" -ge 2 ] || fail "expected plots in $work/whole/plots"

# Interrupted three times: SIGKILL (nothing can be cleaned up), SIGKILL again, then SIGTERM (a clean stop).
recorded=0
for round in 1 2 3; do
  signal=$([ $round -eq 3 ] && echo TERM || echo KILL)
  want=$((recorded + 2))
  "$unrest" sweep "$sweep" --out "$work/killed" --jobs 2 --quiet > "$work/round$round.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    [ "$(rows "$work/killed")" -ge "$want" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  kill -s $signal $pid 2>/dev/null
  { wait $pid; } 2>/dev/null  # no "Killed" notice from the shell
  code=$?
  [ $round -eq 3 ] && [ $code -ne 130 ] && fail "a sweep stopped by SIGTERM exited with $code (expected 130)"
  if [ $round -gt 1 ] && ! grep -q "$recorded already recorded" "$work/round$round.log"; then
    fail "round $round did not resume from the $recorded runs recorded before"
  fi
  recorded=$(rows "$work/killed")
  [ "$recorded" -lt "$total" ] || fail "the sweep ended before it could be interrupted (round $round)"
done
"$unrest" sweep "$sweep" --out "$work/killed" --jobs 2 --quiet > "$work/resume.log" 2>&1 || fail "the resumed sweep failed"
grep -q "$recorded already recorded" "$work/resume.log" || fail "the last resume did not start from the $recorded recorded runs"
[ "$(session "$work/resume.log")" -eq $((total - recorded)) ] || fail "the last resume ran $(session "$work/resume.log") runs (expected $((total - recorded)): none repeated)"
[ -z "$(ls -A "$work/killed/.work" 2>/dev/null)" ] || fail "runs in flight left outputs behind"

diff <(strip "$work/whole/runs.csv") <(strip "$work/killed/runs.csv") > "$work/runs.diff" || fail "runs.csv differs: $(cat "$work/runs.diff")"
cmp "$work/whole/points.csv" "$work/killed/points.csv" || fail "points.csv differs"
[ "$(cut -d, -f1 "$work/killed/runs.csv" | tail -n +2 | sort -n | uniq | wc -l)" -eq "$total" ] || fail "run ids repeat or are missing"

# The same sweep file at another path is the same sweep: nothing left to run.
sed -E "s|^scenario: (.*)$|scenario: $(cd "$(dirname "$sweep")" && pwd)/\1|" "$sweep" > "$work/moved.yaml"
"$unrest" sweep "$work/moved.yaml" --out "$work/killed" --quiet > "$work/moved.log" 2>&1 || fail "the same sweep from another path was refused"
[ "$(session "$work/moved.log")" -eq 0 ] || fail "the same sweep from another path ran runs again"
cmp "$work/whole/points.csv" "$work/killed/points.csv" || fail "points.csv changed on a run with nothing to do"

# A changed sweep file is refused, and nothing in the folder changes; --restart starts again.
sed -E 's/^replicates: \{count: ([0-9]+)/replicates: {count: 1/' "$work/moved.yaml" > "$work/changed.yaml"
cmp -s "$work/moved.yaml" "$work/changed.yaml" && fail "could not change the replicates of $sweep"
if "$unrest" sweep "$work/changed.yaml" --out "$work/killed" --quiet > "$work/changed.log" 2>&1; then fail "a changed sweep file was accepted"; fi
grep -q "holds results of a different sweep: replicates: changed" "$work/changed.log" || fail "the refusal does not say what changed"
cmp "$work/whole/points.csv" "$work/killed/points.csv" || fail "a refused sweep changed points.csv"
"$unrest" sweep "$work/changed.yaml" --out "$work/killed" --restart --jobs 2 --quiet > "$work/restart.log" 2>&1 || fail "--restart failed"
[ "$(rows "$work/killed")" -lt "$total" ] || fail "--restart did not start again"
echo "ok: $total runs; killed at $recorded recorded runs and resumed to the same runs.csv and points.csv"
