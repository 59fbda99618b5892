// Pass-through patches of the capture entry points. They add no round trip: the page gets the
// browser's own promise; MediaGate only notes the tracks it produced so the background knows which
// tabs are in a call (toolbar, shortcuts, PiP). Later features (picker semantics, effects) hook in
// before the native call.

import type { InjectedFeature } from '../feature';
import { apply, then, getOwnPropertyDescriptor, endTrack } from '../native';
import { patch } from '../patch';

const trackLabel = getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'label')!.get!;

export const callDetection: InjectedFeature<'call-detection'> = {
  name: 'call-detection',
  install({ bridge, calls, enabled }) {
    // Hard mute: the person muted through MediaGate and asked that it really holds.
    bridge.onPush('call-detection/set-enabled', ({ kind, enabled: on }) => {
      calls.setTracksEnabled(kind, on);
    });

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
      if (enabled()) calls.adoptSoon(stream);
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
      if (calls.has(self)) calls.addTrack(copy);
      return copy;
    });
  },
};
