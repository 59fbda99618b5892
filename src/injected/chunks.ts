// Core side of lazily loaded main-world chunks. The background injects the chunk's bundle into this
// frame; the bundle announces itself with a CustomEvent (name fixed per MediaGate version, so public)
// carrying its start function, which the core calls with the ChunkApi once the background confirms the
// load. The ChunkApi holds the bridge: it must never reach a start function the page made up.
// - The core listens on window in the capture phase, registered at document_start before any page
//   script: the event is dispatched on document, so this listener runs before any listener the page can
//   add, and the page cannot stop it from seeing the real announcement.
// - Announcements count only while the core waits for that chunk's load, and exactly one must arrive:
//   a page that dispatches its own (before, during or after the real one) makes the load fail, and the
//   feature falls back to the browser's own behaviour, which the page could have had anyway.
// Known gap (test/e2e/hostile.test.ts, todo): a page that breaks the chunk's own announcement by
// replacing the built-ins the chunk uses (it is evaluated after page scripts) can still forge the only one.
import { addListener, apply, getOwnPropertyDescriptor, own, SafeMap, then } from './native';
import { defineGetter, defineMethod, maskAsNative, patch, patchGetter, isRetired } from './patch';
import type { Bridge } from './bridge';
import type { CallState } from './call-state';
import type { ChunkAnnouncement } from './chunk-api';
import type { ChunkName } from '../shared/chunks';

const detailGet = getOwnPropertyDescriptor(CustomEvent.prototype, 'detail')!.get!;
/** Per chunk being loaded: the announcements seen since the load was asked for. */
const waiting = new SafeMap<string, { start: ChunkAnnouncement['start'] | null; count: number }>();
const loads = new SafeMap<string, Promise<Loaded<unknown> | null>>();

addListener(window, __CHUNK_EVENT__, (e) => {
  let detail: unknown;
  try { detail = apply(detailGet, e, []); } catch { return; } // not a CustomEvent: not an announcement
  const name = own(detail, 'name');
  if (typeof name !== 'string' || isRetired()) return;
  const slot = waiting.get(name);
  if (!slot) return; // nothing asked for: ignore (and a later real one is still awaited)
  slot.count++;
  const start = own(detail, 'start');
  slot.start = slot.count === 1 && typeof start === 'function' ? start as ChunkAnnouncement['start'] : null;
}, true);

/** A started chunk: what its start function returned. */
export interface Loaded<T> { exports: T }

/**
 * Loads a chunk once per frame and starts it; every later call gets the same answer (the first
 * call's `feature` is the one handed over). Resolves null when it cannot be loaded (MediaGate gone,
 * frame not scriptable, announcement forged): the caller then leaves the browser's own behaviour in
 * place.
 */
export function loadChunk<T = unknown>(name: ChunkName, bridge: Bridge, calls: CallState, enabled: () => boolean, feature: unknown): Promise<Loaded<T> | null> {
  const existing = loads.get(name);
  if (existing) return existing as Promise<Loaded<T> | null>;
  const slot = { start: null as ChunkAnnouncement['start'] | null, count: 0 };
  waiting.set(name, slot);
  const load = then(bridge.request('chunk/load', { name }, 10_000), (strings): Loaded<T> | null => {
    waiting.delete(name);
    const start = slot.count === 1 ? slot.start : null;
    if (!start) return null;
    return { exports: start({ bridge, calls, strings, enabled, patch, patchGetter, defineGetter, defineMethod, maskAsNative, feature }) as T };
  }, () => { waiting.delete(name); return null; });
  loads.set(name, load);
  return load;
}
