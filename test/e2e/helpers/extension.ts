// Talking to the extension from the test, through one of its own pages (the same path the popup uses).
import type { Page, Target } from 'puppeteer-core';
import { waitFor, type TestBrowser } from './browsers';
import type { CallRecord, UiToBackground, UiToBackgroundType } from '../../../src/shared/protocol';

export async function uiRequest<K extends UiToBackgroundType>(
  page: Page,
  type: K,
  payload: UiToBackground[K]['req'],
): Promise<UiToBackground[K]['res']> {
  const answer = await page.evaluate(
    async (t, p) => {
      const api = (globalThis as any).browser ?? (globalThis as any).chrome;
      return api.runtime.sendMessage({ channel: 'ui', type: t, payload: p });
    },
    type,
    payload as any,
  );
  if (!answer?.ok) throw new Error(`${type} failed: ${JSON.stringify(answer)}`);
  return answer.result;
}

export const listCalls = (page: Page): Promise<CallRecord[]> => uiRequest(page, 'calls/list', {});

/** Reads extension storage through an extension page. */
export async function readStorage(tb: TestBrowser, area: 'local' | 'session', key: string): Promise<unknown> {
  const ui = await tb.openExtensionPage('popup/popup.html');
  try {
    return await ui.evaluate(
      async (a, k) => {
        const api = (globalThis as any).browser ?? (globalThis as any).chrome;
        return (await api.storage[a].get(k))[k];
      },
      area,
      key,
    );
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

/** Chromium: MediaGate's service worker target, once there is one. */
const workerTarget = (tb: TestBrowser, timeout?: number): Promise<Target> =>
  tb.browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith(tb.extensionBase),
    timeout === undefined ? {} : { timeout },
  );

/**
 * Chromium: stops MediaGate's service worker, as the browser does after 30 s idle, through the
 * DevTools ServiceWorker domain (seen from a page of the extension's origin, whose partition the
 * worker is in), and resolves once it reports "stopped". Closing the worker's target instead left a
 * worker busy with a request neither running nor stopped: the request's sender never heard back.
 *
 * The worker's target outlives it, and the next worker started under the same target waits for a
 * debugger (puppeteer resumes the workers of new targets only). So the page stays open, unseen, until
 * the next worker starts, and that one is resumed; a browser closed first ends the watch.
 */
export async function stopServiceWorker(tb: TestBrowser): Promise<void> {
  const page = await tb.browser.newPage();
  await page.goto(`${tb.extensionBase}managed-schema.json`);
  const cdp = await page.createCDPSession();
  const status = new Map<string, string>();
  const seen: string[] = [];
  cdp.on(
    'ServiceWorker.workerVersionUpdated',
    (e: { versions: { versionId: string; scriptURL: string; runningStatus: string }[] }) => {
      for (const v of e.versions)
        if (v.scriptURL.startsWith(tb.extensionBase)) {
          status.set(v.versionId, v.runningStatus);
          seen.push(v.runningStatus);
        }
    },
  );
  const done = async () => {
    await cdp.detach().catch(() => undefined);
    await page.close().catch(() => undefined);
  };
  await cdp.send('ServiceWorker.enable');
  // A stopped worker has no running version to report: nothing to stop then.
  const running = await waitFor(
    () => {
      const ids = [...status].filter(([, s]) => s === 'running' || s === 'starting').map(([id]) => id);
      return ids.length ? ids : null;
    },
    'a running version of the worker',
    2000,
  ).catch(() => [] as string[]);
  if (!running.length) {
    await done();
    return;
  }
  const mark = seen.length;
  for (const versionId of running) await cdp.send('ServiceWorker.stopWorker', { versionId });
  await waitFor(() => seen.slice(mark).includes('stopped'), 'the worker to stop', 5000);
  const stoppedAt = seen.length;
  void (async () => {
    try {
      await waitFor(
        () => !page.isClosed() && seen.slice(stoppedAt).some((s) => s === 'starting' || s === 'running'),
        'the next worker',
        120_000,
        50,
      );
      const target = await workerTarget(tb, 5000);
      // Until it runs: a resume sent before the worker reached its pause does nothing.
      const resumed = seen.length;
      await waitFor(
        async () => {
          const session = await target.createCDPSession();
          await session.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
          await session.detach().catch(() => undefined);
          return (
            seen.slice(resumed).includes('running') ||
            (status.has('running') && [...status.values()].includes('running'))
          );
        },
        'the next worker to run',
        10_000,
        200,
      );
    } catch {
      // The browser closed, or no worker started again in two minutes: nothing to resume.
    } finally {
      await done();
    }
  })();
}

/**
 * Chromium fault injection: the service worker's next write of `key` to storage.`area` (whose new
 * value passes `match`, JavaScript source of a predicate) stalls, either before it reaches storage or
 * right after it was stored, and never answers MediaGate; later writes run as usual. Resolves with a
 * function that waits until the worker is stalled there, so the test can stop it at that point.
 */
export async function stallNextWrite(
  tb: TestBrowser,
  area: 'local' | 'session',
  key: string,
  when: 'before' | 'after',
  match = '() => true',
): Promise<() => Promise<void>> {
  const target = await workerTarget(tb);
  // A session of its own, detached once the worker stalled: a DevTools session still attached when
  // the worker is stopped holds the next worker of the same target paused at its start.
  const session = await target.createCDPSession();
  const evaluate = async (expression: string): Promise<unknown> =>
    ((await session.send('Runtime.evaluate', { expression, returnByValue: true })).result as { value?: unknown }).value;
  await evaluate(`(() => {
    const store = chrome.storage[${JSON.stringify(area)}];
    const original = store.set;
    const match = ${match};
    self.__mgStalled = false;
    store.set = function (items, ...rest) {
      if (!items || !(${JSON.stringify(key)} in items) || !match(items[${JSON.stringify(key)}])) return original.call(this, items, ...rest);
      store.set = original;
      const stall = () => { self.__mgStalled = true; return new Promise(() => {}); };
      const callback = typeof rest[0] === 'function';
      if (${JSON.stringify(when)} === 'before') { const never = stall(); return callback ? undefined : never; }
      if (callback) return void original.call(this, items, stall);
      return original.call(this, items).then(stall);
    };
  })()`);
  return async () => {
    try {
      await waitFor(() => evaluate('self.__mgStalled === true'), `the worker stalled ${when} writing ${area}.${key}`);
    } finally {
      await session.detach().catch(() => undefined);
    }
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown; summary: string }[];
}

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
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n: any) => ({ target: n.target, summary: n.failureSummary ?? '' })),
    }));
  }) as Promise<AxeViolation[]>;
}

