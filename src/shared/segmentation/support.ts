// What the segmenter needs of the browser. Asked in the page before MediaGate's segmenter frame is
// added (the answer is the same there), and by the segmenter page itself; kept apart from model.ts so
// the page's blur chunk does not bundle tasks-vision.
import { hasWasmSimd } from './wasm';

const hasWebGL = (): boolean => {
  const canvas = new OffscreenCanvas(1, 1);
  return !!(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
};

/** Why the segmenter cannot run in this browser, or null. */
export function segmenterUnsupported(): string | null {
  // Only the SIMD build ships (every browser MediaGate supports has wasm SIMD).
  if (!hasWasmSimd()) return 'no wasm SIMD';
  // The segmenter's mask post-processing runs on WebGL (2, else 1) even with the CPU delegate:
  // without any (headless Firefox) it cannot start, so the 11 MB are not even fetched.
  if (!hasWebGL()) return 'no WebGL';
  return null;
}
