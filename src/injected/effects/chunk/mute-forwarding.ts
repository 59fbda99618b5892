// A processed track is MediaGate's own (a generator, canvas or WebAudio track) that the device never
// mutes: it speaks for its device's `muted` state and fires its device's `mute` / `unmute` events, as
// the track the page would otherwise hold does (e.g. the camera taken by another application, the OS
// muting the microphone).
// Firefox delivers a script-dispatched event on a MediaStreamTrack only to handler attributes and to
// listeners added with its non-standard `wantsUntrusted` argument: there, listeners for these two
// events on processed tracks are added with it (other tracks keep the browser's addEventListener).
import type { ChunkApi } from '../../chunk-api';
import { addListener, apply, dispatch, lazyGetter, removeListener, SafeWeakMap } from '../../chunk-natives';

const proto = MediaStreamTrack.prototype;
const readyStateGet = lazyGetter(proto, 'readyState');

/** Processed output (and each clone) -> its device track (made at the first processed track). */
let sourceOf: InstanceType<typeof SafeWeakMap<object, MediaStreamTrack>> | null = null;

function patchOnce(api: ChunkApi, probe: MediaStreamTrack): void {
  if (sourceOf) return;
  const sources = (sourceOf = new SafeWeakMap<object, MediaStreamTrack>());
  api.patchGetter<boolean>(proto, 'muted', (original, self) => {
    const source = sources.get(self as object);
    return apply(original, source ?? self, []);
  });
  // Does a script-dispatched event reach an ordinary listener here? (Not in Firefox.)
  let reached = false;
  const type = 'mediagate-probe-mute';
  const listener = () => {
    reached = true;
  };
  addListener(probe, type, listener);
  dispatch(probe, type);
  removeListener(probe, type, listener);
  if (reached) return;
  api.patch<EventTarget['addEventListener']>(EventTarget.prototype, 'addEventListener', (original, self, args) => {
    if ((args[0] === 'mute' || args[0] === 'unmute') && args.length < 4 && sources.has(self as object)) {
      return apply(original, self, [args[0], args[1], args[2], true]);
    }
    return apply(original, self, args);
  });
}

/** Called for each processed track (and clone) before the page has it. */
export function forwardMute(api: ChunkApi, output: MediaStreamTrack, source: MediaStreamTrack): void {
  patchOnce(api, output);
  sourceOf!.set(output, source);
  const relay = (e: Event) => {
    if (apply(readyStateGet, output, []) !== 'ended') dispatch(output, e.type);
  };
  addListener(source, 'mute', relay);
  addListener(source, 'unmute', relay);
}

/** The device's muted state for a processed track (configurationchange waits while it is muted). */
export function deviceTrack(track: MediaStreamTrack): MediaStreamTrack {
  return sourceOf?.get(track) ?? track;
}
