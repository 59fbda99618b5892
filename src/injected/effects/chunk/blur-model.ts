// Person segmentation for the background blur, in the page: the segmenter (src/shared/segmentation)
// from the model and tasks-vision's wasm as bytes fetched over the bridge (chunk/asset); the wasm's
// Emscripten loader is bundled into this chunk, so no script, wasm or model URL is ever loaded: the
// page's CSP only has to allow wasm compilation ('wasm-unsafe-eval'), else the model runs in
// MediaGate's frame (blur-remote.ts).
import type { ImageSegmenter } from '@mediapipe/tasks-vision';
import type { ChunkApi } from '../../chunk-api';
import { createSegmenter, segmenterUnsupported, WasmRefused } from '../../../shared/segmentation/model';
import { fetchAsset, wasmCompiles } from './assets';
import { caught, inert, newPromise, promiseAll, promiseReject, sealed, then } from '../../chunk-natives';
import type { PromiseOps } from '../../../shared/segmentation/promise-ops';
import { PersonMask, type MaskSource } from './blur-segment';
import { remotePersonMask } from './blur-remote';

/** The core's promise built-ins for the shared segmentation code. */
const promiseOps = (): PromiseOps => ({ then, newPromise, inert });

let segmenter: Promise<ImageSegmenter> | null = null;

/** The one segmenter of this frame (created on first use, shared by every blurred track). */
export function loadSegmenter(api: ChunkApi): Promise<ImageSegmenter> {
  if (!segmenter) {
    const unsupported = segmenterUnsupported();
    // Each promise returned from a then-callback is sealed: resolving with it reads its then/constructor.
    const p = unsupported
      ? promiseReject<ImageSegmenter>(new Error(unsupported))
      : then(wasmCompiles(promiseOps()), (ok) => {
          if (!ok) throw new WasmRefused("the page's CSP forbids wasm");
          return sealed(
            then(
              promiseAll([fetchAsset(api, 'vision_wasm', 30000), fetchAsset(api, 'selfie_landscape', 30000)]),
              (bytes) => sealed(then(createSegmenter(bytes[0]!, bytes[1]!, promiseOps()), (s) => inert(s))),
            ),
          );
        });
    segmenter = sealed(p);
    caught(p, () => {
      if (segmenter === p) segmenter = null;
    });
  }
  return segmenter;
}

/**
 * The mask source for a new blurred track: the model in the page, or, where the page's CSP forbids
 * wasm, the model in MediaGate's own frame (blur-remote.ts).
 */
export function personMask(api: ChunkApi): Promise<MaskSource> {
  return then(
    loadSegmenter(api),
    (s): MaskSource => inert(new PersonMask(s)),
    (e) => {
      if (!(e instanceof WasmRefused)) throw e;
      return sealed(remotePersonMask(api));
    },
  );
}
