// Which frames share a screen, window or tab through MediaGate, for the popup's "Stop sharing".
// Recorded when the background hands out a capture; listed while the frame's call (the call
// registry, checked against the frame itself) has video tracks, forgotten once it had them and lost
// them. The page reports its tracks only after it opened the capture: until then a record is kept
// but not listed (a popup asking in between must not forget it).
import browser from 'webextension-polyfill';
import { SerialStore } from '../state/serial-store';
import { isRecord } from '../../shared/validate';
import { allCalls } from '../calls';
import type { PushEnvelope, ScreenSharing } from '../../shared/protocol';
import type { ScreenSource } from '../../shared/page-constants';

/** `seen`: the frame's call has had video tracks since the record was made. */
type Stored = ScreenSharing & { seen?: boolean };
type SharingTable = Record<string, Stored>;
const key = (tabId: number, frameId: number) => `${tabId}:${frameId}`;
/** A capture the page never reported (it failed to open it) is forgotten after this. */
const UNSEEN_MS = 60_000;

// Written by this module only; anything else (an older version's data) is dropped.
const store = new SerialStore<SharingTable>('session', 'screenSharing', (raw) => {
  const table: SharingTable = {};
  if (isRecord(raw))
    for (const [k, v] of Object.entries(raw))
      if (isRecord(v) && typeof v.tabId === 'number' && typeof v.frameId === 'number')
        table[k] = v as unknown as Stored;
  return table;
});

export async function noteSharing(tabId: number, frameId: number, origin: string, source: ScreenSource): Promise<void> {
  await store.update((t) => {
    t[key(tabId, frameId)] = { tabId, frameId, origin, source, since: Date.now() };
  });
}

export async function listSharing(): Promise<ScreenSharing[]> {
  const now = Date.now();
  const calls = await allCalls();
  const live = new Set(
    calls.filter((c) => c.tracks.some((tr) => tr.kind === 'video')).map((c) => key(c.tabId, c.frameId)),
  );
  return store.update((t) => {
    const out: ScreenSharing[] = [];
    for (const [k, v] of Object.entries(t)) {
      if (live.has(k)) {
        v.seen = true;
        const { seen: _, ...shown } = v;
        out.push(shown);
      } else if (v.seen || now - v.since > UNSEEN_MS) delete t[k];
    }
    return out;
  });
}

/** Ends what the frame shares; the page sees its tracks end. */
export async function stopSharing(tabId: number, frameId: number): Promise<boolean> {
  const had = await store.update((t) => {
    const was = key(tabId, frameId) in t;
    delete t[key(tabId, frameId)];
    return was;
  });
  if (!had) return false;
  const push: PushEnvelope<'screen-capture/stop'> = { channel: 'push', type: 'screen-capture/stop', payload: {} };
  await browser.tabs.sendMessage(tabId, push, { frameId }).catch(() => undefined);
  return true;
}

export function watchSharingTabs(): void {
  browser.tabs.onRemoved.addListener((tabId) => {
    void store.update((t) => {
      for (const [k, v] of Object.entries(t)) if (v.tabId === tabId) delete t[k];
    });
  });
}
