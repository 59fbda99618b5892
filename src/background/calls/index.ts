// The call registry: which tabs/frames capture or offer conferencing actions, from their reports.
import browser from 'webextension-polyfill';
import { SerialStore } from '../state/serial-store';
import { applySnapshot, dropTab, listCalls, parseCallTable, type CallTable } from './records';
import type { CallRecord, CallSnapshot, MediaSessionAction, PushEnvelope } from '../../shared/protocol';
import { LIMITS } from '../../shared/protocol';

const store = new SerialStore<CallTable>('session', 'calls', (raw) => parseCallTable(raw, console.warn));

export function recordSnapshot(sender: { tabId: number; frameId: number; origin: string; title: string }, snapshot: CallSnapshot): Promise<null> {
  return store.update((table) => {
    applySnapshot(table, { ...sender, title: sender.title.slice(0, LIMITS.titleLength), updated: Date.now() }, snapshot);
    return null;
  });
}

export const allCalls = async (): Promise<CallRecord[]> => listCalls(await store.get());

export async function invokeAction(tabId: number, frameId: number, action: MediaSessionAction): Promise<boolean> {
  const table = await store.get();
  const rec = Object.values(table).find((r) => r.tabId === tabId && r.frameId === frameId);
  if (!rec || !rec.actions.includes(action)) return false;
  const push: PushEnvelope<'media-session/invoke'> = { channel: 'push', type: 'media-session/invoke', payload: { action } };
  await browser.tabs.sendMessage(tabId, push, { frameId });
  return true;
}

export function watchTabs(): void {
  browser.tabs.onRemoved.addListener((tabId) => { void store.update((t) => dropTab(t, tabId)); });
  browser.tabs.onUpdated.addListener((tabId, info) => {
    // A new document in the tab: its old calls ended with the old document.
    if (info.status === 'loading' && info.url) void store.update((t) => dropTab(t, tabId));
  });
}
