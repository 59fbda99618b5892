// Pass-through patches of the capture entry points. They add no round trip: the page gets the
// browser's own promise; MediaGate only notes the tracks it produced so the background knows which
// tabs are in a call (toolbar, shortcuts, PiP). Later features (picker semantics, effects) hook in
// before the native call.

import type { InjectedFeature } from '../feature';
import {
  apply,
  then,
  getOwnPropertyDescriptor,
  endTrack,
  addListener,
  removeListener,
  dispatch,
  streamTracks,
} from '../native';
import { patch, patchGetter, patchSetter } from '../patch';

const trackLabel = getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'label')!.get!;

export const callDetection: InjectedFeature<'call-detection'> = {
  name: 'call-detection',
  install({ bridge, calls, enabled }) {
    // Hard mute: the person muted through MediaGate and asked that it really holds.
    bridge.onPush('call-detection/set-enabled', ({ kind, enabled: on }) => {
      calls.setTracksEnabled(kind, on);
    });

    // The person muted (or stopped) the call from MediaGate's UI, and the page has no handler for it.
    bridge.onPush('call-detection/hold', ({ kind, held }) => calls.hold(kind, held));
    bridge.onPush('call-detection/stop-all', () => calls.stopAll());

    // A held track: the page reads and writes its own `enabled` while the real one stays false, and
    // reads `muted` as the user agent muting it (see CallState.hold).
    const held = calls.pageEnabled;
    patchGetter<boolean>(MediaStreamTrack.prototype, 'enabled', (original, self) =>
      held.has(self as MediaStreamTrack) ? held.get(self as MediaStreamTrack)! : apply(original, self, []),
    );
    patchSetter<boolean>(MediaStreamTrack.prototype, 'enabled', (original, self, value) => {
      if (held.has(self as MediaStreamTrack)) held.set(self as MediaStreamTrack, !!value);
      else apply(original, self, [value]);
      if (calls.has(self)) calls.changed();
    });
    patchGetter<boolean>(
      MediaStreamTrack.prototype,
      'muted',
      (original, self) => (apply(original, self, []) as boolean) || held.has(self as MediaStreamTrack),
    );

    // The person gave this device to another tab: end our tracks on it, as a device unplugged would.
    bridge.onPush('call-detection/release', ({ kind, label }) => {
      const tracks = calls.liveTracks(kind);
      for (let i = 0; i < tracks.length; i++) {
        if (apply(trackLabel, tracks[i], []) === label) endTrack(tracks[i]!);
      }
      calls.changed();
    });

    // Only the native call's own streams arrive here (capture wraps the native getUserMedia).
    const adoptStream = (stream: MediaStream) => {
      if (!enabled()) return;
      if (!probed) {
        const tracks = streamTracks(stream);
        if (tracks.length) deliverTrackEvents(tracks[0]!);
      }
      calls.adoptSoon(stream);
    };

    // Firefox delivers a script-dispatched event on a MediaStreamTrack only to handler attributes and to
    // listeners added with its non-standard `wantsUntrusted` argument; MediaGate's mute and stop tell
    // the page with such events (and the person's effect switches fire configurationchange). So there, once the page first captures, the page's listeners for
    // them on its capture tracks are added with it. Elsewhere nothing is patched. Probed on the first
    // captured track, before the page has it.
    let probed = false;
    const deliverTrackEvents = (probe: MediaStreamTrack) => {
      probed = true;
      const type = 'mediagate-probe';
      let reached = false;
      const listener = () => {
        reached = true;
      };
      addListener(probe, type, listener);
      dispatch(probe, type);
      removeListener(probe, type, listener);
      if (reached) return;
      patch<EventTarget['addEventListener']>(EventTarget.prototype, 'addEventListener', (original, self, args) => {
        const type = args[0];
        if (
          args.length < 4 &&
          (type === 'mute' || type === 'unmute' || type === 'ended' || type === 'configurationchange')
        )
          if (calls.has(self)) return apply(original, self, [type, args[1], args[2], true]);
        return apply(original, self, args);
      });
    };

    patch<MediaDevices['getUserMedia']>(MediaDevices.prototype, 'getUserMedia', (original, self, args) => {
      const result = apply(original, self, args);
      then(result, adoptStream, () => undefined);
      return result;
    });

    patch<MediaStreamTrack['stop']>(MediaStreamTrack.prototype, 'stop', (original, self, args) => {
      const r = apply(original, self, args);
      if (calls.has(self)) calls.changed();
      return r;
    });

    patch<MediaStreamTrack['clone']>(MediaStreamTrack.prototype, 'clone', (original, self, args) => {
      const copy = apply(original, self, args);
      if (calls.has(self)) calls.addTrack(copy, self as MediaStreamTrack);
      return copy;
    });
  },
};
