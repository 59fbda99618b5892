// The permission store in the background: the only writer of storage.local "sites", serialised.
// In Chromium it also grants or revokes the site's own camera/microphone permission through
// contentSettings, so that MediaGate's picker is the one prompt the person sees.
import { SerialStore } from '../state/serial-store';
import { STORAGE_KEYS } from '../../shared/settings';
import {
  decide,
  parseSiteTable,
  stateOf,
  type Decision,
  type PermissionKind,
  type SiteTable,
} from '../../shared/permissions';
import { policyDecision } from '../../shared/policy';
import { loadSitePolicy } from '../../shared/storage';
import { contentSettingsPattern } from '../../shared/origin';

export const sites = new SerialStore<SiteTable>('local', STORAGE_KEYS.sites, (raw) =>
  parseSiteTable(raw, console.warn),
);

/** The decision for an origin: the administrator's policy first, then the person's store. */
export async function stateFor(origin: string, kind: PermissionKind): Promise<Decision> {
  const [table, policy] = await Promise.all([sites.get(), loadSitePolicy()]);
  return policyDecision(policy, kind, origin) ?? stateOf(table, origin, kind);
}

/** Sets the browser's own permission of the site where the browser lets an extension (Chromium). */
export async function setBrowserPermission(
  origin: string,
  kind: PermissionKind,
  setting: 'allow' | 'block' | 'ask',
): Promise<boolean> {
  const settings = (globalThis as { chrome?: typeof chrome }).chrome?.contentSettings;
  if (__BROWSER__ !== 'chromium' || !settings) return false;
  await settings[kind].set({ primaryPattern: contentSettingsPattern(origin), setting });
  return true;
}

export async function record(
  origin: string,
  kind: PermissionKind,
  state: Decision,
  opts: { viaPicker: boolean; deviceLabel?: string },
): Promise<void> {
  await sites.update((table) =>
    decide(table, origin, kind, state, Date.now(), {
      viaPicker: opts.viaPicker,
      ...(opts.deviceLabel ? { device: { label: opts.deviceLabel } } : {}),
    }),
  );
}
