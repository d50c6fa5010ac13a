#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repository root (carry: .deps, filled by
# scripts/gpu/fetch-debs.sh):  device run: bash scripts/gpu/check-devices.sh
# trace-baked-device on CUDA (#17): builds only the jitscope binary and the
# devices and bert fixtures, runs check --device cpu,cuda on each devices/
# fixture (traced on the CPU, so each one that pins cpu must be exit 1 with
# a trace-baked-device error, zeros_literal_cpu too: its source asks for the
# CPU; zeros_type_as and no_device_ops must be exit 0), audit
# --device cuda, and traces two modules on CUDA to see what the 2.x tracer
# pins and how the CUDA-traced file fares on the CPU. Not run yet: see the
# #17 report. With JITSCOPE_GPU_BUILD set to a finished build folder (that of
# scripts/gpu/build-and-test.sh, /tmp/jitscope-build), it uses that build.
set -uo pipefail
d=/tmp/jdeps; b=${JITSCOPE_GPU_BUILD:-/tmp/jb}; mkdir -p $d
for f in .deps/debs/*.deb; do dpkg -x "$f" $d; done
export LD_LIBRARY_PATH=$d/usr/lib/x86_64-linux-gnu:$d/usr/lib/x86_64-linux-gnu/graphviz PKG_CONFIG_PATH=$d/usr/lib/x86_64-linux-gnu/pkgconfig PKG_CONFIG_SYSROOT_DIR=$d
tp=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
if [ ! -x $b/cli/jitscope ]; then
cmake -S . -B $b -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$tp;$d/usr" -DJITSCOPE_PYTHON="$(command -v python3)" -DJITSCOPE_GRAPHVIZ_CAIRO=OFF > $OUT/cfg.log 2>&1 || { tail -30 $OUT/cfg.log; exit 1; }
time cmake --build $b --target jitscope -j16 > $OUT/build.log 2>&1 || { tail -40 $OUT/build.log; exit 1; }
fi
m=$b/models
if [ ! -f $m/devices/arange_from_input.traced.pt ]; then
(cd models && python3 build_fixtures.py --out $m --only devices bert) 2>&1 | tail -4
fi
J=$b/cli/jitscope
for x in arange_from_input zeros_no_device ones_like multi_line_arange zeros_literal_cpu zeros_type_as no_device_ops; do
  echo "== check $x --device cpu,cuda"; $J check $m/devices/$x.traced.pt --inputs $m/devices/inputs/$x.pt --device cpu,cuda; echo "rc=$?"
done
echo "== scripted reference on cuda"; $J check $m/devices/arange_from_input.scripted.pt --inputs $m/devices/inputs/arange_from_input.pt --device cpu,cuda | tail -2; echo "rc=$?"
echo "== bert_tiny traced"; $J check $m/bert_tiny.traced.pt --inputs $m/inputs/bert_tiny.pt --device cpu,cuda 2>&1 | tail -12; echo "rc=$?"
echo "== audit --device cuda"; $J audit $m/devices/arange_from_input.traced.pt --reference $m/devices/arange_from_input.scripted.pt --inputs $m/devices/inputs/arange_from_input.pt --device cuda --source-root models --counterexample-dir /tmp; echo "rc=$?"
echo "== 2.11 tracer on cuda"
python3 - $m <<'PY'
import sys, torch, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, "models")
from jitscope_fixtures.devices import ArangeFromInput, OnesLike
for cls in (ArangeFromInput, OnesLike):
    t = torch.jit.trace(cls(), (torch.rand(3, 4, device="cuda"),), check_trace=False)
    devs = [str(n.output().toIValue()) for n in t.inlined_graph.nodes() if n.kind() == "prim::Constant" and n.output().type().kind() == "DeviceObjType"]
    print(cls.__name__, "pinned:", devs)
    t.save(f"{sys.argv[1]}/{cls.__name__}.cuda_traced.pt")
PY
echo "== cuda-traced on cpu"; $J audit $m/ArangeFromInput.cuda_traced.pt --source-root models; echo "rc=$?"
$J info $m/ArangeFromInput.cuda_traced.pt --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["devices"])'
$J check $m/OnesLike.cuda_traced.pt --shape 3x4 --device cuda,cpu 2>&1 | tail -8; echo "rc=$?"
