#!/usr/bin/env bash
# Run ON THE GPU MACHINE after scripts/gpu/build-and-test.sh (same call or
# same warm machine), from the repository root:
#   device run: bash scripts/gpu/build-and-test.sh && bash scripts/gpu/check-cuda.sh
# Runs `jitscope check --device cpu,cuda` (float32, then the CUDA side in
# float16) on the fixture models and writes text and JSON reports to
# $OUT/check, plus a summary table (summary.txt) for docs/commands/check.md.
# A mismatch (exit 1) is a result here, not a failure of the script.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/after-build.sh" check
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$out/gpu.txt" 2>&1

run() {  # name model inputs extra-args...
  local name="$1" model="$2" inputs="$3"
  shift 3
  for format in text json; do
    "$jitscope" check "$models/$model" --inputs "$models/$inputs" --device cpu,cuda "$@" \
      --format "$format" --timing > "$out/$name.$format" 2> "$out/$name.$format.stderr"
    echo "$?" > "$out/$name.$format.exit"
  done
}

for model in resnet18 mobilenet_v3_small bert_tiny my_cell; do
  for kind in traced scripted; do
    run "$model.$kind.fp32" "$model.$kind.pt" "inputs/$model.pt" --localize
    run "$model.$kind.fp16" "$model.$kind.pt" "inputs/$model.pt" --dtype float16
  done
done
# The one-weight-changed pair on CUDA: --localize must still name layer3.0.conv2.
"$jitscope" check "$models/check/resnet18_layer3_0_conv2.scripted.pt" --against "$models/check/resnet18.scripted.pt" \
  --inputs "$models/check/inputs/resnet18.pt" --device cuda --localize > "$out/perturbed.cuda.text" 2>&1
echo "$?" > "$out/perturbed.cuda.exit"

python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
rows = ["| run | exit | output | max abs diff | max rel diff | mismatched/total | min atol | first divergence |",
        "|---|---|---|---|---|---|---|---|"]
for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    name = os.path.basename(path)[:-5]
    code = open(path + ".exit").read().strip()
    try:
        report = json.load(open(path))
    except ValueError:
        rows.append(f"| {name} | {code} | (no report: {open(path + '.stderr').read().strip()[:120]}) |||||||")
        continue
    first = {l["input_set"]: l["first_divergence"] for l in report.get("localize", [])}
    for o in report["outputs"]:
        f = first.get(o["input_set"])
        where = f"{f['op']} in {f['module'] or '(root)'}" if f else ("-" if not first else "none")
        if o.get("structure_error"):
            rows.append(f"| {name} | {code} | {o['path']} | {o['structure_error']} ||||{where} |")
            continue
        rows.append(f"| {name} | {code} | {o['path']} | {o['max_abs_diff']} | {o['max_rel_diff']} | "
                    f"{o['mismatched']}/{o['total']} | {o['min_atol']} | {where} |")
open(os.path.join(out, "summary.md"), "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
