// Transferable MediaStreamTrack: camera tracks posted to the page's dedicated workers, processed there
// with MediaStreamTrackProcessor / VideoTrackGenerator and posted back, in both browsers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { BROWSERS, launch, type TestBrowser } from './helpers/browsers';
import { startServer, type FixtureServer } from './helpers/server';

const JS = 'text/javascript';

/** The worker the tests talk to: commands by name, answers with `{ok, ...}` or `{error}`. */
const WORKER = `
importScripts('lib/helper.js');
let tracks = [];
const describe = (t) => ({ isTrack: t instanceof MediaStreamTrack, id: t.id, kind: t.kind, label: t.label, enabled: t.enabled,
  muted: t.muted, readyState: t.readyState, settings: t.getSettings(), constraints: t.getConstraints(),
  proto: Object.getPrototypeOf(t) === MediaStreamTrack.prototype });
self.onmessage = async (e) => {
  const { cmd } = e.data;
  try {
    if (cmd === 'env') {
      const r = await fetch('lib/data.json').then((r) => r.json());
      postMessage({ ok: true, href: self.location.href, pathname: location.pathname, helper: self.helperLoaded, data: r.value,
        locationString: String(self.location), url: new URL('x', location.href).href });
    } else if (cmd === 'take') {
      tracks = e.data.tracks;
      postMessage({ ok: true, tracks: tracks.map(describe), ports: e.ports.length, extra: e.data.extra, types: [typeof MediaStreamTrack, typeof MediaStreamTrackProcessor, typeof VideoTrackGenerator] });
    } else if (cmd === 'frames') {
      const reader = new MediaStreamTrackProcessor({ track: tracks[e.data.i ?? 0] }).readable.getReader();
      const sizes = [];
      for (let i = 0; i < 5; i++) { const { value } = await reader.read(); sizes.push([value.constructor.name, value.displayWidth, value.displayHeight]); value.close(); }
      await reader.cancel();
      postMessage({ ok: true, sizes });
    } else if (cmd === 'apply') {
      await tracks[0].applyConstraints(e.data.c);
      postMessage({ ok: true, settings: tracks[0].getSettings(), constraints: tracks[0].getConstraints() });
    } else if (cmd === 'clone-stop') {
      const c = tracks[0].clone();
      tracks[0].stop();
      tracks = [c];
      postMessage({ ok: true, clone: describe(c), stopped: 'ended' });
    } else if (cmd === 'invert') {
      const track = tracks[0];
      const gen = new VideoTrackGenerator();
      const canvas = new OffscreenCanvas(1, 1);
      const ctx = canvas.getContext('2d');
      const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
      const writer = gen.writable.getWriter();
      postMessage({ ok: true, track: gen.track }, [gen.track]);
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done) break;
        if (canvas.width !== frame.displayWidth) { canvas.width = frame.displayWidth; canvas.height = frame.displayHeight; }
        ctx.filter = 'invert(1)';
        ctx.drawImage(frame, 0, 0);
        const out = new VideoFrame(canvas, { timestamp: frame.timestamp });
        frame.close();
        await writer.write(out);
      }
    } else if (cmd === 'back') {
      postMessage({ ok: true, track: tracks[0] }, [tracks[0]]);
      postMessage({ ok: true, after: tracks[0].readyState });
    }
  } catch (err) {
    postMessage({ error: err.name + ': ' + err.message });
  }
};
`;

