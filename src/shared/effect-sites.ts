// The person's effect switches remembered per site: switching blur or voice isolation in the toolbar
// popup for a call on a site applies to that site's later captures too, over the person's
// default (settings blurByDefault / voiceIsolationByDefault). Kept in storage.local ("effectSites").
import { isRecord } from './validate';

export const EFFECT_SITES_KEY = 'effectSites';
const MAX_SITES = 2000;

export type EffectChoice = { audio?: boolean; video?: boolean; at: number };

/** origin -> choice; anything malformed is dropped (corrupt storage means "nothing remembered"). */
export function parseEffectSites(raw: unknown): Record<string, EffectChoice> {
  const out: Record<string, EffectChoice> = Object.create(null);
  if (!isRecord(raw)) return out;
  for (const [origin, v] of Object.entries(raw)) {
    if (!isRecord(v) || typeof v.at !== 'number' || !Number.isFinite(v.at) || origin.length > 2048) continue;
    const c: EffectChoice = { at: v.at };
    if (typeof v.audio === 'boolean') c.audio = v.audio;
    if (typeof v.video === 'boolean') c.video = v.video;
    out[origin] = c;
  }
  return out;
}

export function rememberedEffects(raw: unknown, origin: string | null): { audio?: boolean; video?: boolean } {
  if (origin === null) return {};
  const c = parseEffectSites(raw)[origin];
  if (!c) return {};
  return { ...(c.audio !== undefined ? { audio: c.audio } : {}), ...(c.video !== undefined ? { video: c.video } : {}) };
}

/** The table with the person's switch of `kind` on `origin` remembered (newest MAX_SITES kept). */
export function withEffectChoice(
  raw: unknown,
  origin: string,
  kind: 'audio' | 'video',
  on: boolean,
  now: number,
): Record<string, EffectChoice> {
  const sites = parseEffectSites(raw);
  sites[origin] = { ...sites[origin], [kind]: on, at: now };
  const entries = Object.entries(sites);
  if (entries.length <= MAX_SITES) return sites;
  entries.sort((a, b) => b[1].at - a[1].at);
  return Object.fromEntries(entries.slice(0, MAX_SITES));
}
