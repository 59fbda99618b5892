// The part of the effects core that only runs once a track is to be processed, set up by the first
// effects chunk that loads (announce.ts) and shared with the other through the core: processing a
// getUserMedia stream track by track, applyConstraints naming the effect on a processed track, what
// the page asked while a policy forces the effect, and the person's switches (switches.ts).
import type { ChunkApi } from '../../chunk-api';
import type { Asks, EffectsCore, EffectsSide, ProcessedTrack } from '../index';
import type { BoolAsk } from '../../../shared/effect-constraints';
import { apply, SafeWeakMap, sealed, then } from '../../chunk-natives';
import { FORCED_SOFT, forcedKinds } from '../forced';
import { effectSwitches } from './switches';

const effectOf = (kind: string) => (kind === 'audio' ? 'voiceIsolation' : 'backgroundBlur');

export type Side = EffectsSide & {
  register(output: MediaStreamTrack, p: ProcessedTrack, fire: (t: MediaStreamTrack) => void): void;
};

export function effectsSide(api: ChunkApi, core: EffectsCore): Side {
  const { bridge, calls } = api;
  const switches = effectSwitches(bridge, calls, core);
  /** Device tracks with a forced effect -> what the page itself asked for it (null: nothing). */
  const pageAsked = new SafeWeakMap<MediaStreamTrack, BoolAsk | null>();

  return {
    register(output, p, fire) {
      // getConstraints() shows what the page asked, not what the policy imposed.
      const constraints = p.constraints;
      p.constraints = (native) => {
        const r = constraints(native) as Record<string, unknown>;
        if (pageAsked.has(p.source)) {
          const e = effectOf(core.kind(p.source));
          const a = pageAsked.get(p.source);
          if (a) r[e] = a.required ? { exact: a.value } : a.value;
          else delete r[e];
        }
        return r;
      };
      core.processed.set(output, p);
      switches.register(output, p, fire);
    },
    state: switches.state,
    set: switches.set,
    route: switches.route,

    process(stream, asks: Asks, forced, pageAsks) {
      const tracks = core.tracks(stream);
      const out: MediaStreamTrack[] = [];
      let i = 0;
      const next = (): Promise<MediaStream> | MediaStream => {
        while (i < tracks.length) {
          const t = tracks[i++]!;
          const kind = core.kind(t);
          const ask = asks[kind];
          if (!ask?.value) {
            out[out.length] = t;
            continue;
          }
          if (forced[kind]) pageAsked.set(t, pageAsks[kind]);
          const failed = () => fail(t, ask);
          // Sealed: each is returned from a then-callback, which reads its then/constructor.
          return sealed(
            then(core.chunk(kind), (c) =>
              c
                ? sealed(
                    then(
                      c.process(t, ask),
                      (p) => {
                        out[out.length] = p;
                        return next();
                      },
                      failed,
                    ),
                  )
                : failed(),
            ),
          );
        }
        return new core.Stream(out);
      };
      const fail = (t: MediaStreamTrack, ask: BoolAsk): Promise<MediaStream> | MediaStream => {
        if (ask.required) {
          for (let j = 0; j < tracks.length; j++) core.stopTrack(tracks[j]!);
          for (let j = 0; j < out.length; j++) core.stopTrack(out[j]!);
          const key = effectOf(core.kind(t));
          throw core.overconstrained(key, `${key} unavailable here`);
        }
        out[out.length] = t; // ideal: the unprocessed track, reporting the effect off
        return next();
      };
      return next();
    },

    apply(p, original, rest, ask, e) {
      if (ask && forcedKinds(bridge)[e === 'voiceIsolation' ? 'audio' : 'video']) {
        // The policy wins over the page's own `false`: the effect stays on.
        pageAsked.set(p.source, ask);
        ask = FORCED_SOFT;
      }
      return then(apply(original, p.source, [rest as MediaTrackConstraints]) as Promise<void>, () => {
        const ok = !ask || p.setEffect(ask.value, ask);
        calls.changed();
        if (!ok && ask!.required) throw core.overconstrained(e, `${e} cannot be switched here`);
      });
    },
  };
}
