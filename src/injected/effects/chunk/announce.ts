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

export type Process = (
  api: ChunkApi,
  register: (t: MediaStreamTrack, p: ProcessedTrack) => void,
  source: MediaStreamTrack,
  ask: BoolAsk,
) => Promise<MediaStreamTrack>;

export function announce(name: ChunkName, process: Process): void {
  const start = (api: ChunkApi): EffectsChunk => {
    const core = api.feature as EffectsCore;
    const side = (core.side ??= effectsSide(api, core)) as Side;
    const register = (t: MediaStreamTrack, p: ProcessedTrack) => {
      prepareTrack(api, t);
      forwardMute(api, t, p.source);
      side.register(t, p, fireConfigurationChange);
    };
    return { process: (source, ask) => process(api, register, source, ask) };
  };
  announceChunk(name, start);
}
