// Chromium's extension capture APIs, promise-shaped. Only the Chromium build has these permissions
// (build.mjs); Firefox has neither API.
import type browser from 'webextension-polyfill';
import type { ScreenSource } from '../../shared/page-constants';

const api = () => (globalThis as { chrome?: typeof chrome }).chrome;

export class CaptureError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * A stream id for `targetTabId` that only `consumerTabId` can open. Chromium allows it without a
 * chooser only for a tab the person invoked MediaGate on (toolbar button, shortcut) or for an
 * allowlisted extension; null when that is missing, so the caller can offer the tab chooser instead.
 */
export async function tabStreamId(targetTabId: number, consumerTabId: number): Promise<string | null> {
  try {
    return await api()!.tabCapture.getMediaStreamId({ targetTabId, consumerTabId });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/not been invoked/i.test(message)) return null;
    throw new CaptureError('NotAllowedError', message);
  }
}

const CHOOSER_SOURCES: Record<ScreenSource, `${chrome.desktopCapture.DesktopCaptureSourceType}`[]> = {
  screen: ['screen'],
  window: ['window'],
  // Chromium has no application capture: an application is shared as one of its windows.
  application: ['window'],
  browser: ['tab'],
};

/**
 * Chromium's own chooser, shown over the requesting tab; the id it gives can be opened only by that
 * tab's document (its origin). Cancelled -> NotAllowedError; no source of that kind -> NotFoundError.
 */
export function chooseDesktop(
  source: ScreenSource,
  audio: boolean,
  tab: browser.Tabs.Tab,
): Promise<{ streamId: string; audio: boolean }> {
  const sources = [...CHOOSER_SOURCES[source]];
  if (audio && (source === 'browser' || source === 'screen')) sources.push('audio');
  return new Promise((resolve, reject) => {
    const c = api()!;
    c.desktopCapture.chooseDesktopMedia(sources, tab as chrome.tabs.Tab, (streamId, options) => {
      // Chromium drops the kinds it cannot offer (a headless or Wayland session has no screens or
      // windows) and fails when none is left: there is nothing to choose.
      const failed = c.runtime.lastError?.message;
      if (failed) reject(new CaptureError('NotFoundError', `Nothing to share: ${failed}`));
      else if (!streamId) reject(new CaptureError('NotAllowedError', 'Permission denied by the person'));
      else resolve({ streamId, audio: audio && !!options?.canRequestAudioTrack });
    });
  });
}
