// Origins come from the runtime's sender, never from a payload.

export interface SenderLike { id?: string; url?: string; origin?: string; tab?: { id?: number; title?: string }; frameId?: number }

/** The web origin of a content-script sender, or null when it has none MediaGate can attribute. */
export function webOriginOfSender(sender: SenderLike): string | null {
  // An opaque origin (sandboxed frame, data: URL) is no origin: its URL must not stand in for it.
  if (sender.origin === 'null') return null;
  if (sender.origin) return isWebOrigin(sender.origin) ? sender.origin : null;
  if (!sender.url) return null;
  try {
    const url = new URL(sender.url);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

export function isWebOrigin(origin: string): boolean {
  return /^https?:\/\/[^/]+$/.test(origin);
}
