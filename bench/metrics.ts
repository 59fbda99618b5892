// The figures of the api part and of the build, and the page they are measured in.
//
// To add a figure: append a Metric to METRICS (compared with/without the extension, or measured with
// it only: `configs: ['extension']`) or a StaticMetric to STATIC_METRICS (a property of the build).
// Metrics run in the two shared browsers of their browser kind unless they set `launch`: then they
// get browsers of their own, launched with those options once the shared ones are closed. How a batch
// is timed goes in timing.ts; the types are in types.ts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { DIST } from '../test/e2e/helpers/browsers';
import { medianAtMost, noMeasurableCost, ratioAtMost } from './statistics';
import {
  FANOUT_CALLS,
  FANOUT_TABS,
  openFanoutTabs,
  openPopup,
  pickerObserver,
  timeCaptureCycles,
  timeControl,
  timeEnumerateDevices,
  timeFanout,
  timeGetUserMedia,
  timeLoads,
  timePicker,
  timeWorkerRestart,
} from './timing';
import type { Metric, StaticMetric } from './types';
import { MISS_MS, ONSETS_WAV, timeDetectionCpu, timeOnsets, warmUpCpu, warmUpOnsets } from './muted-speech';

/** The page the API metrics run in. Cross-origin isolated (COOP+COEP) so that performance.now()
 * is precise enough for sub-millisecond calls: 1 ms otherwise in Firefox, 100 µs in Chromium. */
export const MEASURE_PATH = '/measure.html';
export const MEASURE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MediaGate benchmark</title></head>
<body><p>benchmark</p></body></html>`;
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cache-control': 'no-store',
};

export const METRICS: Metric[] = [
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
    label:
      "picker latency: `getUserMedia({video:true, semantics:'user-chooses'})` call to the picker window's choices (radio inputs) in its DOM",
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
    goal: (browser) => (browser === 'chromium' ? 'median ≤ 150 ms' : 'median ≤ 250 ms'),
    judge: (c, browser) => medianAtMost(browser === 'chromium' ? 150 : 250)(c),
  },
  {
    id: 'controlLatency',
    label:
      "call control: toolbar/shortcut mute (`commands/run toggle-microphone`) to the page's `togglemicrophone` handler",
    path: MEASURE_PATH,
    configs: ['extension'],
    launch: {},
    rounds: 20,
    setUp: openPopup,
    warmup: (ctx) => timeControl(ctx, 2),
    run: (ctx) => timeControl(ctx, 1),
    goal: 'none (reported only)',
  },
  // Load and faults (#10): the figures of load.test.ts and faults.test.ts, measured here.
  {
    id: 'captureCycle',
    label:
      'capture cycle: `getUserMedia({audio:true, video:true})` until its tracks are stopped (load.test.ts runs 1,000)',
    path: MEASURE_PATH,
    rounds: 10,
    warmup: ({ page }) => timeCaptureCycles(page, 5),
    run: ({ page }) => timeCaptureCycles(page, 20),
    goal: 'none (reported only)',
  },
  {
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
  },
  {
    id: 'fanout',
    label: `${FANOUT_TABS} tabs (each its own origin) × ${FANOUT_CALLS} concurrent \`user-chooses\` calls, each picker closed as it shows: first call to all ${FANOUT_TABS * FANOUT_CALLS} settled`,
    path: MEASURE_PATH,
    configs: ['extension'],
    // Firefox lets only the foreground tab enumerate and capture: the tabs would wait their turn.
    browsers: ['chromium'],
    launch: { chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] },
    rounds: 5,
    setUp: openFanoutTabs,
    warmup: (ctx) => timeFanout(ctx),
    run: (ctx) => timeFanout(ctx),
    goal: 'none (reported only)',
  },
  // Talking while muted (#23), bench/muted-speech.ts.
  {
    id: 'mutedSpeechOnset',
    label: `talking while muted: speech onset (the page's own AudioWorklet on the microphone) to the page's \`voiceactivity\` handler, microphone muted by the page; an onset without a call within ${MISS_MS / 1000} s counts as ${MISS_MS} ms`,
    path: MEASURE_PATH,
    configs: ['extension'],
    // Only Chromium's fake microphone plays a file; Firefox's plays a tone.
    browsers: ['chromium'],
    launch: { chromiumArgs: [`--use-file-for-fake-audio-capture=${ONSETS_WAV}`] },
    rounds: 12,
    warmup: (ctx) => warmUpOnsets(ctx),
    run: (ctx) => timeOnsets(ctx, 1),
    goal: 'median ≤ 300 ms',
    judge: medianAtMost(300),
  },
  {
    id: 'mutedSpeechCpu',
    label:
      'talking while muted: CPU of the listening, in ms of CPU per second (10 = 1% of one core): the browser and all its processes while muted (listening) minus while unmuted (not listening), 5 s windows',
    path: MEASURE_PATH,
    configs: ['extension'],
    launch: {},
    rounds: 6,
    warmup: (ctx) => warmUpCpu(ctx),
    run: (ctx) => timeDetectionCpu(ctx),
    goal: 'none (reported only)',
  },
];

export const STATIC_METRICS: StaticMetric[] = [
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
