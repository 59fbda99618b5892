// Track effects: voiceIsolation as a constraint (plumbing in both browsers) and real noise removal
// (RNNoise) measured on a noisy speech recording as the microphone (Chromium's fake microphone plays it;
// Firefox gets it through PulseAudio).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { ROOT, type LaunchOptions } from './helpers/browsers';
import { recordChunkLoads } from './helpers/extension';
import { describeEachBrowser, type BrowserSuite } from './helpers/suite';
import { playAsMicrophone } from './helpers/pulse';
import { readWav, wav } from './helpers/audio';

const RATE = 48000;

/** 1.5 s of noise, the speech over the same noise, 1.5 s of noise; 48 kHz; seeded noise. */
async function noisySpeech(): Promise<Buffer> {
  const speech = readWav(await readFile(path.join(ROOT, 'test/fixtures/speech.wav')));
  const len = Math.floor((speech.samples.length / speech.rate) * RATE);
  const pad = Math.floor(1.5 * RATE);
  const out = new Float32Array(pad * 2 + len);
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  for (let i = 0; i < out.length; i++) {
    const t = (i - pad) * (speech.rate / RATE);
    const j = Math.floor(t);
    const s =
      j >= 0 && j + 1 < speech.samples.length
        ? speech.samples[j]! + (speech.samples[j + 1]! - speech.samples[j]!) * (t - j)
        : 0;
    out[i] = 0.6 * s + 0.08 * rand();
  }
  return wav(out, RATE);
}

