#!/usr/bin/env bash
# special_files.sh UNREST SCRATCH: `unrest check` refuses what is not a regular scenario file (a device that never
# ends, an empty device, a FIFO nobody writes to, a directory, a file over 4 MiB), each within 10 s with exit
# code 2 and a message naming the file and what it is.
set -u
unrest=$1 scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch/folder"
mkfifo "$scratch/fifo"
{ echo "scenario: {name: big}"; head -c 5000000 /dev/zero | tr '\0' '#'; echo; } >"$scratch/big.yaml"
status=0
expect() {
  local file=$1 want=$2 out code
  out=$(timeout 10 "$unrest" check "$file" 2>&1)
  code=$?
  if [ "$code" -ne 2 ] || ! grep -qF -- "$file:1:1: error: '$file' $want" <<<"$out"; then
    echo "FAIL: unrest check $file: exit code $code (expected 2, 124 means it hung), output:"; echo "$out"
    status=1
  fi
}
expect /dev/zero "is a device (expected a regular YAML file)"
expect /dev/null "is a device (expected a regular YAML file)"
expect "$scratch/fifo" "is a FIFO (expected a regular YAML file)"
expect "$scratch/folder" "is a directory (expected a regular YAML file)"
expect "$scratch/big.yaml" "is larger than 4 MiB (expected a scenario of a few kilobytes)"
expect "$scratch/missing.yaml" "cannot be opened: No such file or directory (expected a readable YAML file)"
exit $status
