// MediaGate benchmark: what the extension costs the pages it runs in. For each browser, one browser
// without MediaGate and one with it run side by side; every metric runs in rounds that alternate
// between the two (none, extension, extension, none, ...) so drift of the machine cancels out, and
// the report compares medians. Run with `npm run bench` (bench/run.mjs builds and compiles this).
// BROWSERS=chromium,firefox selects browsers as for the e2e tests. Writes bench/results.md.
// `npm run bench -- --only=blur` (or api, voice; comma-separated) runs only those parts and replaces
// only their sections of bench/results.md, each of which says when it was measured.
//
// To add a figure: append a Metric to METRICS (compared with/without the extension, or measured with
// it only: `configs: ['extension']`) or a StaticMetric to STATIC_METRICS (a property of the build).
// Metrics run in the two shared browsers of their browser kind unless they set `launch`: then they
// get browsers of their own, launched with those options once the shared ones are closed.
import type { Page } from 'puppeteer-core';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { BROWSERS, DIST, ROOT, launch, waitFor, type BrowserName, type LaunchOptions, type TestBrowser } from '../test/e2e/helpers/browsers';
import { startServer, type FixtureServer } from '../test/e2e/helpers/server';
import { listCalls, stopServiceWorker } from '../test/e2e/helpers/extension';
import { measureVoice, serveVoice, type VoiceResult } from './voice';
import { measureTransfer, serveTransfer, type TransferResult } from './transfer';
import { measureFloor, type FloorResult } from './floor';
import { measureBlur, serveBlur, type BlurRow } from './blur';

type Part = 'api' | 'floor' | 'voice' | 'blur' | 'transfer';
const PARTS: readonly Part[] = ['api', 'floor', 'voice', 'blur', 'transfer'];
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const SELECTED: readonly Part[] = onlyArg ? onlyArg.slice('--only='.length).split(',').filter((p): p is Part => (PARTS as readonly string[]).includes(p)) : PARTS;

// ---------------------------------------------------------------------------------------------
// Configuration

type Config = 'none' | 'extension';
const CONFIGS: readonly Config[] = ['none', 'extension'];
const BENCH_DIR = path.join(ROOT, 'bench');
const RESULTS = path.join(BENCH_DIR, 'results.md');
/** Upper bound for any single page.evaluate / navigation, in ms. */
const STEP_TIMEOUT = 30_000;
/** The page the API metrics run in. Cross-origin isolated (COOP+COEP) so that performance.now()
 * is precise enough for sub-millisecond calls: 1 ms otherwise in Firefox, 100 µs in Chromium. */
