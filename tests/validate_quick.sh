#!/usr/bin/env bash
# validate_quick.sh UNREST OUTDIR: every case's quick subset runs to a verdict (pass or fail: exit 0 or 1, never a
# crash), writes validation.csv with a row per check and a PNG per curve; an empty suite says so and exits 3.
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
empty=$("$unrest" validate --suite article --out "$out/empty" 2>&1)
code=$?
if [ "$code" -ne 3 ] || ! grep -q "no cases yet" <<<"$empty"; then
  echo "expected 'no cases yet' and exit code 3 for an empty suite, got $code:"; echo "$empty"; exit 1
fi
exit 0
