// The application permission of screen capture: the stored grants and the window that asks for one.
// A waiting request lives in this worker's memory only: the grant window keeps the worker awake while
// it is open (it asks for its state every 20 s), and a worker that still stopped leaves the page's
// request to fail over to the browser's own behaviour (the page side has no promise to keep).
import browser from 'webextension-polyfill';
import { SerialStore } from '../state/serial-store';
import { STORAGE_KEYS } from '../../shared/settings';
import {
  grantOf,
  parseGrantTable,
  setGrant,
  touchGrant,
  type GrantSource,
  type GrantState,
  type GrantTable,
} from '../../shared/screen-grants';
import type { ScreenGrantState } from '../../shared/protocol';

export const grants = new SerialStore<GrantTable>('local', STORAGE_KEYS.screenGrants, (raw) =>
  parseGrantTable(raw, console.warn),
);

type Answer = GrantState | 'dismissed';
interface Pending {
  origin: string;
  source: GrantSource;
  windowId: number | null;
  answer: Promise<Answer>;
  resolve: (a: Answer) => void;
}
const pending = new Map<string, Pending>();

/** Stored decision, or "ask"; using an allowed grant counts as its last use. */
export async function storedGrant(origin: string, source: GrantSource): Promise<GrantState | 'ask'> {
  const state = grantOf(await grants.get(), origin, source);
  if (state === 'allow') await grants.update((t) => touchGrant(t, origin, source, Date.now()));
  return state;
}

/** Opens the grant window (or joins the one already open for this site and level). */
export async function askGrant(origin: string, source: GrantSource, focused = true): Promise<Answer> {
  for (const p of pending.values()) if (p.origin === origin && p.source === source) return p.answer;
  const grantId = crypto.randomUUID();
  let resolve!: (a: Answer) => void;
  const answer = new Promise<Answer>((r) => {
    resolve = r;
  });
  const rec: Pending = { origin, source, windowId: null, answer, resolve };
  pending.set(grantId, rec);
  try {
    const win = await browser.windows.create({
      url: browser.runtime.getURL(`screen-grant/grant.html?id=${grantId}`),
      type: 'popup',
      width: 480,
      height: 460,
      focused,
    });
    rec.windowId = win.id ?? null;
  } catch (e) {
    pending.delete(grantId);
    throw e;
  }
  return answer;
}

export const grantState = (grantId: string): ScreenGrantState | null => {
  const rec = pending.get(grantId);
  return rec ? { grantId, origin: rec.origin, source: rec.source } : null;
};

export async function decideGrant(grantId: string, decision: GrantState): Promise<boolean> {
  const rec = pending.get(grantId);
  if (!rec) return false;
  pending.delete(grantId);
  // Both answers are remembered, like the device picker's Block: the window never nags.
  await grants.update((t) => setGrant(t, rec.origin, rec.source, decision, Date.now()));
  rec.resolve(decision);
  if (rec.windowId !== null) await browser.windows.remove(rec.windowId).catch(() => undefined);
  return true;
}

/** The options page changes a decision; "ask" forgets it. */
export async function setGrantFromUi(origin: string, source: GrantSource, state: GrantState | 'ask'): Promise<boolean> {
  await grants.update((t) => setGrant(t, origin, source, state, Date.now()));
  return true;
}

export const listGrants = (): Promise<GrantTable> => grants.get();

/** Closing the window (or Escape) dismisses: NotAllowedError, nothing remembered. */
export function watchGrantWindows(): void {
  browser.windows.onRemoved.addListener((windowId) => {
    for (const [id, rec] of pending) {
      if (rec.windowId !== windowId) continue;
      pending.delete(id);
      rec.resolve('dismissed');
    }
  });
}