const MEASURE_PATH = '/measure.html';
const MEASURE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MediaGate benchmark</title></head>
<body><p>benchmark</p></body></html>`;
const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };

interface RunContext {
  browser: BrowserName;
  config: Config;
  page: Page;
  server: FixtureServer;
  tb: TestBrowser;
}

interface Comparison {
  /** NaN for a metric measured with the extension only (then so are ratio, low and high). */
  none: number;
  extension: number;
  ratio: number;
  /** 95% bootstrap interval of the ratio of medians. */
  low: number;
  high: number;
  /** 95% bootstrap interval of the with-MediaGate median itself, in ms. */
  extensionLow: number;
  extensionHigh: number;
}

/** A figure measured with and without the extension. */
interface Metric {
  id: string;
  /** Row label in the table (markdown). */
  label: string;
  /** Path on the fixture server the harness opens before warm-up. */
  path: string;
  /** Batches per configuration; batches of the two configurations alternate. */
  rounds: number;
  /** Default both; ['extension'] for a figure that only exists with MediaGate (its own UI). */
  configs?: readonly Config[];
  /** The browsers it runs in (default both): a figure one browser cannot give is left out there. */
  browsers?: readonly BrowserName[];
  /** Run in browsers of its own, launched with these options, instead of the shared ones. */
  launch?: Pick<LaunchOptions, 'chromiumArgs' | 'firefoxPrefs'>;
  /**
   * Runs once per launched browser, before the tabs it started with are closed (Firefox opens
   * extension pages only from one, such as MediaGate's first-run page); returns tabs to keep open.
   */
  setUp?(ctx: RunContext): Promise<Page[]>;
  /** Runs before the first round, in each configuration; its samples are discarded. */
  warmup?(ctx: RunContext): Promise<unknown>;
  /** One batch: returns samples in ms. */
  run(ctx: RunContext): Promise<number[]>;
  /** The goal; a function when it differs between browsers. */
  goal: string | ((browser: BrowserName) => string);
  /** Verdict against the goal, shown after it (nothing shown when empty). */
  judge?(c: Comparison, browser: BrowserName): string;
}

/** A figure of the build itself, measured once. */
interface StaticMetric {
  label: string;
  measure(): Promise<{ value: string; verdict: string }>;
  goal: string;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Rejects if `p` has not settled after `ms`; every page interaction goes through this. */
function bounded<T>(p: Promise<T>, what: string, ms = STEP_TIMEOUT): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Deterministic PRNG so that reruns on the same samples give the same interval. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Medians, their ratio and 95% bootstrap intervals; `none` is empty for a metric measured with the
 * extension only (its ratio fields are then NaN). With `launches` (the launch each sample came from,
 * per configuration), the bootstrap resamples launches first and samples within them: one browser
 * launch differs from the next by several percent in ms-scale calls, more than a launch's own samples
 * vary, and an interval from samples alone would hide that.
 */
function compare(none: readonly number[], ext: readonly number[], launches?: { none: readonly number[]; ext: readonly number[] }): Comparison {
  const random = mulberry32(0x5eed);
  const resample = (xs: readonly number[]) => Array.from(xs, () => xs[Math.floor(random() * xs.length)]!);
  const interval = (xs: number[]): [number, number] => {
    xs.sort((a, b) => a - b);
    return xs.length ? [xs[Math.floor(xs.length * 0.025)]!, xs[Math.floor(xs.length * 0.975)]!] : [NaN, NaN];
  };
  // Per launch: its samples of each configuration (one launch = one pair of browsers, both configurations).
  const groups = new Map<number, { none: number[]; ext: number[] }>();
  if (launches) {
    const group = (l: number) => groups.get(l) ?? (groups.set(l, { none: [], ext: [] }), groups.get(l)!);
    none.forEach((x, i) => group(launches.none[i]!).none.push(x));
    ext.forEach((x, i) => group(launches.ext[i]!).ext.push(x));
  }
  const pairs = [...groups.values()];
  const draw = (): { none: number[]; ext: number[] } => {
    if (pairs.length < 2) return { none: resample(none), ext: resample(ext) };
    const out = { none: [] as number[], ext: [] as number[] };
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[Math.floor(random() * pairs.length)]!;
      out.none.push(...resample(p.none));
      out.ext.push(...resample(p.ext));
    }
    return out;
  };
  const ratios: number[] = [];
  const medians: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const d = draw();
    const m = median(d.ext);
    medians.push(m);
    if (none.length) ratios.push(m / median(d.none));
  }
  const m0 = median(none);
  const m1 = median(ext);
  const [low, high] = interval(ratios);
  const [extensionLow, extensionHigh] = interval(medians);
  return { none: m0, extension: m1, ratio: m1 / m0, low, high, extensionLow, extensionHigh };
}

/** Verdict for "ratio <= limit". */
const ratioAtMost = (limit: number) => (c: Comparison): string => {
  if (!Number.isFinite(c.ratio)) return 'no data';
  if (c.ratio <= limit) return 'met';
  return c.low <= limit ? 'not met (but within noise)' : '**not met**';
};

/** Verdict for "no measurable cost": is 1 inside the interval? */
const noMeasurableCost = (c: Comparison): string => {
  if (!Number.isFinite(c.ratio)) return 'no data';
  if (c.low <= 1 && c.high >= 1) return 'no measurable difference';
  return `measurable: ${c.ratio > 1 ? '+' : ''}${((c.ratio - 1) * 100).toFixed(1)}%`;
};

/** Verdict for "median with MediaGate <= limit ms" (a metric measured with the extension only). */
const medianAtMost = (limit: number) => (c: Comparison): string => {
  if (!Number.isFinite(c.extension)) return 'no data';
  if (c.extension <= limit) return 'met';
  return c.extensionLow <= limit ? 'not met (but within noise)' : '**not met**';
};

const fmt = (ms: number) => (Number.isFinite(ms) ? (ms < 10 ? ms.toFixed(3) : ms.toFixed(1)) : 'n/a');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// In-page measurements (serialised into the page: no references to this module's scope)

/** n timed getUserMedia({video:true}) calls; the tracks are stopped after each, then a short pause. */
const timeGetUserMedia = (page: Page, n: number) => bounded(page.evaluate(async (count: number) => {
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
}, n), `${n} getUserMedia calls`);

/** The popup a browser keeps open for the metrics that talk to the background (opened in Metric.setUp). */
const popups = new WeakMap<TestBrowser, Page>();
const openPopup = async ({ tb }: RunContext): Promise<Page[]> => { const ui = await tb.openExtensionPage('popup/popup.html'); popups.set(tb, ui); return [ui]; };

/** n timed capture cycles: getUserMedia({audio, video}) until its tracks are stopped (load.test.ts runs 1,000 of them). */
const timeCaptureCycles = (page: Page, n: number) => bounded(page.evaluate(async (count: number) => {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    stream.getTracks().forEach((t) => t.stop());
    out.push(performance.now() - t0);
  }
  return out;
}, n), `${n} capture cycles`);

/**
 * n times: stops MediaGate's service worker (as Chromium does after 30 s idle, or as a crash would),
 * then times the popup's next request (the call list) until the new worker answered it.
 */
async function timeWorkerRestart({ tb }: RunContext, n: number): Promise<number[]> {
  const ui = popups.get(tb);
  if (!ui) throw new Error('no popup for the worker-restart metric');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await bounded(stopServiceWorker(tb), 'stop the service worker');
    out.push(await bounded(ui.evaluate(async () => {
      const api = (globalThis as any).browser ?? (globalThis as any).chrome;
      const t0 = performance.now();
      const answer = await api.runtime.sendMessage({ channel: 'ui', type: 'calls/list', payload: {} });
      if (!answer?.ok) throw new Error(`calls/list: ${JSON.stringify(answer)}`);
      return performance.now() - t0;
    }), 'the first request to the new worker'));
    await sleep(200);
  }
  return out;
}

const FANOUT_TABS = 10;
const FANOUT_CALLS = 5;
const fanoutPages = new WeakMap<TestBrowser, { pages: Page[]; servers: FixtureServer[] }>();

/**
 * load.test.ts's run, timed: ten tabs, each its own origin, each starting five concurrent
 * user-chooses calls; each picker window is closed as soon as its choices show (its five calls get
 * NotAllowedError). One sample: from the first call to the fiftieth settled.
 */
async function timeFanout({ tb }: RunContext): Promise<number[]> {
  const own = fanoutPages.get(tb);
  if (!own) throw new Error('no tabs for the fan-out metric');
  const t0 = Date.now();
  await Promise.all(own.pages.map((page) => bounded(page.evaluate((calls) => {
    const w = window as any;
    w.benchSettled = 0;
    for (let i = 0; i < calls; i++) {
      navigator.mediaDevices.getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints)
        .then((st) => st.getTracks().forEach((t) => t.stop()), () => undefined).finally(() => { w.benchSettled++; });
    }
  }, FANOUT_CALLS), 'start the calls')));
  const closed = new Set<string>();
  await bounded(waitFor(async () => {
    for (const p of await tb.browser.pages()) {
      const href = await p.evaluate(() => (location.href.includes('/picker/picker.html') && document.querySelectorAll('input[type=radio]').length > 0 ? location.href : null)).catch(() => null);
      if (href && !closed.has(href)) { closed.add(href); await p.close().catch(() => undefined); }
    }
    const settled = await Promise.all(own.pages.map((page) => page.evaluate(() => (window as any).benchSettled as number)));
    return settled.every((k) => k === FANOUT_CALLS) || null;
  }, 'all calls of the ten tabs to settle', 60_000, 20), 'fan-out');
  const took = Date.now() - t0;
  if (closed.size !== FANOUT_TABS) throw new Error(`fan-out: ${closed.size} picker windows for ${FANOUT_TABS} tabs`);
  return [took];
}

/** n timed enumerateDevices calls. */
const timeEnumerateDevices = (page: Page, n: number) => bounded(page.evaluate(async (count: number) => {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await navigator.mediaDevices.enumerateDevices();
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}, n), `${n} enumerateDevices calls`);

let loadCounter = 0;
/** Navigates to `url` n times; each sample is the navigation entry's loadEventEnd. */
async function timeLoads(page: Page, url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // Let the previous page finish its post-load work first: back-to-back navigations mostly measure
    // that work's overlap and are much noisier.
    await sleep(100);
    const target = `${url}?n=${++loadCounter}`;
    await bounded(page.goto(target, { waitUntil: 'load', timeout: STEP_TIMEOUT }), `load ${target}`);
    // loadEventEnd is set once the load handlers have returned, possibly just after 'load' fires.
    const v = await bounded(page.evaluate(() => new Promise<number>((resolve) => {
      const poll = () => {
        const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        if (e && e.loadEventEnd > 0) resolve(e.loadEventEnd);
        else setTimeout(poll, 5);
      };
      poll();
    })), `navigation timing of ${target}`);
    out.push(v);
  }
  return out;
}

/** MediaGate's picker, per browser: a tab that timestamps each picker window (see pickerObserver). */
const pickerObservers = new WeakMap<TestBrowser, Page>();
interface PickerSeen { id: string; at: number; error?: string }

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
async function pickerObserver(tb: TestBrowser): Promise<Page> {
  const known = pickerObservers.get(tb);
  if (known) return known;
  const observer = await bounded(tb.openExtensionPage('popup/popup.html'), 'open the picker observer tab');
  await bounded(observer.evaluate(() => {
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
        try { return w.location.pathname.endsWith('/picker/picker.html') && new URLSearchParams(w.location.search).get('id') === id; } catch { return false; }
      });
      if (!view) { seen.push({ id, at: NaN, error: 'the picker window is not among the extension views' }); return undefined; }
      const now = () => view.performance.timeOrigin + view.performance.now();
      const radio = () => view.document.querySelector('input[type=radio]');
      if (radio()) { seen.push({ id, at: now(), error: 'the choices were there before the observer' }); return undefined; }
      new view.MutationObserver((_, o) => {
        if (!radio()) return;
        o.disconnect();
        seen.push({ id, at: now() });
      }).observe(view.document, { subtree: true, childList: true });
      return undefined; // leave the answer to the background
    });
  }), 'install the picker observer');
  pickerObservers.set(tb, observer);
  return observer;
}

/**
 * n pickers: each sample runs from just before the page's getUserMedia({video, user-chooses}) call
 * (page clock) to the first radio input in the picker window (picker clock; both are
 * performance.timeOrigin + now). Each picker is dismissed with Escape, and the call's
 * NotAllowedError awaited, before the next.
 */
async function timePicker({ tb, page }: RunContext, n: number): Promise<number[]> {
  const observer = await pickerObserver(tb);
  // Firefox defers getUserMedia in a background tab: the measured page must be the active one.
  await bounded(page.bringToFront(), 'bring the measure page to the front');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const index = await bounded(observer.evaluate(() => (window as any).benchPickers.length as number), 'count pickers');
    const t0 = await bounded(page.evaluate(() => {
      const w = window as any;
      w.benchPicker = null;
      const t = performance.timeOrigin + performance.now();
      navigator.mediaDevices.getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints).then(
        (s) => { s.getTracks().forEach((tr) => tr.stop()); w.benchPicker = 'resolved'; },
        (e: Error) => { w.benchPicker = e.name; });
      return t;
    }), 'start getUserMedia (user-chooses)');
    const seen = await bounded(waitFor(() => observer.evaluate((k) => ((window as any).benchPickers[k] ?? null) as PickerSeen | null, index),
      'the picker window to show its choices', 15_000, 10), 'picker choices').catch(async (e: unknown) => {
      // Say what the page and the browser were at.
      const outcome = await page.evaluate(() => String((window as any).benchPicker)).catch(() => '?');
      const hrefs = await Promise.all((await tb.browser.pages()).map((p) => p.evaluate(() => location.href).catch(() => '?')));
      throw new Error(`${e instanceof Error ? e.message : String(e)} (sample ${i + 1} of ${n}; the page's call: ${outcome}; tabs: ${hrefs.join(', ')})`);
    });
    if (seen.error) throw new Error(`picker latency: ${seen.error}`);
    out.push(seen.at - t0);
    const picker = await bounded(waitFor(async () => {
      for (const p of await tb.browser.pages()) if ((await p.evaluate(() => location.href).catch(() => '')).includes(seen.id)) return p;
      return null;
    }, 'the picker window', 10_000), 'find the picker window');
    // The window closes on keydown, so the key press may report the target gone.
    await bounded(picker.keyboard.press('Escape'), 'press Escape in the picker').catch(() => undefined);
    const outcome = await bounded(waitFor(() => page.evaluate(() => (window as any).benchPicker as string | null), 'getUserMedia to settle after Escape', 15_000, 20), 'dismissed getUserMedia');
    if (outcome !== 'NotAllowedError') throw new Error(`dismissing the picker: getUserMedia ended with ${outcome}, not NotAllowedError`);
    await sleep(300);
  }
  return out;
}


