#!/usr/bin/env bash
# Installs the Debian 12 packages unrest needs to build and test, and only those that are missing.
# Runs apt-get as root (directly, or through sudo when not root). Quick when everything is already there.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config        # toolchain
  libeigen3-dev libyaml-cpp-dev libcli11-dev     # the core library and the command line
  libsqlite3-dev                                 # the run store (unrest run --record)
  python3                                        # tests that read the run store as a user would (sqlite3)
  libopenmpi-dev openmpi-bin                     # unrest sweep across Open MPI ranks
  catch2 libbenchmark-dev                        # tests and micro-benchmarks
  libsfml-dev libx11-dev fonts-dejavu-core       # the viewer (render/)
  xvfb xauth libgl1-mesa-dri libglx-mesa0        # the viewer without a screen: Xvfb with Mesa's software OpenGL
  gnuplot-nox                                    # unrest validate's and unrest sweep's plots
  clang libclang-rt-14-dev                       # the fuzzers (libFuzzer and the sanitizers' runtimes)
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "unrest: installing missing packages: ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1; then
  apt_get=(sudo apt-get)
else
  echo "unrest: these packages are missing and installing them needs root: ${missing[*]}" >&2
  echo "        run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}"
