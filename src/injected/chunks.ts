// Core side of lazily loaded main-world chunks. The background injects the chunk's bundle into this
// frame; the bundle hands over its announcement (name and start function) with a plain assignment to
// `document[<name fixed per MediaGate version>]`, and the core calls start with the ChunkApi once the
// background confirms the load. The ChunkApi holds the bridge: it must never reach a start function
// the page made up.
// - The name is an accessor the core defines on document when the frame's first chunk is asked for:
//   non-configurable, so no page script can replace it, see what is assigned or stop the assignment
//   (an assignment uses no built-in a page could have swapped). A page that took the name first makes
//   every chunk load fail: the feature keeps the browser's own behaviour.
// - Announcements count only while the core waits for that chunk's load, and exactly one must arrive:
//   a page that assigns its own (before, during or after the real one) makes the load fail, and the
//   feature falls back to the browser's own behaviour, which the page could have had anyway.
import * as N from './native';
import { create, defineProperty, freeze, inert, newPromise, own, SafeMap, setPrototypeOf, then } from './native';
import { defineGetter, defineMethod, maskAsNative, patch, patchGetter, isRetired } from './patch';
import type { Bridge } from './bridge';
import type { CallState } from './call-state';
import type { ChunkAnnouncement, ChunkApi } from './chunk-api';
import type { ChunkName } from '../shared/chunks';

/** Per chunk being loaded: the announcements seen since the load was asked for. */
const waiting = new SafeMap<string, { start: ChunkAnnouncement['start'] | null; count: number }>();
const loads = new SafeMap<string, Promise<Loaded<unknown> | null>>();

function receive(detail: unknown): void {
  const name = own(detail, 'name');
  if (typeof name !== 'string' || isRetired()) return;
  const slot = waiting.get(name);
  if (!slot) return; // nothing asked for: ignore (and a later real one is still awaited)
  slot.count++;
  const start = own(detail, 'start');
  slot.start = slot.count === 1 && typeof start === 'function' ? (start as ChunkAnnouncement['start']) : null;
}

let accessor: boolean | undefined;
/** Defined on first use only: pages that never load a chunk get no new property. */
function announcementAccessor(): boolean {
  if (accessor === undefined) {
    maskAsNative(receive, `set ${__CHUNK_EVENT__}`);
    accessor = defineProperty(document, __CHUNK_EVENT__, { set: receive, configurable: false, enumerable: false });
  }
  return accessor;
}

/**
 * The core's captured built-ins a chunk uses (chunk-natives.ts is the chunk's side): a chunk runs after
 * the page's scripts, so what it captured itself could be the page's.
 */
function chunkNatives() {
  const n = {
    apply: N.apply,
    construct: N.construct,
    getOwnPropertyDescriptor: N.getOwnPropertyDescriptor,
    defineProperty: N.defineProperty,
    getPrototypeOf: N.getPrototypeOf,
    setPrototypeOf: N.setPrototypeOf,
    ownKeys: N.ownKeys,
    freeze: N.freeze,
    create: N.create,
    hasOwn: N.hasOwn,
    promiseResolve: N.promiseResolve,
    promiseReject: N.promiseReject,
    then: N.then,
    newPromise: N.newPromise,
    sealed: N.sealed,
    NativeDOMException: N.NativeDOMException,
    NativeTypeError: N.NativeTypeError,
    NativeMessageChannel: N.NativeMessageChannel,
    SafeMap: N.SafeMap,
    SafeSet: N.SafeSet,
    SafeWeakMap: N.SafeWeakMap,
    SafeWeakSet: N.SafeWeakSet,
    push: N.push,
    slice: N.slice,
    isArray: N.isArray,
    strSlice: N.strSlice,
    strReplace: N.strReplace,
    startsWith: N.startsWith,
    endsWith: N.endsWith,
    strTrim: N.strTrim,
    strLower: N.strLower,
    parseJson: N.parseJson,
    toStringTag: N.toStringTag,
    inert: N.inert,
    own: N.own,
    nativeSetTimeout: N.nativeSetTimeout,
    nativeClearTimeout: N.nativeClearTimeout,
    nativeQueueMicrotask: N.nativeQueueMicrotask,
    now: N.now,
    addListener: N.addListener,
    removeListener: N.removeListener,
    postToPort: N.postToPort,
    postToWindow: N.postToWindow,
    startPort: N.startPort,
    stopImmediate: N.stopImmediate,
    streamTracks: N.streamTracks,
    stopTrack: N.stopTrack,
    trackKind: N.trackKind,
    endTrack: N.endTrack,
    NativeMap: N.NativeMap,
    NativeSet: N.NativeSet,
    mapEach: N.mapEach,
    setEach: N.setEach,
    mapPut: N.mapPut,
    setPut: N.setPut,
    dispatch: N.dispatch,
    postToPortWith: N.postToPortWith,
    NativeProxy: N.NativeProxy,
  };
  setPrototypeOf(n, null);
  return freeze(n);
}
export type ChunkNatives = ReturnType<typeof chunkNatives>;

/** A started chunk: what its start function returned. */
export interface Loaded<T> {
  exports: T;
}

/**
 * Loads a chunk once per frame and starts it; every later call gets the same answer (the first
 * call's `feature` is the one handed over). Resolves null when it cannot be loaded (MediaGate gone,
 * frame not scriptable, announcement forged): the caller then leaves the browser's own behaviour in
 * place.
 */
export function loadChunk<T = unknown>(
  name: ChunkName,
  bridge: Bridge,
  calls: CallState,
  enabled: () => boolean,
  feature: unknown,
): Promise<Loaded<T> | null> {
  const existing = loads.get(name);
  if (existing) return existing as Promise<Loaded<T> | null>;
  if (!announcementAccessor()) return newPromise((resolve) => resolve(null));
  const slot = { start: null as ChunkAnnouncement['start'] | null, count: 0 };
  waiting.set(name, slot);
  const load = then(
    bridge.request('chunk/load', { name }, 10_000),
    (strings): Loaded<T> | null => {
      waiting.delete(name);
      const start = slot.count === 1 ? slot.start : null;
      if (!start) return null;
      // Null prototype: a member the chunk does not have reads undefined, never a getter of the page's.
      const api: ChunkApi = create(null);
      api.bridge = bridge;
      api.calls = calls;
      api.strings = strings;
      api.enabled = enabled;
      api.patch = patch;
      api.patchGetter = patchGetter;
      api.defineGetter = defineGetter;
      api.defineMethod = defineMethod;
      api.maskAsNative = maskAsNative;
      api.feature = feature;
      api.natives = chunkNatives();
      let exports: T;
      try {
        exports = start(freeze(api)) as T;
      } catch {
        return null; // the feature keeps the browser's own behaviour
      }
      // Resolving reads `then`: a page getter on Object.prototype.then must not receive the chunk's exports.
      if (exports !== null && typeof exports === 'object') {
        try {
          inert(exports);
        } catch {
          /* frozen: its own then, if any, is MediaGate's */
        }
      }
      return inert({ exports });
    },
    () => {
      waiting.delete(name);
      return null;
    },
  );
  loads.set(name, load);
  return load;
}
