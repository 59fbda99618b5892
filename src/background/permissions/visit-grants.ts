// "Allow" without "Remember" is an answer for this visit, as the browsers' own "allow this time".
// In Chromium MediaGate grants the site's own permission (contentSettings) so that the person sees one
// prompt, not two; that grant must not outlive the visit. Each such grant is noted with the tabs it was
// given to and the setting it replaced, and put back once no tab of that origin remains. Kept in
// storage.local so that a grant left over by a browser that was closed meanwhile is undone at start.
import browser from 'webextension-polyfill';
import { SerialStore } from '../state/serial-store';
import { setBrowserPermission } from './index';
import type { PermissionKind } from '../../shared/permissions';
import { isRecord } from '../../shared/validate';

interface VisitGrant {
  origin: string;
  kind: PermissionKind;
  tabs: number[];
}
type Table = Record<string, VisitGrant>;

const KEY = 'visitGrants';
const parse = (raw: unknown): Table => {
  const out: Table = {};
  if (!isRecord(raw)) return out;
  for (const [k, v] of Object.entries(raw)) {
    if (
      isRecord(v) &&
      typeof v.origin === 'string' &&
      (v.kind === 'camera' || v.kind === 'microphone') &&
      Array.isArray(v.tabs)
    ) {
      out[k] = { origin: v.origin, kind: v.kind, tabs: v.tabs.filter((t): t is number => Number.isInteger(t)) };
    }
  }
  return out;
};
const grants = new SerialStore<Table>('local', KEY, parse);

const contentSettings = () => (globalThis as { chrome?: typeof chrome }).chrome?.contentSettings;

/** What the browser's own setting for the origin is now (Chromium), or null where there is none. */
async function currentSetting(origin: string, kind: PermissionKind): Promise<string | null> {
  const settings = contentSettings();
  if (__BROWSER__ !== 'chromium' || !settings) return null;
  const { setting } = await settings[kind].get({ primaryUrl: `${origin}/` });
  return setting;
}

/** Grants the browser permission for this visit of `tabId` (nothing to do where it is already allowed). */
export async function grantForVisit(origin: string, kind: PermissionKind, tabId: number): Promise<void> {
  const key = `${origin} ${kind}`;
  const existing = (await grants.get())[key];
  if (!existing && (await currentSetting(origin, kind)) === 'allow') return; // the site's own lasting grant
  await grants.update((t) => {
    const g = t[key] ?? { origin, kind, tabs: [] };
    if (!g.tabs.includes(tabId)) g.tabs.push(tabId);
    t[key] = g;
  });
  await setBrowserPermission(origin, kind, 'allow');
}

/** A remembered Allow (or any lasting decision) replaces the visit grant. */
export async function keepGrant(origin: string, kind: PermissionKind): Promise<void> {
  await grants.update((t) => {
    delete t[`${origin} ${kind}`];
  });
}

const leaves = (g: VisitGrant, tabId: number, stillAt: string | null) => g.tabs.includes(tabId) && g.origin !== stillAt;

async function leave(tabId: number, stillAt: string | null): Promise<void> {
  // Every navigation of every tab comes here: most have no grant to end, and must not cost a storage write.
  if (!Object.values(await grants.get()).some((g) => leaves(g, tabId, stillAt))) return;
  const ended = await grants.update((t) => {
    const out: VisitGrant[] = [];
    for (const [k, g] of Object.entries(t)) {
      if (!leaves(g, tabId, stillAt)) continue;
      g.tabs = g.tabs.filter((x) => x !== tabId);
      if (g.tabs.length === 0) {
        out.push(g);
        delete t[k];
      }
    }
    return out;
  });
  for (const g of ended) await setBrowserPermission(g.origin, g.kind, 'ask').catch(() => undefined);
}

export function watchVisits(): void {
  if (__BROWSER__ !== 'chromium') return;
  browser.tabs.onRemoved.addListener((tabId) => {
    void leave(tabId, null);
  });
  browser.tabs.onUpdated.addListener((tabId, change) => {
    if (!change.url) return;
    let origin: string | null = null;
    try {
      origin = new URL(change.url).origin;
    } catch {
      /* not a URL MediaGate grants for */
    }
    void leave(tabId, origin);
  });
  // The browser was closed during a visit: its grants are over.
  browser.runtime.onStartup.addListener(async () => {
    const left = await grants.update((t) => {
      const all = Object.values(t);
      for (const k of Object.keys(t)) delete t[k];
      return all;
    });
    for (const g of left) await setBrowserPermission(g.origin, g.kind, 'ask').catch(() => undefined);
  });
}
