import { BLOCK, DELAY, FRAME, Framer, minDelay } from '../../src/injected/effects/chunk/rnnoise-framing';

describe('RNNoise framing (480-sample frames in 128-sample blocks)', () => {
  it('needs a delay of 448 samples, less than the 640 of the packaged worklet', () => {
    expect(minDelay(480, 128)).toBe(448);
    expect(DELAY).toBe(448);
    // Degenerate cases: frames as large as blocks need none; half-block frames none either.
    expect(minDelay(128, 128)).toBe(0);
    expect(minDelay(64, 128)).toBe(0);
  });

  it('outputs the processed input exactly DELAY samples later, each frame processed once, in order', () => {
    const frames: number[] = [];
    // "Processing" negates the samples and records the frame's first sample index.
    const framer = new Framer((f) => {
      frames.push(f[0]!);
      for (let i = 0; i < f.length; i++) f[i] = -f[i]!;
    });
    const blocks = 60;
    const out: number[] = [];
    for (let b = 0; b < blocks; b++) {
      const input = Float32Array.from({ length: BLOCK }, (_, i) => b * BLOCK + i + 1);
      const output = new Float32Array(BLOCK);
      framer.push(input, output);
      out.push(...output);
    }
    for (let t = 0; t < out.length; t++) expect(out[t]).toBe(t < DELAY ? 0 : -(t - DELAY + 1));
    expect(frames).toEqual(Array.from({ length: Math.floor((blocks * BLOCK) / FRAME) }, (_, k) => k * FRAME + 1));
  });

  it('a smaller delay would need samples not yet processed', () => {
    // Checks minDelay's claim directly: with DELAY - 1, some block reaches past the processed input.
    let late = false;
    for (let w = 0; w < 1920; w += BLOCK) {
      const processed = Math.floor((w + BLOCK) / FRAME) * FRAME;
      if (w + BLOCK - (DELAY - 1) > processed) late = true;
    }
    expect(late).toBe(true);
  });
});