/** Records 10 ms frame levels (dBFS) of the raw and the processed track side by side in the page. */
const measure = (page: Page, seconds: number) =>
  page.evaluate(async (secs) => {
    const common = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
    const raw = await navigator.mediaDevices.getUserMedia({ audio: common });
    const processed = await navigator.mediaDevices.getUserMedia({
      audio: { ...common, voiceIsolation: true } as MediaTrackConstraints,
    });
    const { echoCancellation, noiseSuppression, voiceIsolation } = processed
      .getAudioTracks()[0]!
      .getSettings() as MediaTrackSettings & { voiceIsolation?: boolean };
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const levels = (stream: MediaStream) => {
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 512;
      ctx.createMediaStreamSource(stream).connect(analyser);
      const buf = new Float32Array(480);
      const out: number[] = [];
      return { analyser, buf, out };
    };
    const a = levels(raw);
    const b = levels(processed);
    const start = performance.now();
    while (performance.now() - start < secs * 1000) {
      for (const m of [a, b]) {
        m.analyser.getFloatTimeDomainData(m.buf);
        let sum = 0;
        for (const x of m.buf) sum += x * x;
        m.out.push(10 * Math.log10(sum / m.buf.length + 1e-12));
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    raw.getTracks().forEach((t) => t.stop());
    processed.getTracks().forEach((t) => t.stop());
    await ctx.close();
    return { raw: a.out, processed: b.out, settings: { echoCancellation, noiseSuppression, voiceIsolation } };
  }, seconds);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** The noisy speech recording as the suite's microphone. */
async function noisySpeechMicrophone(suite: BrowserSuite): Promise<LaunchOptions> {
  const file = path.join(suite.tmp, 'noisy-speech.wav');
  await writeFile(file, await noisySpeech());
  return playAsMicrophone(suite, file);
}

/**
 * RNNoise on a noisy speech recording, measured on the track the page gets: Chromium's fake microphone
 * plays the file; Firefox's plays only a tone, so there a private PulseAudio server plays it
 * (helpers/pulse.ts), in a suite of its own (its microphone is no longer the fake one).
 */
function removesNoise(suite: BrowserSuite): void {
  it('removes the noise and keeps the voice (RNNoise, measured on the track the page gets)', async (t) => {
    const page = await suite.tb.newPage();
    await page.goto(suite.server.url('/blank.html'));
    // Two passes of the 6 s recording.
    // noiseSuppression: false as well: voice isolation wins over it; echoCancellation stays as asked.
    const { raw, processed, settings } = await measure(page, 12);
    assert.deepEqual(settings, { echoCancellation: false, noiseSuppression: false, voiceIsolation: true });
    const noiseRaw = percentile(raw, 15);
    const noiseProcessed = percentile(processed, 15);
    const speechRaw = percentile(raw, 95);
    const speechProcessed = percentile(processed, 95);
    const report = `noise ${noiseRaw.toFixed(1)} -> ${noiseProcessed.toFixed(1)} dBFS, speech ${speechRaw.toFixed(1)} -> ${speechProcessed.toFixed(1)} dBFS`;
    t.diagnostic(report);
    assert.ok(noiseRaw > -40, `the recording reaches the page (${report})`);
    assert.ok(noiseRaw - noiseProcessed >= 15, `noise down by at least 15 dB (${report})`);
    assert.ok(Math.abs(speechRaw - speechProcessed) <= 3, `speech level kept within 3 dB (${report})`);
    await page.close();
  });
}

describeEachBrowser(
  'track effects',
  {
    tmpDir: 'mediagate-effects-',
    // Firefox's fake microphone stays the tone here: the noise removal runs there in the suite below.
    launch: (suite) => (suite.name === 'chromium' ? noisySpeechMicrophone(suite) : {}),
  },
  (suite) => {
    it('InputDeviceInfo.getCapabilities() reports the effects a track of the device can be asked for (Chromium; Firefox has no InputDeviceInfo)', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(async () => {
        if (typeof InputDeviceInfo === 'undefined') return null;
        (await navigator.mediaDevices.getUserMedia({ audio: true, video: true })).getTracks().forEach((t) => t.stop());
        const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d instanceof InputDeviceInfo);
        const caps = devices.map((d) => [d.kind, (d as InputDeviceInfo).getCapabilities() as any] as const);
        const mic = await navigator.mediaDevices.getUserMedia({
          audio: { voiceIsolation: true } as MediaTrackConstraints,
        });
        const track = (mic.getAudioTracks()[0]!.getCapabilities() as any).voiceIsolation;
        mic.getTracks().forEach((t) => t.stop());
        return {
          audio: caps.filter(([k]) => k === 'audioinput').map(([, c]) => c.voiceIsolation),
          video: caps.filter(([k]) => k === 'videoinput').map(([, c]) => c.backgroundBlur),
          track,
        };
      });
      if (suite.name === 'firefox') assert.equal(r, null, 'Firefox has no InputDeviceInfo');
      else {
        assert.ok(r!.audio.length >= 1 && r!.video.length >= 1, JSON.stringify(r));
        for (const c of r!.audio) assert.deepEqual(c, r!.track, 'a microphone reports what its processed track does');
        assert.deepEqual(r!.track, [false, true]);
        for (const c of r!.video) assert.deepEqual(c, [false, true], 'blur runs in this Chromium (WebGL)');
      }
      await page.close();
    });

    it('voiceIsolation is a supported constraint with settings, capabilities, constraints and applyConstraints', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(async () => {
        const supported = (navigator.mediaDevices.getSupportedConstraints() as any).voiceIsolation;
        const raw = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0]!;
        const stream = await navigator.mediaDevices.getUserMedia({
          audio: { voiceIsolation: { exact: true } } as MediaTrackConstraints,
        });
        const t = stream.getAudioTracks()[0]!;
        const before = {
          settings: (t.getSettings() as any).voiceIsolation,
          caps: (t.getCapabilities() as any).voiceIsolation,
          constraints: (t.getConstraints() as any).voiceIsolation,
        };
        const sameDevice =
          t.getSettings().deviceId === raw.getSettings().deviceId && t.label === raw.label && t.label !== '';
        await t.applyConstraints({ voiceIsolation: false } as MediaTrackConstraints);
        const off = (t.getSettings() as any).voiceIsolation;
        const clone = t.clone();
        const cloneOn = clone.readyState === 'live' && (clone.getSettings() as any).voiceIsolation === false;
        clone.stop();
        const stillLive = t.readyState;
        // A microphone that did not ask switches it on too (routed mid-call: effects-route.test.ts).
        let rawExact = 'resolved';
        try {
          await raw.applyConstraints({ voiceIsolation: { exact: true } } as MediaTrackConstraints);
        } catch (e) {
          rawExact = `${(e as Error).name}:${(e as any).constraint}`;
        }
        const rawSettings = (raw.getSettings() as any).voiceIsolation;
        t.stop();
        raw.stop();
        return { supported, before, sameDevice, off, cloneOn, stillLive, rawExact, rawSettings, ended: t.readyState };
      });
      assert.deepEqual(r, {
        supported: true,
        before: { settings: true, caps: [false, true], constraints: { exact: true } },
        sameDevice: true,
        off: false,
        cloneOn: true,
        stillLive: 'live',
        rawExact: 'resolved',
        rawSettings: true,
        ended: 'ended',
      });
      await page.close();
    });

    it("a processed track speaks for its device's muted state and fires its mute / unmute events", async () => {
      // The "microphone" is a WebRTC loopback's remote track: the one kind of source a test can have the
      // browser itself mute and unmute (a receiver with no more media to receive mutes its track).
      const page = await suite.tb.newPage();
      await page.evaluateOnNewDocument(() => {
        const original = MediaDevices.prototype.getUserMedia;
        MediaDevices.prototype.getUserMedia = async function (this: MediaDevices, c?: MediaStreamConstraints) {
          const w = window as any;
          if (!w.useLoopback) return original.call(this, c);
          const ctx = new AudioContext({ sampleRate: 48000 });
          const osc = ctx.createOscillator();
          const dst = ctx.createMediaStreamDestination();
          osc.connect(dst);
          osc.start();
          const a = new RTCPeerConnection();
          const b = new RTCPeerConnection();
          a.onicecandidate = (e) => {
            if (e.candidate) void b.addIceCandidate(e.candidate);
          };
          b.onicecandidate = (e) => {
            if (e.candidate) void a.addIceCandidate(e.candidate);
          };
          const tx = a.addTransceiver(dst.stream.getAudioTracks()[0]!, { direction: 'sendonly' });
          const remote = new Promise<MediaStreamTrack>((resolve) => {
            b.ontrack = (e) => resolve(e.track);
          });
          const negotiate = async () => {
            await a.setLocalDescription();
            await b.setRemoteDescription(a.localDescription!);
            await b.setLocalDescription();
            await a.setRemoteDescription(b.localDescription!);
          };
          await negotiate();
          const track = await remote;
          w.loopback = { tx, negotiate, device: track };
          return new MediaStream([track]);
        };
      });
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(async () => {
        const w = window as any;
        w.useLoopback = true;
        const t = (
          await navigator.mediaDevices.getUserMedia({
            audio: { voiceIsolation: { exact: true } } as MediaTrackConstraints,
          })
        ).getAudioTracks()[0]!;
        const processed = (t.getSettings() as any).voiceIsolation === true && t !== w.loopback.device;
        const events: string[] = [];
        t.addEventListener('mute', () => events.push('mute'));
        t.addEventListener('unmute', () => events.push('unmute'));
        t.onmute = () => events.push('onmute');
        const until = (fn: () => boolean) =>
          new Promise<boolean>((resolve) => {
            const start = performance.now();
            const poll = () => {
              if (fn()) resolve(true);
              else if (performance.now() - start > 10000) resolve(false);
              else setTimeout(poll, 20);
            };
            poll();
          });
        // Media flowing: the remote track unmutes (if it was muted before the first packets).
        const flowing = await until(() => !w.loopback.device.muted && !t.muted);
        const start = { device: w.loopback.device.muted, track: t.muted };
        // Firefox's remote track starts muted: its first unmute is not the one this test is after.
        events.length = 0;
        w.loopback.tx.direction = 'inactive';
        await w.loopback.negotiate();
        const mutedSeen = await until(() => events.includes('mute'));
        const whileMuted = { device: w.loopback.device.muted, track: t.muted };
        w.loopback.tx.direction = 'sendonly';
        await w.loopback.negotiate();
        const unmutedSeen = await until(() => events.includes('unmute'));
        const after = { device: w.loopback.device.muted, track: t.muted };
        t.stop();
        return { processed, flowing, start, mutedSeen, whileMuted, unmutedSeen, after, events };
      });
      assert.deepEqual(r, {
        processed: true,
        flowing: true,
        start: { device: false, track: false },
        mutedSeen: true,
        whileMuted: { device: true, track: true },
        unmutedSeen: true,
        after: { device: false, track: false },
        events: ['mute', 'onmute', 'unmute'],
      });
      await page.close();
    });

    it('a page whose CSP forbids wasm gets the unprocessed track (ideal) or OverconstrainedError (exact), never a silent one', async () => {
      suite.server.route('/strict.html', {
        body: '<!doctype html><title>strict</title>',
        headers: { 'content-security-policy': "default-src 'self'; script-src 'self'" },
      });
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/strict.html'));
      const r = await page.evaluate(async () => {
        const ideal = await navigator.mediaDevices.getUserMedia({
          audio: { voiceIsolation: true } as MediaTrackConstraints,
        });
        const t = ideal.getAudioTracks()[0]!;
        const out = {
          idealSetting: (t.getSettings() as any).voiceIsolation,
          live: t.readyState,
          exact: '',
          withCamera: '',
        };
        t.stop();
        // The track after the one that could not be processed is kept too.
        const both = await navigator.mediaDevices.getUserMedia({
          audio: { voiceIsolation: true } as MediaTrackConstraints,
          video: true,
        });
        out.withCamera = both
          .getTracks()
          .map((x) => x.kind)
          .join();
        both.getTracks().forEach((x) => x.stop());
        try {
          await navigator.mediaDevices.getUserMedia({
            audio: { voiceIsolation: { exact: true } } as MediaTrackConstraints,
          });
          out.exact = 'resolved';
        } catch (e) {
          out.exact = `${(e as Error).name}:${(e as any).constraint}`;
        }
        return out;
      });
      assert.deepEqual(r, {
        idealSetting: false,
        live: 'live',
        exact: 'OverconstrainedError:voiceIsolation',
        withCamera: 'audio,video',
      });
      await page.close();
    });

    it('each effect loads its own chunk: a page that only isolates voices never loads the blur code', async () => {
      const chunks = await recordChunkLoads(suite.tb);
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      // (The call window's chunk loads too, as on any page in a call.)
      const loaded = async () =>
        (await chunks.read()).map((f) => /chunks\/([\w-]+)\.js$/.exec(f)?.[1]).filter((n) => n !== 'call-window');
      const on = await page.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({
          audio: { voiceIsolation: true } as MediaTrackConstraints,
        });
        const value = (s.getAudioTracks()[0]!.getSettings() as any).voiceIsolation;
        s.getTracks().forEach((t) => t.stop());
        return value;
      });
      assert.deepEqual({ on, loaded: await loaded() }, { on: true, loaded: ['voice'] });
      await page.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({
          video: { backgroundBlur: true } as MediaTrackConstraints,
        });
        s.getTracks().forEach((t) => t.stop());
      });
      const blur = await loaded();
      await chunks.stop();
      // Firefox cannot blur, but asks the blur chunk, which says so.
      assert.deepEqual(blur, ['voice', 'blur']);
      await page.close();
    });

    it('powerEfficientPixelFormat: supported, reported from the frames the camera delivers (Chromium) or not at all (Firefox); exact that cannot be met rejects', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(async () => {
        const K = 'powerEfficientPixelFormat';
        const err = async (f: () => Promise<unknown>) => {
          try {
            await f();
            return 'resolved';
          } catch (e) {
            return `${(e as Error).name}:${(e as any).constraint}`;
          }
        };
        const gum = (v: unknown) => navigator.mediaDevices.getUserMedia({ video: { [K]: v } as MediaTrackConstraints });
        const supported = (navigator.mediaDevices.getSupportedConstraints() as any)[K];
        const exactTrue = await err(() => gum({ exact: true }));
        const exactFalse = await err(async () => (await gum({ exact: false })).getTracks().forEach((t) => t.stop()));
        const t = (await gum({ ideal: true })).getVideoTracks()[0]!;
        const asked = {
          settings: (t.getSettings() as any)[K],
          caps: (t.getCapabilities() as any)[K],
          constraints: (t.getConstraints() as any)[K],
        };
        const applyExact = await err(() => t.applyConstraints({ [K]: { exact: true } } as MediaTrackConstraints));
        const afterFailedApply = { live: t.readyState, constraints: (t.getConstraints() as any)[K] };
        await t.applyConstraints({ width: 320 });
        const afterOtherApply = (t.getConstraints() as any)[K] ?? 'absent';
        t.stop();
        // A camera track that never named it: known once the page asked (the first answer may lack it).
        const plain = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
        const first = K in plain.getSettings();
        let later: unknown = 'absent';
        for (let i = 0; i < 40 && later === 'absent'; i++) {
          await new Promise((res) => setTimeout(res, 50));
          later = (plain.getSettings() as any)[K] ?? 'absent';
        }
        plain.stop();
        const mic = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0]!;
        const micHas = K in mic.getSettings() || K in mic.getCapabilities();
        mic.stop();
        const canvas = document.createElement('canvas').captureStream().getVideoTracks()[0]!;
        canvas.getSettings();
        await new Promise((res) => setTimeout(res, 300));
        const canvasHas = K in canvas.getSettings();
        return {
          supported,
          exactTrue,
          exactFalse,
          asked,
          applyExact,
          afterFailedApply,
          afterOtherApply,
          first,
          later,
          micHas,
          canvasHas,
        };
      });
      const common = {
        supported: true,
        exactTrue: 'OverconstrainedError:powerEfficientPixelFormat',
        applyExact: 'OverconstrainedError:powerEfficientPixelFormat',
        afterFailedApply: { live: 'live', constraints: true },
        afterOtherApply: 'absent',
        micHas: false,
        canvasHas: false,
      };
      if (suite.name === 'chromium') {
        // Chromium's fake camera delivers I420 frames: known, and not power-efficient.
        assert.deepEqual(r, {
          ...common,
          exactFalse: 'resolved',
          asked: { settings: false, caps: [false], constraints: true },
          first: false,
          later: false,
        });
      } else {
        // Firefox shows a page no frame's pixel format: never claimed, so no exact can be met.
        assert.deepEqual(r, {
          ...common,
          exactFalse: 'OverconstrainedError:powerEfficientPixelFormat',
          asked: { settings: undefined, caps: undefined, constraints: true },
          first: false,
          later: 'absent',
        });
      }
      await page.close();
    });

    if (suite.name === 'chromium') removesNoise(suite);
  },
);

describeEachBrowser(
  'track effects: noise removal (a noisy speech recording as the microphone, through PulseAudio)',
  {
    browsers: ['firefox'],
    tmpDir: 'mediagate-effects-pulse-',
    launch: noisySpeechMicrophone,
  },
  removesNoise,
);
