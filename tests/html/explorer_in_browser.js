#!/usr/bin/env node
// explorer_in_browser.js JITSCOPE MODELS OUT: `jitscope graph --format html`
// pages driven in headless Chromium through the DevTools protocol
// (tests/html/cdp.js), with real mouse clicks and key presses:
//  - scripted MyCell with --collapse 1: the `dg` module (MyDecisionGate,
//    which holds the `if`) starts as one box; clicking it opens it and its
//    ops (the `if` test, `neg`) are in the DOM; clicking the `if` frame's
//    title closes it again;
//  - searching `classic.py:24` (the line of `-x`) selects the neg node;
//    clicking a node opens the side panel with its IR line and schema;
//  - the trace beside its scripted reference: selecting linear in the
//    trace marks the node of the same Python line in the reference;
//  - the page asked for nothing but itself and logged no error;
//  - screenshots of BERT-like, ResNet18 and the scripted
//    TransformerEncoder (control flow), collapsed and opened, in OUT.
// Exit 77 (ctest: skipped) when chromium is not installed.
'use strict';
const {execFileSync, spawnSync} = require('child_process');
const fs = require('fs');
const path = require('path');
const {Browser} = require('./cdp');
const {skipWithoutChromium, check, finish, openPage, checkClean} = require('./harness');

const [jitscope, models, out] = process.argv.slice(2);
skipWithoutChromium();
fs.mkdirSync(out, {recursive: true});

function page(name, args) {
  const file = path.join(out, name);
  execFileSync(jitscope, ['graph', ...args, '-o', file], {stdio: ['ignore', 'inherit', 'inherit']});
  return file;
}

const titles = (p) => p.eval(`[...document.querySelectorAll('.pane[data-pane="0"] g.node')].map(g => g.querySelector('tspan.title') && g.querySelector('tspan.title').textContent)`);

