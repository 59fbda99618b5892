// The pending pickers, kept in storage.session so that a service worker stopped while the person
// thinks loses nothing. One record per tab and origin; one record per tab shows its window at a time,
// the others wait in turn (`queued`).
import { SerialStore } from '../state/serial-store';
import { isRecord } from '../../shared/validate';
import type { PickerKinds, PickerOutcome } from '../../shared/protocol';
import { requestBytes, type PendingLoad } from './caps';

export interface PendingRequest {
  requestId: string;
  frameId: number;
  /** The requesting document (runtime sender's documentId): its answer goes to it and to no later document of the frame. */
  documentId?: string;
  kinds: PickerKinds;
  /** requestBytes(kinds), counted against the caps. */
  bytes?: number;
}
export interface PickerRecord {
  pickerId: string;
  tabId: number;
  origin: string;
  windowId: number | null;
  requests: PendingRequest[];
  /** Waits for the tab's shown picker to be answered before its own window opens. */
  queued?: boolean;
  /** The first request had user activation: its window may take the focus when it shows. */
  activated?: boolean;
  created?: number;
  /**
   * Set once, by the first finish: the answers, by request, kept until every frame was sent its own.
   * A chosen file's bytes are never stored here (see delivery.ts).
   */
  outcomes?: Record<string, PickerOutcome>;
}
export type PickerTable = Record<string, PickerRecord>;

// Stored by this code only; a record that does not look like one (older version) is dropped.
export const pickers = new SerialStore<PickerTable>('session', 'pickers', (raw) => {
  const table: PickerTable = {};
  if (isRecord(raw)) {
    for (const [id, rec] of Object.entries(raw)) {
      if (isRecord(rec) && Array.isArray(rec.requests) && (rec.outcomes === undefined || isRecord(rec.outcomes)))
        table[id] = rec as unknown as PickerRecord;
    }
  }
  return table;
});

/** The unanswered requests of every tab, by tab and origin, as the caps count them. */
export const pendingLoad = (table: PickerTable): PendingLoad[] =>
  Object.values(table)
    .filter((p) => !p.outcomes)
    .map((p) => ({ tabId: p.tabId, origin: p.origin, bytes: p.requests.map((r) => r.bytes ?? requestBytes(r.kinds)) }));

/** The tab's pickers not yet answered, oldest first. */
export const openOfTab = (table: PickerTable, tabId: number): PickerRecord[] =>
  Object.values(table)
    .filter((p) => p.tabId === tabId && !p.outcomes)
    .sort((a, b) => (a.created ?? 0) - (b.created ?? 0));
