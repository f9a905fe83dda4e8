#!/usr/bin/env bash
# with_xvfb.sh COMMAND [ARG...]: runs COMMAND on a private, headless X server (Xvfb, software OpenGL through
# Mesa), so the viewer's tests need no display. -displayfd lets Xvfb pick a free display itself, so tests can run
# side by side. -noreset keeps the server up when its last client leaves: otherwise it resets, and a test that
# opens its next window during the reset (more likely on a loaded machine) fails to connect.
set -u
if ! command -v Xvfb >/dev/null 2>&1; then
  echo "with_xvfb.sh: Xvfb not found (scripts/install-deps.sh installs xvfb)" >&2
  exit 1
fi
ready=$(mktemp)
Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp -noreset 3>"$ready" 2>/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$ready"' EXIT
for _ in $(seq 200); do
  [[ -s $ready ]] && break
  sleep 0.05
done
display=$(head -n 1 "$ready")
if [[ -z $display ]]; then
  echo "with_xvfb.sh: Xvfb did not start" >&2
  exit 1
fi
DISPLAY=":$display" "$@"