/**
 * Records the first argument of every call the background makes from now on to one of its own
 * functions, such as `scripting.executeScript` or `console.warn` (observed, not replaced: the
 * original runs). Chromium in the service worker; Firefox through the event page, reached from an
 * extension page that stays open until `stop`. `path` is read from the background's `chrome`
 * (Chromium) or `browser` (Firefox) global for extension APIs, from the global itself otherwise.
 */
export async function recordBackgroundCalls(
  tb: TestBrowser,
  path: string,
): Promise<{ read(): Promise<unknown[]>; stop(): Promise<void> }> {
  const install = (scope: any, p: string, api: string, sink: unknown[]) => {
    const parts = p.split('.');
    const method = parts.pop()!;
    let owner = parts[0] === 'console' ? scope : scope[api];
    for (const part of parts) owner = owner[part];
    const original = owner[method];
    owner[method] = function (this: unknown, first: unknown, ...rest: unknown[]) {
      try {
        sink.push(JSON.parse(JSON.stringify(first ?? null)));
      } catch {
        sink.push(String(first));
      }
      return original.call(this, first, ...rest);
    };
    return () => {
      owner[method] = original;
    };
  };
  if (tb.name === 'chromium') {
    const target = await workerTarget(tb);
    const worker = (await target.worker())!;
    await worker.evaluate(
      `(${install})(self, ${JSON.stringify(path)}, 'chrome', (self.__mgLog = self.__mgLog || {})[${JSON.stringify(path)}] = [])`,
    );
    return {
      read: () => worker.evaluate(`[...self.__mgLog[${JSON.stringify(path)}]]`) as Promise<unknown[]>,
      stop: async () => undefined,
    };
  }
  const ui = await tb.openExtensionPage('popup/popup.html');
  await ui.evaluate(
    `(async () => { const bg = await browser.runtime.getBackgroundPage(); window.__mgRestore = (${install})(bg, ${JSON.stringify(path)}, 'browser', window.__mgLog = []); })()`,
  );
  return {
    read: () => ui.evaluate('[...window.__mgLog]') as Promise<unknown[]>,
    // The wrapper belongs to this page's realm: the background gets its own method back before the page
    // closes, or every later call would go to a dead object (the next test's chunks would not load).
    stop: async () => {
      await ui.evaluate('window.__mgRestore()');
      await ui.close();
    },
  };
}

