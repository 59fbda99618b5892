// The person's effect switches (toolbar popup through the background, call window through CallState):
// the device tracks MediaGate processes, and switching their effect followed by configurationchange.
// Exactly these tracks can be switched: a native track the page already holds cannot be rerouted
// through processing (docs/features/effects.md, "The person's switches and `configurationchange`"). Set up by the first effects chunk that loads
// (before that, no track can be switched), as part of the shared side (side.ts).
import type { Bridge } from '../../bridge';
import type { CallState } from '../../call-state';
import type { ProcessedTrack } from '../index';
import { apply, push, SafeWeakMap, lazyGetter } from '../../chunk-natives';
import { forcedKinds } from '../forced';

const kindGet = lazyGetter(MediaStreamTrack.prototype, 'kind');
const readyStateGet = lazyGetter(MediaStreamTrack.prototype, 'readyState');
const live = (t: MediaStreamTrack) => apply(readyStateGet, t, []) === 'live';

/** One device track MediaGate processes, and the processed tracks (clones) the page holds of it. */
interface Source {
  track: MediaStreamTrack;
  kind: 'audio' | 'video';
  p: ProcessedTrack;
  outputs: MediaStreamTrack[];
  fire(t: MediaStreamTrack): void;
}
const isOn = (s: Source): boolean =>
  (s.p.settings({}) as Record<string, unknown>)[s.kind === 'audio' ? 'voiceIsolation' : 'backgroundBlur'] === true;

/** Returns the register() the chunks call for every processed track (clones included). */
export function effectSwitches(
  bridge: Bridge,
  calls: CallState,
  enabled: () => boolean,
): (output: MediaStreamTrack, p: ProcessedTrack, fire: (t: MediaStreamTrack) => void) => void {
  const bySource = new SafeWeakMap<MediaStreamTrack, Source>();
  let sources: Source[] = [];

  const switchEffect = (kind: 'audio' | 'video', on: boolean) => {
    if (!on && forcedKinds(bridge)[kind]) return; // the administrator's choice, not the person's
    const kept: Source[] = [];
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i]!;
      if (!live(s.track)) continue;
      push(kept, s);
      if (s.kind !== kind || isOn(s) === on || !s.p.setEffect(on, null)) continue;
      for (let j = 0; j < s.outputs.length; j++) s.fire(s.outputs[j]!);
    }
    sources = kept;
    calls.changed();
  };
  const state = (t: MediaStreamTrack): boolean | undefined => {
    const s = bySource.get(t);
    return s && live(t) ? isOn(s) : undefined;
  };
  calls.effects = {
    state,
    on(kind) {
      const tracks = calls.liveTracks(kind);
      let on: boolean | undefined;
      for (let i = 0; i < tracks.length; i++) {
        const s = state(tracks[i]!);
        if (s !== undefined) on = on || s;
      }
      return on;
    },
    set: switchEffect,
    locked: (kind) => forcedKinds(bridge)[kind],
  };
  bridge.onPush('effects/set', ({ kind, on }) => {
    if (enabled()) switchEffect(kind, on);
  });

  return (output, p, fire) => {
    let s = bySource.get(p.source);
    if (!s) {
      s = { track: p.source, kind: apply(kindGet, p.source, []) as 'audio' | 'video', p, outputs: [], fire };
      bySource.set(p.source, s);
      push(sources, s);
    }
    push(s.outputs, output);
    calls.changed();
  };
}
