// Talking while muted (issue 23): how soon after the person starts speaking the page's Media Session
// `voiceactivity` handler runs, and what the listening costs in CPU. Chromium's fake microphone plays a
// file made here, looped: 3.5 s of faint noise, then the speech fixture. In the page, its own
// AudioWorklet on a clone of the microphone marks each onset (the first 128-sample block louder than
// -35 dBFS after at least 2 s below), so onset and handler are both seen through an AudioWorklet and a
// message to the page, as MediaGate's detector sees them. Firefox's fake microphone is a tone: there only
// the CPU is measured (the detector runs the same on any signal).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FixtureServer } from '../test/e2e/helpers/server';
import { waitFor } from '../test/e2e/helpers/browsers';
import { readWav, wav } from '../test/e2e/helpers/audio';
import { bounded, sleep } from './timing';
import type { RunContext } from './types';

/** The looped microphone file (written by serveMutedSpeech before any browser starts). */
export const ONSETS_WAV = path.join(os.tmpdir(), 'mediagate-bench-onsets.wav');
const QUIET_S = 3.5;
/** MediaGate calls the handler at most every 3 s: an onset not followed by a call within this is a miss. */
export const MISS_MS = 3000;

const ONSET_WORKLET = `registerProcessor('onset', class extends AudioWorkletProcessor {
  constructor() { super(); this.quiet = 0; }
  process(inputs) {
    const x = inputs[0] && inputs[0][0];
    if (x) {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i] * x[i];
      if (10 * Math.log10(s / x.length + 1e-12) > -35) {
        if (this.quiet >= 2 * sampleRate) this.port.postMessage('onset');
        this.quiet = 0;
      } else this.quiet += x.length;
    }
    return true;
  }
});`;

export async function serveMutedSpeech(server: FixtureServer, root: string): Promise<void> {
  server.route('/onset-worklet.js', { body: ONSET_WORKLET, type: 'text/javascript' });
  const { rate, samples: speech } = readWav(await readFile(path.join(root, 'test/fixtures/speech.wav')));
  const quiet = Math.round(QUIET_S * rate);
  const out = new Float32Array(quiet + speech.length);
  // Faint white noise (about -50 dBFS), not digital silence: a real microphone is never silent.
  let seed = 23;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = (seed / 2 ** 32 - 0.5) * 0.011 + (i >= quiet ? speech[i - quiet]! : 0);
  }
  await writeFile(ONSETS_WAV, wav(out, rate));
}

/** The call: a microphone, a voiceactivity handler, muted the way a site mutes (setMicrophoneActive + enabled). */
async function startMutedCall(ctx: RunContext, onsets: boolean): Promise<void> {
  await bounded(
    ctx.page.evaluate(async (withOnsets: boolean) => {
      const w = window as any;
      if (w.benchMic) return;
      w.benchVoice = [];
      w.benchOnsets = [];
      navigator.mediaSession.setActionHandler('voiceactivity' as MediaSessionAction, () =>
        w.benchVoice.push(performance.now()),
      );
      w.benchMic = await navigator.mediaDevices.getUserMedia({ audio: true });
      if (withOnsets) {
        const ac = new AudioContext();
        await ac.audioWorklet.addModule('/onset-worklet.js');
        const node = new AudioWorkletNode(ac, 'onset');
        node.port.onmessage = () => w.benchOnsets.push(performance.now());
        const probe = w.benchMic.getAudioTracks()[0].clone();
        ac.createMediaStreamSource(new MediaStream([probe])).connect(node);
        node.connect(ac.createMediaStreamDestination());
        await ac.resume();
        w.benchProbe = ac;
      }
      w.benchMute = (m: boolean) => {
        w.benchMic.getAudioTracks()[0].enabled = !m;
        (navigator.mediaSession as any).setMicrophoneActive(!m);
      };
      w.benchMute(true);
    }, onsets),
    'start a muted call',
  );
}

/** The page's handler calls and the onsets so far. */
const seen = (ctx: RunContext) =>
  ctx.page.evaluate(() => {
    const w = window as any;
    return { voice: w.benchVoice as number[], onsets: w.benchOnsets as number[], used: (w.benchUsed ?? 0) as number };
  });

export const warmUpOnsets = async (ctx: RunContext): Promise<void> => {
  await startMutedCall(ctx, true);
  // The first handler call (the voice chunk and its worklet loading) is not an onset measurement.
  await bounded(
    waitFor(async () => (await seen(ctx)).voice.length > 0, 'a first voiceactivity', 20_000, 100),
    'warm-up',
  );
  const { onsets } = await seen(ctx);
  await ctx.page.evaluate((n: number) => ((window as any).benchUsed = n), onsets.length);
};

/** One sample per onset: the first handler call after it (a miss counts as MISS_MS). */
export async function timeOnsets(ctx: RunContext, n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const s = await bounded(
      waitFor(
        async () => {
          const x = await seen(ctx);
          const onset = x.onsets[x.used];
          if (onset === undefined) return null;
          const call = x.voice.find((t) => t >= onset);
          const now = await ctx.page.evaluate(() => performance.now());
          if (call === undefined && now - onset < MISS_MS) return null;
          return { sample: call === undefined ? MISS_MS : Math.min(call - onset, MISS_MS), used: x.used + 1 };
        },
        'the next speech onset and its voiceactivity call',
        20_000,
        100,
      ),
      'onset sample',
      25_000,
    );
    out.push(s.sample);
    await ctx.page.evaluate((u: number) => ((window as any).benchUsed = u), s.used);
  }
  return out;
}

/** CPU time (ms) of the browser and all its child processes, from /proc (Linux). */
async function treeCpuMs(root: number): Promise<number> {
  const stats: { pid: number; ppid: number; ticks: number }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const text = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (f.length > 13) stats.push({ pid: Number(name), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
  }
  const mine = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const s of stats)
      if (!mine.has(s.pid) && mine.has(s.ppid)) {
        mine.add(s.pid);
        grew = true;
      }
  }
  const hz = 100; // USER_HZ on Linux
  return (stats.filter((s) => mine.has(s.pid)).reduce((a, s) => a + s.ticks, 0) * 1000) / hz;
}

const CPU_WINDOW_MS = 5000;

async function cpuPerSecond(ctx: RunContext): Promise<number> {
  const pid = ctx.tb.browser.process()?.pid;
  if (!pid) throw new Error('no browser process to measure');
  const a = await treeCpuMs(pid);
  const t0 = Date.now();
  await sleep(CPU_WINDOW_MS);
  return ((await treeCpuMs(pid)) - a) / ((Date.now() - t0) / 1000);
}

export const warmUpCpu = async (ctx: RunContext): Promise<void> => {
  await startMutedCall(ctx, false);
  // Let the detector start (its chunk and worklet load) before the first window.
  await sleep(3000);
};

/** One sample: the browser's CPU ms per second while muted (listening) minus while unmuted (not listening). */
export async function timeDetectionCpu(ctx: RunContext): Promise<number[]> {
  const mute = (m: boolean) =>
    bounded(
      ctx.page.evaluate((x: boolean) => (window as any).benchMute(x), m),
      'mute',
    );
  const listening = await cpuPerSecond(ctx);
  await mute(false);
  await sleep(1000);
  const idle = await cpuPerSecond(ctx);
  await mute(true);
  await sleep(1500);
  return [listening - idle];
}
