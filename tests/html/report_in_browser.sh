#!/usr/bin/env bash
# report_in_browser.sh JITSCOPE MODELS OUT: `jitscope report` on the seed
# example, loaded in headless Chromium (Debian's `chromium`):
#  - the page makes no network request (no http(s) URL in src/href);
#  - it runs without a JavaScript error: the page's first script records
#    window errors into <html data-js-errors>, read back with --dump-dom;
#    a copy with an injected error proves that detection works;
#  - its last script ran (data-report-ready="yes"), the graph explorer drew
#    (data-explorer-ready="yes"; tests/html/report_explorer.js clicks it) and
#    the finding is linked to its node;
#  - a screenshot is taken (OUT/report.png) for a person to look at.
# Exit 77 (ctest: skipped) when chromium is not installed.
set -euo pipefail
jitscope="$1"; models="$2"; out="$3"
if ! command -v chromium >/dev/null 2>&1; then
  echo "SKIP: chromium is not installed (scripts/install-deps.sh installs it)"
  exit 77
fi
mkdir -p "$out"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
browse() {  # browse URL EXTRA-ARGS...: chromium headless, quiet, own profile
  local url="$1"; shift
  timeout 120 chromium --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$profile" \
    --virtual-time-budget=5000 "$@" "$url" 2>"$out/chromium.log"
}
fail() { echo "FAIL: $*"; exit 1; }

"$jitscope" report "$models/my_cell.traced.pt" --reference "$models/my_cell.scripted.pt" \
  --inputs "$models/inputs/my_cell.pt" -o "$out/report.html"

if grep -Eo '(src|href)="https?://[^"]*"' "$out/report.html"; then fail "the report links the network"; fi

dom="$(browse "file://$out/report.html" --dump-dom)"
grep -q 'data-report-ready="yes"' <<<"$dom" || fail "the report's script did not finish"
if grep -o 'data-js-errors="[^"]*"' <<<"$dom"; then fail "JavaScript errors in the report"; fi
grep -q '<div class="jx jx-embedded"' <<<"$dom" || fail "no graph explorer"
grep -q 'data-explorer-ready="yes"' <<<"$dom" || fail "the explorer did not draw the graph"
grep -q 'trace-data-dependent-branch' <<<"$dom" || fail "the finding is missing"
grep -q 'classic.py:21' <<<"$dom" || fail "the finding's location is missing"
grep -q 'data-nodes="n' <<<"$dom" || fail "the finding is not linked to a graph node"
grep -q '<h3 id="check">Outputs against a reference</h3>' <<<"$dom" || fail "no check table (outputs against --reference)"
grep -q '<td><code>freeze</code></td>' <<<"$dom" || fail "no pass statistics (the inference preset's freeze row)"
echo "ok: loads without JavaScript errors, graph, finding, check table and pass statistics present"

# Negative control: the same page with a script that throws must be caught.
sed 's|</main>|</main><script>undefinedFunctionOfTheTest();</script>|' "$out/report.html" > "$out/broken.html"
broken="$(browse "file://$out/broken.html" --dump-dom)"
grep -q 'data-js-errors="[^"]*undefinedFunctionOfTheTest' <<<"$broken" || fail "an injected JavaScript error went unnoticed"
echo "ok: an injected JavaScript error is detected"

rm -f "$out/report.png"
browse "file://$out/report.html" --screenshot="$out/report.png" --window-size=1400,2400 --hide-scrollbars >/dev/null
[ -s "$out/report.png" ] || fail "no screenshot"
echo "ok: screenshot $out/report.png ($(stat -c %s "$out/report.png") bytes)"
