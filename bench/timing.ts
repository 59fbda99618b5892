// The api part's measurements: what one batch of a metric does in the browsers, timed. The functions
// passed to page.evaluate are serialised into the page, so they reference nothing of this module's
// scope; the rest drives the browsers through puppeteer, each step bounded so a stuck page fails the
// run instead of hanging it.
import type { Page } from 'puppeteer-core';
import { waitFor, type TestBrowser } from '../test/e2e/helpers/browsers';
import { startServer, type FixtureServer } from '../test/e2e/helpers/server';
import { listCalls, stopServiceWorker } from '../test/e2e/helpers/extension';
import type { RunContext } from './types';

/** Upper bound for any single page.evaluate / navigation, in ms. */
export const STEP_TIMEOUT = 30_000;

/** Rejects if `p` has not settled after `ms`; every page interaction goes through this. */
export function bounded<T>(p: Promise<T>, what: string, ms = STEP_TIMEOUT): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** n timed getUserMedia({video:true}) calls; the tracks are stopped after each, then a short pause. */
export const timeGetUserMedia = (page: Page, n: number) =>
  bounded(
    page.evaluate(async (count: number) => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const stream = await navigator.mediaDevices.getUserMedia({ video: true });
        const t1 = performance.now();
        stream.getTracks().forEach((t) => t.stop());
        out.push(t1 - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      return out;
    }, n),
    `${n} getUserMedia calls`,
  );

/** The popup a browser keeps open for the metrics that talk to the background (opened in Metric.setUp). */
const popups = new WeakMap<TestBrowser, Page>();
export const openPopup = async ({ tb }: RunContext): Promise<Page[]> => {
  const ui = await tb.openExtensionPage('popup/popup.html');
  popups.set(tb, ui);
  return [ui];
};

/** n timed capture cycles: getUserMedia({audio, video}) until its tracks are stopped (load.test.ts runs 1,000 of them). */
export const timeCaptureCycles = (page: Page, n: number) =>
  bounded(
    page.evaluate(async (count: number) => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        stream.getTracks().forEach((t) => t.stop());
        out.push(performance.now() - t0);
      }
      return out;
    }, n),
    `${n} capture cycles`,
  );

/**
 * n times: stops MediaGate's service worker (as Chromium does after 30 s idle, or as a crash would),
 * then times the popup's next request (the call list) until the new worker answered it.
 */
export async function timeWorkerRestart({ tb }: RunContext, n: number): Promise<number[]> {
  const ui = popups.get(tb);
  if (!ui) throw new Error('no popup for the worker-restart metric');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await bounded(stopServiceWorker(tb), 'stop the service worker');
    out.push(
      await bounded(
        ui.evaluate(async () => {
          const api = (globalThis as any).browser ?? (globalThis as any).chrome;
          const t0 = performance.now();
          const answer = await api.runtime.sendMessage({ channel: 'ui', type: 'calls/list', payload: {} });
          if (!answer?.ok) throw new Error(`calls/list: ${JSON.stringify(answer)}`);
          return performance.now() - t0;
        }),
        'the first request to the new worker',
      ),
    );
    await sleep(200);
  }
  return out;
}

export const FANOUT_TABS = 10;
export const FANOUT_CALLS = 5;
const fanoutPages = new WeakMap<TestBrowser, { pages: Page[]; servers: FixtureServer[]; ui: Page }>();

/** Metric.setUp of the fan-out: ten tabs, each on a fixture server of its own (its own origin). */
export async function openFanoutTabs({ tb }: RunContext): Promise<Page[]> {
  const servers: FixtureServer[] = [];
  const pages: Page[] = [];
  for (let i = 0; i < FANOUT_TABS; i++) {
    const server = await startServer();
    servers.push(server);
    const page = await bounded(tb.newPage(), 'open a fan-out tab');
    await bounded(page.goto(server.url('/blank.html')), 'load a fan-out tab');
    pages.push(page);
  }
  // An extension page, to forget the embargo each sample's dismissals earn the ten origins.
  const ui = await tb.openExtensionPage('popup/popup.html');
  fanoutPages.set(tb, { pages, servers, ui });
  tb.browser.once('disconnected', () => {
    for (const server of servers) void server.close();
  });
  return [...pages, ui];
}

