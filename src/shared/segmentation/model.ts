// Person segmentation: MediaPipe tasks-vision's ImageSegmenter (CPU delegate) with the landscape selfie
// model (256x144), from the model's and tasks-vision's wasm bytes. Used in two worlds: the page's
// background blur (src/injected/effects/chunk/blur-model.ts, where the bytes come over the bridge) and
// MediaGate's segmenter page (src/segmenter, where they come from the package). tasks-vision's Emscripten
// loader is bundled into each, so no script, wasm or model URL is ever loaded; nothing here touches the
// network, and tasks-vision 0.10.x has no telemetry.
import { ImageSegmenter } from '@mediapipe/tasks-vision';
import ModuleFactory from '@mediapipe/tasks-vision/vision_wasm_internal.js';
import { hasWasmSimd } from './wasm';
import { globalPromiseOps, type PromiseOps } from './promise-ops';

const hasWebGL = (): boolean => {
  const canvas = new OffscreenCanvas(1, 1);
  return !!(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
};

/** WebAssembly.compile refused: the page's CSP forbids wasm (segmentation can still run in MediaGate's frame). */
export class WasmRefused extends Error {}

/**
 * A segmenter from tasks-vision's wasm and the model, as bytes. tasks-vision takes its Emscripten factory
 * and module options from two globals (it would otherwise load a script from a URL): they are set only
 * for this call and removed after. Used in the page (the effects chunk's blur-model.ts) and by
 * MediaGate's own segmenter page (src/segmenter). Chained through `ops` (see promise-ops.ts).
 */
export function createSegmenter(
  wasm: Uint8Array<ArrayBuffer>,
  model: Uint8Array<ArrayBuffer>,
  ops: PromiseOps = globalPromiseOps(),
): Promise<ImageSegmenter> {
  // Fails here, before any global is touched, when the page's CSP forbids wasm; compiled once, the
  // module is instantiated through Emscripten's instantiateWasm hook (11 MB: no second compile).
  return ops.then(
    WebAssembly.compile(wasm),
    (module) =>
      ops.newPromise<ImageSegmenter>((resolve, reject) => {
        const g = globalThis as unknown as Record<string, unknown>;
        const hadModule = Object.hasOwn(g, 'Module');
        const pageModule = g.Module;
        let settled = false;
        const settle = (ok: boolean, v: unknown): void => {
          if (settled) return;
          settled = true;
          delete g.ModuleFactory;
          if (hadModule) g.Module = pageModule;
          else delete g.Module;
          if (ok) resolve(ops.inert(v as ImageSegmenter));
          else reject(v);
        };
        g.ModuleFactory = ModuleFactory;
        g.Module = {
          instantiateWasm(
            imports: WebAssembly.Imports,
            done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
          ) {
            // Emscripten has no failure path here: a failure settles the creation instead of hanging.
            ops.then(
              WebAssembly.instantiate(module, imports),
              (i) => done(i, module),
              (e) => settle(false, e),
            );
            return {};
          },
          // MediaPipe's start-up log stays out of the console.
          print: () => undefined,
          printErr: () => undefined,
        };
        let created: Promise<ImageSegmenter>;
        try {
          created = ImageSegmenter.createFromOptions(
            { wasmLoaderPath: '', wasmBinaryPath: '' },
            {
              baseOptions: { modelAssetBuffer: model, delegate: 'CPU' },
              runningMode: 'VIDEO',
              outputConfidenceMasks: true,
              outputCategoryMask: false,
            },
          );
        } catch (e) {
          settle(false, e);
          return;
        }
        ops.then(
          created,
          (s) => settle(true, s),
          (e) => settle(false, e),
        );
      }),
    (e) => {
      throw new WasmRefused(String(e));
    },
  );
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
