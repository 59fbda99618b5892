// Pristine built-ins, captured when this module is evaluated: the injected bundle runs at
// document_start before any page script, so nothing here can have been tampered with yet.
// Everything the main world does after start-up goes through these, never through globals the
// page can replace later.

const R = Reflect;
export const apply = R.apply;
export const construct = R.construct;
export const getOwnPropertyDescriptor = R.getOwnPropertyDescriptor;
export const defineProperty = R.defineProperty;
export const getPrototypeOf = R.getPrototypeOf;
export const ownKeys = R.ownKeys;
export const setPrototypeOf = R.setPrototypeOf;

const O = Object;
export const freeze = O.freeze;
export const create = O.create;
export const hasOwn = O.hasOwn;
const ObjectPrototype = O.prototype;

const P = Promise;
export const NativePromise = P;
const promiseThen = P.prototype.then;
const promiseResolveFn = P.resolve;
const promiseRejectFn = P.reject;
export const promiseResolve = <T>(v: T): Promise<Awaited<T>> => apply(promiseResolveFn, P, [v]) as Promise<Awaited<T>>;
export const promiseReject = <T = never>(e: unknown): Promise<T> => apply(promiseRejectFn, P, [e]);
export const then = <T, U>(
  p: Promise<T>,
  onOk: (v: T) => U | PromiseLike<U>,
  onErr?: (e: unknown) => U | PromiseLike<U>,
): Promise<U> => apply(promiseThen, p, [onOk, onErr]) as Promise<U>;
export function newPromise<T>(executor: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T> {
  return construct(P, [executor]) as Promise<T>;
}
/**
 * Makes a promise that stays inside MediaGate answer the lookups that chaining and resolving make
 * (`then` when a promise resolves with it, `constructor` when it is chained) with its own pristine
 * values, before the page's Promise.prototype. Never for a promise the page receives: libraries such
 * as zone.js patch Promise.prototype.then and expect the browser's promises to use it.
 */
export function sealed<T>(p: Promise<T>): Promise<T> {
  defineProperty(p, 'then', { value: promiseThen });
  defineProperty(p, 'constructor', { value: P });
  return p;
}

export const NativeMap = Map;
export const NativeSet = Set;
export const NativeWeakMap = WeakMap;
export const NativeWeakSet = WeakSet;
export const NativeProxy = Proxy;
export const NativeMessageChannel = MessageChannel;
export const NativeDOMException = DOMException;
export const NativeTypeError = TypeError;
export const NativeError = Error;

const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapDelete = Map.prototype.delete;
const mapHas = Map.prototype.has;
const mapForEach = Map.prototype.forEach;
const mapSizeGet = getOwnPropertyDescriptor(Map.prototype, 'size')!.get!;
const weakMapGet = WeakMap.prototype.get;
const weakMapSet = WeakMap.prototype.set;
const weakMapHas = WeakMap.prototype.has;
const weakMapDelete = WeakMap.prototype.delete;
const arrayPush = Array.prototype.push;
const arraySlice = Array.prototype.slice;
const arrayIsArray = Array.isArray;
const stringSlice = String.prototype.slice;
const stringStartsWith = String.prototype.startsWith;
const stringReplace = String.prototype.replace;
export const strReplace = (s: string, a: string, b: string): string => apply(stringReplace, s, [a, b]) as string;

/** Map/WeakMap wrappers that call the captured prototype methods, immune to later prototype edits. */
export class SafeMap<K, V> {
  private readonly m = new NativeMap<K, V>();
  get(k: K): V | undefined {
    return apply(mapGet, this.m, [k]) as V | undefined;
  }
  set(k: K, v: V): void {
    apply(mapSet, this.m, [k, v]);
  }
  has(k: K): boolean {
    return apply(mapHas, this.m, [k]) as boolean;
  }
  delete(k: K): boolean {
    return apply(mapDelete, this.m, [k]) as boolean;
  }
  get size(): number {
    return apply(mapSizeGet, this.m, []) as number;
  }
  /** Snapshot of the values; iteration protocols are page-tamperable, so copy through forEach. */
  values(): V[] {
    const out: V[] = [];
    apply(mapForEach, this.m, [
      (v: V) => {
        apply(arrayPush, out, [v]);
      },
    ]);
    return out;
  }
  keys(): K[] {
    const out: K[] = [];
    apply(mapForEach, this.m, [
      (_: V, k: K) => {
        apply(arrayPush, out, [k]);
      },
    ]);
    return out;
  }
}
export class SafeWeakMap<K extends object, V> {
  private readonly m = new NativeWeakMap<K, V>();
  get(k: K): V | undefined {
    return apply(weakMapGet, this.m, [k]) as V | undefined;
  }
  set(k: K, v: V): void {
    apply(weakMapSet, this.m, [k, v]);
  }
  has(k: K): boolean {
    return apply(weakMapHas, this.m, [k]) as boolean;
  }
  delete(k: K): boolean {
    return apply(weakMapDelete, this.m, [k]) as boolean;
  }
}

const weakSetAdd = WeakSet.prototype.add;
const weakSetHas = WeakSet.prototype.has;
const weakSetDelete = WeakSet.prototype.delete;
export class SafeWeakSet {
  private readonly s = new NativeWeakSet<object>();
  add(v: object): void {
    apply(weakSetAdd, this.s, [v]);
  }
  has(v: object): boolean {
    return apply(weakSetHas, this.s, [v]) as boolean;
  }
  delete(v: object): boolean {
    return apply(weakSetDelete, this.s, [v]) as boolean;
  }
}

const setAdd = Set.prototype.add;
const setHas = Set.prototype.has;
const setDelete = Set.prototype.delete;
const setForEach = Set.prototype.forEach;
const setSizeGet = getOwnPropertyDescriptor(Set.prototype, 'size')!.get!;
export class SafeSet<V> {
  private readonly s = new NativeSet<V>();
  add(v: V): void {
    apply(setAdd, this.s, [v]);
  }
  has(v: V): boolean {
    return apply(setHas, this.s, [v]) as boolean;
  }
  delete(v: V): boolean {
    return apply(setDelete, this.s, [v]) as boolean;
  }
  get size(): number {
    return apply(setSizeGet, this.s, []) as number;
  }
  /** Snapshot, as SafeMap.values. */
  values(): V[] {
    const out: V[] = [];
    apply(setForEach, this.s, [
      (v: V) => {
        apply(arrayPush, out, [v]);
      },
    ]);
    return out;
  }
}

export const push = <T>(arr: T[], v: T): void => {
  apply(arrayPush, arr, [v]);
};
export const slice = <T>(arr: ArrayLike<T>, start?: number, end?: number): T[] =>
  apply(arraySlice, arr, [start, end]) as T[];
export const isArray = arrayIsArray;
const stringTrim = String.prototype.trim;
const stringToLowerCase = String.prototype.toLowerCase;
const stringEndsWith = String.prototype.endsWith;
export const strTrim = (s: string): string => apply(stringTrim, s, []) as string;
export const strLower = (s: string): string => apply(stringToLowerCase, s, []) as string;
export const endsWith = (s: string, p: string): boolean => apply(stringEndsWith, s, [p]) as boolean;
const jsonParse = JSON.parse;
export const parseJson = (text: string): unknown => apply(jsonParse, JSON, [text]);
export const toStringTag = Symbol.toStringTag;
export const strSlice = (s: string, a: number, b?: number): string => apply(stringSlice, s, [a, b]) as string;
export const startsWith = (s: string, p: string): boolean => apply(stringStartsWith, s, [p]) as boolean;

// Read with the pristine getter at the page's call: the page cannot claim an activation it did not have.
const activationGet =
  typeof UserActivation === 'function'
    ? getOwnPropertyDescriptor(UserActivation.prototype, 'isActive')?.get
    : undefined;
const userActivation = typeof navigator.userActivation === 'object' ? navigator.userActivation : undefined;
/**
 * Whether the page has transient user activation now (a window MediaGate opens for a call without
 * one does not take the keyboard). Without the API (never in the supported browsers): true.
 */
export const hasActivation = (): boolean => {
  try {
    return !activationGet || !userActivation || (apply(activationGet, userActivation, []) as boolean);
  } catch {
    return true;
  }
};

/**
 * Makes an object MediaGate resolves a promise with (or returns from an async function) unseen by the
 * page: resolving reads `then`, and a page getter on Object.prototype.then (or Array.prototype.then)
 * would receive the object. An own `then` that is undefined answers that read before the prototypes.
 */
export function inert<T extends object>(o: T): T {
  defineProperty(o, 'then', { value: undefined, writable: false, enumerable: false, configurable: false });
  return o;
}

/**
 * Data that came over the bridge, made the page's prototypes' business no more: every plain object
 * gets a null prototype (a missing field reads undefined, never a getter the page put on
 * Object.prototype), every array an own undefined `then`. In place: the structured clone is ours.
 */
export function detachData<T>(v: T, depth = 0): T {
  if (v === null || typeof v !== 'object' || depth > 32) return v;
  if (isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = detachData(v[i], depth + 1);
    return inert(v) as T;
  }
  if (getPrototypeOf(v) !== ObjectPrototype) return v; // a MessagePort, an ArrayBuffer: not data
  const keys = ownKeys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    (v as Record<PropertyKey, unknown>)[k] = detachData((v as Record<PropertyKey, unknown>)[k], depth + 1);
  }
  setPrototypeOf(v, null);
  return v;
}

