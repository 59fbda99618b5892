// The chunk side of the core's captured built-ins (native.ts). A chunk runs after the page's scripts,
// so anything it captured itself could already be the page's: an Array.prototype.push the page
// replaced would receive MediaGate's arrays and whatever they hold, a Function.prototype.call the
// functions, an Object.prototype.then getter every object a promise resolves with. Chunks therefore
// import their built-ins from here, and these bindings are the core's, set by announceChunk
// (chunk-api.ts) before the chunk's start runs. Chunk modules do nothing at the top level but declare:
// before start, every binding here is undefined. (ESLint keeps chunks away from native.ts itself and
// from the global built-ins; the hostile e2e suite tampers with every prototype before each chunk.)
//
// What is derived here (map, filter, promiseAll, ...) is written with plain loops and the core's
// functions only, for the same reason.
import type { ChunkNatives as Natives } from './chunks';

export let apply: Natives['apply'];
export let construct: Natives['construct'];
export let getOwnPropertyDescriptor: Natives['getOwnPropertyDescriptor'];
export let defineProperty: Natives['defineProperty'];
export let getPrototypeOf: Natives['getPrototypeOf'];
export let setPrototypeOf: Natives['setPrototypeOf'];
export let ownKeys: Natives['ownKeys'];
export let freeze: Natives['freeze'];
export let create: Natives['create'];
export let hasOwn: Natives['hasOwn'];
export let promiseResolve: Natives['promiseResolve'];
export let promiseReject: Natives['promiseReject'];
export let then: Natives['then'];
export let newPromise: Natives['newPromise'];
export let sealed: Natives['sealed'];
export let NativeDOMException: Natives['NativeDOMException'];
export let NativeTypeError: Natives['NativeTypeError'];
export let NativeMessageChannel: Natives['NativeMessageChannel'];
export let SafeMap: Natives['SafeMap'];
export let SafeSet: Natives['SafeSet'];
export let SafeWeakMap: Natives['SafeWeakMap'];
export let SafeWeakSet: Natives['SafeWeakSet'];
export let push: Natives['push'];
export let slice: Natives['slice'];
export let isArray: Natives['isArray'];
export let strSlice: Natives['strSlice'];
export let strReplace: Natives['strReplace'];
export let startsWith: Natives['startsWith'];
export let endsWith: Natives['endsWith'];
export let strTrim: Natives['strTrim'];
export let strLower: Natives['strLower'];
export let parseJson: Natives['parseJson'];
export let toStringTag: Natives['toStringTag'];
export let inert: Natives['inert'];
export let own: Natives['own'];
export let nativeSetTimeout: Natives['nativeSetTimeout'];
export let nativeClearTimeout: Natives['nativeClearTimeout'];
export let nativeQueueMicrotask: Natives['nativeQueueMicrotask'];
export let now: Natives['now'];
export let addListener: Natives['addListener'];
export let removeListener: Natives['removeListener'];
export let postToPort: Natives['postToPort'];
export let postToWindow: Natives['postToWindow'];
export let startPort: Natives['startPort'];
export let stopImmediate: Natives['stopImmediate'];
export let streamTracks: Natives['streamTracks'];
export let stopTrack: Natives['stopTrack'];
export let trackKind: Natives['trackKind'];
export let endTrack: Natives['endTrack'];
export let NativeMap: Natives['NativeMap'];
export let NativeSet: Natives['NativeSet'];
export let mapEach: Natives['mapEach'];
export let setEach: Natives['setEach'];
export let mapPut: Natives['mapPut'];
export let setPut: Natives['setPut'];
export let dispatch: Natives['dispatch'];
export let postToPortWith: Natives['postToPortWith'];
export let NativeProxy: Natives['NativeProxy'];

/** Called by announceChunk with the core's set, before the chunk's start. */
export function useCoreNatives(n: Natives): void {
  ({
    apply,
    construct,
    getOwnPropertyDescriptor,
    defineProperty,
    getPrototypeOf,
    setPrototypeOf,
    ownKeys,
    freeze,
    create,
    hasOwn,
    promiseResolve,
    promiseReject,
    then,
    newPromise,
    sealed,
    NativeDOMException,
    NativeTypeError,
    NativeMessageChannel,
    SafeMap,
    SafeSet,
    SafeWeakMap,
    SafeWeakSet,
    push,
    slice,
    isArray,
    strSlice,
    strReplace,
    startsWith,
    endsWith,
    strTrim,
    strLower,
    parseJson,
    toStringTag,
    inert,
    own,
    nativeSetTimeout,
    nativeClearTimeout,
    nativeQueueMicrotask,
    now,
    addListener,
    removeListener,
    postToPort,
    postToWindow,
    startPort,
    stopImmediate,
    streamTracks,
    stopTrack,
    trackKind,
    endTrack,
    NativeMap,
    NativeSet,
    mapEach,
    setEach,
    mapPut,
    setPut,
    dispatch,
    postToPortWith,
    NativeProxy,
  } = n);
}

