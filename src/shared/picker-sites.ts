// The sites that asked for MediaGate's picker (`semantics: "user-chooses"`), for the default label
// policy "hide-after-user-chooses": once a site lets the person choose in the picker, the picker
// replaces its own device menu and its enumerateDevices() names can go (until the person allows it a
// device there). A site that never asks keeps the names the browser gives it, so no working site's
// device menu goes blank because MediaGate was installed.
import { isRecord } from './validate';

export const PICKER_SITES_KEY = 'pickerSites';
/** Oldest entries go first past this: one origin costs ~60 bytes of storage.local. */
const MAX_SITES = 2000;

/** origin -> when it first asked; anything malformed is dropped (corrupt storage means "never asked"). */
export function parsePickerSites(raw: unknown): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  if (!isRecord(raw)) return out;
  for (const [origin, at] of Object.entries(raw))
    if (typeof at === 'number' && Number.isFinite(at) && origin.length <= 2048) out[origin] = at;
  return out;
}

export const usesPicker = (raw: unknown, origin: string | null): boolean =>
  origin !== null && Object.hasOwn(parsePickerSites(raw), origin);

/** Adds `origin` (kept to MAX_SITES, newest kept); a no-op for a site already listed. */
export function withPickerSite(raw: unknown, origin: string, now: number): Record<string, number> | null {
  const sites = parsePickerSites(raw);
  if (Object.hasOwn(sites, origin)) return null;
  sites[origin] = now;
  const entries = Object.entries(sites);
  if (entries.length <= MAX_SITES) return sites;
  entries.sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(entries.slice(0, MAX_SITES));
}
