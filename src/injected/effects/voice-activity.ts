// Talking while muted (issue 23): while the page holds a live microphone track and its microphone is
// muted (it reported setMicrophoneActive(false), disabled its tracks, or MediaGate muted it), MediaGate
// listens for speech on a private clone of the track (the voice chunk's RNNoise, chunk/voice-activity.ts)
// and runs the page's Media Session `voiceactivity` handler, at most once every few seconds. A page
// without such a handler gets nothing; the person gets MediaGate's own hint instead (badge, popup, call
// window: CallState.talkingWhileMuted), unless they switched it off. The listening stops as soon as the
// microphone is on again, ends, or neither the handler nor the hint wants it.
import type { CallState } from '../call-state';
import type { EffectsChunk } from './index';
import { apply, getOwnPropertyDescriptor, nativeSetTimeout, now, then } from '../native';

// Taken before any patch: the clone must not join the call (call detection's clone) nor be held by it.
const cloneTrack = MediaStreamTrack.prototype.clone;
const stopTrack = MediaStreamTrack.prototype.stop;
const setEnabled = getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'enabled')!.set!;

/** The spec leaves the rate to the user agent: a person wants one reminder, not one per sentence. */
export const VOICE_ACTIVITY_EVERY_MS = 3000;

export function watchMutedSpeech(
  calls: CallState,
  enabled: () => boolean,
  /** The person's "tell me when I talk while muted" (settings.mutedSpeechHint), for pages without a handler. */
  hint: () => boolean,
  voiceChunk: () => Promise<EffectsChunk | null>,
): void {
  let listening: { source: MediaStreamTrack; clone: MediaStreamTrack; stop: (() => void) | null } | null = null;
  let last = -Infinity;
  let scheduled = false;

  const stop = () => {
    const l = listening;
    listening = null;
    if (!l) return;
    if (l.stop) l.stop();
    apply(stopTrack, l.clone, []);
  };
  const onSpeech = () => {
    if (!wanted()) return;
    // MediaGate's own hint where the page has no handler (kept up while the person keeps talking).
    if (!calls.hasAction('voiceactivity')) {
      calls.noteTalkingWhileMuted(true);
      return;
    }
    const t = now();
    if (t - last < VOICE_ACTIVITY_EVERY_MS) return;
    last = t;
    calls.invoke('voiceactivity');
  };
  const microphone = (): MediaStreamTrack | null => {
    const tracks = calls.liveTracks('audio');
    return tracks.length ? tracks[0]! : null;
  };
  const wanted = (): boolean =>
    enabled() &&
    (calls.hasAction('voiceactivity') || hint()) &&
    microphone() !== null &&
    (calls.isHeld('audio') || calls.isOn('audio') === false);

  const check = () => {
    scheduled = false;
    const mic = wanted() ? microphone() : null;
    if (!mic) calls.noteTalkingWhileMuted(false);
    if (listening && listening.source === mic) return;
    stop();
    if (!mic) return;
    const clone = apply(cloneTrack, mic, []) as MediaStreamTrack;
    apply(setEnabled, clone, [true]);
    const l: NonNullable<typeof listening> = { source: mic, clone, stop: null };
    listening = l;
    then(
      voiceChunk(),
      (c) => {
        if (!c?.listen) return null;
        return then(c.listen(clone, onSpeech), (stopListening) => {
          if (listening === l) l.stop = stopListening;
          else stopListening();
        });
      },
      () => null,
    );
  };
  calls.onChange(() => {
    if (scheduled) return;
    scheduled = true;
    nativeSetTimeout(check, 0);
  });
}
