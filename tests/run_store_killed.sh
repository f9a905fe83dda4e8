#!/usr/bin/env bash
# run_store_killed.sh UNREST SCENARIO DIR: a recording run killed with SIGKILL leaves a run.sqlite that opens,
# passes SQLite's integrity check and ends on a whole frame (every frame it holds has all its people).
set -u
unrest=$1 scenario=$2 dir=$3
rm -rf "$dir"
mkdir -p "$dir"
"$unrest" run "$scenario" --quiet --threads 1 --out "$dir" --record --set clock.duration=600 >/dev/null 2>&1 &
pid=$!
# Kill it once a few batches are committed, while it is still writing.
python3 - "$dir/run.sqlite" <<'PY'
import os, sqlite3, sys, time
path = sys.argv[1]
deadline = time.time() + 120
while time.time() < deadline:
    try:
        if os.path.exists(path):
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            n = con.execute("select count(*) from frames").fetchone()[0]
            con.close()
            if n >= 50: sys.exit(0)
    except sqlite3.Error:
        pass
    time.sleep(0.2)
sys.exit(1)
PY
waited=$?
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
[[ $waited -eq 0 ]] || { echo "the run did not record 50 frames within 2 minutes"; exit 1; }
python3 - "$dir/run.sqlite" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
fail = []
ok, = con.execute("pragma integrity_check").fetchone()
if ok != "ok": fail.append(f"integrity check: {ok}")
meta = dict(con.execute("select key, value from metadata"))
if meta.get("completed") != "false": fail.append("a killed run says completed")
frames = [f for f, in con.execute("select frame from frames order by frame")]
if not frames or frames != list(range(len(frames))): fail.append(f"frames not 0..n-1: {frames[:3]}...{frames[-3:]}")
last = frames[-1]
if last < 50 or last >= 1200: fail.append(f"last frame {last}")
# Whole frames: each holds exactly the people its own row says are on the street, and no rows lie beyond the last.
for frame, n, on_street in con.execute(
        "select f.frame, (select count(*) from trajectory_data t where t.frame = f.frame), f.on_street from frames f"):
    if n != on_street: fail.append(f"frame {frame}: {n} trajectory rows, {on_street} on the street")
beyond = con.execute("select count(*) from trajectory_data where frame > ?", (last,)).fetchone()[0]
if beyond: fail.append(f"{beyond} trajectory rows beyond the last frame")
if con.execute("select count(*) from frame_data").fetchone()[0] != len(frames): fail.append("frame_data rows")
for f in fail[:10]: print("run_store_killed:", f)
print(f"killed run: {len(frames)} whole frames")
sys.exit(1 if fail else 0)
PY
