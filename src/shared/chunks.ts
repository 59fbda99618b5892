// Main-world code that most pages never need loads on first use, so the script every page runs stays
// small (docs/architecture.md: about 30 KB, no measurable cost without a camera). A chunk is one extra
// bundle the background injects into the one frame that asked (scripting.executeScript, world MAIN); it
// receives the core's patch helpers, bridge and localised strings from the core (injected/chunks.ts).
// Which chunks exist, and which feature each belongs to, is the feature registry's (./features.ts).
import { CHUNK_ENTRIES, CHUNK_NAMES, chunkFile, type ChunkName } from './features';

export { CHUNK_NAMES, type ChunkName };
/** What the background needs to inject a chunk: its file in the package and its strings. */
export const chunkInfo = (name: ChunkName): { file: string; strings: readonly string[] } => ({
  file: chunkFile(name),
  strings: CHUNK_ENTRIES[name].strings,
});

/**
 * Binary assets of the effects: where the build copies each from, and where it is in the package. The
 * RNNoise builds travel to the page's voice chunk as bytes over the bridge (PAGE_ASSETS), so the page
 * never learns MediaGate's extension URL; tasks-vision and the model are read only by MediaGate's
 * segmenter page (src/segmenter), since the blur's model never runs in the page (blur-model.ts).
 */
export const ASSET_FILES = {
  rnnoise: { from: 'node_modules/@sapphi-red/web-noise-suppressor/dist/rnnoise.wasm', to: 'effects/rnnoise.wasm' },
  rnnoise_simd: {
    from: 'node_modules/@sapphi-red/web-noise-suppressor/dist/rnnoise_simd.wasm',
    to: 'effects/rnnoise_simd.wasm',
  },
  /** MediaPipe tasks-vision (SIMD build) and the landscape selfie segmentation model (background blur). */
  vision_wasm: {
    from: 'node_modules/@mediapipe/tasks-vision/wasm/vision_wasm_internal.wasm',
    to: 'effects/vision_wasm_internal.wasm',
  },
  selfie_landscape: {
    from: 'node_modules/@twilio/video-processors/dist/build/selfie_segmentation_landscape.tflite',
    to: 'effects/selfie_segmentation_landscape.tflite',
  },
} as const;
export type AssetName = keyof typeof ASSET_FILES;
export const ASSET_NAMES = Object.keys(ASSET_FILES) as AssetName[];
/** The assets a page's chunk may ask the background for (chunk/asset). */
export const PAGE_ASSETS = ['rnnoise', 'rnnoise_simd'] as const satisfies readonly AssetName[];
export type PageAssetName = (typeof PAGE_ASSETS)[number];
/** Where each asset is inside the extension. */
export const ASSETS = Object.fromEntries(ASSET_NAMES.map((name) => [name, ASSET_FILES[name].to])) as Record<
  AssetName,
  string
>;

export type ChunkStrings = Record<string, string>;
