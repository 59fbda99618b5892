// Wire format of transferable MediaStreamTracks between a page (injected/track-transfer) and
// MediaGate's code inside the page's dedicated workers (worker-realm/track-transfer). The worker
// runs the page's own code, so page and worker are one principal: nothing here is a secret, the
// keys only have to be unlikely in a page's own messages.

/** The first message a wrapped worker receives: `{[WORKER_CTL]: 1, shim?}` with the control port. */
export const WORKER_CTL = '__mediagate_worker_ctl';
/** Where the worker bootstrap leaves its helpers for the shim while the shim's code is evaluated. */
export const WORKER_HOOKS = '__mediagate_worker_hooks';
/** A message that carries tracks: `{[ENVELOPE]: 1, data, tracks}`; `data` holds stand-ins. */
export const ENVELOPE = '__mediagate_tracks';
/** A stand-in inside `data`: `{[STAND_IN]: index into tracks}`. */
export const STAND_IN = '__mediagate_track';

/** What the receiver needs to make its side of a transferred track. */
export interface WireTrack {
  id: string;
  kind: string;
  label: string;
  enabled: boolean;
  muted: boolean;
  readyState: MediaStreamTrackState;
  contentHint: string;
  settings: MediaTrackSettings;
  constraints: MediaTrackConstraints;
  capabilities: MediaTrackCapabilities;
  /** The control port of this track: the other end is held by whoever owns the source. */
  port: MessagePort;
  /**
   * "page": the page owns the source (a camera/microphone track, or one MediaGate made); `key` names
   * it there, so a track posted back to the page becomes the page's live track again.
   * "generator": a VideoTrackGenerator in a worker produces the frames.
   */
  origin: 'page' | 'generator';
  key: string;
}

export interface Envelope {
  [ENVELOPE]: 1;
  data: unknown;
  tracks: WireTrack[];
}

/** Control messages on a track's port, worker side -> owner (page). */
export type ToOwner =
  | { t: 'stop' }
  | { t: 'enabled'; v: boolean }
  | { t: 'apply'; id: number; c: unknown }
  | { t: 'clone'; port: MessagePort; id: string }
  | { t: 'frames'; id: number }
  | { t: 'cancel'; id: number }
  | { t: 'back' };

/** Owner (page) -> worker side. */
export type ToRemote =
  | {
      t: 'state';
      s: Partial<Omit<WireTrack, 'port' | 'origin' | 'key'>>;
      event?: 'mute' | 'unmute' | 'ended' | 'configurationchange';
    }
  | { t: 'applied'; id: number; error?: { name: string; message: string; constraint?: string } }
  | { t: 'readable'; id: number; readable: ReadableStream }
  | { t: 'frame'; id: number; frame: VideoFrame | AudioData }
  | { t: 'framesError'; id: number; name: string; message: string };

/** A VideoTrackGenerator's track that the page holds: worker -> page frames, page -> worker stop. */
export type GeneratorToPage = { t: 'frame'; frame: VideoFrame } | { t: 'muted'; v: boolean };
export type PageToGenerator = { t: 'stop' };

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * The built-ins swapIn and standInIndex use. The page's main world passes the core's captured ones
 * (a chunk runs after the page's scripts, which may have replaced the globals' methods: they would
 * receive MediaGate's callbacks); the worker's side, where the page's code and MediaGate's are one
 * principal, takes the globals.
 */
export interface SwapOps {
  /** What was copied already (cycles): a Map-like of MediaGate's own. */
  seen(): { get(k: object): unknown; set(k: object, v: unknown): void; has(k: object): boolean };
  isArray(v: unknown): v is unknown[];
  getPrototypeOf(v: object): object | null;
  defineProperty(o: object, k: PropertyKey, d: PropertyDescriptor): unknown;
  /** Own enumerable string keys (Object.keys). */
  keys(o: object): string[];
  isMap(v: object): v is Map<unknown, unknown>;
  isSet(v: object): v is Set<unknown>;
  newMap(): Map<unknown, unknown>;
  newSet(): Set<unknown>;
  mapEach(m: Map<unknown, unknown>, fn: (v: unknown, k: unknown) => void): void;
  setEach(s: Set<unknown>, fn: (v: unknown) => void): void;
  mapPut(m: Map<unknown, unknown>, k: unknown, v: unknown): void;
  setPut(s: Set<unknown>, v: unknown): void;
  objectPrototype: object;
}

/** The globals, read when called (the worker's side). */
export const globalSwapOps = (): SwapOps => ({
  seen: () => new Map<object, unknown>(),
  isArray: Array.isArray,
  getPrototypeOf: Object.getPrototypeOf,
  defineProperty: Object.defineProperty,
  keys: Object.keys,
  isMap: (v): v is Map<unknown, unknown> => v instanceof Map,
  isSet: (v): v is Set<unknown> => v instanceof Set,
  newMap: () => new Map(),
  newSet: () => new Set(),
  mapEach: (m, fn) => m.forEach(fn),
  setEach: (s, fn) => s.forEach((v) => fn(v)),
  mapPut: (m, k, v) => {
    m.set(k, v);
  },
  setPut: (s, v) => {
    s.add(v);
  },
  objectPrototype: Object.prototype,
});

/**
 * Copies the containers a structured clone keeps (arrays, plain objects, Map, Set), putting
 * `swap(x)` where it returns something; other objects travel as they are. Cycles are kept. Loops
 * only, and built-ins only through `ops`.
 */
export function swapIn(v: unknown, swap: (x: object) => unknown, ops: SwapOps = globalSwapOps()): unknown {
  return copy(v, swap, ops, ops.seen());
}

function copy(v: unknown, swap: (x: object) => unknown, ops: SwapOps, seen: ReturnType<SwapOps['seen']>): unknown {
  if (!isObject(v)) return v;
  const hit = swap(v);
  if (hit !== undefined) return hit;
  if (seen.has(v)) return seen.get(v);
  const proto = ops.getPrototypeOf(v);
  let out: any;
  if (ops.isArray(v)) {
    seen.set(v, (out = []));
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i], swap, ops, seen);
  } else if (ops.isMap(v)) {
    const m = ops.newMap();
    seen.set(v, (out = m));
    ops.mapEach(v, (x, k) => ops.mapPut(m, copy(k, swap, ops, seen), copy(x, swap, ops, seen)));
  } else if (ops.isSet(v)) {
    const s = ops.newSet();
    seen.set(v, (out = s));
    ops.setEach(v, (x) => ops.setPut(s, copy(x, swap, ops, seen)));
  } else if (proto === ops.objectPrototype || proto === null) {
    seen.set(v, (out = {}));
    const keys = ops.keys(v);
    // defineProperty: an own "__proto__" key (JSON.parse makes them) must stay a key.
    for (let i = 0; i < keys.length; i++)
      ops.defineProperty(out, keys[i]!, {
        value: copy((v as Record<string, unknown>)[keys[i]!], swap, ops, seen),
        writable: true,
        enumerable: true,
        configurable: true,
      });
  } else {
    return v;
  }
  return out;
}

/** The stand-in's index, if `x` is one. */
export const standInIndex = (x: object, ops: Pick<SwapOps, 'keys'> = Object): number | undefined => {
  const i = (x as Record<string, unknown>)[STAND_IN];
  return typeof i === 'number' && ops.keys(x).length === 1 ? i : undefined;
};
