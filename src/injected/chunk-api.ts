// What the core hands a lazily loaded chunk (see shared/chunks.ts). Type-only on the chunk side: a
// chunk must not import patch.ts (that would install a second toString mask) nor the bridge.
import type { Bridge } from './bridge';
import type { CallState } from './call-state';
import type { defineGetter, defineInterface, defineMethod, patch, patchGetter } from './patch';
import type { ChunkStrings } from '../shared/chunks';

export interface ChunkApi {
  bridge: Bridge;
  calls: CallState;
  strings: ChunkStrings;
  /** Whether the feature is on now (settings and policy can switch it off at any time). */
  enabled(): boolean;
  patch: typeof patch;
  patchGetter: typeof patchGetter;
  defineGetter: typeof defineGetter;
  defineMethod: typeof defineMethod;
  defineInterface: typeof defineInterface;
  /** Whatever the feature's core part hands its chunk (e.g. the elements found so far). */
  feature: unknown;
}

/** `start` returns what the chunk offers its core part (loadChunk resolves with it). */
export interface ChunkAnnouncement { name: string; start(api: ChunkApi): unknown }
