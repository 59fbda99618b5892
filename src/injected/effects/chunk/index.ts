// Lazily loaded chunk: the track effects' processing (see ../index.ts for how it gets here).
import type { ChunkAnnouncement, ChunkApi } from '../../chunk-api';
import type { EffectsChunk, EffectsCore } from '../index';
import { voiceIsolation } from './voice-isolation';

function start(api: ChunkApi): void {
  const core = api.feature as EffectsCore & { ready(c: EffectsChunk): void };
  core.ready({
    voiceIsolation: (source, ask) => voiceIsolation(api, (t, p) => core.register(t, p), source, ask),
  });
}

const announcement: ChunkAnnouncement = { name: 'effects', start };
document.dispatchEvent(new CustomEvent(__CHUNK_EVENT__, { detail: announcement }));
