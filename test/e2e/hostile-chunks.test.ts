// Issue 20, item 2: a page that tampers with the built-ins before a chunk loads gets nothing of
// MediaGate's. The page's first script replaces every method of the Array, Map, Set, WeakMap, WeakSet,
// Promise, Function and Object prototypes (their Symbol.iterator too) with a recorder that passes the
// call on, and puts `then` getters on Object.prototype and Array.prototype; then each chunk is made to
// load and do its work. Whatever reached the page's code is searched (own properties, prototypes, Map
// and Set contents, three levels deep) for functions whose source text is MediaGate's: a function the
// page got hold of that is part of MediaGate's package (its minified source is a substring of one of
// the built files). Patched, page-visible functions print as native and do not count: the page is meant
// to have those. Each case also checks that the feature still worked.
import { it as test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { DIST, waitFor } from './helpers/browsers';
import { openCallWindow, recordChunkLoads, setSettings } from './helpers/extension';
import { clickByName, pickerPage } from './helpers/picker';
import { describeEachBrowser, type BrowserSuite } from './helpers/suite';

/** The page's first script: the recorders. `window.__tamper.collect()` returns the function sources found. */
const TAMPER = `(() => {
  const RA = Reflect.apply, GOPD = Object.getOwnPropertyDescriptor, DP = Object.defineProperty;
  const GPO = Object.getPrototypeOf, OK = Reflect.ownKeys, FTS = Function.prototype.toString;
  const WS = WeakSet, WSadd = WS.prototype.add, WShas = WS.prototype.has;
  const mapForEach = Map.prototype.forEach, setForEach = Set.prototype.forEach;
  const isMap = (v) => { try { RA(GOPD(Map.prototype, 'size').get, v, []); return true; } catch { return false; } };
  const isSet = (v) => { try { RA(GOPD(Set.prototype, 'size').get, v, []); return true; } catch { return false; } };
  const seen = [];
  const known = new WS();
  let on = true;
  const note = (v) => {
    if (!on || v === null || (typeof v !== 'object' && typeof v !== 'function') || RA(WShas, known, [v])) return;
    RA(WSadd, known, [v]);
    seen[seen.length] = v;
  };
  const builtins = [Array.prototype, Map.prototype, Set.prototype, WeakMap.prototype, WeakSet.prototype,
    Promise.prototype, Function.prototype, Object.prototype];
  let wrapped = 0;
  for (let p = 0; p < builtins.length; p++) {
    const proto = builtins[p];
    const keys = OK(proto);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const d = GOPD(proto, k);
      if (k === 'constructor' || !d || !d.configurable || typeof d.value !== 'function') continue;
      const orig = d.value;
      const fake = { [k]: function (...args) { note(this); for (let j = 0; j < args.length; j++) note(args[j]); return RA(orig, this, args); } }[k];
      DP(proto, k, { value: fake, writable: true, configurable: true, enumerable: false });
      wrapped++;
    }
  }
  for (const proto of [Object.prototype, Array.prototype]) {
    DP(proto, 'then', { configurable: true, get() { note(this); return undefined; } });
  }
  const builtinSet = new WS();
  for (let p = 0; p < builtins.length; p++) RA(WSadd, builtinSet, [builtins[p]]);
  /** Function sources (not native) reachable from what the recorders saw. */
  const collect = () => {
    on = false;
    const out = [];
    const visited = new WS();
    let queue = [];
    for (let i = 0; i < seen.length; i++) queue[queue.length] = seen[i];
    for (let depth = 0; depth < 4 && queue.length; depth++) {
      const next = [];
      const add = (v) => { if (v !== null && (typeof v === 'object' || typeof v === 'function') && !RA(WShas, visited, [v])) { RA(WSadd, visited, [v]); next[next.length] = v; } };
      for (let i = 0; i < queue.length; i++) {
        const v = queue[i];
        if (typeof v === 'function') {
          let text = '';
          try { text = RA(FTS, v, []); } catch { text = ''; }
          if (text && !text.includes('[native code]')) out[out.length] = text.length > 2000 ? text.slice(0, 2000) : text;
        }
        if (RA(WShas, builtinSet, [v])) continue;
        let keys = [];
        try { keys = OK(v); } catch { continue; }
        for (let j = 0; j < keys.length && j < 200; j++) {
          let d;
          try { d = GOPD(v, keys[j]); } catch { continue; }
          if (!d) continue;
          if ('value' in d) add(d.value); else { add(d.get); add(d.set); }
        }
        try { const p = GPO(v); if (p && !RA(WShas, builtinSet, [p])) add(p); } catch {}
        if (isMap(v)) RA(mapForEach, v, [(val, key) => { add(val); add(key); }]);
        else if (isSet(v)) RA(setForEach, v, [(val) => add(val)]);
      }
      queue = next;
    }
    on = true;
    return { sources: out, seen: seen.length, wrapped };
  };
  DP(window, '__tamper', { value: { collect } });
})();`;

const page = (body = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tamper</title><script>${TAMPER}</script></head>
<body style="margin:20px;font:16px sans-serif">${body}</body></html>`;

/**
 * The cases, for one browser suite. `only` picks the cases of a suite that exists for one of them
 * (Firefox's blur needs WebGL, which headless Firefox lacks: it runs on a private Xvfb).
 */
function tamperCases(suite: BrowserSuite, only?: readonly string[]): void {
  const it = (name: string, fn: () => Promise<void>, skip: string | false = false) => {
    if (only && !only.includes(name)) return;
    test(name, { skip }, fn);
  };

  /** MediaGate's built scripts for this browser: a function whose source is part of one is MediaGate's. */
  let packageScripts: { file: string; text: string }[] = [];
  const scripts = async () => {
    if (packageScripts.length) return packageScripts;
    const root = DIST(suite.name);
    const files = ['injected.js'];
    for (const f of await readdir(path.join(root, 'chunks'))) if (f.endsWith('.js')) files.push(`chunks/${f}`);
    packageScripts = await Promise.all(
      files.map(async (file) => ({ file, text: await readFile(path.join(root, file), 'utf8') })),
    );
    return packageScripts;
  };

  /** Loads the tampered page, runs `act`, and asserts the chunk loaded and nothing of MediaGate's leaked. */
  async function tampered(name: string, chunk: string, body: string, act: (p: Page) => Promise<void>) {
    suite.server.route(`/tamper-${name}.html`, { body: page(body) });
    const loads = await recordChunkLoads(suite.tb);
    const p = await suite.tb.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    try {
      await p.goto(suite.server.url(`/tamper-${name}.html`));
      await act(p);
      assert.ok((await loads.read()).includes(`chunks/${chunk}.js`), `the ${chunk} chunk loaded`);
      const found = await p.evaluate(
        () => (window as any).__tamper.collect() as { sources: string[]; seen: number; wrapped: number },
      );
      assert.ok(
        found.wrapped > 50 && found.seen > 0,
        `the recorders ran: ${JSON.stringify({ wrapped: found.wrapped, seen: found.seen })}`,
      );
      const mine = await scripts();
      const leaks: string[] = [];
      for (const source of found.sources) {
        const from = source.length >= 24 ? mine.find((m) => m.text.includes(source)) : undefined;
        if (from) leaks.push(`${from.file}: ${source.slice(0, 160)}`);
      }
      assert.deepEqual([...new Set(leaks)], [], `MediaGate's functions reached the page's recorders (${name})`);
      assert.deepEqual(errors, []);
    } finally {
      await loads.stop();
      await p.close();
    }
  }

  /** getUserMedia in the page; resolves with the track kinds or the error's name. */
  const gum = (p: Page, c: unknown) =>
    p.evaluate(
      (c) =>
        navigator.mediaDevices.getUserMedia(c as MediaStreamConstraints).then(
          (s) => {
            (window as any).stream = s;
            return s.getTracks().map((t) => `${t.kind}:${t.readyState}`);
          },
          (e) => `error ${e.name}`,
        ),
      c as any,
    );
  const stopAll = (p: Page) =>
    p.evaluate(() => (window as any).stream?.getTracks().forEach((t: MediaStreamTrack) => t.stop()));

  it('picker', async () => {
    await setSettings(suite.tb, { alwaysShowPicker: true });
    try {
      await tampered('picker', 'picker', '', async (p) => {
        const result = p.evaluate(() =>
          navigator.mediaDevices.getUserMedia({ audio: true, semantics: 'user-chooses' } as any).then(
            (s) => s.getTracks().map((t) => `${t.kind}:${t.readyState}`),
            (e) => `error ${e.name}`,
          ),
        );
        await clickByName(await pickerPage(suite.tb), 'button', 'Allow');
        assert.deepEqual(await result, ['audio:live']);
      });
    } finally {
      await setSettings(suite.tb, { alwaysShowPicker: false });
    }
  });

  it('<usermedia> element', async () => {
    await tampered(
      'element',
      'usermedia-element',
      // The inline handler attribute goes through MediaGate's compilation path too (inline-handlers.ts).
      '<usermedia id="u" onuserchangedenabled="window.inlineRan = true"><script type="permissionconstraints">{"video": true}</script></usermedia>',
      async (p) => {
        await waitFor(
          () =>
            p.evaluate(() => {
              const el = document.getElementById('u') as any;
              return 'isValid' in el && el.isValid;
            }),
          'the element valid',
        );
        await p.evaluate(() => {
          (window as any).ready = false;
          document.getElementById('u')!.addEventListener('streamready', () => ((window as any).ready = true));
        });
        await p.click('#u');
        await waitFor(() => p.evaluate(() => (window as any).ready === true), 'streamready');
        await p.click('#u');
        await waitFor(
          () => p.evaluate(() => (document.getElementById('u') as any).enabled === false),
          'disabled by a click',
        );
        assert.equal(await p.evaluate(() => (window as any).inlineRan), true, 'the inline handler ran');
        await p.evaluate(() =>
          (document.getElementById('u') as any).stream?.getTracks().forEach((t: MediaStreamTrack) => t.stop()),
        );
      },
    );
  });

  it(
    'background blur',
    async () => {
      await tampered('blur', 'blur', '', async (p) => {
        assert.deepEqual(await gum(p, { video: { backgroundBlur: true } }), ['video:live']);
        await waitFor(
          () => p.evaluate(() => (window as any).stream.getVideoTracks()[0].getSettings().backgroundBlur === true),
          'blur on',
        );
        // Frames flow through the effect.
        await p.evaluate(async () => {
          const v = document.createElement('video');
          v.muted = true;
          v.srcObject = (window as any).stream;
          document.body.append(v);
          await v.play();
          await new Promise((r) => setTimeout(r, 1500));
        });
        await stopAll(p);
      });
    },
    !only &&
      suite.name === 'firefox' &&
      'headless Firefox has no WebGL, which the segmenter needs: the Xvfb suite below runs it',
  );

  it('voice isolation', async () => {
    await tampered('voice', 'voice', '', async (p) => {
      assert.deepEqual(await gum(p, { audio: { voiceIsolation: true } }), ['audio:live']);
      await waitFor(
        () => p.evaluate(() => (window as any).stream.getAudioTracks()[0].getSettings().voiceIsolation === true),
        'voice isolation on',
      );
      await new Promise((r) => setTimeout(r, 1000));
      await stopAll(p);
    });
  });

  it('voice isolation switched on mid-call for a track the page holds (routed to its peer connection)', async () => {
    await tampered('route', 'voice', '', async (p) => {
      assert.deepEqual(await gum(p, { audio: true }), ['audio:live']);
      await p.evaluate(async () => {
        const w = window as any;
        const t = w.stream.getAudioTracks()[0];
        w.pc = new RTCPeerConnection();
        w.sender = w.pc.addTrack(t, w.stream);
        await t.applyConstraints({ voiceIsolation: true });
      });
      await waitFor(
        () =>
          p.evaluate(() => {
            const w = window as any;
            const t = w.stream.getAudioTracks()[0];
            return t.getSettings().voiceIsolation === true && w.sender.track === t;
          }),
        'routed, the sender still reporting the page track',
      );
      await new Promise((r) => setTimeout(r, 1000));
      await p.evaluate(() => (window as any).pc.close());
      await stopAll(p);
    });
  });

  it(
    'pixel format',
    async () => {
      await tampered('pixel', 'pixel', '', async (p) => {
        assert.deepEqual(await gum(p, { video: { powerEfficientPixelFormat: true } }), ['video:live']);
        await p.evaluate(() => new Promise((r) => setTimeout(r, 500)));
        await stopAll(p);
      });
    },
    suite.name === 'firefox' && "Firefox has no pixel-format probe (it cannot see a frame's format), so no chunk",
  );

  it('track transfer', async () => {
    await tampered('transfer', 'transfer', '', async (p) => {
      assert.deepEqual(await gum(p, { video: true }), ['video:live']);
      const r = await p.evaluate(() => {
        const w = new Worker(
          URL.createObjectURL(
            new Blob(['onmessage = (e) => postMessage(e.data.track.kind + ":" + e.data.track.readyState);'], {
              type: 'text/javascript',
            }),
          ),
        );
        const track = (window as any).stream.getVideoTracks()[0];
        return new Promise<string>((resolve) => {
          w.onmessage = (e) => resolve(e.data);
          w.onerror = (e) => resolve(`error ${e.message}`);
          w.postMessage({ track }, [track]);
        });
      });
      assert.equal(r, 'video:live');
      await stopAll(p);
    });
  });

  it(
    'screen capture start bar',
    async () => {
      await tampered('share-start', 'share-start', '', async (p) => {
        // The person answers the grant window after the page's 5 s activation: the bar asks for a click.
        const result = p.evaluate(() =>
          navigator.mediaDevices.getUserMedia({ video: { mediaSource: 'screen' } } as any).then(
            () => 'captured',
            (e) => `error ${e.name}`,
          ),
        );
        const grant = await waitFor(async () => {
          for (const page of await suite.tb.browser.pages())
            if ((await page.evaluate(() => location.href).catch(() => '')).includes('/screen-grant/grant.html'))
              return page;
          return null;
        }, 'the grant window');
        await new Promise((r) => setTimeout(r, 5500));
        await grant.click('#allow').catch(() => undefined);
        const bar = await waitFor(
          () =>
            p.evaluate(() => {
              const r = document.querySelector('[data-mediagate=share-start]')?.getBoundingClientRect();
              return r ? { x: r.x + r.width * 0.3, y: r.bottom - 28 } : null;
            }),
          'the start bar',
        );
        await p.mouse.click(bar.x, bar.y);
        // Firefox's own answer with the person's activation: no screen to capture headless.
        assert.equal(await result, 'error NotFoundError');
      });
    },
    suite.name === 'chromium' && 'Chromium captures through MediaGate itself: no start bar, no chunk',
  );

  it('call window', async () => {
    await tampered('call-window', 'call-window', '', async (p) => {
      assert.deepEqual(await gum(p, { audio: true, video: true }), ['audio:live', 'video:live']);
      await p.evaluate(() => {
        (window as any).log = [];
        navigator.mediaSession.setActionHandler('togglemicrophone' as MediaSessionAction, () =>
          (window as any).log.push('togglemicrophone'),
        );
      });
      if (suite.name === 'chromium') {
        await openCallWindow(p);
        await p.evaluate(() => {
          const d: Document = (window as any).documentPictureInPicture.window.document;
          const mute = [...d.querySelectorAll('button')].find(
            (b) => b.getAttribute('aria-label') === 'Mute microphone',
          );
          mute?.click();
        });
        await waitFor(() => p.evaluate(() => (window as any).log.length === 1), 'the handler ran');
      } else {
        // Firefox: the call window is a mini window inside the page, opened by the same button.
        const centre = await waitFor(
          () =>
            p.evaluate(() => {
              const host = document.querySelector('[data-mediagate=call]');
              if (!host) return null;
              const r = host.getBoundingClientRect();
              return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
            }),
          'the MediaGate call button',
        );
        await p.mouse.click(centre.x, centre.y);
        await new Promise((r) => setTimeout(r, 1000));
      }
      await stopAll(p);
    });
  });
}

describeEachBrowser('hostile pages: built-ins tampered with before each chunk loads', (suite) => tamperCases(suite));

describeEachBrowser(
  'hostile pages: built-ins tampered with before the blur chunk loads, under Xvfb for WebGL',
  { browsers: ['firefox'], xvfb: true },
  (suite) => tamperCases(suite, ['background blur']),
);

// A chunk whose script throws after it announced itself (as one would if a page made a built-in it reads
// throw): the background sees that the script did not run to its end and the core takes no announcement,
// so the call is the browser's own. The built picker chunk is altered in a copy of the package.
describeEachBrowser(
  'a chunk that throws before its end leaves the browser its behaviour',
  {
    tmpDir: (name) => `mediagate-broken-chunk-${name}-`,
    launch: async (suite) => {
      const dir = path.join(suite.tmp, 'extension');
      await cp(DIST(suite.name), dir, { recursive: true });
      const file = path.join(dir, 'chunks/picker.js');
      const text = await readFile(file, 'utf8');
      const footer = text.lastIndexOf(';"');
      assert.ok(footer > 0 && text.slice(footer).endsWith(':done";\n'), 'the chunk ends with its completion marker');
      // After the chunk's code (its announcement included), before the marker.
      await writeFile(file, `${text.slice(0, footer)};throw new Error("broken chunk");${text.slice(footer)}`);
      return { extensionDir: dir };
    },
  },
  (suite) => {
    test('user-chooses gets the browser’s own getUserMedia: no picker, a live track, no page error', async () => {
      await setSettings(suite.tb, { alwaysShowPicker: true });
      suite.server.route('/broken-chunk.html', { body: page() });
      const loads = await recordChunkLoads(suite.tb);
      const p = await suite.tb.newPage();
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      try {
        await p.goto(suite.server.url('/broken-chunk.html'));
        const windows = (await suite.tb.browser.pages()).length;
        const result = await p.evaluate(() =>
          navigator.mediaDevices.getUserMedia({ audio: true, semantics: 'user-chooses' } as any).then(
            (s) => {
              const kinds = s.getTracks().map((t) => `${t.kind}:${t.readyState}`);
              s.getTracks().forEach((t) => t.stop());
              return kinds;
            },
            (e) => `error ${e.name}`,
          ),
        );
        assert.ok((await loads.read()).includes('chunks/picker.js'), 'MediaGate tried to load the picker chunk');
        assert.deepEqual(result, ['audio:live'], "the browser's own getUserMedia (its fake device, auto-allowed)");
        assert.equal((await suite.tb.browser.pages()).length, windows, 'no picker window');
        // Chromium reports the injected script's own exception as the page's; nothing else may fail.
        assert.deepEqual(
          errors.filter((e) => !e.includes('broken chunk')),
          [],
        );
      } finally {
        await loads.stop();
        await p.close();
        await setSettings(suite.tb, { alwaysShowPicker: false });
      }
    });
  },
);
