// MediaGate benchmark: what the extension costs the pages it runs in. For each browser, one browser
// without MediaGate and one with it run side by side; every metric runs in rounds that alternate
// between the two (none, extension, extension, none, ...) so drift of the machine cancels out, and
// the report compares medians. Run with `npm run bench` (bench/run.mjs builds and compiles this).
// BROWSERS=chromium,firefox selects browsers as for the e2e tests. Writes bench/results.md.
// `npm run bench -- --only=blur` (or api, voice; comma-separated) runs only those parts and replaces
// only their sections of bench/results.md, each of which says when it was measured. BENCH_METRICS=regex
// runs only the api metrics whose id matches (while working on one: the api section then holds only those).
//
// This file launches the browsers and runs the parts; the figures are in metrics.ts (to add one, see
// there), how each is timed in timing.ts, the statistics in statistics.ts, the markdown in report.ts.
import type { Page } from 'puppeteer-core';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BROWSERS, ROOT, launch, waitFor, type BrowserName, type TestBrowser } from '../test/e2e/helpers/browsers';
import { startServer, type FixtureServer } from '../test/e2e/helpers/server';
import { listCalls } from '../test/e2e/helpers/extension';
import { measureVoice, serveVoice } from './voice';
import { serveMutedSpeech } from './muted-speech';
import { measureTransfer, serveTransfer } from './transfer';
import { measureFloor } from './floor';
import { measureBlur, serveBlur } from './blur';
import { ISOLATION_HEADERS, MEASURE_PAGE, MEASURE_PATH, METRICS, STATIC_METRICS } from './metrics';
import { compare, fmt } from './statistics';
import { STEP_TIMEOUT, bounded, sleep } from './timing';
import { mergeSections, report } from './report';
import type {
  BlurRun,
  BrowserResult,
  Config,
  FloorRun,
  Metric,
  Part,
  Row,
  RunContext,
  StaticResult,
  TransferRun,
  VoiceRun,
} from './types';

const PARTS: readonly Part[] = ['api', 'floor', 'voice', 'blur', 'transfer'];
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const SELECTED: readonly Part[] = onlyArg
  ? onlyArg
      .slice('--only='.length)
      .split(',')
      .filter((p): p is Part => (PARTS as readonly string[]).includes(p))
  : PARTS;

// ---------------------------------------------------------------------------------------------
// Configuration

const CONFIGS: readonly Config[] = ['none', 'extension'];
const BENCH_DIR = path.join(ROOT, 'bench');
const RESULTS = path.join(BENCH_DIR, 'results.md');

// ---------------------------------------------------------------------------------------------
// Harness

/**
 * Proves the extension runs in the measured page: a live camera track shows up in its call list. A
 * page opened in the first moments of a Chromium launch may miss the content scripts (they register
 * just after the service worker starts): then it is loaded again, as a person would reload it.
 */
async function checkExtensionActive(tb: TestBrowser, page: Page, server: FixtureServer): Promise<void> {
  const ui = await bounded(tb.openExtensionPage('popup/popup.html'), 'open the popup');
  try {
    for (let attempt = 1; ; attempt++) {
      await bounded(
        page.evaluate(async () => {
          (window as any).benchStream = await navigator.mediaDevices.getUserMedia({ video: true });
        }),
        'sanity getUserMedia',
      );
      try {
        await waitFor(
          async () => (await listCalls(ui)).find((c) => c.origin === server.origin && c.tracks.length > 0),
          'MediaGate to register the benchmark page',
          5_000,
        );
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
        await bounded(page.reload(), 'reload the measure page');
      } finally {
        await bounded(
          page.evaluate(() => {
            (window as any).benchStream?.getTracks().forEach((t: MediaStreamTrack) => t.stop());
          }),
          'stop sanity stream',
        ).catch(() => undefined);
      }
    }
  } finally {
    await ui.close().catch(() => undefined);
  }
}

async function openConfig(
  name: BrowserName,
  config: Config,
  server: FixtureServer,
  opened: TestBrowser[],
  metrics: readonly Metric[],
): Promise<RunContext> {
  const tb = await bounded(
    launch(name, { ...metrics[0]?.launch, extension: config === 'extension' }),
    `launch ${name} (${config})`,
    60_000,
  );
  opened.push(tb);
  const page = await bounded(tb.newPage(), 'new page');
  await bounded(page.goto(server.url(MEASURE_PATH), { timeout: STEP_TIMEOUT }), 'open the measure page');
  if (config === 'extension') await checkExtensionActive(tb, page, server);
  const ctx: RunContext = { tb, browser: name, config, page, server };
  const keep = new Set<Page>([page]);
  for (const metric of metrics)
    if ((metric.configs ?? CONFIGS).includes(config)) for (const p of (await metric.setUp?.(ctx)) ?? []) keep.add(p);
  // Close everything else (the initial blank tab, MediaGate's first-run page) so both configurations
  // run one tab (plus what a metric's setUp keeps).
  for (const other of await tb.browser.pages())
    if (!keep.has(other)) await bounded(other.close(), 'close a tab', 10_000).catch(() => undefined);
  return ctx;
}

/**
 * Fresh browser pairs the shared metrics run in, one after the other, their rounds split between
 * them. Two launches of the same browser differ by a few percent in sub-millisecond calls (seen in
 * Firefox: ±60 µs on a 0.5 ms enumerateDevices, with and without MediaGate alike); with one or two
 * pairs that difference is counted as MediaGate's (Firefox enumerateDevices read 0.97 and 1.17 in
 * two-pair runs; in a six-pair run the running figures moved by under 2% over the last three pairs).
 */
