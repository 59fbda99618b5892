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
 * Copies the containers a structured clone keeps (arrays, plain objects, Map, Set), putting
 * `swap(x)` where it returns something; other objects travel as they are. Cycles are kept.
 */
export function swapIn(v: unknown, swap: (x: object) => unknown, seen = new Map<object, unknown>()): unknown {
  if (!isObject(v)) return v;
  const hit = swap(v);
  if (hit !== undefined) return hit;
  if (seen.has(v)) return seen.get(v);
  const proto = Object.getPrototypeOf(v);
  let out: any;
  if (Array.isArray(v)) {
    seen.set(v, (out = []));
    for (let i = 0; i < v.length; i++) out[i] = swapIn(v[i], swap, seen);
  } else if (v instanceof Map) {
    seen.set(v, (out = new Map()));
    v.forEach((x, k) => out.set(swapIn(k, swap, seen), swapIn(x, swap, seen)));
  } else if (v instanceof Set) {
    seen.set(v, (out = new Set()));
    v.forEach((x) => out.add(swapIn(x, swap, seen)));
  } else if (proto === Object.prototype || proto === null) {
    seen.set(v, (out = {}));
    // defineProperty: an own "__proto__" key (JSON.parse makes them) must stay a key.
    for (const k of Object.keys(v))
      Object.defineProperty(out, k, {
        value: swapIn((v as Record<string, unknown>)[k], swap, seen),
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
export const standInIndex = (x: object): number | undefined => {
  const i = (x as Record<string, unknown>)[STAND_IN];
  return typeof i === 'number' && Object.keys(x).length === 1 ? i : undefined;
};
