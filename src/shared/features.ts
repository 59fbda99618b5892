// The feature registry: every feature a person or an administrator can switch off, with what the rest
// of the project derives from it. Settings defaults and validation, the options page's switches, the
// policy schema's `features`, the build's chunk entries and the docs checks read this list; a unit test
// (test/unit/features.test.ts) fails when a feature lacks its locale strings, its schema entry, its
// README line, its docs page or its e2e file.
//
// The main world installs the features in its own order (src/injected/index.ts: patches stack there),
// type-checked against this list so that none is forgotten.

/** A lazily loaded main-world bundle (src/injected/chunks.ts): built from `entry` to chunks/<name>.js. */
export interface ChunkEntry {
  entry: string;
  /** The _locales message names the chunk shows in the page, sent with the load answer. */
  strings: readonly string[];
}

export interface FeatureEntry {
  /** The options page's switch: the _locales message names of its label and its hint. */
  options: { label: string; hint: string };
  /** Its chunks, by chunk name. */
  chunks?: Readonly<Record<string, ChunkEntry>>;
  /** The e2e files that prove it in both browsers (test/e2e/<file>.test.ts). */
  tests: readonly string[];
}

/**
 * Each feature's name is its folder in each world (src/injected/<name>/ ...), its switch in settings
 * and policy, and its docs page; the options page lists them in this order. This list stays a plain
 * literal so that code which needs only the names (the content script, in every frame) does not carry
 * the registry below.
 */
export const FEATURES = [
  'call-detection',
  'media-session',
  'picker-semantics',
  'label-hiding',
  'call-window',
  'usermedia-element',
  'screen-capture',
  'effects',
  'track-transfer',
] as const;
export type Feature = (typeof FEATURES)[number];

/**
 * Names features had before (settings stored and policies deployed then use them): settings
 * and policy that still say `capture` mean `call-detection`. Keep an entry as long as a stored setting
 * or a deployed policy could carry the old name; the policy schema lists the old names too, marked
 * deprecated, so that Chromium does not drop them.
 */
export const FEATURE_RENAMES: Readonly<Record<string, Feature>> = {
  capture: 'call-detection',
  pip: 'call-window',
  labels: 'label-hiding',
  usermedia: 'usermedia-element',
};

export const FEATURE_REGISTRY = {
  'call-detection': {
    options: { label: 'optionsFeatureCallDetection', hint: 'optionsFeatureCallDetectionHint' },
    tests: ['call-controls'],
  },
  'media-session': {
    options: { label: 'optionsFeatureMediaSession', hint: 'optionsFeatureMediaSessionHint' },
    tests: ['call-controls'],
  },
  'picker-semantics': {
    options: { label: 'optionsFeaturePicker', hint: 'optionsFeaturePickerHint' },
    chunks: { picker: { entry: 'src/injected/picker-semantics/chunk/index.ts', strings: [] } },
    tests: ['picker', 'load'],
  },
  'label-hiding': {
    options: { label: 'optionsFeatureLabelHiding', hint: 'optionsFeatureLabelHidingHint' },
    tests: ['picker'],
  },
  'call-window': {
    options: { label: 'optionsFeatureCallWindow', hint: 'optionsFeatureCallWindowHint' },
    chunks: {
      'call-window': {
        entry: 'src/injected/call-window/chunk/index.ts',
        strings: [
          'pipOpenButton',
          'pipOpenTitle',
          'pipRegion',
          'pipMute',
          'pipUnmute',
          'pipCameraOff',
          'pipCameraOn',
          'pipShare',
          'pipStopShare',
          'pipLeave',
          'callStopCapture',
          'callHeldByMediaGate',
          'callTalkingMuted',
          'effectBlurBackground',
          'effectVoiceIsolation',
          'optionsPinned',
        ],
      },
    },
    tests: ['call-controls'],
  },
  'usermedia-element': {
    options: { label: 'optionsFeatureUsermediaElement', hint: 'optionsFeatureUsermediaElementHint' },
    chunks: {
      'usermedia-element': {
        entry: 'src/injected/usermedia-element/chunk/index.ts',
        strings: [
          'umUseCamera',
          'umUseMicrophone',
          'umUseBoth',
          'umMuteCamera',
          'umMuteMicrophone',
          'umMuteBoth',
          'umUnmuteCamera',
          'umUnmuteMicrophone',
          'umUnmuteBoth',
          'umChooseDevice',
          'umProblem',
          'umClose',
          'umErrorNotAllowed',
          'umErrorNotReadable',
          'umErrorNotFound',
          'umErrorOther',
          'umErrorMuted',
          'umErrorEnded',
        ],
      },
    },
    tests: ['usermedia-element'],
  },
  'screen-capture': {
    options: { label: 'optionsFeatureScreenCapture', hint: 'optionsFeatureScreenCaptureHint' },
    chunks: {
      /** Firefox: the in-page click its capture needs after a slow grant. */
      'share-start': {
        entry: 'src/injected/screen-capture/chunk/index.ts',
        strings: ['shareStartTitle', 'shareStartText', 'shareStartButton', 'shareStartCancel'],
      },
    },
    tests: ['screen-capture'],
  },
  effects: {
    options: { label: 'optionsFeatureEffects', hint: 'optionsFeatureEffectsHint' },
    // One chunk per effect: a page that only isolates voices never loads the blur code.
    chunks: {
      voice: { entry: 'src/injected/effects/chunk/voice.ts', strings: [] },
      blur: { entry: 'src/injected/effects/chunk/blur-chunk.ts', strings: [] },
      /** powerEfficientPixelFormat's look at one camera frame (Chromium). */
      pixel: { entry: 'src/injected/effects/chunk/pixel.ts', strings: [] },
    },
    tests: ['effects', 'blur', 'effects-switch'],
  },
  'track-transfer': {
    options: { label: 'optionsFeatureTrackTransfer', hint: 'optionsFeatureTrackTransferHint' },
    chunks: { transfer: { entry: 'src/injected/track-transfer/chunk/index.ts', strings: [] } },
    tests: ['track-transfer'],
  },
} as const satisfies { readonly [F in Feature]: FeatureEntry };

/**
 * The chunks' names, for code that checks a name without needing the registry (the content script
 * validates every page request); the registry's chunks must be exactly these (a type error otherwise).
 */
export const CHUNK_NAMES = [
  'picker',
  'call-window',
  'usermedia-element',
  'voice',
  'blur',
  'pixel',
  'transfer',
  'share-start',
] as const;
export type ChunkName = (typeof CHUNK_NAMES)[number];
type ChunksOf<E> = E extends { chunks: infer C } ? C : never;
type KeysOf<T> = T extends unknown ? keyof T : never;
type RegistryChunk = KeysOf<ChunksOf<(typeof FEATURE_REGISTRY)[Feature]>>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type MustHold<T extends true> = T;
export type ChunkNamesMatchRegistry = MustHold<Same<RegistryChunk, ChunkName>>;

const chunkEntries = (): Record<ChunkName, ChunkEntry> => {
  const out: Record<string, ChunkEntry> = {};
  for (const f of FEATURES) {
    const entry: FeatureEntry = FEATURE_REGISTRY[f];
    for (const [name, chunk] of Object.entries(entry.chunks ?? {})) out[name] = chunk;
  }
  return out;
};
/** Every chunk of every feature, by chunk name. */
export const CHUNK_ENTRIES = /* @__PURE__ */ chunkEntries();
/** Where the build writes a chunk inside the extension. */
export const chunkFile = (name: string): string => `chunks/${name}.js`;
