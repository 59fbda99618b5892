// Main-world code that most pages never need loads on first use, so the script every page runs stays
// small (DESIGN.md: under 30 KB, no measurable cost without a camera). A chunk is one extra bundle
// the background injects into the one frame that asked (scripting.executeScript, world MAIN); it
// receives the core's patch helpers, bridge and localised strings from the core (injected/chunks.ts).

export const CHUNKS = {
  usermedia: {
    file: 'chunks/usermedia.js',
    /** The _locales message names the chunk shows in the page, sent with the load answer. */
    strings: [
      'umUseCamera', 'umUseMicrophone', 'umUseBoth',
      'umMuteCamera', 'umMuteMicrophone', 'umMuteBoth',
      'umUnmuteCamera', 'umUnmuteMicrophone', 'umUnmuteBoth',
      'umChooseDevice', 'umProblem', 'umClose',
      'umErrorNotAllowed', 'umErrorNotReadable', 'umErrorNotFound', 'umErrorOther', 'umErrorMuted', 'umErrorEnded',
    ],
  },
  pip: {
    file: 'chunks/pip.js',
    strings: [
      'pipOpenButton', 'pipOpenTitle', 'pipRegion', 'pipMute', 'pipUnmute', 'pipCameraOff', 'pipCameraOn', 'pipShare', 'pipStopShare', 'pipLeave',
      'effectBlurBackground', 'effectVoiceIsolation', 'optionsPinned',
    ],
  },
  /** The track effects, one chunk each: a page that only isolates voices never loads the blur code. */
  voice: { file: 'chunks/voice.js', strings: [] },
  blur: { file: 'chunks/blur.js', strings: [] },
  /** powerEfficientPixelFormat's look at one camera frame (Chromium). */
  pixel: { file: 'chunks/pixel.js', strings: [] },
  picker: { file: 'chunks/picker.js', strings: [] },
  transfer: { file: 'chunks/transfer.js', strings: [] },
} as const;

/** Binary assets a chunk can ask the background for (bytes travel over the bridge, so the page never learns MediaGate's extension URL). */
export const ASSETS = {
  rnnoise: 'effects/rnnoise.wasm',
  rnnoise_simd: 'effects/rnnoise_simd.wasm',
  /** MediaPipe tasks-vision (SIMD build) and the landscape selfie segmentation model (background blur). */
  vision_wasm: 'effects/vision_wasm_internal.wasm',
  selfie_landscape: 'effects/selfie_segmentation_landscape.tflite',
} as const;
export type AssetName = keyof typeof ASSETS;
export const ASSET_NAMES = Object.keys(ASSETS) as AssetName[];

export type ChunkName = keyof typeof CHUNKS;
export const CHUNK_NAMES = Object.keys(CHUNKS) as ChunkName[];
export type ChunkStrings = Record<string, string>;
