#!/usr/bin/env bash
# expect_error.sh UNREST FILE [COMMAND...]: `unrest COMMAND FILE` (default: check) must fail with exit code 2 and
# print, for every line that the case's "# expect:" comments name, a message "FILE:LINE:COL: error: KEY.PATH: ..."
# containing that text. It must do so within 10 s and 1 GB of memory (the memory limit is left out in sanitizer
# builds, which reserve terabytes of address space up front).
set -u
unrest=$1 file=$2
shift 2
command=(check)
[ $# -gt 0 ] && command=("$@")
ldd "$unrest" 2>/dev/null | grep -q libasan || ulimit -v 1048576
out=$(timeout 10 "$unrest" "${command[@]}" "$file" 2>&1)
code=$?
if [ "$code" -eq 124 ]; then
  echo "no answer within 10 s; output:"; echo "$out"; exit 1
fi
if [ "$code" -ne 2 ]; then
  echo "expected exit code 2 (scenario error), got $code; output:"; echo "$out"; exit 1
fi
status=0
grep -q '^# expect: ' "$file" || { echo "$file has no '# expect:' line to check"; exit 1; }
while IFS= read -r want; do
  if ! grep -qF -- "$want" <<<"$out"; then
    echo "missing in output: $want"; status=1
  fi
done < <(sed -n 's/^# expect: //p' "$file" | sed "s|@FILE@|$file|g")
if [ "$status" -ne 0 ]; then echo "output was:"; echo "$out"; fi
exit $status
