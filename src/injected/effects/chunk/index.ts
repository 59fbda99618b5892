// Lazily loaded chunk: the track effects' processing (see ../index.ts for how it gets here).
import type { ChunkAnnouncement, ChunkApi } from '../../chunk-api';
import type { EffectsChunk, EffectsCore } from '../index';
import { voiceIsolation } from './voice-isolation';
import { backgroundBlur } from './blur';
import { fireConfigurationChange, prepareTrack } from './configuration-change';

function start(api: ChunkApi): EffectsChunk {
  const core = api.feature as EffectsCore;
  const register = (t: MediaStreamTrack, p: Parameters<EffectsCore['register']>[1]) => {
    prepareTrack(api, t);
    core.register(t, p, fireConfigurationChange);
  };
  return {
    process: (effect, source, ask) => (effect === 'voiceIsolation' ? voiceIsolation : backgroundBlur)(api, register, source, ask),
  };
}

const announcement: ChunkAnnouncement = { name: 'effects', start };
document.dispatchEvent(new CustomEvent(__CHUNK_EVENT__, { detail: announcement }));