/**
 * load.test.ts's run, timed: ten tabs, each its own origin, each starting five concurrent
 * user-chooses calls; each picker window is closed as soon as its choices show (its five calls get
 * NotAllowedError). One sample: from the first call to the fiftieth settled.
 */
export async function timeFanout({ tb }: RunContext): Promise<number[]> {
  const own = fanoutPages.get(tb);
  if (!own) throw new Error('no tabs for the fan-out metric');
  // Closing a picker is a dismissal, and three embargo the site: each sample starts without one.
  await bounded(
    own.ui.evaluate(() => ((globalThis as any).browser ?? (globalThis as any).chrome).storage.local.remove('embargo')),
    'clear the embargo',
  );
  const t0 = Date.now();
  await Promise.all(
    own.pages.map((page) =>
      bounded(
        page.evaluate((calls) => {
          const w = window as any;
          w.benchSettled = 0;
          for (let i = 0; i < calls; i++) {
            navigator.mediaDevices
              .getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints)
              .then(
                (st) => st.getTracks().forEach((t) => t.stop()),
                () => undefined,
              )
              .finally(() => {
                w.benchSettled++;
              });
          }
        }, FANOUT_CALLS),
        'start the calls',
      ),
    ),
  );
  const closed = new Set<string>();
  await bounded(
    waitFor(
      async () => {
        for (const p of await tb.browser.pages()) {
          const href = await p
            .evaluate(() =>
              location.href.includes('/picker/picker.html') && document.querySelectorAll('input[type=radio]').length > 0
                ? location.href
                : null,
            )
            .catch(() => null);
          if (href && !closed.has(href)) {
            closed.add(href);
            await p.close().catch(() => undefined);
          }
        }
        const settled = await Promise.all(
          own.pages.map((page) => page.evaluate(() => (window as any).benchSettled as number)),
        );
        return settled.every((k) => k === FANOUT_CALLS) || null;
      },
      'all calls of the ten tabs to settle',
      60_000,
      20,
    ),
    'fan-out',
  );
  const took = Date.now() - t0;
  if (closed.size !== FANOUT_TABS) throw new Error(`fan-out: ${closed.size} picker windows for ${FANOUT_TABS} tabs`);
  return [took];
}

/** n timed enumerateDevices calls. */
export const timeEnumerateDevices = (page: Page, n: number) =>
  bounded(
    page.evaluate(async (count: number) => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        await navigator.mediaDevices.enumerateDevices();
        out.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 5));
      }
      return out;
    }, n),
    `${n} enumerateDevices calls`,
  );

let loadCounter = 0;
/** Navigates to `url` n times; each sample is the navigation entry's loadEventEnd. */
export async function timeLoads(page: Page, url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // Let the previous page finish its post-load work first: back-to-back navigations mostly measure
    // that work's overlap and are much noisier.
    await sleep(100);
    const target = `${url}?n=${++loadCounter}`;
    await bounded(page.goto(target, { waitUntil: 'load', timeout: STEP_TIMEOUT }), `load ${target}`);
    // loadEventEnd is set once the load handlers have returned, possibly just after 'load' fires.
    const v = await bounded(
      page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const poll = () => {
              const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
              if (e && e.loadEventEnd > 0) resolve(e.loadEventEnd);
              else setTimeout(poll, 5);
            };
            poll();
          }),
      ),
      `navigation timing of ${target}`,
    );
    out.push(v);
  }
  return out;
}

/** MediaGate's picker, per browser: a tab that timestamps each picker window (see pickerObserver). */
const pickerObservers = new WeakMap<TestBrowser, Page>();
interface PickerSeen {
  id: string;
  at: number;
  error?: string;
}

