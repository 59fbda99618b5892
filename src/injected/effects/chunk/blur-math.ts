// Pure numbers for the background blur, kept apart so unit tests can pin them down.

/** The background is blurred at a quarter of the frame's size (headless Chromium's WebGL is SwiftShader, which is slow at full size; bench/README.md). */
export const BLUR_SCALE = 4;

/**
 * The model runs on one frame in this many (the others reuse its mask, at most 2 frames old). In
 * headless Chromium at 640x480 a segmented frame costs ~20 ms, another ~10 ms: one in 3 rather than
 * one in 2 took frames delivered from 93-97% to 95-98% of the camera's (A/B runs, shared machine).
 */
export const SEGMENT_EVERY = 3;
/** Consecutive frames that failed to process before the effect is reported off. */
export const MAX_FAILURES = 30;

/** Size of the downscaled background: at least 1x1, rounded up so no edge column is lost. */
export function downscaled(width: number, height: number, scale = BLUR_SCALE): { width: number; height: number } {
  return { width: Math.max(1, Math.ceil(width / scale)), height: Math.max(1, Math.ceil(height / scale)) };
}

/**
 * Normalised one-sided Gaussian weights for a separable blur of `taps` samples each side, folded into
 * pairs so linear texture filtering does two taps per fetch: [weight, offset] per fetch, the centre
 * first with offset 0. Sum of (centre + 2 * each pair weight) is 1.
 */
export function gaussianPairs(taps: number, sigma: number): Array<[number, number]> {
  const w: number[] = [];
  let sum = 0;
  for (let i = 0; i <= taps; i++) {
    w[i] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += i === 0 ? w[i]! : 2 * w[i]!;
  }
  for (let i = 0; i <= taps; i++) w[i] = w[i]! / sum;
  const out: Array<[number, number]> = [[w[0]!, 0]];
  for (let i = 1; i <= taps; i += 2) {
    const a = w[i]!;
    const b = i + 1 <= taps ? w[i + 1]! : 0;
    // By index: in the page, Array.prototype.push may be the page's by the time the blur runs.
    out[out.length] = [a + b, (i * a + (i + 1) * b) / (a + b)];
  }
  return out;
}

/** The segmentation input: the frame scaled to fit 256 wide (the model's own width), aspect kept. */
export function segmentSize(width: number, height: number): { width: number; height: number } {
  const w = Math.min(width, 256);
  return { width: w, height: Math.max(1, Math.round((height * w) / width)) };
}
