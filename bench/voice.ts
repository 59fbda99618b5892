// Voice isolation cost: the RNNoise AudioWorklet exactly as MediaGate ships it (its worklet bundled
// from src/injected/effects/chunk/rnnoise-worklet.ts as build.mjs does, the wasm from dist/), run in an OfflineAudioContext on 10 s of noisy speech, in each browser.
// Real-time factor = render wall time / audio duration; added latency = the lag that best aligns the
// processed output with its input (cross-correlation on the speech).
import { readFile } from 'node:fs/promises';
import * as esbuild from 'esbuild';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import type { FixtureServer } from '../test/e2e/helpers/server';
import { RNNOISE_PROCESSOR } from '../src/injected/effects/chunk/rnnoise-framing';

export interface VoiceResult {
  rtf: number[];
  /** The same render through a worklet that only copies its input: the graph's own cost. */
  passRtf: number[];
  /** rnnoise_process_frame alone, on the page's thread: the model's compute. */
  computeRtf: number;
  latencyMs: number;
  suppressionDb: number;
}

const PAGE = '/voice.html';

export async function serveVoice(server: FixtureServer, root: string): Promise<void> {
  server.route(PAGE, { body: '<!doctype html><title>voice</title>' });
  const worklet = await esbuild.build({
    entryPoints: [path.join(root, 'src/injected/effects/chunk/rnnoise-worklet.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    target: 'es2022',
    logLevel: 'silent',
  });
  server.route('/rnnoise-worklet.js', { body: worklet.outputFiles[0]!.text, type: 'text/javascript' });
  server.route('/pass-worklet.js', {
    body: "registerProcessor('pass', class extends AudioWorkletProcessor { process(i, o) { const a = i[0], b = o[0]; if (a && b) for (let c = 0; c < Math.min(a.length, b.length); c++) b[c].set(a[c]); return true; } });",
    type: 'text/javascript',
  });
  server.route('/rnnoise.wasm', {
    body: await readFile(path.join(root, 'dist/chromium/effects/rnnoise_simd.wasm')),
    type: 'application/wasm',
  });
  server.route('/speech.wav', { body: await readFile(path.join(root, 'test/fixtures/speech.wav')), type: 'audio/wav' });
}

export async function measureVoice(page: Page, server: FixtureServer, runs: number): Promise<VoiceResult> {
  await page.goto(server.url(PAGE));
  return page.evaluate(
    async (n: number, name: string) => {
      const RATE = 48000;
      const SECS = 10;
      const wasm = await (await fetch('/rnnoise.wasm')).arrayBuffer();
      const speechCtx = new OfflineAudioContext(1, RATE, RATE);
      const speech = (await speechCtx.decodeAudioData(await (await fetch('/speech.wav')).arrayBuffer())).getChannelData(
        0,
      );
      // Speech every other 2.5 s over steady noise (seeded), as in the e2e test.
      const input = new Float32Array(RATE * SECS);
      let seed = 7;
      for (let i = 0; i < input.length; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const s = i % (RATE * 5) < speech.length ? speech[i % (RATE * 5)]! : 0;
        input[i] = 0.6 * s + 0.08 * (seed / 2 ** 32 - 0.5);
      }
      const render = async (pass = false) => {
        const ctx = new OfflineAudioContext(1, input.length, RATE);
        await ctx.audioWorklet.addModule(pass ? '/pass-worklet.js' : '/rnnoise-worklet.js');
        const buffer = ctx.createBuffer(1, input.length, RATE);
        buffer.copyToChannel(input, 0);
        const src = ctx.createBufferSource();
        src.buffer = buffer;
        const node = pass
          ? new AudioWorkletNode(ctx, 'pass')
          : new AudioWorkletNode(ctx, name, { processorOptions: { wasmBinary: wasm.slice(0), maxChannels: 1 } });
        src.connect(node).connect(ctx.destination);
        src.start();
        // The worklet instantiates its wasm asynchronously: hold the render at 0 until it had the time.
        if (typeof ctx.suspend !== 'function')
          throw new Error(
            "not measurable here: this OfflineAudioContext has no suspend(), so the render would outrun the worklet's wasm start",
          );
        const held = ctx.suspend(128 / RATE);
        const rendering = ctx.startRendering();
        await held;
        await new Promise((r) => setTimeout(r, 500));
        const t0 = performance.now();
        void ctx.resume();
        const out = (await rendering).getChannelData(0);
        return { seconds: (performance.now() - t0) / 1000, out };
      };
      const rtf: number[] = [];
      const passRtf: number[] = [];
      let last: Float32Array = new Float32Array(0);
      // Without OfflineAudioContext.suspend() (Firefox) the render would outrun the worklet's wasm start:
      // only the model's own compute is measured there.
      const renders = typeof OfflineAudioContext.prototype.suspend === 'function' ? n : 0;
      for (let i = 0; i < renders; i++) {
        const r = await render();
        rtf.push(r.seconds / SECS);
        last = r.out;
        passRtf.push((await render(true)).seconds / SECS);
      }
      // The model alone: the same wasm on this thread, the whole input frame by frame (as the worklet does).
      let memory: WebAssembly.Memory | null = null;
      const { instance } = await WebAssembly.instantiate(wasm, {
        env: {
          emscripten_memcpy_big: (d: number, s: number, k: number) => {
            new Uint8Array(memory!.buffer).copyWithin(d, s, s + k);
          },
          emscripten_resize_heap: (size: number) => {
            try {
              memory!.grow(Math.ceil((size - memory!.buffer.byteLength) / 65536));
              return 1;
            } catch {
              return 0;
            }
          },
          __assert_fail: () => {
            throw new Error('assert');
          },
        },
      });
      const x = instance.exports as any;
      memory = x.memory;
      x.emscripten_stack_init?.();
      x.__wasm_call_ctors();
      const state = x.rnnoise_create(0);
      const buf = x.malloc(480 * 8);
      const t0 = performance.now();
      for (let f = 0; f + 480 <= input.length; f += 480) {
        const heap = new Float32Array(memory!.buffer, buf, 960);
        for (let i = 0; i < 480; i++) heap[i] = input[f + i]! * 32767;
        x.rnnoise_process_frame(state, buf + 1920, buf);
      }
      const computeRtf = (performance.now() - t0) / 1000 / SECS;
      if (!renders) return { rtf, passRtf, computeRtf, latencyMs: NaN, suppressionDb: NaN };
      // Lag by cross-correlation over the first speech burst (0..2.5 s), 0..50 ms.
      let best = 0;
      let bestLag = 0;
      for (let lag = 0; lag < RATE * 0.05; lag += 16) {
        let sum = 0;
        for (let i = 0; i < RATE * 2; i += 4) sum += input[i]! * (last[i + lag] ?? 0);
        if (sum > best) {
          best = sum;
          bestLag = lag;
        }
      }
      // Noise-only stretch (3..4.5 s): energy out / in.
      let ein = 0;
      let eout = 0;
      for (let i = RATE * 3; i < RATE * 4.5; i++) {
        ein += input[i]! ** 2;
        eout += last[i]! ** 2;
      }
      return {
        rtf,
        passRtf,
        computeRtf,
        latencyMs: (bestLag / RATE) * 1000,
        suppressionDb: 10 * Math.log10(ein / Math.max(eout, 1e-12)),
      };
    },
    runs,
    RNNOISE_PROCESSOR,
  );
}