const INSTANCES = Math.max(1, Number(process.env.BENCH_INSTANCES ?? 6));

/** Warm-up, then the rounds, in the configurations the metric runs in; `prior` holds the samples of earlier browser pairs, `launch` numbers this pair. */
async function measure(
  metric: Metric,
  ctx: Partial<Record<Config, RunContext>>,
  name: BrowserName,
  server: FixtureServer,
  rounds = metric.rounds,
  prior?: Row,
  launch = 0,
): Promise<Row> {
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
  const samples: Record<Config, number[]> = {
    none: [...(prior?.samples.none ?? [])],
    extension: [...(prior?.samples.extension ?? [])],
  };
  const launches: Record<Config, number[]> = {
    none: [...(prior?.launches.none ?? [])],
    extension: [...(prior?.launches.extension ?? [])],
  };
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
  if (samples.none.length)
    console.log(
      `  ${name} ${metric.id}: none ${fmt(c.none)} ms, extension ${fmt(c.extension)} ms, ratio ${c.ratio.toFixed(3)} [${c.low.toFixed(3)}, ${c.high.toFixed(3)}] (n=${samples.none.length}/${samples.extension.length}, ${took})`,
    );
  else
    console.log(
      `  ${name} ${metric.id}: extension ${fmt(c.extension)} ms [${fmt(c.extensionLow)}, ${fmt(c.extensionHigh)}] (n=${samples.extension.length}, ${took})`,
    );
  if (process.env.BENCH_VERBOSE)
    for (const config of configs) console.log(`    ${config}: ${samples[config].map(fmt).join(' ')}`);
  return { metric, samples, launches, comparison: c };
}

async function runBrowser(name: BrowserName, server: FixtureServer): Promise<BrowserResult> {
  const result: BrowserResult = { name, version: 'unknown', rows: [] };
  // The metrics that share the two browsers, then each metric that needs browsers of its own; a
  // group's browsers are closed before the next group's start.
  const only = process.env.BENCH_METRICS ? new RegExp(process.env.BENCH_METRICS) : null;
  const mine = METRICS.filter((m) => (!m.browsers || m.browsers.includes(name)) && (!only || only.test(m.id)));
  const groups = [mine.filter((m) => !m.launch), ...mine.filter((m) => m.launch).map((m) => [m])].filter(
    (g) => g.length > 0,
  );
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
            if (group.some((m) => (m.configs ?? CONFIGS).includes(config)))
              ctx[config] = await openConfig(name, config, server, opened, group);
          }
          if (result.version === 'unknown')
            result.version = await bounded(opened[0]!.browser.version(), 'browser version');
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

async function main(): Promise<number> {
  const started = new Date();
  const loadBefore = os.loadavg();
  if (BROWSERS.length === 0) throw new Error('BROWSERS selects no known browser (chromium, firefox)');
  const statics: StaticResult[] = [];
  for (const metric of STATIC_METRICS) statics.push({ metric, ...(await metric.measure()) });
  const server = await startServer(path.join(BENCH_DIR, 'fixtures'));
  server.route(MEASURE_PATH, { body: MEASURE_PAGE, headers: ISOLATION_HEADERS });
  await serveVoice(server, ROOT);
  await serveMutedSpeech(server, ROOT);
  serveBlur(server);
  serveTransfer(server);
  const results: BrowserResult[] = [];
  const voice: VoiceRun[] = [];
  const blur: BlurRun[] = [];
  const transfer: TransferRun[] = [];
  const floor: FloorRun[] = [];
  try {
    for (const name of BROWSERS) {
      console.log(`${name}:`);
      if (SELECTED.includes('api')) results.push(await runBrowser(name, server));
      if (SELECTED.includes('floor')) {
        const load = os.loadavg();
        try {
          floor.push({
            name,
            load,
            result: await bounded(
              measureFloor(name, server, 48, server.url(MEASURE_PATH), 6),
              'page load and getUserMedia against the floor',
              480_000,
            ),
          });
        } catch (e) {
          floor.push({ name, load, error: e instanceof Error ? e.message : String(e) });
        }
      }
      if (SELECTED.includes('voice')) {
        const at = new Date();
        const load = os.loadavg();
        const tb = await launch(name, { extension: false });
        try {
          voice.push({
            name,
            at,
            load,
            result: await bounded(measureVoice(await tb.newPage(), server, 5), 'voice isolation', 120_000),
          });
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
          transfer.push({
            name,
            result: await bounded(measureTransfer(await tt.newPage(), server, 5), 'track transfer', 60_000),
          });
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
  let md = report({
    results,
    statics,
    started,
    seconds: (Date.now() - started.getTime()) / 1000,
    load: loadBefore,
    instances: INSTANCES,
    voice,
    blur,
    transfer,
    floor,
  });
  if (SELECTED.length < PARTS.length) md = mergeSections(await readFile(RESULTS, 'utf8').catch(() => md), md, SELECTED);
  await writeFile(RESULTS, md);
  console.log(`\n${md}\nwrote ${path.relative(ROOT, RESULTS)}`);
  return results.some((r) => r.error) ? 1 : 0;
}

// A last resort if something hangs outside the bounded steps; puppeteer kills its browsers on exit.
const watchdog = setTimeout(() => {
  console.error('benchmark: overall time limit (10 min) reached');
  process.exit(2);
}, 10 * 60_000);
watchdog.unref();
main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
