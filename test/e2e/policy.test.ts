// Enterprise policy through each browser's real mechanism: Chromium's managed policy directory and
// Firefox's policies.json (3rdparty.Extensions). Writing them needs root; without it the tests skip
// with that reason. Every file written is removed afterwards.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { BROWSERS, DIST, GECKO_ID, ROOT, launch, waitFor, type BrowserName, type TestBrowser } from './helpers/browsers';
import { startServer, type FixtureServer } from './helpers/server';
import { pickerPage } from './helpers/picker';
import { runAxe, uiRequest } from './helpers/extension';

const ROOT_ONLY = process.getuid?.() !== 0 && 'writing browser policy files under /etc needs root';
const CHROMIUM_POLICY = '/etc/chromium/policies/managed/mediagate-e2e.json';
const FIREFOX_POLICY = '/etc/firefox/policies/policies.json';

/** Chromium's id for an unpacked extension: SHA-256 of its path, first 32 hex digits mapped to a-p. */
const unpackedId = (dir: string) => [...createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 32)]
  .map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');

function policyFor(server: FixtureServer) {
  return {
    settings: { defaultSemantics: 'user-chooses', features: { pip: false }, shortcuts: false, forceVoiceIsolation: true },
    sites: {
      // The second name of the fixture server is blocked; the first is allowed the microphone.
      camera: { block: [new URL(server.otherOrigin).origin] },
      microphone: { allow: ['http://localhost:*'], block: ['*://*.example.invalid'] },
    },
  };
}

async function writePolicy(name: BrowserName, server: FixtureServer): Promise<() => Promise<void>> {
  if (name === 'chromium') {
    await mkdir(path.dirname(CHROMIUM_POLICY), { recursive: true });
    await writeFile(CHROMIUM_POLICY, JSON.stringify({ '3rdparty': { extensions: { [unpackedId(DIST('chromium'))]: policyFor(server) } } }));
    return () => rm(CHROMIUM_POLICY, { force: true });
  }
  // Keep any policies.json the machine already has, and put it back afterwards.
  const previous = await readFile(FIREFOX_POLICY, 'utf8').catch(() => null);
  await mkdir(path.dirname(FIREFOX_POLICY), { recursive: true });
  const base = previous ? JSON.parse(previous) : { policies: {} };
  base.policies['3rdparty'] = { ...base.policies['3rdparty'], Extensions: { ...base.policies['3rdparty']?.Extensions, [GECKO_ID]: policyFor(server) } };
  await writeFile(FIREFOX_POLICY, JSON.stringify(base));
  return async () => { if (previous === null) await rm(FIREFOX_POLICY, { force: true }); else await writeFile(FIREFOX_POLICY, previous); };
}

