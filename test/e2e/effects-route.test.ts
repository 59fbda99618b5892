// Effects switched on mid-call on a page that named none (issue 21 item 4): demo/plain.html captures
// with plain getUserMedia and sends over a loopback peer connection. The person switches blur and
// voice isolation from the toolbar popup; what the far end of the peer connection receives is
// measured (the sharp edges in its frames, the energy of the audio sent), and the page's track stays
// the browser's own object that reports the effect and hears configurationchange.
// Firefox runs under Xvfb: headless Firefox has no WebGL, which its blur needs.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { waitFor } from './helpers/browsers';
import { listCalls } from './helpers/extension';
import { describeEachBrowser, type BrowserSuite } from './helpers/suite';
import { whiteNoise } from './helpers/audio';
import { playAsMicrophone } from './helpers/pulse';
import { farFrame } from './helpers/video';

async function joinPlainCall(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.evaluate(() => (window as any).join());
  await waitFor(() => page.evaluate(() => (window as any).events.includes('joined')), 'the plain call joined');
}

const farEdges = (page: Page) => farFrame(page, 'edges');

/** The far end's edges before a change: the median of a few frames (the fake cameras' edges move). */
async function farEdgesNow(page: Page): Promise<number> {
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    seen.push(await farEdges(page));
    await new Promise((r) => setTimeout(r, 200));
  }
  return seen.sort((a, b) => a - b)[2]!;
}

/**
 * RMS level of the audio the peer connection carries over `ms`, from the energy counters: Chromium's
 * sender side (media-source stats of what is sent; it computes inbound levels only for audio it plays
 * out), Firefox's receiver side (inbound-rtp).
 */
const sentLevel = (page: Page, ms = 1500) =>
  page.evaluate(async (ms) => {
    const w = window as any;
    const chromium = !('mozGetUserMedia' in navigator);
    const read = async () => {
      let e = 0;
      let d = 0;
      (await (chromium ? w.peers.a : w.peers.b).getStats()).forEach((r: any) => {
        if (r.kind === 'audio' && r.type === (chromium ? 'media-source' : 'inbound-rtp')) {
          e = r.totalAudioEnergy ?? 0;
          d = r.totalSamplesDuration ?? 0;
        }
      });
      return { e, d };
    };
    const a = await read();
    await new Promise((r) => setTimeout(r, ms));
    const b = await read();
    return b.d > a.d ? Math.sqrt((b.e - a.e) / (b.d - a.d)) : -1;
  }, ms);

const db = (a: number, b: number) => 20 * Math.log10(b / a);

