// The per-site permission store: per origin and kind, allow / block / ask, an optional remembered
// device, and when the decision was made and last used. Pure functions over a plain object kept in
// storage.local under STORAGE_KEYS.sites; only the background writes it.

import { isRecord, isString, isFiniteNumber, isOneOf, isBoolean } from './validate';
import { isWebOrigin } from './origin';
import type { SiteView } from './settings';

export const PERMISSION_KINDS = ['camera', 'microphone'] as const;
export type PermissionKind = (typeof PERMISSION_KINDS)[number];
export const DECISIONS = ['allow', 'block', 'ask'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface RememberedDevice {
  label: string;
}

export interface KindRecord {
  state: Decision;
  /** Given through MediaGate's picker (not only through the browser's own prompt). */
  viaPicker: boolean;
  device?: RememberedDevice;
  created: number;
  lastUsed: number;
}

export type SiteRecord = Partial<Record<PermissionKind, KindRecord>>;
export type SiteTable = Record<string, SiteRecord>;

export const kindOfTrack = (kind: 'audio' | 'video'): PermissionKind => (kind === 'audio' ? 'microphone' : 'camera');

const MAX_LABEL = 512;

function parseKindRecord(v: unknown): KindRecord | null {
  if (
    !isRecord(v) ||
    !isOneOf(v.state, DECISIONS) ||
    !isBoolean(v.viaPicker) ||
    !isFiniteNumber(v.created) ||
    !isFiniteNumber(v.lastUsed)
  )
    return null;
  const rec: KindRecord = { state: v.state, viaPicker: v.viaPicker, created: v.created, lastUsed: v.lastUsed };
  if (v.device !== undefined) {
    if (!isRecord(v.device) || !isString(v.device.label) || v.device.label.length > MAX_LABEL) return null;
    rec.device = { label: v.device.label };
  }
  return rec;
}

/** Keeps valid records only; each dropped one is reported, nothing throws. */
export function parseSiteTable(raw: unknown, warn: (m: string) => void = () => undefined): SiteTable {
  const table: SiteTable = {};
  if (raw === undefined) return table;
  if (!isRecord(raw)) {
    warn('sites: stored permissions are not an object; starting empty');
    return table;
  }
  for (const [origin, site] of Object.entries(raw)) {
    if (!isWebOrigin(origin) || !isRecord(site)) {
      warn(`sites: dropped corrupt record "${origin.slice(0, 100)}"`);
      continue;
    }
    const rec: SiteRecord = {};
    for (const kind of PERMISSION_KINDS) {
      if (site[kind] === undefined) continue;
      const parsed = parseKindRecord(site[kind]);
      if (parsed) rec[kind] = parsed;
      else warn(`sites: dropped corrupt ${kind} decision of "${origin}"`);
    }
    if (Object.keys(rec).length) table[origin] = rec;
  }
  return table;
}

export function decide(
  table: SiteTable,
  origin: string,
  kind: PermissionKind,
  state: Decision,
  now: number,
  opts: { viaPicker: boolean; device?: RememberedDevice },
): void {
  const site = (table[origin] ??= {});
  if (state === 'ask') {
    delete site[kind];
    if (!Object.keys(site).length) delete table[origin];
    return;
  }
  const prev = site[kind];
  site[kind] = {
    state,
    viaPicker: opts.viaPicker,
    ...(opts.device ? { device: { label: opts.device.label.slice(0, MAX_LABEL) } } : {}),
    created: prev && prev.state === state ? prev.created : now,
    lastUsed: now,
  };
}

export function touch(table: SiteTable, origin: string, kind: PermissionKind, now: number): void {
  const rec = table[origin]?.[kind];
  if (rec) rec.lastUsed = now;
}

export function stateOf(table: SiteTable, origin: string, kind: PermissionKind): Decision {
  return table[origin]?.[kind]?.state ?? 'ask';
}

/** What the main world of `origin` may know: its own decisions, nothing about other sites. */
export function siteView(table: SiteTable, origin: string | null): SiteView {
  const site = origin ? table[origin] : undefined;
  return {
    camera: site?.camera?.state ?? 'ask',
    microphone: site?.microphone?.state ?? 'ask',
    ...(site?.camera?.device ? { rememberedCamera: site.camera.device.label } : {}),
    ...(site?.microphone?.device ? { rememberedMicrophone: site.microphone.device.label } : {}),
    cameraAllowedViaPicker: site?.camera?.state === 'allow' && site.camera.viaPicker,
    microphoneAllowedViaPicker: site?.microphone?.state === 'allow' && site.microphone.viaPicker,
  };
}
