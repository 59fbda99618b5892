// The background blur's pure numbers: downscaled size, Gaussian pair weights, MediaPipe timestamps.
import fc from 'fast-check';
import { downscaled, gaussianPairs, segmentSize } from '../../src/injected/effects/chunk/blur-math';
import { nextTimestamp } from '../../src/shared/segmentation/timestamps';

describe('blur math', () => {
  it('downscales by a quarter, rounding up, never below 1x1', () => {
    expect(downscaled(640, 480)).toEqual({ width: 160, height: 120 });
    expect(downscaled(1281, 3)).toEqual({ width: 321, height: 1 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8192 }), fc.integer({ min: 1, max: 8192 }), (w, h) => {
        const s = downscaled(w, h);
        return (
          s.width >= 1 &&
          s.height >= 1 &&
          s.width * 4 >= w &&
          (s.width - 1) * 4 < w &&
          s.height * 4 >= h &&
          (s.height - 1) * 4 < h
        );
      }),
    );
  });
  it('pairs Gaussian weights so one linear fetch does two taps, and the kernel sums to 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.double({ min: 0.5, max: 10, noNaN: true }), (taps, sigma) => {
        const pairs = gaussianPairs(taps, sigma);
        const total = pairs[0]![0] + 2 * pairs.slice(1).reduce((s, [w]) => s + w, 0);
        const offsetsInRange = pairs.slice(1).every(([, o], i) => o >= 2 * i + 1 - 1e-9 && o <= 2 * i + 2 + 1e-9);
        return (
          pairs[0]![1] === 0 && Math.abs(total - 1) < 1e-9 && offsetsInRange && pairs.length === 1 + Math.ceil(taps / 2)
        );
      }),
    );
  });
  it('keeps MediaPipe timestamps strictly increasing even when frame timestamps repeat or go back', () => {
    expect(nextTimestamp(-1, 33000)).toBe(33);
    expect(nextTimestamp(33, 33000)).toBeGreaterThan(33);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 50 }), (micros) => {
        let last = -1;
        for (const m of micros) {
          const t = nextTimestamp(last, m);
          if (!(t > last)) return false;
          last = t;
        }
        return true;
      }),
    );
  });
  it('hands the model at most 256 pixels wide, aspect kept, never upscaled', () => {
    expect(segmentSize(640, 480)).toEqual({ width: 256, height: 192 });
    expect(segmentSize(1280, 720)).toEqual({ width: 256, height: 144 });
    expect(segmentSize(160, 120)).toEqual({ width: 160, height: 120 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8192 }), fc.integer({ min: 1, max: 8192 }), (w, h) => {
        const s = segmentSize(w, h);
        return (
          s.width <= 256 &&
          s.width <= w &&
          s.height >= 1 &&
          Math.abs(s.height / s.width - h / w) <= 1 / s.width + 1e-9 * h
        );
      }),
    );
  });
});
