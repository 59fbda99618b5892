// Person segmentation for the background blur, in the page: the segmenter (src/shared/segmentation)
// from the model and tasks-vision's wasm as bytes fetched over the bridge (chunk/asset); the wasm's
// Emscripten loader is bundled into this chunk, so no script, wasm or model URL is ever loaded: the
// page's CSP only has to allow wasm compilation ('wasm-unsafe-eval'), else the model runs in
// MediaGate's frame (blur-remote.ts).
import type { ImageSegmenter } from '@mediapipe/tasks-vision';
import type { ChunkApi } from '../../chunk-api';
import { createSegmenter, segmenterUnsupported, WasmRefused } from '../../../shared/segmentation/model';
import { fetchAsset, wasmCompiles } from './assets';
import { inert } from '../../chunk-natives';
import { PersonMask, type MaskSource } from './blur-segment';
import { remotePersonMask } from './blur-remote';

let segmenter: Promise<ImageSegmenter> | null = null;

/** The one segmenter of this frame (created on first use, shared by every blurred track). */
export function loadSegmenter(api: ChunkApi): Promise<ImageSegmenter> {
  segmenter ??= (async () => {
    const unsupported = segmenterUnsupported();
    if (unsupported) throw new Error(unsupported);
    if (!(await wasmCompiles())) throw new WasmRefused("the page's CSP forbids wasm");
    const [wasm, model] = await Promise.all([
      fetchAsset(api, 'vision_wasm', 30000),
      fetchAsset(api, 'selfie_landscape', 30000),
    ]);
    return inert(await createSegmenter(wasm, model));
  })();
  const p = segmenter;
  p.catch(() => {
    if (segmenter === p) segmenter = null;
  });
  return p;
}

/**
 * The mask source for a new blurred track: the model in the page, or, where the page's CSP forbids
 * wasm, the model in MediaGate's own frame (blur-remote.ts).
 */
export async function personMask(api: ChunkApi): Promise<MaskSource> {
  try {
    return inert(new PersonMask(await loadSegmenter(api)));
  } catch (e) {
    if (!(e instanceof WasmRefused)) throw e;
    return remotePersonMask(api);
  }
}
