#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repository root (carry: .deps, filled by
# scripts/gpu/fetch-debs.sh):  device run: bash scripts/gpu/check-fixtures-on-cuda.sh
# Issue #17's CUDA proof over the whole pitfall catalogue: builds the
# jitscope binary and the pitfalls fixtures (torch 2.x, which verifies every
# baked-device label on CUDA), then runs `jitscope check --device cpu,cuda`
# on every traced fixture. Every clean control must be exit 0; every
# baked-device fixture must be exit 1 with a trace-baked-device finding.
set -uo pipefail
d=/tmp/jdeps; b=${JITSCOPE_GPU_BUILD:-/tmp/jb}; mkdir -p $d
for f in .deps/debs/*.deb; do dpkg -x "$f" $d; done
export LD_LIBRARY_PATH=$d/usr/lib/x86_64-linux-gnu:$d/usr/lib/x86_64-linux-gnu/graphviz PKG_CONFIG_PATH=$d/usr/lib/x86_64-linux-gnu/pkgconfig PKG_CONFIG_SYSROOT_DIR=$d
tp=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
if [ ! -x $b/cli/jitscope ]; then
  cmake -S . -B $b -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$tp;$d/usr" \
    -DJITSCOPE_PYTHON="$(command -v python3)" -DJITSCOPE_GRAPHVIZ_CAIRO=OFF > $OUT/cfg.log 2>&1 || { tail -30 $OUT/cfg.log; exit 1; }
  cmake --build $b --target jitscope -j16 > $OUT/build.log 2>&1 || { tail -40 $OUT/build.log; exit 1; }
fi
m=$b/models
[ -f $m/pitfalls/ground_truth.json ] || (cd models && python3 build_fixtures.py --out $m --only pitfalls) 2>&1 | tail -3
python3 - "$b/cli/jitscope" "$m/pitfalls" <<'PY'
import json, subprocess, sys
jit, root = sys.argv[1], sys.argv[2]
truth = json.load(open(f"{root}/ground_truth.json"))["files"]
bad, counts = [], {"clean ok": 0, "clean": 0, "device ok": 0, "device": 0}
for name, t in sorted(truth.items()):
    if not name.endswith(".traced.pt"):
        continue
    device = t["category"] == "baked-device"
    if t["lossy"] and not device:
        continue
    r = subprocess.run([jit, "check", f"{root}/{name}", "--inputs", f"{root}/{t['inputs']}",
                        "--device", "cpu,cuda"], capture_output=True, text=True)
    key = "device" if device else "clean"
    counts[key] += 1
    ok = (r.returncode == 1 and "trace-baked-device" in r.stdout) if device else r.returncode == 0
    counts[key + " ok"] += ok
    if not ok:
        bad.append(f"{name}: exit {r.returncode}: {(r.stdout + r.stderr).strip().splitlines()[-1:]}")
print(f"clean controls passing check --device cpu,cuda: {counts['clean ok']}/{counts['clean']}")
print(f"baked-device fixtures failing it with trace-baked-device (exit 1): {counts['device ok']}/{counts['device']}")
print("\n".join(bad))
PY
