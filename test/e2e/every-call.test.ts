// Every call, every site (issue 21): a page that uses none of the proposed APIs (demo/plain.html: plain
// getUserMedia, a device menu, a loopback peer connection, no Media Session handlers) keeps what it
// has without MediaGate under the default settings, and the person can still mute, turn off and stop
// its capture from the popup, a shortcut and the call window. What leaves the tracks is measured: the
// audio level and the brightness of the video at the far end of the peer connection.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { waitFor } from './helpers/browsers';
import { openCallWindow, readStorage, setSettings, uiRequest } from './helpers/extension';
import { pickerPage } from './helpers/picker';
import { describeEachBrowser } from './helpers/suite';
import { farFrame } from './helpers/video';

async function joinPlainCall(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.evaluate(() => (window as any).join());
  await waitFor(() => page.evaluate(() => (window as any).events.includes('joined')), 'the plain call joined');
}

/** The page's own view of its tracks: what a site without MediaGate's APIs can read. */
const pageView = (page: Page) =>
  page.evaluate(() =>
    (window as any).local.getTracks().map((t: MediaStreamTrack) => ({
      kind: t.kind,
      enabled: t.enabled,
      muted: t.muted,
      readyState: t.readyState,
    })),
  );

/**
 * What leaves the microphone track, 0-1. Firefox: the level the far end of the peer connection receives
 * (inbound-rtp audioLevel; headless Firefox cannot run an AudioContext without an audio device).
 * Chromium: the track's peak RMS through Web Audio (Chromium computes audioLevel only for audio it
 * plays out); a disabled track gives silence there as it sends silence.
 */
const micLevel = (page: Page) =>
  page.evaluate(async () => {
    const w = window as any;
    if (!('mozGetUserMedia' in navigator)) {
      const ctx: AudioContext = (w.__levelCtx ??= new AudioContext());
      await ctx.resume();
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 2048;
      const source = ctx.createMediaStreamSource(new MediaStream(w.local.getAudioTracks()));
      source.connect(analyser);
      const buf = new Float32Array(2048);
      let peak = 0;
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 8; i++) {
        analyser.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const x of buf) sum += x * x;
        peak = Math.max(peak, Math.sqrt(sum / buf.length));
        await new Promise((r) => setTimeout(r, 30));
      }
      source.disconnect();
      return peak;
    }
    let level = -1;
    (await w.peers.b.getStats()).forEach((r: any) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio' && typeof r.audioLevel === 'number') level = r.audioLevel;
    });
    return level;
  });

const farBrightness = (page: Page) => farFrame(page, 'brightness');

const SILENT = 0.001;
const waitSilent = async (page: Page, silent: boolean, what: string) =>
  waitFor(
    async () => {
      const level = await micLevel(page);
      return silent ? level >= 0 && level < SILENT : level > 0.01;
    },
    what,
    15000,
    100,
  );
const waitDark = async (page: Page, dark: boolean, what: string) =>
  waitFor(
    async () => {
      const b = await farBrightness(page);
      return dark ? b >= 0 && b < 8 : b > 20;
    },
    what,
    15000,
    100,
  );

