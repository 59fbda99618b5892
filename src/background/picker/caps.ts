// How much one tab may keep waiting in the picker store (storage.session, 10 MB shared by every tab's
// pickers, calls and shares). Without caps a page filled it with ~26 requests of ~400 KB constraints
// and every tab's writes failed. Legitimate pages ask with constraints well under 1 KB, and the load
// run's busiest page keeps 5 calls waiting at once; a page beyond these caps is refused (NotAllowedError,
// as a browser that refuses without asking answers), while everything else keeps working. A tab holds
// at most 256 KB: it takes some 40 tabs flooding at once to fill the store, and opening tabs needs
// the person's clicks.
import type { PickerKinds } from '../../shared/protocol';

export const CAPS = {
  /** Pending requests of one origin in one tab (they share one picker window). */
  requestsPerOrigin: 8,
  bytesPerOrigin: 64 * 1024,
  /** Pending requests of every origin in one tab (frames of other origins queue behind the one shown). */
  requestsPerTab: 16,
  bytesPerTab: 256 * 1024,
} as const;

/** What a request costs in the store: the UTF-8 length of its JSON. */
export const requestBytes = (kinds: PickerKinds): number => new TextEncoder().encode(JSON.stringify(kinds)).length;

export interface PendingLoad {
  tabId: number;
  origin: string;
  /** Pending (not yet answered) requests, with their size. */
  bytes: number[];
}

/** Why a new request of `bytes` from `origin` in `tabId` is refused, or null when it fits the caps. */
export function overCap(pending: PendingLoad[], tabId: number, origin: string, bytes: number): string | null {
  let tabCount = 0;
  let tabBytes = 0;
  let originCount = 0;
  let originBytes = 0;
  for (const p of pending) {
    if (p.tabId !== tabId) continue;
    const sum = p.bytes.reduce((a, b) => a + b, 0);
    tabCount += p.bytes.length;
    tabBytes += sum;
    if (p.origin === origin) {
      originCount += p.bytes.length;
      originBytes += sum;
    }
  }
  if (originCount + 1 > CAPS.requestsPerOrigin || tabCount + 1 > CAPS.requestsPerTab)
    return 'Too many pending device requests';
  if (originBytes + bytes > CAPS.bytesPerOrigin || tabBytes + bytes > CAPS.bytesPerTab)
    return 'The pending device requests are too large';
  return null;
}
