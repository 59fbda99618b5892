// Person segmentation for the background blur: always in MediaGate's segmenter frame (blur-remote.ts),
// never in the page. tasks-vision, run in the page's realm, would call the page's Array, Promise and
// Map methods with its own objects (segmenter, graph, masks, the camera's downscaled frames), so a page
// that replaced them could read the frames or blank the masks of a blur the person forced on; and the
// page's CSP would have to allow wasm. Compositing stays in the page (blur-compositor.ts).
import type { ChunkApi } from '../../chunk-api';
import { segmenterUnsupported } from '../../../shared/segmentation/support';
import { promiseReject, sealed, then } from '../../chunk-natives';
import type { MaskSource } from './blur-segment';
import { remotePersonMask } from './blur-remote';

/** The mask source for a new blurred track; rejects where the browser cannot run the segmenter. */
export function personMask(api: ChunkApi): Promise<MaskSource> {
  // Asked here, before a frame is added: the segmenter frame runs in the same browser.
  const unsupported = segmenterUnsupported();
  if (unsupported) return promiseReject<MaskSource>(new Error(unsupported));
  return sealed(then(remotePersonMask(api), (m): MaskSource => m));
}
