// The permission embargo, as the browsers' own prompts have it: a site whose picker the person keeps
// dismissing stops asking for a while. Chromium embargoes after 3 dismissals for 7 days; MediaGate
// takes the same numbers, so that a person who uses both sees one behaviour: fewer would punish a
// person who closed the picker by mistake, more would leave a site free to keep interrupting.
// Dismissals older than the embargo's length are forgotten; an Allow in the picker, or any decision
// the person sets for the site in the popup or options page, clears the count and the embargo.
import type { PermissionKind } from '../../shared/permissions';
import { isFiniteNumber, isRecord } from '../../shared/validate';

export const EMBARGO = { dismissals: 3, ms: 7 * 24 * 60 * 60 * 1000 } as const;

interface Entry {
  /** When each counted dismissal happened (ms), oldest first. */
  dismissed: number[];
  /** Until when the site asks in vain (ms), once embargoed. */
  until?: number;
}
export type EmbargoTable = Record<string, Partial<Record<PermissionKind, Entry>>>;

const KINDS: PermissionKind[] = ['camera', 'microphone'];
/** Stored values are checked like any other storage: anything odd is dropped. */
export function parseEmbargo(raw: unknown): EmbargoTable {
  const out: EmbargoTable = Object.create(null) as EmbargoTable;
  if (!isRecord(raw)) return out;
  for (const [origin, v] of Object.entries(raw)) {
    if (!isRecord(v)) continue;
    const site: Partial<Record<PermissionKind, Entry>> = {};
    for (const kind of KINDS) {
      const e = v[kind];
      if (!isRecord(e) || !Array.isArray(e.dismissed)) continue;
      const dismissed = e.dismissed.filter(isFiniteNumber).slice(-EMBARGO.dismissals);
      site[kind] = isFiniteNumber(e.until) ? { dismissed, until: e.until } : { dismissed };
    }
    if (Object.keys(site).length) out[origin] = site;
  }
  return out;
}

export function isEmbargoed(table: EmbargoTable, origin: string, kind: PermissionKind, now: number): boolean {
  const until = table[origin]?.[kind]?.until;
  return until !== undefined && now < until;
}

/** Counts a dismissal; the third within the embargo's length starts the embargo (and a new count). */
export function noteDismissal(table: EmbargoTable, origin: string, kind: PermissionKind, now: number): void {
  const site = (table[origin] ??= {});
  const entry = site[kind] ?? { dismissed: [] };
  const recent = entry.dismissed.filter((t) => now - t < EMBARGO.ms && t <= now);
  recent.push(now);
  site[kind] =
    recent.length >= EMBARGO.dismissals
      ? { dismissed: [], until: now + EMBARGO.ms }
      : { dismissed: recent, ...(entry.until !== undefined && now < entry.until ? { until: entry.until } : {}) };
}

/** The person allowed or decided: the site starts afresh. */
export function clearEmbargo(table: EmbargoTable, origin: string, kind: PermissionKind): void {
  const site = table[origin];
  if (!site) return;
  delete site[kind];
  if (!Object.keys(site).length) delete table[origin];
}

/** Entries with nothing left to remember (expired, no recent dismissal) go, so the table stays small. */
export function pruneEmbargo(table: EmbargoTable, now: number): void {
  for (const [origin, site] of Object.entries(table)) {
    for (const kind of KINDS) {
      const e = site[kind];
      if (!e) continue;
      const live = (e.until !== undefined && now < e.until) || e.dismissed.some((t) => now - t < EMBARGO.ms);
      if (!live) delete site[kind];
    }
    if (!Object.keys(site).length) delete table[origin];
  }
}
