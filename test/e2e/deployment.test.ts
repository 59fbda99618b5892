// Deployment: the packages `npm run package` writes, installed the way an administrator would push
// them (policy force-install from an update URL), then running on a page. Needs root (policy files
// under /etc); skips with that reason otherwise. Every file written is removed afterwards.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Target } from 'puppeteer-core';
import { BROWSERS, GECKO_ID, ROOT, waitFor } from './helpers/browsers';
import { startServer, type FixtureServer } from './helpers/server';

const ROOT_ONLY = process.getuid?.() !== 0 && 'writing browser policy files under /etc needs root';
const CHROMIUM_POLICY = '/etc/chromium/policies/managed/mediagate-e2e-install.json';
const FIREFOX_POLICY = '/etc/firefox/policies/policies.json';

/** Runs `npm run package`'s script with a throwaway key (never a committed one) and the server's URL. */
function packageFor(server: FixtureServer, keyPath: string): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'build.mjs'), '--package'], {
    env: { ...process.env, MEDIAGATE_CRX_KEY: keyPath, MEDIAGATE_UPDATE_BASE: server.origin },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `packaging failed: ${r.stderr}`);
}

const dist = (f: string) => path.join(ROOT, 'dist', f);

describe('deployment', { skip: ROOT_ONLY }, () => {
  let server: FixtureServer;
  let tmp: string;
  before(async () => {
    server = await startServer();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mediagate-deploy-'));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(path.join(tmp, 'throwaway.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    packageFor(server, path.join(tmp, 'throwaway.pem'));
    for (const f of ['mediagate.crx', 'update.xml', 'mediagate-firefox.xpi']) {
      server.route(`/${f}`, {
        body: await readFile(dist(f)),
        type: f.endsWith('.xml')
          ? 'text/xml'
          : f.endsWith('.crx')
            ? 'application/x-chrome-extension'
            : 'application/x-xpinstall',
      });
    }
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
    await server?.close();
  });

  it('the packages carry one version, the licence notices and the source archive', async () => {
    const version = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version;
    const xml = await readFile(dist('update.xml'), 'utf8');
    assert.match(xml, new RegExp(`version="${version.replace(/\./g, '\\.')}"`));
    assert.match(xml, new RegExp(`codebase="${server.origin}/mediagate.crx"`));
    for (const b of ['chromium', 'firefox']) {
      assert.equal(JSON.parse(await readFile(dist(`${b}/manifest.json`), 'utf8')).version, version);
      assert.match(await readFile(dist(`${b}/THIRD_PARTY_NOTICES.txt`), 'utf8'), /webextension-polyfill .* MPL-2\.0/);
    }
    const unzip = spawnSync(
      'python3',
      [
        '-c',
        'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
        dist('mediagate-source.zip'),
      ],
      { encoding: 'utf8' },
    );
    assert.ok(
      unzip.stdout.includes('mediagate-source/build.mjs') &&
        unzip.stdout.includes('mediagate-source/package-lock.json'),
      'source archive with build script and lockfile',
    );
  });

  it(
    'Chromium force-installs the .crx from the update URL named by policy, and MediaGate runs',
    { skip: !BROWSERS.includes('chromium') && 'Chromium not selected' },
    async () => {
      const id = /appid="([a-p]{32})"/.exec(await readFile(dist('update.xml'), 'utf8'))![1]!;
      await mkdir(path.dirname(CHROMIUM_POLICY), { recursive: true });
      // DeveloperToolsAvailability 1: puppeteer drives the browser through the DevTools protocol.
      await writeFile(
        CHROMIUM_POLICY,
        JSON.stringify({
          ExtensionSettings: {
            [id]: { installation_mode: 'force_installed', update_url: `${server.origin}/update.xml` },
          },
          DeveloperToolsAvailability: 1,
        }),
      );
      const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'mediagate-forced-'));
      let browser: Browser | undefined;
      try {
        browser = await puppeteer.launch({
          executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
          headless: true,
          userDataDir,
          // Policy installs need extensions on and the network to the (local) update server.
          ignoreDefaultArgs: ['--disable-extensions', '--disable-background-networking'],
          args: [
            '--no-sandbox',
            '--no-first-run',
            '--use-fake-ui-for-media-stream',
            '--use-fake-device-for-media-stream',
          ],
        });
        await browser.waitForTarget(
          (t: Target) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${id}/`),
          { timeout: 60000 },
        );
        const page = await browser.newPage();
        await page.goto(server.url('/blank.html'));
        const r = await waitFor(
          () => page.evaluate(() => (navigator.mediaDevices as any).defaultSemantics ?? null),
          'MediaGate in the page',
        );
        assert.equal(r, 'browser-chooses');
      } finally {
        await browser?.close().catch(() => undefined);
        await rm(CHROMIUM_POLICY, { force: true });
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  );

  it(
    'Firefox ESR force-installs the .xpi named by policies.json (unsigned: ESR with signatures off), and MediaGate runs',
    { skip: !BROWSERS.includes('firefox') && 'Firefox not selected' },
    async () => {
      const previous = await readFile(FIREFOX_POLICY, 'utf8').catch(() => null);
      await mkdir(path.dirname(FIREFOX_POLICY), { recursive: true });
      await writeFile(
        FIREFOX_POLICY,
        JSON.stringify({
          policies: {
            ExtensionSettings: {
              [GECKO_ID]: {
                installation_mode: 'force_installed',
                install_url: `${server.origin}/mediagate-firefox.xpi`,
              },
            },
          },
        }),
      );
      const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'mediagate-forced-ff-'));
      let browser: Browser | undefined;
      try {
        browser = await puppeteer.launch({
          browser: 'firefox',
          executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
          headless: true,
          userDataDir,
          // Store builds are signed by addons.mozilla.org; this test installs the unsigned local build.
          extraPrefsFirefox: { 'xpinstall.signatures.required': false },
        });
        const page = await browser.newPage();
        const r = await waitFor(
          async () => {
            await page.goto(server.url('/blank.html'));
            return page.evaluate(() => (navigator.mediaDevices as any).defaultSemantics ?? null);
          },
          'MediaGate installed by policy and running in the page',
          60000,
          1000,
        );
        assert.equal(r, 'browser-chooses');
      } finally {
        await browser?.close().catch(() => undefined);
        if (previous === null) await rm(FIREFOX_POLICY, { force: true });
        else await writeFile(FIREFOX_POLICY, previous);
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  );
});
