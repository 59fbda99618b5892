// The one way MediaGate changes what a page sees: patch() and friends, and the Function.prototype.toString
// mask that makes every patched or added function print as native. Importing this module installs the
// mask, so only the core bundle (injected/index.ts) imports it; lazily loaded chunks receive these
// functions from the core (chunks.ts) instead of installing a second mask.
import {
  apply,
  construct,
  getOwnPropertyDescriptor,
  defineProperty,
  getPrototypeOf,
  own,
  NativeProxy,
  SafeWeakMap,
  strReplace,
} from './native';

// ---- patch(): the one way MediaGate replaces a page-visible function --------------------------

const FunctionPrototype = Function.prototype;
const nativeToString = FunctionPrototype.toString;
/** patched function (Proxy) -> the original it stands for, for Function.prototype.toString */
const masks = new SafeWeakMap<object, object | string>();

/**
 * Finds the realm's Function.prototype of a function from another same-origin realm (a frame),
 * so toString of that realm's patched functions can be answered by that realm's own mask table.
 */
function realmFunctionPrototype(fn: object): object | null {
  let proto: unknown = getPrototypeOf(fn);
  for (let i = 0; i < 64 && typeof proto === 'function'; i++) {
    const up: unknown = getPrototypeOf(proto);
    if (typeof up !== 'function') return proto as object;
    proto = up;
  }
  return null;
}

const toStringProxy: (this: unknown) => string = new NativeProxy(nativeToString, {
  apply(target, thisArg: unknown, args: unknown[]) {
    let original = typeof thisArg === 'function' ? masks.get(thisArg) : undefined;
    // Patches may stack (two features over one function): follow the chain to the native one.
    for (let i = 0; i < 16 && original && typeof original !== 'string' && masks.has(original); i++)
      original = masks.get(original);
    if (typeof original === 'string') return original;
    if (original) return apply(target, original, args);
    if (typeof thisArg === 'function') {
      const fp = realmFunctionPrototype(thisArg);
      if (fp && fp !== FunctionPrototype) {
        // A function of another realm: that realm's toString (patched by MediaGate's instance there,
        // if any) knows its own patched functions.
        const foreign = own(fp, 'toString');
        if (typeof foreign === 'function' && foreign !== toStringProxy) return apply(foreign, thisArg, args);
      }
    }
    return apply(target, thisArg, args);
  },
});
masks.set(toStringProxy, nativeToString);
defineProperty(FunctionPrototype, 'toString', {
  ...getOwnPropertyDescriptor(FunctionPrototype, 'toString'),
  value: toStringProxy,
});

/**
 * `retired`: a newer MediaGate instance took over this page (after an update or reload), for good.
 * Standing by: this instance is that newer one, waiting for the previous one to prove it and hand
 * over. Either way every patch of this instance passes straight through (see handoff.ts).
 */
let retired = false;
let standingBy = false;
export const retire = (): void => {
  retired = true;
};
export const standBy = (): void => {
  standingBy = true;
};
export const activate = (): void => {
  standingBy = false;
};
export const isRetired = (): boolean => retired || standingBy;

export type Wrapper<F extends (...a: any[]) => any> = (
  original: F,
  thisArg: ThisParameterType<F>,
  args: Parameters<F>,
) => ReturnType<F>;

/**
 * Replaces `owner[key]` by a Proxy over the original whose apply runs `wrapper`. Name, length,
 * descriptor flags, prototype and toString (from any realm MediaGate runs in) stay the original's.
 * Returns the original, or null when there is nothing to patch.
 */
export function patch<F extends (...a: any[]) => any>(owner: object, key: PropertyKey, wrapper: Wrapper<F>): F | null {
  const desc = getOwnPropertyDescriptor(owner, key);
  if (!desc || typeof desc.value !== 'function') return null;
  const original = desc.value as F;
  const proxy = new NativeProxy(original, {
    apply(target, thisArg, args) {
      if (retired || standingBy) return apply(target, thisArg, args);
      return wrapper(target, thisArg as ThisParameterType<F>, args as Parameters<F>);
    },
  });
  masks.set(proxy, original);
  defineProperty(owner, key, { ...desc, value: proxy });
  return original;
}

/**
 * Like patch(), for a constructor (e.g. Worker): `wrapper` gets the original, the arguments and
 * new.target. Calling without `new` still throws natively, and `prototype.constructor` points to the
 * patched function, as it did to the original.
 */
