#!/usr/bin/env bash
# checkpoint_resume.sh UNREST SCENARIO DIR: a run with --checkpoint-every killed with SIGKILL at a random moment after
# its first checkpoint, resumed, killed again at a random moment after its next checkpoint, and resumed to the end
# (on other thread counts) writes the same bytes as an uninterrupted run: metrics.csv, events.jsonl, the measurement's
# files, and summary.json but for its performance block (wall-clock timings and the thread count). Then a corrupt
# checkpoint and a changed scenario are refused with exit code 2.
set -u
unrest=$1 scenario=$2 dir=$3
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "checkpoint_resume: $*"; exit 1; }

"$unrest" run "$scenario" --quiet --threads 2 --out "$dir/whole" >/dev/null || fail "the uninterrupted run failed"

# Waits (up to 2 minutes) until $1/checkpoint.bin exists and differs from $2 (a copy of an earlier one, or nothing).
await_checkpoint() {
  for _ in $(seq 1200); do
    if [[ -s $1/checkpoint.bin ]] && ! cmp -s "$1/checkpoint.bin" "$2"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# Kills the run $pid with SIGKILL at a random moment within the next $1 ms; false when it had already ended.
kill_later() {
  local ms=$((RANDOM % $1))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill -0 "$pid" 2>/dev/null || return 1
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  echo "killed at $(tail -n 1 "$run/metrics.csv" | cut -d, -f1) s"
}

run=$dir/killed
# 5.15 s: 103 steps, a multiple of no interval of the scenario (records, perception, decisions, crowd-pressure
# samples), so each checkpoint falls in the middle of them all.
"$unrest" run "$scenario" --quiet --threads 1 --out "$run" --checkpoint-every 5.15 >/dev/null &
pid=$!
await_checkpoint "$run" /dev/null || fail "no checkpoint written"
kill_later 1500 || fail "the run ended before it could be killed"
[[ -e $run/summary.json ]] && fail "a killed run wrote summary.json"

cp "$run/checkpoint.bin" "$dir/first.bin"
"$unrest" run --resume "$run" --quiet --threads 2 >/dev/null &
pid=$!
killed=1
if await_checkpoint "$run" "$dir/first.bin"; then kill_later 3000 || killed=0; else killed=0; fi
if ((killed)); then
  "$unrest" run --resume "$run" --quiet --threads 3 >/dev/null || fail "the last resume failed"
else
  wait "$pid" || fail "the first resume failed"
fi
[[ -e $run/checkpoint.bin ]] && fail "a finished run left its checkpoint"

for f in metrics.csv events.jsonl crossings.csv areas.csv trajectories.txt people.csv; do
  cmp "$dir/whole/$f" "$run/$f" || fail "$f differs from the uninterrupted run's"
done
# summary.json but its last block, "performance" (wall-clock time, rates, threads, memory).
cmp <(sed '/"performance"/,$d' "$dir/whole/summary.json") <(sed '/"performance"/,$d' "$run/summary.json") ||
  fail "summary.json differs from the uninterrupted run's"
grep -q '"completed": true' "$run/summary.json" || fail "the resumed run did not complete"

# A checkpoint that stays (a finished run removes its own): a run killed right after its first.
bad=$dir/corrupt
copy=$dir/scenario.yaml
cp "$scenario" "$copy"
"$unrest" run "$copy" --quiet --threads 1 --out "$bad" --checkpoint-every 5s >/dev/null &
pid=$!
await_checkpoint "$bad" /dev/null || fail "no checkpoint written for the corruption test"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
# Corrupt: a byte changed in the middle.
cp "$bad/checkpoint.bin" "$dir/good.bin"
size=$(stat -c %s "$bad/checkpoint.bin")
printf '\xff' | dd of="$bad/checkpoint.bin" bs=1 seek=$((size / 2)) conv=notrunc status=none
"$unrest" run --resume "$bad" --quiet >"$dir/out.txt" 2>&1
code=$?
[[ $code -eq 2 ]] || fail "a corrupt checkpoint gave exit code $code, not 2"
grep -q "checksum" "$dir/out.txt" || fail "a corrupt checkpoint was not named as such: $(cat "$dir/out.txt")"
head -c $((size - 100)) "$dir/good.bin" >"$bad/checkpoint.bin"
"$unrest" run --resume "$bad" --quiet >"$dir/out.txt" 2>&1
code=$?
[[ $code -eq 2 ]] || fail "a truncated checkpoint gave exit code $code, not 2"
grep -q "truncated" "$dir/out.txt" || fail "a truncated checkpoint was not named as such: $(cat "$dir/out.txt")"
# The scenario changed since.
cp "$dir/good.bin" "$bad/checkpoint.bin"
echo "# changed" >>"$copy"
"$unrest" run --resume "$bad" --quiet >"$dir/out.txt" 2>&1
code=$?
[[ $code -eq 2 ]] || fail "a changed scenario gave exit code $code, not 2"
grep -q "has changed since the checkpoint" "$dir/out.txt" || fail "a changed scenario was not named: $(cat "$dir/out.txt")"
echo "checkpoint_resume: killed twice and resumed: byte-identical outputs; corrupt, truncated and stale checkpoints refused"