async function main() {
  const cell = page('my_cell.html', [path.join(models, 'my_cell.scripted.pt'), '--collapse', '1']);
  const audit = path.join(out, 'my_cell_audit.json');
  spawnSync(jitscope, ['audit', path.join(models, 'my_cell.traced.pt'), '--format', 'json'], {stdio: ['ignore', fs.openSync(audit, 'w'), 'inherit']});
  const pair = page('my_cell_pair.html', [path.join(models, 'my_cell.traced.pt'), '--reference',
                                          path.join(models, 'my_cell.scripted.pt'), '--highlight', audit]);
  const bert = page('bert_tiny.html', [path.join(models, 'bert_tiny.traced.pt'), '--inputs',
                                       path.join(models, 'inputs', 'bert_tiny.pt')]);
  const resnet = page('resnet18.html', [path.join(models, 'resnet18.traced.pt')]);
  const encoder = page('transformer_encoder.html', [path.join(models, 'transformer_encoder.scripted.pt')]);
  const html = fs.readFileSync(cell, 'utf8');
  check(!/(src|href)=["']?https?:/i.test(html), 'the page links nothing on the network');

  const browser = await Browser.launch();
  try {
    // -- expand and collapse in place
    let p = await openPage(browser, cell);
    const before = await titles(p);
    check(before.includes('dg : MyDecisionGate') && !before.includes('neg'),
          `--collapse 1: dg is one box, its ops hidden (boxes: ${before.join(', ')})`);
    await p.click('g.node.kind-folded[data-cluster*="dg"]');
    const opened = await titles(p);
    check(opened.includes('neg') && opened.includes('if'), `clicking dg opens it: its if and neg are in the DOM (${opened.join(', ')})`);
    const toggleMs = await p.eval('window.jitscopeExplorer.stats.lastToggleMs');
    check(typeof toggleMs === 'number', `the page timed the expand (${toggleMs.toFixed(1)} ms)`);
    await p.click('g.cluster.kind-if text.label');
    const closed = await titles(p);
    check(!closed.includes('neg') && closed.some((t) => t && t.startsWith('if  classic.py:21')),
          `clicking the if frame's title folds it into one box (${closed.join(', ')})`);

    // -- search by file.py:LINE selects (and reveals) the node
    await p.click('#jx-search');
    await p.type('#jx-search', 'classic.py:24');
    await p.press('Enter');
    const selected = await p.eval(`[...document.querySelectorAll('g.node.selected')].map(g => g.querySelector('tspan.title').textContent)`);
    check(selected.length === 1 && selected[0] === 'neg', `search classic.py:24 selects neg (selected: ${selected.join(', ')})`);
    const status = await p.eval(`document.getElementById('jx-search-status').textContent`);
    check(/1 match/.test(status), `the search says how many matched (${status})`);

    // -- the side panel: IR line, schema, Python location
    await p.click('#jx-panel-close');
    await p.click('g.node[data-id] tspan.title');  // any box first, then neg itself
    await p.eval(`document.querySelector('#jx-panel').hidden = true`);
    const negSelector = await p.eval(`(() => { const g = [...document.querySelectorAll('g.node[data-id]')].find(g => g.querySelector('tspan.title').textContent === 'neg'); return g ? 'g.node[data-id="' + g.getAttribute('data-id') + '"]' : null; })()`);
    await p.click(negSelector);
    const panel = await p.eval(`({hidden: document.getElementById('jx-panel').hidden,
      ir: (document.querySelector('#jx-panel pre.ir') || {}).textContent,
      schema: (document.querySelector('#jx-panel pre.schema') || {}).textContent,
      source: (document.querySelector('#jx-panel pre.source') || {}).textContent})`);
    check(!panel.hidden && /= aten::neg\(/.test(panel.ir || ''), `clicking neg opens the panel with its IR line (${panel.ir})`);
    check(/^aten::neg\(Tensor self\) -> Tensor/.test(panel.schema || ''), `the panel shows the schema (${panel.schema})`);
    check(/classic\.py:24(:\d+)?$/.test(panel.source || ''), `the panel shows the Python location (${panel.source})`);
    const here = await p.eval(`(document.querySelector('#jx-panel pre.excerpt .here') || {}).textContent`);
    check(/24 \|\s+return -x/.test(here || ''), `the panel shows the Python line itself (${(here || '').trim()})`);
    await checkClean(p, cell, 'my_cell.html');
    await p.screenshot(path.join(out, 'explorer_my_cell.png'));

    // -- trace beside its scripted reference, selection synced by line
    p = await openPage(browser, pair);
    check((await p.eval(`document.querySelectorAll('.pane').length`)) === 2, 'with --reference the page has two panes');
    const linear = await p.eval(`(() => { const g = [...document.querySelectorAll('.pane[data-pane="0"] g.node[data-id]')].find(g => g.querySelector('tspan.title').textContent === 'linear'); return g ? g.getAttribute('data-id') : null; })()`);
    await p.click(`.pane[data-pane="0"] g.node[data-id="${linear}"]`);
    const synced = await p.eval(`[...document.querySelectorAll('.pane[data-pane="1"] g.node.synced')].map(g => g.querySelector('tspan.title').textContent)`);
    check(synced.includes('linear'), `selecting linear in the trace marks the reference's node of the same line (${synced.join(', ')})`);
    const red = await p.eval(`[0, 1].map(i => document.querySelectorAll('.pane[data-pane="' + i + '"] .highlighted').length)`);
    check(red[0] > 0 && red[1] > 0, `--highlight: the frozen if is marked on both sides (${red.join(' and ')} marked)`);
    const note = await p.eval(`(() => { const g = document.querySelector('.pane[data-pane="0"] g.node.kind-note'); return g && g.textContent.replace(/\\s+/g, ' ').slice(0, 90); })()`);
    check(/classic\.py:21/.test(note || ''), `the trace's note names the line it lost (${note})`);
    await checkClean(p, pair, 'my_cell_pair.html');
    await p.screenshot(path.join(out, 'explorer_my_cell_pair.png'));

    // -- bigger models, for a person to look at
    for (const [file, name, open] of [[bert, 'bert_tiny', 'g.node.kind-folded[data-cluster*="layers_0"]'],
                                       [resnet, 'resnet18', 'g.node.kind-folded[data-cluster*="layer1"]'],
                                       [encoder, 'transformer_encoder', 'g.node.kind-folded']]) {
      p = await openPage(browser, file);
      await p.screenshot(path.join(out, `explorer_${name}.png`));
      const id = await p.eval(`(document.querySelector(${JSON.stringify(open)}) || {getAttribute: () => null}).getAttribute('data-cluster')`);
      if (id) {
        await p.eval(`window.jitscopeExplorer.panes[0].centreOn(${JSON.stringify('c:' + id)})`);
        const shown = await p.eval(`document.querySelectorAll('g.node').length`);
        await p.click(open);
        check((await p.eval(`document.querySelectorAll('g.node').length`)) > shown, `${name}: clicking ${id} opens it in place`);
        await p.screenshot(path.join(out, `explorer_${name}_opened.png`));
      }
      if (name === 'bert_tiny') {
        // With --inputs the panel lists each input's dtype and sizes.
        await p.click('#jx-search');
        await p.type('#jx-search', 'layer_norm');
        await p.press('Enter');
        const inputs = await p.eval(`(document.querySelector('#jx-panel ul.inputs') || {}).textContent`);
        check(/Float\(1, 16, 64\)/.test(inputs || ''), `bert_tiny --inputs: the panel shows the input's shape (${inputs})`);
      }
      const boxes = await p.eval(`document.querySelectorAll('g.node').length`);
      check(boxes > 0, `${name}: ${boxes} boxes drawn`);
      await checkClean(p, file, `${name}.html`);
    }
  } finally {
    await browser.close();
  }
  finish(out);
}

main().catch((e) => { console.log('FAIL: ' + e.stack); process.exit(1); });
