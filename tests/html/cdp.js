// A minimal Chrome DevTools Protocol client for headless Chromium (Debian's
// `chromium`), over --remote-debugging-pipe: messages are JSON separated by
// NUL bytes on file descriptors 3 (to the browser) and 4 (from it), so no
// WebSocket library or npm package is needed. Used by
// tests/html/explorer_in_browser.js and bench/explorer_bench.js.
'use strict';
const {spawn} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

class Browser {
  static async launch({width = 1400, height = 900} = {}) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jitscope-chromium-'));
    const child = spawn('chromium', [
      '--headless', '--disable-gpu', '--no-sandbox', '--no-first-run', '--no-default-browser-check',
      '--hide-scrollbars', '--mute-audio', `--user-data-dir=${profile}`, `--window-size=${width},${height}`,
      '--remote-debugging-pipe', 'about:blank'], {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe']});
    const browser = new Browser(child, profile);
    await browser.send('Target.getTargets');  // the pipe answers: the browser is up
    return browser;
  }

  constructor(child, profile) {
    this.child = child;
    this.profile = profile;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.stderr = '';
    child.stderr.on('data', (d) => { this.stderr += d; });
    this.out = child.stdio[3];
    let buffer = '';
    child.stdio[4].on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end;
      while ((end = buffer.indexOf('\0')) >= 0) {
        const message = JSON.parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
        this.dispatch(message);
      }
    });
    child.on('exit', (code) => {
      for (const {reject} of this.pending.values()) reject(new Error(`chromium exited (${code}): ${this.stderr.slice(-400)}`));
      this.pending.clear();
    });
  }

  dispatch(message) {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    const message = {id, method, params};
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve, reject, method});
      this.out.write(JSON.stringify(message) + '\0');
    });
  }

  on(listener) { this.listeners.push(listener); }

  async newPage() {
    const {targetId} = await this.send('Target.createTarget', {url: 'about:blank'});
    const {sessionId} = await this.send('Target.attachToTarget', {targetId, flatten: true});
    return new Page(this, sessionId);
  }

  async close() {
    const exited = new Promise((resolve) => {
      if (this.child.exitCode !== null) resolve(); else this.child.once('exit', resolve);
    });
    this.send('Browser.close').catch(() => { /* already gone */ });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    fs.rmSync(this.profile, {recursive: true, force: true, maxRetries: 3});
  }
}

class Page {
  constructor(browser, sessionId) {
    this.browser = browser;
    this.sessionId = sessionId;
    this.requests = [];       // every URL the page asked for
    this.consoleErrors = [];  // console.error calls and uncaught exceptions
    this.waiters = [];
    browser.on((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === 'Network.requestWillBeSent') this.requests.push(m.params.request.url);
      if (m.method === 'Runtime.consoleAPICalled' && (m.params.type === 'error' || m.params.type === 'assert')) {
        this.consoleErrors.push(m.params.args.map((a) => a.value || a.description).join(' '));
      }
      if (m.method === 'Runtime.exceptionThrown') {
        const d = m.params.exceptionDetails;
        this.consoleErrors.push((d.exception && d.exception.description) || d.text);
      }
      if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') {
        this.consoleErrors.push(`${m.params.entry.source}: ${m.params.entry.text}`);
      }
      this.waiters = this.waiters.filter((w) => !(w.method === m.method && (w.resolve(m.params), true)));
    });
  }

  send(method, params) { return this.browser.send(method, params, this.sessionId); }

  event(method) { return new Promise((resolve) => this.waiters.push({method, resolve})); }

  async open(url) {
    for (const domain of ['Page', 'Runtime', 'Network', 'Log']) await this.send(`${domain}.enable`);
    const loaded = this.event('Page.loadEventFired');
    await this.send('Page.navigate', {url});
    await loaded;
  }

  // Evaluates an expression (or an async function body's result) in the page.
  async eval(expression) {
    const result = await this.send('Runtime.evaluate', {expression, returnByValue: true, awaitPromise: true});
    if (result.exceptionDetails) {
      const d = result.exceptionDetails;
      throw new Error(`in the page: ${(d.exception && d.exception.description) || d.text}`);
    }
    return result.result.value;
  }

  // A real mouse click (press and release) at the centre of the first element
  // matching `selector`, as a person would click it.
  async click(selector) {
    const box = await this.eval(`(() => {
      const e = document.querySelector(${JSON.stringify(selector)});
      if (!e) return null;
      const r = e.getBoundingClientRect();
      return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height};
    })()`);
    if (!box) throw new Error(`nothing matches ${selector}`);
    for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased']) {
      await this.send('Input.dispatchMouseEvent', {type, x: box.x, y: box.y, button: 'left', clickCount: 1});
    }
    return box;
  }

  async type(selector, text) {
    await this.eval(`document.querySelector(${JSON.stringify(selector)}).focus()`);
    await this.send('Input.insertText', {text});
  }

  async press(key) {
    const code = key === 'Enter' ? 13 : 0;
    await this.send('Input.dispatchKeyEvent', {type: 'keyDown', key, code: key, windowsVirtualKeyCode: code, text: key === 'Enter' ? '\r' : key});
    await this.send('Input.dispatchKeyEvent', {type: 'keyUp', key, code: key, windowsVirtualKeyCode: code});
  }

  async screenshot(file) {
    const {data} = await this.send('Page.captureScreenshot', {format: 'png'});
    fs.writeFileSync(file, Buffer.from(data, 'base64'));
  }
}

module.exports = {Browser};