describeEachBrowser('every call, every site', (suite) => {
  let ui: Page;
  before(async () => {
    ui = await suite.tb.openExtensionPage('popup/popup.html');
  });

  const popupRow = (popup: Page) =>
    popup.evaluate((o) => {
      const li = [...document.querySelectorAll('#calls li')].find((l) => l.querySelector('.origin')?.textContent === o);
      return li
        ? {
            state: li.querySelector('.state')!.textContent!,
            buttons: [...li.querySelectorAll('.buttons button')].map((b) => b.textContent!),
          }
        : null;
    }, suite.server.origin);
  const clickPopup = (popup: Page, name: string) =>
    popup.evaluate(
      (o, n) => {
        const li = [...document.querySelectorAll('#calls li')].find(
          (l) => l.querySelector('.origin')?.textContent === o,
        )!;
        [...li.querySelectorAll<HTMLButtonElement>('.buttons button')].find((b) => b.textContent === n)!.click();
      },
      suite.server.origin,
      name,
    );

  it('with default settings a plain call page keeps its device names; its tracks behave natively', async () => {
    const page = await suite.tb.newPage();
    await joinPlainCall(page, suite.server.url('/demo/plain.html'));
    const names: string[] = await page.evaluate(() => (window as any).deviceNames);
    assert.ok(names.length >= 2, JSON.stringify(names));
    assert.ok(
      names.every((n) => n !== ''),
      `every device keeps its name in the site's menu: ${JSON.stringify(names)}`,
    );
    assert.deepEqual(await pageView(page), [
      { kind: 'audio', enabled: true, muted: false, readyState: 'live' },
      { kind: 'video', enabled: true, muted: false, readyState: 'live' },
    ]);
    // The page's own mute still works as without MediaGate, and MediaGate's view follows it.
    await page.evaluate(() => ((window as any).local.getAudioTracks()[0].enabled = false));
    await waitSilent(page, true, "the page's own mute silences the microphone");
    await waitFor(async () => /microphone off/i.test((await popupRow(ui))?.state ?? ''), 'the popup shows it off');
    await page.evaluate(() => ((window as any).local.getAudioTracks()[0].enabled = true));
    await waitSilent(page, false, 'and unmuting brings it back');
    await page.close();
  });

  it('a site that asks for the picker loses the names in enumerateDevices (until allowed there); others keep them', async () => {
    const other = `${suite.server.otherOrigin}/blank.html`;
    await setSettings(suite.tb, { alwaysShowPicker: true });
    const page = await suite.tb.newPage();
    await page.goto(other);
    const before = await page.evaluate(async () => {
      (await navigator.mediaDevices.getUserMedia({ video: true })).getTracks().forEach((t) => t.stop());
      // Firefox names only the kinds the document was granted.
      return (await navigator.mediaDevices.enumerateDevices())
        .filter((d) => d.kind === 'videoinput')
        .map((d) => d.label);
    });
    assert.ok(
      before.every((l) => l !== ''),
      JSON.stringify(before),
    );
    const asked = page.evaluate(() =>
      navigator.mediaDevices.getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints).then(
        () => 'granted',
        (e) => e.name,
      ),
    );
    const picker = await pickerPage(suite.tb);
    await picker.close(); // dismissed: nothing allowed through the picker
    assert.equal(await asked, 'NotAllowedError');
    await page.reload();
    const after = await waitFor(
      () =>
        page.evaluate(async () => {
          const labels = (await navigator.mediaDevices.enumerateDevices()).map((d) => d.label);
          return labels.every((l) => l === '') ? labels : null;
        }),
      'names hidden from the site that asked for the picker',
    );
    assert.ok(after.length >= 1);
    await setSettings(suite.tb, { alwaysShowPicker: false });
    await page.close();
  });

  it('mute and camera from the popup and a shortcut where the page has no handler: the page sees muted, nothing leaves', async () => {
    const page = await suite.tb.newPage();
    await joinPlainCall(page, suite.server.url('/demo/plain.html'));
    await waitSilent(page, false, 'the microphone is heard');
    await waitDark(page, false, 'the far end sees the camera');
    const row = await waitFor(async () => {
      const r = await popupRow(ui);
      return r && r.buttons.includes('Mute microphone') ? r : null;
    }, 'the popup offers mute for a call without handlers');
    assert.deepEqual(
      row.buttons.filter((b) => b !== 'Switch to tab' && b !== 'Call window'),
      ['Mute microphone', 'Turn off camera', 'Stop camera and microphone'],
    );
    await clickPopup(ui, 'Mute microphone');
    await waitFor(
      async () => (await popupRow(ui))?.state.includes('Microphone muted by MediaGate'),
      'held state shown',
    );
    assert.deepEqual((await popupRow(ui))!.buttons.slice(0, 2), ['Unmute microphone', 'Turn off camera']);
    // The user agent muted it: the page keeps its own `enabled`, reads `muted`, got the event.
    assert.deepEqual((await pageView(page))[0], { kind: 'audio', enabled: true, muted: true, readyState: 'live' });
    assert.deepEqual(await page.evaluate(() => (window as any).events.slice(1)), ['audio mute']);
    await waitSilent(page, true, 'no audio leaves the held microphone');
    // The page's own switch while held is its own: it reads back what it set, and keeps it after.
    await page.evaluate(() => ((window as any).local.getAudioTracks()[0].enabled = false));
    assert.equal(await page.evaluate(() => (window as any).local.getAudioTracks()[0].enabled), false);
    await page.evaluate(() => ((window as any).local.getAudioTracks()[0].enabled = true));
    // A clone made while held starts held, with the page's `enabled`.
    assert.deepEqual(
      await page.evaluate(() => {
        const c = (window as any).local.getAudioTracks()[0].clone();
        const r = { enabled: c.enabled, muted: c.muted };
        c.stop();
        return r;
      }),
      { enabled: true, muted: true },
    );
    await clickPopup(ui, 'Unmute microphone');
    await waitSilent(page, false, 'the microphone is heard again');
    assert.deepEqual((await pageView(page))[0], { kind: 'audio', enabled: true, muted: false, readyState: 'live' });

    // The camera, through the shortcut.
    assert.equal(await uiRequest(ui, 'commands/run', { command: 'toggle-camera' }), true);
    await waitDark(page, true, 'the far end gets black frames');
    assert.deepEqual((await pageView(page))[1], { kind: 'video', enabled: true, muted: true, readyState: 'live' });
    await waitFor(async () => (await popupRow(ui))?.state.includes('Camera turned off by MediaGate'), 'camera held');
    assert.equal(await uiRequest(ui, 'commands/run', { command: 'toggle-camera' }), true);
    await waitDark(page, false, 'the far end sees the camera again');
    assert.deepEqual(await page.evaluate(() => (window as any).events.slice(1)), [
      'audio mute',
      'audio unmute',
      'video mute',
      'video unmute',
    ]);
    await page.close();
  });

  it('stop camera and microphone ends every capture track (popup and shortcut); the call leaves the popup', async () => {
    for (const how of ['popup', 'shortcut'] as const) {
      const page = await suite.tb.newPage();
      await joinPlainCall(page, suite.server.url('/demo/plain.html'));
      await waitFor(
        async () => (await popupRow(ui))?.buttons.includes('Stop camera and microphone'),
        'the stop button',
      );
      if (how === 'popup') await clickPopup(ui, 'Stop camera and microphone');
      else assert.equal(await uiRequest(ui, 'commands/run', { command: 'stop-capture' }), true);
      await waitFor(
        async () => (await pageView(page)).every((t: { readyState: string }) => t.readyState === 'ended'),
        `${how}: every track ended`,
      );
      const events: string[] = await page.evaluate(() => (window as any).events.slice(1));
      assert.deepEqual([...events].sort(), ['audio ended', 'video ended'], `${how}: the page heard ended`);
      await waitFor(async () => (await popupRow(ui)) === null, `${how}: the call is gone from the popup`);
      await page.close();
    }
  });

  it('the call window offers mute, camera and stop for a call without handlers, and says MediaGate muted', async (t) => {
    if (suite.name === 'firefox')
      return t.skip(
        'Firefox has no Document Picture-in-Picture: the same controls show in the page, in a closed shadow root a test cannot click into',
      );
    const page = await suite.tb.newPage();
    await joinPlainCall(page, suite.server.url('/demo/plain.html'));
    await openCallWindow(page);
    const r = await page.evaluate(() => {
      const d: Document = (window as any).documentPictureInPicture.window.document;
      const buttons = () => [...d.querySelectorAll('button')].filter((b) => !b.hidden);
      const names = buttons().map((b) => b.getAttribute('aria-label') ?? b.textContent);
      const mute = buttons().find((b) => b.getAttribute('aria-label') === 'Mute microphone')!;
      mute.click();
      return { names, after: mute.getAttribute('aria-label'), title: mute.title };
    });
    assert.deepEqual(r.names, [
      'Mute microphone',
      'Turn off camera',
      'Stop camera and microphone',
      'Blur background',
      'Voice isolation',
    ]);
    assert.equal(r.after, 'Unmute microphone');
    assert.match(r.title, /MediaGate/);
    assert.deepEqual((await pageView(page))[0], { kind: 'audio', enabled: true, muted: true, readyState: 'live' });
    await waitSilent(page, true, 'held from the call window');
    await page.evaluate(() => {
      const d: Document = (window as any).documentPictureInPicture.window.document;
      [...d.querySelectorAll('button')]
        .find((b) => b.getAttribute('aria-label') === 'Stop camera and microphone')!
        .click();
    });
    await waitFor(
      async () => (await pageView(page)).every((t: { readyState: string }) => t.readyState === 'ended'),
      'stopped from the call window',
    );
    await page.close();
  });

  it("the person's default voice isolation reaches a plain site's microphone; the popup's switch turns it off and the site remembers", async () => {
    await setSettings(suite.tb, { voiceIsolationByDefault: true });
    const url = suite.server.url('/demo/plain.html?effects');
    const page = await suite.tb.newPage();
    await joinPlainCall(page, url);
    const state = () =>
      page.evaluate(() => {
        const t: MediaStreamTrack = (window as any).local.getAudioTracks()[0];
        return {
          on: (t.getSettings() as any).voiceIsolation,
          asked: 'voiceIsolation' in t.getConstraints(),
          canSwitch: (t.getCapabilities() as any).voiceIsolation,
        };
      });
    assert.deepEqual(await state(), { on: true, asked: false, canSwitch: [false, true] });
    const audioSwitch = () =>
      ui.evaluate((o) => {
        const li = [...document.querySelectorAll('#calls li')].find(
          (l) => l.querySelector('.origin')?.textContent === o,
        );
        const box = li?.querySelector<HTMLInputElement>('input[data-effect=audio]');
        return box ? box.checked : null;
      }, suite.server.origin);
    await waitFor(async () => (await audioSwitch()) === true, "the popup's voice isolation switch, on");
    await ui.evaluate((o) => {
      const li = [...document.querySelectorAll('#calls li')].find(
        (l) => l.querySelector('.origin')?.textContent === o,
      )!;
      li.querySelector<HTMLInputElement>('input[data-effect=audio]')!.click();
    }, suite.server.origin);
    await waitFor(async () => (await state()).on === false, 'voice isolation off in the page');
    await waitFor(
      () => page.evaluate(() => (window as any).events.includes('audio configurationchange')),
      'the page heard configurationchange',
    );
    const remembered = (await readStorage(suite.tb, 'local', 'effectSites')) as Record<string, { audio?: boolean }>;
    assert.equal(remembered[suite.server.origin]?.audio, false);
    // The site's next call starts with the person's choice for it, over their default.
    await page.evaluate(() => (window as any).local.getTracks().forEach((t: MediaStreamTrack) => t.stop()));
    await joinPlainCall(page, url);
    assert.equal((await state()).on, false);
    await page.evaluate(() => (window as any).local.getTracks().forEach((t: MediaStreamTrack) => t.stop()));
    await setSettings(suite.tb, { voiceIsolationByDefault: false });
    await page.close();
  });
});