/**
 * A MediaGate tab (the popup page, idle once rendered) that timestamps every picker window from
 * inside it. The picker's first act is a request to the background ('picker/get', a runtime message
 * that every extension page receives); it can render nothing before the answer. On that message this
 * tab, in the same process as the picker, reaches the picker's window through extension.getViews()
 * and installs a MutationObserver of the picker's own realm, which records the picker's clock
 * (performance.timeOrigin + now) at the moment its first radio input exists. (Attaching to the new
 * window through the automation protocol comes too late: puppeteer has a Page for it ~100-400 ms
 * after the call in Chromium, often after the choices are there.)
 */
export async function pickerObserver(tb: TestBrowser): Promise<Page> {
  const known = pickerObservers.get(tb);
  if (known) return known;
  const observer = await bounded(tb.openExtensionPage('popup/popup.html'), 'open the picker observer tab');
  await bounded(
    observer.evaluate(() => {
      const api = (globalThis as any).browser ?? (globalThis as any).chrome;
      const seen: PickerSeen[] = [];
      const ids = new Set<string>();
      (window as any).benchPickers = seen;
      api.runtime.onMessage.addListener((message: any) => {
        if (message?.channel !== 'ui' || message.type !== 'picker/get') return undefined;
        const id = String(message.payload?.pickerId);
        if (ids.has(id)) return undefined; // a re-render of a picker already timed
        ids.add(id);
        const view = (api.extension.getViews() as (Window & typeof globalThis)[]).find((w) => {
          try {
            return (
              w.location.pathname.endsWith('/picker/picker.html') &&
              new URLSearchParams(w.location.search).get('id') === id
            );
          } catch {
            return false;
          }
        });
        if (!view) {
          seen.push({ id, at: NaN, error: 'the picker window is not among the extension views' });
          return undefined;
        }
        const now = () => view.performance.timeOrigin + view.performance.now();
        const radio = () => view.document.querySelector('input[type=radio]');
        if (radio()) {
          seen.push({ id, at: now(), error: 'the choices were there before the observer' });
          return undefined;
        }
        new view.MutationObserver((_, o) => {
          if (!radio()) return;
          o.disconnect();
          seen.push({ id, at: now() });
        }).observe(view.document, { subtree: true, childList: true });
        return undefined; // leave the answer to the background
      });
    }),
    'install the picker observer',
  );
  pickerObservers.set(tb, observer);
  return observer;
}

/**
 * n pickers: each sample runs from just before the page's getUserMedia({video, user-chooses}) call
 * (page clock) to the first radio input in the picker window (picker clock; both are
 * performance.timeOrigin + now). Each picker is dismissed with Escape, and the call's
 * NotAllowedError awaited, before the next; the embargo that dismissals earn is cleared in between.
 */
