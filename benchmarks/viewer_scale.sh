#!/usr/bin/env bash
# benchmarks/viewer_scale.sh [PEOPLE] [FRAMES]: frame times of the viewer at scale, live and replayed, on the `dense`
# workload (scenarios/benchmarks/dense.yaml at 2 people/m², resized to PEOPLE, default 100,000), 1280 x 800 under
# Xvfb with Mesa's software OpenGL. Records 4 simulated seconds (a frame every 0.5 s), then times FRAMES (default
# 100) frames of: the live viewer (the simulation held), and the replay playing frame after frame (each frame read
# from run.sqlite, turned into a snapshot and drawn), for the whole crowd (bodies of 2 px: drawn on the CPU), the
# same forced through the vertex array (--detail sprites), and zoomed to 40 m (bodies of 19 px: the vertex array).
# Prints one JSON line per case and the load average before and after; then the seek time on the recording.
# Run from the top of the repository after scripts/build.sh unrest unrest-replay-seek.
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-100000} frames=${2:-100}
unrest=build/release/unrest
side=$(python3 -c "import math; print(math.ceil(math.sqrt($people / 2)))")
dense=(scenarios/benchmarks/dense.yaml --set populations.crowd.count=$people --set "map.bounds=[0,0,$side,$side]"
       --set "map.zones.square.rect=[0,0,$side,$side]")
out=$(mktemp -d /tmp/unrest-viewer-scale.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$unrest" run "${dense[@]}" --set clock.duration=4 --quiet --record --out "$out/run" >/dev/null
echo "recording: $(du -h "$out/run/run.sqlite" | cut -f1) for 9 frames of $people people"
for view in "" "--detail sprites" "--width 40"; do
  # shellcheck disable=SC2086
  tests/with_xvfb.sh "$unrest" view "${dense[@]}" --out "$out/live" --overwrite --at 4 --benchmark-frames "$frames" $view
  # shellcheck disable=SC2086
  tests/with_xvfb.sh "$unrest" view --replay "$out/run/run.sqlite" --benchmark-frames "$frames" $view
done
build/release/unrest-replay-seek "$out/run/run.sqlite" --seeks 20
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
