// Screen capture through getUserMedia({video: {mediaSource, tabId}}): validation, the application
// permission (grant window: dismiss, decline, allow, remembered), Chromium's tab capture by tabId and
// tab chooser (frames checked by pixel colour), headless "nothing to choose", the feature switch; and
// Firefox's native mapping with its own errors.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Page, Target } from 'puppeteer-core';
import { DIST, launch, waitFor, type TestBrowser } from './helpers/browsers';
import { openCallWindow, readStorage, runAxe, setSettings, uiRequest } from './helpers/extension';
import { describeEachBrowser } from './helpers/suite';
import { inputDuringDelay, waitArmed } from './helpers/picker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Chromium's id of an unpacked extension: sha256 of its path, first 32 hex digits spelt a..p. */
const unpackedId = (dir: string) =>
  [...createHash('sha256').update(dir).digest('hex').slice(0, 32)]
    .map((c) => String.fromCharCode(97 + parseInt(c, 16)))
    .join('');

/** A tab painted in one colour that keeps repainting (tab capture only delivers frames on paint). */
const paintedPage = (title: string, colour: string) => `<!doctype html><title>${title}</title>
<body style="margin:0;background:${colour}"><canvas id=c width=64 height=64 style="position:fixed;left:0;top:0"></canvas>
<script>const x = document.getElementById('c').getContext('2d'); let n = 0;
(function paint() { x.fillStyle = n++ % 2 ? '#fff' : '#000'; x.fillRect(0, 0, 64, 64); requestAnimationFrame(paint); })();</script>`;

/** Starts getUserMedia in the page (as page code, no await in the test); the outcome lands in window.__gum. */
async function startGum(page: Page, constraints: unknown): Promise<void> {
  await page.evaluate((c) => {
    (window as any).__gum = null;
    navigator.mediaDevices.getUserMedia(c as MediaStreamConstraints).then(
      (s) => {
        (window as any).__stream = s;
        (window as any).__gum = {
          ok: true,
          tracks: s.getTracks().map((t) => ({ kind: t.kind, label: t.label, live: t.readyState === 'live' })),
        };
      },
      (e) => {
        (window as any).__gum = { ok: false, name: e.name, message: e.message, constraint: e.constraint };
      },
    );
  }, constraints as any);
}
const gumResult = (page: Page) =>
  waitFor(() => page.evaluate(() => (window as any).__gum), 'getUserMedia to settle', 20000);
const stopStream = (page: Page) =>
  page.evaluate(() => (window as any).__stream?.getTracks().forEach((t: MediaStreamTrack) => t.stop()));

/** The colour in the middle of the captured frames (a frame well after the first, so it is current). */
const capturedColour = (page: Page, at?: { x: number; y: number }) =>
  page.evaluate(async (point) => {
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = (window as any).__stream;
    await video.play();
    await new Promise((r) => setTimeout(r, 400));
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(video, 0, 0);
    const [r = -1, g = -1, b = -1] = ctx.getImageData(
      point?.x ?? canvas.width >> 1,
      point?.y ?? canvas.height >> 1,
      1,
      1,
    ).data;
    video.srcObject = null;
    return { r, g, b, width: canvas.width };
  }, at);

/** getSettings() of the captured video track, of its clone, and of the audio track, if any. */
const surfaceSettings = (page: Page) =>
  page.evaluate(() => {
    const stream: MediaStream = (window as any).__stream;
    const [video] = stream.getVideoTracks();
    const clone = video!.clone();
    const pick = (t: MediaStreamTrack | undefined) => {
      if (!t) return null;
      const s = t.getSettings() as Record<string, unknown>;
      return { mediaSource: s.mediaSource, tabId: s.tabId, keys: Object.keys(s), width: s.width };
    };
    const out = {
      video: pick(video),
      clone: pick(clone),
      audio: pick(stream.getAudioTracks()[0]),
      native: Function.prototype.toString.call(MediaStreamTrack.prototype.getSettings).includes('[native code]'),
    };
    clone.stop();
    return out;
  });
/** mediaSource and tabId sit among the browser's members in a WebIDL dictionary's (lexicographic) order. */
const dictionaryOrder = (keys: string[]) => {
  // The effects feature appends its own members (backgroundBlur) after the rest.
  const own = keys.filter((k) => k !== 'backgroundBlur' && k !== 'voiceIsolation');
  return own.join() === [...own].sort().join();
};