/**
 * Collects the background's uncaught errors and unhandled rejections from now on: Chromium through a
 * DevTools session of the service worker (Runtime.exceptionThrown), Firefox through the event page's
 * own `error` and `unhandledrejection` events, reached from an extension page kept open until `stop`.
 */
export async function recordBackgroundErrors(
  tb: TestBrowser,
): Promise<{ read(): Promise<string[]>; stop(): Promise<void> }> {
  if (tb.name === 'chromium') {
    const target = await workerTarget(tb);
    const session = await target.createCDPSession();
    const errors: string[] = [];
    session.on(
      'Runtime.exceptionThrown',
      (e: { exceptionDetails: { text: string; exception?: { description?: string } } }) => {
        errors.push(`${e.exceptionDetails.text} ${e.exceptionDetails.exception?.description ?? ''}`.trim());
      },
    );
    await session.send('Runtime.enable');
    return { read: async () => [...errors], stop: () => session.detach().catch(() => undefined) };
  }
  const ui = await tb.openExtensionPage('popup/popup.html');
  await ui.evaluate(`(async () => {
    const bg = await browser.runtime.getBackgroundPage();
    const log = window.__mgErrors = [];
    bg.addEventListener('error', (e) => log.push('error: ' + e.message));
    bg.addEventListener('unhandledrejection', (e) => log.push('rejection: ' + String(e.reason) + ' ' + String(e.reason && e.reason.stack || '')));
  })()`);
  return { read: () => ui.evaluate('[...window.__mgErrors]') as Promise<string[]>, stop: () => ui.close() };
}

/** The chunk files MediaGate's background injects into pages from now on (its real scripting.executeScript calls). */
export async function recordChunkLoads(tb: TestBrowser): Promise<{ read(): Promise<string[]>; stop(): Promise<void> }> {
  const calls = await recordBackgroundCalls(tb, 'scripting.executeScript');
  return {
    read: async () => (await calls.read()).flatMap((d) => (d as { files?: string[] }).files ?? []),
    stop: calls.stop,
  };
}

/** Clicks MediaGate's call button in the page (a trusted click) and waits for its Document PiP call window. */
export async function openCallWindow(page: Page): Promise<void> {
  const centre = await waitFor(
    () =>
      page.evaluate(() => {
        const host = document.querySelector('[data-mediagate=call]');
        if (!host) return null;
        const r = host.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      }),
    'the MediaGate call button',
  );
  await page.mouse.click(centre.x, centre.y);
  await waitFor(() => page.evaluate(() => !!(window as any).documentPictureInPicture?.window), 'the call window');
}
