// `onconfigurationchange` on MediaStreamTrack (mediacapture-extensions), which neither browser has
// yet: it must exist before any page script. Firing the event is the chunk's part
// (chunk/configuration-change.ts): only tracks MediaGate processes ever get it.
import { addListener, apply, hasOwn, removeListener, SafeWeakMap, trackKind } from '../native';
import { defineGetter } from '../patch';

const TYPE = 'configurationchange';
const proto = MediaStreamTrack.prototype;
const preventDefault = Event.prototype.preventDefault;

/** `onconfigurationchange`, as an event handler attribute behaves (installed at document_start). */
export function installHandlerAttribute(): void {
  if (hasOwn(proto, 'on' + TYPE)) return; // the browser has it
  /** Per track: the handler, and the listener that calls it. */
  const slots = new SafeWeakMap<object, { v: unknown; l: ((e: Event) => void) | null }>();
  defineGetter(
    proto,
    'on' + TYPE,
    function (this: unknown) {
      trackKind(this); // another receiver throws the browser's own TypeError
      return slots.get(this as object)?.v ?? null;
    },
    true,
    function (this: unknown, v: unknown) {
      trackKind(this);
      const track = this as MediaStreamTrack;
      let s = slots.get(track);
      if (!s) slots.set(track, (s = { v: null, l: null }));
      const slot = s;
      // [LegacyTreatNonObjectAsNull]: anything but an object or function clears the handler.
      slot.v = v !== null && (typeof v === 'object' || typeof v === 'function') ? v : null;
      if (!slot.v && slot.l) {
        removeListener(track, TYPE, slot.l);
        slot.l = null;
      }
      // Like the browser's handlers: its place among the listeners is where it was first set. The
      // listener also receives script-dispatched events in Firefox (its 4th argument; ignored elsewhere).
      if (slot.v && !slot.l) {
        addListener(
          track,
          TYPE,
          (slot.l = (e) => {
            if (typeof slot.v === 'function' && apply(slot.v, track, [e]) === false) apply(preventDefault, e, []);
          }),
          false,
          true,
        );
      }
    },
  );
}
