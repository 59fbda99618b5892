// The person's effect switches (toolbar popup through the background, call window through CallState):
// the device tracks MediaGate processes, switching their effect followed by configurationchange, and
// the tracks the page holds as the browser's own, which a switch routes through the effect
// (route.ts). Set up by the first effects chunk that loads, as part of the shared side (side.ts); the
// core (../index.ts) answers for the switches until then.
import type { Bridge } from '../../bridge';
import type { CallState } from '../../call-state';
import type { EffectsCore, ProcessedTrack } from '../index';
import { apply, push, SafeWeakMap, lazyGetter, then } from '../../chunk-natives';
import { forcedKinds } from '../forced';
import { fireConfigurationChange } from './configuration-change';
import { trackRoutes } from './route';

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

export interface Switches {
  /** Called by the chunks for every processed track (clones included). */
  register(output: MediaStreamTrack, p: ProcessedTrack, fire: (t: MediaStreamTrack) => void): void;
  /** On/off for a processed device track or a routed page track; undefined for others. */
  state(t: MediaStreamTrack): boolean | undefined;
  set(kind: 'audio' | 'video', on: boolean): void;
  /** Routes one page track through its effect (on) or back (applyConstraints): resolves whether it is now so. */
  route(t: MediaStreamTrack, on: boolean): Promise<boolean>;
}

export function effectSwitches(bridge: Bridge, calls: CallState, core: EffectsCore): Switches {
  const bySource = new SafeWeakMap<MediaStreamTrack, Source>();
  let sources: Source[] = [];
  const routes = trackRoutes(core);
  const isRouted = (t: MediaStreamTrack) => !!core.routed.get(t);

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
    // The page's own tracks of that kind: routed through the effect, or back.
    const tracks = calls.liveTracks(kind);
    for (let i = 0; i < tracks.length; i++) {
      const t = tracks[i]!;
      if (bySource.has(t) || !core.routable(t) || isRouted(t) === on) continue;
      then(route(t, on), (ok) => {
        if (ok) fireConfigurationChange(t);
      });
    }
    calls.changed();
  };
  const route = (t: MediaStreamTrack, on: boolean): Promise<boolean> =>
    then(routes.set(t, on), (ok) => {
      calls.changed();
      return ok && isRouted(t) === on;
    });
  const state = (t: MediaStreamTrack): boolean | undefined => {
    const s = bySource.get(t);
    if (s) return live(t) ? isOn(s) : undefined;
    return isRouted(t) ? true : undefined;
  };

  const register = (output: MediaStreamTrack, p: ProcessedTrack, fire: (t: MediaStreamTrack) => void) => {
    let s = bySource.get(p.source);
    if (!s) {
      s = { track: p.source, kind: apply(kindGet, p.source, []) as 'audio' | 'video', p, outputs: [], fire };
      bySource.set(p.source, s);
      push(sources, s);
    }
    push(s.outputs, output);
    calls.changed();
  };
  return { register, state, set: switchEffect, route };
}
