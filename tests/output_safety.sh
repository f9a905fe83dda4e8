#!/usr/bin/env bash
# output_safety.sh UNREST ROOT DIR: the outputs never lie or mix.
# 1. A full disk (a file-size limit, and a 16 KiB tmpfs where the system lets us mount one) stops the run at once
#    with the file and the system's reason; every file left ends on a whole row or line; no temporary file is left.
# 2. A second run into the same folder is refused and the first run's files are untouched; --overwrite replaces
#    exactly the files the first run listed in its manifest and keeps anything else.
# 3. The peak contact pressure (summary.json and metrics.csv) is at least every crush injury's pressure in events.jsonl,
#    and the console, metrics.csv and summary.json give the same injury count.
set -u
unrest=$1 root=$2 dir=$3
rm -rf "$dir"
mkdir -p "$dir"
status=0
fail() { echo "FAIL: $*"; status=1; }
city=$root/scenarios/bishkek/2020-10-09_rival_rallies.yaml
room=$root/scenarios/validation/hfv2000_room.yaml

# Every row of metrics.csv has the header's number of fields; every line of events.jsonl is one whole object.
whole_files() {
  local out=$1 f
  if [ -f "$out/metrics.csv" ]; then
    awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$out/metrics.csv" || fail "$out/metrics.csv has a cut row"
    [ -z "$(tail -c1 "$out/metrics.csv")" ] || fail "$out/metrics.csv does not end on a whole row"
  fi
  if [ -f "$out/events.jsonl" ] && [ -s "$out/events.jsonl" ]; then
    grep -qv '^{.*}$' "$out/events.jsonl" && fail "$out/events.jsonl has a cut line"
    [ -z "$(tail -c1 "$out/events.jsonl")" ] || fail "$out/events.jsonl does not end on a whole line"
  fi
  for f in "$out"/*.tmp; do [ -e "$f" ] && fail "temporary file left: $f"; done
  return 0
}

# 1a. The file-size limit: writes past 4 KiB fail with EFBIG.
(ulimit -f 4; exec "$unrest" run "$city" --quiet --threads 2 --set clock.duration=900 --out "$dir/limited") \
  >"$dir/limited.log" 2>&1
code=$?
[ $code -eq 1 ] || fail "a run whose writes fail exited with $code, expected 1"
grep -q 'metrics.csv: cannot write: File too large; the run stopped at 18:[0-9:]* (' "$dir/limited.log" ||
  fail "the error does not name the file, the reason and where the run stopped: $(cat "$dir/limited.log")"
stopped=$(sed -n 's/.*(\([0-9]*\) s simulated).*/\1/p' "$dir/limited.log")
last=$(tail -n1 "$dir/limited/metrics.csv" | cut -d, -f1)
# The run stops at the first failed row: the next row was due one record interval (10 s) after the last one kept.
awk -v s="${stopped:-0}" -v l="${last:-0}" 'BEGIN { exit !(s <= l + 10.5 && s < 900) }' ||
  fail "the run went on after the write failed (last whole row at ${last} s, stopped at ${stopped} s)"
whole_files "$dir/limited"
[ -f "$dir/limited/summary.json" ] && fail "a summary was written for a run whose outputs failed"

# 1b. A real full disk, where we may mount one.
if [ "$(id -u)" = 0 ] && mkdir -p "$dir/tiny" && mount -t tmpfs -o size=16k tmpfs "$dir/tiny" 2>/dev/null; then
  "$unrest" run "$city" --quiet --threads 2 --set clock.duration=900 --out "$dir/tiny/run" >"$dir/tiny.log" 2>&1
  code=$?
  [ $code -eq 1 ] || fail "a run on a full disk exited with $code, expected 1"
  grep -q 'cannot write: No space left on device; the run stopped at' "$dir/tiny.log" ||
    fail "the full-disk error does not name the reason: $(cat "$dir/tiny.log")"
  whole_files "$dir/tiny/run"
  umount "$dir/tiny"
  echo "full tmpfs: checked"
else
  echo "full tmpfs: not checked (mounting a tmpfs is not permitted here); the file-size limit above was"
fi

# 2. A reused folder.
"$unrest" run "$city" --quiet --set clock.duration=20 --out "$dir/reused" >/dev/null 2>&1 || fail "the first run failed"
sum_before=$(cat "$dir/reused"/*.csv "$dir/reused"/*.jsonl "$dir/reused"/summary.json | sha256sum)
if "$unrest" run "$city" --quiet --set clock.duration=30 --out "$dir/reused" >"$dir/reused.log" 2>&1; then
  fail "a second run into a folder holding another run's outputs was accepted"
fi
grep -q 'holds the outputs of another run (metrics.csv, events.jsonl, summary.json, manifest.txt); give --overwrite' \
  "$dir/reused.log" || fail "the refusal does not say why: $(cat "$dir/reused.log")"
[ "$(cat "$dir/reused"/*.csv "$dir/reused"/*.jsonl "$dir/reused"/summary.json | sha256sum)" = "$sum_before" ] ||
  fail "the refused run changed the first run's outputs"
echo "notes" >"$dir/reused/notes.txt"
touch "$dir/reused/trajectories.txt"  # as a run with a measurement section leaves it
"$unrest" run "$city" --quiet --set clock.duration=30 --out "$dir/reused" --overwrite >/dev/null 2>&1 ||
  fail "--overwrite was refused"
[ -f "$dir/reused/notes.txt" ] || fail "--overwrite removed a file no run wrote"
[ -e "$dir/reused/trajectories.txt" ] && fail "--overwrite kept another run's trajectories.txt"
grep -q '"simulated_s": 30.000' "$dir/reused/summary.json" || fail "the summary is not the second run's"

# 3. Peak pressure against the crush injuries, and one injury count everywhere (HFV's room at v0 = 5 m/s crushes).
"$unrest" run "$room" --threads 2 --set populations.crowd.desired_speed=5 --set clock.duration=30 --out "$dir/crush" \
  >"$dir/crush.log" 2>&1 || fail "the crush run failed"
crushes=$(grep -c '"cause":"crush"' "$dir/crush/events.jsonl")
[ "$crushes" -gt 0 ] || fail "HFV's room at 5 m/s crushed nobody"
worst=$(grep -o '"pressure_Npm":[0-9.]*' "$dir/crush/events.jsonl" | cut -d: -f2 | sort -g | tail -n1)
peak=$(grep -o '"pressure_Npm": [0-9.]*' "$dir/crush/summary.json" | cut -d' ' -f2)
col=$(head -n1 "$dir/crush/metrics.csv" | tr ',' '\n' | grep -n '^peak_pressure_Npm$' | cut -d: -f1)
metrics_peak=$(cut -d, -f"$col" "$dir/crush/metrics.csv" | tail -n +2 | sort -g | tail -n1)
awk -v p="$peak" -v m="$metrics_peak" -v w="$worst" 'BEGIN { exit !(p + 0.05 >= w && m + 0.05 >= w) }' ||
  fail "peak pressure (summary $peak, metrics.csv $metrics_peak N/m) below the worst crush injury's $worst N/m"
console=$(sed -n 's/.*, \([0-9]*\) injured.*/\1/p' "$dir/crush.log")
summary=$(sed -n 's/.*"injured": \([0-9]*\).*/\1/p' "$dir/crush/summary.json")
col=$(head -n1 "$dir/crush/metrics.csv" | tr ',' '\n' | grep -n '^injured$' | cut -d: -f1)
rows=$(tail -n1 "$dir/crush/metrics.csv" | cut -d, -f"$col")
[ "$console" = "$crushes" ] && [ "$summary" = "$crushes" ] && [ "$rows" = "$crushes" ] ||
  fail "injured: console $console, summary.json $summary, metrics.csv $rows, events.jsonl $crushes"

[ $status -eq 0 ] && echo "outputs: whole, unmixed and in agreement"
exit $status
