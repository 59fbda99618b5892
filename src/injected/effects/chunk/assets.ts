// The effects' binaries (wasm, model) as bytes from the background (chunk/asset): base64 over the
// bridge, so no extension URL is ever loaded by, or shown to, the page.
import type { ChunkApi } from '../../chunk-api';
import type { PageAssetName } from '../../../shared/chunks';
import { inert, then } from '../../chunk-natives';

// The wasm probe lives with the segmentation code that MediaGate's segmenter page shares.
export { hasWasmSimd } from '../../../shared/segmentation/wasm';

export function fetchAsset(api: ChunkApi, name: PageAssetName, timeoutMs: number): Promise<Uint8Array<ArrayBuffer>> {
  return then(api.bridge.request('chunk/asset', { name }, timeoutMs), (b64) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    // Resolving reads `then`: an own one keeps the page's Object.prototype getter from seeing the bytes.
    return inert(bytes);
  });
}
