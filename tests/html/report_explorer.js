#!/usr/bin/env node
// report_explorer.js JITSCOPE MODELS OUT: the graph section of `jitscope
// report` and `ci --report-dir` pages is the explorer (graph_explorer.h),
// driven in headless Chromium through the DevTools protocol
// (tests/html/cdp.js), with real mouse clicks and key presses:
//  - BERT-like traced: the page opens with its encoder layers folded;
//    clicking layers.0 opens it in place and its ops are in the DOM;
//    searching the Python line of an op inside a folded layer opens that
//    layer and selects the op; the side panel shows its IR line;
//  - the report's and the explorer's styles do not meet: no rule of the
//    report's stylesheet matches an element inside the explorer, no rule of
//    the explorer's matches one outside it, and the ids are unique, the
//    explorer's all jx-;
//  - in the report the wheel scrolls the page; Ctrl+wheel zooms the graph;
//  - the trace with --reference: two panes, the frozen `if` red on both
//    sides, a finding's "show in graph" selects its box in the explorer
//    and marks the reference's boxes of its line, the `if` among them;
//  - a `ci --report-dir` page has the same explorer, the reference beside;
//  - every page asked the network for nothing and logged no error;
//  - screenshots of the report's graph collapsed and opened, in OUT.
// Exit 77 (ctest: skipped) when chromium is not installed.
'use strict';
const {execFileSync, spawnSync} = require('child_process');
const fs = require('fs');
const path = require('path');
const {Browser} = require('./cdp');
const {skipWithoutChromium, check, finish, openPage, checkClean} = require('./harness');

const [jitscope, models, out] = process.argv.slice(2).map((a) => path.resolve(a));
skipWithoutChromium();
fs.mkdirSync(out, {recursive: true});

const READY = ['data-explorer-ready', 'data-report-ready'];

function report(name, args) {
  const file = path.join(out, name);
  execFileSync(jitscope, ['report', ...args, '-o', file], {stdio: ['ignore', 'inherit', 'inherit']});
  return file;
}

// The titles of the boxes drawn in pane `pane`.
const titles = (p, pane = 0) => p.eval(`[...document.querySelectorAll('.pane[data-pane="${pane}"] g.node')]
  .map(g => g.querySelector('tspan.title') && g.querySelector('tspan.title').textContent)`);

// Puts the explorer's element at the top of the window, for a screenshot.
const showGraph = (p) => p.eval(`document.getElementById('graph').scrollIntoView({block: 'start'})`);

// Rules of each stylesheet that match an element on the wrong side of the
// explorer's element (.jx itself belongs to both: the report sizes it).
const styleClashes = (p) => p.eval(`(() => {
  const root = document.querySelector('.jx');
  const inside = (e) => e !== root && root.contains(e);
  const clashes = [];
  for (const [id, wrong] of [['report-style', inside], ['jx-style', (e) => e !== root && !root.contains(e)]]) {
    for (const rule of document.getElementById(id).sheet.cssRules) {
      if (!rule.selectorText) continue;
      const hit = [...document.querySelectorAll(rule.selectorText)].find(wrong);
      if (hit) clashes.push(id + ': ' + rule.selectorText + ' matches <' + hit.tagName.toLowerCase() + ' ' + (hit.id || hit.className.baseVal || hit.className) + '>');
    }
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => ({id: e.id, inside: inside(e) || e === root}));
  const seen = new Set();
  for (const {id, inside} of ids) {
    if (seen.has(id)) clashes.push('id ' + id + ' twice');
    seen.add(id);
    if (inside !== id.startsWith('jx') && id !== 'jx-style') clashes.push('id ' + id + (inside ? ' inside the explorer without jx-' : ' outside the explorer with jx-'));
  }
  return clashes;
})()`);