/** What a failure message says of the browser: each open page's URL and visibility. */
async function openPages(tb: TestBrowser): Promise<string> {
  const hrefs = await Promise.all(
    (await tb.browser.pages()).map((p) =>
      p.evaluate(() => `${location.href} (${document.visibilityState})`).catch(() => p.url()),
    ),
  );
  return hrefs.join(', ');
}

/** The grant window MediaGate opens, once it shows its request. */
async function grantWindow(tb: TestBrowser): Promise<Page> {
  return waitFor(
    async () => {
      for (const p of await tb.browser.pages()) {
        const href = await p.evaluate(() => location.href).catch(() => '');
        if (
          href.includes('/screen-grant/grant.html') &&
          (await p
            .evaluate(() => !!document.getElementById('origin')?.textContent && document.body.dataset.armed === 'true')
            .catch(() => false))
        )
          return p;
      }
      return null;
    },
    'the screen-capture grant window',
    15000,
  ).catch(async (e: Error) => {
    throw new Error(`${e.message}; open pages: ${await openPages(tb)}`);
  });
}

/** Answers the grant window with a real click; the window closes itself, maybe before the click returns. */
async function answerGrant(grant: Page, button: '#allow' | '#block'): Promise<void> {
  await grant.click(button).catch((e: Error) => {
    if (!/closed|detached/i.test(e.message)) throw e;
  });
}

/** Where MediaGate's "Start sharing" bar is in the page (Firefox, after a slow grant), or null. */
const startBar = (page: Page) =>
  page.evaluate(() => {
    const host = document.querySelector('[data-mediagate=share-start]');
    if (!host) return null;
    const r = host.getBoundingClientRect();
    // The bar's buttons row: "Start sharing" fills its left part, "Cancel" ends it (10 px padding).
    return { start: { x: r.x + r.width * 0.3, y: r.bottom - 28 }, cancel: { x: r.right - 45, y: r.bottom - 28 } };
  });

/**
 * Firefox: the page's getUserMedia after an allowed grant. The page's activation given with the call
 * lasts 5 s: where answering outlasted it (a busy machine), MediaGate's bar asks for the person's click.
 */
async function firefoxSettled(page: Page) {
  const first = await waitFor(
    () =>
      page.evaluate(() => ((window as any).__gum ? 'settled' : null)).then(async (v) => v ?? (await startBar(page))),
    'getUserMedia to settle or the start bar',
    20000,
  );
  if (first !== 'settled') await page.mouse.click(first.start.x, first.start.y);
  return gumResult(page);
}

/** Clicks "Stop sharing" for the origin in MediaGate's toolbar popup; the page's track must end. */
async function stopFromPopup(tb: TestBrowser, page: Page, origin: string, state = /^Sharing a tab/): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    w.__ended = 0;
    w.__stream.getVideoTracks()[0].onended = () => {
      w.__ended++;
    };
  });
  const popup = await tb.openExtensionPage('popup/popup.html');
  const clicked = await waitFor(
    () =>
      popup.evaluate((o) => {
        const item = [...document.querySelectorAll('#calls li')].find(
          (li) => li.querySelector('.origin')?.textContent === o,
        );
        const stop = [...(item?.querySelectorAll('button') ?? [])].find((b) => b.textContent === 'Stop sharing');
        if (!stop) return null;
        const state = item!.querySelector('.state')!.textContent;
        stop.click();
        return state;
      }, origin),
    'a "Stop sharing" button in the popup',
  ).catch(async (e: Error) => {
    throw new Error(
      `${e.message}; the popup lists: ${await popup.evaluate(() => document.querySelector('#calls')?.textContent).catch(String)}`,
    );
  });
  assert.match(clicked, state);
  await waitFor(
    () =>
      page.evaluate(
        () => (window as any).__ended === 1 && (window as any).__stream.getVideoTracks()[0].readyState === 'ended',
      ),
    'the page sees its track end',
  );
  // Stopped sharing leaves the popup's list.
  await waitFor(
    () =>
      popup.evaluate(
        () => ![...document.querySelectorAll('#calls button')].some((b) => b.textContent === 'Stop sharing'),
      ),
    'no more "Stop sharing"',
  );
  await popup.close();
}

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

