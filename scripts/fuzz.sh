#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (AddressSanitizer +
# UndefinedBehaviorSanitizer) into build-fuzz/ and runs each for SECONDS,
# seeded with the fixture models and the hostile corpus (build them first:
# scripts/build.sh). Crashes land in build-fuzz/crashes/.
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default 60 s; targets:
#        fuzz_archive fuzz_pickle_scan fuzz_torch_unpickler fuzz_compiler)
# fuzz_compiler links the gcc-built libraries of build/ (scripts/build.sh)
# and instruments only its generator; it runs in fork mode, so a crash is
# saved and the run goes on.
# Needs: apt-get install -y clang libclang-rt-14-dev (not part of CI).
# Without clang (gcc only, the GPU machine): scripts/gpu/fuzz-sanitized.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${JITSCOPE_FUZZ_DIR:-$root/build-fuzz}"
models="${JITSCOPE_MODELS_DIR:-$root/build/models}"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_archive fuzz_pickle_scan fuzz_torch_unpickler fuzz_compiler)
cxx="${CXX_FUZZ:-clang++}"
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found; apt-get install -y clang libclang-rt-14-dev" >&2; exit 2; }
[ -d "$models/hostile" ] || { echo "fuzz: no $models/hostile; run scripts/build.sh first" >&2; exit 2; }

mkdir -p "$out/crashes"
flags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -DFMT_HEADER_ONLY=1 -I"$root/core/include" -I"$root/inspector/include")
gate_sources=("$root/inspector/src/zip_directory.cpp" "$root/inspector/src/archive.cpp"
              "$root/inspector/src/pickle_scan.cpp" "$root/core/src/errors.cpp")

build() {
  local target="$1"
  echo "fuzz: building $target" >&2
  case "$target" in
    fuzz_archive) "$cxx" "${flags[@]}" "$root/fuzz/fuzz_archive.cpp" "${gate_sources[@]}" -o "$out/$target" ;;
    fuzz_pickle_scan) "$cxx" "${flags[@]}" "$root/fuzz/fuzz_pickle_scan.cpp" "$root/inspector/src/pickle_scan.cpp" "$root/core/src/errors.cpp" \
                        -o "$out/$target" ;;
    fuzz_torch_unpickler) "$cxx" "${flags[@]}" -isystem /usr/include/torch/csrc/api/include \
                            "$root/fuzz/fuzz_torch_unpickler.cpp" -ltorch -ltorch_cpu -lc10 -o "$out/$target" ;;
    fuzz_compiler) "$cxx" -std=c++17 -g -O1 -fsanitize=fuzzer,address -DFMT_HEADER_ONLY=1 -I"$root/core/include" \
                     -I"$root/inspector/include" -isystem /usr/include/torch/csrc/api/include "$root/fuzz/fuzz_compiler.cpp" \
                     "$root/build/inspector/libjitscope_inspector.a" "$root/build/core/libjitscope_core.a" \
                     -ltorch -ltorch_cpu -lc10 -ldl -o "$out/$target" ;;
    *) echo "fuzz: unknown target '$target'" >&2; exit 2 ;;
  esac
}

# Seeds: whole archives for the gate, their pickles for the pickle readers.
"${JITSCOPE_PYTHON:-python3}" "$root/fuzz/make_seeds.py" "$models" "$out/seeds"

status=0
for target in "${targets[@]}"; do
  build "$target"
  seeds="$out/seeds/archive"; [ "$target" = fuzz_archive ] || seeds="$out/seeds/pickle"
  [ "$target" != fuzz_compiler ] || seeds="$out/seeds/compiler"  # bytes drive a grammar: no seeds
  mkdir -p "$out/corpus/$target"
  # (libFuzzer takes the last of a repeated flag: the target's own come last.)
  # LibTorch's Unpickler allocates a string's declared length before checking
  # it against the input (docs/security.md): a 143-byte pickle asks for
  # 1.9 GB. That out-of-memory is known; fork mode lets fuzzing go past it.
  extra=()
  [ "$target" != fuzz_torch_unpickler ] || extra=(-fork=1 -ignore_ooms=1 -ignore_timeouts=1)
  [ "$target" != fuzz_compiler ] || extra=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 -max_len=4096
                                         -rss_limit_mb=6144 -timeout=60)
  [ "$target" != fuzz_compiler ] || export JITSCOPE_FUZZ_TEMPLATE="$models/my_cell.scripted.pt"
  echo "fuzz: running $target for $seconds s" >&2
  TMPDIR="${TMPDIR:-/tmp}" "$out/$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
      -timeout=10 -print_final_stats=1 -artifact_prefix="$out/crashes/$target-" "${extra[@]}" \
      "$out/corpus/$target" "$seeds" 2>"$out/$target.log" || status=1
  tail -n 12 "$out/$target.log" | grep -E '^(stat::|#|==|SUMMARY|Done)' >&2 || true
done
exit $status
