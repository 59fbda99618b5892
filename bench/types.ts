// The types the bench's modules share: the metrics' shape (metrics.ts fills it, run.ts runs it), the
// comparison statistics.ts computes, and what run.ts hands report.ts. Types only, so that any module
// may import them without an import cycle.
import type { Page } from 'puppeteer-core';
import type { BrowserName, LaunchOptions, TestBrowser } from '../test/e2e/helpers/browsers';
import type { FixtureServer } from '../test/e2e/helpers/server';
import type { VoiceResult } from './voice';
import type { TransferResult } from './transfer';
import type { FloorResult } from './floor';
import type { BlurRow } from './blur';

export type Part = 'api' | 'floor' | 'voice' | 'blur' | 'transfer';

export type Config = 'none' | 'extension';

export interface RunContext {
  browser: BrowserName;
  config: Config;
  page: Page;
  server: FixtureServer;
  tb: TestBrowser;
}

export interface Comparison {
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
export interface Metric {
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
export interface StaticMetric {
  label: string;
  measure(): Promise<{ value: string; verdict: string }>;
  goal: string;
}

export interface StaticResult {
  metric: StaticMetric;
  value: string;
  verdict: string;
}

export interface BrowserResult {
  name: BrowserName;
  version: string;
  /** `launches`: which browser pair each sample came from. */
  rows: {
    metric: Metric;
    samples: Record<Config, number[]>;
    launches: Record<Config, number[]>;
    comparison: Comparison;
  }[];
  error?: string;
}

export type Row = BrowserResult['rows'][number];

// What each of the other parts gave in one browser; `load` is the load average before it ran.
export interface VoiceRun {
  name: BrowserName;
  result?: VoiceResult;
  error?: string;
  load?: number[];
  at?: Date;
}
export interface BlurRun {
  name: BrowserName;
  rows?: BlurRow[];
  error?: string;
  load: number[];
  at: Date;
}
export interface TransferRun {
  name: BrowserName;
  result?: TransferResult;
  error?: string;
}
export interface FloorRun {
  name: BrowserName;
  result?: FloorResult;
  error?: string;
  load: number[];
}

/** Everything one run measured, as the report needs it. */
export interface RunRecord {
  started: Date;
  seconds: number;
  /** Load average before the run (1, 5, 15 min). */
  load: number[];
  /** Browser pairs the shared metrics split their rounds over. */
  instances: number;
  results: BrowserResult[];
  statics: StaticResult[];
  voice: VoiceRun[];
  blur: BlurRun[];
  transfer: TransferRun[];
  floor: FloorRun[];
}
