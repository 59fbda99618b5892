// Firing `configurationchange` (mediacapture-extensions) on the tracks MediaGate processes, when the
// person switches an effect from MediaGate's UI (the handler attribute is the core's:
// ../configuration-change.ts).
// Firefox delivers a script-dispatched event on a MediaStreamTrack only to listeners added with its
// non-standard `wantsUntrusted` argument (and to handler attributes): there, once the page holds a
// track MediaGate processes, addEventListener('configurationchange') on tracks asks for untrusted
// events too. Pages without such a track keep the browser's addEventListener untouched.
import type { ChunkApi } from '../../chunk-api';
import { addListener, apply, dispatch, lazyGetter, removeListener } from '../../chunk-natives';
import { deviceTrack } from './mute-forwarding';

const TYPE = 'configurationchange';
const proto = MediaStreamTrack.prototype;
const getter = (key: string) => lazyGetter(proto, key);
const kindGet = getter('kind');
const mutedGet = getter('muted');
const readyStateGet = getter('readyState');

/** A listener that also receives script-dispatched events in Firefox (the 4th argument; ignored elsewhere). */
const listen = (t: EventTarget, type: string, fn: (e: Event) => void) => {
  addListener(t, type, fn, false, true);
};
const unlisten = (t: EventTarget, type: string, fn: (e: Event) => void) => {
  removeListener(t, type, fn, false);
};

let untrustedListeners = false;

/** Called for each track MediaGate processes, before the page has it. */
export function prepareTrack(api: ChunkApi, track: MediaStreamTrack): void {
  if (untrustedListeners) return;
  // Does a script-dispatched event reach an ordinary listener here? (Not in Firefox.)
  let reached = false;
  const probe = () => {
    reached = true;
  };
  const type = 'mediagate-probe';
  addListener(track, type, probe);
  dispatch(track, type);
  unlisten(track, type, probe);
  untrustedListeners = true;
  if (reached) return;
  api.patch<EventTarget['addEventListener']>(EventTarget.prototype, 'addEventListener', (original, self, args) => {
    if (args[0] === TYPE && args.length < 4) {
      let isTrack = true;
      try {
        apply(kindGet, self, []);
      } catch {
        isTrack = false;
      }
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
  // The device's state: a processed track itself is never muted (mute-forwarding.ts).
  if (apply(mutedGet, deviceTrack(track), [])) {
    const retry = () => {
      unlisten(track, 'unmute', retry);
      unlisten(track, 'ended', retry);
      fireConfigurationChange(track);
    };
    listen(track, 'unmute', retry);
    listen(track, 'ended', retry);
    return;
  }
  dispatch(track, TYPE);
}
