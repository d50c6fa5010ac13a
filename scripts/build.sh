#!/usr/bin/env bash
# Configures and builds jitscope in Release into build/ (fixture models are
# generated as part of the build). Extra arguments go to cmake --build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${JITSCOPE_BUILD_DIR:-$root/build}"
jobs="$(nproc)"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --parallel "$jobs" "$@"
