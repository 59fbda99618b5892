// `onconfigurationchange` on MediaStreamTrack (mediacapture-extensions), which neither browser has
// yet: it must exist before any page script. Firing the event is the chunk's part
// (chunk/configuration-change.ts): only tracks MediaGate processes ever get it.
import { apply, getOwnPropertyDescriptor, hasOwn, SafeWeakMap } from '../native';
import { defineGetter } from '../patch';

const TYPE = 'configurationchange';
const proto = MediaStreamTrack.prototype;
const getter = (key: string) => getOwnPropertyDescriptor(proto, key)!.get!;
const kindGet = getter('kind');
const addEventListenerFn = EventTarget.prototype.addEventListener;
const removeEventListenerFn = EventTarget.prototype.removeEventListener;
const preventDefault = Event.prototype.preventDefault;

/** A listener that also receives script-dispatched events in Firefox (the 4th argument; ignored elsewhere). */
const listen = (t: EventTarget, type: string, fn: (e: Event) => void) => { apply(addEventListenerFn, t, [type, fn, false, true]); };
const unlisten = (t: EventTarget, type: string, fn: (e: Event) => void) => { apply(removeEventListenerFn, t, [type, fn, false]); };

/** `onconfigurationchange`, as an event handler attribute behaves (installed at document_start). */
export function installHandlerAttribute(): void {
  if (hasOwn(proto, 'on' + TYPE)) return; // the browser has it
  const slots = new SafeWeakMap<object, { value: object | null; listener: ((e: Event) => void) | null }>();
  defineGetter(proto, 'on' + TYPE, function (this: unknown) {
    apply(kindGet, this, []); // another receiver throws the browser's own TypeError
    return slots.get(this as object)?.value ?? null;
  }, true, function (this: unknown, v: unknown) {
    apply(kindGet, this, []);
    const track = this as MediaStreamTrack;
    // [LegacyTreatNonObjectAsNull]: anything but an object or function clears the handler.
    const value = v !== null && (typeof v === 'object' || typeof v === 'function') ? v : null;
    let slot = slots.get(track);
    if (!slot) { slot = { value: null, listener: null }; slots.set(track, slot); }
    const s = slot;
    s.value = value;
    if (!value && s.listener) { unlisten(track, TYPE, s.listener); s.listener = null; }
    if (value && !s.listener) {
      // Like the browser's handlers: its place among the listeners is where it was first set.
      s.listener = (e) => {
        if (typeof s.value !== 'function') return;
        if (apply(s.value, track, [e]) === false) apply(preventDefault, e, []);
      };
      listen(track, TYPE, s.listener);
    }
  });
}