for (const name of BROWSERS) {
  describe(`enterprise policy (${name})`, { skip: ROOT_ONLY }, () => {
    let tb: TestBrowser;
    let server: FixtureServer;
    let ui: Page;
    let cleanup: (() => Promise<void>) | undefined;
    before(async () => {
      server = await startServer();
      cleanup = await writePolicy(name, server);
      // Three cameras, so that user-chooses has a choice to offer in Chromium too.
      tb = await launch(name, { chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] });
      if (name === 'chromium') assert.equal(tb.extensionBase, `chrome-extension://${unpackedId(DIST('chromium'))}/`, 'the id the policy names');
      ui = await tb.openExtensionPage('popup/popup.html');
      // Chromium hands policy to an extension loaded over CDP a few seconds late.
      await waitFor(async () => (await uiRequest(ui, 'settings/get', {})).pinned.includes('defaultSemantics'), 'policy in storage.managed', 30000, 250);
    });
    after(async () => { await tb?.close(); await cleanup?.(); await server?.close(); });

    it('pins the settings it names; the person\'s other settings stay theirs', async () => {
      const { effective, pinned } = await uiRequest(ui, 'settings/get', {});
      assert.equal(effective.defaultSemantics, 'user-chooses');
      assert.equal(effective.features.pip, false);
      assert.equal(effective.shortcuts, false);
      assert.equal(effective.forceVoiceIsolation, true);
      assert.deepEqual([...pinned].sort(), ['defaultSemantics', 'features.pip', 'forceVoiceIsolation', 'shortcuts']);
      const page = await tb.newPage();
      await page.goto(server.url('/blank.html'));
      // The config reaches the page asynchronously (Chromium reads storage.managed ~70 ms after load).
      await waitFor(() => page.evaluate(() => (navigator.mediaDevices as any).defaultSemantics === 'user-chooses'), 'the page sees the pinned semantics');
      await page.close();
    });

    it('an origin the policy blocks gets NotAllowedError without any prompt, whatever the person allowed', async () => {
      await uiRequest(ui, 'sites/set', { origin: server.otherOrigin, kind: 'camera', state: 'allow' });
      const page = await tb.newPage();
      let opened = 0;
      const count = () => { opened++; };
      tb.browser.on('targetcreated', count);
      await page.goto(`${server.otherOrigin}/blank.html`);
      const r = await page.evaluate(() => navigator.mediaDevices.getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints)
        .then(() => 'granted', (e) => e.name));
      tb.browser.off('targetcreated', count);
      assert.equal(r, 'NotAllowedError');
      assert.equal(opened, 0, 'no picker window');
      // The same origin may still use the microphone: the policy is per kind.
      const mic = await page.evaluate(() => navigator.mediaDevices.getUserMedia({ audio: true, semantics: 'browser-chooses' } as MediaStreamConstraints).then((s) => { s.getTracks().forEach((t) => t.stop()); return 'granted'; }, (e) => e.name));
      assert.equal(mic, 'granted');
      await page.close();
    });

    it('shortcuts pinned off: a command does nothing, the person cannot switch them on, and Firefox frees the keys', async () => {
      assert.equal(await uiRequest(ui, 'commands/run', { command: 'toggle-microphone' }), false);
      const { effective } = await uiRequest(ui, 'settings/set', { settings: { shortcuts: true } });
      assert.equal(effective.shortcuts, false, 'policy wins over the person');
      if (name === 'firefox') {
        await waitFor(() => ui.evaluate(async () => ((await (globalThis as any).browser.commands.getAll()) as { shortcut?: string }[]).every((c) => !c.shortcut)), 'keys released');
      }
    });

    it('user-chooses pinned by policy: a plain getUserMedia shows the picker (Chromium: three cameras fit; Firefox: no grant yet); dismissing it gives NotAllowedError', async () => {
      const page = await tb.newPage();
      await page.goto(server.url('/blank.html'));
      await waitFor(() => page.evaluate(() => (navigator.mediaDevices as any).defaultSemantics === 'user-chooses'), 'the page has its config');
      await page.evaluate(() => {
        (window as any).answer = navigator.mediaDevices.getUserMedia({ video: true }).then((s) => { s.getTracks().forEach((t) => t.stop()); return 'granted'; }, (e) => e.name);
      });
      const picker = await pickerPage(tb);
      const cameras = await picker.evaluate(() => document.querySelectorAll('input[type=radio][name=video]:not([data-file])').length);
      assert.equal(cameras, name === 'chromium' ? 3 : 1, 'the picker lists the cameras');
      await picker.keyboard.press('Escape').catch(() => undefined);
      assert.equal(await page.evaluate(() => (window as any).answer), 'NotAllowedError');
      await page.close();
    });

    it('forced voice isolation from policy processes the microphone whatever the page asks', async () => {
      const page = await tb.newPage();
      await page.goto(server.url('/blank.html'));
      await waitFor(() => page.evaluate(() => (navigator.mediaDevices as any).defaultSemantics === 'user-chooses'), 'the page has its config');
      const r = await page.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({ audio: { voiceIsolation: false } as MediaTrackConstraints, semantics: 'browser-chooses' } as MediaStreamConstraints);
        const t = s.getAudioTracks()[0]!;
        const r = { on: (t.getSettings() as any).voiceIsolation, asked: (t.getConstraints() as any).voiceIsolation };
        s.getTracks().forEach((x) => x.stop());
        return r;
      });
      // effects-switch.test.ts shows what "on" means in the audio (the same setting, without root).
      assert.deepEqual(r, { on: true, asked: false });
      await page.close();
    });

    it('the options page lists the rules read-only and shows pinned settings locked', async () => {
      const options = await tb.openExtensionPage('options/options.html');
      await waitFor(() => options.evaluate(() => document.body.dataset.ready === 'true' && !document.getElementById('policy-section')!.hidden), 'policy rules shown');
      const r = await options.evaluate(() => ({
        rules: [...document.querySelectorAll('#policy-rules li')].map((li) => li.textContent),
        semanticsLocked: (document.getElementById('semantics-user-chooses') as HTMLInputElement).disabled && !document.getElementById('pinned-defaultSemantics')!.hidden,
      }));
      assert.deepEqual(r.rules, [
        `Camera blocked for ${server.otherOrigin}`,
        'Microphone blocked for *://*.example.invalid',
        'Microphone allowed for http://localhost:*',
      ]);
      assert.equal(r.semanticsLocked, true);
      assert.deepEqual((await runAxe(options)).map((v) => `${v.id}: ${v.help}`), []);
      if (process.env.MEDIAGATE_SCREENSHOTS) {
        await mkdir(path.join(ROOT, 'dist/screenshots'), { recursive: true });
        await options.screenshot({ path: path.join(ROOT, 'dist/screenshots', `options-policy-${name}.png`), fullPage: true });
      }
      await options.close();
    });
  });
}