/**
 * Reads an own data property only: page-installed getters on Object.prototype never run. A page's
 * revoked Proxy (or one whose getOwnPropertyDescriptor trap throws) reads as undefined instead of
 * throwing synchronously out of a patched function (getUserMedia must reject, never throw): the
 * browser's own call then meets the same object and rejects the way it always does.
 */
export function own(obj: unknown, key: PropertyKey): unknown {
  if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return undefined;
  try {
    const d = getOwnPropertyDescriptor(obj as object, key);
    return d && hasOwn(d, 'value') ? d.value : undefined;
  } catch {
    return undefined;
  }
}

const windowPostMessage = window.postMessage;
const windowAddEventListener = EventTarget.prototype.addEventListener;
const windowRemoveEventListener = EventTarget.prototype.removeEventListener;
const portPostMessage = MessagePort.prototype.postMessage;
const portStart = MessagePort.prototype.start;
const eventStopImmediatePropagation = Event.prototype.stopImmediatePropagation;
const setTimeoutFn = setTimeout;
const queueMicrotaskFn = queueMicrotask;
const clearTimeoutFn = clearTimeout;
const performanceNow = performance.now;
const perf = performance;
export const nativeSetTimeout = (fn: () => void, ms: number): number =>
  apply(setTimeoutFn, window, [fn, ms]) as unknown as number;
