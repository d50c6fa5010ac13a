#!/usr/bin/env bash
# Sanitized fuzzing without libFuzzer: builds the targets of fuzz/ with g++
# -fsanitize=address,undefined (our libraries instrumented too; LibTorch is
# not) and fuzz/standalone_main.cpp as their driver, then runs each target
# for SECONDS, JOBS copies at once with different seeds, and writes a
# summary (fuzz-summary.md) and the saved inputs (fuzz-crashes.tar).
#
# usage: scripts/gpu/fuzz-sanitized.sh [SECONDS] [TARGET...]
#   (default 600 s; targets: fuzz_archive fuzz_pickle_scan fuzz_torch_unpickler fuzz_compiler)
# On the GPU machine (Ubuntu 24.04, gcc 13, the torch wheel in python3), from
# the repository root, after scripts/gpu/fetch-debs.sh filled .deps/debs:
#   device run: bash scripts/gpu/fuzz-sanitized.sh 300   (carry: .deps)
# Here (Debian, LibTorch from apt): the same command; it reuses build/models
# when scripts/build.sh made it. JITSCOPE_FUZZ_BUILD: the build folder
# (default /tmp/jitscope-fuzz-build); JITSCOPE_FUZZ_JOBS: copies per target
# (default: the cores shared among the targets); results go to $OUT, else
# the build folder.
set -euo pipefail
root="$(pwd)"
[ -f "$root/fuzz/standalone_main.cpp" ] || { echo "fuzz-sanitized: run it from the repository root" >&2; exit 2; }
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_archive fuzz_pickle_scan fuzz_torch_unpickler fuzz_compiler)
build="${JITSCOPE_FUZZ_BUILD:-/tmp/jitscope-fuzz-build}"
out="${OUT:-$build/out}"
jobs="${JITSCOPE_FUZZ_JOBS:-$(( $(nproc) / ${#targets[@]} > 0 ? $(nproc) / ${#targets[@]} : 1 ))}"
mkdir -p "$build" "$out"

# Where LibTorch and the other libraries are: as scripts/gpu/build-and-test.sh
# finds them on the GPU machine (the wheel; .debs unpacked), else the system's.
prefix=()
if [ -d "$root/.deps/debs" ]; then
  deps=/tmp/jitscope-deps
  mkdir -p "$deps"
  for deb in "$root"/.deps/debs/*.deb; do dpkg -x "$deb" "$deps"; done
  export LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu:$deps/usr/lib/x86_64-linux-gnu/graphviz${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PKG_CONFIG_PATH="$deps/usr/lib/x86_64-linux-gnu/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$deps"
  prefix=("-DCMAKE_PREFIX_PATH=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)');$deps/usr"
          -DJITSCOPE_GRAPHVIZ_CAIRO=OFF)
fi
python="$(command -v python3)"
"$python" -c 'import torch' 2>/dev/null || python=/usr/bin/python3
fixtures=ON
if [ -f "$root/build/models/manifest.json" ]; then  # this machine's fixtures, when built
  rm -rf "$build/models" && ln -s "$root/build/models" "$build/models"
  fixtures=OFF
fi
# As scripts/sanitize.sh: vptr needs the typeinfo of LibTorch classes, which
# the torch 2.x wheel does not export.
flags="-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
  -DJITSCOPE_FUZZ_STANDALONE=ON -DJITSCOPE_BUILD_FIXTURES="$fixtures" -DJITSCOPE_PYTHON="$python" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" "${prefix[@]}" >/dev/null
build_targets=("${targets[@]}")
[ "$fixtures" = OFF ] || build_targets+=(fixtures)
time cmake --build "$build" --parallel "$(nproc)" --target "${build_targets[@]}" 2>&1 | tail -3
"$python" "$root/fuzz/make_seeds.py" "$build/models" "$build/seeds"

# LibTorch's registries live to exit and its containers are not
# instrumented: no leak or container-overflow reports (as scripts/sanitize.sh).
# allocator_may_return_null: LibTorch's unpickler asks for gigabytes on a
# 143-byte pickle (docs/security.md); that is std::bad_alloc, not a finding.
export ASAN_OPTIONS="detect_leaks=0:detect_container_overflow=0:allocator_may_return_null=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cores="$(nproc)"  # (before OMP_NUM_THREADS, which nproc obeys)
export OMP_NUM_THREADS=1 JITSCOPE_FUZZ_TEMPLATE="$build/models/my_cell.scripted.pt"
# The targets write their scratch archive to $TMPDIR, one per child.
export TMPDIR="$build/tmp"
rm -rf "$build/crashes" "$build/logs" "$TMPDIR" && mkdir -p "$build/crashes" "$build/logs" "$TMPDIR"
pids=()
for target in "${targets[@]}"; do
  seeds="$build/seeds/archive"
  case "$target" in
    fuzz_archive) extra=(-max_len=65536) ;;
    fuzz_pickle_scan | fuzz_torch_unpickler) seeds="$build/seeds/pickle"; extra=(-max_len=65536) ;;
    # (the driver takes the last of a repeated flag: these come last)
    fuzz_compiler) seeds="$build/seeds/compiler"; extra=(-max_len=4096 -rss_limit_mb=6144 -timeout=60) ;;
    *) echo "fuzz-sanitized: unknown target '$target'" >&2; exit 2 ;;
  esac
  for job in $(seq 1 "$jobs"); do
    "$build/fuzz/$target" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -seed="$((job * 7919))" \
      -artifact_prefix="$build/crashes/$target-j$job-" "${extra[@]}" "$seeds" >"$build/logs/$target-j$job.log" 2>&1 &
    pids+=($!)
  done
done
echo "fuzz-sanitized: ${#targets[@]} target(s) x $jobs job(s) for $seconds s" >&2
for pid in "${pids[@]}"; do wait "$pid" || true; done

# The summary: per target, executions and what was saved, with the first
# sanitizer or crash line of each saved input's log.
total() {  # total TARGET STAT: the stat summed over the target's jobs
  cat "$build"/logs/"$1"-j*.log | sed -n "s/^stat::$2: //p" | awk '{s += $1} END {print s + 0}'
}
{
  echo "# Sanitized fuzzing (scripts/gpu/fuzz-sanitized.sh)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $cores cores, $(g++ --version | head -1), LibTorch $("$python" -c 'import torch; print(torch.__version__)'), $seconds s per job, $jobs job(s) per target, ASan + UBSan"
  echo
  echo "| target | executions | crashes | timeouts | out-of-memory |"
  echo "|---|---|---|---|---|"
  for target in "${targets[@]}"; do
    echo "| \`$target\` | $(total "$target" number_of_executed_units) | $(total "$target" crashes) | $(total "$target" timeouts) | $(total "$target" ooms) |"
  done
  echo
  found=0
  for log in "$build"/crashes/*.log; do
    [ -e "$log" ] || continue
    found=1
    first="$(grep -m1 -E '^(SUMMARY: |==[0-9]+==ERROR|.*runtime error|terminate called|.*Assertion)' "$log" || true)"
    echo "- \`$(basename "${log%.log}")\`: ${first:-$(tail -n 1 "$log")}"
  done
  [ "$found" = 1 ] || echo "Nothing saved: no crash, timeout or out-of-memory."
} > "$out/fuzz-summary.md"
cat "$out/fuzz-summary.md"
tar cf "$out/fuzz-crashes.tar" -C "$build" crashes logs
rm -rf "$TMPDIR"
