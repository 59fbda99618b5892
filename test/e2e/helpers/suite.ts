// The setup almost every e2e file shares: one describe() per browser, with a fixture server and the
// browser (MediaGate loaded) launched once for the suite's tests, and closed after them, browser first.
import { describe, before, after } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BROWSERS, launch, type BrowserName, type LaunchOptions, type TestBrowser } from './browsers';
import { startServer, type FixtureServer } from './server';
import { startXvfb, type Xvfb } from './xvfb';

/** What a suite's body and its tests use. Its browser, server and directory exist once before() ran. */
export interface BrowserSuite {
  readonly name: BrowserName;
  /** With `launch: false` a test launches the browser and assigns it here, for the suite to close. */
  tb: TestBrowser;
  readonly server: FixtureServer;
  /** The directory made for option `tmpDir`. */
  readonly tmp: string;
  /** Undoes, when the suite ends, something the browser read at its launch (a policy file): after the browser closed, before the server closes. */
  onClose(fn: () => unknown): void;
}

export interface BrowserSuiteOptions {
  /** describe()'s skip (a reason skips the suite). */
  skip?: string | false;
  /** Only these of BROWSERS get the suite (a browser that needs something only it has, such as Firefox's WebGL under X). */
  browsers?: readonly BrowserName[];
  /** Prefix of a temporary directory made before the launch (a browser reads its fake capture files at launch); removed last. */
  tmpDir?: string | ((name: BrowserName) => string);
  /** Runs the browser headful on an Xvfb of the suite's own (its display goes into the launch options). */
  xvfb?: boolean;
  /**
   * launch()'s options; or a function that prepares what the launch needs (routes, files, policies) once
   * the server, `tmpDir` and Xvfb are there, and returns them; or false when the tests launch the browser.
   */
  launch?: LaunchOptions | false | ((suite: BrowserSuite) => LaunchOptions | Promise<LaunchOptions>);
}

type Title = string | ((name: BrowserName) => string);
type Body = (suite: BrowserSuite) => void;

/**
 * describe(`${title} (${name})`) for each browser in BROWSERS (a function title names the suite
 * itself). Its before() starts the server, makes `tmpDir`, starts Xvfb and launches the browser, in
 * that order; its after() closes the browser, runs `onClose`, closes Xvfb and the server and removes
 * `tmpDir`. Hooks the body adds run after these: a body's before() finds the browser running.
 */
export function describeEachBrowser(title: Title, body: Body): void;
export function describeEachBrowser(title: Title, options: BrowserSuiteOptions, body: Body): void;
export function describeEachBrowser(title: Title, optionsOrBody: BrowserSuiteOptions | Body, maybeBody?: Body): void {
  const [options, body] = typeof optionsOrBody === 'function' ? [{}, optionsOrBody] : [optionsOrBody, maybeBody!];
  for (const name of BROWSERS) {
    if (options.browsers && !options.browsers.includes(name)) continue;
    describe(typeof title === 'string' ? `${title} (${name})` : title(name), { skip: options.skip }, () => {
      let tb: TestBrowser | undefined;
      let server: FixtureServer | undefined;
      let tmp: string | undefined;
      let xvfb: Xvfb | undefined;
      const closing: (() => unknown)[] = [];
      const missing = (what: string): never => {
        throw new Error(`the suite has no ${what} (yet)`);
      };
      const suite: BrowserSuite = {
        name,
        get tb() {
          return tb ?? missing('browser');
        },
        set tb(launched) {
          tb = launched;
        },
        get server() {
          return server ?? missing('server');
        },
        get tmp() {
          return tmp ?? missing('tmpDir');
        },
        onClose: (fn) => {
          closing.push(fn);
        },
      };
      before(async () => {
        server = await startServer();
        if (options.tmpDir)
          tmp = await mkdtemp(
            path.join(os.tmpdir(), typeof options.tmpDir === 'string' ? options.tmpDir : options.tmpDir(name)),
          );
        if (options.xvfb) xvfb = await startXvfb();
        if (options.launch === false) return;
        const launchOptions = typeof options.launch === 'function' ? await options.launch(suite) : options.launch;
        tb = await launch(name, xvfb ? { ...launchOptions, display: xvfb.display } : launchOptions);
      });
      after(async () => {
        await tb?.close();
        for (const fn of closing) await fn();
        await xvfb?.close();
        await server?.close();
        if (tmp) await rm(tmp, { recursive: true, force: true });
      });
      body(suite);
    });
  }
}
