// The person's settings (storage.local) under the administrator's policy (storage.managed).
import { SerialStore } from '../state/serial-store';
import { STORAGE_KEYS, pinnedByPolicy, sanitizeSettings, type Settings } from '../../shared/settings';
import { loadSettings, policyProblems } from '../../shared/storage';
import browser from 'webextension-polyfill';

const userSettings = new SerialStore<Partial<Settings>>(
  'local',
  STORAGE_KEYS.settings,
  (raw) => sanitizeSettings(raw, 'storage.local').value,
);

export async function getSettings(): Promise<{ effective: Settings; pinned: string[] }> {
  const { effective, policy } = await loadSettings();
  return { effective, pinned: pinnedByPolicy(policy) };
}

/** Merges a change into the person's settings; settings pinned by policy are left as the policy says. */
export async function setSettings(change: Partial<Settings>): Promise<{ effective: Settings; pinned: string[] }> {
  const { policy } = await loadSettings();
  const pinned = new Set(pinnedByPolicy(policy));
  await userSettings.update((current) => {
    for (const [key, value] of Object.entries(change) as [keyof Settings, never][]) {
      if (key === 'features') {
        const free = Object.entries(value as Settings['features']).filter(([f]) => !pinned.has(`features.${f}`));
        current.features = { ...current.features, ...Object.fromEntries(free) } as Settings['features'];
      } else if (!pinned.has(key)) {
        (current as Record<string, unknown>)[key] = value;
      }
    }
  });
  // storage.onChanged reaches every content script, which re-sends its page's config.
  return getSettings();
}

/**
 * Logs what the policy, and the person's stored settings, hold that MediaGate ignores: once per worker
 * start and once per change, not on every read (each permission check and page config reads them).
 * The options page lists the policy's problems for the administrator.
 */
export function watchPolicy(): void {
  const logged = new Set<string>();
  const check = async () => {
    const [policy, local] = await Promise.all([policyProblems(), browser.storage.local.get(STORAGE_KEYS.settings)]);
    const problems = [...policy, ...sanitizeSettings(local[STORAGE_KEYS.settings], 'storage.local').warnings];
    for (const p of problems)
      if (!logged.has(p)) {
        logged.add(p);
        console.warn(`MediaGate ${p}`);
      }
  };
  browser.storage.onChanged.addListener((changes, area) => {
    // A new policy is worth its warnings again; a settings change only adds new ones.
    if (area === 'managed') logged.clear();
    if (area === 'managed' || (area === 'local' && STORAGE_KEYS.settings in changes))
      void check().catch(() => undefined);
  });
  void check().catch(() => undefined);
}
