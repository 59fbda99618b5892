// Inline event handler attributes on <usermedia> (`onstreamready="..."`), compiled the way the browser
// compiles its own: MediaGate never evaluates the text. The text goes into the `onclick` attribute of a
// detached element and the browser's own onclick getter compiles it, so the page's CSP applies as it
// does to any inline handler (without 'unsafe-inline' the getter gives null and the browser reports the
// violation). That element's prototype is a Proxy over the <usermedia> element, so the handler's scope
// (the element, then the document) resolves names on the <usermedia> element, as a native handler's does;
// `this` is the element when it runs.
import { NativeProxy, apply, getOwnPropertyDescriptor, setPrototypeOf } from '../../chunk-natives';

let onclickGet: (() => unknown) | undefined | null = null;

export type Handler = (e: Event) => unknown;

/** The compiled handler, or null where the page's CSP forbids inline handlers (or nothing could compile it). */
export function compileInlineHandler(el: HTMLElement, text: string): Handler | null {
  onclickGet ??= getOwnPropertyDescriptor(HTMLElement.prototype, 'onclick')?.get;
  if (!onclickGet) return null;
  const carrier = el.ownerDocument.createElement('div');
  carrier.setAttribute('onclick', text);
  // Plain property operations on the element: its own accessors run with the element as `this`.
  const scope = new NativeProxy(el, {
    get: (target, key) => (target as unknown as Record<PropertyKey, unknown>)[key],
    set: (target, key, value) => {
      (target as unknown as Record<PropertyKey, unknown>)[key] = value;
      return true;
    },
    has: (target, key) => key in target,
  });
  setPrototypeOf(carrier, scope);
  const fn = apply(onclickGet, carrier, []);
  return typeof fn === 'function' ? (fn as Handler) : null;
}
