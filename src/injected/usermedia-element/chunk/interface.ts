// The page-visible HTMLUserMediaElement interface. Firefox has none: MediaGate defines it (illegal
// constructor, accessors on the prototype, native-looking) and upgrades each HTMLUnknownElement
// <usermedia> by switching its prototype; the tag has no hyphen, so customElements cannot take it.
// Chromium has a minimal native one: MediaGate adds only the members it lacks.
import { defineInterface, type ChunkApi } from '../../chunk-api';
import type { Controller, Mode } from './controller';

/** Events with an on<type> property; the first three are what Chromium's native element lacks. */
export const ADDED_EVENTS = ['streamready', 'userchangedenabled', 'validationstatuschange'];
export const NATIVE_EVENTS = ['stream', 'error', 'cancel'];

type Lookup = (el: unknown) => Controller | undefined;

/** Properties a page may have set on the element before MediaGate upgraded it. */
export const UPGRADED_PROPS = [
  'stream',
  'enabled',
  'autostart',
  ...[...ADDED_EVENTS, ...NATIVE_EVENTS].map((t) => `on${t}`),
];

export function defineUserMediaInterface(
  mode: Mode,
  api: ChunkApi,
  lookup: Lookup,
  nativeStream: ((el: Element) => MediaStream | null) | null,
): object {
  const w = window as unknown as { HTMLUserMediaElement?: { prototype: object } };
  const iface = mode === 'native' ? w.HTMLUserMediaElement! : defineInterface(api, 'HTMLUserMediaElement', HTMLElement);
  const proto = iface.prototype;
  const illegal = (): never => {
    throw new TypeError('Illegal invocation');
  };
  /** Native mode keeps working for elements MediaGate has not seen yet (not in a document). */
  const need = (self: unknown): Controller | undefined => {
    const c = lookup(self);
    if (!c && !(mode === 'native' && self instanceof (iface as unknown as typeof HTMLElement))) illegal();
    return c;
  };
  const accessor = (
    key: string,
    get: (c: Controller | undefined, self: HTMLElement) => unknown,
    set?: (c: Controller | undefined, self: HTMLElement, v: unknown) => void,
  ): void => {
    api.defineGetter(
      proto,
      key,
      function (this: HTMLElement) {
        return get(need(this), this);
      },
      true,
      set
        ? function (this: HTMLElement, v: unknown) {
            set(need(this), this, v);
          }
        : undefined,
    );
  };

  if (mode === 'polyfill') {
    Object.defineProperty(window, 'HTMLUserMediaElement', {
      value: iface,
      writable: true,
      enumerable: false,
      configurable: true,
    });
    Object.defineProperty(proto, Symbol.toStringTag, { value: 'HTMLUserMediaElement', configurable: true });
    api.defineMethod(
      proto,
      'setConstraints',
      function (this: HTMLElement, value: unknown) {
        need(this)?.setConstraints(value);
      },
      1,
    );
  } else {
    // Chromium's setConstraints also gives MediaGate the element's type.
    api.patch<(c?: object) => void>(proto, 'setConstraints', (original, self, args) => {
      const r = Reflect.apply(original, self, args);
      lookup(self)?.setConstraints(args[0]);
      return r;
    });
  }
  // Native mode: MediaGate's own refusals (a site blocked in MediaGate) show next to the browser's errors.
  const nativeError = mode === 'native' ? Object.getOwnPropertyDescriptor(proto, 'error')?.get : undefined;
  accessor('error', (c, self) => c?.error ?? (nativeError ? Reflect.apply(nativeError, self, []) : null));
  accessor(
    'stream',
    (c, self) => (c ? c.stream() : (nativeStream?.(self) ?? null)),
    (c, _self, v) => c?.setStream(v),
  );
  accessor(
    'enabled',
    (c) => c?.enabled ?? false,
    (c, _self, v) => {
      if (c) c.enabled = !!v;
    },
  );
  accessor(
    'autostart',
    (_c, self) => self.hasAttribute('autostart'),
    (_c, self, v) => {
      self.toggleAttribute('autostart', !!v);
    },
  );
  accessor('isValid', (c) => c?.isValid ?? false);
  accessor('invalidReason', (c) => c?.invalidReason ?? '');
  const handlerEvents = mode === 'native' ? ADDED_EVENTS : [...ADDED_EVENTS, ...NATIVE_EVENTS];
  for (const type of handlerEvents) {
    accessor(
      `on${type}`,
      (c) => c?.handlers.get(type) ?? null,
      (c, _self, v) => {
        c?.handlers.set(type, typeof v === 'function' ? (v as (e: Event) => unknown) : null);
      },
    );
  }
  return proto;
}

/** Gives an element MediaGate's interface; values the page set on it before stay, now through the accessors. */
export function upgrade(el: HTMLElement, proto: object, mode: Mode, controller: Controller): void {
  const saved: Array<[string, unknown]> = [];
  for (const key of UPGRADED_PROPS) {
    if (!Object.hasOwn(el, key)) continue;
    saved.push([key, (el as unknown as Record<string, unknown>)[key]]);
    delete (el as unknown as Record<string, unknown>)[key];
  }
  if (mode === 'polyfill') Object.setPrototypeOf(el, proto);
  const handled = mode === 'native' ? ADDED_EVENTS : [...ADDED_EVENTS, ...NATIVE_EVENTS];
  for (const type of handled) el.addEventListener(type, (e) => controller.runHandler(type, e));
  for (const [key, value] of saved) {
    try {
      (el as unknown as Record<string, unknown>)[key] = value;
    } catch {
      /* a value the setter refuses stays unset */
    }
  }
}