export const nativeQueueMicrotask = (fn: () => void): void => {
  apply(queueMicrotaskFn, window, [fn]);
};
export const nativeClearTimeout = (id: number): void => {
  apply(clearTimeoutFn, window, [id]);
};
export const now = (): number => apply(performanceNow, perf, []) as number;
/** `untrusted`: Firefox's non-standard 4th argument (wantsUntrusted), so script-dispatched events reach the listener there too. */
export const addListener = (
  target: EventTarget,
  type: string,
  fn: (e: Event) => void,
  capture = false,
  untrusted?: boolean,
): void => {
  apply(windowAddEventListener, target, [type, fn, capture, untrusted]);
};
export const removeListener = (target: EventTarget, type: string, fn: (e: Event) => void, capture = false): void => {
  apply(windowRemoveEventListener, target, [type, fn, capture]);
};
export const postToWindow = (w: Window, data: unknown, transfer: Transferable[]): void => {
  apply(windowPostMessage, w, [data, '*', transfer]);
};
export const postToPort = (port: MessagePort, data: unknown): void => {
  apply(portPostMessage, port, [data]);
};
export const startPort = (port: MessagePort): void => {
  apply(portStart, port, []);
};
export const stopImmediate = (e: Event): void => {
  apply(eventStopImmediatePropagation, e, []);
};

// Tracks, shared by the features that capture (one copy each keeps the bundle small).
const streamGetTracks = MediaStream.prototype.getTracks;
const trackStopFn = MediaStreamTrack.prototype.stop;
const dispatchEventFn = EventTarget.prototype.dispatchEvent;
const NativeEvent = Event;
export const streamTracks = (s: MediaStream): MediaStreamTrack[] => apply(streamGetTracks, s, []) as MediaStreamTrack[];
export const stopTrack = (t: MediaStreamTrack): void => {
  apply(trackStopFn, t, []);
};
const trackKindGet = getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'kind')!.get!;
/** A track's kind; throws the browser's own TypeError for anything but a track. */
export const trackKind = (t: unknown): 'audio' | 'video' => apply(trackKindGet, t, []) as 'audio' | 'video';
/**
 * Stops a track the way an unplugged device or the browser's own "Stop sharing" does: the page sees
 * `ended`. (Firefox delivers a script-dispatched "ended" to onended only, not to added listeners.)
 */
export const endTrack = (t: MediaStreamTrack): void => {
  stopTrack(t);
  apply(dispatchEventFn, t, [new NativeEvent('ended')]);
};

// For chunks that copy the page's own Map and Set data (track transfer): iterated and filled with the
// pristine methods, so no callback or copy of MediaGate's passes through the page's prototypes.
const mapSetFn = Map.prototype.set;
export const mapEach = <K, V>(m: Map<K, V>, fn: (v: V, k: K) => void): void => {
  apply(mapForEach, m, [fn]);
};
export const setEach = <V>(s: Set<V>, fn: (v: V) => void): void => {
  apply(setForEach, s, [fn]);
};
export const mapPut = <K, V>(m: Map<K, V>, k: K, v: V): void => {
  apply(mapSetFn, m, [k, v]);
};
export const setPut = <V>(s: Set<V>, v: V): void => {
  apply(setAdd, s, [v]);
};
/** Fires a plain Event of `type` at `target` (effects: `ended`, `mute`, `configurationchange`). */
export const dispatch = (target: EventTarget, type: string): boolean =>
  apply(dispatchEventFn, target, [new NativeEvent(type)]) as boolean;
/** postMessage on a MessagePort with a transfer list (the blur's frames to MediaGate's segmenter frame). */
export const postToPortWith = (port: MessagePort, data: unknown, transfer: Transferable[]): void => {
  apply(portPostMessage, port, [data, transfer]);
};
