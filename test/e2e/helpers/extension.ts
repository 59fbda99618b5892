// Talking to the extension from the test, through one of its own pages (the same path the popup uses).
import type { Page } from 'puppeteer-core';
import { waitFor, type TestBrowser } from './browsers';
import type { CallRecord, UiRequests, UiRequestType } from '../../../src/shared/protocol';

export async function uiRequest<K extends UiRequestType>(page: Page, type: K, payload: UiRequests[K]['req']): Promise<UiRequests[K]['res']> {
  const answer = await page.evaluate(async (t, p) => {
    const api = (globalThis as any).browser ?? (globalThis as any).chrome;
    return api.runtime.sendMessage({ channel: 'ui', type: t, payload: p });
  }, type, payload as any);
  if (!answer?.ok) throw new Error(`${type} failed: ${JSON.stringify(answer)}`);
  return answer.result;
}

export const listCalls = (page: Page): Promise<CallRecord[]> => uiRequest(page, 'calls/list', {});

/** Reads extension storage through an extension page. */
export async function readStorage(tb: TestBrowser, area: 'local' | 'session', key: string): Promise<unknown> {
  const ui = await tb.openExtensionPage('popup/popup.html');
  try {
    return await ui.evaluate(async (a, k) => {
      const api = (globalThis as any).browser ?? (globalThis as any).chrome;
      return (await api.storage[a].get(k))[k];
    }, area, key);
  } finally {
    await ui.close();
  }
}

/** Writes the person's settings (storage.local) as the options page would. */
export async function setSettings(tb: TestBrowser, settings: Record<string, unknown>): Promise<void> {
  const ui = await tb.openExtensionPage('popup/popup.html');
  try {
    await ui.evaluate(async (s) => {
      const api = (globalThis as any).browser ?? (globalThis as any).chrome;
      const current = (await api.storage.local.get('settings')).settings ?? {};
      await api.storage.local.set({ settings: { ...current, ...s } });
    }, settings);
  } finally {
    await ui.close();
  }
}

/** Chromium: stops MediaGate's service worker, as the browser does after 30 s idle. */
export async function stopServiceWorker(tb: TestBrowser): Promise<void> {
  const target = tb.browser.targets().find((t) => t.type() === 'service_worker' && t.url().startsWith(tb.extensionBase));
  if (!target) return;
  const cdp = await tb.browser.target().createCDPSession();
  try {
    await cdp.send('Target.closeTarget', { targetId: (target as unknown as { _targetId: string })._targetId });
  } finally {
    await cdp.detach();
  }
  const deadline = Date.now() + 5000;
  while (tb.browser.targets().some((t) => t === target) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: unknown; summary: string }[] }

/**
 * Runs axe-core (node_modules/axe-core) on the page's document and returns its violations. The
 * source is evaluated rather than added as a <script>: extension pages' CSP refuses inline scripts.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { ROOT } = await import('./browsers');
  const source = await readFile(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(`${source}\n;typeof axe === 'object'`);
  if (loaded !== true) throw new Error('axe-core did not load in the page');
  return page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v: any) => ({
      id: v.id, impact: v.impact ?? null, help: v.help,
      nodes: v.nodes.map((n: any) => ({ target: n.target, summary: n.failureSummary ?? '' })),
    }));
  }) as Promise<AxeViolation[]>;
}

/**
 * Records the chunk files MediaGate's background injects into pages from now on (its real
 * scripting.executeScript calls, observed, not replaced): Chromium in the service worker, Firefox
 * through the event page (reached from an extension page that stays open until `stop`).
 */
export async function recordChunkLoads(tb: TestBrowser): Promise<{ read(): Promise<string[]>; stop(): Promise<void> }> {
  if (tb.name === 'chromium') {
    const target = await tb.browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(tb.extensionBase));
    const worker = (await target.worker())!;
    await worker.evaluate(() => {
      const s = self as any;
      const original = s.chrome.scripting.executeScript;
      s.__mgChunkLog = [];
      s.chrome.scripting.executeScript = function (this: unknown, details: { files?: string[] }, ...rest: unknown[]) {
        s.__mgChunkLog.push(...(details.files ?? []));
        return original.call(this, details, ...rest);
      };
    });
    return { read: () => worker.evaluate(() => [...(self as any).__mgChunkLog] as string[]), stop: async () => undefined };
  }
  const ui = await tb.openExtensionPage('popup/popup.html');
  await ui.evaluate(async () => {
    const background = await (globalThis as any).browser.runtime.getBackgroundPage();
    const original = background.browser.scripting.executeScript;
    const log: string[] = [];
    (window as any).__mgChunkLog = log;
    background.browser.scripting.executeScript = function (this: unknown, details: { files?: string[] }, ...rest: unknown[]) {
      log.push(...(details.files ?? []));
      return original.call(this, details, ...rest);
    };
  });
  return { read: () => ui.evaluate(() => [...(window as any).__mgChunkLog] as string[]), stop: () => ui.close() };
}

/** Clicks MediaGate's call button in the page (a trusted click) and waits for its Document PiP call window. */
export async function openCallWindow(page: Page): Promise<void> {
  const centre = await waitFor(() => page.evaluate(() => {
    const host = document.querySelector('[data-mediagate=call]');
    if (!host) return null;
    const r = host.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  }), 'the MediaGate call button');
  await page.mouse.click(centre.x, centre.y);
  await waitFor(() => page.evaluate(() => !!(window as any).documentPictureInPicture?.window), 'the call window');
}