export function patchConstructor(
  owner: object,
  key: PropertyKey,
  wrapper: (original: any, args: any[], newTarget: any) => object,
): void {
  const desc = getOwnPropertyDescriptor(owner, key);
  if (!desc || typeof desc.value !== 'function') return;
  const original = desc.value;
  const proxy: any = new NativeProxy(original, {
    construct(target, args, newTarget) {
      const nt = newTarget === proxy ? target : newTarget;
      return retired || standingBy ? construct(target, args, nt) : wrapper(target, args, nt);
    },
  });
  masks.set(proxy, original);
  defineProperty(owner, key, { ...desc, value: proxy });
  const protoCtor = getOwnPropertyDescriptor(original.prototype, 'constructor');
  if (protoCtor && protoCtor.value === original)
    defineProperty(original.prototype, 'constructor', { ...protoCtor, value: proxy });
}

/** Like patch(), for the getter of an accessor property (e.g. MediaDeviceInfo.prototype.label). */
export function patchGetter<T>(
  owner: object,
  key: PropertyKey,
  wrapper: (original: () => T, thisArg: unknown) => T,
): (() => T) | null {
  const desc = getOwnPropertyDescriptor(owner, key);
  if (!desc || typeof desc.get !== 'function') return null;
  const original = desc.get as () => T;
  const proxy = new NativeProxy(original, {
    apply(target, thisArg) {
      if (retired || standingBy) return apply(target, thisArg, []);
      return wrapper(target, thisArg);
    },
  });
  masks.set(proxy, original);
  defineProperty(owner, key, { ...desc, get: proxy });
  return original;
}

/** Like patchGetter(), for the setter (e.g. MediaStreamTrack.prototype.enabled). */
export function patchSetter<T>(
  owner: object,
  key: PropertyKey,
  wrapper: (original: (v: T) => void, thisArg: unknown, value: T) => void,
): ((v: T) => void) | null {
  const desc = getOwnPropertyDescriptor(owner, key);
  if (!desc || typeof desc.set !== 'function') return null;
  const original = desc.set as (v: T) => void;
  const proxy = new NativeProxy(original, {
    apply(target, thisArg, args: [T]) {
      // Without an argument the native setter's own TypeError.
      if (retired || standingBy || args.length < 1) return apply(target, thisArg, args);
      return wrapper(target, thisArg, args[0]);
    },
  });
  masks.set(proxy, original);
  defineProperty(owner, key, { ...desc, set: proxy });
  return original;
}

/**
 * Defines a native-looking accessor on a prototype, e.g. MediaDevices.defaultSemantics: getter named
 * "get <key>" (setter "set <key>", length 1), printed by toString exactly as this browser prints
 * native accessors.
 */
export function defineGetter(
  owner: object,
  key: string,
  get: (this: any) => unknown,
  enumerable = true,
  set?: (this: any, v: unknown) => void,
): void {
  const holder = {
    get [key](): unknown {
      return apply(get, this, []);
    },
    set [key](v: unknown) {
      if (set) apply(set, this, [v]);
    },
  };
  const d = getOwnPropertyDescriptor(holder, key)!;
  const getter = new NativeProxy(d.get!, {});
  masks.set(getter, nativeSource(`get ${key}`));
  let setter: ((v: unknown) => void) | undefined;
  if (set) {
    setter = new NativeProxy(d.set!, {});
    masks.set(setter, nativeSource(`set ${key}`));
  }
  defineProperty(owner, key, { get: getter, set: setter, enumerable, configurable: true });
}

/** This browser's native-function source text for `name` (V8 and SpiderMonkey format it differently). */
function nativeSource(name: string): string {
  const sample = apply(nativeToString, Object.prototype.hasOwnProperty, []) as string;
  return strReplace(sample, 'hasOwnProperty', name);
}

/**
 * Adds a method the browser lacks (e.g. MediaSession.setMicrophoneActive in Firefox) so that it looks
 * like the browser's own: non-enumerable, not a constructor, native name/length/toString.
 */
export function defineMethod(
  owner: object,
  key: string,
  impl: (this: any, ...args: any[]) => unknown,
  length: number,
): void {
  const holder = {
    [key](this: unknown, ...args: unknown[]): unknown {
      return apply(impl, this, args);
    },
  };
  const method = getOwnPropertyDescriptor(holder, key)!.value as object;
  defineProperty(method, 'length', { value: length, configurable: true });
  masks.set(method, nativeSource(key));
  defineProperty(owner, key, { value: method, writable: true, enumerable: true, configurable: true });
}

/** Makes `fn` print as this browser's native function `name` (for what chunks define, see chunk-api.ts). */
export function maskAsNative(fn: object, name: string): void {
  masks.set(fn, nativeSource(name));
}
