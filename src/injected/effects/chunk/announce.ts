// What both effects chunks (voice.ts, blur-chunk.ts) do when they load: announce themselves to the
// core (../index.ts) with a start function that wraps their processing, so every processed track is
// prepared for configurationchange and registered with the shared side (side.ts).
import { announceChunk, type ChunkApi } from '../../chunk-api';
import type { EffectsChunk, EffectsCore, ProcessedTrack } from '../index';
import type { BoolAsk } from '../../../shared/effect-constraints';
import type { ChunkName } from '../../../shared/chunks';
import { fireConfigurationChange, prepareTrack } from './configuration-change';
import { effectsSide, type Side } from './side';
import { forwardMute } from './mute-forwarding';
import type { Route } from './route';
import { inert, then } from '../../chunk-natives';

/** A route's processing starts with the effect on (route.ts). */
const ON: BoolAsk = { value: true, required: false };

export type Process = (
  api: ChunkApi,
  register: (t: MediaStreamTrack, p: ProcessedTrack) => void,
  source: MediaStreamTrack,
  ask: BoolAsk,
) => Promise<MediaStreamTrack>;

export function announce(
  name: ChunkName,
  process: Process,
  listen?: (api: ChunkApi, track: MediaStreamTrack, onSpeech: () => void) => Promise<() => void>,
): void {
  const start = (api: ChunkApi): EffectsChunk => {
    const core = api.feature as EffectsCore;
    const side = (core.side ??= effectsSide(api, core)) as Side;
    const register = (t: MediaStreamTrack, p: ProcessedTrack) => {
      prepareTrack(api, t);
      forwardMute(api, t, p.source);
      side.register(t, p, fireConfigurationChange);
    };
    return {
      process: (source, ask) => process(api, register, source, ask),
      ...(listen ? { listen: (track: MediaStreamTrack, onSpeech: () => void) => listen(api, track, onSpeech) } : {}),
      // The output never reaches the page (it is sent in place of the page's track): nothing to register.
      route(source) {
        let p: ProcessedTrack | null = null;
        const keep = (_t: MediaStreamTrack, processed: ProcessedTrack) => {
          p = processed;
        };
        return then(process(api, keep, source, ON), (out): Route => inert({ out, p: p! }));
      },
    };
  };
  announceChunk(name, start);
}
