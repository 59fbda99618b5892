// "Application permission" for screen capture: a persistent per-site grant, per capture level
// ("browser": other tabs, "screen": the whole screen), given once in MediaGate's grant window. A sibling
// of the camera/microphone store (permissions.ts), kept apart because Chromium's contentSettings and
// the options page's device rows know nothing of it. Pure functions over storage.local "screenGrants";
// only the background writes it.

import { isRecord, isFiniteNumber, isOneOf } from './validate';
import { isWebOrigin } from './origin';
import type { ScreenSource } from './page-constants';

export const GRANT_SOURCES = ['browser', 'screen'] as const;
export type GrantSource = (typeof GRANT_SOURCES)[number];
export type GrantState = 'allow' | 'block';

export interface GrantRecord {
  state: GrantState;
  created: number;
  lastUsed: number;
}
export type GrantTable = Record<string, Partial<Record<GrantSource, GrantRecord>>>;

/** Which sources need the application permission; the others only need the person's choice each time. */
export const grantSourceOf = (source: ScreenSource): GrantSource | null =>
  source === 'browser' || source === 'screen' ? source : null;

/**
 * What a request needs before anything is captured, with the administrator's "screen" lists applied:
 * they cover every kind of screen capture and win over the person. "blocked": refuse; null: nothing
 * (the chooser, if any, still asks); else the grant level to check or ask for.
 */
export function grantNeeded(source: ScreenSource, policy: 'allow' | 'block' | null): GrantSource | 'blocked' | null {
  if (policy === 'block') return 'blocked';
  return policy === 'allow' ? null : grantSourceOf(source);
}

function parseRecord(v: unknown): GrantRecord | null {
  if (
    !isRecord(v) ||
    !isOneOf(v.state, ['allow', 'block'] as const) ||
    !isFiniteNumber(v.created) ||
    !isFiniteNumber(v.lastUsed)
  )
    return null;
  return { state: v.state, created: v.created, lastUsed: v.lastUsed };
}

/** Keeps valid records only; each dropped one is reported, nothing throws. */
export function parseGrantTable(raw: unknown, warn: (m: string) => void = () => undefined): GrantTable {
  const table: GrantTable = {};
  if (raw === undefined) return table;
  if (!isRecord(raw)) {
    warn('screenGrants: stored grants are not an object; starting empty');
    return table;
  }
  for (const [origin, site] of Object.entries(raw)) {
    if (!isWebOrigin(origin) || !isRecord(site)) {
      warn(`screenGrants: dropped corrupt record "${origin.slice(0, 100)}"`);
      continue;
    }
    const rec: Partial<Record<GrantSource, GrantRecord>> = {};
    for (const source of GRANT_SOURCES) {
      if (site[source] === undefined) continue;
      const parsed = parseRecord(site[source]);
      if (parsed) rec[source] = parsed;
      else warn(`screenGrants: dropped corrupt ${source} grant of "${origin}"`);
    }
    if (Object.keys(rec).length) table[origin] = rec;
  }
  return table;
}

export const grantOf = (table: GrantTable, origin: string, source: GrantSource): GrantState | 'ask' =>
  table[origin]?.[source]?.state ?? 'ask';

/** Records a decision; "ask" forgets it (the grant window shows again next time). */
export function setGrant(
  table: GrantTable,
  origin: string,
  source: GrantSource,
  state: GrantState | 'ask',
  now: number,
): void {
  const site = (table[origin] ??= {});
  if (state === 'ask') {
    delete site[source];
  } else {
    const prev = site[source];
    site[source] = { state, created: prev && prev.state === state ? prev.created : now, lastUsed: now };
  }
  if (!Object.keys(site).length) delete table[origin];
}

export function touchGrant(table: GrantTable, origin: string, source: GrantSource, now: number): void {
  const rec = table[origin]?.[source];
  if (rec) rec.lastUsed = now;
}
