// Origins come from the runtime's sender, never from a payload.

export interface SenderLike {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number; title?: string };
  frameId?: number;
}

/** The web origin of a content-script sender, or null when it has none MediaGate can attribute. */
export function webOriginOfSender(sender: SenderLike): string | null {
  // An opaque origin (sandboxed frame, data: URL) is no origin: its URL must not stand in for it.
  if (sender.origin === 'null') return null;
  if (sender.origin) return isWebOrigin(sender.origin) ? sender.origin : null;
  if (!sender.url) return null;
  try {
    const url = new URL(sender.url);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isWebOrigin(url.origin) ? url.origin : null;
  } catch {
    return null;
  }
}

/** Scheme, a host of at most 253 characters (DNS) and a port. */
const MAX_ORIGIN = 8 + 253 + 6;

/** An http(s) origin exactly as the browser serialises one (stored keys and payloads are checked with this). */
export function isWebOrigin(origin: string): boolean {
  if (origin.length > MAX_ORIGIN || !/^https?:\/\/[^/]+$/.test(origin)) return false;
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
}

/**
 * The Chromium contentSettings pattern that matches this origin and no other: a pattern without a
 * port would match every port of the host (an Allow for one local app would hold for all of them).
 */
export function contentSettingsPattern(origin: string): string {
  const url = new URL(origin);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${url.hostname}:${port}/*`;
}
