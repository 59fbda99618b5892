// What the core hands a lazily loaded chunk (see shared/chunks.ts). Type-only on the chunk side: a
// chunk must not import patch.ts (that would install a second toString mask) nor the bridge.
import type { Bridge } from './bridge';
import type { CallState } from './call-state';
import type { defineGetter, defineMethod, maskAsNative, patch, patchGetter } from './patch';
import type { ChunkStrings } from '../shared/chunks';
import type { ChunkNatives } from './chunks';
import { create, defineProperty, setPrototypeOf, useCoreNatives } from './chunk-natives';

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
  maskAsNative: typeof maskAsNative;
  /** Whatever the feature's core part hands its chunk (e.g. the elements found so far). */
  feature: unknown;
  /** The core's captured built-ins (chunk-natives.ts receives them; chunks import from there). */
  natives: ChunkNatives;
}

/** `start` returns what the chunk offers its core part (loadChunk resolves with it). */
export interface ChunkAnnouncement {
  name: string;
  start(api: ChunkApi): unknown;
}

/**
 * Hands the chunk's announcement to the core (chunks.ts): a plain assignment to the core's
 * non-configurable accessor, so no built-in the page could have replaced takes part. The chunk's
 * modules have only declared things so far; `start` first takes the core's built-ins.
 */
export function announceChunk(name: string, start: (api: ChunkApi) => unknown): void {
  const announcement: ChunkAnnouncement = {
    name,
    start: (api) => {
      useCoreNatives(api.natives);
      return start(api);
    },
  };
  (document as unknown as Record<string, unknown>)[__CHUNK_EVENT__] = announcement;
}

/**
 * An interface object the browser lacks (e.g. HTMLUserMediaElement in Firefox): calling or
 * constructing it throws "Illegal constructor" as WebIDL interfaces without a constructor do, and it
 * prints as native. The caller fills its prototype. (Chunk side: only chunks define interfaces.)
 */
export function defineInterface(api: ChunkApi, name: string, parent: { prototype: object }): { prototype: object } {
  const holder = {
    [name]: function () {
      throw new TypeError('Illegal constructor');
    },
  };
  const iface = holder[name]!;
  api.maskAsNative(iface, name);
  defineProperty(iface, 'prototype', {
    value: create(parent.prototype),
    writable: false,
    enumerable: false,
    configurable: false,
  });
  defineProperty(iface.prototype, 'constructor', {
    value: iface,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  setPrototypeOf(iface, parent);
  return iface as unknown as { prototype: object };
}
