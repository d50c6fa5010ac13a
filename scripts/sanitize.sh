#!/usr/bin/env bash
# Builds jitscope with AddressSanitizer + UndefinedBehaviorSanitizer (gcc)
# into build-asan/ and runs the whole ctest suite there. Not part of CI
# (LibTorch itself is not instrumented, and the build takes a while).
#
# usage: scripts/sanitize.sh [ctest arguments]
# Fixture models are reused from build/models when it exists (run
# scripts/build.sh first); otherwise build-asan generates its own.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${JITSCOPE_ASAN_DIR:-$root/build-asan}"
jobs="${JITSCOPE_JOBS:-$(nproc)}"
# vptr is left out: it needs the typeinfo of LibTorch classes such as
# c10::DynamicType, which the torch 2.x wheel does not export.
flags="-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

fixtures=ON
if [ -f "$root/build/models/manifest.json" ]; then
  mkdir -p "$build"
  [ -e "$build/models" ] || ln -s "$root/build/models" "$build/models"
  fixtures=OFF
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DJITSCOPE_BUILD_FIXTURES="$fixtures" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" --parallel "$jobs"

# LibTorch keeps its registries alive to exit (leak reports would be its
# own), and its uninstrumented containers confuse container-overflow checks.
# allocator_may_return_null: --max-memory must surface as std::bad_alloc, as
# it does without ASan.
export ASAN_OPTIONS="detect_leaks=0:detect_container_overflow=0:allocator_may_return_null=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build" && ctest --output-on-failure "$@"
