// The voice isolation AudioWorklet (bundled by build.mjs into text the chunk loads from a blob: URL):
// RNNoise's wasm instantiated directly (it needs three trivial imports, no Emscripten loader), one
// denoiser per channel, fed through Framer with the smallest delay 128-sample blocks allow.
import { FRAME, Framer, RNNOISE_PROCESSOR } from './rnnoise-framing';
import { SpeechDetector } from './speech-detector';

declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor();
}
declare function registerProcessor(
  name: string,
  ctor: new (options: { processorOptions: Options }) => AudioWorkletProcessor,
): void;

interface Options {
  wasmBinary: ArrayBuffer;
  maxChannels: number;
  /** Listening for speech (voice-activity.ts): the first channel's speech onsets are posted as 'speech'. */
  vad?: boolean;
}
interface Exports {
  memory: WebAssembly.Memory;
  __wasm_call_ctors(): void;
  emscripten_stack_init?(): void;
  malloc(bytes: number): number;
  free(ptr: number): void;
  rnnoise_create(model: number): number;
  rnnoise_destroy(state: number): void;
  rnnoise_process_frame(state: number, out: number, input: number): number;
}

/** RNNoise works on 16-bit sample values. */
const SCALE = 32767;

class RnnoiseProcessor extends AudioWorkletProcessor {
  private channels: Array<{ framer: Framer; state: number; buf: number }> = [];
  private wasm: Exports | null = null;
  private destroyed = false;

  constructor(options: { processorOptions: Options }) {
    super();
    const { wasmBinary, maxChannels, vad } = options.processorOptions;
    const detector = vad ? new SpeechDetector() : null;
    this.port.onmessage = (e) => {
      if (e.data === 'destroy') this.destroy();
    };
    let memory: WebAssembly.Memory | null = null;
    const env = {
      emscripten_memcpy_big: (dest: number, src: number, n: number) => {
        new Uint8Array(memory!.buffer).copyWithin(dest, src, src + n);
      },
      emscripten_resize_heap: (size: number) => {
        const grow = Math.ceil((size - memory!.buffer.byteLength) / 65536);
        try {
          memory!.grow(grow);
          return 1;
        } catch {
          return 0;
        }
      },
      __assert_fail: () => {
        throw new Error('rnnoise assertion');
      },
    };
    void WebAssembly.instantiate(wasmBinary, { env }).then(({ instance }) => {
      const x = instance.exports as unknown as Exports;
      memory = x.memory;
      x.emscripten_stack_init?.();
      x.__wasm_call_ctors();
      this.wasm = x;
      for (let c = 0; c < maxChannels; c++) {
        const state = x.rnnoise_create(0);
        // Input and output side by side (FRAME floats each).
        const buf = x.malloc(FRAME * 8);
        const first = c === 0;
        this.channels.push({
          state,
          buf,
          framer: new Framer((frame) => {
            let meanSquare = 0;
            if (first && detector) {
              for (let i = 0; i < FRAME; i++) meanSquare += frame[i]! * frame[i]!;
              meanSquare /= FRAME;
            }
            const probability = this.denoise(state, buf, frame);
            if (first && detector?.push(probability, meanSquare)) this.port.postMessage('speech');
          }),
        });
      }
      if (this.destroyed) this.destroy();
    });
  }

  /** Denoises in place; returns RNNoise's probability that the frame is voice. */
  private denoise(state: number, buf: number, frame: Float32Array): number {
    const x = this.wasm!;
    // The view is made per frame: memory growth detaches the previous one.
    const heap = new Float32Array(x.memory.buffer, buf, 2 * FRAME);
    for (let i = 0; i < FRAME; i++) heap[i] = frame[i]! * SCALE;
    const probability = x.rnnoise_process_frame(state, buf + FRAME * 4, buf);
    for (let i = 0; i < FRAME; i++) frame[i] = heap[FRAME + i]! / SCALE;
    return probability;
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (this.destroyed) return false;
    const input = inputs[0];
    const output = outputs[0];
    // Until the wasm is ready, or with nothing connected: silence (the outputs start zeroed).
    if (!input || !output || !this.wasm) return true;
    const n = Math.min(input.length, output.length, this.channels.length);
    for (let c = 0; c < n; c++) this.channels[c]!.framer.push(input[c]!, output[c]!);
    return true;
  }

  private destroy(): void {
    this.destroyed = true;
    const x = this.wasm;
    if (!x) return;
    for (const ch of this.channels) {
      x.rnnoise_destroy(ch.state);
      x.free(ch.buf);
    }
    this.channels = [];
    this.wasm = null;
  }
}

registerProcessor(RNNOISE_PROCESSOR, RnnoiseProcessor);