// Pans pane 0 so that the element matching `selector` is in its middle.
const bringIntoView = (p, selector) => p.eval(`(() => {
  const P = window.jitscopeExplorer.panes[0];
  const e = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
  const r = P.svg.getBoundingClientRect();
  P.t.x += r.left + r.width / 2 - (e.left + e.width / 2);
  P.t.y += r.top + r.height / 2 - (e.top + e.height / 2);
  P.applyTransform(); })()`);

// A wheel turn over the middle of the graph; the page's scroll and the
// graph's zoom before and after.
async function wheel(p, modifiers) {
  await p.eval(`document.getElementById('graph').scrollIntoView({block: 'start'})`);
  const at = await p.eval(`(() => { const r = document.querySelector('.pane svg').getBoundingClientRect();
    return {x: r.left + r.width / 2, y: r.top + Math.min(r.height, innerHeight - r.top) / 2}; })()`);
  const state = `({scroll: window.scrollY, k: window.jitscopeExplorer.panes[0].t.k})`;
  const before = await p.eval(state);
  await p.send('Input.dispatchMouseEvent', {type: 'mouseWheel', x: at.x, y: at.y, deltaX: 0, deltaY: -300, modifiers});
  await p.eval('new Promise(r => setTimeout(() => requestAnimationFrame(r), 100))');
  return {before, after: await p.eval(state)};
}

