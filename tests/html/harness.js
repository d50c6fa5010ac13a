// What the browser tests share (tests/html/explorer_in_browser.js,
// report_explorer.js): skipping without Chromium, pass/fail lines, opening a
// page and waiting for its scripts, and the check that a page asked the
// network for nothing and logged no error.
'use strict';
const {spawnSync} = require('child_process');

// Exit 77 (ctest: skipped) when chromium is not installed.
function skipWithoutChromium() {
  if (spawnSync('sh', ['-c', 'command -v chromium']).status !== 0) {
    console.log('SKIP: chromium is not installed (scripts/install-deps.sh installs it)');
    process.exit(77);
  }
}

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}`);
  if (!ok) failures++;
  return ok;
}

// Exits 1 when a check failed, 0 otherwise.
function finish(out) {
  console.log(failures ? `${failures} check(s) failed` : `all checks passed; screenshots in ${out}`);
  process.exit(failures ? 1 : 0);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Opens file://FILE in a new tab and waits (5 s at most) until <html> has
// every attribute of `ready` set to "yes" (data-explorer-ready: the explorer
// drew its first picture).
async function openPage(browser, file, ready = ['data-explorer-ready']) {
  const p = await browser.newPage();
  await p.open('file://' + file);
  const done = ready.map((a) => `document.documentElement.getAttribute('${a}') === 'yes'`).join(' && ');
  for (let i = 0; i < 100 && !(await p.eval(done)); i++) await sleep(50);
  return p;
}

// Nothing but the page itself (and data: URLs) was asked for; no error
// logged, neither to the console nor to the pages' own error records.
async function checkClean(p, file, what) {
  const foreign = p.requests.filter((u) => u !== 'file://' + file && !u.startsWith('data:'));
  check(foreign.length === 0, `${what}: no network request${foreign.length ? ' (asked for ' + foreign.join(', ') + ')' : ''}`);
  const recorded = (await p.eval('(window.jitscopeErrors || []).concat(window.__jsErrors || [])')) || [];
  const errors = p.consoleErrors.concat(recorded);
  check(errors.length === 0, `${what}: no console error${errors.length ? ' (' + errors.join(' | ') + ')' : ''}`);
}

module.exports = {skipWithoutChromium, check, finish, sleep, openPage, checkClean};
