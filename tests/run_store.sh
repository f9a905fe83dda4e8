#!/usr/bin/env bash
# run_store.sh UNREST SCENARIO DIR: `unrest run --record` writes a run.sqlite that Python's sqlite3 opens, with
# JuPedSim's tables (as PedPy reads them) holding one row per person on the street per frame, and unrest's own
# tables agreeing with metrics.csv and events.jsonl; recording changes none of the other outputs.
set -u
unrest=$1 scenario=$2 dir=$3
rm -rf "$dir"
"$unrest" run "$scenario" --seed 5 --quiet --out "$dir/plain" >/dev/null || { echo "run failed"; exit 1; }
"$unrest" run "$scenario" --seed 5 --quiet --out "$dir/rec" --record >/dev/null || { echo "run --record failed"; exit 1; }
status=0
for f in metrics.csv events.jsonl; do
  cmp -s "$dir/plain/$f" "$dir/rec/$f" || { echo "--record changed $f"; status=1; }
done
[[ -f $dir/rec/run.sqlite-wal || -f $dir/rec/run.sqlite-journal ]] && { echo "the store was left with a journal"; status=1; }
python3 - "$dir/rec" <<'PY' || status=1
import csv, json, math, sqlite3, sys
d = sys.argv[1]
con = sqlite3.connect(f"{d}/run.sqlite")
fail = []
def check(ok, what):
    if not ok: fail.append(what)
cols = lambda t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
# JuPedSim's version-2 schema, as its SqliteTrajectoryWriter writes it and PedPy reads it.
check(cols("trajectory_data")[:6] == ["frame", "id", "pos_x", "pos_y", "ori_x", "ori_y"], "trajectory_data columns")
check(cols("metadata") == ["key", "value"], "metadata columns")
check(cols("geometry") == ["hash", "wkt"], "geometry columns")
check(cols("frame_data") == ["frame", "geometry_hash"], "frame_data columns")
meta = dict(con.execute("select key, value from metadata"))
check(meta.get("version") == "2", f"version {meta.get('version')}")
check(float(meta.get("fps", 0)) == 2.0, f"fps {meta.get('fps')}")
check(meta.get("completed") == "true", "completed")
wkt, = con.execute("select wkt from geometry").fetchone()
check(wkt.startswith("MULTIPOLYGON((("), "geometry is not a MULTIPOLYGON")
frames = con.execute("select count(*) from frames").fetchone()[0]
check(frames == 17, f"{frames} frames, expected 17 (0 to 8 s every 0.5 s)")
check(con.execute("select count(*) from frame_data").fetchone()[0] == frames, "frame_data rows")
# One row per person on the street per frame: the counts of metrics.csv at the same times.
rows = {round(float(r["time_s"]), 3): r for r in csv.DictReader(open(f"{d}/metrics.csv"))}
per_frame = dict(con.execute("select frame, count(*) from trajectory_data group by frame"))
compared = 0
for frame, t in con.execute("select frame, time_s from frames"):
    n = per_frame.get(frame, 0)
    r = rows.get(round(t, 3))
    if r is None: continue
    expected = int(r["walking"]) + int(r["arrived"]) + int(r["injured"])
    check(n == expected, f"frame {frame} (t={t}): {n} rows, metrics.csv says {expected} on the street")
    compared += 1
check(compared == 16, f"compared {compared} frames with metrics.csv, expected 16")
dupes = con.execute("select count(*) from (select frame, id from trajectory_data group by frame, id having count(*) > 1)").fetchone()[0]
check(dupes == 0, "a person twice in a frame")
bad_ori = con.execute("select count(*) from trajectory_data where abs(ori_x*ori_x + ori_y*ori_y - 1) > 1e-5").fetchone()[0]
check(bad_ori == 0, f"{bad_ori} orientations are not unit vectors")
# The per-person blob: 32 bytes for each person spawned and not exited.
for frame, spawned, exited, n in con.execute("select frame, spawned, exited, length(state) from frames"):
    check(n == 32 * (spawned - exited), f"frame {frame}: state blob of {n} bytes for {spawned - exited} people")
events = [json.loads(l) for l in open(f"{d}/events.jsonl")]
stored = con.execute("select time_s, type from events order by event").fetchall()
check(len(stored) == len(events) and len(events) >= 4, f"{len(stored)} stored events, events.jsonl has {len(events)}")
check(all(abs(a[0] - b["time_s"]) < 1e-3 and a[1] == b["type"] for a, b in zip(stored, events)), "events differ from events.jsonl")
check(con.execute("select count(*) from people").fetchone()[0] == 140, "people table")
for f in fail: print("run_store:", f)
sys.exit(1 if fail else 0)
PY
exit $status
