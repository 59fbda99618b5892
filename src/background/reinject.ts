// Chromium leaves pages that were open before an install or update without MediaGate (Firefox injects
// the manifest's content scripts into them itself). Injecting them here makes both browsers behave
// alike: a page in a call keeps its call controls across an update (see injected/handoff.ts).
import browser from 'webextension-polyfill';

async function injectInto(tabId: number): Promise<void> {
  const target = { tabId, allFrames: true };
  // The isolated relay must listen before the main world posts its handshake.
  await browser.scripting.executeScript({ target, files: ['content.js'], injectImmediately: true });
  await browser.scripting.executeScript({ target, files: ['injected.js'], injectImmediately: true, world: 'MAIN' });
}

export function watchInstallForReinjection(): void {
  if (__BROWSER__ !== 'chromium') return;
  browser.runtime.onInstalled.addListener(async ({ reason }) => {
    if (reason !== 'install' && reason !== 'update') return;
    const tabs = await browser.tabs.query({ url: ['http://*/*', 'https://*/*'] });
    await Promise.all(
      tabs.map((tab) => (tab.id === undefined ? undefined : injectInto(tab.id).catch(() => undefined))),
    );
  });
}
