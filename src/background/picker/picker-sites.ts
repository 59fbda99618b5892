import browser from 'webextension-polyfill';
import { PICKER_SITES_KEY, withPickerSite } from '../../shared/picker-sites';

/** Called when a site opens the picker (see shared/picker-sites.ts). */
export async function notePickerSite(origin: string): Promise<void> {
  const stored = (await browser.storage.local.get(PICKER_SITES_KEY))[PICKER_SITES_KEY];
  const next = withPickerSite(stored, origin, Date.now());
  if (next) await browser.storage.local.set({ [PICKER_SITES_KEY]: next });
}
