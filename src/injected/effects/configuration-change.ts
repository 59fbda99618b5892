// `configurationchange` on MediaStreamTrack (mediacapture-extensions): the `onconfigurationchange`
// handler attribute, which neither browser has yet, and the spec's steps to fire the event when the
// person switches an effect from MediaGate's UI.
// Firefox delivers a script-dispatched event on a MediaStreamTrack only to listeners added with its
// non-standard `wantsUntrusted` argument (and to handler attributes): there, once the page holds a
// track MediaGate processes, addEventListener('configurationchange') on tracks asks for untrusted
// events too. Pages without such a track keep the browser's addEventListener untouched.
import { apply, getOwnPropertyDescriptor, hasOwn, SafeWeakMap } from '../native';
import { defineGetter, patch } from '../patch';

const TYPE = 'configurationchange';
const proto = MediaStreamTrack.prototype;
const getter = (key: string) => getOwnPropertyDescriptor(proto, key)!.get!;
const kindGet = getter('kind');
const mutedGet = getter('muted');
const readyStateGet = getter('readyState');
const addEventListenerFn = EventTarget.prototype.addEventListener;
const removeEventListenerFn = EventTarget.prototype.removeEventListener;
const dispatchEventFn = EventTarget.prototype.dispatchEvent;
const preventDefault = Event.prototype.preventDefault;
const NativeEvent = Event;

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

let untrustedListeners = false;

/** Called for each track MediaGate processes, before the page has it. */
export function prepareTrack(track: MediaStreamTrack): void {
  if (untrustedListeners) return;
  // Does a script-dispatched event reach an ordinary listener here? (Not in Firefox.)
  let reached = false;
  const probe = () => { reached = true; };
  const type = 'mediagate-probe';
  const addPlain = (fn: () => void) => apply(addEventListenerFn, track, [type, fn]);
  addPlain(probe);
  apply(dispatchEventFn, track, [new NativeEvent(type)]);
  unlisten(track, type, probe);
  untrustedListeners = true;
  if (reached) return;
  patch<EventTarget['addEventListener']>(EventTarget.prototype, 'addEventListener', (original, self, args) => {
    if (args[0] === TYPE && args.length < 4) {
      let isTrack = true;
      try { apply(kindGet, self, []); } catch { isTrack = false; }
      if (isTrack) return apply(original, self, [args[0], args[1], args[2], true]);
    }
    return apply(original, self, args);
  });
}

/**
 * The spec's steps once the source's configuration changed (the effect is already switched, and
 * getSettings() already reports it): wait while the track is muted, skip it if it ended, then fire a
 * plain Event.
 */
export function fireConfigurationChange(track: MediaStreamTrack): void {
  if (apply(readyStateGet, track, []) === 'ended') return;
  if (apply(mutedGet, track, [])) {
    const retry = () => { unlisten(track, 'unmute', retry); unlisten(track, 'ended', retry); fireConfigurationChange(track); };
    listen(track, 'unmute', retry);
    listen(track, 'ended', retry);
    return;
  }
  apply(dispatchEventFn, track, [new NativeEvent(TYPE)]);
}