/** Validation errors, the same in both browsers. */
async function checkValidation(page: Page) {
  return page.evaluate(async () => {
    const out: string[] = [];
    const tries: unknown[] = [
      { video: { mediaSource: 'bogus' } },
      { video: { mediaSource: 42 } },
      { video: { mediaSource: '' } },
      { video: { mediaSource: 'Screen' } },
      { video: { mediaSource: 'browser', tabId: -1 } },
      { video: { mediaSource: 'browser', tabId: 1.5 } },
      { video: { mediaSource: 'browser', tabId: '3' } },
      {
        video: {
          get mediaSource() {
            throw new RangeError('from the getter');
          },
        },
      },
    ];
    for (const c of tries) {
      try {
        await navigator.mediaDevices.getUserMedia(c as MediaStreamConstraints);
        out.push('resolved');
      } catch (e) {
        out.push(`${(e as Error).name}${(e as any).constraint ? `:${(e as any).constraint}` : ''}`);
      }
    }
    const supported = navigator.mediaDevices.getSupportedConstraints() as Record<string, boolean>;
    const gum = navigator.mediaDevices.getUserMedia;
    return {
      out,
      supported: [supported.mediaSource, supported.tabId],
      shape: `${gum.name}/${gum.length}/${Function.prototype.toString.call(gum).includes('[native code]')}`,
    };
  });
}
const VALIDATION = {
  out: [
    'OverconstrainedError:mediaSource',
    'OverconstrainedError:mediaSource',
    'OverconstrainedError:mediaSource',
    'OverconstrainedError:mediaSource',
    'TypeError',
    'TypeError',
    'TypeError',
    'RangeError',
  ],
  supported: [true, true],
  shape: 'getUserMedia/0/true',
};

