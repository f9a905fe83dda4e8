#!/usr/bin/env bash
# expect_error.sh UNREST FILE [COMMAND...]: `unrest COMMAND FILE` (default: check) must fail with exit code 2 and
# print, for every line that the case's "# expect:" comments name, a message "FILE:LINE:COL: error: KEY.PATH: ..."
# containing that text.
set -u
unrest=$1 file=$2
shift 2
command=(check)
[ $# -gt 0 ] && command=("$@")
out=$("$unrest" "${command[@]}" "$file" 2>&1)
code=$?
if [ "$code" -ne 2 ]; then
  echo "expected exit code 2 (scenario error), got $code; output:"; echo "$out"; exit 1
fi
status=0
while IFS= read -r want; do
  if ! grep -qF -- "$want" <<<"$out"; then
    echo "missing in output: $want"; status=1
  fi
done < <(sed -n 's/^# expect: //p' "$file" | sed "s|@FILE@|$file|g")
if [ "$status" -ne 0 ]; then echo "output was:"; echo "$out"; fi
exit $status
