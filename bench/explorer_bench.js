#!/usr/bin/env node
// Benchmark: the explorer of a model (BERT-base traced by default) in
// headless Chromium, measured in the page with performance.now()
// (tests/html/cdp.js drives the browser). `--page graph` (the default) opens
// the page of `jitscope graph --format html`; `--page report` the page of
// `jitscope report --preset none` (the explorer in its graph section, below
// the summary and findings; the pass table the preset adds does not change
// the graph):
//  - load: from navigation start to the first drawing being done
//    (window.jitscopeExplorer.stats.loadMs; target under 2 s);
//  - expand and collapse: each module of the first drawing opened, then
//    closed again, one at a time; each toggle lays the visible graph out
//    with dagre and redraws it (target under 200 ms each);
//  - the same toggles by a real mouse click, timed from the click to the
//    page's next animation frame.
// Usage: explorer_bench.js --jitscope J --model M [--page graph|report] [--repeat N]
'use strict';
const {execFileSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {Browser} = require('../tests/html/cdp');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const jitscope = arg('--jitscope');
const model = arg('--model');
const repeat = Number(arg('--repeat', '3'));
const kind = arg('--page', 'graph');
if (!jitscope || !model || !['graph', 'report'].includes(kind)) {
  console.error('usage: explorer_bench.js --jitscope J --model M [--page graph|report] [--repeat N]');
  process.exit(2);
}
// The report's page is ready when its own last script has run too.
const ready = kind === 'report' ? ['data-explorer-ready', 'data-report-ready'] : ['data-explorer-ready'];
if (!fs.existsSync(model)) {
  console.error(`benchmark: '${model}' is missing; build the bench_fixtures target`);
  process.exit(2);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jitscope-explorer-bench-'));
  const page = path.join(dir, 'model.html');
  const t0 = process.hrtime.bigint();
  const command = kind === 'report' ? ['report', model, '--preset', 'none', '-o', page] : ['graph', model, '-o', page];
  execFileSync(jitscope, command, {stdio: 'inherit'});
  const writeS = Number(process.hrtime.bigint() - t0) / 1e9;
  const browser = await Browser.launch({width: 1400, height: 900});
  const loads = [], toggles = [], clicks = [];
  let info = null;
  try {
    for (let r = 0; r < repeat; r++) {
      const p = await browser.newPage();
      await p.open('file://' + page);
      const done = ready.map((a) => `document.documentElement.getAttribute('${a}') === 'yes'`).join(' && ');
      for (let i = 0; i < 200 && !(await p.eval(done)); i++) await sleep(25);
      loads.push(await p.eval('window.jitscopeExplorer.stats.loadMs'));
      if (r === 0) {
        info = await p.eval(`(() => { const p = window.jitscopeExplorer.panes[0];
          return {boxes: p.nodes.length, shown: document.querySelectorAll('g.node').length,
                  folded: [...document.querySelectorAll('g.node.kind-folded')].map(g => g.getAttribute('data-cluster'))}; })()`);
        // Open and close every folded box of the first drawing.
        for (const id of info.folded) {
          toggles.push(await p.eval(`window.jitscopeExplorer.toggle(0, ${JSON.stringify(id)})`));
          toggles.push(await p.eval(`window.jitscopeExplorer.toggle(0, ${JSON.stringify(id)})`));
        }
        // By mouse: click the first folded box, time to the next frame (the
        // report's graph section scrolled into the window first).
        await p.eval(`(document.getElementById('graph') || document.body).scrollIntoView({block: 'start'})`);
        for (const id of info.folded.slice(0, 4)) {
          await p.eval(`window.__clickStart = 0; document.addEventListener('mousedown', () => { window.__clickStart = performance.now(); }, {once: true, capture: true})`);
          await p.eval(`window.jitscopeExplorer.panes[0].centreOn(${JSON.stringify('c:' + id)})`);
          await p.click(`g.node.kind-folded[data-cluster="${id}"]`);
          clicks.push(await p.eval(`new Promise(r => requestAnimationFrame(() => r(performance.now() - window.__clickStart)))`));
          await p.eval(`window.jitscopeExplorer.toggle(0, ${JSON.stringify(id)})`);
        }
        // Everything open at once: a layout of every box from scratch.
        info.everything = await p.eval(`(() => { const P = window.jitscopeExplorer.panes[0];
          P.collapsed.clear(); P.cache.clear(); const t = performance.now(); P.layout(); P.render();
          return {ms: performance.now() - t, shown: document.querySelectorAll('g.node').length}; })()`);
        if (p.consoleErrors.length) console.log('console errors: ' + p.consoleErrors.join(' | '));
      }
      await p.send('Page.close').catch(() => {});
    }
  } finally {
    await browser.close();
    fs.rmSync(dir, {recursive: true, force: true});
  }
  console.log(`page: ${kind}; model: ${model} (${info.boxes} boxes in all, ${info.shown} in the first drawing, ` +
              `${info.folded.length} folded modules); page written in ${writeS.toFixed(2)} s (jitscope ${command[0]})`);
  console.log(`  load to first drawing (median of ${repeat})   ${median(loads).toFixed(0).padStart(6)} ms  (target < 2000 ms)`);
  if (toggles.length) {
    console.log(`  expand/collapse, median of ${toggles.length}           ${median(toggles).toFixed(1).padStart(6)} ms`);
    console.log(`  expand/collapse, slowest                  ${Math.max(...toggles).toFixed(1).padStart(6)} ms  (target < 200 ms)`);
  }
  console.log(`  every module open (${info.everything.shown} boxes), one layout ${info.everything.ms.toFixed(0).padStart(6)} ms`);
  if (clicks.length) {
    console.log(`  click to next frame, slowest of ${clicks.length}         ${Math.max(...clicks).toFixed(1).padStart(6)} ms`);
  }
  const ok = median(loads) < 2000 && (!toggles.length || Math.max(...toggles) < 200);
  console.log(ok ? 'within the targets' : 'OVER a target');
}

main().catch((e) => { console.error(e.stack); process.exit(1); });