describeEachBrowser(
  'screen capture',
  {
    launch: (suite) => {
      suite.server.route('/red.html', { body: paintedPage('MG red target', '#e00000') });
      suite.server.route('/green.html', { body: paintedPage('MG chooser target', '#00c000') });
      return {
        // Tab capture of a given tab needs MediaGate invoked on that tab or allowlisted; fake-ui breaks
        // the page's open of a tab stream id, so it stays off (fake devices stay on). The chooser
        // answers with the tab of that title.
        chromiumArgs: [
          `--allowlisted-extension-id=${unpackedId(DIST('chromium'))}`,
          '--auto-select-tab-capture-source-by-title=MG chooser target',
        ],
        fakeUi: suite.name === 'firefox',
        firefoxPrefs: { 'media.getusermedia.browser.enabled': true },
      };
    },
  },
  (suite) => {
    let ui: Page;
    before(async () => {
      if (suite.name === 'chromium')
        assert.equal(
          suite.tb.extensionBase,
          `chrome-extension://${unpackedId(DIST('chromium'))}/`,
          'the allowlisted id is the loaded one',
        );
      ui = await suite.tb.openExtensionPage('popup/popup.html');
    });

    it('validates like the native API; getSupportedConstraints lists mediaSource and tabId; camera stays the camera', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      assert.deepEqual(await checkValidation(page), VALIDATION);
      // "camera" is the usual camera path (its permission given the way MediaGate's picker does).
      await uiRequest(ui, 'sites/set', { origin: suite.server.origin, kind: 'camera', state: 'allow' });
      const opened = countNewPages(suite.tb);
      const labels = await page.evaluate(async () => {
        const out: string[] = [];
        for (const video of [{ mediaSource: 'camera' }, true]) {
          const s = await navigator.mediaDevices.getUserMedia({ video } as MediaStreamConstraints);
          out.push(s.getVideoTracks()[0]!.label);
          // Neither browser reports mediaSource for a camera (Firefox, which has the constraint, neither).
          const settings = s.getVideoTracks()[0]!.getSettings() as Record<string, unknown>;
          if ('mediaSource' in settings || 'tabId' in settings) out.push('camera settings name a surface');
          s.getTracks().forEach((t) => t.stop());
        }
        return out;
      });
      assert.equal(labels.length, 2, labels.join());
      assert.equal(labels[0], labels[1]);
      assert.ok(labels[0], 'a camera track');
      assert.equal(opened(), 0, 'no MediaGate window for the camera');
      await page.close();
    });

    if (suite.name === 'chromium') {
      it('"browser" + tabId: no grant -> the grant window; dismissed -> NotAllowedError; allowed -> that tab\'s frames, remembered', async () => {
        const target = await suite.tb.newPage();
        await target.goto(suite.server.url('/red.html'));
        const tabId = await ui.evaluate(
          async () => (await (globalThis as any).chrome.tabs.query({ title: 'MG red target' }))[0].id as number,
        );
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/blank.html'));

        await startGum(page, { video: { mediaSource: 'browser', tabId } });
        let grant = await grantWindow(suite.tb);
        assert.match(await grant.evaluate(() => document.querySelector('h1')!.textContent!), /localhost.*other tabs/);
        assert.equal(await grant.evaluate(() => document.activeElement?.id), 'block', 'the safe answer has the focus');
        // A click on Allow within half a second of the window showing does nothing.
        assert.ok(
          await inputDuringDelay(grant, () => grant.click('#allow')),
          'the click landed inside the input delay',
        );
        await sleep(300);
        assert.equal(await page.evaluate(() => (window as any).__gum), null, 'the early click did not answer');
        await waitArmed(grant);
        const violations = await runAxe(grant);
        assert.deepEqual(
          violations.map((v) => `${v.id}: ${v.help}`),
          [],
          'the grant window passes axe',
        );
        await grant.keyboard.press('Escape').catch(() => undefined);
        const dismissed = await gumResult(page);
        assert.deepEqual([dismissed.ok, dismissed.name], [false, 'NotAllowedError']);
        assert.equal(await readStorage(suite.tb, 'local', 'screenGrants'), undefined, 'a dismissal is not remembered');

        await startGum(page, { video: { mediaSource: 'browser', tabId } });
        grant = await grantWindow(suite.tb);
        await answerGrant(grant, '#allow');
        const allowed = await firefoxSettled(page);
        assert.equal(allowed.ok, true, JSON.stringify(allowed));
        assert.deepEqual(
          allowed.tracks.map((t: { kind: string; live: boolean }) => [t.kind, t.live]),
          [['video', true]],
        );
        const colour = await capturedColour(page);
        assert.ok(
          colour.r > 180 && colour.g < 80 && colour.b < 80,
          `the red tab's frames, got ${JSON.stringify(colour)}`,
        );
        const settings = await surfaceSettings(page);
        assert.deepEqual(
          [settings.video?.mediaSource, settings.video?.tabId],
          ['browser', tabId],
          JSON.stringify(settings),
        );
        assert.deepEqual(
          [settings.clone?.mediaSource, settings.clone?.tabId],
          ['browser', tabId],
          'a clone keeps them',
        );
        assert.ok(dictionaryOrder(settings.video!.keys), `members in dictionary order: ${settings.video!.keys.join()}`);
        assert.ok(settings.native, 'getSettings still looks native');
        const stored = (await readStorage(suite.tb, 'local', 'screenGrants')) as Record<string, any>;
        assert.equal(stored[suite.server.origin].browser.state, 'allow');
        await stopStream(page);

        // Remembered: no window the next time. The tab's sound comes along when asked for.
        const opened = countNewPages(suite.tb);
        await startGum(page, { video: { mediaSource: 'browser', tabId }, audio: true });
        const again = await gumResult(page);
        assert.equal(again.ok, true, JSON.stringify(again));
        assert.deepEqual(again.tracks.map((t: { kind: string }) => t.kind).sort(), ['audio', 'video']);
        const withAudio = await surfaceSettings(page);
        assert.deepEqual(
          [withAudio.audio?.mediaSource, withAudio.audio?.tabId],
          ['browser', tabId],
          "the tab's sound names its tab too",
        );
        assert.equal(opened(), 0);
        // MediaGate's call registry knows the tab captures.
        const calls = await uiRequest(ui, 'calls/list', {});
        assert.ok(
          calls.some((c) => c.origin === suite.server.origin && c.tracks.some((t) => t.kind === 'video')),
          JSON.stringify(calls),
        );
        await stopFromPopup(suite.tb, page, suite.server.origin);

        await startGum(page, { video: { mediaSource: 'browser', tabId: 2147483000 } });
        assert.deepEqual(Object.values(await gumResult(page)).slice(0, 2), [false, 'NotFoundError']);
        // Refused capture, the site cannot probe which tab ids exist: both answers alike, no window.
        await uiRequest(ui, 'screen-grants/set', { origin: suite.server.origin, source: 'browser', state: 'block' });
        const refusedOpened = countNewPages(suite.tb);
        const refused: unknown[] = [];
        for (const id of [tabId, 2147483000]) {
          await startGum(page, { video: { mediaSource: 'browser', tabId: id } });
          refused.push(Object.values(await gumResult(page)).slice(0, 2));
        }
        assert.deepEqual(refused, [
          [false, 'NotAllowedError'],
          [false, 'NotAllowedError'],
        ]);
        assert.equal(refusedOpened(), 0);
        // Back to the remembered Allow of above, which the next tests build on.
        await uiRequest(ui, 'screen-grants/set', { origin: suite.server.origin, source: 'browser', state: 'allow' });
        await page.close();
        await target.close();
      });

      it('a frame of another site cannot capture in Chromium: NotAllowedError before any window', async () => {
        suite.server.route('/frame-gum.html', {
          body: `<!doctype html><script>addEventListener('message', async () => {
          let r; try { await navigator.mediaDevices.getUserMedia({ video: { mediaSource: 'browser' } }); r = 'resolved'; } catch (e) { r = e.name; }
          parent.postMessage(r, '*'); });</script>`,
        });
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/blank.html'));
        const opened = countNewPages(suite.tb);
        const name = await page.evaluate(async (src) => {
          const frame = document.createElement('iframe');
          frame.src = src;
          document.body.append(frame);
          await new Promise((r) => frame.addEventListener('load', r, { once: true }));
          const answer = new Promise((r) => addEventListener('message', (e) => r(e.data), { once: true }));
          frame.contentWindow!.postMessage('go', '*');
          return answer;
        }, `${suite.server.otherOrigin}/frame-gum.html`);
        assert.equal(name, 'NotAllowedError');
        assert.equal(opened(), 0);
        await page.close();
      });

      it('"browser" without tabId: the person chooses the tab (Chromium\'s chooser); "screen" and "window" have nothing to choose headless', async () => {
        const target = await suite.tb.newPage();
        await target.goto(suite.server.url('/green.html'));
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/blank.html'));
        // The page's size constraints reach Chromium's legacy capture constraints (800 px wide natively).
        await startGum(page, { video: { mediaSource: 'browser', width: { max: 320 }, frameRate: 10 } });
        const chosen = await gumResult(page);
        assert.equal(chosen.ok, true, JSON.stringify(chosen));
        const colour = await capturedColour(page);
        assert.ok(
          colour.g > 150 && colour.r < 80 && colour.b < 80,
          `the chosen green tab's frames, got ${JSON.stringify(colour)}`,
        );
        assert.equal(colour.width, 320);
        // Chromium's chooser does not tell MediaGate which tab was chosen: no tabId.
        const settings = await surfaceSettings(page);
        assert.deepEqual(
          [settings.video?.mediaSource, settings.video!.keys.includes('tabId')],
          ['browser', false],
          JSON.stringify(settings),
        );
        await stopStream(page);

        // "window" needs no application permission: straight to the chooser, which has no windows here.
        const opened = countNewPages(suite.tb);
        await startGum(page, { video: { mediaSource: 'window' } });
        assert.deepEqual(Object.values(await gumResult(page)).slice(0, 2), [false, 'NotFoundError']);
        assert.equal(opened(), 0);
        // "screen" needs it first; then there is no screen to choose either.
        await startGum(page, { video: { mediaSource: 'screen' } });
        const grant = await grantWindow(suite.tb);
        assert.match(await grant.evaluate(() => document.querySelector('h1')!.textContent!), /your screen/);
        await answerGrant(grant, '#allow');
        assert.deepEqual(Object.values(await gumResult(page)).slice(0, 2), [false, 'NotFoundError']);
        await page.close();
        await target.close();
      });

      it("the call window's screen-share button runs the page's togglescreenshare and shows a share MediaGate opened as on", async () => {
        const target = await suite.tb.newPage();
        await target.goto(suite.server.url('/green.html'));
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/blank.html'));
        await page.evaluate(() => {
          const w = window as any;
          w.toggles = 0;
          navigator.mediaSession.setActionHandler('togglescreenshare' as MediaSessionAction, () => {
            w.toggles++;
          });
          navigator.mediaSession.setActionHandler('hangup' as MediaSessionAction, () => undefined);
        });
        await page.bringToFront();
        await startGum(page, { video: { mediaSource: 'browser' } });
        assert.equal((await gumResult(page)).ok, true);
        await openCallWindow(page);
        const shareLabel = () =>
          page.evaluate(() => {
            const d: Document = (window as any).documentPictureInPicture.window.document;
            return (
              [...d.querySelectorAll('button')]
                .filter((b) => !b.hidden)
                .map((b) => b.getAttribute('aria-label'))
                .find((l) => /shar/i.test(l ?? '')) ?? null
            );
          });
        // The page never called setScreenshareActive: the share MediaGate opened counts.
        assert.equal(await shareLabel(), 'Stop sharing screen');
        await page.evaluate(() => {
          const d: Document = (window as any).documentPictureInPicture.window.document;
          [...d.querySelectorAll('button')]
            .find((b) => b.getAttribute('aria-label') === 'Stop sharing screen')!
            .click();
        });
        assert.equal(await page.evaluate(() => (window as any).toggles), 1, "the page's own handler ran");
        await stopStream(page);
        await waitFor(async () => (await shareLabel()) === 'Share screen', 'the button follows the ended share');
        // The page's own report wins over what MediaGate knows.
        await page.evaluate(() => (navigator.mediaSession as any).setScreenshareActive(true));
        assert.equal(await shareLabel(), 'Stop sharing screen');
        await page.close();
        await target.close();
      });

      it('"browser" + tabId as a real install gets it: Chromium\'s tab chooser until MediaGate is invoked on that tab, then that tab directly', async () => {
        // A second browser without the allowlist switch, as people run Chromium.
        const plain = await launch('chromium', {
          fakeUi: false,
          chromiumArgs: ['--auto-select-tab-capture-source-by-title=MG chooser target'],
        });
        try {
          const control = await plain.openExtensionPage('popup/popup.html');
          const red = await plain.newPage();
          await red.goto(suite.server.url('/red.html'));
          const green = await plain.newPage();
          await green.goto(suite.server.url('/green.html'));
          const tabId = await control.evaluate(
            async () => (await (globalThis as any).chrome.tabs.query({ title: 'MG red target' }))[0].id as number,
          );
          await control.evaluate(async (o) => {
            await (globalThis as any).chrome.storage.local.set({
              screenGrants: { [o]: { browser: { state: 'allow', created: 1, lastUsed: 1 } } },
            });
          }, suite.server.origin);
          const page = await plain.newPage();
          await page.goto(suite.server.url('/blank.html'));
          await startGum(page, { video: { mediaSource: 'browser', tabId } });
          assert.equal((await gumResult(page)).ok, true);
          let colour = await capturedColour(page);
          assert.ok(
            colour.g > 150 && colour.r < 80,
            `not invoked on the red tab: the chooser's (green) tab, got ${JSON.stringify(colour)}`,
          );
          await stopStream(page);

          // The toolbar button on the red tab (what a person clicks) lets MediaGate take that tab.
          await red.bringToFront();
          const extension = [...(await plain.browser.extensions()).values()].find((e) =>
            plain.extensionBase.includes(e.id),
          )!;
          await red.triggerExtensionAction(extension);
          await startGum(page, { video: { mediaSource: 'browser', tabId } });
          assert.equal((await gumResult(page)).ok, true);
          colour = await capturedColour(page);
          assert.ok(colour.r > 180 && colour.g < 80, `invoked on the red tab: that tab, got ${JSON.stringify(colour)}`);
          await stopStream(page);
        } finally {
          await plain.close();
        }
      });
    } else {
      it('Firefox: tabId cannot be honoured (OverconstrainedError "tabId", no window); "browser" goes to Firefox\'s own capture after the grant', async () => {
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/blank.html'));
        const opened = countNewPages(suite.tb);
        await startGum(page, { video: { mediaSource: 'browser', tabId: 1 } });
        const refused = await gumResult(page);
        assert.deepEqual([refused.ok, refused.name, refused.constraint], [false, 'OverconstrainedError', 'tabId']);
        assert.match(refused.message, /Firefox cannot capture a chosen tab/);
        assert.equal(opened(), 0);

        await startGum(page, { video: { mediaSource: 'browser' } });
        let grant = await grantWindow(suite.tb);
        await grant.keyboard.press('Escape').catch(() => undefined);
        assert.deepEqual(Object.values(await gumResult(page)).slice(0, 2), [false, 'NotAllowedError']);

        await startGum(page, { video: { mediaSource: 'browser' } });
        grant = await grantWindow(suite.tb);
        await answerGrant(grant, '#allow');
        const allowed = await gumResult(page);
        assert.equal(allowed.ok, true, JSON.stringify(allowed));
        const camera = await page.evaluate(async () =>
          (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput').map((d) => d.label),
        );
        assert.deepEqual(
          allowed.tracks.map((t: { kind: string }) => t.kind),
          ['video'],
        );
        assert.ok(!camera.includes(allowed.tracks[0].label) || allowed.tracks[0].label === '', 'not the camera');
        const colour = await capturedColour(page);
        assert.ok(colour.width > 640, `a browser-sized capture, not the 640x480 camera: ${JSON.stringify(colour)}`);
        // Firefox's own path cannot tell which tab it captures: mediaSource only.
        const settings = await surfaceSettings(page);
        assert.deepEqual(
          [settings.video?.mediaSource, settings.video?.tabId, settings.clone?.mediaSource],
          ['browser', undefined, 'browser'],
          JSON.stringify(settings),
        );
        assert.ok(dictionaryOrder(settings.video!.keys), `members in dictionary order: ${settings.video!.keys.join()}`);
        assert.ok(settings.native);
        await stopFromPopup(suite.tb, page, suite.server.origin);

        // "screen": granted, then Firefox itself finds no screen headless; "application" Firefox dropped.
        await startGum(page, { video: { mediaSource: 'screen' } });
        grant = await grantWindow(suite.tb);
        await answerGrant(grant, '#allow');
        // Firefox's own refusal: no screen headless.
        const screen = await firefoxSettled(page);
        assert.deepEqual([screen.ok, screen.name], [false, 'NotFoundError'], JSON.stringify(screen));
        await startGum(page, { video: { mediaSource: 'application' } });
        const app = await gumResult(page);
        assert.deepEqual([app.ok, app.name, app.constraint], [false, 'OverconstrainedError', 'mediaSource']);
        await page.close();
      });
    }

    if (suite.name === 'firefox') {
      it("Firefox, the person answers slowly (past the page's 5 s activation): MediaGate's bar in the page starts the capture with their click; Cancel -> NotAllowedError", async () => {
        // An origin of its own: an allowed grant is remembered for the site and level (the other tests').
        const page = await suite.tb.newPage();
        await page.goto(`${suite.server.otherOrigin}/blank.html`);
        const slowly = async (mediaSource: string) => {
          await startGum(page, { video: { mediaSource } });
          const grant = await grantWindow(suite.tb);
          await new Promise((r) => setTimeout(r, 5500));
          await answerGrant(grant, '#allow');
          return waitFor(() => startBar(page), 'the start bar');
        };
        let bar = await slowly('browser');
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await page.evaluate(() => (window as any).__gum), null, 'the call waits for the click');
        // The page's own clicks on the bar do nothing (untrusted, and no activation).
        await page.evaluate(() => {
          const host = document.querySelector('[data-mediagate=share-start]') as HTMLElement;
          host.click();
          host.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
        });
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await page.evaluate(() => (window as any).__gum), null);
        await page.mouse.click(bar.start.x, bar.start.y);
        const allowed = await gumResult(page);
        assert.equal(allowed.ok, true, JSON.stringify(allowed));
        assert.equal(await startBar(page), null, 'the bar is gone');
        const colour = await capturedColour(page);
        assert.ok(colour.width > 640, `a browser-sized capture: ${JSON.stringify(colour)}`);
        await stopStream(page);

        bar = await slowly('screen');
        await page.mouse.click(bar.cancel.x, bar.cancel.y);
        const cancelled = await gumResult(page);
        assert.deepEqual([cancelled.ok, cancelled.name], [false, 'NotAllowedError'], JSON.stringify(cancelled));
        assert.equal(await startBar(page), null);
        await page.close();
        // Forget this origin's grants: the next test asks for them.
        await ui.evaluate(async (o) => {
          const api = (globalThis as any).browser;
          const { screenGrants } = await api.storage.local.get('screenGrants');
          delete screenGrants[o];
          await api.storage.local.set({ screenGrants });
        }, suite.server.otherOrigin);
      });
    }

    it('"Don\'t allow" rejects with NotAllowedError and is remembered: later calls fail without a window', async () => {
      const page = await suite.tb.newPage();
      await page.goto(`${suite.server.otherOrigin}/blank.html`);
      await startGum(page, { video: { mediaSource: 'browser' } });
      const grant = await grantWindow(suite.tb);
      await answerGrant(grant, '#block');
      assert.deepEqual(Object.values(await gumResult(page)).slice(0, 2), [false, 'NotAllowedError']);
      const stored = (await readStorage(suite.tb, 'local', 'screenGrants')) as Record<string, any>;
      assert.equal(stored[suite.server.otherOrigin].browser.state, 'block');
      const opened = countNewPages(suite.tb);
      await startGum(page, { video: { mediaSource: 'browser' } });
      assert.deepEqual(Object.values(await gumResult(page)).slice(0, 2), [false, 'NotAllowedError']);
      assert.equal(opened(), 0);

      // The options page lists the decision; "Ask" forgets it and the site may ask again.
      const options = await suite.tb.openExtensionPage('options/options.html');
      const row = await waitFor(
        () =>
          options.evaluate((o) => {
            const select = [...document.querySelectorAll<HTMLSelectElement>('#screen-grants select')].find(
              (el) => el.dataset.origin === o && el.dataset.source === 'browser',
            );
            if (!select) return null;
            const label = select
              .getAttribute('aria-labelledby')!
              .split(' ')
              .map((id) => document.getElementById(id)!.textContent)
              .join(' / ');
            const value = select.value;
            select.value = 'ask';
            select.dispatchEvent(new Event('change', { bubbles: true }));
            return { label, value };
          }, suite.server.otherOrigin),
        'the screen-capture decision on the options page',
      );
      assert.deepEqual(row, { label: `Other tabs / ${suite.server.otherOrigin}`, value: 'block' });
      await waitFor(
        async () =>
          ((await readStorage(suite.tb, 'local', 'screenGrants')) as Record<string, unknown> | undefined)?.[
            suite.server.otherOrigin
          ] === undefined,
        'the decision forgotten',
      );
      await options.close();
      await startGum(page, { video: { mediaSource: 'browser' } });
      const again = await grantWindow(suite.tb);
      await again.keyboard.press('Escape').catch(() => undefined);
      assert.deepEqual(Object.values(await gumResult(page)).slice(0, 2), [false, 'NotAllowedError']);
      await page.close();
    });

    it('switched off in the settings: native behaviour (no validation, no tabId)', async () => {
      await setSettings(suite.tb, { features: { 'screen-capture': false } });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(async () => {
        let name = 'resolved';
        try {
          (await navigator.mediaDevices.getUserMedia({ video: { mediaSource: 'bogus' } } as MediaStreamConstraints))
            .getTracks()
            .forEach((t) => t.stop());
        } catch (e) {
          name = (e as Error).name;
        }
        // Read after getUserMedia, which waits for the settings snapshot; this synchronous call cannot.
        const supported = navigator.mediaDevices.getSupportedConstraints() as Record<string, boolean>;
        return { tabId: supported.tabId ?? false, name };
      });
      // Chromium ignores the unknown constraint and opens the camera; Firefox rejects it itself.
      assert.deepEqual(r, { tabId: false, name: suite.name === 'chromium' ? 'resolved' : 'OverconstrainedError' });
      await setSettings(suite.tb, { features: { 'screen-capture': true } });
      await page.close();
    });
  },
);

