// Reading settings and policy in any extension context (content script, background, pages).
import browser from 'webextension-polyfill';
import { STORAGE_KEYS, mergeSettings, sanitizeSettings, type Settings } from './settings';

/** storage.managed throws in Firefox when no policy exists and may be absent: both mean "no policy". */
async function readManaged(): Promise<Record<string, unknown>> {
  try {
    return (await browser.storage.managed.get()) ?? {};
  } catch {
    return {};
  }
}

export async function loadEffectiveSettings(log: (w: string) => void = () => undefined): Promise<Settings> {
  const [local, managed] = await Promise.all([browser.storage.local.get(STORAGE_KEYS.settings), readManaged()]);
  const user = sanitizeSettings(local[STORAGE_KEYS.settings], 'storage.local');
  const policy = sanitizeSettings(managed[STORAGE_KEYS.settings], 'policy');
  [...user.warnings, ...policy.warnings].forEach(log);
  return mergeSettings(user.value, policy.value);
}

export function watchSettings(onChange: () => void): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'managed' || (area === 'local' && STORAGE_KEYS.settings in changes)) onChange();
  });
}
