// Timestamps for the segmenter's video mode, shared by the effects chunk's PersonMask and MediaGate's
// segmenter page (unit-tested in test/unit/blur-math.test.ts).

/** MediaPipe wants strictly increasing video timestamps (ms); frame timestamps (µs) can repeat. */
export function nextTimestamp(last: number, frameMicros: number): number {
  const t = frameMicros / 1000;
  return t > last ? t : last + 0.001;
}
