#!/usr/bin/env bash
# view_matches_run.sh UNREST SCENARIO DIR: a viewed run (live window at full speed, and a headless recording)
# writes the same metrics.csv, events.jsonl and summary.json (apart from its performance block) as `unrest run`
# with the same seed. Run under with_xvfb.sh.
set -u
unrest=$1 scenario=$2 dir=$3
rm -rf "$dir"
status=0
"$unrest" run "$scenario" --seed 5 --quiet --out "$dir/run" >/dev/null || { echo "run failed"; exit 1; }
"$unrest" view "$scenario" --seed 5 --out "$dir/view" --speed max --exit-at-end --size 640x400 >/dev/null ||
  { echo "view failed"; exit 1; }
"$unrest" view "$scenario" --seed 5 --out "$dir/record" --record "$dir/frames" --fps 4 --speed 2 --size 320x200 >/dev/null ||
  { echo "view --record failed"; exit 1; }
for viewed in view record; do
  for f in metrics.csv events.jsonl; do
    if ! cmp -s "$dir/run/$f" "$dir/$viewed/$f"; then
      echo "$viewed: $f differs from the headless run's"; diff "$dir/run/$f" "$dir/$viewed/$f" | head -5; status=1
    fi
  done
  if ! diff <(grep -v '"performance"' "$dir/run/summary.json") <(grep -v '"performance"' "$dir/$viewed/summary.json"); then
    echo "$viewed: summary.json differs from the headless run's"; status=1
  fi
done
[[ $(wc -l <"$dir/run/events.jsonl") -ge 4 ]] || { echo "too few events to compare"; status=1; }
grep -q '"completed": true' "$dir/view/summary.json" || { echo "the viewed run did not complete"; status=1; }
# 8 s at speed 2 and 4 frames per second: a frame every 0.5 s, from 0 to 8 s.
frames=$(ls "$dir/frames"/frame_*.png 2>/dev/null | wc -l)
[[ $frames -eq 17 ]] || { echo "expected 17 frames, found $frames"; status=1; }
if command -v ffmpeg >/dev/null 2>&1 && [[ ! -s $dir/frames/video.mp4 ]]; then echo "no video.mp4 although ffmpeg is installed"; status=1; fi
exit $status
