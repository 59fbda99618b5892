// Reading settings and policy in any extension context (content script, background, pages).
import { ext as browser } from './ext';
import { PICKER_SITES_KEY, usesPicker } from './picker-sites';
import { EFFECT_SITES_KEY, rememberedEffects } from './effect-sites';
import { STORAGE_KEYS, mergeSettings, sanitizeSettings, pageConfig, type Settings, type PageConfig } from './settings';
import { parseSiteTable, siteView } from './permissions';
import { parseSitePolicy, withPolicy, type SitePolicy } from './policy';
import { HANDOFF_KEY, isHex256, newSecret } from './handoff-ticket';

/** storage.managed throws in Firefox when no policy exists and may be absent: both mean "no policy". */
async function readManaged(): Promise<Record<string, unknown>> {
  try {
    return (await browser.storage.managed.get()) ?? {};
  } catch {
    return {};
  }
}

export interface LoadedSettings {
  effective: Settings;
  user: Partial<Settings>;
  policy: Partial<Settings>;
}

export async function loadSettings(log: (w: string) => void = () => undefined): Promise<LoadedSettings> {
  const [local, managed] = await Promise.all([browser.storage.local.get(STORAGE_KEYS.settings), readManaged()]);
  const user = sanitizeSettings(local[STORAGE_KEYS.settings], 'storage.local');
  const policy = sanitizeSettings(managed[STORAGE_KEYS.settings], 'policy');
  [...user.warnings, ...policy.warnings].forEach(log);
  return { effective: mergeSettings(user.value, policy.value), user: user.value, policy: policy.value };
}

/** The administrator's per-origin lists (storage.managed "sites"). */
export async function loadSitePolicy(log: (w: string) => void = () => undefined): Promise<SitePolicy> {
  return parseSitePolicy((await readManaged()).sites, log);
}

const MAX_PROBLEMS = 50;

/** What the administrator's policy holds that MediaGate ignores (wrong types, unknown members, bad patterns). */
export async function policyProblems(): Promise<string[]> {
  const managed = await readManaged();
  const problems = [...sanitizeSettings(managed[STORAGE_KEYS.settings], 'policy').warnings];
  parseSitePolicy(managed.sites, (w) => problems.push(w));
  // A policy of thousands of bad entries is one mistake repeated: its first ones say enough.
  return problems.length > MAX_PROBLEMS
    ? [...problems.slice(0, MAX_PROBLEMS), `policy: ${problems.length - MAX_PROBLEMS} more entries ignored`]
    : problems;
}

export const loadEffectiveSettings = async (log?: (w: string) => void): Promise<Settings> =>
  (await loadSettings(log)).effective;

/**
 * The main world's config for a frame of `origin` (content script side). Every frame of every page asks
 * at load: one read of each storage area, not one per record.
 */
export async function loadPageConfig(origin: string | null): Promise<PageConfig> {
  return (await loadPageStart(origin)).config;
}

/** The installation's handoff secret (src/shared/handoff-ticket.ts), made where there is none yet. */
export async function ensureHandoffKey(stored?: unknown): Promise<string> {
  const key = stored === undefined ? (await browser.storage.local.get(HANDOFF_KEY))[HANDOFF_KEY] : stored;
  if (isHex256(key)) return key;
  const made = newSecret();
  await browser.storage.local.set({ [HANDOFF_KEY]: made });
  return made;
}

/** What a frame's content script needs at start, in one storage read: the page config and the handoff secret. */
export async function loadPageStart(origin: string | null): Promise<{ config: PageConfig; handoffKey: string }> {
  const [local, managed] = await Promise.all([
    browser.storage.local.get([
      STORAGE_KEYS.settings,
      STORAGE_KEYS.sites,
      PICKER_SITES_KEY,
      EFFECT_SITES_KEY,
      HANDOFF_KEY,
    ]),
    readManaged(),
  ]);
  const handoffKey = await ensureHandoffKey(local[HANDOFF_KEY] ?? null);
  const settings = mergeSettings(
    sanitizeSettings(local[STORAGE_KEYS.settings], 'storage.local').value,
    sanitizeSettings(managed[STORAGE_KEYS.settings], 'policy').value,
  );
  const policy = parseSitePolicy(managed.sites);
  const config = pageConfig(
    settings,
    {
      ...withPolicy(siteView(parseSiteTable(local[STORAGE_KEYS.sites]), origin), policy, origin),
      usesPicker: usesPicker(local[PICKER_SITES_KEY], origin),
    },
    rememberedEffects(local[EFFECT_SITES_KEY], origin),
  );
  return { config, handoffKey };
}

export function watchSettings(onChange: () => void): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (
      area === 'managed' ||
      (area === 'local' &&
        (STORAGE_KEYS.settings in changes ||
          STORAGE_KEYS.sites in changes ||
          PICKER_SITES_KEY in changes ||
          EFFECT_SITES_KEY in changes))
    )
      onChange();
  });
}
