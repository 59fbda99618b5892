// Launches the real Debian browsers with (or without) the built extension and fake media devices.
// One browser per test file and browser kind; tests open pages in it.
import puppeteer, { type Browser, type Page, type Target } from 'puppeteer-core';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type BrowserName = 'chromium' | 'firefox';
export const ROOT = process.env.MEDIAGATE_ROOT ?? process.cwd();
export const DIST = (name: BrowserName) => path.join(ROOT, 'dist', name);
export const GECKO_ID = 'mediagate@mediagate.dev';
/** Fixed moz-extension:// host so tests can open extension pages in Firefox. */
export const FIREFOX_UUID = '3f0c2a57-6d1e-4b7a-9a55-6b1de0a1c0de';

/** Browsers to test: BROWSERS=chromium,firefox (default both). */
export const BROWSERS: BrowserName[] = (process.env.BROWSERS ?? 'chromium,firefox')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is BrowserName => s === 'chromium' || s === 'firefox');

export interface LaunchOptions {
  extension?: boolean;
  /** The unpacked extension to load instead of the build (e.g. a copy a test altered). */
  extensionDir?: string;
  /** Extra Chromium switches, e.g. '--use-fake-device-for-media-stream=device-count=3'. */
  chromiumArgs?: string[];
  firefoxPrefs?: Record<string, unknown>;
  userDataDir?: string;
  /** Default true; `npm start` opens a visible window when there is a display. */
  headless?: boolean;
  /** An X display (e.g. from helpers/xvfb.ts): the browser runs headful there (WebGL in Firefox). */
  display?: string;
  /** Chromium: fake devices instead of real ones (default true). */
  fakeDevices?: boolean;
  /** Chromium: auto-accept permission prompts (default true). */
  fakeUi?: boolean;
  /** Added to the browser's environment (e.g. PULSE_SERVER for helpers/pulse.ts). */
  env?: Record<string, string>;
}

export interface TestBrowser {
  name: BrowserName;
  browser: Browser;
  /** moz-extension://uuid/ or chrome-extension://id/ (with extension only) */
  extensionBase: string;
  newPage(): Promise<Page>;
  /** Opens an extension page (e.g. 'popup/popup.html') in a tab. */
  openExtensionPage(file: string): Promise<Page>;
  /**
   * Replaces the running extension by a fresh instance while pages stay open, as an update does.
   * Chromium: the unpacked directory is loaded again. Firefox closes every extension page on reload,
   * leaving a test no way back in, so there the add-on is uninstalled and installed again (the same
   * injection path into open pages as an update).
   */
  reloadExtension(): Promise<void>;
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-swiftshader',
  '--autoplay-policy=no-user-gesture-required',
];

const environment = (opts: LaunchOptions) =>
  opts.display || opts.env
    ? { env: { ...process.env, ...(opts.display ? { DISPLAY: opts.display } : {}), ...opts.env } }
    : {};

