// Person segmentation for the background blur: MediaPipe tasks-vision's ImageSegmenter (CPU delegate)
// with the landscape selfie model (256x144). Both the model and tasks-vision's wasm are bytes fetched
// over the bridge (chunk/asset); the wasm's Emscripten loader is bundled into this chunk, so no
// script, wasm or model URL is ever loaded: the page's CSP only has to allow wasm compilation
// ('wasm-unsafe-eval'). Nothing here touches the network, and tasks-vision 0.10.x has no telemetry.
import { ImageSegmenter } from '@mediapipe/tasks-vision';
import ModuleFactory from '@mediapipe/tasks-vision/vision_wasm_internal.js';
import type { ChunkApi } from '../../chunk-api';
import { fetchAsset, hasWasmSimd, wasmCompiles } from './assets';
import { PersonMask, type MaskSource } from './blur-segment';
import { remotePersonMask } from './blur-remote';


const hasWebGL = (): boolean => {
  const canvas = new OffscreenCanvas(1, 1);
  return !!(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
};

/** WebAssembly.compile refused: the page's CSP forbids wasm (segmentation can still run in MediaGate's frame). */
export class WasmRefused extends Error {}

/**
 * A segmenter from tasks-vision's wasm and the model, as bytes. tasks-vision takes its Emscripten factory
 * and module options from two globals (it would otherwise load a script from a URL): they are set only
 * for this call and removed after. Also used by MediaGate's own segmenter page (src/segmenter).
 */
export async function createSegmenter(wasm: Uint8Array<ArrayBuffer>, model: Uint8Array<ArrayBuffer>): Promise<ImageSegmenter> {
  // Fails here, before any global is touched, when the page's CSP forbids wasm; compiled once, the
  // module is instantiated through Emscripten's instantiateWasm hook (11 MB: no second compile).
  let module: WebAssembly.Module;
  try { module = await WebAssembly.compile(wasm); } catch (e) { throw new WasmRefused(String(e)); }
  const g = globalThis as unknown as Record<string, unknown>;
  const hadModule = Object.hasOwn(g, 'Module');
  const pageModule = g.Module;
  g.ModuleFactory = ModuleFactory;
  let fail: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  g.Module = {
    instantiateWasm(imports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
      // Emscripten has no failure path here: a failure ends the race below instead of hanging.
      WebAssembly.instantiate(module, imports).then((i) => done(i, module), fail);
      return {};
    },
    // MediaPipe's start-up log stays out of the console.
    print: () => undefined, printErr: () => undefined,
  };
  try {
    return await Promise.race([failed, ImageSegmenter.createFromOptions({ wasmLoaderPath: '', wasmBinaryPath: '' }, {
      baseOptions: { modelAssetBuffer: model, delegate: 'CPU' },
      runningMode: 'VIDEO',
      outputConfidenceMasks: true,
      outputCategoryMask: false,
    })]);
  } finally {
    delete g.ModuleFactory;
    if (hadModule) g.Module = pageModule; else delete g.Module;
  }
}

/** What the segmenter needs of the browser; the same in MediaGate's frame, so no point asking it then. */
export function segmenterUnsupported(): string | null {
  // Only the SIMD build ships (every browser MediaGate supports has wasm SIMD).
  if (!hasWasmSimd()) return 'no wasm SIMD';
  // The segmenter's mask post-processing runs on WebGL (2, else 1) even with the CPU delegate:
  // without any (headless Firefox) it cannot start, so the 11 MB are not even fetched.
  if (!hasWebGL()) return 'no WebGL';
  return null;
}

let segmenter: Promise<ImageSegmenter> | null = null;

/** The one segmenter of this frame (created on first use, shared by every blurred track). */
export function loadSegmenter(api: ChunkApi): Promise<ImageSegmenter> {
  segmenter ??= (async () => {
    const unsupported = segmenterUnsupported();
    if (unsupported) throw new Error(unsupported);
    if (!(await wasmCompiles())) throw new WasmRefused('the page\'s CSP forbids wasm');
    const [wasm, model] = await Promise.all([fetchAsset(api, 'vision_wasm', 30000), fetchAsset(api, 'selfie_landscape', 30000)]);
    return createSegmenter(wasm, model);
  })();
  const p = segmenter;
  p.catch(() => { if (segmenter === p) segmenter = null; });
  return p;
}

/**
 * The mask source for a new blurred track: the model in the page, or, where the page's CSP forbids
 * wasm, the model in MediaGate's own frame (blur-remote.ts).
 */
export async function personMask(api: ChunkApi): Promise<MaskSource> {
  try {
    return new PersonMask(await loadSegmenter(api));
  } catch (e) {
    if (!(e instanceof WasmRefused)) throw e;
    return remotePersonMask(api);
  }
}
