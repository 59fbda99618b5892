// Person segmentation: MediaPipe tasks-vision's ImageSegmenter (CPU delegate) with the landscape selfie
// model (256x144), from the model's and tasks-vision's wasm bytes. Runs only in MediaGate's segmenter
// page (src/segmenter), never in a web page's realm, where the page could have replaced the built-ins
// tasks-vision calls and reach its objects (docs/security.md). tasks-vision's Emscripten loader is
// bundled, so no script URL is loaded; nothing here touches the network, and tasks-vision 0.10.x has no
// telemetry.
import { ImageSegmenter } from '@mediapipe/tasks-vision';
import ModuleFactory from '@mediapipe/tasks-vision/vision_wasm_internal.js';

/**
 * A segmenter from tasks-vision's wasm and the model, as bytes. tasks-vision takes its Emscripten factory
 * and module options from two globals (it would otherwise load a script from a URL): they are set only
 * for this call and removed after.
 */
export async function createSegmenter(
  wasm: Uint8Array<ArrayBuffer>,
  model: Uint8Array<ArrayBuffer>,
): Promise<ImageSegmenter> {
  // Compiled once, the module is instantiated through Emscripten's instantiateWasm hook (11 MB: no
  // second compile).
  const module = await WebAssembly.compile(wasm);
  const g = globalThis as unknown as Record<string, unknown>;
  g.ModuleFactory = ModuleFactory;
  let failed: (e: unknown) => void = () => undefined;
  // Emscripten has no failure path in instantiateWasm: a failure there settles the creation instead of
  // leaving it pending.
  const instantiationFailed = new Promise<never>((_, reject) => (failed = reject));
  g.Module = {
    instantiateWasm(imports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
      WebAssembly.instantiate(module, imports).then((i) => done(i, module), failed);
      return {};
    },
    // MediaPipe's start-up log stays out of the console.
    print: () => undefined,
    printErr: () => undefined,
  };
  try {
    return await Promise.race([
      ImageSegmenter.createFromOptions(
        { wasmLoaderPath: '', wasmBinaryPath: '' },
        {
          baseOptions: { modelAssetBuffer: model, delegate: 'CPU' },
          runningMode: 'VIDEO',
          outputConfidenceMasks: true,
          outputCategoryMask: false,
        },
      ),
      instantiationFailed,
    ]);
  } finally {
    delete g.ModuleFactory;
    delete g.Module;
  }
}
