// Voice isolation: the microphone track runs through RNNoise (the Xiph recurrent-network noise
// suppressor, compiled to wasm) in an AudioWorklet (rnnoise-worklet.ts), and the page gets the
// output of that graph as its track. The worklet code and the wasm come from MediaGate's package; the wasm bytes travel over
// the bridge, so the page never learns MediaGate's extension URL. Pages whose CSP forbids wasm or
// blob: worklets cannot run it: the caller then falls back (ideal) or fails (exact).
import workletSource from 'worklet-text:rnnoise';
import { RNNOISE_PROCESSOR } from './rnnoise-framing';
import type { ChunkApi } from '../../chunk-api';
import { fetchAsset, hasWasmSimd } from './assets';
import type { ProcessedTrack } from '../index';
import type { BoolAsk } from '../../../shared/effect-constraints';
import { addListener, caught, inert, removeListener, SafeSet, sealed, then } from '../../chunk-natives';
import { endNow, stopNow } from './blur-track';

/** RNNoise works on 10 ms frames at 48 kHz; its model knows no other rate. */
const RATE = 48000;

let wasm: Promise<ArrayBuffer> | null = null;
let workletUrl: string | null = null;

export function loadWasm(api: ChunkApi): Promise<ArrayBuffer> {
  if (!wasm) {
    const p = then(fetchAsset(api, hasWasmSimd() ? 'rnnoise_simd' : 'rnnoise', 15000), (bytes) =>
      // The page's CSP governs its worklets too: if wasm cannot compile here, it cannot there either.
      then(WebAssembly.compile(bytes), () => inert(bytes.buffer)),
    );
    wasm = sealed(p);
    caught(p, () => {
      if (wasm === p) wasm = null;
    });
  }
  return wasm;
}

/** Adds the RNNoise worklet to `ctx` (throws where the page's CSP forbids blob: worklets). */
export function addWorklet(ctx: AudioContext): Promise<void> {
  workletUrl ??= URL.createObjectURL(new Blob([workletSource], { type: 'text/javascript' }));
  return ctx.audioWorklet.addModule(workletUrl);
}

interface Graph {
  ctx: AudioContext;
  outputs: InstanceType<typeof SafeSet<MediaStreamTrack>>;
  on: boolean;
  connect(on: boolean): void;
}

export function voiceIsolation(
  api: ChunkApi,
  register: (t: MediaStreamTrack, p: ProcessedTrack) => void,
  source: MediaStreamTrack,
  ask: BoolAsk,
): Promise<MediaStreamTrack> {
  return then(loadWasm(api), (wasmBinary) => {
    const ctx = new AudioContext({ sampleRate: RATE });
    const failed = (e: unknown): never => {
      void ctx.close();
      throw e;
    };
    try {
      // Sealed: resolving the chain with it reads its then/constructor.
      return sealed(then(addWorklet(ctx), () => graphFor(wasmBinary, ctx), failed));
    } catch (e) {
      return failed(e);
    }
  });

  function graphFor(wasmBinary: ArrayBuffer, ctx: AudioContext): MediaStreamTrack {
    try {
      // Firefox refuses a source whose rate differs from the context's: then this track cannot be processed.
      const input = ctx.createMediaStreamSource(new MediaStream([source]));
      const channels = Math.min(2, Math.max(1, source.getSettings().channelCount ?? 1));
      const node = new AudioWorkletNode(ctx, RNNOISE_PROCESSOR, {
        processorOptions: { wasmBinary: wasmBinary.slice(0), maxChannels: channels },
      });
      const dest = ctx.createMediaStreamDestination();
      dest.channelCount = channels;
      dest.channelCountMode = 'explicit';
      const graph: Graph = {
        ctx,
        outputs: new SafeSet<MediaStreamTrack>(),
        on: false,
        connect(on) {
          input.disconnect();
          node.disconnect();
          if (on) {
            input.connect(node);
            node.connect(dest);
          } else input.connect(dest);
          graph.on = on;
        },
      };
      graph.connect(ask.value);
      void ctx.resume();
      // Autoplay rules may hold a context created without a gesture: the next one starts it.
      if (ctx.state !== 'running') {
        const resume = () => {
          removeListener(window, 'pointerdown', resume, true);
          void ctx.resume();
        };
        addListener(window, 'pointerdown', resume, true);
      }
      let asked: boolean | { exact: boolean } = ask.required ? { exact: ask.value } : ask.value;

      const end = () => {
        removeListener(source, 'ended', end);
        const all = graph.outputs.values();
        graph.outputs = new SafeSet<MediaStreamTrack>();
        for (let i = 0; i < all.length; i++) endNow(all[i]!);
        void ctx.close();
      };
      addListener(source, 'ended', end);

      const adopt = (output: MediaStreamTrack): MediaStreamTrack => {
        graph.outputs.add(output);
        register(output, {
          source,
          settings: (native) => ({ ...native, voiceIsolation: graph.on }),
          constraints: (native) => ({ ...native, voiceIsolation: asked }),
          capabilities: (native) => ({ ...native, voiceIsolation: [false, true] }) as MediaTrackCapabilities,
          setEffect(on, a) {
            if (on !== graph.on) graph.connect(on);
            if (a) asked = a.required ? { exact: a.value } : a.value;
            return true;
          },
          stop() {
            graph.outputs.delete(output);
            // The device stays on while another clone of the processed track still runs.
            if (graph.outputs.size === 0) {
              removeListener(source, 'ended', end);
              stopNow(source);
              void ctx.close();
            }
          },
          release: end,
          clone: (nativeClone) => adopt(nativeClone()),
        });
        return output;
      };
      return adopt(dest.stream.getAudioTracks()[0]!);
    } catch (e) {
      void ctx.close();
      throw e;
    }
  }
}
