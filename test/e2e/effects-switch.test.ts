// The person switches an effect from MediaGate's UI (toolbar popup, call window): the page's processed
// track changes and gets one `configurationchange` (mediacapture-extensions), and `getSettings()`
// reports the new value. Also the `onconfigurationchange` attribute itself.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { waitFor, type TestBrowser } from './helpers/browsers';
import { runAxe, setSettings, uiRequest } from './helpers/extension';
import { describeEachBrowser } from './helpers/suite';

/** Not in TypeScript's DOM types yet. */
type Track = MediaStreamTrack & { onconfigurationchange: ((this: MediaStreamTrack, e: Event) => unknown) | null };

/** In the page: capture with `constraints`, count configurationchange on the track (listener and attribute) and on a clone. */
const startCall = (page: Page, constraints: MediaStreamConstraints) =>
  page.evaluate(async (c) => {
    const stream = await navigator.mediaDevices.getUserMedia(c);
    const w = window as any;
    w.stream = stream;
    w.events = [];
    const t = stream.getTracks()[0] as Track;
    const clone = t!.clone();
    const stoppedClone = t!.clone();
    stoppedClone.stop();
    w.clone = clone;
    t!.addEventListener('configurationchange', (e) => {
      w.events.push({
        via: 'listener',
        type: e.type,
        plain: Object.getPrototypeOf(e) === Event.prototype,
        bubbles: e.bubbles,
        target: e.target === t,
      });
    });
    t.onconfigurationchange = () => {
      w.events.push({ via: 'attribute' });
    };
    clone.addEventListener('configurationchange', () => {
      w.events.push({ via: 'clone' });
    });
    stoppedClone.addEventListener('configurationchange', () => {
      w.events.push({ via: 'stopped clone' });
    });
  }, constraints as any);

const effectOf = (kind: 'audio' | 'video') => (kind === 'audio' ? 'voiceIsolation' : 'backgroundBlur');
const pageState = (page: Page, kind: 'audio' | 'video') =>
  page.evaluate((key) => {
    const w = window as any;
    const [t] = w.stream.getTracks();
    return { setting: t.getSettings()[key], clone: w.clone.getSettings()[key], events: w.events.length };
  }, effectOf(kind));

/** page.reload() times out on Firefox's extension pages: reload from inside and wait for it. */
async function reload(popup: Page): Promise<void> {
  await popup.evaluate(() => {
    (document as any).stale = true;
    setTimeout(() => location.reload(), 0);
  });
  await waitFor(
    () => popup.evaluate(() => !(document as any).stale && document.readyState === 'complete').catch(() => false),
    'the popup reloaded',
  );
}

/** The popup's switch for the page's call (the popup lists calls when it opens: reopen until it shows). */
async function popupSwitch(
  tb: TestBrowser,
  origin: string,
  kind: 'audio' | 'video',
): Promise<{ popup: Page; checked: boolean }> {
  const popup = await tb.openExtensionPage('popup/popup.html');
  const checked = await waitFor(
    async () => {
      const r = await popup.evaluate(
        (o, k) => {
          const li = [...document.querySelectorAll('#calls li')].find(
            (l) => l.querySelector('.origin')?.textContent === o,
          );
          const box = li?.querySelector<HTMLInputElement>(`input[data-effect=${k}]`);
          return box ? { checked: box.checked, label: box.parentElement!.textContent } : null;
        },
        origin,
        kind,
      );
      if (!r) await reload(popup);
      return r;
    },
    `the popup's ${kind} switch`,
    15000,
    300,
  );
  assert.equal(checked.label, kind === 'audio' ? 'Voice isolation' : 'Blur background');
  return { popup, checked: checked.checked };
}

async function flip(
  tb: TestBrowser,
  page: Page,
  origin: string,
  kind: 'audio' | 'video',
  expected: boolean,
  eventsBefore: number,
): Promise<void> {
  const { popup, checked } = await popupSwitch(tb, origin, kind);
  assert.equal(checked, !expected, 'the switch shows the current state');
  await popup.click(`input[data-effect=${kind}]`);
  await waitFor(
    async () => (await pageState(page, kind)).events >= eventsBefore + 3,
    'configurationchange in the page',
  );
  // Nothing more arrives: one event per live track (listener + attribute on the track, one on the clone).
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await pageState(page, kind), { setting: expected, clone: expected, events: eventsBefore + 3 });
  await popup.close();
  // The popup shows what the page reports.
  const again = await popupSwitch(tb, origin, kind);
  assert.equal(again.checked, expected);
  await again.popup.close();
}