async function main() {
  const bert = report('report_bert_tiny.html', [path.join(models, 'bert_tiny.traced.pt'), '--preset', 'none']);
  const pair = report('report_my_cell.html', [path.join(models, 'my_cell.traced.pt'), '--reference',
                                              path.join(models, 'my_cell.scripted.pt'), '--inputs',
                                              path.join(models, 'inputs', 'my_cell.pt')]);
  const config = path.join(out, 'jitscope.toml');
  fs.writeFileSync(config, `[[model]]\nname = "cell"\npath = "${path.join(models, 'my_cell.traced.pt')}"\n` +
                           `[model.audit]\nreference = "${path.join(models, 'my_cell.scripted.pt')}"\n`);
  const pages = path.join(out, 'ci-pages');
  // Exit 1: the audit finds the frozen `if`; the page is written all the same.
  const ci = spawnSync(jitscope, ['ci', '--config', config, '--report-dir', pages], {stdio: ['ignore', 'ignore', 'inherit']});
  check(ci.status === 1, `ci with the lossy trace exits 1 (${ci.status})`);
  const ciPage = path.join(pages, 'cell.html');
  for (const file of [bert, pair, ciPage]) {
    check(!/(src|href)=["']?https?:/i.test(fs.readFileSync(file, 'utf8')), `${path.basename(file)} links nothing on the network`);
  }

  const browser = await Browser.launch({width: 1400, height: 900});
  try {
    // -- BERT-like: expand a folded layer in place
    let p = await openPage(browser, bert, READY);
    check((await p.eval(`document.querySelectorAll('#graph .jx .pane').length`)) === 1, 'the graph section holds the explorer, one pane');
    check((await p.eval(`document.querySelectorAll('#graph svg').length`)) === 1, 'no static drawing beside it');
    const how = await p.eval(`document.querySelector('#graph p.how').textContent`);
    check(/open a module/.test(how) && /search/.test(how) && /click a box/.test(how), `the graph note says what the reader can do (${how.slice(0, 80)}...)`);
    await showGraph(p);
    await p.screenshot(path.join(out, 'report_bert_tiny.png'));
    const folded = await p.eval(`[...document.querySelectorAll('g.node.kind-folded')].map(g => g.getAttribute('data-cluster'))`);
    const layer = folded.find((id) => /layers_0$/.test(id));
    check(!!layer, `BERT-like opens with its layers folded (${folded.join(', ')})`);
    // The ops of layers.0, from the page's data: none drawn before the click.
    const ops = await p.eval(`(() => { const P = window.jitscopeExplorer.panes[0];
      const ids = []; (function walk(c, on) { on = on || c.id === ${JSON.stringify(layer)};
        if (on) c.nodes.forEach(n => ids.push(P.nodes[n].id)); c.children.forEach(k => walk(k, on)); })(P.view.root, false);
      return ids; })()`);
    const drawn = () => p.eval(`${JSON.stringify(ops)}.filter(id => document.querySelector('g.node[data-id="' + id + '"]')).length`);
    check(ops.length > 10 && (await drawn()) === 0, `layers.0's ${ops.length} ops are folded into one box`);
    await p.eval(`window.jitscopeExplorer.panes[0].centreOn(${JSON.stringify('c:' + layer)})`);
    await p.click(`g.node.kind-folded[data-cluster="${layer}"]`);
    // Open: each of its ops is drawn, or inside a submodule drawn folded.
    const where = await p.eval(`(() => { const P = window.jitscopeExplorer.panes[0];
      const out = {drawn: 0, inFolded: 0, missing: []};
      for (const id of ${JSON.stringify(ops)}) {
        const n = P.nodes.findIndex(x => x.id === id), rep = P.rep[n];
        if (rep.startsWith('n:') && document.querySelector('g.node[data-id="' + id + '"]')) out.drawn++;
        else if (rep.startsWith('c:') && rep !== 'c:' + ${JSON.stringify(layer)} &&
                 document.querySelector('g.node.kind-folded[data-cluster="' + rep.slice(2) + '"]')) out.inFolded++;
        else out.missing.push(id);
      }
      return out; })()`);
    check(where.drawn > 0 && where.missing.length === 0,
          `clicking layers.0 opens it in place: ${where.drawn} ops drawn, ${where.inFolded} inside its folded submodules, ${where.missing.length} missing`);
    const attention = await p.eval(`(() => { const P = window.jitscopeExplorer.panes[0];
      const n = P.nodes.findIndex(x => x.title === 'softmax' && ${JSON.stringify(ops)}.includes(x.id));
      return P.rep[n].startsWith('c:') ? P.rep[n].slice(2) : null; })()`);
    if (attention) {
      await p.eval(`window.jitscopeExplorer.panes[0].centreOn(${JSON.stringify('c:' + attention)})`);
      await p.click(`g.node.kind-folded[data-cluster="${attention}"]`);
    }
    const opened = await titles(p);
    check(opened.includes('softmax') && opened.includes('matmul'), `opening ${attention || 'nothing more'} draws the attention's matmul and softmax`);
    await p.screenshot(path.join(out, 'report_bert_tiny_opened.png'));
    await bringIntoView(p, `g.cluster[data-cluster="${layer}"] text.label`);
    await p.click(`g.cluster[data-cluster="${layer}"] text.label`);
    check((await p.eval(`${JSON.stringify(ops)}.filter(id => document.querySelector('g.node[data-id="' + id + '"]')).length`)) === 0,
          'clicking its frame\'s title folds it again');

    // -- search file.py:LINE: every layer runs the line; Enter goes to the next
    const softmax = await p.eval(`window.jitscopeExplorer.panes[0].nodes.filter(n => n.title === 'softmax')
      .map(n => ({id: n.id, location: n.location, module: n.module_path}))`);
    const line = softmax[0] && softmax[0].location;
    check(softmax.length === 2 && /\.py:\d+$/.test(line) && softmax[1].location === line,
          `both layers' softmax come from one file.py:LINE (${softmax.map((n) => n.module + ' ' + n.location).join(', ')})`);
    await p.click('#jx-search');
    await p.type('#jx-search', line);
    await p.press('Enter');
    const selectedNow = () => p.eval(`[...document.querySelectorAll('g.node.selected')].map(g => g.getAttribute('data-id'))`);
    let selected = await selectedNow();
    check(selected.length === 1 && selected[0] === softmax[0].id, `search ${line} opens layers.0 and selects its softmax (${selected.join(', ')})`);
    const status = await p.eval(`document.getElementById('jx-search-status').textContent`);
    const matches = Number((/^1 of (\d+) matches/.exec(status) || [0, 0])[1]);
    check(matches >= 2, `the search says how many matched (${status})`);
    const ir = await p.eval(`(document.querySelector('#jx-panel pre.ir') || {}).textContent`);
    check(/= aten::softmax\(/.test(ir || ''), `the side panel shows its IR line (${ir})`);
    for (let i = 1; i < matches && !(selected.length === 1 && selected[0] === softmax[1].id); i++) {
      await p.press('Enter');
      selected = await selectedNow();
    }
    check(selected.length === 1 && selected[0] === softmax[1].id, `Enter again goes on to layers.1's softmax (${selected.join(', ')})`);

    // -- styles and ids apart
    const clashes = await styleClashes(p);
    check(clashes.length === 0, `the report's and the explorer's styles and ids do not meet${clashes.length ? ': ' + clashes.join('; ') : ''}`);

    // -- the wheel scrolls the report; Ctrl+wheel zooms the graph
    const plain = await wheel(p, 0);
    check(plain.after.scroll !== plain.before.scroll && plain.after.k === plain.before.k,
          `the wheel over the graph scrolls the page (${plain.before.scroll} -> ${plain.after.scroll}), zoom stays ${plain.after.k.toFixed(2)}`);
    const ctrl = await wheel(p, 2);
    check(ctrl.after.k > ctrl.before.k, `Ctrl+wheel zooms the graph (${ctrl.before.k.toFixed(2)} -> ${ctrl.after.k.toFixed(2)})`);
    await checkClean(p, bert, 'report_bert_tiny.html');

    // -- the trace with its scripted reference
    p = await openPage(browser, pair, READY);
    check((await p.eval(`document.querySelectorAll('#graph .pane').length`)) === 2, 'with --reference the report\'s explorer has two panes');
    const red = await p.eval(`[0, 1].map(i => document.querySelectorAll('.pane[data-pane="' + i + '"] .highlighted').length)`);
    check(red[0] > 0 && red[1] > 0, `the finding's line is red on both sides (${red.join(' and ')} marked)`);
    const nodes = await p.eval(`document.querySelector('li.finding button.show').closest('li').getAttribute('data-nodes')`);
    await p.click('li.finding button.show');
    const chosen = await p.eval(`[...document.querySelectorAll('.pane[data-pane="0"] g.node.selected')].map(g => g.getAttribute('data-id'))`);
    check(chosen.length === 1 && nodes.split(' ').includes(chosen[0]), `"show in graph" selects the finding's box (${chosen.join(', ')} of ${nodes})`);
    const panelNode = await p.eval(`document.getElementById('jx-panel').getAttribute('data-node')`);
    check(panelNode === chosen[0], `and opens the side panel on it (${panelNode})`);
    const synced = await p.eval(`[...document.querySelectorAll('.pane[data-pane="1"] g.node.synced')].map(g => g.querySelector('tspan.title').textContent)`);
    check(synced.includes('if'), `the reference's boxes of that line are marked, its if among them (${synced.join(', ')})`);
    await showGraph(p);
    await p.screenshot(path.join(out, 'report_my_cell_pair.png'));
    await checkClean(p, pair, 'report_my_cell.html');

    // -- a ci --report-dir page
    p = await openPage(browser, ciPage, READY);
    check((await p.eval(`document.querySelectorAll('#graph .jx .pane').length`)) === 2,
          'the ci page\'s graph is the explorer, the audit\'s reference beside the model');
    check((await p.eval(`document.querySelectorAll('#graph g.node').length`)) > 0, 'and it drew boxes');
    await checkClean(p, ciPage, 'ci page cell.html');
  } finally {
    await browser.close();
  }
  finish(out);
}

main().catch((e) => { console.log('FAIL: ' + e.stack); process.exit(1); });
