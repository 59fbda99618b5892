// Device picker: defaultSemantics, semantics validation, the picker window (choose, allow, block,
// dismiss), the per-site store, and label hiding — in real Chromium (3 fake cameras) and Firefox.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { writeFile, rm } from 'node:fs/promises';
import type { Page, Target } from 'puppeteer-core';
import { waitFor, type TestBrowser } from './helpers/browsers';
import {
  setSettings,
  readStorage,
  stopServiceWorker,
  stallNextWrite,
  runAxe,
  recordBackgroundCalls,
} from './helpers/extension';
import { pickerPage, clickByName, inputDuringDelay, waitArmed } from './helpers/picker';
import { describeEachBrowser } from './helpers/suite';

/** Starts getUserMedia in the page without awaiting it; the outcome lands in window.__gum. */
async function startGum(page: Page, constraints: unknown): Promise<void> {
  await page.evaluate((c) => {
    (window as any).__gum = null;
    navigator.mediaDevices.getUserMedia(c as MediaStreamConstraints).then(
      (s) => {
        (window as any).__stream = s;
        (window as any).__gum = {
          ok: true,
          settings: s.getTracks().map((t) => ({ kind: t.kind, label: t.label, deviceId: t.getSettings().deviceId })),
        };
      },
      (e) => {
        (window as any).__gum = { ok: false, name: e.name, message: e.message };
      },
    );
  }, constraints as any);
}
const gumResult = (page: Page) =>
  waitFor(() => page.evaluate(() => (window as any).__gum), 'getUserMedia to settle', 20000);

/**
 * Counts windows/tabs opened from now on (each picker is one). Not by URL: Firefox reports extension
 * pages as about:blank to the target list.
 */
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

