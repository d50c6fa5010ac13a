#!/usr/bin/env bash
# The README's first command: install, build, and show what jitscope tells
# you about the classic example (MyCell with a data-dependent gate), traced.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${JITSCOPE_BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

model="$build/models/my_cell.traced.pt"
run() {
  printf '\n\033[1m$ jitscope %s\033[0m\n' "$*" | sed "s|$build/||g"
  "$build/cli/jitscope" "$@"
}
run info "$model"
run dump "$model" --inline --source
