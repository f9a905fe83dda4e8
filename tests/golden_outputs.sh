#!/usr/bin/env bash
# golden_outputs.sh UNREST OUTDIR [--record] [NAME...]: runs each case of tests/data/golden/cases.txt at 1 and at 2
# threads and compares the SHA-256 of every output file (summary.json without its performance block, which holds
# wall times, and without the scenario's path, which depends on where the repository is) with
# tests/data/golden/hashes.txt. Any difference, between the two thread counts or against the
# recorded hashes, fails and is named file by file. --record rewrites hashes.txt from the 1-thread runs (after
# checking that 2 threads agree); only for a change that is meant to alter the outputs, said so in its commit.
set -u
unrest=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cases=$here/data/golden/cases.txt hashes=$here/data/golden/hashes.txt
record=0
only=()
for a in "$@"; do
  if [ "$a" = --record ]; then record=1; else only+=("$a"); fi
done

# Prints "NAME/FILE HASH" for every output of one run, in a fixed order.
digest() {
  local dir=$1 name=$2 f
  for f in $(cd "$dir" && find . -type f | sed 's|^\./||' | LC_ALL=C sort); do
    if [ "$f" = summary.json ]; then
      printf '%s/%s %s\n' "$name" "$f" "$(grep -v -e '"performance":' -e '^  "file":' "$dir/$f" | sha256sum | cut -c1-64)"
    else
      printf '%s/%s %s\n' "$name" "$f" "$(sha256sum <"$dir/$f" | cut -c1-64)"
    fi
  done
}

mkdir -p "$out"
status=0
: >"$out/actual.txt"
while IFS='|' read -r name scenario sets; do
  name=$(echo "$name" | xargs) scenario=$(echo "$scenario" | xargs)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
  args=()
  for s in $sets; do args+=(--set "$s"); done
  for threads in 1 2; do
    dir=$out/$name.t$threads
    rm -rf "$dir"
    if ! "$unrest" run "$root/$scenario" --quiet --threads "$threads" --out "$dir" "${args[@]}" >"$dir.log" 2>&1; then
      echo "FAIL $name (threads $threads): the run failed"; cat "$dir.log"; status=1; continue
    fi
    digest "$dir" "$name" >"$dir.sha"
  done
  if [ -f "$out/$name.t1.sha" ] && [ -f "$out/$name.t2.sha" ] && ! diff -q "$out/$name.t1.sha" "$out/$name.t2.sha" >/dev/null; then
    echo "FAIL $name: 1 and 2 threads differ:"; diff "$out/$name.t1.sha" "$out/$name.t2.sha"; status=1
  fi
  cat "$out/$name.t1.sha" >>"$out/actual.txt"
done < <(grep -v '^#' "$cases")

if [ $record -eq 1 ]; then
  [ $status -eq 0 ] || { echo "not recording: some runs failed or disagree"; exit 1; }
  # Cases not run keep their recorded hashes; those run replace theirs. Cases' order follows cases.txt.
  ran=$(cut -d/ -f1 "$out/actual.txt" | sort -u)
  { grep -v -F -f <(sed 's|$|/|' <<<"$ran") "$hashes" 2>/dev/null; cat "$out/actual.txt"; } >"$out/merged.txt"
  order=$(grep -v '^#' "$cases" | cut -d'|' -f1 | xargs -n1)
  for name in $order; do grep "^$name/" "$out/merged.txt"; done >"$hashes"
  echo "recorded $(wc -l <"$hashes") hashes in $hashes"
  exit 0
fi
# Compare what ran with the recorded hashes of the same cases.
while read -r file hash; do
  want=$(awk -v f="$file" '$1 == f {print $2}' "$hashes")
  if [ -z "$want" ]; then echo "FAIL $file: no recorded hash"; status=1
  elif [ "$want" != "$hash" ]; then echo "FAIL $file: output differs from the recorded one"; status=1; fi
done <"$out/actual.txt"
for name in $(cut -d/ -f1 "$out/actual.txt" | sort -u); do
  while read -r file _; do
    grep -q "^$file " "$out/actual.txt" || { echo "FAIL $file: recorded but not produced"; status=1; }
  done < <(grep "^$name/" "$hashes")
done
[ $status -eq 0 ] && echo "golden outputs: $(wc -l <"$out/actual.txt") files identical to the recorded ones, at 1 and 2 threads"
exit $status