function body(suite: BrowserSuite) {
  let ui: Page;
  let page: Page;
  before(async () => {
    ui = await suite.tb.openExtensionPage('popup/popup.html');
    page = await suite.tb.newPage();
    await joinPlainCall(page, suite.server.url('/demo/plain.html?route'));
  });

  const popupSwitch = (kind: 'audio' | 'video') =>
    ui.evaluate(
      (o, k) => {
        const li = [...document.querySelectorAll('#calls li')].find(
          (l) => l.querySelector('.origin')?.textContent === o,
        );
        const box = li?.querySelector<HTMLInputElement>(`input[data-effect=${k}]`);
        return box ? { checked: box.checked, disabled: box.disabled } : null;
      },
      suite.server.origin,
      kind,
    );
  const clickSwitch = (kind: 'audio' | 'video') =>
    ui.evaluate(
      (o, k) => {
        const li = [...document.querySelectorAll('#calls li')].find(
          (l) => l.querySelector('.origin')?.textContent === o,
        )!;
        li.querySelector<HTMLInputElement>(`input[data-effect=${k}]`)!.click();
      },
      suite.server.origin,
      kind,
    );
  /** The page's view: its own track objects, what they report, and what its senders say they send. */
  const view = (kind: 'audio' | 'video') =>
    page.evaluate((k) => {
      const w = window as any;
      const t: MediaStreamTrack = k === 'audio' ? w.local.getAudioTracks()[0] : w.local.getVideoTracks()[0];
      const key = k === 'audio' ? 'voiceIsolation' : 'backgroundBlur';
      const sender = (w.peers.a as RTCPeerConnection).getSenders().find((s) => s.track?.kind === k)!;
      return {
        on: (t.getSettings() as any)[key],
        capability: (t.getCapabilities() as any)[key],
        asked: key in t.getConstraints(),
        senderTrackIsPages: sender.track === t,
        live: t.readyState,
        events: (w.events as string[]).filter((e) => e === `${k} configurationchange`).length,
      };
    }, kind);

  it('the popup offers both switches for a call that named no effect, off', async () => {
    await waitFor(async () => (await popupSwitch('video'))?.checked === false, "the popup's blur switch, off");
    assert.deepEqual(await popupSwitch('audio'), { checked: false, disabled: false });
    const v = await view('video');
    assert.deepEqual(v, {
      on: false,
      capability: [false, true],
      asked: false,
      senderTrackIsPages: true,
      live: 'live',
      events: 0,
    });
  });

  it('blur switched on mid-call reaches the far end; the page keeps its own track and hears configurationchange', async () => {
    await waitFor(async () => (await farEdges(page)) > 0, 'edges in the far end frames');
    const before = await farEdgesNow(page);
    await clickSwitch('video');
    await waitFor(async () => (await view('video')).on === true, 'backgroundBlur true in the page');
    await waitFor(async () => (await view('video')).events === 1, 'one configurationchange');
    let after = before;
    await waitFor(
      async () => (after = await farEdges(page)) < before * 0.4,
      `the far end's frames blurred (edges from ${before.toFixed(2)})`,
      20000,
      200,
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}; last ${after.toFixed(3)}; page ${JSON.stringify(await view('video'))}`);
    });
    console.log(`# far-end edges ${before.toFixed(2)} -> ${after.toFixed(2)} per thousand with blur switched on`);
    const v = await view('video');
    assert.equal(v.senderTrackIsPages, true, 'sender.track is still the page’s track');
    assert.deepEqual(v.capability, [false, true]);
    assert.equal(v.asked, false, 'getConstraints keeps what the page asked');
    await waitFor(async () => (await popupSwitch('video'))?.checked === true, "the popup's blur switch, on");
    // The page's track is the browser's: its own applyConstraints still works on it (Firefox's fake
    // camera keeps its size, with or without MediaGate).
    const applied = await page.evaluate(async () => {
      const t: MediaStreamTrack = (window as any).local.getVideoTracks()[0];
      await t.applyConstraints({ width: 320, height: 240 });
      return { width: t.getSettings().width, blur: (t.getSettings() as any).backgroundBlur };
    });
    assert.deepEqual(applied, { width: suite.name === 'chromium' ? 320 : 640, blur: true });

    await clickSwitch('video');
    await waitFor(async () => (await view('video')).on === false, 'backgroundBlur false again');
    await waitFor(async () => (await view('video')).events === 2, 'a second configurationchange');
    await page.evaluate(() => (window as any).local.getVideoTracks()[0].applyConstraints({ width: 640, height: 480 }));
    await waitFor(async () => (await farEdges(page)) > before * 0.6, 'the far end sharp again', 20000, 200);
    assert.equal((await view('video')).senderTrackIsPages, true);
  });

  it('voice isolation switched on mid-call changes what the peer connection sends', async () => {
    const before = await sentLevel(page);
    assert.ok(before > 0, `audio flows (${before})`);
    await clickSwitch('audio');
    await waitFor(async () => (await view('audio')).on === true, 'voiceIsolation true in the page');
    await waitFor(async () => (await view('audio')).events === 1, 'one configurationchange');
    await new Promise((r) => setTimeout(r, 500));
    const during = await sentLevel(page);
    console.log(`# sent audio RMS ${before.toFixed(4)} -> ${during.toFixed(4)} (${db(before, during).toFixed(1)} dB)`);
    assert.ok(db(before, during) < -6, `the sent audio is processed (${before} -> ${during})`);
    assert.equal((await view('audio')).senderTrackIsPages, true);
    await clickSwitch('audio');
    await waitFor(async () => (await view('audio')).on === false, 'voiceIsolation false again');
    // The page hears the switch before the senders have the page's track back (replaceTrack is
    // asynchronous; seen in CI to take over 1.5 s under load): measure again until a whole window is after it.
    let afterOff = -1;
    await waitFor(
      async () => Math.abs(db(before, (afterOff = await sentLevel(page, 1000)))) < 3,
      'the sent audio as before',
      15000,
      0,
    ).catch(() => undefined);
    assert.ok(Math.abs(db(before, afterOff)) < 3, `the sent audio as before (${before} -> ${afterOff})`);
  });

  it("while routed, the page's track keeps the browser's APIs (recorder, frames, clone, constraints, hints, stats)", async () => {
    await clickSwitch('video');
    await waitFor(async () => (await view('video')).on === true, 'blur on');
    const r = await page.evaluate(async () => {
      const w = window as any;
      const t: MediaStreamTrack = w.local.getVideoTracks()[0];
      const out: Record<string, unknown> = { native: Object.getPrototypeOf(t) === MediaStreamTrack.prototype };
      // MediaRecorder records the page's track.
      const rec = new MediaRecorder(new MediaStream([t]));
      const chunks: Blob[] = [];
      rec.ondataavailable = (e) => chunks.push(e.data);
      rec.start(200);
      await new Promise((res) => setTimeout(res, 700));
      rec.stop();
      await new Promise((res) => (rec.onstop = res));
      out.recorded = chunks.reduce((n, c) => n + c.size, 0) > 0;
      // A <video> plays it.
      const v = document.createElement('video');
      v.muted = true;
      v.srcObject = new MediaStream([t]);
      await v.play();
      out.videoWidth = v.videoWidth > 0;
      // ImageCapture and the page's own insertable streams, where the browser has them.
      if (typeof (window as any).ImageCapture === 'function') {
        const bitmap = await new (window as any).ImageCapture(t).grabFrame();
        out.grabFrame = bitmap.width > 0;
      }
      if (typeof (window as any).MediaStreamTrackProcessor === 'function') {
        const copy = t.clone();
        const reader = new (window as any).MediaStreamTrackProcessor({ track: copy }).readable.getReader();
        const { value } = await reader.read();
        out.processorFrame = value.displayWidth > 0;
        value.close();
        reader.cancel();
        copy.stop();
      }
      const c = t.clone();
      out.clone = { live: c.readyState, blur: (c.getSettings() as any).backgroundBlur };
      c.stop();
      t.contentHint = 'detail';
      out.contentHint = t.contentHint;
      t.contentHint = '';
      await t.applyConstraints({ frameRate: 15 });
      out.frameRate = Math.round(t.getSettings().frameRate ?? 0);
      await t.applyConstraints({ frameRate: 30 });
      out.deviceId = await t.applyConstraints({ deviceId: t.getSettings().deviceId }).then(() => 'resolved');
      out.muted = t.muted;
      let statsFound = false;
      (await (w.peers.a as RTCPeerConnection).getStats(t)).forEach((s: any) => {
        if (s.type === 'outbound-rtp') statsFound = true;
      });
      out.statsByTrack = statsFound;
      out.live = t.readyState;
      return out;
    });
    const chromium = suite.name === 'chromium';
    assert.deepEqual(r, {
      native: true,
      recorded: true,
      videoWidth: true,
      ...(chromium ? { grabFrame: true, processorFrame: true } : {}),
      // A clone of a routed track is a new capture of the page's, not routed itself (the person's switch
      // routes it on the next switch).
      clone: { live: 'live', blur: false },
      contentHint: 'detail',
      // Firefox's fake camera keeps its rate, with or without MediaGate.
      frameRate: chromium ? 15 : 30,
      deviceId: 'resolved',
      muted: false,
      statsByTrack: true,
      live: 'live',
    });
    await clickSwitch('video');
    await waitFor(async () => (await view('video')).on === false, 'blur off');
  });

  it("the page's own applyConstraints switches an effect on a track that did not ask for it, without configurationchange", async () => {
    const r = await page.evaluate(async () => {
      const t: MediaStreamTrack = (window as any).local.getAudioTracks()[0];
      await t.applyConstraints({ voiceIsolation: { exact: true } } as any);
      const on = (t.getSettings() as any).voiceIsolation;
      await t.applyConstraints({ voiceIsolation: false } as any);
      return { on, off: (t.getSettings() as any).voiceIsolation };
    });
    assert.deepEqual(r, { on: true, off: false });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await view('audio')).events, 2, 'no configurationchange for the page’s own change');
  });

  it('stopping a routed track ends it; the call leaves the registry', async () => {
    await clickSwitch('video');
    await waitFor(async () => (await view('video')).on === true, 'blur on');
    await page.evaluate(() => (window as any).local.getTracks().forEach((t: MediaStreamTrack) => t.stop()));
    await waitFor(
      async () => !(await listCalls(ui)).some((c) => c.origin === suite.server.origin),
      'the call leaves the registry',
    );
    // Forget the switches remembered for the site (other tests expect plain calls).
    await ui.evaluate(() =>
      ((globalThis as any).browser ?? (globalThis as any).chrome).storage.local.remove('effectSites'),
    );
    await page.close();
    await ui.close();
  });
}

describeEachBrowser(
  'effects switched on mid-call',
  {
    browsers: ['chromium'],
    tmpDir: 'mediagate-route-',
    launch: async (suite) => {
      const file = path.join(suite.tmp, 'noise.wav');
      await writeFile(file, whiteNoise());
      return playAsMicrophone(suite, file);
    },
  },
  body,
);
describeEachBrowser('effects switched on mid-call', { browsers: ['firefox'], xvfb: true }, body);
