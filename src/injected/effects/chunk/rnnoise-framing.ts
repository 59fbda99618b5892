// RNNoise denoises 480-sample frames (10 ms at 48 kHz); an AudioWorklet moves 128-sample blocks.
// Framer turns one into the other with the smallest constant delay that never outputs a sample
// before its frame was processed: 448 samples (9.3 ms). (The packaged worklet of
// @sapphi-red/web-noise-suppressor delays by 640, which with RNNoise's own look-back measured
// 20.7 ms in the bench against a 20 ms goal.) Pure logic: unit-tested, bundled into the worklet.

/** The worklet's registered name (the chunk creates its node by it). */
export const RNNOISE_PROCESSOR = 'mediagate-rnnoise';
export const FRAME = 480;
export const BLOCK = 128;

/**
 * Smallest delay D (samples) so that, for blocks of `block` arriving one by one and frames of `frame`
 * processed as soon as complete, the output block [w, w + block) can be filled from input
 * [w - D, w + block - D) when input block [w, w + block) has just arrived.
 */
export function minDelay(frame: number, block: number): number {
  let worst = 0;
  const period = lcm(frame, block);
  for (let w = 0; w < period; w += block) {
    // After block w arrived, frames up to floor((w + block) / frame) * frame are processed.
    const processed = Math.floor((w + block) / frame) * frame;
    worst = Math.max(worst, w + block - processed);
  }
  return worst;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

export const DELAY = minDelay(FRAME, BLOCK);

export class Framer {
  /** A whole number of frames and blocks, larger than the delay plus a block. */
  private readonly ring = new Float32Array(lcm(FRAME, BLOCK));
  private written = 0;
  private processed = 0;

  constructor(private readonly processFrame: (frame: Float32Array) => void) {}

  /** Takes the next input block; writes the output block, DELAY samples behind (silence at first). */
  push(input: Float32Array, output: Float32Array): void {
    const ring = this.ring;
    const size = ring.length;
    ring.set(input, this.written % size);
    this.written += BLOCK;
    while (this.written - this.processed >= FRAME) {
      const at = this.processed % size;
      this.processFrame(ring.subarray(at, at + FRAME));
      this.processed += FRAME;
    }
    const from = this.written - BLOCK - DELAY;
    if (from < 0) {
      output.fill(0);
      if (from + BLOCK > 0) output.set(ring.subarray(0, from + BLOCK), -from);
      return;
    }
    const at = from % size;
    const first = Math.min(BLOCK, size - at);
    output.set(ring.subarray(at, at + first));
    if (first < BLOCK) output.set(ring.subarray(0, BLOCK - first), first);
  }
}
