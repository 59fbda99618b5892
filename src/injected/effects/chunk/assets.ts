// The effects' binaries (wasm, model) as bytes from the background (chunk/asset): base64 over the
// bridge, so no extension URL is ever loaded by, or shown to, the page.
import type { ChunkApi } from '../../chunk-api';
import type { AssetName } from '../../../shared/chunks';

/** A tiny wasm module using a SIMD instruction: validates only where SIMD is available. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

export const hasWasmSimd = (): boolean => WebAssembly.validate(SIMD_PROBE);

/** Whether this page's CSP lets wasm compile ('wasm-unsafe-eval'), asked before fetching megabytes. */
export const wasmCompiles = (): Promise<boolean> => WebAssembly.compile(SIMD_PROBE).then(() => true, () => false);

export async function fetchAsset(api: ChunkApi, name: AssetName, timeoutMs: number): Promise<Uint8Array<ArrayBuffer>> {
  const bin = atob(await api.bridge.request('chunk/asset', { name }, timeoutMs));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
