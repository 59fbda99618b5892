// The page-visible HTMLUserMediaElement interface. Firefox has none: MediaGate defines it (illegal
// constructor, accessors on the prototype, native-looking) and upgrades each HTMLUnknownElement
// <usermedia> by switching its prototype; the tag has no hyphen, so customElements cannot take it.
// Chromium has a minimal native one: MediaGate adds only the members it lacks.
import { defineInterface, type ChunkApi } from '../../chunk-api';
import type { Controller, Mode } from './controller';
import {
  NativeTypeError,
  addListener,
  apply,
  defineProperty,
  getOwnPropertyDescriptor,
  hasOwn,
  push,
  setPrototypeOf,
  strSlice,
  toStringTag,
} from '../../chunk-natives';

/** Events with an on<type> property; the first three are what Chromium's native element lacks. */
export const ADDED_EVENTS = ['streamready', 'userchangedenabled', 'validationstatuschange'];
export const NATIVE_EVENTS = ['stream', 'error', 'cancel'];

type Lookup = (el: unknown) => Controller | undefined;

/** Properties a page may have set on the element before MediaGate upgraded it (the on<type> of both lists). */
export const UPGRADED_PROPS = [
  'stream',
  'enabled',
  'autostart',
  'onstreamready',
  'onuserchangedenabled',
  'onvalidationstatuschange',
  'onstream',
  'onerror',
  'oncancel',
];

/** The events with an on<type> property in this mode (Chromium's element has the native ones itself). */
function handledEvents(mode: Mode): string[] {
  const out: string[] = [];
  for (let i = 0; i < ADDED_EVENTS.length; i++) push(out, ADDED_EVENTS[i]!);
  if (mode !== 'native') for (let i = 0; i < NATIVE_EVENTS.length; i++) push(out, NATIVE_EVENTS[i]!);
  return out;
}

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
    throw new NativeTypeError('Illegal invocation');
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
    defineProperty(window, 'HTMLUserMediaElement', {
      value: iface,
      writable: true,
      enumerable: false,
      configurable: true,
    });
    defineProperty(proto, toStringTag, { value: 'HTMLUserMediaElement', configurable: true });
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
      const r = apply(original, self, args);
      lookup(self)?.setConstraints(args[0]);
      return r;
    });
  }
  // Native mode: MediaGate's own refusals (a site blocked in MediaGate) show next to the browser's errors.
  const nativeError = mode === 'native' ? getOwnPropertyDescriptor(proto, 'error')?.get : undefined;
  accessor('error', (c, self) => c?.error ?? (nativeError ? apply(nativeError, self, []) : null));
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
  const handlerEvents = handledEvents(mode);
  for (let i = 0; i < handlerEvents.length; i++) {
    const type = handlerEvents[i]!;
    accessor(
      `on${type}`,
      (c) => c?.handler(type) ?? null,
      (c, _self, v) => {
        c?.syncAttributes();
        c?.inline.delete(type);
        c?.handlers.set(type, typeof v === 'function' ? (v as (e: Event) => unknown) : null);
      },
    );
  }
  return proto;
}

/** Gives an element MediaGate's interface; values the page set on it before stay, now through the accessors. */
export function upgrade(el: HTMLElement, proto: object, mode: Mode, controller: Controller): void {
  const savedKeys: string[] = [];
  const savedValues: unknown[] = [];
  for (let i = 0; i < UPGRADED_PROPS.length; i++) {
    const key = UPGRADED_PROPS[i]!;
    if (!hasOwn(el, key)) continue;
    push(savedKeys, key);
    push(savedValues, (el as unknown as Record<string, unknown>)[key]);
    delete (el as unknown as Record<string, unknown>)[key];
  }
  if (mode === 'polyfill') setPrototypeOf(el, proto);
  const handled = handledEvents(mode);
  for (let i = 0; i < handled.length; i++) {
    const type = handled[i]!;
    addListener(el, type, (e) => controller.runHandler(type, e));
  }
  // Inline handler attributes (onstreamready="..."): set, changed or removed, as the browser's own.
  const attributes: string[] = [];
  for (let i = 0; i < handled.length; i++) push(attributes, `on${handled[i]!}`);
  const readAttribute = (name: string) => {
    const type = strSlice(name, 2);
    const text = el.getAttribute(name);
    if (text === null) {
      controller.inline.delete(type);
      controller.handlers.set(type, null);
    } else {
      controller.inline.set(type, text);
      controller.handlers.delete(type);
    }
  };
  for (let i = 0; i < attributes.length; i++) if (el.hasAttribute(attributes[i]!)) readAttribute(attributes[i]!);
  const takeChanges = (records: MutationRecord[]) => {
    for (let i = 0; i < records.length; i++) readAttribute(records[i]!.attributeName!);
  };
  const observer = new MutationObserver(takeChanges);
  observer.observe(el, { attributes: true, attributeFilter: attributes });
  controller.syncAttributes = () => takeChanges(observer.takeRecords());
  for (let i = 0; i < savedKeys.length; i++) {
    try {
      (el as unknown as Record<string, unknown>)[savedKeys[i]!] = savedValues[i];
    } catch {
      /* a value the setter refuses stays unset */
    }
  }
}
