// Core side of lazily loaded main-world chunks. The background injects the chunk's bundle into this
// frame; the bundle announces itself with a CustomEvent (name fixed per MediaGate version) carrying
// its start function, which the core calls with the ChunkApi once the background confirms the load. A page that somehow intercepted the announcement could only start or stop MediaGate's
// feature in its own page, which it can do anyway.
import { addListener, apply, getOwnPropertyDescriptor, own, SafeMap, then } from './native';
import { defineGetter, defineInterface, defineMethod, patch, patchGetter, isRetired } from './patch';
import type { Bridge } from './bridge';
import type { CallState } from './call-state';
import type { ChunkAnnouncement } from './chunk-api';
import type { ChunkName } from '../shared/chunks';

const detailGet = getOwnPropertyDescriptor(CustomEvent.prototype, 'detail')!.get!;
const announced = new SafeMap<string, ChunkAnnouncement['start']>();
const loads = new SafeMap<string, Promise<boolean>>();

addListener(document, __CHUNK_EVENT__, (e) => {
  const detail = apply(detailGet, e, []);
  const name = own(detail, 'name');
  const start = own(detail, 'start');
  if (typeof name === 'string' && typeof start === 'function' && !isRetired()) announced.set(name, start as ChunkAnnouncement['start']);
});

/**
 * Loads a chunk once per frame and starts it. Resolves false when it cannot be loaded (MediaGate
 * gone, frame not scriptable): the caller then leaves the browser's own behaviour in place.
 */
export function loadChunk(name: ChunkName, bridge: Bridge, calls: CallState, enabled: () => boolean, feature: unknown): Promise<boolean> {
  const existing = loads.get(name);
  if (existing) return existing;
  const load = then(bridge.request('chunk/load', { name }, 10_000), (strings) => {
    const start = announced.get(name);
    if (!start) return false;
    announced.delete(name);
    start({ bridge, calls, strings, enabled, patch, patchGetter, defineGetter, defineMethod, defineInterface, feature });
    return true;
  }, () => false);
  loads.set(name, load);
  return load;
}