describeEachBrowser(
  'device picker',
  { launch: { chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] } },
  (suite) => {
    const cameras = suite.name === 'chromium' ? 3 : 1;

    it('defaultSemantics is a native-looking readonly getter, "browser-chooses" by default', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(() => {
        const d = Object.getOwnPropertyDescriptor(MediaDevices.prototype, 'defaultSemantics')!;
        const nativeLike = Function.prototype.toString
          .call(Object.prototype.hasOwnProperty)
          .replace('hasOwnProperty', 'get defaultSemantics');
        let illegal = '';
        try {
          d.get!.call({});
        } catch (e) {
          illegal = (e as Error).name;
        }
        return {
          value: (navigator.mediaDevices as any).defaultSemantics,
          hasSet: d.set !== undefined,
          enumerable: d.enumerable,
          configurable: d.configurable,
          name: d.get!.name,
          length: d.get!.length,
          toString: Function.prototype.toString.call(d.get) === nativeLike,
          own: Object.prototype.hasOwnProperty.call(navigator.mediaDevices, 'defaultSemantics'),
          illegal,
          supported: 'semantics' in navigator.mediaDevices.getSupportedConstraints(),
        };
      });
      assert.deepEqual(r, {
        value: 'browser-chooses',
        hasSet: false,
        enumerable: true,
        configurable: true,
        name: 'get defaultSemantics',
        length: 0,
        toString: true,
        own: false,
        illegal: 'TypeError',
        supported: false,
      });
      await page.close();
    });

    it('a bad semantics value rejects with TypeError, like a WebIDL enum', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const names = await page.evaluate(async () => {
        const out: string[] = [];
        for (const semantics of ['bogus', '', 'USER-CHOOSES', 42]) {
          try {
            await navigator.mediaDevices.getUserMedia({ video: true, semantics } as any);
            out.push('resolved');
          } catch (e) {
            out.push((e as Error).name);
          }
        }
        return out;
      });
      assert.deepEqual(names, ['TypeError', 'TypeError', 'TypeError', 'TypeError']);
      await page.close();
    });

    it('user-chooses opens the picker; the chosen camera is what the page gets', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      await startGum(page, { video: true, semantics: 'user-chooses' });
      const picker = await pickerPage(suite.tb);
      const heading = await picker.evaluate(() => document.querySelector('h1')?.textContent ?? '');
      assert.ok(heading.includes(suite.server.origin), heading);
      const labels = await picker.evaluate(() =>
        [...document.querySelectorAll('input[type=radio]:not([data-file])')].map((r) =>
          r.closest('label')!.textContent!.trim(),
        ),
      );
      assert.equal(labels.length, cameras);
      const target = suite.name === 'chromium' ? 'fake_device_1' : labels[0]!;
      await clickByName(picker, 'radio', target);
      await clickByName(picker, 'button', 'Allow');
      const result = await gumResult(page);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.settings[0].label, target);
      const pageId = await page.evaluate(
        async (l) =>
          (await navigator.mediaDevices.enumerateDevices()).find((d) => d.kind === 'videoinput' && d.label === l)
            ?.deviceId ?? (window as any).__stream.getVideoTracks()[0].getSettings().deviceId,
        target,
      );
      assert.equal(result.settings[0].deviceId, pageId, 'the page-origin id of the chosen camera');
      await page.evaluate(() => (window as any).__stream.getTracks().forEach((t: MediaStreamTrack) => t.stop()));
      await page.close();
    });

    it('takes no input for half a second after it shows (keys: or regains focus), and nothing that grants has the focus', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      await startGum(page, { video: true, semantics: 'user-chooses' });
      const picker = await pickerPage(suite.tb);
      // The question has the focus: Enter on a radio would submit the form, and that means Allow.
      assert.equal(await picker.evaluate(() => document.activeElement?.id), 'heading');
      // Keys and clicks that land inside the delay: Enter on a focused Allow, a click on Allow.
      const landed = await inputDuringDelay(picker, async () => {
        await picker.evaluate(() => document.getElementById('allow')!.focus());
        await picker.keyboard.press('Enter');
        await picker.click('#allow');
      });
      assert.ok(landed, 'the input landed inside the delay');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await page.evaluate(() => (window as any).__gum), null, 'the early input did not answer');
      await waitArmed(picker);
      await clickByName(picker, 'button', 'Allow');
      assert.equal((await gumResult(page)).ok, true);
      await page.evaluate(() => (window as any).__stream.getTracks().forEach((t: MediaStreamTrack) => t.stop()));
      await page.close();
    });

    it('works with the keyboard alone and has no accessibility violations (axe)', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      await startGum(page, { video: true, semantics: 'user-chooses' });
      const picker = await pickerPage(suite.tb);
      assert.deepEqual(
        (await runAxe(picker)).map((v) => `${v.id}: ${v.help}`),
        [],
      );
      const focused = () =>
        picker.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return el
            ? {
                tag: el.tagName,
                type: (el as HTMLInputElement).type ?? '',
                text: (el.closest('label')?.textContent ?? el.textContent ?? '').trim(),
              }
            : null;
        });
      for (let i = 0; i < 15 && (await focused())?.type !== 'radio'; i++) await picker.keyboard.press('Tab');
      assert.equal((await focused())?.type, 'radio', 'Tab reaches the device choices');
      if (cameras > 1) await picker.keyboard.press('ArrowDown');
      const chosen = (await focused())!.text;
      for (let i = 0; i < 15 && (await focused())?.text !== 'Allow'; i++) await picker.keyboard.press('Tab');
      assert.equal((await focused())?.text, 'Allow', 'Tab reaches Allow');
      // Allow closes the window as the key lands: the protocol may report the target closed.
      await picker.keyboard.press('Enter').catch(() => undefined);
      const result = await gumResult(page);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.settings[0].label, chosen);
      await page.evaluate(() => (window as any).__stream.getTracks().forEach((t: MediaStreamTrack) => t.stop()));
      await page.close();
    });

    it(
      'Allow without Remember grants the site for this visit only (Chromium: its own permission is put back when the tab closes)',
      { skip: suite.name === 'firefox' && 'MediaGate cannot grant Firefox permissions (no contentSettings)' },
      async () => {
        const ui = await suite.tb.openExtensionPage('popup/popup.html');
        const setting = (origin = suite.server.otherOrigin) =>
          ui.evaluate(
            (o) =>
              (globalThis as any).chrome.contentSettings.camera
                .get({ primaryUrl: `${o}/` })
                .then((r: { setting: string }) => r.setting),
            origin,
          );
        // The same host on another port is another origin: the grant must not reach it.
        const otherPort = suite.server.otherOrigin.replace(/:(\d+)$/, (_, p: string) => `:${Number(p) + 1}`);
        assert.equal(await setting(), 'ask');
        const page = await suite.tb.newPage();
        await page.goto(`${suite.server.otherOrigin}/blank.html`);
        await startGum(page, { video: true, semantics: 'user-chooses' });
        const picker = await pickerPage(suite.tb);
        assert.equal(
          await picker.evaluate(
            () => (document.querySelector('input[type=checkbox]') as HTMLInputElement | null)?.checked ?? false,
          ),
          false,
          'Remember is off by default',
        );
        await clickByName(picker, 'button', 'Allow');
        assert.equal((await gumResult(page)).ok, true);
        assert.equal(await setting(), 'allow', 'granted while the visit lasts');
        assert.equal(
          await setting(otherPort),
          'ask',
          'the grant covers its own origin only, not every port of the host',
        );
        await page.close();
        await waitFor(async () => (await setting()) === 'ask', 'the grant put back after the tab closed');
        await ui.close();
      },
    );

    it('no picker when the constraints leave one device, or when the browser chooses', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const opened = countNewPages(suite.tb);
      const r = await page.evaluate(async () => {
        const first = await navigator.mediaDevices.getUserMedia({ video: true });
        const id = first.getVideoTracks()[0]!.getSettings().deviceId!;
        first.getTracks().forEach((t) => t.stop());
        const exact = await navigator.mediaDevices.getUserMedia({
          video: { deviceId: { exact: id } },
          semantics: 'user-chooses',
        } as any);
        const got = exact.getVideoTracks()[0]!.getSettings().deviceId;
        exact.getTracks().forEach((t) => t.stop());
        const browser = await navigator.mediaDevices.getUserMedia({ video: true, semantics: 'browser-chooses' } as any);
        browser.getTracks().forEach((t) => t.stop());
        return { same: got === id };
      });
      await new Promise((res) => setTimeout(res, 500));
      assert.deepEqual(r, { same: true });
      assert.equal(opened(), 0);
      await page.close();
    });

    it('dismissing the picker rejects with NotAllowedError and remembers nothing', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      await startGum(page, { video: true, semantics: 'user-chooses' });
      const picker = await pickerPage(suite.tb);
      // The window closes on keydown, before the key goes up.
      await picker.keyboard.press('Escape').catch(() => undefined);
      const result = await gumResult(page);
      assert.deepEqual([result.ok, result.name], [false, 'NotAllowedError']);
      const sites = (await readStorage(suite.tb, 'local', 'sites')) as Record<string, unknown> | undefined;
      assert.equal(
        sites?.[suite.server.origin] && (sites[suite.server.origin] as any).camera?.state === 'block',
        undefined,
      );
      await page.close();
    });

    it(
      'a picker left behind another tab comes to the front when the person goes back to its tab',
      {
        skip:
          suite.name === 'chromium' &&
          'headless Chromium reports every window as focused: focus cannot be observed there',
      },
      async () => {
        const ui = await suite.tb.openExtensionPage('popup/popup.html');
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/blank.html?behind'));
        await startGum(page, { video: true, semantics: 'user-chooses' });
        const picker = await pickerPage(suite.tb);
        try {
          // The person goes to another tab: the browser window takes the focus from the picker ...
          await ui.bringToFront();
          await waitFor(() => picker.evaluate(() => !document.hasFocus()), 'the picker to lose the focus');
          // ... and clicks the call's tab in the tab strip: its picker is in front again (Firefox lists
          // devices only while it is).
          await ui.evaluate(async (url) => {
            const api = (globalThis as any).browser ?? (globalThis as any).chrome;
            const tab = (await api.tabs.query({})).find((t: { url?: string }) => t.url === url);
            await api.tabs.update(tab.id, { active: true });
          }, suite.server.url('/blank.html?behind'));
          await waitFor(() => picker.evaluate(() => document.hasFocus()), 'the picker to have the focus again');
          await clickByName(picker, 'button', 'Allow');
        } catch (e) {
          await picker.close().catch(() => undefined); // a failure here leaves no picker for the next test
          throw e;
        }
        const result = await gumResult(page);
        assert.equal(result.ok, true, JSON.stringify(result));
        await page.evaluate(() => (window as any).__stream.getTracks().forEach((t: MediaStreamTrack) => t.stop()));
        await ui.close();
        await page.close();
      },
    );

    it('Block rejects with NotAllowedError and is remembered: later calls fail without a picker', async () => {
      const page = await suite.tb.newPage();
      await page.goto(`${suite.server.otherOrigin}/blank.html`);
      await startGum(page, { video: true, semantics: 'user-chooses' });
      const picker = await pickerPage(suite.tb);
      await clickByName(picker, 'button', 'Block');
      const result = await gumResult(page);
      assert.deepEqual([result.ok, result.name], [false, 'NotAllowedError']);
      const sites = (await readStorage(suite.tb, 'local', 'sites')) as Record<string, any>;
      assert.equal(sites[suite.server.otherOrigin].camera.state, 'block');
      await page.reload();
      const opened = countNewPages(suite.tb);
      const again = await page.evaluate(async () => {
        const out: string[] = [];
        for (const semantics of ['user-chooses', 'browser-chooses']) {
          try {
            await navigator.mediaDevices.getUserMedia({ video: true, semantics } as any);
            out.push('resolved');
          } catch (e) {
            out.push((e as Error).name);
          }
        }
        try {
          (await navigator.mediaDevices.getUserMedia({ audio: true })).getTracks().forEach((t) => t.stop());
          out.push('audio ok');
        } catch (e) {
          out.push((e as Error).name);
        }
        return out;
      });
      assert.deepEqual(again, ['NotAllowedError', 'NotAllowedError', 'audio ok']);
      assert.equal(opened(), 0);
      await page.close();
    });

    it('concurrent requests from a page and its iframe merge into one picker; each gets its answer', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html?merge'));
      await page.evaluate(async () => {
        const frame = document.createElement('iframe');
        frame.src = '/blank.html?child';
        document.body.append(frame);
        await new Promise((r) => frame.addEventListener('load', r, { once: true }));
        const w = window as any;
        w.__results = {};
        const run = (win: Window, key: string, c: MediaStreamConstraints) =>
          win.navigator.mediaDevices.getUserMedia(c).then(
            (s) => {
              w.__results[key] = s
                .getTracks()
                .map((t) => t.kind)
                .join();
            },
            (e) => {
              w.__results[key] = e.name;
            },
          );
        void run(window, 'top', { video: true, semantics: 'user-chooses' } as MediaStreamConstraints);
        void run(frame.contentWindow!, 'frame', { audio: true, semantics: 'user-chooses' } as MediaStreamConstraints);
      });
      const picker = await pickerPage(suite.tb);
      // Both requests show up in the one window (the second may arrive a moment later).
      await waitFor(
        () =>
          picker.evaluate(() => !document.getElementById('audio')!.hidden && !document.getElementById('video')!.hidden),
        'both kinds in the picker',
      );
      await waitFor(
        () =>
          picker.evaluate(
            () =>
              document.querySelectorAll('input[name=audio]').length > 0 &&
              document.querySelectorAll('input[name=video]').length > 0,
          ),
        'choices rendered',
      );
      let open = 0;
      for (const p of await suite.tb.browser.pages())
        if ((await p.evaluate(() => location.href).catch(() => '')).includes('/picker/picker.html')) open++;
      assert.equal(open, 1, 'one picker window for both');
      await clickByName(picker, 'button', 'Allow');
      const results = await waitFor(
        () =>
          page.evaluate(() => {
            const r = (window as any).__results;
            return r.top && r.frame ? r : null;
          }),
        'both calls settled',
      );
      assert.deepEqual(results, { top: 'video', frame: 'audio' });
      await page.close();
    });

    it("a device another tab holds is marked busy and can be taken over: that tab's track ends", async () => {
      const holder = await suite.tb.newPage();
      await holder.goto(suite.server.url('/blank.html?holder'));
      const held = await holder.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({ video: true });
        const t = s.getVideoTracks()[0]!;
        (window as any).__held = t;
        (window as any).__ended = { listener: false, handler: false };
        t.addEventListener('ended', () => {
          (window as any).__ended.listener = true;
        });
        t.onended = () => {
          (window as any).__ended.handler = true;
        };
        return t.label;
      });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html?taker'));
      await startGum(page, { video: true, semantics: 'user-chooses' });
      const picker = await pickerPage(suite.tb);
      const names = await waitFor(async () => {
        const all = await picker.evaluate(() =>
          [...document.querySelectorAll('input[type=radio]:not([data-file])')].map((r) =>
            r.closest('label')!.textContent!.trim(),
          ),
        );
        return all.some((n) => n.includes('In use by')) ? all : null;
      }, 'a busy device in the picker');
      const busyName = names.find((n) => n.startsWith(held))!;
      assert.ok(busyName.includes(`In use by ${suite.server.origin}`), busyName);
      assert.equal(names.filter((n) => n.includes('In use by')).length, 1);
      await clickByName(picker, 'radio', busyName);
      await clickByName(picker, 'button', 'Allow');
      const result = await gumResult(page);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.settings[0].label, held);
      await waitFor(
        () => holder.evaluate(() => (window as any).__held.readyState === 'ended'),
        "the other tab's track ended",
      );
      // Firefox delivers a script-dispatched "ended" only to onended and to listeners added with its
      // wantsUntrusted argument, which MediaGate adds for the page's capture tracks (call-detection).
      assert.deepEqual(await holder.evaluate(() => (window as any).__ended), { listener: true, handler: true });
      await page.evaluate(() => (window as any).__stream.getTracks().forEach((t: MediaStreamTrack) => t.stop()));
      await holder.close();
      await page.close();
    });

    it('a local video file can stand in for the camera: the page gets a live track playing it', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html?file'));
      // A short webm made right here: a moving canvas recorded with MediaRecorder.
      const base64 = await page.evaluate(async () => {
        const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 120 });
        const ctx = canvas.getContext('2d')!;
        let x = 0;
        const timer = setInterval(() => {
          ctx.fillStyle = '#204080';
          ctx.fillRect(0, 0, 160, 120);
          ctx.fillStyle = '#f0c000';
          ctx.fillRect((x = (x + 8) % 160), 40, 30, 30);
        }, 40);
        const rec = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' });
        const chunks: Blob[] = [];
        rec.ondataavailable = (e) => chunks.push(e.data);
        const done = new Promise((r) => {
          rec.onstop = r;
        });
        rec.start();
        await new Promise((r) => setTimeout(r, 1200));
        rec.stop();
        await done;
        clearInterval(timer);
        const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
        let bin = '';
        for (const b of bytes) bin += String.fromCharCode(b);
        return btoa(bin);
      });
      const file = path.join(os.tmpdir(), `mediagate-clip-${process.pid}.webm`);
      await writeFile(file, Buffer.from(base64, 'base64'));
      // The file (up to 32 MB) must never go to storage.session, whose 10 MB every tab shares.
      const writes = await recordBackgroundCalls(suite.tb, 'storage.session.set');
      await page.bringToFront(); // Firefox's recorder opened a tab, and a tab behind cannot capture
      await startGum(page, { video: true, semantics: 'user-chooses' });
      const picker = await pickerPage(suite.tb);
      const input = await picker.$('input#video-file');
      await input!.uploadFile(file);
      assert.equal(
        await picker.evaluate(() => (document.querySelector('input[data-file=video]') as HTMLInputElement).checked),
        true,
      );
      await clickByName(picker, 'button', 'Allow');
      const result = await gumResult(page);
      assert.equal(result.ok, true, JSON.stringify(result));
      const played = await page.evaluate(async () => {
        const stream = (window as any).__stream as MediaStream;
        const v = document.createElement('video');
        v.muted = true;
        v.srcObject = stream;
        await v.play();
        await new Promise((r) => setTimeout(r, 500));
        const track = stream.getVideoTracks()[0]!;
        return { kinds: stream.getTracks().map((t) => t.kind), state: track.readyState, width: v.videoWidth };
      });
      assert.deepEqual(played.kinds, ['video']);
      assert.equal(played.state, 'live');
      assert.equal(played.width, 160, 'frames of the file reach the page');
      const written = JSON.stringify(await writes.read());
      await writes.stop();
      assert.ok(written.includes('"outcomes"'), 'the answer was stored (the recorder saw it)');
      assert.ok(!written.includes(base64.slice(0, 400)), "the file's bytes were never written to storage.session");
      await rm(file, { force: true });
      await page.close();
    });

    if (suite.name === 'chromium') {
      it('a picker survives the service worker being stopped while it is open', async () => {
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/blank.html?sw'));
        await startGum(page, { video: true, semantics: 'user-chooses' });
        const picker = await pickerPage(suite.tb);
        await stopServiceWorker(suite.tb);
        await clickByName(picker, 'radio', 'fake_device_2');
        await clickByName(picker, 'button', 'Allow');
        const result = await gumResult(page);
        assert.equal(result.ok, true, JSON.stringify(result));
        assert.equal(result.settings[0].label, 'fake_device_2');
        await page.close();
      });
    }

    if (suite.name === 'chromium') {
      // Issue 10: the worker stopped in the middle of a decision. stallNextWrite holds the worker at
      // the exact point (storage really written or not), and the test then really stops it.
      const phases = [
        {
          when: 'before',
          area: 'local',
          key: 'sites',
          match: undefined,
          what: 'before the remembered decision is stored',
        },
        {
          when: 'after',
          area: 'local',
          key: 'sites',
          match: undefined,
          what: 'after the decision is stored, before the page is answered',
        },
        {
          when: 'after',
          area: 'session',
          key: 'pickers',
          match: '(t) => Object.values(t).some((r) => r.outcomes)',
          what: 'after the answer is decided, before it is sent',
        },
      ] as const;
      for (const [i, phase] of phases.entries()) {
        it(`the worker stopped ${phase.what}: the page gets the chosen camera, the decision is remembered, no picker record is left`, async () => {
          const page = await suite.tb.newPage();
          const origin = `http://stall${i}.localhost:${new URL(suite.server.origin).port}`;
          await page.goto(`${origin}/blank.html?stall`);
          await startGum(page, { video: true, semantics: 'user-chooses' });
          const picker = await pickerPage(suite.tb);
          const stalled = await stallNextWrite(suite.tb, phase.area, phase.key, phase.when, phase.match);
          await clickByName(picker, 'radio', 'fake_device_1');
          await picker.evaluate(() => {
            (document.getElementById('remember') as HTMLInputElement).checked = true;
          });
          await clickByName(picker, 'button', 'Allow');
          await stalled();
          await stopServiceWorker(suite.tb);
          // The picker window sends its decision again; a new worker finishes it.
          const result = await gumResult(page);
          assert.equal(result.ok, true, JSON.stringify(result));
          assert.equal(result.settings[0].label, 'fake_device_1');
          const sites = (await readStorage(suite.tb, 'local', 'sites')) as Record<string, any>;
          assert.equal(sites[origin]?.camera?.state, 'allow', JSON.stringify(sites[origin]));
          assert.equal(sites[origin]?.camera?.device?.label, 'fake_device_1');
          await waitFor(
            async () => !(await suite.tb.browser.pages()).includes(picker) || picker.isClosed(),
            'the picker window closed',
          );
          const pickers = (await readStorage(suite.tb, 'session', 'pickers')) as Record<string, unknown> | undefined;
          assert.deepEqual(Object.keys(pickers ?? {}), [], 'no picker record left behind');
          // Remembered: the site's next plain call (the browser would give fake_device_0) gets the
          // chosen camera, without a picker.
          const opened = countNewPages(suite.tb);
          await page.evaluate(() => {
            (window as any).__stream?.getTracks().forEach((t: MediaStreamTrack) => t.stop());
          });
          await startGum(page, { video: true });
          const again = await gumResult(page);
          assert.equal(again.ok, true, JSON.stringify(again));
          assert.equal(again.settings[0].label, 'fake_device_1');
          assert.equal(opened(), 0, 'no picker the second time');
          await page.evaluate(() => {
            (window as any).__stream?.getTracks().forEach((t: MediaStreamTrack) => t.stop());
          });
          await page.close();
        });
      }
    }

    it('labels are hidden until the site is allowed through the picker; objects stay real', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      await setSettings(suite.tb, { labelPolicy: 'hide-until-allowed' });
      const fresh = `http://localhost:${new URL(suite.server.origin).port}/blank.html?labels`;
      await page.goto(fresh);
      // Firefox shows labels only after a grant in the document: capture once (browser chooses).
      const r = await page.evaluate(async () => {
        (await navigator.mediaDevices.getUserMedia({ video: true, audio: true })).getTracks().forEach((t) => t.stop());
        const devices = await navigator.mediaDevices.enumerateDevices();
        const cam = devices.find((d) => d.kind === 'videoinput')!;
        const s = await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: cam.deviceId } } });
        const trackLabel = s.getVideoTracks()[0]!.label;
        s.getTracks().forEach((t) => t.stop());
        return {
          labels: devices.map((d) => d.label),
          json: devices.map((d) => (d.toJSON() as any).label),
          real: devices.every((d) => d instanceof MediaDeviceInfo),
          defaultFirst: devices[0]!.deviceId === 'default' || devices[0]!.kind === 'audioinput',
          trackLabel,
          count: devices.length,
        };
      });
      assert.ok(r.count >= 2);
      assert.ok(
        r.labels.every((l: string) => l === ''),
        JSON.stringify(r.labels),
      );
      assert.ok(r.json.every((l: string) => l === ''));
      assert.equal(r.real, true);
      assert.notEqual(r.trackLabel, '', 'track labels are unaffected');
      await setSettings(suite.tb, { labelPolicy: 'never-hide' });
      await page.reload();
      const shown = await page.evaluate(async () => {
        (await navigator.mediaDevices.getUserMedia({ video: true })).getTracks().forEach((t) => t.stop());
        return (await navigator.mediaDevices.enumerateDevices())
          .filter((d) => d.kind === 'videoinput')
          .map((d) => d.label);
      });
      assert.ok(
        shown.every((l: string) => l !== ''),
        JSON.stringify(shown),
      );
      await setSettings(suite.tb, { labelPolicy: 'hide-until-allowed' });
      await page.close();
    });

    it("with a remembered camera, a page Proxy whose getOwnPropertyDescriptor throws gets the browser's own call, not a throw", async () => {
      // MediaGate asks which members the page named with own-property checks; the native call never
      // consults that trap, so a trap that throws must not make MediaGate's getUserMedia throw.
      const ui = await suite.tb.openExtensionPage('popup/popup.html');
      const writeSite = (record: unknown) =>
        ui.evaluate(
          async (origin, rec) => {
            const api = (globalThis as any).browser ?? (globalThis as any).chrome;
            const sites = { ...(await api.storage.local.get('sites')).sites };
            if (rec) sites[origin] = rec;
            else delete sites[origin];
            await api.storage.local.set({ sites });
          },
          suite.server.origin,
          record,
        );
      const now = Date.now();
      await writeSite({
        camera: { state: 'allow', viaPicker: true, device: { label: 'fake_device_0' }, created: now, lastUsed: now },
      });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html?proxy'));
      const outcome = await page.evaluate(async () => {
        const constraints = new Proxy(
          { video: true },
          {
            getOwnPropertyDescriptor() {
              throw new Error('trap');
            },
          },
        );
        try {
          const s = await navigator.mediaDevices.getUserMedia(constraints);
          s.getTracks().forEach((t) => t.stop());
          return 'resolved';
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      });
      assert.equal(outcome, 'resolved');
      await writeSite(null);
      await page.close();
      await ui.close();
    });
  },
);
