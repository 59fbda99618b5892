// Whether the browser's WebAssembly has SIMD, asked with a tiny module: used by the segmenter's support
// check (support.ts) and by the voice isolation (through the effects chunk's assets.ts). Nothing runs at
// load: in the page's main world a chunk's modules only declare.

/** A tiny wasm module using a SIMD instruction: validates only where SIMD is available. */
export const simdProbe = (): Uint8Array<ArrayBuffer> =>
  new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
  ]);

export const hasWasmSimd = (): boolean => WebAssembly.validate(simdProbe());
