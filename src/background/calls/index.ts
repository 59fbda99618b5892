// The call registry: which tabs/frames capture or offer conferencing actions, from their reports.
import browser from 'webextension-polyfill';
import { SerialStore } from '../state/serial-store';
import { applySnapshot, dropTab, frameKey, listCalls, parseCallTable, type CallTable } from './records';
import type { CallRecord, CallSnapshot, MediaSessionAction } from '../../shared/protocol';
import { performAction, stopCapture } from './actions';
import { showCallState } from './badge';
import { LIMITS } from '../../shared/protocol';
import { EFFECT_SITES_KEY, withEffectChoice } from '../../shared/effect-sites';

async function rememberEffect(origin: string, kind: 'audio' | 'video', on: boolean): Promise<void> {
  const stored = (await browser.storage.local.get(EFFECT_SITES_KEY))[EFFECT_SITES_KEY];
  await browser.storage.local.set({ [EFFECT_SITES_KEY]: withEffectChoice(stored, origin, kind, on, Date.now()) });
}

const store = new SerialStore<CallTable>('session', 'calls', (raw) => parseCallTable(raw, console.warn));

export async function recordSnapshot(
  sender: { tabId: number; frameId: number; origin: string; title: string },
  snapshot: CallSnapshot,
): Promise<null> {
  const calls = await store.update((table) => {
    applySnapshot(
      table,
      { ...sender, title: sender.title.slice(0, LIMITS.titleLength), updated: Date.now() },
      snapshot,
    );
    return listCalls(table);
  });
  await showCallState(calls);
  return null;
}

/** Does the frame's current document still report this call? (Navigation and reloads end calls.) */
async function stillInCall(rec: CallRecord): Promise<boolean> {
  try {
    return (
      (await browser.tabs.sendMessage(
        rec.tabId,
        { channel: 'probe', type: 'calls/alive' },
        { frameId: rec.frameId },
      )) === true
    );
  } catch {
    return false; // no content script there any more: tab closed or navigated elsewhere
  }
}

/**
 * The calls in progress, checked against the frames themselves when asked, rather than by listening
 * to every navigation of every tab (that would wake the background on each page load).
 */
export async function allCalls(): Promise<CallRecord[]> {
  const records = listCalls(await store.get());
  const alive = await Promise.all(records.map(stillInCall));
  const gone = records.filter((_, i) => !alive[i]);
  const live = records.filter((_, i) => alive[i]);
  if (gone.length) {
    await store.update((t) => {
      for (const r of gone) delete t[frameKey(r.tabId, r.frameId)];
    });
    await showCallState(live);
  }
  return live;
}

export async function invokeAction(tabId: number, frameId: number, action: MediaSessionAction): Promise<boolean> {
  const rec = (await allCalls()).find((r) => r.tabId === tabId && r.frameId === frameId);
  return rec ? performAction(rec, action) : false;
}

/** The person switched an effect from the popup: only frames with a track that can switch it are asked. */
export async function switchEffect(
  tabId: number,
  frameId: number,
  kind: 'audio' | 'video',
  on: boolean,
): Promise<boolean> {
  const rec = (await allCalls()).find((r) => r.tabId === tabId && r.frameId === frameId);
  if (!rec?.tracks.some((t) => t.kind === kind && t.effect !== undefined)) return false;
  await browser.tabs.sendMessage(tabId, { channel: 'push', type: 'effects/set', payload: { kind, on } }, { frameId });
  // Remembered for the site: its next captures start with the person's choice.
  await rememberEffect(rec.origin, kind, on);
  return true;
}

/** Stop camera and microphone: every frame of the tab in a call ends its capture. */
export async function stopTab(tabId: number): Promise<boolean> {
  const results = await Promise.all(
    (await allCalls()).filter((c) => c.tabId === tabId).map((c) => stopCapture(c).catch(() => false)),
  );
  return results.some(Boolean);
}

/** The call window lives in the tab's top document. */
export async function showCallWindow(tabId: number): Promise<boolean> {
  if (!(await allCalls()).some((c) => c.tabId === tabId)) return false;
  await browser.tabs.sendMessage(tabId, { channel: 'push', type: 'call-window/open', payload: {} }, { frameId: 0 });
  return true;
}

export function watchTabs(): void {
  browser.tabs.onRemoved.addListener((tabId) => {
    void store
      .update((t) => {
        dropTab(t, tabId);
        return listCalls(t);
      })
      .then(showCallState);
  });
}
