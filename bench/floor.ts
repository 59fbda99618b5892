// Page load against the platform's own cost of an extension like MediaGate. A "floor" extension is
// generated with MediaGate's manifest layout (an ISOLATED and a MAIN-world content script at
// document_start in every frame, the same host permissions, a background) but scripts that only mark
// the page, so that the table can separate what any such extension costs every page from what
// MediaGate's own scripts add. Three browsers per kind (none, floor, MediaGate) load the same static
// page in alternating rounds.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { DIST, ROOT, launch, type BrowserName } from '../test/e2e/helpers/browsers';
import type { FixtureServer } from '../test/e2e/helpers/server';

export type FloorConfig = 'none' | 'floor' | 'mediagate';
export const FLOOR_CONFIGS: readonly FloorConfig[] = ['none', 'floor', 'mediagate'];
export interface FloorResult {
  /** Page load, ms. */
  samples: Record<FloorConfig, number[]>;
  /** `getUserMedia({video:true})` latency in the cross-origin isolated measure page, ms. */
  gum: Record<FloorConfig, number[]>;
  /** Fresh browser triples the rounds were split over. */
  triples: number;
}

const FLOOR_ID = 'floor@mediagate.dev';

async function writeFloor(name: BrowserName): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(DIST(name), 'manifest.json'), 'utf8'));
  const dir = path.join(ROOT, '.tmp/bench-floor', name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const floor: Record<string, unknown> = {
    manifest_version: 3,
    name: 'floor',
    version: '1.0',
    host_permissions: manifest.host_permissions,
    // The same script entries, each running a one-line marker instead of MediaGate's code.
    content_scripts: manifest.content_scripts.map((cs: { world?: string }, i: number) => ({
      ...cs,
      js: [`cs${i}.js`],
    })),
    background: name === 'chromium' ? { service_worker: 'bg.js' } : { scripts: ['bg.js'] },
    ...(name === 'firefox' ? { browser_specific_settings: { gecko: { id: FLOOR_ID } } } : {}),
  };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(floor));
  await writeFile(path.join(dir, 'bg.js'), '');
  for (const [i, cs] of (manifest.content_scripts as { world?: string }[]).entries()) {
    await writeFile(
      path.join(dir, `cs${i}.js`),
      `document.documentElement.dataset.floor${cs.world === 'MAIN' ? 'Main' : 'Isolated'} = '1';`,
    );
  }
  return dir;
}

async function floorBrowser(name: BrowserName, dir: string): Promise<Browser> {
  if (name === 'chromium') {
    return puppeteer.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      headless: true,
      pipe: true,
      enableExtensions: [dir],
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
    });
  }
  const b = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true },
  });
  await b.installExtension(dir);
  return b;
}

async function loadOnce(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'load' });
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const poll = () => {
          const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
          if (e && e.loadEventEnd > 0) resolve(e.loadEventEnd);
          else setTimeout(poll, 5);
        };
        poll();
      }),
  );
}

/** n timed getUserMedia({video:true}) calls, 20 ms apart (as the api part's metric). */
const timeGum = (page: Page, n: number) =>
  page.evaluate(async (count: number) => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const stream = await navigator.mediaDevices.getUserMedia({ video: true });
      out.push(performance.now() - t0);
      stream.getTracks().forEach((t) => t.stop());
      await new Promise((r) => setTimeout(r, 20));
    }
    return out;
  }, n);

/**
 * Page load, and getUserMedia latency in `gumUrl`, for no extension, the floor and MediaGate, in
 * alternating rounds; the rounds are split over `triples` fresh launches of the three browsers, as
 * launches of one browser differ by a few percent in sub-millisecond calls.
 */
export async function measureFloor(
  name: BrowserName,
  server: FixtureServer,
  rounds: number,
  gumUrl: string,
  triples = 3,
): Promise<FloorResult> {
  const dir = await writeFloor(name);
  const samples: Record<FloorConfig, number[]> = { none: [], floor: [], mediagate: [] };
  const gum: Record<FloorConfig, number[]> = { none: [], floor: [], mediagate: [] };
  let n = 0;
  for (let triple = 0; triple < triples; triple++) {
    const closers: (() => Promise<void>)[] = [];
    try {
      const none = await launch(name, { extension: false });
      closers.push(() => none.close());
      const mediagate = await launch(name);
      closers.push(() => mediagate.close());
      const floor = await floorBrowser(name, dir);
      closers.push(() => floor.close());
      const pages: Record<FloorConfig, Page> = {
        none: await none.newPage(),
        floor: await floor.newPage(),
        mediagate: await mediagate.newPage(),
      };
      const gumPages: Record<FloorConfig, Page> = {
        none: await none.newPage(),
        floor: await floor.newPage(),
        mediagate: await mediagate.newPage(),
      };
      const url = server.url('/load.html');
      // The floor must really run its scripts in the page, or it measures nothing.
      await loadOnce(pages.floor, `${url}?floor-check`);
      const marked = await pages.floor.evaluate(
        () => `${document.documentElement.dataset.floorMain}${document.documentElement.dataset.floorIsolated}`,
      );
      if (marked !== '11') throw new Error(`the floor extension's content scripts did not run (${marked})`);
      for (const c of FLOOR_CONFIGS) await gumPages[c].goto(gumUrl);
      const own = Math.ceil(rounds / triples);
      for (let round = -3; round < own; round++) {
        const order = round % 2 ? [...FLOOR_CONFIGS].reverse() : FLOOR_CONFIGS;
        for (const c of order) {
          await new Promise((r) => setTimeout(r, 100));
          const v = await loadOnce(pages[c], `${url}?floor=${++n}`);
          if (round >= 0) samples[c].push(v);
        }
        for (const c of order) {
          // Firefox lets only the foreground tab capture.
          await gumPages[c].bringToFront();
          const xs = await timeGum(gumPages[c], 4);
          if (round >= 0) gum[c].push(...xs);
        }
      }
    } finally {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    }
  }
  return { samples, gum, triples };
}