/**
 * From the toolbar's mute (the popup sends the same command the keyboard shortcut runs) to the page's
 * own togglemicrophone handler, on one clock: both contexts read performance.timeOrigin + now().
 */
async function timeControl({ tb, page }: RunContext, n: number): Promise<number[]> {
  const ui = popups.get(tb);
  if (!ui) throw new Error('no popup for the call-control metric');
  await bounded(page.evaluate(async () => {
    const w = window as any;
    if (w.benchCall) return;
    w.benchCall = await navigator.mediaDevices.getUserMedia({ audio: true });
    navigator.mediaSession.setActionHandler('togglemicrophone' as MediaSessionAction, () => { w.benchHandled = performance.timeOrigin + performance.now(); });
  }), 'start the call');
  await bounded(waitFor(async () => (await listCalls(ui)).some((c) => c.actions.includes('togglemicrophone')), 'the call and its handler registered'), 'call registered');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await bounded(page.evaluate(() => { (window as any).benchHandled = 0; }), 'reset');
    const sent = await bounded(ui.evaluate(async () => {
      const api = (globalThis as any).browser ?? (globalThis as any).chrome;
      const t0 = performance.timeOrigin + performance.now();
      await api.runtime.sendMessage({ channel: 'ui', type: 'commands/run', payload: { command: 'toggle-microphone' } });
      return t0;
    }), 'send the command');
    const handled = await bounded(waitFor(() => page.evaluate(() => (window as any).benchHandled as number || null), 'the page handler', 10_000, 2), 'handler ran');
    out.push(handled - sent);
    await sleep(100);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The figures

const METRICS: Metric[] = [
  {
    id: 'getUserMedia',
    label: '`getUserMedia({video:true})` latency',
    path: MEASURE_PATH,
    // Firefox's fake camera answers in 2–4 ms with a wide spread: more samples, a narrower interval.
    rounds: 20,
    warmup: ({ page }) => timeGetUserMedia(page, 3),
    run: ({ page }) => timeGetUserMedia(page, 8),
    goal: 'ratio ≤ 1.05',
    judge: ratioAtMost(1.05),
  },
  {
    id: 'enumerateDevices',
    label: '`enumerateDevices()` latency',
    path: MEASURE_PATH,
    rounds: 10,
    warmup: ({ page }) => timeEnumerateDevices(page, 3),
    run: ({ page }) => timeEnumerateDevices(page, 15),
    goal: 'ratio ≤ 1.05',
    judge: ratioAtMost(1.05),
  },
  {
    id: 'pageLoad',
    label: 'page load (`bench/fixtures/load.html`, navigation `loadEventEnd`)',
    path: '/load.html',
    rounds: 25,
    warmup: ({ page, server }) => timeLoads(page, server.url('/load.html'), 3),
    run: ({ page, server }) => timeLoads(page, server.url('/load.html'), 2),
    goal: 'no measurable cost (report only)',
    judge: noMeasurableCost,
  },
  {
    id: 'pickerLatency',
    label: "picker latency: `getUserMedia({video:true, semantics:'user-chooses'})` call to the picker window's choices (radio inputs) in its DOM",
    path: MEASURE_PATH,
    configs: ['extension'],
    // Three cameras so that Chromium has something to choose between. The flag would change what the
    // other metrics measure (enumerateDevices lists three cameras), so this metric gets browsers of
    // its own, in Firefox too (one fake camera: the picker still opens, as a page sees no labels
    // before the person allowed it in the picker), which also keeps picker windows out of them.
    launch: { chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] },
    rounds: 20,
    setUp: async ({ tb }) => [await pickerObserver(tb)],
    warmup: (ctx) => timePicker(ctx, 2),
    run: (ctx) => timePicker(ctx, 1),
    goal: (browser) => (browser === 'chromium' ? 'median ≤ 150 ms' : 'none (reported only)'),
    judge: (c, browser) => (browser === 'chromium' ? medianAtMost(150)(c) : ''),
  },
];