// The real screen, on a private X server: Chromium's chooser picks "Entire screen" by itself
// (--auto-select-desktop-capture-source; the fake-ui flag would break desktop capture), and the
// frames must show what is on that screen: the browser window with the page painted red.
describeEachBrowser(
  () => 'screen capture of a real screen (chromium under Xvfb)',
  {
    browsers: ['chromium'],
    xvfb: true,
    launch: (suite) => {
      suite.server.route('/red.html', { body: paintedPage('MG red screen', '#e00000') });
      return {
        fakeUi: false,
        chromiumArgs: [
          '--auto-select-desktop-capture-source=Entire screen',
          '--window-position=0,0',
          '--window-size=1280,800',
        ],
      };
    },
  },
  (suite) => {
    it('"screen": the grant window, then the screen\'s frames (the red page on it), mediaSource "screen" in getSettings, Stop from the popup ends it', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/red.html'));
      await page.bringToFront();
      await startGum(page, { video: { mediaSource: 'screen' } });
      await answerGrant(await grantWindow(suite.tb), '#allow');
      await page.bringToFront();
      await gumResult(page).catch(async (e: Error) => {
        // Where it stands (Chromium's chooser is not a page: it would show as nothing new here).
        throw new Error(`${e.message}; open pages: ${await openPages(suite.tb)}`);
      });
      // The screen is 1280x800; the page's 800x600 viewport sits below the browser's toolbars, at the
      // left (the mouse pointer rests in the middle of the screen).
      const colour = await capturedColour(page, { x: 300, y: 450 });
      if (process.env.MEDIAGATE_SCREENSHOTS) {
        const png = await page.evaluate(async () => {
          const video = document.createElement('video');
          video.muted = true;
          video.srcObject = (window as any).__stream;
          await video.play();
          await new Promise((r) => setTimeout(r, 400));
          const c = document.createElement('canvas');
          c.width = video.videoWidth;
          c.height = video.videoHeight;
          c.getContext('2d')!.drawImage(video, 0, 0);
          return c.toDataURL('image/png').split(',')[1]!;
        });
        const { writeFile, mkdir } = await import('node:fs/promises');
        await mkdir('dist/screenshots', { recursive: true });
        await writeFile('dist/screenshots/screen-capture-xvfb.png', Buffer.from(png, 'base64'));
      }
      assert.ok(
        colour.r > 150 && colour.g < 80 && colour.b < 80,
        `the screen shows the red page, got ${JSON.stringify(colour)}`,
      );
      assert.equal(colour.width, 1280, 'the whole screen');
      const settings = await surfaceSettings(page);
      assert.equal(settings.video?.mediaSource, 'screen', JSON.stringify(settings));
      assert.equal(settings.video!.keys.includes('tabId'), false);
      await stopFromPopup(suite.tb, page, suite.server.origin, /^Sharing your screen/);
      await page.close();
    });
  },
);