export async function launch(name: BrowserName, opts: LaunchOptions = {}): Promise<TestBrowser> {
  const withExtension = opts.extension ?? true;
  const ownDir = !opts.userDataDir;
  const userDataDir = opts.userDataDir ?? (await mkdtemp(path.join(os.tmpdir(), `mediagate-${name}-`)));
  let browser: Browser;
  let extensionBase = '';
  if (name === 'chromium') {
    const args = [...CHROMIUM_ARGS, ...(opts.chromiumArgs ?? [])];
    if (opts.fakeUi !== false && !args.some((a) => a.startsWith('--use-fake-ui-for-media-stream')))
      args.push('--use-fake-ui-for-media-stream');
    if (opts.fakeDevices !== false && !args.some((a) => a.startsWith('--use-fake-device-for-media-stream')))
      args.push('--use-fake-device-for-media-stream');
    browser = await puppeteer.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      headless: opts.display ? false : (opts.headless ?? true),
      ...environment(opts),
      defaultViewport: opts.headless === false ? null : undefined,
      userDataDir,
      args,
      // Extensions load over the pipe transport (puppeteer 24); without one too, so both measure the same.
      pipe: true,
      ...(withExtension ? { enableExtensions: [opts.extensionDir ?? DIST('chromium')] } : {}),
    });
    if (withExtension) {
      const worker = await browser.waitForTarget(
        (t: Target) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
        { timeout: 15000 },
      );
      // new URL().origin is 'null' for non-special schemes such as chrome-extension:
      extensionBase = `chrome-extension://${new URL(worker.url()).host}/`;
    }
  } else {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
      headless: opts.display ? false : (opts.headless ?? true),
      ...environment(opts),
      userDataDir,
      extraPrefsFirefox: {
        'media.navigator.streams.fake': opts.fakeDevices !== false,
        'media.navigator.permission.disabled': opts.fakeUi !== false,
        'media.autoplay.default': 0,
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
        // reloadExtension() reinstalls (WebDriver cannot reach an extension page after runtime.reload());
        // keeping storage makes that an update, as a real one is: the new instance finds the handoff secret.
        'extensions.webextensions.keepStorageOnUninstall': true,
        'extensions.webextensions.keepUuidOnUninstall': true,
        ...opts.firefoxPrefs,
      },
    });
    if (withExtension) {
      await browser.installExtension(opts.extensionDir ?? DIST('firefox'));
      extensionBase = `moz-extension://${FIREFOX_UUID}/`;
    }
  }
  // A fresh install opens MediaGate's first-run tab, which comes to the front when it opens: let it
  // open now, so that it cannot take the front from a test's page later (a background tab's clicks,
  // frames and device access stall). A profile MediaGate was installed in before opens none.
  // Under CI load it can take longer than 5 s; a fresh profile waits longer (one without the page,
  // e.g. under policy, pays that wait once per launch). Each new page is also brought to the front.
  if (withExtension) {
    const deadline = Date.now() + (ownDir ? 12000 : 5000);
    while (Date.now() < deadline) {
      const hrefs = await Promise.all(
        (await browser.pages()).map((p) => p.evaluate(() => location.href).catch(() => '')),
      );
      if (hrefs.some((h) => h.startsWith(extensionBase) && h.endsWith('/welcome/welcome.html'))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const tb: TestBrowser = {
    name,
    browser,
    extensionBase,
    async newPage() {
      const page = await browser.newPage();
      await page.bringToFront();
      return page;
    },
    async openExtensionPage(file: string) {
      if (name === 'chromium') {
        const page = await browser.newPage();
        await page.goto(extensionBase + file);
        return page;
      }
      // Firefox refuses WebDriver navigation to moz-extension:// URLs; an extension page may open one.
      const opener = await firefoxExtensionPage(browser, tb.extensionBase);
      const created = new Promise<Page | null>((resolve) =>
        browser.once('targetcreated', (t: Target) => resolve(t.page())),
      );
      await opener.evaluate((url) => {
        void (globalThis as any).browser.tabs.create({ url });
      }, tb.extensionBase + file);
      const page = await created;
      if (!page) throw new Error(`could not open ${file}`);
      await waitFor(
        () => page.evaluate((u) => location.href === u && document.readyState === 'complete', tb.extensionBase + file),
        `${file} loaded`,
      );
      return page;
    },
    async reloadExtension() {
      if (name === 'chromium') {
        // Loading the unpacked directory again replaces the running instance, as an update does.
        // (runtime.reload() on a CDP-loaded extension leaves its pages blocked.)
        await browser.installExtension(DIST('chromium'));
        await waitFor(async () => {
          const p = await browser.newPage();
          try {
            return (await p.goto(tb.extensionBase + 'popup/popup.html'))?.ok() ?? false;
          } catch {
            return false;
          } finally {
            await p.close();
          }
        }, 'extension pages available again');
        return;
      }
      // Storage is kept (the pref above): to MediaGate this is an update.
      await browser.uninstallExtension(GECKO_ID);
      await browser.installExtension(DIST('firefox'));
      // A fresh install gets a fresh moz-extension:// host; its first-run page tells which.
      const welcome = await firefoxExtensionPage(browser, 'moz-extension://');
      tb.extensionBase = (await welcome.evaluate(() => location.origin)) + '/';
    },
    async close() {
      await browser.close().catch(() => undefined);
      if (ownDir) await rm(userDataDir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
  return tb;
}

/**
 * An open extension page in Firefox: the first-run page MediaGate opens on installation, or any
 * MediaGate page a test opened since. Installed under a policy there is no first-run page: then an
 * http page navigates to MediaGate's web-accessible page, which as a tab has the extension's APIs.
 */
async function firefoxExtensionPage(browser: Browser, base: string): Promise<Page> {
  const find = async () => {
    for (const p of await browser.pages()) {
      // Firefox reports extension pages as about:blank to page.url(): ask the page itself.
      const href = await p.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(base) && href.endsWith('.html')) return p;
    }
    return null;
  };
  const what = 'an open MediaGate page (the first-run page)';
  if (base === 'moz-extension://') return waitFor(find, what);
  const open = await waitFor(find, what, 3000).catch(() => null);
  if (open) return open;
  const server = createServer((_, res) => res.end('<!doctype html><title>opener</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.evaluate((u) => {
      location.href = u;
    }, base + 'segmenter/segmenter.html');
    return await waitFor(find, what);
  } finally {
    server.close();
  }
}

/** Polls `fn` until it returns a truthy value (or throws after `timeout` ms). */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  what: string,
  timeout = 10000,
  interval = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
