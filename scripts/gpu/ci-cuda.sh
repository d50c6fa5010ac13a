#!/usr/bin/env bash
# Run ON THE GPU MACHINE after scripts/gpu/build-and-test.sh (same call or
# same warm machine), from the repository root:
#   device run: bash scripts/gpu/build-and-test.sh && bash scripts/gpu/ci-cuda.sh
# The CI guardrail with CUDA: `jitscope ci` with [model.check] steps that run
# on the GPU (CPU vs CUDA, one changed weight localized on CUDA), and
# `jitscope report` pages whose check table compares CPU with CUDA. Writes
# the config, stdout, JUnit/JSON/HTML and the pages to $OUT/ci-cuda, and
# expected-vs-got lines to summary.txt; exits 1 when an expectation fails.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/after-build.sh" ci-cuda
status=0
expect() {  # what got wanted
  if [ "$2" = "$3" ]; then echo "ok   $1: $2" >> "$out/summary.txt"
  else echo "FAIL $1: got $2, wanted $3" >> "$out/summary.txt"; status=1; fi
}

# TF32 convolutions make CPU vs CUDA ResNet18 differ by ~1e-3 (docs/commands/check.md),
# so the CPU/CUDA steps carry a tolerance a team would choose for that.
cat > "$out/jitscope.toml" <<EOF
jobs = 3
[[model]]
name = "resnet18-cpu-vs-cuda"
path = "$models/resnet18.scripted.pt"
inputs = "$models/inputs/resnet18.pt"
  [model.check]
  devices = ["cpu", "cuda"]
  rtol = 1e-2
  atol = 1e-2
[[model]]
name = "cell-trace-vs-script-cuda"
path = "$models/my_cell.traced.pt"
inputs = "$models/inputs/my_cell.pt"
  [model.check]
  against = "$models/my_cell.scripted.pt"
  devices = ["cuda"]
[[model]]
name = "resnet18-changed-weight-cuda"
path = "$models/check/resnet18_layer3_0_conv2.scripted.pt"
inputs = "$models/check/inputs/resnet18.pt"
  [model.check]
  against = "$models/check/resnet18.scripted.pt"
  devices = ["cuda"]
  localize = true
EOF
"$jitscope" ci --config "$out/jitscope.toml" --junit "$out/ci.xml" --json "$out/ci.json" --html "$out/ci.html" \
  --report-dir "$out/pages" > "$out/ci.stdout" 2> "$out/ci.stderr"
expect "ci exit code (one model must fail)" "$?" 1
ls "$out/pages" | wc -l | tr -d ' ' > "$out/pages.count"
expect "ci --report-dir wrote a page per model" "$(cat "$out/pages.count")" 3
grep -q 'First divergence: <code>aten::conv2d</code>.*layer3.0.conv2' "$out/pages/resnet18-changed-weight-cuda.html"
expect "the changed-weight page names layer3.0.conv2 (CUDA check)" "$?" 0
python3 - "$out/ci.json" >> "$out/summary.txt" <<'PY' || status=1
import json, sys
report = json.load(open(sys.argv[1]))
got = {m["name"]: m["status"] for m in report["models"]}
want = {"resnet18-cpu-vs-cuda": "pass", "cell-trace-vs-script-cuda": "pass", "resnet18-changed-weight-cuda": "fail"}
ok = got == want
print(("ok  " if ok else "FAIL") + f" ci statuses: {got}")
details = json.dumps(report)
located = "layer3.0.conv2" in details
print(("ok  " if located else "FAIL") + " ci localizes the changed weight on CUDA to layer3.0.conv2")
sys.exit(0 if ok and located else 1)
PY

"$jitscope" report "$models/check/resnet18_layer3_0_conv2.scripted.pt" --inputs "$models/check/inputs/resnet18.pt" \
  --against "$models/check/resnet18.scripted.pt" --device cuda -o "$out/changed_weight.cuda.html" 2> "$out/report1.stderr"
expect "report --against --device cuda exit code" "$?" 0
grep -q 'First divergence: <code>aten::conv2d</code>.*layer3.0.conv2' "$out/changed_weight.cuda.html"
expect "report names layer3.0.conv2 on CUDA" "$?" 0
"$jitscope" report "$models/resnet18.traced.pt" --inputs "$models/inputs/resnet18.pt" --device cpu,cuda \
  --rtol 1e-2 --atol 1e-2 -o "$out/resnet18.cpu_cuda.html" 2> "$out/report2.stderr"
expect "report --device cpu,cuda exit code" "$?" 0
grep -q '<td>resnet18.traced.pt on cuda</td>' "$out/resnet18.cpu_cuda.html"
expect "report's actual side ran on CUDA" "$?" 0
cat "$out/summary.txt"
exit $status
