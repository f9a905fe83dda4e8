#!/usr/bin/env bash
# replay_matches_live.sh UNREST SCENARIO DIR: a replay of a recorded run draws, pixel for pixel, what the live viewer
# draws at the same time with the same seed (people, vehicles, checkpoints, the density overlay), and --record works
# on a replay. Run under with_xvfb.sh.
set -u
unrest=$1 scenario=$2 dir=$3
rm -rf "$dir"
"$unrest" run "$scenario" --seed 5 --quiet --out "$dir/run" --record >/dev/null || { echo "run --record failed"; exit 1; }
store=$dir/run/run.sqlite
status=0
for at in 0 1.5 3 8; do
  for overlay in none density; do
    live=$dir/live_${at}_$overlay.png replay=$dir/replay_${at}_$overlay.png
    "$unrest" view "$scenario" --seed 5 --out "$dir/live" --overwrite --screenshot "$live" --at $at --size 640x320 --hide-panels \
      --overlay $overlay >/dev/null || { echo "live screenshot at $at failed"; status=1; continue; }
    "$unrest" view --replay "$store" --screenshot "$replay" --at $at --size 640x320 --hide-panels --overlay $overlay \
      >/dev/null || { echo "replay screenshot at $at failed"; status=1; continue; }
    cmp -s "$live" "$replay" || { echo "at $at s with overlay $overlay the replay differs from the live view"; status=1; }
  done
done
# The live pictures must differ over time, or the comparison above proves nothing.
cmp -s "$dir/live_0_none.png" "$dir/live_3_none.png" && { echo "the live view did not change between 0 and 3 s"; status=1; }
"$unrest" view --replay "$store" --record "$dir/frames" --fps 4 --speed 2 --size 320x200 >/dev/null || { echo "replay --record failed"; status=1; }
frames=$(ls "$dir/frames"/frame_*.png 2>/dev/null | wc -l)
[[ $frames -eq 17 ]] || { echo "replay --record: expected 17 frames, found $frames"; status=1; }
exit $status
