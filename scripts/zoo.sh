#!/usr/bin/env bash
# Builds the real-model zoo (models/zoo.py: torchvision/torchaudio, random
# weights, traced and scripted) and runs every model-reading command on it
# (tests/zoo/run_zoo.py), writing the table to docs/zoo.md.
# usage: scripts/zoo.sh [NAME ...]     (default: the whole zoo; minutes)
# Needs a built jitscope (scripts/build.sh); JITSCOPE_BUILD_DIR as there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${JITSCOPE_BUILD_DIR:-$root/build}"
python="${JITSCOPE_PYTHON:-/usr/bin/python3}"
only=()
if [ $# -gt 0 ]; then only=(--only "$@"); fi
"$python" "$root/models/zoo.py" --out "$build/zoo" "${only[@]}"
table="$(mktemp)"
trap 'rm -f "$table"' EXIT
status=0
"$python" "$root/tests/zoo/run_zoo.py" --jitscope "$build/cli/jitscope" --zoo "$build/zoo" "${only[@]}" \
  --markdown "$table" || status=$?
{
  sed -n '1,/^<!-- table -->$/p' "$root/docs/zoo.md"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $("$build/cli/jitscope" --version | head -1), LibTorch $("$python" -c 'import torch; print(torch.__version__)') (exit · wall seconds · peak RSS of the run):"
  echo
  cat "$table"
} > "$root/docs/zoo.md.new"
mv "$root/docs/zoo.md.new" "$root/docs/zoo.md"
exit "$status"