export async function timePicker({ tb, page }: RunContext, n: number): Promise<number[]> {
  const observer = await pickerObserver(tb);
  // Firefox defers getUserMedia in a background tab: the measured page must be the active one.
  await bounded(page.bringToFront(), 'bring the measure page to the front');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const index = await bounded(
      observer.evaluate(() => (window as any).benchPickers.length as number),
      'count pickers',
    );
    const t0 = await bounded(
      page.evaluate(() => {
        const w = window as any;
        w.benchPicker = null;
        const t = performance.timeOrigin + performance.now();
        navigator.mediaDevices.getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints).then(
          (s) => {
            s.getTracks().forEach((tr) => tr.stop());
            w.benchPicker = 'resolved';
          },
          (e: Error) => {
            w.benchPicker = e.name;
          },
        );
        return t;
      }),
      'start getUserMedia (user-chooses)',
    );
    const seen = await bounded(
      waitFor(
        () => observer.evaluate((k) => ((window as any).benchPickers[k] ?? null) as PickerSeen | null, index),
        'the picker window to show its choices',
        15_000,
        10,
      ),
      'picker choices',
    ).catch(async (e: unknown) => {
      // Say what the page and the browser were at.
      const outcome = await page.evaluate(() => String((window as any).benchPicker)).catch(() => '?');
      const hrefs = await Promise.all(
        (await tb.browser.pages()).map((p) => p.evaluate(() => location.href).catch(() => '?')),
      );
      throw new Error(
        `${e instanceof Error ? e.message : String(e)} (sample ${i + 1} of ${n}; the page's call: ${outcome}; tabs: ${hrefs.join(', ')})`,
      );
    });
    if (seen.error) throw new Error(`picker latency: ${seen.error}`);
    out.push(seen.at - t0);
    const picker = await bounded(
      waitFor(
        async () => {
          for (const p of await tb.browser.pages())
            if ((await p.evaluate(() => location.href).catch(() => '')).includes(seen.id)) return p;
          return null;
        },
        'the picker window',
        10_000,
      ),
      'find the picker window',
    );
    // The picker ignores input for 500 ms after it shows (and after it regains focus): Escape is pressed
    // again until the call settles. The window closes on keydown, so a press may report the target gone.
    const outcome = await bounded(
      waitFor(
        async () => {
          const settled = await page.evaluate(() => (window as any).benchPicker as string | null);
          if (!settled)
            await bounded(picker.keyboard.press('Escape'), 'press Escape in the picker').catch(() => undefined);
          return settled;
        },
        'getUserMedia to settle after Escape',
        15_000,
        250,
      ),
      'dismissed getUserMedia',
    );
    if (outcome !== 'NotAllowedError')
      throw new Error(`dismissing the picker: getUserMedia ended with ${outcome}, not NotAllowedError`);
    // Three dismissals embargo a site (as the browsers' own prompts do): forget them, or the next call
    // would be refused without a picker.
    await bounded(
      observer.evaluate(() =>
        ((globalThis as any).browser ?? (globalThis as any).chrome).storage.local.remove('embargo'),
      ),
      'clear the embargo',
    );
    await sleep(300);
  }
  return out;
}

/**
 * From the toolbar's mute (the popup sends the same command the keyboard shortcut runs) to the page's
 * own togglemicrophone handler, on one clock: both contexts read performance.timeOrigin + now().
 */
export async function timeControl({ tb, page }: RunContext, n: number): Promise<number[]> {
  const ui = popups.get(tb);
  if (!ui) throw new Error('no popup for the call-control metric');
  await bounded(
    page.evaluate(async () => {
      const w = window as any;
      if (w.benchCall) return;
      w.benchCall = await navigator.mediaDevices.getUserMedia({ audio: true });
      navigator.mediaSession.setActionHandler('togglemicrophone' as MediaSessionAction, () => {
        w.benchHandled = performance.timeOrigin + performance.now();
      });
    }),
    'start the call',
  );
  await bounded(
    waitFor(
      async () => (await listCalls(ui)).some((c) => c.actions.includes('togglemicrophone')),
      'the call and its handler registered',
    ),
    'call registered',
  );
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await bounded(
      page.evaluate(() => {
        (window as any).benchHandled = 0;
      }),
      'reset',
    );
    const sent = await bounded(
      ui.evaluate(async () => {
        const api = (globalThis as any).browser ?? (globalThis as any).chrome;
        const t0 = performance.timeOrigin + performance.now();
        await api.runtime.sendMessage({
          channel: 'ui',
          type: 'commands/run',
          payload: { command: 'toggle-microphone' },
        });
        return t0;
      }),
      'send the command',
    );
    const handled = await bounded(
      waitFor(
        () => page.evaluate(() => ((window as any).benchHandled as number) || null),
        'the page handler',
        10_000,
        2,
      ),
      'handler ran',
    );
    out.push(handled - sent);
    await sleep(100);
  }
  return out;
}
