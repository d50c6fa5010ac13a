#!/usr/bin/env bash
# Run ON THE GPU MACHINE (Ubuntu 24.04, CMake 4, torch 2.x wheel), from the
# repository root, after scripts/gpu/fetch-debs.sh filled .deps/debs here:
#   device run: bash scripts/gpu/build-and-test.sh   (carry: .deps)
# Builds jitscope against the wheel's LibTorch, regenerates the fixtures with
# that torch, and runs the whole ctest suite. Logs and the tiny torch-2.x
# models for tests/data go to $OUT when set.
set -euo pipefail
root="$(pwd)"
out="${OUT:-/tmp/jitscope-gpu-out}"
deps=/tmp/jitscope-deps
build=/tmp/jitscope-build
mkdir -p "$out" "$deps"

for deb in "$root"/.deps/debs/*.deb; do dpkg -x "$deb" "$deps"; done
python3 -c 'import torch, torchvision; print("torch", torch.__version__, "torchvision", torchvision.__version__, "cuda", torch.cuda.is_available())'
torch_prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
export LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu:$deps/usr/lib/x86_64-linux-gnu/graphviz${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Graphviz from the unpacked .debs, found through pkg-config; the machine has
# no cairo/pango, so PNG/PDF output is left out (SVG and DOT work).
export PKG_CONFIG_PATH="$deps/usr/lib/x86_64-linux-gnu/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$deps"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$deps/usr" \
  -DJITSCOPE_PYTHON="$(command -v python3)" -DJITSCOPE_GRAPHVIZ_CAIRO=OFF 2>&1 | tail -5
time cmake --build "$build" --parallel "$(nproc)" > "$out/build.log" 2>&1 \
  || { grep -B2 -A12 "FAILED\|error:" "$out/build.log" | head -80; exit 1; }
tail -3 "$out/build.log"
# Compat fixtures saved by another torch (carried from the Debian machine's
# build/models/compat): the model test predicts which load here, then tries.
if [ -f "$root/build/models/compat/manifest.json" ]; then
  export JITSCOPE_COMPAT_FIXTURES="$root/build/models/compat"
fi
# 8 tests at once on 16 cores: two intra-op threads each, or LibTorch's
# default (one per core) oversubscribes the machine 8x and golden cases time out.
(cd "$build" && OMP_NUM_THREADS=2 ctest --output-on-failure --parallel 8 --timeout 300) 2>&1 | tee "$out/ctest.log" | tail -15 \
  || true  # the fixtures and table below are wanted either way

# Tiny models saved by this torch, for tests/data/torch2 (read by LibTorch 1.13 in CI).
mkdir -p "$out/torch2"
for f in my_cell.traced my_cell.scripted mixing_trace_calls_script mixing_script_calls_trace; do
  cp "$build/models/$f.pt" "$out/torch2/$f.pt"
done
python3 - "$build/models/manifest.json" "$out/torch2/manifest.json" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
keep = {k: v for k, v in manifest.items()
        if k in ("my_cell.traced.pt", "my_cell.scripted.pt",
                 "mixing_trace_calls_script.pt", "mixing_script_calls_trace.pt")}
json.dump(keep, open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
# The compat fixtures this torch saved (tests/data/torch2/compat), and this
# LibTorch's target table (validators/targets/libtorch-MAJOR.MINOR.json).
mkdir -p "$out/torch2/compat"
cp "$build"/models/compat/*.pt "$build"/models/compat/*.ptl "$build/models/compat/manifest.json" "$out/torch2/compat/"
# The device call brings back a limited number of files: the compat folder
# travels as one tar (untar it into tests/data/torch2/compat).
tar cf "$out/torch2-compat.tar" -C "$out/torch2/compat" . && rm -rf "$out/torch2/compat"
target="libtorch-$(python3 -c 'import torch; print(".".join(torch.__version__.split(".")[:2]))')"
"$build/cli/jitscope" target-info -o "$out/$target.json"
"$build/cli/jitscope" info "$out/torch2/my_cell.traced.pt" | head -8
