// The effects' binaries (wasm, model) as bytes from the background (chunk/asset): base64 over the
// bridge, so no extension URL is ever loaded by, or shown to, the page.
import type { ChunkApi } from '../../chunk-api';
import type { AssetName } from '../../../shared/chunks';

// The wasm probes live with the segmentation code that MediaGate's segmenter page shares.
export { hasWasmSimd, wasmCompiles } from '../../../shared/segmentation/wasm';

export async function fetchAsset(api: ChunkApi, name: AssetName, timeoutMs: number): Promise<Uint8Array<ArrayBuffer>> {
  const bin = atob(await api.bridge.request('chunk/asset', { name }, timeoutMs));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
