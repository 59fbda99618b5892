// MediaGate's person segmentation as a service for the page's background blur (loaded in a hidden
// frame by src/content/segmenter-frame.ts). This page runs under the extension's CSP, which allows
// wasm, and fetches the model and tasks-vision's wasm from the package. Each port is one blurred track:
// RGBA frames in, person masks out (src/shared/segmenter.ts).
import type { ImageSegmenter } from '@mediapipe/tasks-vision';
import { createSegmenter } from '../shared/segmentation/model';
import { segmenterUnsupported } from '../shared/segmentation/support';
import { nextTimestamp } from '../shared/segmentation/timestamps';
import {
  SEGMENTER_MAX_SIDE,
  SEGMENTER_PROTOCOL,
  type SegmenterReply,
  type SegmenterRequest,
} from '../shared/segmenter';

let segmenter: Promise<ImageSegmenter> | null = null;
let last = -1;

async function bytes(file: string): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(new URL(file, location.href));
  if (!response.ok) throw new Error(`${file}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function load(): Promise<ImageSegmenter> {
  segmenter ??= (async () => {
    const unsupported = segmenterUnsupported();
    if (unsupported) throw new Error(unsupported);
    const [wasm, model] = await Promise.all([
      bytes('../effects/vision_wasm_internal.wasm'),
      bytes('../effects/selfie_segmentation_landscape.tflite'),
    ]);
    return createSegmenter(wasm, model);
  })();
  const p = segmenter;
  p.catch(() => {
    if (segmenter === p) segmenter = null;
  });
  return p;
}

const side = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= SEGMENTER_MAX_SIDE;

async function answer(r: SegmenterRequest): Promise<{ reply: SegmenterReply; transfer: Transferable[] }> {
  const seg = await load();
  if (r.load) return { reply: { id: r.id }, transfer: [] };
  const { width, height, pixels } = r;
  if (!side(width) || !side(height) || !(pixels instanceof ArrayBuffer) || pixels.byteLength !== width * height * 4) {
    return { reply: { id: r.id, error: 'malformed frame' }, transfer: [] };
  }
  // One segmenter serves every port: its timestamps must only grow.
  last = nextTimestamp(last, performance.now() * 1000);
  const result = seg.segmentForVideo(new ImageData(new Uint8ClampedArray(pixels), width, height), last);
  try {
    const masks = result.confidenceMasks ?? [];
    // Two-class models give [background, person]; one-class models only the person.
    const m = masks[masks.length - 1];
    if (!m) return { reply: { id: r.id, error: 'no mask' }, transfer: [] };
    const f = m.getAsFloat32Array();
    const mask = new Uint8Array(f.length);
    for (let i = 0; i < f.length; i++) mask[i] = f[i]! * 255;
    return { reply: { id: r.id, width: m.width, height: m.height, mask: mask.buffer }, transfer: [mask.buffer] };
  } finally {
    result.close();
  }
}

function serve(port: MessagePort): void {
  port.onmessage = (e: MessageEvent) => {
    const r = e.data as Partial<SegmenterRequest> | null;
    if (!r || typeof r !== 'object' || r.protocol !== SEGMENTER_PROTOCOL || typeof r.id !== 'number') return;
    const id = r.id;
    answer(r as SegmenterRequest).then(
      ({ reply, transfer }) => port.postMessage(reply, transfer),
      (err: unknown) => port.postMessage({ id, error: String(err) } satisfies SegmenterReply),
    );
  };
}

addEventListener('message', (e: MessageEvent) => {
  const d = e.data as { protocol?: unknown } | null;
  if (d?.protocol !== SEGMENTER_PROTOCOL || e.ports.length !== 1) return;
  serve(e.ports[0]!);
});
