// Pure bookkeeping of which frames are in a call. Stored in storage.session as a plain object so a
// restarted service worker picks up where it stopped.
import { isCallSnapshot, type CallRecord, type CallSnapshot } from '../../shared/protocol';
import { isRecord, isFiniteNumber, isString } from '../../shared/validate';

export type CallTable = Record<string, CallRecord>;

export const frameKey = (tabId: number, frameId: number): string => `${tabId}:${frameId}`;

/**
 * Frames of one tab the registry keeps (storage.session, 10 MB shared by every tab). A frame reports at
 * most 64 tracks (45 KB at the protocol's longest ids and labels); a page with hundreds of capturing
 * frames would otherwise fill the store for
 * every tab. Frames beyond it are not listed (the popup cannot act on them); a frame already listed
 * keeps being updated.
 */
export const FRAMES_PER_TAB = 32;

export function applySnapshot(
  table: CallTable,
  meta: Omit<CallRecord, keyof CallSnapshot>,
  snapshot: CallSnapshot,
): void {
  const key = frameKey(meta.tabId, meta.frameId);
  const empty =
    snapshot.tracks.length === 0 &&
    !snapshot.actions.some(isConferencing) &&
    Object.values(snapshot.reported).every((v) => v === undefined);
  if (empty) delete table[key];
  else if (!(key in table) && Object.values(table).filter((r) => r.tabId === meta.tabId).length >= FRAMES_PER_TAB)
    return;
  // Field by field: the sender-derived meta can never be overwritten by what a page sent.
  else
    table[key] = {
      tabId: meta.tabId,
      frameId: meta.frameId,
      origin: meta.origin,
      title: meta.title,
      updated: meta.updated,
      tracks: snapshot.tracks,
      actions: snapshot.actions,
      reported: snapshot.reported,
      ...(snapshot.talkingWhileMuted ? { talkingWhileMuted: true as const } : {}),
    };
}

export function dropTab(table: CallTable, tabId: number): boolean {
  let dropped = false;
  for (const [key, rec] of Object.entries(table)) {
    if (rec.tabId === tabId) {
      delete table[key];
      dropped = true;
    }
  }
  return dropped;
}

/** Most recently updated first: commands act on the call the person touched last. */
export const listCalls = (table: CallTable): CallRecord[] => Object.values(table).sort((a, b) => b.updated - a.updated);

const isConferencing = (a: string) =>
  a === 'togglemicrophone' || a === 'togglecamera' || a === 'togglescreenshare' || a === 'hangup';

/** Storage may hold anything (older versions, corruption): keep the valid records only. */
export function parseCallTable(raw: unknown, warn: (m: string) => void = () => undefined): CallTable {
  const table: CallTable = {};
  if (raw === undefined) return table;
  if (!isRecord(raw)) {
    warn('calls: stored table is not an object; starting empty');
    return table;
  }
  for (const [key, rec] of Object.entries(raw)) {
    if (
      isRecord(rec) &&
      isFiniteNumber(rec.tabId) &&
      isFiniteNumber(rec.frameId) &&
      isString(rec.origin) &&
      isString(rec.title) &&
      isFiniteNumber(rec.updated) &&
      isCallSnapshot({
        tracks: rec.tracks,
        actions: rec.actions,
        reported: rec.reported,
        talkingWhileMuted: rec.talkingWhileMuted,
      }) &&
      key === frameKey(rec.tabId, rec.frameId)
    ) {
      table[key] = rec as unknown as CallRecord;
    } else {
      warn(`calls: dropped corrupt record "${key}"`);
    }
  }
  return table;
}