describeEachBrowser('effect switches and configurationchange', (suite) => {
  it('onconfigurationchange is a native-looking event handler attribute on every track', async () => {
    const page = await suite.tb.newPage();
    await page.goto(suite.server.url('/blank.html'));
    const r = await page.evaluate(async () => {
      const d = Object.getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'onconfigurationchange')!;
      const t = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0] as Track;
      const initial = t.onconfigurationchange;
      const calls: string[] = [];
      const f = function (this: unknown, e: Event) {
        calls.push(`${this === t}:${e.type}`);
      };
      t.onconfigurationchange = f;
      const same = t.onconfigurationchange === f;
      t.dispatchEvent(new Event('configurationchange'));
      t.onconfigurationchange = 42 as never;
      const afterNumber = t.onconfigurationchange;
      t.dispatchEvent(new Event('configurationchange'));
      let wrongReceiver = '';
      try {
        d.get!.call({});
      } catch (e) {
        wrongReceiver = (e as Error).constructor.name;
      }
      t.stop();
      return {
        shape: {
          get: typeof d.get,
          set: typeof d.set,
          enumerable: d.enumerable,
          configurable: d.configurable,
          own: Object.hasOwn(t, 'onconfigurationchange'),
        },
        native:
          /\[native code\]/.test(Function.prototype.toString.call(d.get)) &&
          /\[native code\]/.test(Function.prototype.toString.call(d.set)),
        names: [d.get!.name, d.set!.name],
        initial,
        same,
        calls,
        afterNumber,
        wrongReceiver,
      };
    });
    assert.deepEqual(r, {
      shape: { get: 'function', set: 'function', enumerable: true, configurable: true, own: false },
      native: true,
      names: ['get onconfigurationchange', 'set onconfigurationchange'],
      initial: null,
      same: true,
      calls: ['true:configurationchange'],
      afterNumber: null,
      wrongReceiver: 'TypeError',
    });
    await page.close();
  });

  it('the popup\'s "Voice isolation" switch turns the effect off and on: one configurationchange per track, getSettings() follows', async () => {
    const page = await suite.tb.newPage();
    await page.goto(suite.server.url('/blank.html'));
    await startCall(page, { audio: { voiceIsolation: true } as MediaTrackConstraints });
    assert.deepEqual(await pageState(page, 'audio'), { setting: true, clone: true, events: 0 });
    await flip(suite.tb, page, suite.server.origin, 'audio', false, 0);
    const r = await page.evaluate(() => (window as any).events.map((e: any) => e.via).sort());
    assert.deepEqual(r, ['attribute', 'clone', 'listener']);
    // Firefox: addEventListener is patched once a processed track exists; it still looks native.
    assert.deepEqual(
      await page.evaluate(() => {
        const f = EventTarget.prototype.addEventListener;
        return { name: f.name, length: f.length, native: /\[native code\]/.test(Function.prototype.toString.call(f)) };
      }),
      { name: 'addEventListener', length: 2, native: true },
    );
    assert.deepEqual(await page.evaluate(() => (window as any).events[0]), {
      via: 'listener',
      type: 'configurationchange',
      plain: true,
      bubbles: false,
      target: true,
    });
    await flip(suite.tb, page, suite.server.origin, 'audio', true, 3);
    const { popup } = await popupSwitch(suite.tb, suite.server.origin, 'audio');
    assert.deepEqual(await runAxe(popup), [], 'the popup with its switches passes axe-core');
    await popup.close();
    // The page's own applyConstraints is no configuration change from outside: no event.
    await page.evaluate(() => (window as any).stream.getTracks()[0].applyConstraints({ voiceIsolation: false }));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await pageState(page, 'audio'), { setting: false, clone: false, events: 6 });
    await page.evaluate(() => {
      (window as any).stream.getTracks()[0].stop();
      (window as any).clone.stop();
    });
    await page.close();
  });

  it('with the effects feature switched off, a plain microphone shows no switch and the request is refused', async () => {
    // The switches above are remembered for the site (effectSites): this call must start without them.
    const ui = await suite.tb.openExtensionPage('popup/popup.html');
    await ui.evaluate(() =>
      ((globalThis as any).browser ?? (globalThis as any).chrome).storage.local.remove('effectSites'),
    );
    await ui.close();
    // (With the feature on, every captured microphone and camera can switch: effects-route.test.ts.)
    await setSettings(suite.tb, { features: { effects: false } });
    const page = await suite.tb.newPage();
    await page.goto(suite.server.url('/blank.html'));
    await startCall(page, { audio: true });
    const popup = await suite.tb.openExtensionPage('popup/popup.html');
    const call = await waitFor(
      async () =>
        (await uiRequest(popup, 'calls/list', {})).find((c) => c.origin === suite.server.origin && c.tracks.length),
      'the call',
    );
    assert.equal(
      call.tracks.every((t) => t.effect === undefined),
      true,
      JSON.stringify(call),
    );
    assert.equal(
      await uiRequest(popup, 'calls/effect', { tabId: call.tabId, frameId: call.frameId, kind: 'audio', on: true }),
      false,
    );
    await reload(popup);
    await waitFor(
      () =>
        popup.evaluate(
          (o: string) => [...document.querySelectorAll('#calls .origin')].some((e) => e.textContent === o),
          suite.server.origin,
        ),
      'the call in the popup',
    );
    assert.equal(await popup.evaluate(() => document.querySelectorAll('input[data-effect]').length), 0);
    await new Promise((r) => setTimeout(r, 300));
    // Without the feature the browser's own answer stays (Chromium reports false, Firefox nothing).
    const off = await pageState(page, 'audio');
    assert.deepEqual(
      { ...off, setting: !!off.setting, clone: !!off.clone },
      { setting: false, clone: false, events: 0 },
    );
    await popup.close();
    await page.evaluate(() => {
      (window as any).stream.getTracks()[0].stop();
      (window as any).clone.stop();
    });
    await page.close();
    await setSettings(suite.tb, { features: { effects: true } });
  });

  it('the popup\'s "Blur background" switch', async () => {
    const page = await suite.tb.newPage();
    await page.goto(suite.server.url('/blank.html'));
    await startCall(page, { video: { backgroundBlur: true } as MediaTrackConstraints });
    if (suite.name === 'firefox') {
      // Firefox cannot blur yet (no MediaStreamTrackProcessor): the camera is unprocessed, nothing to switch.
      const popup = await suite.tb.openExtensionPage('popup/popup.html');
      const call = await waitFor(
        async () =>
          (await uiRequest(popup, 'calls/list', {})).find((c) => c.origin === suite.server.origin && c.tracks.length),
        'the call',
      );
      assert.deepEqual(
        call.tracks.map((t) => t.effect),
        call.tracks.map(() => undefined),
      );
      assert.equal(
        await uiRequest(popup, 'calls/effect', { tabId: call.tabId, frameId: call.frameId, kind: 'video', on: false }),
        false,
      );
      await popup.close();
      assert.deepEqual(await pageState(page, 'video'), { setting: false, clone: false, events: 0 });
    } else {
      assert.deepEqual(await pageState(page, 'video'), { setting: true, clone: true, events: 0 });
      await flip(suite.tb, page, suite.server.origin, 'video', false, 0);
      await flip(suite.tb, page, suite.server.origin, 'video', true, 3);
    }
    await page.evaluate(() => {
      (window as any).stream.getTracks()[0].stop();
      (window as any).clone.stop();
    });
    await page.close();
  });

  it("effects forced by the organisation: the page's false loses, a getter cannot dodge it, the person's switch is locked", async () => {
    // The same settings merge as policy (policy.test.ts writes the real policy files; this path needs no root).
    await setSettings(suite.tb, { forceVoiceIsolation: true, forceBackgroundBlur: true });
    try {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({
          audio: { voiceIsolation: { exact: false } } as MediaTrackConstraints,
        });
        const t = s.getAudioTracks()[0]!;
        const first = {
          on: (t.getSettings() as any).voiceIsolation,
          asked: (t.getConstraints() as any).voiceIsolation,
        };
        await t.applyConstraints({ voiceIsolation: false } as MediaTrackConstraints);
        const afterApply = {
          on: (t.getSettings() as any).voiceIsolation,
          asked: (t.getConstraints() as any).voiceIsolation,
        };
        // A request hidden in a getter on the prototype still captures, so it is still processed.
        const hidden = await navigator.mediaDevices.getUserMedia(
          Object.create({
            get audio() {
              return true;
            },
          }),
        );
        const hiddenOn = (hidden.getAudioTracks()[0]!.getSettings() as any).voiceIsolation;
        hidden.getTracks().forEach((x) => x.stop());
        let camera: unknown;
        try {
          const c = await navigator.mediaDevices.getUserMedia({
            video: { backgroundBlur: false } as MediaTrackConstraints,
          });
          camera = (c.getVideoTracks()[0]!.getSettings() as any).backgroundBlur;
          c.getTracks().forEach((x) => x.stop());
        } catch (e) {
          camera = `${(e as Error).name}:${(e as any).constraint}`;
        }
        (window as any).stream = s;
        (window as any).events = 0;
        t.addEventListener('configurationchange', () => {
          (window as any).events++;
        });
        return { first, afterApply, hiddenOn, camera };
      });
      assert.deepEqual(r, {
        first: { on: true, asked: { exact: false } },
        afterApply: { on: true, asked: false },
        hiddenOn: true,
        // Headless Firefox has no WebGL, so it cannot blur: forcing blur there refuses the camera rather than show the room.
        camera: suite.name === 'chromium' ? true : 'OverconstrainedError:backgroundBlur',
      });
      const popup = await suite.tb.openExtensionPage('popup/popup.html');
      const box = await waitFor(
        async () => {
          const b = await popup.evaluate(() => {
            const el = document.querySelector<HTMLInputElement>('input[data-effect=audio]');
            return el
              ? {
                  checked: el.checked,
                  disabled: el.disabled,
                  note: el.parentElement!.querySelector('.pinned')?.textContent,
                }
              : null;
          });
          if (!b) await reload(popup);
          return b;
        },
        "the popup's voice isolation switch",
        15000,
        300,
      );
      assert.deepEqual(box, { checked: true, disabled: true, note: 'Set by your organisation' });
      const call = (await uiRequest(popup, 'calls/list', {})).find(
        (c) => c.origin === suite.server.origin && c.tracks.some((x) => x.effect !== undefined),
      )!;
      await uiRequest(popup, 'calls/effect', { tabId: call.tabId, frameId: call.frameId, kind: 'audio', on: false });
      await new Promise((res) => setTimeout(res, 500));
      assert.deepEqual(
        await page.evaluate(() => ({
          on: (window as any).stream.getAudioTracks()[0].getSettings().voiceIsolation,
          events: (window as any).events,
        })),
        { on: true, events: 0 },
      );
      await popup.close();
      await page.evaluate(() => (window as any).stream.getTracks().forEach((x: MediaStreamTrack) => x.stop()));
      await page.close();
    } finally {
      await setSettings(suite.tb, { forceVoiceIsolation: false, forceBackgroundBlur: false });
    }
  });

  it(
    "the call window's effect buttons switch the effects too",
    {
      skip:
        suite.name === 'firefox' &&
        'Firefox shows the call window inside the page in a closed shadow root (same controls code); no Document PiP to drive',
    },
    async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      await startCall(page, { audio: { voiceIsolation: true } as MediaTrackConstraints });
      const rect = await waitFor(
        () =>
          page.evaluate(() => {
            const r = document.querySelector('[data-mediagate=call]')?.getBoundingClientRect();
            return r ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
          }),
        'the MediaGate call button',
      );
      await page.mouse.click(rect.x, rect.y);
      await waitFor(() => page.evaluate(() => !!(window as any).documentPictureInPicture?.window), 'the PiP window');
      const buttons = () =>
        page.evaluate(() => {
          const d: Document = (window as any).documentPictureInPicture.window.document;
          return [...d.querySelectorAll('button.mg-effect')]
            .filter((b) => !(b as HTMLElement).hidden && !(b.parentElement as HTMLElement).hidden)
            .map((b) => `${b.textContent}:${b.getAttribute('aria-pressed')}`);
        });
      assert.deepEqual(await buttons(), ['Voice isolation:true'], 'only the effect a processed track has');
      await page.evaluate(() => {
        const d: Document = (window as any).documentPictureInPicture.window.document;
        [...d.querySelectorAll<HTMLButtonElement>('button.mg-effect')].find((b) => !b.hidden)!.click();
      });
      await waitFor(async () => (await pageState(page, 'audio')).events >= 3, 'configurationchange');
      assert.deepEqual(await pageState(page, 'audio'), { setting: false, clone: false, events: 3 });
      assert.deepEqual(await buttons(), ['Voice isolation:false']);
      await page.evaluate(() => {
        (window as any).stream.getTracks()[0].stop();
        (window as any).clone.stop();
        (window as any).documentPictureInPicture.window?.close();
      });
      await page.close();
    },
  );
});
