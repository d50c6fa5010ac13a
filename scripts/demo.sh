#!/usr/bin/env bash
# The README's first command: install, build, and show what jitscope tells
# you about the classic example (MyCell with a data-dependent gate), traced:
# info, the IR with Python lines, the audit (static, then proved against the
# scripted export), the outputs checked against the script, and a drawing of
# both with the finding highlighted.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${JITSCOPE_BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" --target jitscope fixtures

model="$build/models/my_cell.traced.pt"
bold="" plain=""
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
run() {
  printf '\n%s$ jitscope %s%s\n' "$bold" "$*" "$plain" | sed "s|$build/||g"
  "$build/cli/jitscope" "$@"
}
run info "$model"
run dump "$model" --inline --source
# audit exits 1 here: it finds the branch tracing froze. That is the point.
run audit "$model" || true
run audit "$model" --reference "$build/models/my_cell.scripted.pt" \
  --inputs "$build/models/inputs/my_cell.pt" --counterexample-dir "$build/counterexamples" || true
# check exits 1 too: on the counterexample the audit saved, the trace and the
# script disagree, and --localize names the first node where they part.
run check "$model" --against "$build/models/my_cell.scripted.pt" \
  --inputs "$build/counterexamples/my_cell.traced.counterexample0.pt" --localize || true
# The picture: the trace beside the scripted export, the audit's finding in red.
"$build/cli/jitscope" audit "$model" --format json > "$build/my_cell.audit.json" || true
run graph "$model" --reference "$build/models/my_cell.scripted.pt" \
  --highlight "$build/my_cell.audit.json" -o "$build/my_cell.svg"
echo "wrote $build/my_cell.svg: open it in a browser (tooltips show each node's IR, schema and source)"
