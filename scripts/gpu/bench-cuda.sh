#!/usr/bin/env bash
# Run ON THE GPU MACHINE, from the repository root, after
# scripts/gpu/build-and-test.sh built jitscope and the fixtures in
# /tmp/jitscope-build (same warm machine):
#   device run: bash scripts/gpu/bench-cuda.sh
# Times ResNet18 and the BERT-like fixture with `jitscope bench` on CUDA and
# on the CPU (raw, frozen, opt variants), text and JSON under $OUT/bench,
# with the torch and GPU versions, for the table in docs/commands/bench.md.
set -euo pipefail
out="${OUT:-/tmp/jitscope-gpu-out}/bench"
build="${JITSCOPE_GPU_BUILD:-/tmp/jitscope-build}"
deps=/tmp/jitscope-deps
export LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
jitscope="$build/cli/jitscope"
models="$build/models"
mkdir -p "$out"
if [[ ! -x "$jitscope" ]]; then
  echo "bench-cuda: $jitscope is missing; run scripts/gpu/build-and-test.sh first" >&2
  exit 2
fi

{
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  echo "cpu cores: $(nproc)"
} | tee "$out/versions.txt"

# bert_tiny.traced bakes device "cpu" into aten::arange (a tracing pitfall),
# so on CUDA it is expected to fail with a device mismatch (exit 3); the
# scripted export follows its input's device. A failure is recorded in the
# .txt file and the script goes on.
for model in resnet18.traced bert_tiny.traced bert_tiny.scripted; do
  inputs="$models/inputs/${model%%.*}.pt"
  for device in cuda cpu; do
    args=("$models/$model.pt" --inputs "$inputs" --device "$device" --warmup 20 --iters 200)
    if ! "$jitscope" bench "${args[@]}" > "$out/$model.$device.txt" 2>&1; then
      echo "bench-cuda: $model on $device failed (see $model.$device.txt)" >&2
    fi
    cat "$out/$model.$device.txt"
    "$jitscope" bench "${args[@]}" --format json > "$out/$model.$device.json" 2>/dev/null || true
  done
done