// ---- derived, with plain loops ------------------------------------------------------------------

export function map<T, U>(a: ArrayLike<T>, fn: (v: T, i: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < a.length; i++) out[i] = fn(a[i]!, i);
  return out;
}
export function filter<T>(a: ArrayLike<T>, fn: (v: T, i: number) => boolean): T[] {
  const out: T[] = [];
  for (let i = 0; i < a.length; i++) if (fn(a[i]!, i)) out[out.length] = a[i]!;
  return out;
}
export function some<T>(a: ArrayLike<T>, fn: (v: T, i: number) => boolean): boolean {
  for (let i = 0; i < a.length; i++) if (fn(a[i]!, i)) return true;
  return false;
}
export function every<T>(a: ArrayLike<T>, fn: (v: T, i: number) => boolean): boolean {
  for (let i = 0; i < a.length; i++) if (!fn(a[i]!, i)) return false;
  return true;
}
export function find<T>(a: ArrayLike<T>, fn: (v: T, i: number) => boolean): T | undefined {
  for (let i = 0; i < a.length; i++) if (fn(a[i]!, i)) return a[i];
  return undefined;
}
export function indexOf<T>(a: ArrayLike<T>, v: T): number {
  for (let i = 0; i < a.length; i++) if (a[i] === v) return i;
  return -1;
}
export function includes<T>(a: ArrayLike<T>, v: T): boolean {
  return indexOf(a, v) >= 0;
}
/** Removes the first `v` in place (what `splice(indexOf(v), 1)` does). */
export function remove<T>(a: T[], v: T): void {
  const i = indexOf(a, v);
  if (i < 0) return;
  for (let j = i; j < a.length - 1; j++) a[j] = a[j + 1]!;
  a.length--;
}
export function join(a: ArrayLike<unknown>, sep: string): string {
  let s = '';
  for (let i = 0; i < a.length; i++) s += (i ? sep : '') + (a[i] as string);
  return s;
}

/** Promise.all over the core's `then` (a page-replaced Promise.prototype.then never sees these promises). */
export function promiseAll<T>(ps: ArrayLike<T | Promise<T>>): Promise<Awaited<T>[]> {
  return newPromise<Awaited<T>[]>((resolve, reject) => {
    const out: Awaited<T>[] = [];
    let left = ps.length;
    if (!left) resolve(inert(out));
    for (let i = 0; i < ps.length; i++) {
      then(
        promiseResolve(ps[i]),
        (v) => {
          out[i] = v as Awaited<T>;
          if (--left === 0) resolve(inert(out));
        },
        reject,
      );
    }
  });
}
/** Promise.race, as promiseAll. */
export function promiseRace<T>(ps: ArrayLike<T | Promise<T>>): Promise<Awaited<T>> {
  return newPromise<Awaited<T>>((resolve, reject) => {
    for (let i = 0; i < ps.length; i++) then(promiseResolve(ps[i]), (v) => resolve(v as Awaited<T>), reject);
  });
}
/** `p.catch(fn)` */
export const caught = <T, U>(p: Promise<T>, fn: (e: unknown) => U | PromiseLike<U>): Promise<T | U> =>
  then<T, T | U>(p, (v) => v, fn);

/**
 * A built-in accessor's getter (setter), looked up on first use: chunk modules run nothing at the top
 * level, where the bindings above are not set yet. Called as the getter itself: apply(g, self, []).
 */
export function lazyGetter(proto: object, key: string): (this: unknown) => unknown {
  let g: (() => unknown) | undefined;
  return function (this: unknown) {
    return apply((g ??= getOwnPropertyDescriptor(proto, key)!.get!), this, []);
  };
}
export function lazySetter(proto: object, key: string): (this: unknown, v: unknown) => void {
  let s: ((v: unknown) => void) | undefined;
  return function (this: unknown, v: unknown) {
    apply((s ??= getOwnPropertyDescriptor(proto, key)!.set!), this, [v]);
  };
}
