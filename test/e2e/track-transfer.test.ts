// Transferable MediaStreamTrack: camera tracks posted to the page's dedicated workers, processed there
// with MediaStreamTrackProcessor / VideoTrackGenerator and posted back, in both browsers.
import { it, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { clickByName, pickerPage } from './helpers/picker';
import { listCalls, setSettings } from './helpers/extension';
import { waitFor } from './helpers/browsers';
import { describeEachBrowser } from './helpers/suite';

const JS = 'text/javascript';

/** The worker the tests talk to: commands by name, answers with `{ok, ...}` or `{error}`. */
const WORKER = `
importScripts('lib/helper.js');
let tracks = [];
// Once the page's tracks are dropped, the worker collects garbage: Chromium's gc() (exposed for this
// suite), in Firefox by allocating, as a busy worker would.
let dropped = false;
setInterval(() => { if (!dropped) return; if (self.gc) self.gc(); else for (let i = 0; i < 8; i++) new ArrayBuffer(32 << 20); }, 100);
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
    } else if (cmd === 'port') {
      const p = e.ports[0];
      p.onmessage = (m) => p.postMessage({ ok: true, tracks: m.data.tracks.map(describe), ports: m.ports.length });
      postMessage({ ok: true });
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
      postMessage({ ok: true, track: gen.track, id: gen.track.id }, [gen.track]);
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
    } else if (cmd === 'watch') {
      tracks[0].onended = () => postMessage({ ended: true, readyState: tracks[0].readyState });
      postMessage({ ok: true });
    } else if (cmd === 'close') {
      self.close();
    } else if (cmd === 'drop') {
      tracks = [];
      dropped = true;
      postMessage({ ok: true });
    } else if (cmd === 'events') {
      const t = tracks[0];
      const seen = [];
      for (const type of ['mute', 'unmute']) t.addEventListener(type, () => { seen.push(type + ':' + t.muted); postMessage({ seen }); });
      postMessage({ ok: true, muted: t.muted, id: t.id });
    } else if (cmd === 'back') {
      postMessage({ ok: true, track: tracks[0], id: tracks[0].id }, [tracks[0]]);
      postMessage({ ok: true, after: tracks[0].readyState });
    }
  } catch (err) {
    postMessage({ error: err.name + ': ' + err.message });
  }
};
`;

describeEachBrowser(
  'transferable MediaStreamTrack',
  {
    launch: (suite) => {
      suite.server.route('/tt/worker.js', { body: WORKER, type: JS });
      suite.server.route('/tt/module.js', {
        body: `import { answer } from './lib/mod.js'; self.onmessage = (e) => postMessage({ answer, href: location.href, track: e.data.track instanceof MediaStreamTrack, id: e.data.track && e.data.track.id });`,
        type: JS,
      });
      // A worker whose script throws at top level; each BroadcastChannel message makes it collect garbage
      // (as above), without any handler for the page's messages.
      suite.server.route('/tt/throws.js', {
        body: `new BroadcastChannel('tt-gc').onmessage = () => { if (self.gc) self.gc(); else for (let i = 0; i < 8; i++) new ArrayBuffer(32 << 20); };
throw new Error('top-level failure');`,
        type: JS,
      });
      suite.server.route('/tt/lib/mod.js', { body: 'export const answer = 42;', type: JS });
      suite.server.route('/tt/lib/helper.js', { body: 'self.helperLoaded = true;', type: JS });
      suite.server.route('/tt/lib/data.json', { body: '{"value": "relative fetch"}', type: 'application/json' });
      suite.server.route('/tt/shared.js', {
        body: `onconnect = (e) => { const p = e.ports[0]; p.onmessage = (m) => p.postMessage('message:' + typeof m.data); p.onmessageerror = () => p.postMessage('messageerror'); };`,
        type: JS,
      });
      // A worker made by the first script of the document, before anything else ran.
      suite.server.route('/tt/early.html', {
        body: '<!doctype html><html><head><script>window.w = new Worker("worker.js");</script><title>early</title></head><body></body></html>',
      });
      suite.server.route('/tt/page.html', {
        body: '<!doctype html><title>transfer</title><body><video id=v autoplay muted playsinline></video></body>',
      });
      suite.server.route('/tt/csp.html', {
        body: '<!doctype html><title>csp</title><body></body>',
        headers: { 'content-security-policy': "script-src 'self' 'unsafe-inline'; worker-src 'self'" },
      });
      // gc() in workers, for the tests of tracks a worker dropped.
      return { chromiumArgs: ['--js-flags=--expose-gc'] };
    },
  },
  (suite) => {
    let page: Page;

    before(async () => {
      page = await suite.tb.newPage();
    });

    /**
     * Sends a command to window.w and resolves with its next answer. A worker that does not answer
     * fails the test after CALL_MS instead of hanging until the file's limit.
     */
    const CALL_MS = 20_000;
    const call = (p: Page, msg: Record<string, unknown>, withTracks = false) =>
      p.evaluate(
        (m: Record<string, unknown>, wt: boolean, ms: number) => {
          const w = (window as any).w as Worker;
          return new Promise<any>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`the worker did not answer ${JSON.stringify(m.cmd)} within ${ms} ms`)),
              ms,
            );
            w.addEventListener(
              'message',
              (e) => {
                clearTimeout(timer);
                resolve(e.data);
              },
              { once: true },
            );
            if (wt) {
              const t = (window as any).t as MediaStreamTrack;
              w.postMessage({ ...m, tracks: [t] }, [t]);
            } else {
              w.postMessage(m);
            }
          });
        },
        msg,
        withTracks,
        CALL_MS,
      );

    it('the worker keeps its own URL: location, relative importScripts and fetch', async () => {
      await page.goto(suite.server.url('/tt/page.html'));
      await page.evaluate(() => {
        (window as any).w = new Worker('worker.js');
      });
      const env = await call(page, { cmd: 'env' });
      assert.deepEqual(env, {
        ok: true,
        href: suite.server.url('/tt/worker.js'),
        pathname: '/tt/worker.js',
        helper: true,
        data: 'relative fetch',
        locationString: suite.server.url('/tt/worker.js'),
        url: suite.server.url('/tt/x'),
      });
    });

    it('transfer steps: same attributes in the worker, original ended without `ended`, detached re-transfer throws DataCloneError', async () => {
      const r = await page.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({ video: { width: 640 } });
        const t = s.getVideoTracks()[0]!;
        let endedEvents = 0;
        t.addEventListener('ended', () => {
          endedEvents++;
        });
        t.onended = () => {
          endedEvents++;
        };
        (window as any).t = t;
        const before = {
          id: t.id,
          kind: t.kind,
          label: t.label,
          enabled: t.enabled,
          muted: t.muted,
          readyState: t.readyState,
          settings: t.getSettings(),
          constraints: t.getConstraints(),
        };
        const w = (window as any).w as Worker;
        const answer = new Promise<any>((resolve) =>
          w.addEventListener('message', (e) => resolve(e.data), { once: true }),
        );
        const port = new MessageChannel().port1;
        w.postMessage({ cmd: 'take', tracks: [t], extra: { nested: [t.id] } }, [t]);
        const after = t.readyState;
        let again = '';
        try {
          w.postMessage({ cmd: 'take', tracks: [t] }, [t]);
        } catch (e) {
          again = (e as Error).name;
        }
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
      assert.equal(r.got.ports, 0, "MediaGate's control ports are not in event.ports");
      assert.deepEqual(r.got.extra, { nested: [r.before.id] });
      const w = r.got.tracks[0];
      assert.deepEqual(
        {
          isTrack: w.isTrack,
          proto: w.proto,
          id: w.id,
          kind: w.kind,
          label: w.label,
          enabled: w.enabled,
          muted: w.muted,
          readyState: w.readyState,
          settings: w.settings,
          constraints: w.constraints,
        },
        { isTrack: true, proto: true, ...r.before },
      );
    });

    it('through a MessagePort whose other end went to the worker', async () => {
      const r = await page.evaluate(async () => {
        const w = (window as any).w as Worker;
        const ch = new MessageChannel();
        await new Promise((resolve) => {
          w.addEventListener('message', resolve, { once: true });
          w.postMessage({ cmd: 'port' }, [ch.port2]);
        });
        const t = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
        const answer = new Promise<any>((resolve) => {
          ch.port1.onmessage = (e) => resolve(e.data);
        });
        ch.port1.postMessage({ tracks: [t] }, [t]);
        // A port that leads nowhere MediaGate knows: the browser's own answer.
        const t2 = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
        let other = '';
        try {
          new MessageChannel().port1.postMessage(t2, [t2]);
        } catch (e) {
          other = (e as Error).name;
        }
        t2.stop();
        return { got: await answer, id: t.id, readyState: t.readyState, other };
      });
      assert.equal(r.got.ok, true);
      assert.equal(r.got.tracks[0].isTrack, true);
      assert.equal(r.got.tracks[0].id, r.id);
      assert.equal(r.got.ports, 0);
      assert.equal(r.readyState, 'ended');
      assert.equal(r.other, 'DataCloneError');
    });

    it("a worker made by the document's very first script is MediaGate's too", async () => {
      const p = await suite.tb.newPage();
      await p.goto(suite.server.url('/tt/early.html'));
      const r = await p.evaluate(async () => {
        const t = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
        const w = (window as any).w as Worker;
        const answer = new Promise<any>((resolve) =>
          w.addEventListener('message', (e) => resolve(e.data), { once: true }),
        );
        w.postMessage({ cmd: 'take', tracks: [t] }, [t]);
        return { got: await answer, id: t.id };
      });
      await p.close();
      assert.equal(r.got.ok, true, r.got.error);
      assert.equal(r.got.tracks[0].id, r.id);
    });

    it('the worker reads camera frames with MediaStreamTrackProcessor (the source kept running)', async () => {
      const r = await call(page, { cmd: 'frames' });
      assert.equal(r.ok, true, r.error);
      assert.equal(r.sizes.length, 5);
      for (const [type, w, h] of r.sizes) {
        assert.equal(type, 'VideoFrame');
        assert.ok(w > 0 && h > 0);
      }
    });

    it('applyConstraints in the worker reaches the source; getSettings/getConstraints follow', async () => {
      // What the browser itself does with the same constraints on a camera track of this page.
      const native = await page.evaluate(async () => {
        const t = (await navigator.mediaDevices.getUserMedia({ video: { width: 640 } })).getVideoTracks()[0]!;
        await t.applyConstraints({ width: 320, height: 240 });
        const s = t.getSettings();
        t.stop();
        return { width: s.width, height: s.height };
      });
      const r = await call(page, { cmd: 'apply', c: { width: 320, height: 240 } });
      assert.equal(r.ok, true, r.error);
      assert.deepEqual({ width: r.settings.width, height: r.settings.height }, native);
      assert.deepEqual(r.constraints, { width: 320, height: 240 });
      const nativeBad = await page.evaluate(async () => {
        const t = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
        const r = await t.applyConstraints({ width: { exact: 100000 } }).then(
          () => 'resolved',
          (e) => e.name,
        );
        t.stop();
        return r;
      });
      const bad = await call(page, { cmd: 'apply', c: { width: { exact: 100000 } } });
      assert.equal(bad.error ? bad.error.split(':')[0] : 'resolved', nativeBad);
    });

    it('a clone in the worker is tied to the source: stopping the transferred track leaves it running', async () => {
      const r = await call(page, { cmd: 'clone-stop' });
      assert.equal(r.ok, true, r.error);
      assert.equal(r.clone.readyState, 'live');
      assert.notEqual(r.clone.id, '');
      const frames = await call(page, { cmd: 'frames' });
      assert.equal(frames.ok, true, frames.error);
      assert.equal(frames.sizes.length, 5);
    });

    it("a track posted back to the page is live there again; the worker's object is detached", async () => {
      const r = await page.evaluate(() => {
        const w = (window as any).w as Worker;
        return new Promise<any>((resolve) => {
          const got: any[] = [];
          const on = (e: MessageEvent) => {
            got.push(e.data);
            if (got.length < 2) return;
            w.removeEventListener('message', on);
            const t = got[0].track as MediaStreamTrack;
            resolve({
              isTrack: t instanceof MediaStreamTrack,
              sameId: t.id === got[0].id,
              readyState: t.readyState,
              kind: t.kind,
              after: got[1].after,
              ports: e.ports.length,
            });
          };
          w.addEventListener('message', on);
          w.postMessage({ cmd: 'back' });
        });
      });
      assert.deepEqual(r, {
        isTrack: true,
        sameId: true,
        readyState: 'live',
        kind: 'video',
        after: 'ended',
        ports: 0,
      });
    });

    it('camera -> worker -> MediaStreamTrackProcessor -> invert -> VideoTrackGenerator -> page <video>: inverted frames keep flowing', async () => {
      await page.bringToFront(); // video frame callbacks follow rendering, which a background tab skips
      const r = await page.evaluate(async () => {
        (window as any).w.terminate(); // releases the sources it held (one was constrained to 320x240)
        const s = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
        const source = s.getVideoTracks()[0]!;
        const reference = source.clone();
        const w = new Worker('worker.js');
        const answer = new Promise<any>((resolve) =>
          w.addEventListener('message', (e) => resolve(e.data), { once: true }),
        );
        w.postMessage({ cmd: 'take', tracks: [source] }, [source]);
        await answer;
        const got = new Promise<any>((resolve) =>
          w.addEventListener('message', (e) => resolve(e.data), { once: true }),
        );
        w.postMessage({ cmd: 'invert' });
        const { track, id: generatorId } = await got;
        const play = async (t: MediaStreamTrack) => {
          const v = document.createElement('video');
          v.muted = true;
          v.srcObject = new MediaStream([t]);
          document.body.append(v);
          await Promise.race([v.play(), new Promise((r) => setTimeout(r, 5000))]);
          return v;
        };
        const out = await play(track);
        const ref = await play(reference);
        const count = (v: HTMLVideoElement, ms: number) =>
          new Promise<number>((resolve) => {
            let n = 0;
            let on = true;
            const tick = () => {
              n++;
              if (on) v.requestVideoFrameCallback(tick);
            };
            v.requestVideoFrameCallback(tick);
            setTimeout(() => {
              on = false;
              resolve(n);
            }, ms);
          });
        await new Promise((r) => setTimeout(r, 500));
        const [outFrames, refFrames] = await Promise.all([count(out, 3000), count(ref, 3000)]);
        // Mean brightness of both at one moment: inverted + original ≈ 255 (the pattern moves slowly).
        const mean = (v: HTMLVideoElement) => {
          const c = document.createElement('canvas');
          c.width = 160;
          c.height = 120;
          const x = c.getContext('2d')!;
          x.drawImage(v, 0, 0, 160, 120);
          const d = x.getImageData(0, 0, 160, 120).data;
          let sum = 0;
          for (let i = 0; i < d.length; i += 4) sum += (d[i]! + d[i + 1]! + d[i + 2]!) / 3;
          return sum / (d.length / 4);
        };
        const means = [mean(out), mean(ref)];
        return {
          outFrames,
          refFrames,
          means,
          isTrack: track instanceof MediaStreamTrack,
          sameId: track.id === generatorId,
          size: [out.videoWidth, out.videoHeight],
          refSize: [ref.videoWidth, ref.videoHeight],
          states: [reference.readyState, track.readyState, ref.readyState, out.readyState],
        };
      });
      assert.equal(r.isTrack, true);
      assert.equal(r.sameId, true, "the generator's track keeps its id in the page");
      assert.deepEqual(r.size, r.refSize);
      assert.ok(r.refFrames > 20, `the reference played ${r.refFrames} frames ${JSON.stringify(r)}`);
      // Frames keep flowing through the whole path; their rate is the bench's ("Transferable track"): on
      // this busy 2-core machine Firefox's path (a hidden <video> and a canvas in the page) ran at 87-100%.
      assert.ok(r.outFrames >= 0.5 * r.refFrames, `processed ${r.outFrames} frames vs source ${r.refFrames}`);
      assert.ok(
        Math.abs(r.means[0]! + r.means[1]! - 255) < 40,
        `inverted mean ${r.means[0]!} + source mean ${r.means[1]!} should be ~255`,
      );
    });

    it('module workers: imports keep resolving against the script, tracks arrive', async () => {
      const r = await page.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({ video: true });
        const t = s.getVideoTracks()[0]!;
        const w = new Worker('module.js', { type: 'module' });
        const answer = new Promise<any>((resolve) => {
          w.onmessage = (e) => resolve(e.data);
          w.onerror = (e) => resolve({ error: e.message ?? 'error' });
        });
        w.postMessage({ track: t }, [t]);
        return { ...(await answer), original: t.id };
      });
      assert.equal(r.answer, 42, r.error);
      assert.equal(r.href, suite.server.url('/tt/module.js'));
      assert.equal(r.track, true);
      assert.equal(r.id, r.original);
    });

    it('a track sent to a SharedWorker is transferred but cannot arrive: messageerror there, as specified', async () => {
      const r = await page.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({ video: true });
        const t = s.getVideoTracks()[0]!;
        const sw = new SharedWorker('shared.js');
        const answer = new Promise<string>((resolve) => {
          sw.port.onmessage = (e) => resolve(e.data);
        });
        sw.port.postMessage(t, [t]);
        return { answer: await answer, readyState: t.readyState };
      });
      assert.deepEqual(r, { answer: 'messageerror', readyState: 'ended' });
    });

    it('patched constructors look native; a worker is still a Worker', async () => {
      const r = await page.evaluate((other: string) => {
        const w = new Worker('worker.js');
        const out = {
          crossOrigin: '',
          name: Worker.name,
          length: Worker.length,
          str: Function.prototype.toString.call(Worker),
          instance: w instanceof Worker,
          ctor: w.constructor === Worker,
          channel: String(MessageChannel),
          callWithoutNew: '',
        };
        try {
          (Worker as any)('x.js');
        } catch (e) {
          out.callWithoutNew = (e as Error).name;
        }
        try {
          new Worker(other);
          out.crossOrigin = 'created';
        } catch (e) {
          out.crossOrigin = (e as Error).name;
        }
        w.terminate();
        return out;
      }, suite.server.otherOrigin + '/tt/worker.js');
      // Another origin's script is the browser's business: Chromium throws at once, Firefox fails it later.
      assert.equal(r.crossOrigin, suite.name === 'chromium' ? 'SecurityError' : 'created');
      assert.equal(r.name, 'Worker');
      assert.equal(r.length, 1);
      assert.match(r.str, /^function Worker\(\) \{\s+\[native code\]\s+\}$/);
      assert.match(r.channel, /\[native code\]/);
      assert.equal(r.instance, true);
      assert.equal(r.ctor, true);
      assert.equal(r.callWithoutNew, 'TypeError');
    });

    it("frames: window.postMessage stays the browser's own (a same-origin frame's message keeps its source; a track gets DataCloneError)", async () => {
      // Why MediaGate does not wrap window.postMessage to carry tracks to frames (docs/features/
      // track-transfer.md, "Frames"): the wrapper would become the message's incumbent, so a message a
      // same-origin frame posts would arrive with the receiving window itself as event.source.
      await page.goto(suite.server.url('/tt/page.html'));
      const r = await page.evaluate(async () => {
        const f = document.createElement('iframe');
        f.src = 'page.html';
        const loaded = new Promise((res) => f.addEventListener('load', res, { once: true }));
        document.body.append(f);
        await loaded;
        const child = f.contentWindow as Window & { eval(code: string): unknown };
        const source = await new Promise<string>((res) => {
          addEventListener(
            'message',
            (e) => res(e.source === child ? 'the frame' : e.source === window ? 'this window' : String(e.source)),
            { once: true },
          );
          child.eval("parent.postMessage('hello', '*')");
        });
        const [t] = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks();
        let error = 'no error';
        try {
          child.postMessage({ t }, '*', [t!]);
        } catch (e) {
          error = (e as Error).name;
        }
        const state = t!.readyState;
        t!.stop();
        f.remove();
        return { source, error, state, native: /\[native code\]/.test(String(window.postMessage)) };
      });
      assert.deepEqual(r, { source: 'the frame', error: 'DataCloneError', state: 'live', native: true });
    });

    it("where the page's CSP refuses blob: workers, the page gets the browser's own worker (tracks: DataCloneError)", async () => {
      await page.goto(suite.server.url('/tt/csp.html'));
      const r = await page.evaluate(async () => {
        const w = new Worker('worker.js');
        const errors: string[] = [];
        w.onerror = () => {
          errors.push('error');
        };
        const env = await new Promise<any>((resolve) => {
          w.onmessage = (e) => resolve(e.data);
          w.postMessage({ cmd: 'env' });
        });
        const s = await navigator.mediaDevices.getUserMedia({ video: true });
        const t = s.getVideoTracks()[0]!;
        let thrown = '';
        try {
          w.postMessage({ cmd: 'take', tracks: [t] }, [t]);
        } catch (e) {
          thrown = (e as Error).name;
        }
        return { href: env.href, errors, thrown, readyState: t.readyState };
      });
      assert.deepEqual(r, {
        href: suite.server.url('/tt/worker.js'),
        errors: [],
        thrown: 'DataCloneError',
        readyState: 'live',
      });
    });

    describe("the worker's end releases the sources only it held (the camera light goes off)", () => {
      let ui: Page;
      before(async () => {
        ui = await suite.tb.openExtensionPage('popup/popup.html');
      });
      after(async () => {
        await ui.close();
      });
      /** The tracks MediaGate's call registry holds for the tab titled `title`. */
      const held = async (title: string): Promise<number> =>
        (await listCalls(ui)).filter((c) => c.title === title).reduce((n, c) => n + c.tracks.length, 0);
      const ends: [string, string, (p: Page) => Promise<unknown>][] = [
        ['terminate()', 'worker.js', (p) => p.evaluate(() => (window as any).w.terminate())],
        ['self.close()', 'worker.js', (p) => p.evaluate(() => (window as any).w.postMessage({ cmd: 'close' }))],
        [
          'the worker dropped the track (garbage collection)',
          'worker.js',
          (p) => p.evaluate(() => (window as any).w.postMessage({ cmd: 'drop' })),
        ],
        [
          'its script threw at top level: nobody read the message (garbage collection)',
          'throws.js',
          // Each message is one collection there, asked for until the source is released: the message with
          // the track may reach the worker after the first (a collection that ran before it cannot help).
          (p) =>
            p.evaluate(() => {
              (window as any).bc ??= new BroadcastChannel('tt-gc');
              (window as any).bc.postMessage('collect');
            }),
        ],
      ];
      for (const [how, script, end] of ends) {
        it(how, async () => {
          const p = await suite.tb.newPage();
          const title = `worker end ${how}`;
          try {
            await p.goto(suite.server.url('/tt/page.html'));
            await p.evaluate(
              async (title, script) => {
                document.title = title;
                const t = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
                const w = new Worker(script);
                (window as any).w = w;
                w.postMessage({ cmd: 'take', tracks: [t] }, [t]);
              },
              title,
              script,
            );
            await waitFor(async () => (await held(title)) === 1, 'the source held for the worker');
            await end(p);
            await waitFor(
              async () => {
                if (script === 'throws.js') await end(p);
                return (await held(title)) === 0;
              },
              `the source released after ${how}`,
              20_000,
              250,
            );
          } finally {
            await p.close();
          }
        });
      }
    });

    // Firefox stops delivering a received track's mute/unmute to its clones once the receiver's own track
    // is stopped (checked without MediaGate), which the transfer steps must do: there, only the id.
    const mutes = suite.name === 'chromium';
    it(`${mutes ? 'mute and unmute of the source reach the transferred track; ' : ''}a round trip keeps the id`, async () => {
      const p = await suite.tb.newPage();
      try {
        await p.goto(suite.server.url('/tt/page.html'));
        const r = await p.evaluate(async (mutes) => {
          // A received WebRTC track: its source mutes when the sender stops sending, and unmutes again.
          const cam = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
          const a = new RTCPeerConnection();
          const b = new RTCPeerConnection();
          a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
          b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
          const tx = a.addTransceiver(cam, { direction: 'sendonly' });
          const remote = new Promise<MediaStreamTrack>((resolve) => (b.ontrack = (e) => resolve(e.track)));
          const negotiate = async () => {
            await a.setLocalDescription();
            await b.setRemoteDescription(a.localDescription!);
            await b.setLocalDescription();
            await a.setRemoteDescription(b.localDescription!);
          };
          await negotiate();
          const track = await remote;
          if (track.muted) await new Promise((resolve) => track.addEventListener('unmute', resolve, { once: true }));
          const id = track.id;
          const w = new Worker('worker.js');
          const next = () =>
            new Promise<any>((resolve) => w.addEventListener('message', (e) => resolve(e.data), { once: true }));
          let n = next();
          w.postMessage({ cmd: 'take', tracks: [track] }, [track]);
          await n;
          n = next();
          w.postMessage({ cmd: 'events' });
          const first = await n;
          let seen: string[] = [];
          w.addEventListener('message', (e) => {
            if (e.data.seen) seen = e.data.seen;
          });
          const until = (count: number) =>
            new Promise<void>((resolve, reject) => {
              const deadline = Date.now() + 15_000;
              const check = () =>
                seen.length >= count
                  ? resolve()
                  : Date.now() > deadline
                    ? reject(new Error(`events: ${seen}`))
                    : setTimeout(check, 50);
              check();
            });
          if (mutes) {
            tx.direction = 'inactive';
            await negotiate();
            await until(1);
            tx.direction = 'sendonly';
            await negotiate();
            await until(2);
          }
          n = next();
          w.postMessage({ cmd: 'back' });
          const back = (await n).track as MediaStreamTrack;
          const out = { first, seen, sentId: first.id === id, backId: back.id === id, back: back.readyState };
          back.stop();
          cam.stop();
          a.close();
          b.close();
          w.terminate();
          return out;
        }, mutes);
        assert.deepEqual(r, {
          first: { ok: true, muted: false, id: r.first.id },
          seen: mutes ? ['mute:true', 'unmute:false'] : [],
          sentId: true,
          backId: true,
          back: 'live',
        });
      } finally {
        await p.close();
      }
    });

    it("the source ending in the page (another tab took the camera over in MediaGate's picker) ends the worker's track", async () => {
      // Chromium skips the picker when one camera fits and the site sees labels: ask for it always.
      await setSettings(suite.tb, { alwaysShowPicker: true });
      const holder = await suite.tb.newPage();
      await holder.goto(suite.server.url('/tt/page.html'));
      const label = await holder.evaluate(async () => {
        const t = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
        const w = new Worker('worker.js');
        (window as any).events = [];
        const next = () => new Promise((resolve) => w.addEventListener('message', resolve, { once: true }));
        let n = next();
        w.postMessage({ cmd: 'take', tracks: [t] }, [t]);
        await n;
        n = next();
        w.postMessage({ cmd: 'watch' });
        await n;
        w.addEventListener('message', (e) => (window as any).events.push(e.data));
        return t.label;
      });
      const taker = await suite.tb.newPage();
      await taker.goto(suite.server.url('/tt/page.html?taker'));
      await taker.evaluate(() => {
        navigator.mediaDevices
          .getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints)
          .then((s) => {
            (window as any).taken = s;
          });
      });
      const picker = await pickerPage(suite.tb);
      const busy = await waitFor(async () => {
        const all = await picker.evaluate(() =>
          [...document.querySelectorAll('input[type=radio]:not([data-file])')].map((r) =>
            r.closest('label')!.textContent!.trim(),
          ),
        );
        return all.find((n) => n.startsWith(label) && n.includes('In use by')) ?? null;
      }, 'the transferred camera shown busy');
      await clickByName(picker, 'radio', busy);
      await clickByName(picker, 'button', 'Allow');
      await waitFor(() => taker.evaluate(() => !!(window as any).taken), 'the taker got the camera');
      const events = await waitFor(
        () => holder.evaluate(() => ((window as any).events.length ? (window as any).events : null)),
        'ended in the worker',
      );
      assert.deepEqual(events, [{ ended: true, readyState: 'ended' }]);
      await taker.evaluate(() => (window as any).taken.getTracks().forEach((t: MediaStreamTrack) => t.stop()));
      await taker.close();
      await holder.close();
      await setSettings(suite.tb, { alwaysShowPicker: false });
    });
  },
);
