// Answers reach the document that asked, not whatever the frame shows now: each request keeps its
// runtime sender's documentId (Chromium, and Firefox 153) and the answer is addressed to it, so a frame
// navigated meanwhile (another page, perhaps another origin) gets nothing, and the browser tells us the
// document is gone. Without a documentId (older browsers) the frame id is all there is.
import browser from 'webextension-polyfill';
import type { PickerFiles, PickerOutcome, PushEnvelope } from '../../shared/protocol';
import type { PendingRequest } from './records';

type Address = Pick<PendingRequest, 'frameId' | 'documentId'>;
const options = (to: Address) =>
  (to.documentId ? { documentId: to.documentId } : { frameId: to.frameId }) as browser.Tabs.SendMessageOptionsType;

export async function send(tabId: number, to: Address, requestId: string, outcome: PickerOutcome): Promise<void> {
  const push: PushEnvelope<'picker/result'> = {
    channel: 'push',
    type: 'picker/result',
    payload: { requestId, outcome },
  };
  await browser.tabs.sendMessage(tabId, push, options(to)).catch(() => undefined);
}

/** Whether the requesting document is still there (its content script answers the call probe). */
export async function documentAlive(tabId: number, to: Address): Promise<boolean> {
  try {
    await browser.tabs.sendMessage(tabId, { channel: 'probe', type: 'calls/alive' }, options(to));
    return true;
  } catch {
    return false;
  }
}

// A chosen file (up to 32 MB) is never written to storage.session, whose 10 MB every tab shares: the
// stored answer keeps its name and type, the bytes stay in the worker's memory until sent. A worker
// stopped in between has lost them; the picker window's retry of its decision brings them again, and
// an answer whose bytes are gone for good becomes a refusal rather than an empty file.
const held = new Map<string, PickerFiles>();

/** The outcome as stored: files without their bytes (the bytes are held in memory for `pickerId`). */
export function storable(pickerId: string, outcome: PickerOutcome): PickerOutcome {
  if (!outcome.ok || !outcome.files) return outcome;
  const files: PickerFiles = {};
  const bytes: PickerFiles = { ...held.get(pickerId) };
  for (const kind of ['audio', 'video'] as const) {
    const f = outcome.files[kind];
    if (!f) continue;
    bytes[kind] = f;
    files[kind] = { name: f.name, type: f.type, base64: '' };
  }
  held.set(pickerId, bytes);
  return { ...outcome, files };
}

/** The stored outcome with its files' bytes put back, or a refusal when they are lost. */
export function deliverable(pickerId: string, outcome: PickerOutcome, retry: PickerFiles): PickerOutcome {
  if (!outcome.ok || !outcome.files) return outcome;
  const files: PickerFiles = {};
  for (const kind of ['audio', 'video'] as const) {
    const f = outcome.files[kind];
    if (!f) continue;
    const bytes = held.get(pickerId)?.[kind] ?? retry[kind];
    if (!bytes)
      return { ok: false, error: { name: 'NotAllowedError', message: 'The chosen file is no longer available' } };
    files[kind] = bytes;
  }
  return { ...outcome, files };
}

export const release = (pickerId: string): void => {
  held.delete(pickerId);
};
