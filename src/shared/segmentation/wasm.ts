// What the browser's WebAssembly can do, asked with a tiny module: used by the segmenter (here, in the
// effects chunk and in MediaGate's segmenter page) and by the voice isolation (through the effects
// chunk's assets.ts). Nothing runs at load: in the page's main world a chunk's modules only declare.
import { globalPromiseOps, type PromiseOps } from './promise-ops';

/** A tiny wasm module using a SIMD instruction: validates only where SIMD is available. */
const simdProbe = (): Uint8Array<ArrayBuffer> =>
  new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
  ]);

export const hasWasmSimd = (): boolean => WebAssembly.validate(simdProbe());

/** Whether this page's CSP lets wasm compile ('wasm-unsafe-eval'), asked before fetching megabytes. */
export const wasmCompiles = (ops: PromiseOps = globalPromiseOps()): Promise<boolean> =>
  ops.then(
    WebAssembly.compile(simdProbe()),
    () => true,
    () => false,
  );
