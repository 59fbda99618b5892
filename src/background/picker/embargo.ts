// The embargo's store (storage.local, so that it outlasts the browser session as Chromium's does).
// The rules are in embargo-rules.ts.
import { SerialStore } from '../state/serial-store';
import type { PermissionKind } from '../../shared/permissions';
import {
  clearEmbargo,
  isEmbargoed,
  noteDismissal,
  parseEmbargo,
  pruneEmbargo,
  type EmbargoTable,
} from './embargo-rules';

const store = new SerialStore<EmbargoTable>('local', 'embargo', parseEmbargo);

export async function embargoed(origin: string, kinds: PermissionKind[]): Promise<boolean> {
  const table = await store.get();
  const now = Date.now();
  return kinds.some((k) => isEmbargoed(table, origin, k, now));
}

export async function dismissed(origin: string, kinds: PermissionKind[]): Promise<void> {
  await store.update((table) => {
    const now = Date.now();
    pruneEmbargo(table, now);
    for (const k of kinds) noteDismissal(table, origin, k, now);
  });
}

export async function clear(origin: string, kinds: PermissionKind[]): Promise<void> {
  const table = await store.get();
  if (!kinds.some((k) => table[origin]?.[k])) return; // nothing to clear: no write
  await store.update((t) => {
    for (const k of kinds) clearEmbargo(t, origin, k);
  });
}

/** Origins with a live embargo: the options page lists them, so the person can decide for them. */
export async function embargoedOrigins(): Promise<string[]> {
  const table = await store.get();
  const now = Date.now();
  return Object.keys(table).filter(
    (o) => isEmbargoed(table, o, 'camera', now) || isEmbargoed(table, o, 'microphone', now),
  );
}
