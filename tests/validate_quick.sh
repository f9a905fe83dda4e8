#!/usr/bin/env bash
# validate_quick.sh UNREST OUTDIR: every case's quick subset runs to a verdict (pass or fail: exit 0 or 1, never a
# crash), and writes validation.csv with a row per check and a PNG per curve.
set -u
unrest=$1 out=$2
rm -rf "$out"
"$unrest" validate --quick --threads 2 --out "$out" >"$out.log" 2>&1
code=$?
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
  echo "expected exit code 0 or 1, got $code"; cat "$out.log"; exit 1
fi
rows=$(($(wc -l <"$out/validation.csv") - 1))
if [ "$rows" -lt 15 ]; then echo "validation.csv has $rows checks, expected at least 15"; cat "$out.log"; exit 1; fi
for plot in rimea04 door_flow faster_is_slower crush_injuries; do
  if [ ! -s "$out/$plot.png" ]; then echo "missing plot $out/$plot.png"; cat "$out.log"; exit 1; fi
done
grep -q "wall time" "$out.log" || { echo "no wall time reported"; exit 1; }
exit 0