for (const name of BROWSERS) {
  describe(`transferable MediaStreamTrack (${name})`, () => {
    let tb: TestBrowser;
    let server: FixtureServer;
    let page: Page;

    before(async () => {
      server = await startServer();
      server.route('/tt/worker.js', { body: WORKER, type: JS });
      server.route('/tt/module.js', { body: `import { answer } from './lib/mod.js'; self.onmessage = (e) => postMessage({ answer, href: location.href, track: e.data.track instanceof MediaStreamTrack, id: e.data.track && e.data.track.id });`, type: JS });
      server.route('/tt/lib/mod.js', { body: 'export const answer = 42;', type: JS });
      server.route('/tt/lib/helper.js', { body: 'self.helperLoaded = true;', type: JS });
      server.route('/tt/lib/data.json', { body: '{"value": "relative fetch"}', type: 'application/json' });
      server.route('/tt/shared.js', { body: `onconnect = (e) => { const p = e.ports[0]; p.onmessage = (m) => p.postMessage('message:' + typeof m.data); p.onmessageerror = () => p.postMessage('messageerror'); };`, type: JS });
      server.route('/tt/page.html', { body: '<!doctype html><title>transfer</title><body><video id=v autoplay muted playsinline></video></body>' });
      server.route('/tt/csp.html', {
        body: '<!doctype html><title>csp</title><body></body>',
        headers: { 'content-security-policy': "script-src 'self' 'unsafe-inline'; worker-src 'self'" },
      });
      tb = await launch(name);
      page = await tb.newPage();
    });
    after(async () => { await tb?.close(); await server?.close(); });

    /** Sends a command to window.w and resolves with its next answer. */
    const call = (p: Page, msg: Record<string, unknown>, withTracks = false) => p.evaluate((m: Record<string, unknown>, wt: boolean) => {
      const w = (window as any).w as Worker;
      return new Promise<any>((resolve) => {
        w.addEventListener('message', (e) => resolve(e.data), { once: true });
        if (wt) {
          const t = (window as any).t as MediaStreamTrack;
          w.postMessage({ ...m, tracks: [t] }, [t]);
        } else {
          w.postMessage(m);
        }
      });
    }, msg, withTracks);

    it('the worker keeps its own URL: location, relative importScripts and fetch', async () => {
      await page.goto(server.url('/tt/page.html'));
      await page.evaluate(() => { (window as any).w = new Worker('worker.js'); });
      const env = await call(page, { cmd: 'env' });
      assert.deepEqual(env, {
        ok: true, href: server.url('/tt/worker.js'), pathname: '/tt/worker.js', helper: true, data: 'relative fetch',
        locationString: server.url('/tt/worker.js'), url: server.url('/tt/x'),
      });
    });

    it('transfer steps: same attributes in the worker, original ended without `ended`, detached re-transfer throws DataCloneError', async () => {
      const r = await page.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({ video: { width: 640 } });
        const t = s.getVideoTracks()[0]!;
        let endedEvents = 0;
        t.addEventListener('ended', () => { endedEvents++; });
        t.onended = () => { endedEvents++; };
        (window as any).t = t;
        const before = { id: t.id, kind: t.kind, label: t.label, enabled: t.enabled, muted: t.muted, readyState: t.readyState, settings: t.getSettings(), constraints: t.getConstraints() };
        const w = (window as any).w as Worker;
        const answer = new Promise<any>((resolve) => w.addEventListener('message', (e) => resolve(e.data), { once: true }));
        const port = new MessageChannel().port1;
        w.postMessage({ cmd: 'take', tracks: [t], extra: { nested: [t.id] } }, [t]);
        const after = t.readyState;
        let again = '';
        try { w.postMessage({ cmd: 'take', tracks: [t] }, [t]); } catch (e) { again = (e as Error).name; }
        const got = await answer;
        await new Promise((r) => setTimeout(r, 300));
        void port;
        return { before, after, again, got, endedEvents };
      });
      assert.equal(r.after, 'ended');
      assert.equal(r.again, 'DataCloneError');
      assert.equal(r.endedEvents, 0);
      assert.equal(r.got.ok, true);
      assert.deepEqual(r.got.types, ['function', 'function', 'function']);
      assert.equal(r.got.ports, 0, 'MediaGate\'s control ports are not in event.ports');
      assert.deepEqual(r.got.extra, { nested: [r.before.id] });
      const w = r.got.tracks[0];
      assert.deepEqual(
        { isTrack: w.isTrack, proto: w.proto, id: w.id, kind: w.kind, label: w.label, enabled: w.enabled, muted: w.muted, readyState: w.readyState, settings: w.settings, constraints: w.constraints },
        { isTrack: true, proto: true, ...r.before },
      );
    });

    it('the worker reads camera frames with MediaStreamTrackProcessor (the source kept running)', async () => {
      const r = await call(page, { cmd: 'frames' });
      assert.equal(r.ok, true, r.error);
      assert.equal(r.sizes.length, 5);
      for (const [type, w, h] of r.sizes) { assert.equal(type, 'VideoFrame'); assert.ok(w > 0 && h > 0); }
    });
  });
}