METRICS.push({
  id: 'controlLatency',
  label: "call control: toolbar/shortcut mute (`commands/run toggle-microphone`) to the page's `togglemicrophone` handler",
  path: MEASURE_PATH,
  configs: ['extension'],
  launch: {},
  rounds: 20,
  setUp: openPopup,
  warmup: (ctx) => timeControl(ctx, 2),
  run: (ctx) => timeControl(ctx, 1),
  goal: 'none (reported only)',
});

// Load and faults (#10): the figures of load.test.ts and faults.test.ts, measured here.
METRICS.push({
  id: 'captureCycle',
  label: 'capture cycle: `getUserMedia({audio:true, video:true})` until its tracks are stopped (load.test.ts runs 1,000)',
  path: MEASURE_PATH,
  rounds: 10,
  warmup: ({ page }) => timeCaptureCycles(page, 5),
  run: ({ page }) => timeCaptureCycles(page, 20),
  goal: 'none (reported only)',
}, {
  id: 'workerRestart',
  label: "service worker stopped: the popup's next request (`calls/list`) until the new worker answered",
  path: MEASURE_PATH,
  configs: ['extension'],
  // Firefox's event page cannot be stopped from outside.
  browsers: ['chromium'],
  launch: {},
  rounds: 10,
  setUp: openPopup,
  warmup: (ctx) => timeWorkerRestart(ctx, 1),
  run: (ctx) => timeWorkerRestart(ctx, 1),
  goal: 'none (reported only)',
}, {
  id: 'fanout',
  label: `${FANOUT_TABS} tabs (each its own origin) × ${FANOUT_CALLS} concurrent \`user-chooses\` calls, each picker closed as it shows: first call to all ${FANOUT_TABS * FANOUT_CALLS} settled`,
  path: MEASURE_PATH,
  configs: ['extension'],
  // Firefox lets only the foreground tab enumerate and capture: the tabs would wait their turn.
  browsers: ['chromium'],
  launch: { chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] },
  rounds: 5,
  setUp: async ({ tb }) => {
    const servers: FixtureServer[] = [];
    const pages: Page[] = [];
    for (let i = 0; i < FANOUT_TABS; i++) {
      const server = await startServer();
      servers.push(server);
      const page = await bounded(tb.newPage(), 'open a fan-out tab');
      await bounded(page.goto(server.url('/blank.html')), 'load a fan-out tab');
      pages.push(page);
    }
    fanoutPages.set(tb, { pages, servers });
    tb.browser.once('disconnected', () => { for (const server of servers) void server.close(); });
    return pages;
  },
  warmup: (ctx) => timeFanout(ctx),
  run: (ctx) => timeFanout(ctx),
  goal: 'none (reported only)',
});

