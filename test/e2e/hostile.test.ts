// Adversarial page suite (issue 10): every test is one attack a hostile page tries, in both
// browsers, and asserts precisely that it gains the attacker nothing beyond the public APIs.
// The attacks and their results are listed in test/e2e/hostile/README.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page, Target } from 'puppeteer-core';
import { DIST, waitFor, type TestBrowser } from './helpers/browsers';
import { listCalls, readStorage, setSettings, uiRequest } from './helpers/extension';
import { clickByName, pickerPage, waitArmed } from './helpers/picker';
import { describeEachBrowser } from './helpers/suite';

/** A page whose first script (in <head>, before anything else) is `head`. */
const hostile = (
  head: string,
  body = '',
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>hostile</title>
<script>${head}</script></head><body style="margin:20px;font:16px sans-serif">${body}</body></html>`;

/**
 * First page script of most attacks: records every window message and port the page can observe and
 * every object that reaches a spy (see `window.spy`), so a leak of the bridge shows up.
 */
const RECORDER = `
window.seen = { ports: 0, messages: [], leaks: [] };
window.addEventListener('message', (e) => {
  if (e.ports && e.ports.length) window.seen.ports++;
  try { window.seen.messages.push(JSON.stringify(e.data)); } catch { window.seen.messages.push('<unserialisable>'); }
}, true);
// An object counts as a leak if it is a MessagePort the page did not make, or looks like the bridge
// (request + onPush) or the chunk API (bridge/patch members).
window.ownPorts = new WeakSet();
const OwnChannel = MessageChannel;
window.MessageChannel = function MessageChannel() { const c = new OwnChannel(); ownPorts.add(c.port1); ownPorts.add(c.port2); return c; };
window.spy = (where, values) => {
  for (const v of values) {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) continue;
    try {
      if (v instanceof MessagePort && !ownPorts.has(v)) window.seen.leaks.push(where + ':port');
      else if (typeof v.request === 'function' && typeof v.onPush === 'function') window.seen.leaks.push(where + ':bridge');
      else if ('bridge' in v && 'patch' in v) window.seen.leaks.push(where + ':chunk-api');
    } catch { /* a revoked proxy or a throwing getter: not ours */ }
  }
};
`;

/** Counts windows/tabs opened from now on (a picker is one). */
function countNewPages(tb: TestBrowser): () => number {
  let n = 0;
  const onTarget = (t: Target) => {
    if (t.type() === 'page') n++;
  };
  tb.browser.on('targetcreated', onTarget);
  return () => {
    tb.browser.off('targetcreated', onTarget);
    return n;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts getUserMedia in the page; the outcome lands in window.__gum. */
const startGum = (page: Page, constraints: unknown) =>
  page.evaluate((c) => {
    (window as any).__gum = null;
    navigator.mediaDevices.getUserMedia(c as MediaStreamConstraints).then(
      (s) => {
        (window as any).__gum = { ok: true, tracks: s.getTracks().map((t) => `${t.kind}:${t.readyState}`) };
        s.getTracks().forEach((t) => t.stop());
      },
      (e) => {
        (window as any).__gum = { ok: false, name: e.name };
      },
    );
  }, constraints as any);
const gumResult = (page: Page, timeout = 20000) =>
  waitFor(() => page.evaluate(() => (window as any).__gum), 'getUserMedia to settle', timeout);

describeEachBrowser('hostile pages', (suite) => {
  let ui: Page;
  let chunkEvent = '';
  before(async () => {
    ui = await suite.tb.openExtensionPage('popup/popup.html');
    // The per-version chunk announcement name is public (it is in the shipped injected.js): an
    // attacker knows it, so the tests know it too.
    chunkEvent = /mg-[0-9a-f]{16}/.exec(await readFile(path.join(DIST(suite.name), 'injected.js'), 'utf8'))![0];
  });

  // ---- forged and replayed bridge messages -------------------------------------------------

  it('forged handshakes, guessed message shapes and port-like objects open no picker, grant nothing, load nothing, get no answer', async () => {
    suite.server.route('/forge.html', {
      body: hostile(`${RECORDER}
        window.answers = [];
        const requests = [
          { type: 'picker/open', payload: { kinds: { video: { labels: null }, audio: { labels: null } } } },
          { type: 'chunk/load', payload: { name: 'usermedia-element' } },
          { type: 'chunk/asset', payload: { name: 'rnnoise' } },
          { type: 'calls/update', payload: { tracks: [{ id: 'forged-1', kind: 'audio', label: 'forged', enabled: true, muted: false }], actions: ['hangup'], reported: {} } },
          { type: 'sites/set', payload: { origin: location.origin, kind: 'camera', state: 'allow' } },
          { type: 'sites/list', payload: {} },
          { type: 'settings/set', payload: { settings: { labelPolicy: 'never-hide' } } },
        ];
        const names = ['mediagate', 'mediagate:bridge', 'mediagate:bridge-handshake/1', 'mediagate:request', 'mg-bridge', '${chunkEvent}'];
        window.forge = (tag) => {
          let id = 100;
          for (const r of requests) {
            for (const channel of ['page', 'ui', undefined]) {
              const msg = { id: id++, channel, ...r };
              window.postMessage(msg, '*');
              window.postMessage({ 'mediagate:bridge-handshake/1': true, ...msg }, '*');
              for (const n of names) {
                window.dispatchEvent(new CustomEvent(n, { detail: msg }));
                document.dispatchEvent(new CustomEvent(n, { detail: msg }));
              }
              // A forged handshake with the page's own port, then the request over it.
              const ch = new MessageChannel();
              ch.port1.onmessage = (m) => window.answers.push(m.data);
              window.postMessage({ 'mediagate:bridge-handshake/1': true }, '*', [ch.port2]);
              ch.port1.postMessage(msg);
              // Port-like objects that are not ports (no transfer possible): as data, and as the handshake's port.
              const fake = { postMessage: (d) => window.answers.push(d), onmessage: null, start() {}, close() {} };
              try { window.postMessage({ 'mediagate:bridge-handshake/1': true, port: fake, ports: [fake] }, '*'); } catch (e) { /* DataCloneError: functions */ }
              window.dispatchEvent(new MessageEvent('message', { data: { 'mediagate:bridge-handshake/1': true }, source: window, ports: [ch.port2] }));
              window.dispatchEvent(new MessageEvent('message', { data: msg, source: window }));
            }
          }
        };
        window.forge('early');
        addEventListener('load', () => { window.forge('late'); setTimeout(() => window.forge('later'), 300); });
      `),
    });
    const opened = countNewPages(suite.tb);
    const page = await suite.tb.newPage();
    await page.goto(suite.server.url('/forge.html'));
    await sleep(1500);
    const r = await page.evaluate(() => ({
      answers: (window as any).answers.length,
      leaks: (window as any).seen.leaks,
      // Only the page's own forged messages: nothing MediaGate sent is visible.
      foreign: ((window as any).seen.messages as string[]).filter(
        (m) => !/forged|picker\/open|chunk\/|calls\/update|sites\/|settings\/|handshake/.test(m),
      ),
      usermedia:
        typeof (window as any).HTMLUserMediaElement === 'function' &&
        'enabled' in (window as any).HTMLUserMediaElement.prototype,
      semantics: (navigator.mediaDevices as any).defaultSemantics,
    }));
    assert.equal(opened(), 1, 'only the page itself opened: no picker window');
    assert.deepEqual(r, { answers: 0, leaks: [], foreign: [], usermedia: false, semantics: 'browser-chooses' });
    const calls = await listCalls(ui);
    assert.equal(calls.filter((c) => c.tracks.some((t) => t.id.startsWith('forged'))).length, 0, 'no forged call');
    const sites = await uiRequest(ui, 'sites/list', {});
    assert.equal(
      (sites as Record<string, unknown>)[suite.server.origin],
      undefined,
      'no decision recorded for the page',
    );
    const settings = await uiRequest(ui, 'settings/get', {});
    assert.equal(
      (settings as { effective: { labelPolicy: string } }).effective.labelPolicy,
      'hide-after-user-chooses',
      'settings untouched',
    );
    await page.close();
  });

  it("another origin's decisions stay unreadable: the page sees only its own (defaultSemantics, block)", async () => {
    await uiRequest(ui, 'sites/set', { origin: suite.server.otherOrigin, kind: 'camera', state: 'block' });
    try {
      suite.server.route('/snoop.html', {
        body: hostile(`${RECORDER}
          for (const t of ['sites/list', 'settings/get', 'picker/get', 'calls/list']) {
            window.postMessage({ channel: 'ui', type: t, payload: {} }, '*');
            window.postMessage({ id: 1, type: t, payload: { origin: '${suite.server.otherOrigin}' } }, '*');
          }`),
      });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/snoop.html'));
      await startGum(page, { video: true });
      assert.deepEqual(
        await gumResult(page),
        { ok: true, tracks: ['video:live'] },
        "the other origin's block does not apply here",
      );
      await sleep(300);
      const messages = await page.evaluate(() => (window as any).seen.messages as string[]);
      assert.deepEqual(
        messages.filter((m) => m.includes('127.0.0.1') && !m.includes('"payload":{"origin"')),
        [],
        'nothing about the other origin reached the page',
      );
      // The block is real: the other origin itself gets NotAllowedError.
      const other = await suite.tb.newPage();
      await other.goto(`${suite.server.otherOrigin}/blank.html`);
      await startGum(other, { video: true });
      assert.deepEqual(await gumResult(other), { ok: false, name: 'NotAllowedError' });
      await other.close();
      await page.close();
    } finally {
      await uiRequest(ui, 'sites/set', { origin: suite.server.otherOrigin, kind: 'camera', state: 'ask' });
    }
  });

  // ---- the lazily loaded chunk announcement -------------------------------------------------

  it("a page that knows the announcement's name cannot swap in its own chunk: no chunk API, the real picker or the native call", async () => {
    await setSettings(suite.tb, { alwaysShowPicker: true });
    try {
      suite.server.route('/chunk-swap.html', {
        body: hostile(`${RECORDER}
          const NAME = '${chunkEvent}';
          window.stolen = [];
          window.realSeen = 0;
          const detail = () => ({ name: 'picker', start(api) { window.stolen.push(Object.keys(api).sort().join(',')); spy('start', [api, api && api.bridge]); } });
          // The announcement as an event (how chunks once announced) and as the assignment chunks make.
          const OwnCustomEvent = CustomEvent;
          const ownDispatch = EventTarget.prototype.dispatchEvent;
          const mine = new WeakSet();
          const forge = () => {
            const e = new OwnCustomEvent(NAME, { detail: detail() });
            mine.add(e);
            ownDispatch.call(document, e);
            try { document[NAME] = detail(); } catch {}
          };
          addEventListener(NAME, (e) => { if (!mine.has(e)) window.realSeen++; }, true);
          // Chunks no longer use events or built-ins to announce: break them all the same.
          EventTarget.prototype.dispatchEvent = function () { forge(); return true; };
          window.CustomEvent = function CustomEvent() { forge(); return new Event('dud'); };
          forge(); // before any load
          const timer = setInterval(forge, 2); // during the load
          setTimeout(() => clearInterval(timer), 4000);
        `),
      });
      const opened = countNewPages(suite.tb);
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/chunk-swap.html'));
      await startGum(page, { audio: true, semantics: 'user-chooses' });
      // Either MediaGate refused the announcements (native call, no picker) or its own chunk ran (picker).
      const settled = await waitFor(
        async () => (await page.evaluate(() => (window as any).__gum)) ?? (opened() > 1 ? 'picker' : null),
        'an answer or a picker',
        15000,
      );
      if (settled === 'picker') {
        await clickByName(await pickerPage(suite.tb), 'button', 'Allow');
      }
      const result = await gumResult(page);
      const r = await page.evaluate(() => ({
        stolen: (window as any).stolen,
        leaks: (window as any).seen.leaks,
        realSeen: (window as any).realSeen,
      }));
      assert.deepEqual(
        { stolen: r.stolen, leaks: r.leaks, realSeen: r.realSeen },
        { stolen: [], leaks: [], realSeen: 0 },
        "MediaGate never called the page's start, and its own announcement is no event the page could see",
      );
      assert.deepEqual(result, { ok: true, tracks: ['audio:live'] }, 'the call still settles');
      await page.close();
    } finally {
      await setSettings(suite.tb, { alwaysShowPicker: false });
    }
  });

  it("a page that takes the announcement's name before MediaGate needs it keeps the browser's own behaviour, and hears nothing", async () => {
    suite.server.route('/chunk-squat.html', {
      body: hostile(`${RECORDER}
        const NAME = '${chunkEvent}';
        window.heard = [];
        Object.defineProperty(document, NAME, { set(v) { window.heard.push(v && Object.keys(v).join(',')); spy('announcement', [v]); }, get() { return undefined; }, configurable: false });
      `),
    });
    await setSettings(suite.tb, { alwaysShowPicker: true });
    const opened = countNewPages(suite.tb);
    const page = await suite.tb.newPage();
    try {
      await page.goto(suite.server.url('/chunk-squat.html'));
      await startGum(page, { audio: true, semantics: 'user-chooses' });
      // The picker's chunk cannot be started: the browser's own call answers (fake UI: granted).
      assert.deepEqual(await gumResult(page), { ok: true, tracks: ['audio:live'] });
      const r = await page.evaluate(() => ({ heard: (window as any).heard, leaks: (window as any).seen.leaks }));
      assert.deepEqual(r, { heard: [], leaks: [] });
      assert.equal(opened(), 1, 'no picker window (only the page itself was opened)');
    } finally {
      await setSettings(suite.tb, { alwaysShowPicker: false });
      await page.close();
    }
  });

  it("a page that answers the worker bootstrap's ask itself (before, after, and stopping MediaGate's answer) cannot put its code into MediaGate's worker wrapper", async () => {
    // The event names are public (in the shipped scripts). The forged bootstrap would mark the worker.
    const NAME = 'mediagate:worker-bootstrap/1';
    suite.server.route('/bootstrap-forge/worker.js', {
      body: 'onmessage = (e) => postMessage({ forged: !!self.forged, href: location.href, track: !!e.data && e.data.t instanceof MediaStreamTrack });',
      type: 'text/javascript',
    });
    suite.server.route('/bootstrap-forge/page.html', {
      body: hostile(`
        const NAME = '${NAME}';
        const FORGED = '(function () { self.forged = true; })';
        window.forgeries = 0;
        let forging = false;
        const forge = () => {
          forging = true;
          window.forgeries++;
          document.dispatchEvent(new CustomEvent(NAME, { detail: FORGED }));
          forging = false;
        };
        // Before MediaGate's answer (the ask seen first), after it (a later listener of the ask), and in
        // place of it (the real answer stopped, a forged one sent).
        addEventListener(NAME + ':ask', forge, true);
        document.addEventListener(NAME + ':ask', forge);
        addEventListener(NAME, (e) => { if (!forging) { e.stopImmediatePropagation(); forge(); } }, true);
      `),
    });
    const page = await suite.tb.newPage();
    try {
      await page.goto(suite.server.url('/bootstrap-forge/page.html'));
      const r = await page.evaluate(async () => {
        const w = new Worker('worker.js');
        const [t] = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks();
        const answer = await new Promise<any>((resolve, reject) => {
          setTimeout(() => reject(new Error('the worker did not answer')), 15000);
          w.onmessage = (e) => resolve(e.data);
          w.postMessage({ t }, [t!]);
        });
        w.terminate();
        return { ...answer, forgeries: (window as any).forgeries > 0 };
      });
      assert.deepEqual(r, {
        forged: false,
        href: suite.server.url('/bootstrap-forge/worker.js'),
        track: true,
        forgeries: true,
      });
    } finally {
      await page.close();
    }
  });

  // ---- tampered built-ins -----------------------------------------------------------------

  /** First page script: replaces the built-ins MediaGate could lean on with spies. */
  const TAMPER = `${RECORDER}
      const isArr = Array.isArray;
      const wrap = (owner, key, label) => {
        const orig = owner[key];
        if (typeof orig !== 'function') return;
        const fake = { [key](...args) { spy(label, [this, ...args, ...(isArr(args[2]) ? args[2] : [])]); return orig.apply(this, args); } }[key];
        Object.defineProperty(owner, key, { value: fake, writable: true, configurable: true, enumerable: false });
      };
      const OwnApply = Reflect.apply;
      wrap(Function.prototype, 'toString', 'toString');
      for (const k of ['addEventListener', 'removeEventListener', 'dispatchEvent']) wrap(EventTarget.prototype, k, k);
      for (const k of ['then', 'catch', 'finally']) wrap(Promise.prototype, k, 'Promise.' + k);
      for (const k of ['resolve', 'reject', 'all', 'race']) wrap(Promise, k, 'Promise.' + k);
      for (const k of ['parse', 'stringify']) wrap(JSON, k, 'JSON.' + k);
      for (const k of ['push', 'pop', 'map', 'forEach', 'filter', 'slice', 'splice', 'includes', 'indexOf', 'concat', 'join', 'some', 'every', 'find']) wrap(Array.prototype, k, 'Array.' + k);
      wrap(Array, 'isArray', 'Array.isArray');
      for (const k of ['get', 'set', 'has', 'delete']) { wrap(Map.prototype, k, 'Map.' + k); wrap(WeakMap.prototype, k, 'WeakMap.' + k); }
      for (const k of ['keys', 'assign', 'defineProperty', 'getOwnPropertyDescriptor', 'freeze']) wrap(Object, k, 'Object.' + k);
      for (const k of ['apply', 'construct', 'get', 'set', 'ownKeys']) wrap(Reflect, k, 'Reflect.' + k);
      wrap(window, 'postMessage', 'postMessage');
      wrap(MessagePort.prototype, 'postMessage', 'port.postMessage');
      wrap(MessagePort.prototype, 'start', 'port.start');
      wrap(window, 'setTimeout', 'setTimeout');
      // Index setters on Array.prototype catch whatever MediaGate pushes into arrays.
      for (let i = 0; i < 4; i++) {
        Object.defineProperty(Array.prototype, i, { configurable: true, set(v) { spy('Array[' + i + ']', [v]); Object.defineProperty(this, i, { value: v, writable: true, enumerable: true, configurable: true }); } });
      }
      for (const k of ['bridge', 'port', 'request', 'resolve']) {
        Object.defineProperty(Object.prototype, k, { configurable: true, set(v) { spy('Object.' + k, [v]); Object.defineProperty(this, k, { value: v, writable: true, enumerable: true, configurable: true }); } });
      }
      // A Promise subclass in place of the global.
      const OwnPromise = Promise;
      window.Promise = class Promise extends OwnPromise { constructor(executor) { super((res, rej) => { spy('new Promise', [res, rej]); executor(res, rej); }); } };
    `;

  it('built-ins tampered with by the page: getUserMedia, semantics and defaultSemantics behave, toString looks native, nothing leaks', async () => {
    suite.server.route('/tamper.html', { body: hostile(TAMPER) });
    const page = await suite.tb.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(suite.server.url('/tamper.html'));
    const r = await page.evaluate(async () => {
      const md = navigator.mediaDevices;
      const s = await md.getUserMedia({ audio: true, video: true });
      const tracks = s
        .getTracks()
        .map((t) => `${t.kind}:${t.readyState}`)
        .sort();
      s.getTracks().forEach((t) => t.stop());
      let bad = '';
      try {
        await md.getUserMedia({ video: true, semantics: 'bogus' } as any);
        bad = 'resolved';
      } catch (e) {
        bad = (e as Error).name;
      }
      const devices = await md.enumerateDevices();
      const nativeLike = (n: string) => `function ${n}() { [native code] }`.replace(/\s+/g, ' ');
      const printed = (fn: unknown) => String(Function.prototype.toString.call(fn)).replace(/\s+/g, ' ');
      await new Promise((res) => setTimeout(res, 300));
      return {
        tracks,
        bad,
        devices: devices.length >= 2,
        semantics: (md as any).defaultSemantics,
        toString:
          printed(MediaDevices.prototype.getUserMedia) === nativeLike('getUserMedia') &&
          printed(MediaDevices.prototype.enumerateDevices) === nativeLike('enumerateDevices'),
        leaks: (window as any).seen.leaks,
        ports: (window as any).seen.ports,
      };
    });
    assert.deepEqual(r, {
      tracks: ['audio:live', 'video:live'],
      bad: 'TypeError',
      devices: true,
      semantics: 'browser-chooses',
      toString: true,
      leaks: [],
      ports: 0,
    });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('built-ins tampered with before the picker chunk loads: the picker still answers, nothing leaks', async () => {
    await setSettings(suite.tb, { alwaysShowPicker: true });
    try {
      suite.server.route('/tamper-picker.html', { body: hostile(TAMPER) });
      const page = await suite.tb.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(suite.server.url('/tamper-picker.html'));
      await startGum(page, { audio: true, semantics: 'user-chooses' });
      await clickByName(await pickerPage(suite.tb), 'button', 'Allow');
      assert.deepEqual(await gumResult(page), { ok: true, tracks: ['audio:live'] });
      assert.deepEqual(await page.evaluate(() => (window as any).seen.leaks), []);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      await setSettings(suite.tb, { alwaysShowPicker: false });
    }
  });

  it("a getter on Object.prototype.then or Array.prototype.then sees nothing of MediaGate's: no device names, config, picker outcome or chunk exports", async () => {
    await setSettings(suite.tb, { labelPolicy: 'always-hide', alwaysShowPicker: true });
    try {
      // Resolving a promise reads `then` of the value: every object MediaGate resolved would pass here.
      const TRAP = `
        window.thenSeen = [];
        for (const proto of [Object.prototype, Array.prototype]) {
          Object.defineProperty(proto, 'then', { configurable: true, get() { window.thenSeen.push(this); return undefined; } });
        }`;
      suite.server.route('/then-trap.html', { body: hostile(RECORDER + TRAP) });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/then-trap.html'));
      await page.evaluate(() => {
        (window as any).__label = null;
        void navigator.mediaDevices
          .getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints)
          .then(
            (s) => {
              (window as any).__label = s.getVideoTracks()[0]!.label;
              s.getTracks().forEach((t) => t.stop());
            },
            (e) => {
              (window as any).__label = `error ${e.name}`;
            },
          );
      });
      await clickByName(await pickerPage(suite.tb), 'button', 'Allow');
      const label = await waitFor(
        () => page.evaluate(() => (window as any).__label as string | null),
        'the picked camera',
      );
      assert.doesNotMatch(label, /^error/);
      const found = await page.evaluate(async (label) => {
        await navigator.mediaDevices.enumerateDevices();
        const out: string[] = [];
        for (const v of (window as any).thenSeen as object[]) {
          let text = '';
          try {
            text = JSON.stringify(v) ?? '';
          } catch {
            text = '';
          }
          const keys = Object.getOwnPropertyNames(v);
          if (label && text.includes(label)) out.push(`a device name in ${text.slice(0, 120)}`);
          for (const k of ['labelPolicy', 'site', 'features', 'choice', 'outcome', 'requestId', 'exports', 'bridge'])
            if (keys.includes(k)) out.push(`an object with "${k}"`);
        }
        return { out, count: ((window as any).thenSeen as object[]).length };
      }, label);
      // The trap works: the page's own promise of a device list passed through it.
      assert.ok(found.count > 0, "the trap saw the page's own resolutions");
      assert.deepEqual(found.out, []);
      assert.deepEqual(await page.evaluate(() => (window as any).seen.leaks), []);
      await page.close();
    } finally {
      await setSettings(suite.tb, { labelPolicy: 'hide-until-allowed', alwaysShowPicker: false });
    }
  });

  it('the page cannot retire MediaGate: a forged handoff, with any proof (guessed or spied on built-ins), leaves names hidden and the patches in place', async () => {
    await setSettings(suite.tb, { labelPolicy: 'always-hide' });
    try {
      // The first script spies on every string a regular expression or a string method is asked about,
      // before MediaGate's ticket arrives: a proof seen there could be replayed.
      const SPY = `
        window.spied = [];
        const exec = RegExp.prototype.exec;
        RegExp.prototype.exec = function (s) { window.spied.push(String(s)); return exec.call(this, s); };
        for (const m of ['charCodeAt', 'charAt', 'slice', 'substring', 'indexOf', 'includes', 'split', 'toLowerCase']) {
          const f = String.prototype[m];
          String.prototype[m] = function (...a) { window.spied.push(String(this)); return f.apply(this, a); };
        }`;
      suite.server.route('/handoff-spy.html', { body: hostile(SPY) });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/handoff-spy.html'));
      const r = await page.evaluate(async () => {
        const labels = async () => (await navigator.mediaDevices.enumerateDevices()).map((d) => d.label).join('');
        const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        s.getTracks().forEach((t) => t.stop());
        const before = await labels();
        const got: unknown[] = [];
        const tried: string[] = [];
        for (const name of ['mediagate:handoff/1', 'mediagate:handoff/2']) {
          // Version 1's shape (the old instance wrote its state into the detail) and version 2's.
          const detail: any = { state: null, accept: (state: unknown) => got.push(state) };
          window.dispatchEvent(new CustomEvent(name, { detail }));
          if (typeof detail.respond === 'function') {
            tried.push(`${name}: nonce ${typeof detail.nonce}`);
            const spied = ((window as any).spied as string[]).filter((x) => /^[0-9a-f]{64}$/.test(x));
            const guesses = [
              '0'.repeat(64),
              detail.nonce,
              'f'.repeat(64),
              undefined,
              { toString: () => detail.nonce },
              ...spied,
            ];
            for (const proof of guesses) detail.respond(proof);
          }
          if (detail.state) got.push(detail.state);
        }
        await new Promise((res) => setTimeout(res, 300));
        return {
          before,
          after: await labels(),
          got: got.length,
          tried,
          // Still MediaGate's: "user-chooses" is validated (the browser would ignore the member).
          semantics: await navigator.mediaDevices
            .getUserMedia({ video: true, semantics: 'nonsense' } as MediaStreamConstraints)
            .then(
              (st) => {
                st.getTracks().forEach((t) => t.stop());
                return 'resolved';
              },
              (e) => e.name,
            ),
        };
      });
      assert.deepEqual(r, {
        before: '',
        after: '',
        got: 0,
        tried: ['mediagate:handoff/2: nonce string'],
        semantics: 'TypeError',
      });
      await page.close();
    } finally {
      await setSettings(suite.tb, { labelPolicy: 'hide-until-allowed' });
    }
  });

  // ---- fresh frames and windows -------------------------------------------------------------

  it("fresh iframes, about:blank, srcdoc, window.open and document.write frames get MediaGate's patches, native-looking", async () => {
    const page = await suite.tb.newPage();
    await page.goto(suite.server.url('/blank.html'));
    const r = await page.evaluate(async () => {
      const probe = async (label: string, w: any) => {
        const md = w.navigator.mediaDevices;
        const gum = w.MediaDevices.prototype.getUserMedia;
        const nativeLike = Function.prototype.toString
          .call(Object.prototype.hasOwnProperty)
          .replace('hasOwnProperty', 'getUserMedia');
        // Synchronously, before anything else runs in that window.
        const p = md.getUserMedia({ video: true, semantics: 'bogus' });
        let bad = '';
        try {
          const s = (await Promise.race([
            p,
            new Promise((res) => setTimeout(() => res(null), 5000)),
          ])) as MediaStream | null;
          bad = s ? 'resolved' : 'hang';
          s?.getTracks().forEach((t: MediaStreamTrack) => t.stop());
        } catch (e) {
          bad = (e as Error).name;
        }
        return `${label}: bad=${bad} defaultSemantics=${'defaultSemantics' in md} own=${w.Function.prototype.toString.call(gum) === nativeLike} ours=${Function.prototype.toString.call(gum) === nativeLike} name=${gum.name}`;
      };
      // about:blank may finish loading during append(): wait for load or at most 1 s.
      const loaded = (f: HTMLIFrameElement) =>
        new Promise((res) => {
          f.addEventListener('load', res, { once: true });
          setTimeout(res, 1000);
        });
      const out: string[] = [];
      const fresh = document.createElement('iframe');
      document.body.append(fresh);
      out.push(await probe('fresh iframe', fresh.contentWindow));
      const blank = document.createElement('iframe');
      blank.src = 'about:blank';
      const blankLoaded = loaded(blank);
      document.body.append(blank);
      await blankLoaded;
      out.push(await probe('about:blank', blank.contentWindow));
      const srcdoc = document.createElement('iframe');
      srcdoc.srcdoc = '<p>srcdoc</p>';
      const srcdocLoaded = loaded(srcdoc);
      document.body.append(srcdoc);
      await srcdocLoaded;
      out.push(await probe('srcdoc', srcdoc.contentWindow));
      const written = document.createElement('iframe');
      document.body.append(written);
      written.contentDocument!.open();
      written.contentDocument!.write('<!doctype html><p>written</p>');
      written.contentDocument!.close();
      out.push(await probe('document.write', written.contentWindow));
      const nested = document.createElement('iframe');
      document.body.append(nested);
      const inner = nested.contentDocument!.createElement('iframe');
      nested.contentDocument!.body.append(inner);
      out.push(await probe('nested fresh iframe', inner.contentWindow));
      const popup = window.open('about:blank', '_blank');
      out.push(popup ? await probe('window.open', popup) : 'window.open: blocked');
      popup?.close();
      return out;
    });
    const expect = (label: string) =>
      `${label}: bad=TypeError defaultSemantics=true own=true ours=true name=getUserMedia`;
    assert.deepEqual(
      r,
      ['fresh iframe', 'about:blank', 'srcdoc', 'document.write', 'nested fresh iframe', 'window.open'].map(expect),
    );
    await page.close();
  });

  it("a fresh iframe's user-chooses request used at once opens MediaGate's picker for the page's origin", async () => {
    await setSettings(suite.tb, { alwaysShowPicker: true });
    const page = await suite.tb.newPage();
    try {
      await page.goto(suite.server.url('/blank.html'));
      await page.evaluate(() => {
        const f = document.createElement('iframe');
        document.body.append(f);
        (window as any).__gum = null;
        (f.contentWindow as any).navigator.mediaDevices.getUserMedia({ audio: true, semantics: 'user-chooses' }).then(
          (s: MediaStream) => {
            (window as any).__gum = { ok: true, tracks: s.getTracks().map((t) => `${t.kind}:${t.readyState}`) };
            s.getTracks().forEach((t) => t.stop());
          },
          (e: Error) => {
            (window as any).__gum = { ok: false, name: e.name };
          },
        );
      });
      const picker = await pickerPage(suite.tb);
      const heading = await picker.evaluate(() => document.querySelector('h1')?.textContent ?? '');
      assert.ok(heading.includes(suite.server.origin), heading);
      await clickByName(picker, 'button', 'Allow');
      assert.deepEqual(await gumResult(page), { ok: true, tracks: ['audio:live'] });
    } finally {
      await setSettings(suite.tb, { alwaysShowPicker: false });
      await page.close();
    }
  });

  // ---- clickjacking the <usermedia> element ---------------------------------------------------

  const ELEMENT = '<usermedia id="u"><script type="permissionconstraints">{"video": true}</script></usermedia>';
  const EVENTS = `<script>window.events = []; addEventListener('load', () => { const el = document.getElementById('u'); for (const t of ['streamready', 'error']) el.addEventListener(t, () => events.push(t)); });</script>`;
  /** Clicks where the element is (a real, trusted click) and reports whether a stream came out of it. */
  const clickElement = async (page: Page, before?: () => Promise<void>) => {
    await waitFor(
      () =>
        page.evaluate(() => {
          const el = document.getElementById('u') as any;
          return el && 'isValid' in el && el.invalidReason !== 'recently_attached';
        }),
      'element upgraded and settled',
    );
    const box = await page.evaluate(() => {
      const r = document.getElementById('u')!.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
    if (before) await before();
    await page.mouse.click(box.x, box.y);
    await sleep(1500);
    return page.evaluate(() => {
      const el = document.getElementById('u') as any;
      return { stream: !!el.stream, events: (window as any).events as string[], reason: el.invalidReason };
    });
  };

  describe('clickjacking <usermedia>', () => {
    before(async () => {
      for (const kind of ['camera', 'microphone'] as const)
        await uiRequest(ui, 'sites/set', { origin: suite.server.origin, kind, state: 'allow' });
    });
    after(async () => {
      for (const kind of ['camera', 'microphone'] as const)
        await uiRequest(ui, 'sites/set', { origin: suite.server.origin, kind, state: 'ask' });
    });

    it('control: an honest click on the same page gives a stream', async () => {
      suite.server.route('/cj-control.html', { body: hostile('', `${ELEMENT}${EVENTS}`) });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/cj-control.html'));
      const r = await clickElement(page);
      assert.equal(r.stream, true, JSON.stringify(r));
      await page.close();
    });

    it('inside a parent with opacity 0: the click gives nothing', async () => {
      suite.server.route('/cj-opacity.html', { body: hostile('', `<div style="opacity:0">${ELEMENT}</div>${EVENTS}`) });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/cj-opacity.html'));
      const r = await clickElement(page);
      assert.deepEqual(
        { stream: r.stream, ready: r.events.includes('streamready') },
        { stream: false, ready: false },
        JSON.stringify(r),
      );
      await page.close();
    });

    it(
      'under a covering overlay that lets clicks through (pointer-events: none): the click gives nothing',
      {
        todo:
          suite.name === 'firefox'
            ? 'known limit (docs/features/usermedia-element.md): Firefox has no IntersectionObserver v2 and elementFromPoint ignores pointer-events:none overlays'
            : undefined,
      },
      async () => {
        suite.server.route('/cj-cover.html', {
          body: hostile(
            '',
            `${ELEMENT}<div style="position:fixed;inset:0;background:#fff;pointer-events:none">Win a prize!</div>${EVENTS}`,
          ),
        });
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/cj-cover.html'));
        const r = await clickElement(page);
        assert.deepEqual(
          { stream: r.stream, ready: r.events.includes('streamready') },
          { stream: false, ready: false },
          JSON.stringify(r),
        );
        await page.close();
      },
    );

    it('moved under the pointer right before the click: the click gives nothing', async () => {
      suite.server.route('/cj-move.html', {
        body: hostile(
          '',
          `<div id="wrap" style="position:absolute;left:0;top:200px">${ELEMENT}</div><button id="bait" style="position:absolute;left:20px;top:20px">Play</button>${EVENTS}`,
        ),
      });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/cj-move.html'));
      await waitFor(
        () =>
          page.evaluate(() => {
            const el = document.getElementById('u') as any;
            return el && 'isValid' in el && el.invalidReason !== 'recently_attached';
          }),
        'settled',
      );
      // The person aims at "Play"; the page slides the element under the pointer 100 ms before the click.
      const bait = await page.evaluate(() => {
        const r = document.getElementById('bait')!.getBoundingClientRect();
        return { x: r.left + 5, y: r.top + 5 };
      });
      await page.mouse.move(bait.x, bait.y);
      await page.evaluate((b) => {
        const wrap = document.getElementById('wrap')!;
        const r = document.getElementById('u')!.getBoundingClientRect();
        wrap.style.left = `${b.x - r.width / 2}px`;
        wrap.style.top = `${b.y - r.height / 2}px`;
      }, bait);
      await sleep(100);
      await page.mouse.click(bait.x, bait.y);
      await sleep(1500);
      const r = await page.evaluate(() => ({
        stream: !!(document.getElementById('u') as any).stream,
        events: (window as any).events,
      }));
      assert.deepEqual(r, { stream: false, events: [] });
      await page.close();
    });

    it('synthetic clicks and keys (click(), dispatchEvent) give nothing', async () => {
      suite.server.route('/cj-synthetic.html', { body: hostile('', `${ELEMENT}${EVENTS}`) });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/cj-synthetic.html'));
      await waitFor(
        () =>
          page.evaluate(() => {
            const el = document.getElementById('u') as any;
            return el && 'isValid' in el && el.invalidReason !== 'recently_attached';
          }),
        'settled',
      );
      const r = await page.evaluate(async () => {
        const el = document.getElementById('u') as HTMLElement;
        el.click();
        const r = el.getBoundingClientRect();
        const at = { clientX: r.left + 5, clientY: r.top + 5, bubbles: true, cancelable: true, composed: true };
        for (const t of ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click'])
          el.dispatchEvent(t.startsWith('pointer') ? new PointerEvent(t, at) : new MouseEvent(t, at));
        el.focus();
        for (const key of ['Enter', ' ']) {
          el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
          el.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true }));
        }
        await new Promise((res) => setTimeout(res, 1500));
        return { stream: !!(el as any).stream, ready: ((window as any).events as string[]).includes('streamready') };
      });
      // (Chromium's native element fires `error` for them; no stream either way.)
      assert.deepEqual(r, { stream: false, ready: false });
      await page.close();
    });
  });

  // ---- hidden labels ------------------------------------------------------------------------

  it('labels hidden with "always-hide" stay hidden through every path', async () => {
    await setSettings(suite.tb, { labelPolicy: 'always-hide' });
    try {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(async () => {
        // The real labels, from the tracks (track labels are not hidden, by design).
        const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        const real = s
          .getTracks()
          .map((t) => t.label)
          .filter(Boolean);
        s.getTracks().forEach((t) => t.stop());
        const leaked: string[] = [];
        const check = (where: string, text: unknown) => {
          let str = '';
          try {
            str = typeof text === 'string' ? text : (JSON.stringify(text) ?? '');
          } catch {
            str = String(text);
          }
          if (real.some((l) => str.includes(l))) leaked.push(where);
        };
        const devices = await navigator.mediaDevices.enumerateDevices();
        check(
          'label',
          devices.map((d) => d.label),
        );
        check(
          'toJSON',
          devices.map((d) => d.toJSON()),
        );
        check('JSON.stringify', JSON.stringify(devices));
        check(
          'getter',
          devices.map((d) => Object.getOwnPropertyDescriptor(MediaDeviceInfo.prototype, 'label')!.get!.call(d)),
        );
        check(
          'getCapabilities',
          devices.map((d) => (typeof (d as any).getCapabilities === 'function' ? (d as any).getCapabilities() : null)),
        );
        check(
          'spread',
          devices.map((d) => ({ ...d })),
        );
        check(
          'String',
          devices.map((d) => String(d) + Object.prototype.toString.call(d)),
        );
        const cloneErrors: string[] = [];
        try {
          check('structuredClone', structuredClone(devices[0]));
          cloneErrors.push('cloned');
        } catch (e) {
          cloneErrors.push((e as Error).name);
        }
        try {
          window.postMessage(devices[0], '*');
          cloneErrors.push('posted');
        } catch (e) {
          cloneErrors.push((e as Error).name);
        }
        // Same-origin frames: their own enumerateDevices, and their realm's getters applied to ours.
        const frame = document.createElement('iframe');
        document.body.append(frame);
        const fw = frame.contentWindow as any;
        // The frame's own getter on ours, at once: its MediaGate has no config yet and must hide all the same.
        check(
          'fresh frame getter on ours, before its config',
          devices.map((d) => fw.Object.getOwnPropertyDescriptor(fw.MediaDeviceInfo.prototype, 'label').get.call(d)),
        );
        // Used at once, before the frame's document has loaded anything.
        const early = await fw.navigator.mediaDevices.enumerateDevices();
        check(
          'frame early enumerateDevices',
          early.map((d: MediaDeviceInfo) => d.label),
        );
        check(
          'frame getter on ours',
          devices.map((d) => fw.Object.getOwnPropertyDescriptor(fw.MediaDeviceInfo.prototype, 'label').get.call(d)),
        );
        check(
          'frame toJSON on ours',
          devices.map((d) => fw.MediaDeviceInfo.prototype.toJSON.call(d)),
        );
        check(
          "our getter on the frame's",
          early.map((d: MediaDeviceInfo) =>
            Object.getOwnPropertyDescriptor(MediaDeviceInfo.prototype, 'label')!.get!.call(d),
          ),
        );
        const srcdoc = document.createElement('iframe');
        srcdoc.srcdoc = '<p>x</p>';
        document.body.append(srcdoc);
        await new Promise((res) => srcdoc.addEventListener('load', res, { once: true }));
        check(
          'srcdoc enumerateDevices',
          (await (srcdoc.contentWindow as any).navigator.mediaDevices.enumerateDevices()).map(
            (d: MediaDeviceInfo) => d.label,
          ),
        );
        return {
          real: real.length,
          leaked,
          cloneErrors,
          count: devices.length,
          ids: devices.every((d) => d.deviceId !== ''),
        };
      });
      assert.ok(r.real >= 2, 'the test knows the real labels');
      assert.deepEqual(r.leaked, []);
      assert.deepEqual(r.cloneErrors, ['DataCloneError', 'DataCloneError']);
      assert.ok(r.count >= 2 && r.ids, 'the devices are still listed with ids');
      await page.close();
    } finally {
      await setSettings(suite.tb, { labelPolicy: 'hide-until-allowed' });
    }
  });

  // ---- security round two: the picker's resources, documents and windows (issue 20, items 6-8) --------

  describe('the picker against floods, navigation, frames and nagging (issue 20)', () => {
    before(() => setSettings(suite.tb, { alwaysShowPicker: true }));
    after(() => setSettings(suite.tb, { alwaysShowPicker: false }));

    /** MediaGate's picker window asking for `origin`, once it takes input. */
    const pickerFor = (origin: string) =>
      waitFor(
        async () => {
          for (const p of await suite.tb.browser.pages()) {
            const ready = await p
              .evaluate(
                (o) =>
                  location.href.includes('/picker/picker.html') &&
                  document.body.dataset.armed === 'true' &&
                  document.querySelectorAll('input[type=radio]').length > 0 &&
                  (document.querySelector('h1')?.textContent ?? '').includes(o),
                origin,
              )
              .catch(() => false);
            if (ready) return p;
          }
          return null;
        },
        `the picker for ${origin}`,
        15000,
      );
    const openPickers = async () => {
      let n = 0;
      for (const p of await suite.tb.browser.pages())
        if ((await p.evaluate(() => location.href).catch(() => '')).includes('/picker/picker.html')) n++;
      return n;
    };
    /** Starts getUserMedia in a frame (any world we can evaluate in); its outcome lands in that frame's __gum. */
    const gumIn = (frame: { evaluate: Page['evaluate'] }, constraints: unknown) =>
      frame.evaluate((c) => {
        (window as any).__gum = null;
        navigator.mediaDevices.getUserMedia(c as MediaStreamConstraints).then(
          (s) => {
            (window as any).__stream = s;
            (window as any).__gum = { ok: true, tracks: s.getTracks().map((t) => `${t.kind}:${t.readyState}`) };
          },
          (e) => {
            (window as any).__gum = { ok: false, name: e.name };
          },
        );
      }, constraints as any);
    const gumOf = (frame: { evaluate: Page['evaluate'] }, timeout = 20000) =>
      waitFor(() => frame.evaluate(() => (window as any).__gum), 'getUserMedia to settle', timeout);
    const frameAt = (page: Page, search: string) =>
      waitFor(() => page.frames().find((f) => f.url().includes(search)), `the frame ${search}`);
    const addFrame = (page: Page, src: string, allow?: string) =>
      page.evaluate(
        async (s, a) => {
          const f = document.createElement('iframe');
          if (a !== undefined) f.allow = a;
          f.src = s;
          document.body.append(f);
          await new Promise((r) => f.addEventListener('load', r, { once: true }));
        },
        src,
        allow,
      );

    it('a tab that floods the picker store is refused beyond its caps; another tab still gets its picker and its call controls', async () => {
      const flood = await suite.tb.newPage();
      await flood.goto(suite.server.url('/blank.html?flood'));
      // 30 requests of ~400 KB constraints (the largest the protocol passes) filled storage.session's
      // 10 MB before the caps; then 12 small ones, beyond the per-origin count.
      await flood.evaluate(() => {
        const big: Record<string, string> = {};
        for (let i = 0; i < 99; i++) big[`${i}`.padEnd(512, 'k')] = 'v'.repeat(512);
        const w = window as any;
        w.__flood = { big: [] as string[], small: [] as string[] };
        const run = (list: string[], c: unknown) =>
          navigator.mediaDevices.getUserMedia(c as MediaStreamConstraints).then(
            (s) => {
              list.push('resolved');
              s.getTracks().forEach((t) => t.stop());
            },
            (e) => list.push(e.name),
          );
        for (let i = 0; i < 30; i++)
          void run(w.__flood.big, { audio: { ...big }, video: { ...big }, semantics: 'user-chooses' });
        for (let i = 0; i < 12; i++) void run(w.__flood.small, { audio: true, semantics: 'user-chooses' });
      });
      const refused = await waitFor(
        () =>
          flood.evaluate(() => {
            const f = (window as any).__flood;
            return f.big.length === 30 && f.small.length === 12 - 8 ? f : null;
          }),
        'the requests beyond the caps refused',
        20000,
      );
      assert.deepEqual(refused.big, Array(30).fill('NotAllowedError'), 'every oversized request: NotAllowedError');
      assert.deepEqual(refused.small, Array(4).fill('NotAllowedError'), 'the 9th to 12th request: NotAllowedError');
      const stored = JSON.stringify((await readStorage(suite.tb, 'session', 'pickers')) ?? {});
      assert.ok(stored.length < 64 * 1024, `the picker store holds ${stored.length} characters`);

      // Another tab, another origin: its picker, its call, and MediaGate's controls on that call.
      const other = await suite.tb.newPage();
      try {
        await other.goto(`${suite.server.otherOrigin}/blank.html?bystander`);
        await gumIn(other, { audio: true, semantics: 'user-chooses' });
        await clickByName(await pickerFor(suite.server.otherOrigin), 'button', 'Allow');
        assert.deepEqual(await gumOf(other), { ok: true, tracks: ['audio:live'] });
        const ui = await suite.tb.openExtensionPage('popup/popup.html');
        const call = await waitFor(
          async () => (await listCalls(ui)).find((c) => c.origin === suite.server.otherOrigin && c.tracks.length === 1),
          "the other tab's call listed",
        );
        assert.equal(
          await uiRequest(ui, 'calls/invoke', { tabId: call.tabId, frameId: call.frameId, action: 'togglemicrophone' }),
          true,
        );
        await waitFor(
          // No handler there: MediaGate mutes the track itself, and the page reads it as muted.
          () => other.evaluate(() => (window as any).__stream.getAudioTracks()[0].muted === true),
          "MediaGate's mute reached the other tab",
        );
        await ui.close();
      } finally {
        await other.close();
        // Closing the tab answers its pending requests (and is no dismissal) and closes its picker:
        // wait for that, a window closing under the next test's new tab makes Firefox fail to open it.
        await flood.close();
        await waitFor(async () => (await openPickers()) === 0, "the flooding tab's picker closed");
      }
    });

    it('an answer goes to the document that asked: a frame navigated meanwhile gets nothing, and nothing is granted for the page that left', async () => {
      const page = await suite.tb.newPage();
      const other = suite.server.otherOrigin;
      try {
        await page.goto(suite.server.url('/blank.html?navigating'));
        await addFrame(page, `${other}/blank.html?asker`, 'microphone');
        await gumIn(await frameAt(page, '?asker'), { audio: true, semantics: 'user-chooses' });
        const picker = await pickerFor(other);
        // The frame shows another document of the same origin before the person answers.
        await page.evaluate((src) => {
          const f = document.querySelector('iframe')!;
          return new Promise((r) => {
            f.addEventListener('load', r, { once: true });
            f.src = src;
          });
        }, `${other}/blank.html?successor`);
        // Visit grants of this origin as they stand (Firefox keeps those of closed tabs: it has no browser grant to undo).
        const grantsOf = async () =>
          Object.entries(((await readStorage(suite.tb, 'local', 'visitGrants')) ?? {}) as Record<string, unknown>)
            .filter(([k]) => k.startsWith(other))
            .map((e) => JSON.stringify(e));
        const before = await grantsOf();
        await clickByName(picker, 'button', 'Allow');
        await waitFor(() => picker.isClosed() || openPickers().then((n) => n === 0), 'the picker closed');
        assert.deepEqual(await grantsOf(), before, 'no grant for the page that left');
        if (suite.name === 'chromium') {
          const ui = await suite.tb.openExtensionPage('popup/popup.html');
          const setting = await ui.evaluate(
            (o) =>
              (globalThis as any).chrome.contentSettings.microphone
                .get({ primaryUrl: `${o}/` })
                .then((r: { setting: string }) => r.setting),
            other,
          );
          assert.equal(setting, 'ask', "the browser's own permission untouched");
          await ui.close();
        }
        // The successor asks for itself and gets its own answer.
        const successor = await frameAt(page, '?successor');
        assert.equal(await successor.evaluate(() => (window as any).__gum ?? null), null);
        await gumIn(successor, { audio: true, semantics: 'user-chooses' });
        await clickByName(await pickerFor(other), 'button', 'Allow');
        assert.deepEqual(await gumOf(successor), { ok: true, tracks: ['audio:live'] });
      } finally {
        await page.close();
      }
    });

    it('frames of several origins get one picker window at a time; the next shows when the first is answered', async () => {
      const page = await suite.tb.newPage();
      const other = suite.server.otherOrigin;
      try {
        await page.goto(suite.server.url('/blank.html?two-origins'));
        await addFrame(page, `${other}/blank.html?queued`, 'microphone');
        const frame = await frameAt(page, '?queued');
        await gumIn(page, { audio: true, semantics: 'user-chooses' });
        await gumIn(frame, { audio: true, semantics: 'user-chooses' });
        // Either may ask first; the one that did shows, the other waits for it.
        const first = await pickerPage(suite.tb);
        const heading = await first.evaluate(() => document.querySelector('h1')?.textContent ?? '');
        const [shown, waiting] = heading.includes(other)
          ? ([frame, [page, suite.server.origin]] as const)
          : ([page, [frame, other]] as const);
        await sleep(1000);
        assert.equal(await openPickers(), 1, 'one picker window, the other origin waits');
        await clickByName(first, 'button', 'Allow');
        assert.deepEqual(await gumOf(shown), { ok: true, tracks: ['audio:live'] });
        await clickByName(await pickerFor(waiting[1]), 'button', 'Allow');
        assert.deepEqual(await gumOf(waiting[0]), { ok: true, tracks: ['audio:live'] });
        await waitFor(async () => (await openPickers()) === 0, 'both pickers closed');
      } finally {
        await page.close();
      }
    });

    it("a frame whose permissions policy refuses the microphone gets NotAllowedError and no picker, as the browser's own prompt", async () => {
      const page = await suite.tb.newPage();
      const other = suite.server.otherOrigin;
      try {
        await page.goto(suite.server.url('/blank.html?policy'));
        await addFrame(page, `${other}/blank.html?no-allow`);
        await addFrame(page, '/blank.html?none', "microphone 'none'");
        await addFrame(page, `${other}/blank.html?allowed`, 'microphone');
        const opened = countNewPages(suite.tb);
        for (const search of ['?no-allow', '?none']) {
          const frame = await frameAt(page, search);
          await gumIn(frame, { audio: true, semantics: 'user-chooses' });
          assert.deepEqual(await gumOf(frame), { ok: false, name: 'NotAllowedError' }, search);
        }
        await sleep(500);
        assert.equal(opened(), 0, 'no picker for a frame the policy refuses');
        // The frame its parent allowed the microphone asks as usual.
        const allowed = await frameAt(page, '?allowed');
        await gumIn(allowed, { audio: true, semantics: 'user-chooses' });
        await clickByName(await pickerFor(other), 'button', 'Allow');
        assert.deepEqual(await gumOf(allowed), { ok: true, tracks: ['audio:live'] });
      } finally {
        await page.close();
      }
    });

    it('three dismissals embargo the site quietly (NotAllowedError, no window); a decision from the popup or options ends it', async () => {
      // The popup first: Firefox lets a tab capture only while it is in front.
      const ui = await suite.tb.openExtensionPage('popup/popup.html');
      const page = await suite.tb.newPage();
      const other = suite.server.otherOrigin;
      try {
        await page.goto(`${other}/blank.html?embargo`);
        for (let i = 0; i < 3; i++) {
          await page.bringToFront();
          await gumIn(page, { audio: true, semantics: 'user-chooses' });
          const picker = await pickerFor(other);
          // Keys need the window focused, and wait half a second after it got the focus.
          await picker.bringToFront();
          await waitArmed(picker);
          await picker.keyboard.press('Escape').catch(() => undefined); // the window closes on keydown
          assert.deepEqual(await gumOf(page), { ok: false, name: 'NotAllowedError' }, `dismissal ${i + 1}`);
        }
        const embargo = (await readStorage(suite.tb, 'local', 'embargo')) as Record<string, any>;
        const days = (embargo[other].microphone.until - Date.now()) / 86_400_000;
        assert.ok(days > 6.9 && days <= 7, `embargoed for ${days} days`);
        const opened = countNewPages(suite.tb);
        await gumIn(page, { audio: true, semantics: 'user-chooses' });
        assert.deepEqual(await gumOf(page, 5000), { ok: false, name: 'NotAllowedError' });
        await sleep(500);
        assert.equal(opened(), 0, 'no window while embargoed');
        // The camera was not dismissed: it still asks.
        await gumIn(page, { video: true, semantics: 'user-chooses' });
        await clickByName(await pickerFor(other), 'button', 'Allow');
        assert.equal((await gumOf(page)).ok, true);
        // The options page lists the embargoed site ("Ask"); the person allows it there, and the embargo
        // ends with that decision.
        assert.ok(Object.hasOwn(await uiRequest(ui, 'sites/list', {}), other), 'listed for the person to decide');
        await uiRequest(ui, 'sites/set', { origin: other, kind: 'microphone', state: 'allow' });
        await page.reload();
        await page.bringToFront();
        await gumIn(page, { audio: true, semantics: 'user-chooses' });
        await clickByName(await pickerFor(other), 'button', 'Allow');
        assert.deepEqual(await gumOf(page), { ok: true, tracks: ['audio:live'] });
      } finally {
        await uiRequest(ui, 'sites/set', { origin: other, kind: 'microphone', state: 'ask' }).catch(() => undefined);
        await ui.close();
        await page.close();
      }
    });
  });
});