const STATIC_METRICS: StaticMetric[] = [
  {
    label: 'injected script (`dist/chromium/injected.js`), minified',
    goal: '< 30 KB (30,720 bytes)',
    async measure() {
      const bytes = await readFile(path.join(DIST('chromium'), 'injected.js'));
      const gzip = zlib.gzipSync(bytes).length;
      return {
        value: `${bytes.length.toLocaleString('en-US')} bytes (${(bytes.length / 1024).toFixed(1)} KB); gzip ${gzip.toLocaleString('en-US')} bytes (${(gzip / 1024).toFixed(1)} KB)`,
        verdict: bytes.length < 30 * 1024 ? 'met' : '**not met**',
      };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Harness

interface BrowserResult {
  name: BrowserName;
  version: string;
  /** `launches`: which browser pair each sample came from. */
  rows: { metric: Metric; samples: Record<Config, number[]>; launches: Record<Config, number[]>; comparison: Comparison }[];
  error?: string;
}

/**
 * Proves the extension runs in the measured page: a live camera track shows up in its call list. A
 * page opened in the first moments of a Chromium launch may miss the content scripts (they register
 * just after the service worker starts): then it is loaded again, as a person would reload it.
 */
async function checkExtensionActive(tb: TestBrowser, page: Page, server: FixtureServer): Promise<void> {
  const ui = await bounded(tb.openExtensionPage('popup/popup.html'), 'open the popup');
  try {
    for (let attempt = 1; ; attempt++) {
      await bounded(page.evaluate(async () => {
        (window as any).benchStream = await navigator.mediaDevices.getUserMedia({ video: true });
      }), 'sanity getUserMedia');
      try {
        await waitFor(async () => (await listCalls(ui)).find((c) => c.origin === server.origin && c.tracks.length > 0), 'MediaGate to register the benchmark page', 5_000);
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
        await bounded(page.reload(), 'reload the measure page');
      } finally {
        await bounded(page.evaluate(() => { (window as any).benchStream?.getTracks().forEach((t: MediaStreamTrack) => t.stop()); }), 'stop sanity stream').catch(() => undefined);
      }
    }
  } finally {
    await ui.close().catch(() => undefined);
  }
}

async function openConfig(name: BrowserName, config: Config, server: FixtureServer, opened: TestBrowser[], metrics: readonly Metric[]): Promise<RunContext> {
  const tb = await bounded(launch(name, { ...metrics[0]?.launch, extension: config === 'extension' }), `launch ${name} (${config})`, 60_000);
  opened.push(tb);
  const page = await bounded(tb.newPage(), 'new page');
  await bounded(page.goto(server.url(MEASURE_PATH), { timeout: STEP_TIMEOUT }), 'open the measure page');
  if (config === 'extension') await checkExtensionActive(tb, page, server);
  const ctx: RunContext = { tb, browser: name, config, page, server };
  const keep = new Set<Page>([page]);
  for (const metric of metrics) if ((metric.configs ?? CONFIGS).includes(config)) for (const p of await metric.setUp?.(ctx) ?? []) keep.add(p);
  // Close everything else (the initial blank tab, MediaGate's first-run page) so both configurations
  // run one tab (plus what a metric's setUp keeps).
  for (const other of await tb.browser.pages()) if (!keep.has(other)) await bounded(other.close(), 'close a tab', 10_000).catch(() => undefined);
  return ctx;
}

type Row = BrowserResult['rows'][number];

/**
 * Fresh browser pairs the shared metrics run in, one after the other, their rounds split between
 * them. Two launches of the same browser differ by a few percent in sub-millisecond calls (seen in
 * Firefox: ±60 µs on a 0.5 ms enumerateDevices, with and without MediaGate alike); with one or two
 * pairs that difference is counted as MediaGate's (Firefox enumerateDevices read 0.97 and 1.17 in
 * two-pair runs; in a six-pair run the running figures moved by under 2% over the last three pairs).
 */
const INSTANCES = Math.max(1, Number(process.env.BENCH_INSTANCES ?? 6));

/** Warm-up, then the rounds, in the configurations the metric runs in; `prior` holds the samples of earlier browser pairs, `launch` numbers this pair. */
async function measure(metric: Metric, ctx: Partial<Record<Config, RunContext>>, name: BrowserName, server: FixtureServer,
  rounds = metric.rounds, prior?: Row, launch = 0): Promise<Row> {
  const configs = metric.configs ?? CONFIGS;
  const at = (config: Config): RunContext => {
    const c = ctx[config];
    if (!c) throw new Error(`${metric.id}: no ${config} browser`);
    return c;
  };
  const started = Date.now();
  for (const config of configs) {
    const c = at(config);
    await bounded(c.page.goto(server.url(metric.path), { timeout: STEP_TIMEOUT }), `open ${metric.path}`);
    await metric.warmup?.(c);
  }
  const samples: Record<Config, number[]> = { none: [...prior?.samples.none ?? []], extension: [...prior?.samples.extension ?? []] };
  const launches: Record<Config, number[]> = { none: [...prior?.launches.none ?? []], extension: [...prior?.launches.extension ?? []] };
  for (let round = 0; round < rounds; round++) {
    // none, extension / extension, none / ...: neither configuration always goes first.
    const order = round % 2 === 0 ? configs : [...configs].reverse();
    for (const config of order) {
      const xs = await metric.run(at(config));
      samples[config].push(...xs);
      launches[config].push(...xs.map(() => launch));
    }
  }
  const c = compare(samples.none, samples.extension, { none: launches.none, ext: launches.extension });
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (samples.none.length) console.log(`  ${name} ${metric.id}: none ${fmt(c.none)} ms, extension ${fmt(c.extension)} ms, ratio ${c.ratio.toFixed(3)} [${c.low.toFixed(3)}, ${c.high.toFixed(3)}] (n=${samples.none.length}/${samples.extension.length}, ${took})`);
  else console.log(`  ${name} ${metric.id}: extension ${fmt(c.extension)} ms [${fmt(c.extensionLow)}, ${fmt(c.extensionHigh)}] (n=${samples.extension.length}, ${took})`);
  if (process.env.BENCH_VERBOSE) for (const config of configs) console.log(`    ${config}: ${samples[config].map(fmt).join(' ')}`);
  return { metric, samples, launches, comparison: c };
}

async function runBrowser(name: BrowserName, server: FixtureServer): Promise<BrowserResult> {
  const result: BrowserResult = { name, version: 'unknown', rows: [] };
  // The metrics that share the two browsers, then each metric that needs browsers of its own; a
  // group's browsers are closed before the next group's start.
  const mine = METRICS.filter((m) => !m.browsers || m.browsers.includes(name));
  const groups = [mine.filter((m) => !m.launch), ...mine.filter((m) => m.launch).map((m) => [m])].filter((g) => g.length > 0);
  try {
    for (const group of groups) {
      // Only the shared group's comparisons are split over several browser pairs: a metric with
      // browsers of its own is measured with MediaGate only, or is too slow to launch twice.
      const instances = group.some((m) => m.launch) ? 1 : INSTANCES;
      const rows = new Map<Metric, Row>();
      for (let instance = 0; instance < instances; instance++) {
        const opened: TestBrowser[] = [];
        try {
          const ctx: Partial<Record<Config, RunContext>> = {};
          for (const config of CONFIGS) {
            if (group.some((m) => (m.configs ?? CONFIGS).includes(config))) ctx[config] = await openConfig(name, config, server, opened, group);
          }
          if (result.version === 'unknown') result.version = await bounded(opened[0]!.browser.version(), 'browser version');
          await sleep(1000); // let start-up work settle
          for (const metric of group) {
            const rounds = Math.ceil(metric.rounds / instances);
            rows.set(metric, await measure(metric, ctx, name, server, rounds, rows.get(metric), instance));
          }
        } finally {
          for (const tb of opened) await bounded(tb.close(), `close ${name}`, 20_000).catch(() => undefined);
        }
      }
      result.rows.push(...rows.values());
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
    console.error(`  ${name}: ${result.error}`);
  }
  result.rows.sort((a, b) => METRICS.indexOf(a.metric) - METRICS.indexOf(b.metric));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report

function report(results: BrowserResult[], statics: { metric: StaticMetric; value: string; verdict: string }[], started: Date, seconds: number, load: number[],
  voice: { name: BrowserName; result?: VoiceResult; error?: string; load?: number[]; at?: Date }[], blur: { name: BrowserName; rows?: BlurRow[]; error?: string; load: number[]; at: Date }[],
  transfer: { name: BrowserName; result?: TransferResult; error?: string }[],
  floor: { name: BrowserName; result?: FloorResult; error?: string; load: number[] }[] = []): string {
  const version = (n: BrowserName) => {
    const r = results.find((x) => x.name === n);
    return r ? r.version : 'not run';
  };
  const cpu = os.cpus();
  const lines = [
    '# MediaGate benchmark results',
    '',
    `- Date: ${started.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`,
    `- Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node ${process.version}; Chromium: ${version('chromium')}; Firefox: ${version('firefox')}`,
    `- Run time: ${seconds.toFixed(0)} s; load average before the run ${load.map((x) => x.toFixed(2)).join(', ')} (1, 5, 15 min;`
      + ' other work on the machine makes the figures noisier). Generated by `npm run bench` (bench/run.ts).',
    '',
    'Each browser ran twice side by side, without and with MediaGate (built from this tree, headless, fake media',
    'devices), on a fixture page served from localhost. Each metric runs in rounds that alternate between the two',
    'configurations (the order flips every round) after warm-up; the figures are medians of all samples.',
    `The metrics of the shared browsers (the first rows) split their rounds over ${INSTANCES} such browser pair${INSTANCES > 1 ? 's' : ''}, launched one after`,
    'the other: two launches of one browser differ by a few percent in sub-millisecond calls, MediaGate or not.',
    'Ratio = with / without; in brackets its 95% bootstrap interval, which resamples the browser pairs and then the',
    'samples within each, so that launch-to-launch differences widen it. **Ratios near 1 whose interval includes 1 are',
    'equal within noise.** API timings are taken inside the page with `performance.now()` around the awaited call',
    '(cross-origin isolated page, so the timer is precise to ≤ 20 µs); page load is the Navigation Timing',
    '`loadEventEnd` of a static page of ~450 elements that does not use the camera.',
    '',
    'Rows with "n/a" exist only with MediaGate (its own UI): there the brackets hold the 95% bootstrap interval of',
    'the median. Picker latency runs in a browser of its own (Chromium with 3 fake cameras, so that there is a',
    'choice; Firefox has one, and opens the picker as the page sees no labels yet): from just before the page calls',
    'getUserMedia (page clock) to the first radio input in the picker window\'s DOM (picker clock, recorded from',
    'inside the picker by a MutationObserver that a MediaGate tab installs on the picker\'s first message); each',
    'picker is then dismissed with Escape and the NotAllowedError awaited, 300 ms before the next.',
    '',
  ];
  for (const r of results) {
    lines.push(`## ${r.name === 'chromium' ? 'Chromium' : 'Firefox'} (${r.version})`, '');
    if (r.error) lines.push(`**The run failed:** ${r.error}`, '');
    if (r.rows.length) {
      lines.push('| metric | without MediaGate (median ms) | with MediaGate (median ms) | ratio | goal |', '|---|---:|---:|---:|---|');
      for (const { metric, samples, comparison: c } of r.rows) {
        const goal = typeof metric.goal === 'function' ? metric.goal(r.name) : metric.goal;
        const verdict = metric.judge?.(c, r.name) ?? '';
        const judged = verdict ? `${goal}: ${verdict}` : goal;
        if (samples.none.length === 0) {
          // Measured with MediaGate only: no comparison; the interval is the median's own.
          lines.push(`| ${metric.label}, n = ${samples.extension.length} (with MediaGate only) | n/a | ${fmt(c.extension)} [${fmt(c.extensionLow)}–${fmt(c.extensionHigh)}] | n/a | ${judged} |`);
          continue;
        }
        const n = samples.none.length === samples.extension.length ? `${samples.none.length}` : `${samples.none.length}/${samples.extension.length}`;
        lines.push(`| ${metric.label}, n = ${n} per configuration | ${fmt(c.none)} | ${fmt(c.extension)} | ${c.ratio.toFixed(3)} [${c.low.toFixed(2)}–${c.high.toFixed(2)}] | ${judged} |`);
      }
      lines.push('');
    }
  }
  lines.push('## Voice isolation (RNNoise worklet and wasm as shipped)', '',
    'Rendered in an OfflineAudioContext (48 kHz mono, 10 s of the speech fixture over steady noise) in a browser without the',
    'extension: the worklet and wasm are the files MediaGate bundles. Real-time factor = render wall time / audio time',
    '(median of the runs; a realtime context must stay well below 1); added latency = the lag that best aligns output',
    'and input; suppression = noise-only energy in / out. Where the time goes, measured in the same run: the same render',
    'through a worklet that only copies (the audio graph\'s own cost), and `rnnoise_process_frame` alone on the page\'s',
    'thread over the same 10 s (the model\'s compute). The latency has a floor: RNNoise\'s own 480-sample look-back (10 ms)',
    'plus the 448 samples (9.3 ms) that 480-sample frames need at least in 128-sample blocks (rnnoise-framing.ts).', '',
    '| browser | real-time factor (median, n) | pass-through worklet RTF | RNNoise compute alone RTF | added latency | noise suppression | goal |', '|---|---:|---:|---:|---:|---:|---|');
  for (const v of voice) {
    if (!v.result) { lines.push(`| ${v.name} | failed: ${v.error} | | | | | |`); continue; }
    if (v.result.rtf.length === 0) {
      lines.push(`| ${v.name} | n/a: no \`OfflineAudioContext.suspend()\`, the render would outrun the worklet's wasm start | n/a | ${v.result.computeRtf.toFixed(4)} | n/a | n/a | the model's compute only (reported) |`);
      continue;
    }
    const rtf = median(v.result.rtf);
    const verdict = `RTF ≤ 0.03: ${rtf <= 0.03 ? 'met' : '**not met**'}; latency ≤ 20 ms: ${v.result.latencyMs <= 20 ? 'met' : '**not met**'}`;
    lines.push(`| ${v.name} | ${rtf.toFixed(4)} (n = ${v.result.rtf.length}) | ${median(v.result.passRtf).toFixed(4)} | ${v.result.computeRtf.toFixed(4)} | ${v.result.latencyMs.toFixed(1)} ms | ${v.result.suppressionDb.toFixed(1)} dB | ${verdict} |`);
  }
  lines.push('');
  for (const v of voice) if (v.at && v.load) lines.push(`- ${v.name}: measured ${v.at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, load average before ${v.load.map((x) => x.toFixed(2)).join(', ')}`);
  if (voice.some((v) => v.at)) lines.push('');
  lines.push(...blurSection(blur));
  lines.push('## Transferable track (worker round trip)', '',
    'A 640×480@30 fake camera track posted to a dedicated worker, passed unchanged through MediaStreamTrackProcessor →',
    'VideoTrackGenerator and posted back (with MediaGate; no browser does this natively). Frames the page gets over 5 s',
    'against a clone of the source over the same window; in Chromium both are read with MediaStreamTrackProcessor in the',
    'page and each frame is matched to the source frame with the same capture timestamp (Firefox: frames presented by',
    'two `<video>` elements; no per-frame latency).', '',
    '| browser | source frames | delivered | ratio | added latency per frame (median, p95) | goal |', '|---|---:|---:|---:|---:|---|');
  for (const t of transfer) {
    if (!t.result) { lines.push(`| ${t.name} | failed: ${t.error} | | | | |`); continue; }
    const r = t.result;
    const ratio = r.deliveredFrames / Math.max(1, r.sourceFrames);
    const sorted = [...r.latencyMs].sort((a, b) => a - b);
    const lat = sorted.length ? `${median(sorted).toFixed(1)} ms, ${sorted[Math.floor(sorted.length * 0.95)]!.toFixed(1)} ms (n = ${sorted.length})` : 'not measured';
    lines.push(`| ${t.name} | ${r.sourceFrames} | ${r.deliveredFrames} | ${(ratio * 100).toFixed(1)} % | ${lat} | ≥ 98 % delivered: ${ratio >= 0.98 ? 'met' : '**not met**'} |`);
  }
  lines.push('');
  if (floor.length) lines.push(...floorSection(floor));
  lines.push('## Build', '', '| metric | value | goal |', '|---|---|---|');
  for (const s of statics) lines.push(`| ${s.metric.label} | ${s.value} | ${s.metric.goal}: ${s.verdict} |`);
  lines.push('');
  return lines.join('\n');
}

function floorSection(floor: { name: BrowserName; result?: FloorResult; error?: string; load: number[] }[]): string[] {
  const lines = ['## Page load against the platform floor', '',
    'What any extension built like MediaGate costs every page, against what MediaGate\'s own scripts add. The "floor"',
    'extension is generated from MediaGate\'s built manifest: the same ISOLATED and MAIN-world content scripts at',
    '`document_start` in every frame and the same host permissions, but each script only marks the page (checked before',
    'measuring). Three browsers per kind, without an extension, with the floor and with MediaGate, load',
    '`bench/fixtures/load.html` in alternating rounds (order flips each round, 3 warm-up rounds, the rounds split over',
    'six fresh launches of the three browsers); navigation `loadEventEnd`,',
    'medians, ratios with their 95% bootstrap interval.', '',
    '| browser | no extension (ms) | floor (ms) | MediaGate (ms) | floor / none | MediaGate / none | MediaGate / floor (MediaGate\'s own cost) | goal |',
    '|---|---:|---:|---:|---:|---:|---:|---|'];
  const notes: string[] = [];
  for (const f of floor) {
    notes.push(`${f.name}: load average before ${f.load.map((x) => x.toFixed(2)).join(', ')}`);
    if (!f.result) { lines.push(`| ${f.name} | failed: ${f.error} | | | | | | |`); continue; }
    const { none, floor: fl, mediagate } = f.result.samples;
    const r = (a: number[], b: number[]) => { const c = compare(a, b); return { c, text: `${c.ratio.toFixed(3)} [${c.low.toFixed(2)}–${c.high.toFixed(2)}]` }; };
    const own = r(fl, mediagate);
    const verdict = own.c.low <= 1 ? 'no measurable cost over the floor: met' : `measurable over the floor: +${((own.c.ratio - 1) * 100).toFixed(1)}%`;
    lines.push(`| ${f.name}, n = ${none.length} per configuration | ${median(none).toFixed(1)} | ${median(fl).toFixed(1)} | ${median(mediagate).toFixed(1)} | ${r(none, fl).text} | ${r(none, mediagate).text} | ${own.text} | ${verdict} |`);
  }
  lines.push('', 'The same browsers also time `getUserMedia({video:true})` in the cross-origin isolated measure page (4 calls per',
    'configuration and round, 20 ms apart, the tab brought to the front first), so that MediaGate\'s cost on the call can be told',
    'from what having such an extension at all costs it:', '',
    '| browser | no extension (ms) | floor (ms) | MediaGate (ms) | floor / none | MediaGate / none | MediaGate / floor (MediaGate\'s own cost) |',
    '|---|---:|---:|---:|---:|---:|---:|');
  for (const f of floor) {
    if (!f.result) continue;
    const { none, floor: fl, mediagate } = f.result.gum;
    const r = (a: number[], b: number[]) => { const c = compare(a, b); return `${c.ratio.toFixed(3)} [${c.low.toFixed(2)}–${c.high.toFixed(2)}]`; };
    lines.push(`| ${f.name}, n = ${none.length} per configuration, ${f.result.triples} launches of each | ${median(none).toFixed(3)} | ${median(fl).toFixed(3)} | ${median(mediagate).toFixed(3)} | ${r(none, fl)} | ${r(none, mediagate)} | ${r(fl, mediagate)} |`);
  }
  lines.push('', ...notes.map((n) => `- ${n}`), '');
  return lines;
}

function blurSection(blur: { name: BrowserName; rows?: BlurRow[]; error?: string; load: number[]; at: Date }[]): string[] {
  const lines = ['## Background blur (MediaGate\'s backgroundBlur as a page gets it)', '',
    'The fake camera at 30 fps, asked for with `backgroundBlur: {exact: true}`, after 3 s of warm-up, for 10 s. Chromium',
    '(headless): the blurred track and a second, unprocessed track of the same camera are read side by side with',
    '`MediaStreamTrackProcessor`; frames delivered = blurred frames / camera frames in the same seconds; per-frame latency =',
    'arrival of a blurred frame - arrival of the camera frame with the same timestamp (camera-to-page, including the',
    'queueing). Firefox runs headful on a private Xvfb (the segmenter needs WebGL; Mesa llvmpipe renders it): both tracks',
    'play in `<video>` elements whose `requestVideoFrameCallback` (`presentedFrames`) counts the frames presented; the canvas-capture output',
    'carries no source timestamp, so latency is not measured there. The blur runs on the same 2 shared cores as the rest',
    'of the machine: see the load average.', '',
    '| browser | size | camera fps | blurred fps | frames delivered | per-frame latency median / p95 (n) | compositing | goal |',
    '|---|---|---:|---:|---:|---:|---|---|'];
  const notes: string[] = [];
  for (const b of blur) {
    notes.push(`${b.name}: measured ${b.at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, load average before ${b.load.map((x) => x.toFixed(2)).join(', ')}`);
    if (!b.rows) { lines.push(`| ${b.name} | failed: ${b.error} | | | | | | |`); continue; }
    for (const r of b.rows) {
      if (r.error) { lines.push(`| ${r.browser} | ${r.size} | failed: ${r.error} | | | | | |`); continue; }
      const delivered = r.blurredFps / r.cameraFps;
      const goal = r.browser === 'chromium' && r.size === '640x480' ? `≥ 95% delivered: ${delivered >= 0.95 ? 'met' : '**not met**'}` : 'reported only';
      const latency = r.latency ? `${r.latency.median.toFixed(1)} / ${r.latency.p95.toFixed(1)} ms (${r.latency.n})` : 'n/a';
      lines.push(`| ${r.browser} | ${r.size} | ${r.cameraFps.toFixed(1)} | ${r.blurredFps.toFixed(1)} | ${(delivered * 100).toFixed(0)}% | ${latency} | ${r.compositing} | ${goal} |`);
    }
  }
  lines.push('', ...notes.map((n) => `- ${n}`), '');
  return lines;
}

/** A run of some parts only: their sections replace those of the existing results; the rest stays. */
function mergeSections(previous: string, fresh: string, parts: readonly Part[]): string {
  const split = (md: string) => md.split(/\n(?=## )/);
  const owned = (section: string) => {
    const title = section.split('\n', 1)[0]!;
    if (title.startsWith('## Voice isolation')) return 'voice';
    if (title.startsWith('## Background blur')) return 'blur';
    if (title.startsWith('## Transferable track')) return 'transfer';
    if (title.startsWith('## Page load against')) return 'floor';
    if (title.startsWith('## Chromium') || title.startsWith('## Firefox')) return 'api';
    return null;
  };
  const replacements = split(fresh).filter((sec) => parts.includes(owned(sec) as Part));
  // The build figures describe the build just measured: always the fresh ones.
  const build = split(fresh).find((sec) => sec.startsWith('## Build'));
  const out: string[] = [];
  const used = new Set<string>();
  for (const sec of split(previous)) {
    const part = owned(sec);
    if (part && parts.includes(part)) {
      if (!used.has(part)) { out.push(...replacements.filter((r) => owned(r) === part)); used.add(part); }
      continue;
    }
    // A part the previous results lacked goes in before the build figures.
    if (sec.startsWith('## Build')) for (const p of parts) if (!used.has(p)) { out.push(...replacements.filter((r) => owned(r) === p)); used.add(p); }
    out.push(sec.startsWith('## Build') && build ? build : sec);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = new Date();
  const loadBefore = os.loadavg();
  if (BROWSERS.length === 0) throw new Error('BROWSERS selects no known browser (chromium, firefox)');
  const statics = [];
  for (const metric of STATIC_METRICS) statics.push({ metric, ...await metric.measure() });
  const server = await startServer(path.join(BENCH_DIR, 'fixtures'));
  server.route(MEASURE_PATH, { body: MEASURE_PAGE, headers: ISOLATION_HEADERS });
  await serveVoice(server, ROOT);
  serveBlur(server);
  serveTransfer(server);
  const results: BrowserResult[] = [];
  const voice: { name: BrowserName; result?: VoiceResult; error?: string; load?: number[]; at?: Date }[] = [];
  const blur: { name: BrowserName; rows?: BlurRow[]; error?: string; load: number[]; at: Date }[] = [];
  const transfer: { name: BrowserName; result?: TransferResult; error?: string }[] = [];
  const floor: { name: BrowserName; result?: FloorResult; error?: string; load: number[] }[] = [];
  try {
    for (const name of BROWSERS) {
      console.log(`${name}:`);
      if (SELECTED.includes('api')) results.push(await runBrowser(name, server));
      if (SELECTED.includes('floor')) {
        const load = os.loadavg();
        try {
          floor.push({ name, load, result: await bounded(measureFloor(name, server, 48, server.url(MEASURE_PATH), 6), 'page load and getUserMedia against the floor', 480_000) });
        } catch (e) {
          floor.push({ name, load, error: e instanceof Error ? e.message : String(e) });
        }
      }
      if (SELECTED.includes('voice')) {
        const at = new Date();
        const load = os.loadavg();
        const tb = await launch(name, { extension: false });
        try {
          voice.push({ name, at, load, result: await bounded(measureVoice(await tb.newPage(), server, 5), 'voice isolation', 120_000) });
        } catch (e) {
          voice.push({ name, at, load, error: e instanceof Error ? e.message : String(e) });
        } finally {
          await tb.close();
        }
      }
      if (SELECTED.includes('blur')) {
        const at = new Date();
        const load = os.loadavg();
        try {
          blur.push({ name, at, load, rows: await bounded(measureBlur(name, server), 'background blur', 120_000) });
        } catch (e) {
          blur.push({ name, at, load, error: e instanceof Error ? e.message : String(e) });
        }
      }
      if (SELECTED.includes('transfer')) {
        const tt = await launch(name, { chromiumArgs: ['--use-fake-device-for-media-stream=fps=30'] });
        try {
          transfer.push({ name, result: await bounded(measureTransfer(await tt.newPage(), server, 5), 'track transfer', 60_000) });
        } catch (e) {
          transfer.push({ name, error: e instanceof Error ? e.message : String(e) });
        } finally {
          await tt.close();
        }
      }
    }
  } finally {
    await server.close();
  }
  let md = report(results, statics, started, (Date.now() - started.getTime()) / 1000, loadBefore, voice, blur, transfer, floor);
  if (SELECTED.length < PARTS.length) md = mergeSections(await readFile(RESULTS, 'utf8').catch(() => md), md, SELECTED);
  await writeFile(RESULTS, md);
  console.log(`\n${md}\nwrote ${path.relative(ROOT, RESULTS)}`);
  return results.some((r) => r.error) ? 1 : 0;
}

// A last resort if something hangs outside the bounded steps; puppeteer kills its browsers on exit.
const watchdog = setTimeout(() => { console.error('benchmark: overall time limit (10 min) reached'); process.exit(2); }, 10 * 60_000);
watchdog.unref();
main().then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 1; });
