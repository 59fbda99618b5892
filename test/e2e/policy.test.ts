// Enterprise policy through each browser's real mechanism: Chromium's managed policy directory and
// Firefox's policies.json (3rdparty.Extensions). Writing them needs root; without it the tests skip
// with that reason. Every file written is removed afterwards.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { DIST, GECKO_ID, ROOT, waitFor, type BrowserName } from './helpers/browsers';
import type { FixtureServer } from './helpers/server';
import { pickerPage } from './helpers/picker';
import { recordBackgroundCalls, runAxe, uiRequest } from './helpers/extension';
import { describeEachBrowser } from './helpers/suite';

const ROOT_ONLY = process.getuid?.() !== 0 && 'writing browser policy files under /etc needs root';
const CHROMIUM_POLICY = '/etc/chromium/policies/managed/mediagate-e2e.json';
const FIREFOX_POLICY = '/etc/firefox/policies/policies.json';

/** Chromium's id for an unpacked extension: SHA-256 of its path, first 32 hex digits mapped to a-p. */
const unpackedId = (dir: string) =>
  [...createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 32)]
    .map((c) => String.fromCharCode(97 + parseInt(c, 16)))
    .join('');

function policyFor(server: FixtureServer): Record<string, unknown> {
  return {
    // The call window under its old name (FEATURE_RENAMES): a policy deployed before the rename keeps working.
    settings: {
      defaultSemantics: 'user-chooses',
      features: { pip: false },
      shortcuts: false,
      forceVoiceIsolation: true,
    },
    sites: {
      // The second name of the fixture server is blocked; the first is allowed the microphone.
      camera: { block: [new URL(server.otherOrigin).origin] },
      microphone: { allow: ['http://localhost:*'], block: ['*://*.example.invalid'] },
    },
  };
}

/**
 * An administrator's mistakes and hostile values next to good entries: wrong types, unknown values and
 * members, a 100,000-character string, non-origin patterns, a list where an object belongs.
 * Chromium checks storage.managed against managed-schema.json before MediaGate sees it, and drops a
 * top-level member ("settings", "sites") whole when any value in it does not fit (chrome://policy
 * shows the error); unknown members it drops silently. So in Chromium the bad settings sit next to
 * good site rules, and in Firefox, which hands the policy over as written, good and bad are mixed
 * in each member.
 */
function corruptPolicyFor(name: BrowserName, server: FixtureServer): Record<string, unknown> {
  const huge = 'x'.repeat(100_000);
  const blocked = new URL(server.otherOrigin).origin;
  const settings = {
    shortcuts: false,
    defaultSemantics: 'sometimes',
    labelPolicy: 42,
    hardMute: 'yes',
    alwaysShowPicker: null,
    features: 'all',
    forceVoiceIsolation: [true],
    unknownSetting: { huge },
  };
  if (name === 'chromium')
    return {
      settings,
      sites: { camera: { block: [blocked] }, bogus: { allow: ['*://*/*'] } },
      unknownTopLevel: [1, 2, 3],
    };
  return {
    settings,
    sites: {
      camera: {
        block: [blocked, 'javascript:alert(1)', 42, huge, null, { origin: 'x' }],
        allow: 'everything',
        maybe: ['*://*'],
      },
      microphone: 'block all',
      bogus: { allow: ['*://*/*'] },
    },
    unknownTopLevel: [1, 2, 3],
  };
}

async function writePolicy(name: BrowserName, policy: Record<string, unknown>): Promise<() => Promise<void>> {
  if (name === 'chromium') {
    await mkdir(path.dirname(CHROMIUM_POLICY), { recursive: true });
    await writeFile(
      CHROMIUM_POLICY,
      JSON.stringify({ '3rdparty': { extensions: { [unpackedId(DIST('chromium'))]: policy } } }),
    );
    return () => rm(CHROMIUM_POLICY, { force: true });
  }
  // Keep any policies.json the machine already has, and put it back afterwards.
  const previous = await readFile(FIREFOX_POLICY, 'utf8').catch(() => null);
  await mkdir(path.dirname(FIREFOX_POLICY), { recursive: true });
  const base = previous ? JSON.parse(previous) : { policies: {} };
  base.policies['3rdparty'] = {
    ...base.policies['3rdparty'],
    Extensions: { ...base.policies['3rdparty']?.Extensions, [GECKO_ID]: policy },
  };
  await writeFile(FIREFOX_POLICY, JSON.stringify(base));
  return async () => {
    if (previous === null) await rm(FIREFOX_POLICY, { force: true });
    else await writeFile(FIREFOX_POLICY, previous);
  };
}

describeEachBrowser(
  'enterprise policy',
  {
    skip: ROOT_ONLY,
    launch: async (suite) => {
      suite.onClose(await writePolicy(suite.name, policyFor(suite.server)));
      // Three cameras, so that user-chooses has a choice to offer in Chromium too.
      return { chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] };
    },
  },
  (suite) => {
    let ui: Page;
    before(async () => {
      if (suite.name === 'chromium')
        assert.equal(
          suite.tb.extensionBase,
          `chrome-extension://${unpackedId(DIST('chromium'))}/`,
          'the id the policy names',
        );
      ui = await suite.tb.openExtensionPage('popup/popup.html');
      // Chromium hands policy to an extension loaded over CDP a few seconds late.
      await waitFor(
        async () => (await uiRequest(ui, 'settings/get', {})).pinned.includes('defaultSemantics'),
        'policy in storage.managed',
        30000,
        250,
      );
    });

    it("pins the settings it names; the person's other settings stay theirs", async () => {
      const { effective, pinned } = await uiRequest(ui, 'settings/get', {});
      assert.equal(effective.defaultSemantics, 'user-chooses');
      assert.equal(effective.features['call-window'], false);
      assert.equal(effective.shortcuts, false);
      assert.equal(effective.forceVoiceIsolation, true);
      assert.deepEqual([...pinned].sort(), [
        'defaultSemantics',
        'features.call-window',
        'forceVoiceIsolation',
        'shortcuts',
      ]);
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      // The config reaches the page asynchronously (Chromium reads storage.managed ~70 ms after load).
      await waitFor(
        () => page.evaluate(() => (navigator.mediaDevices as any).defaultSemantics === 'user-chooses'),
        'the page sees the pinned semantics',
      );
      await page.close();
    });

    it('installed under a policy, MediaGate opens no first-run tab (or closes it when the policy came late)', async () => {
      const welcomeOpen = async () => {
        for (const p of await suite.tb.browser.pages()) {
          const href = await p.evaluate(() => location.href).catch(() => '');
          if (href.endsWith('/welcome/welcome.html')) return true;
        }
        return false;
      };
      await waitFor(async () => !(await welcomeOpen()), 'no first-run page open', 10000, 250);
    });

    it('an origin the policy blocks gets NotAllowedError without any prompt, whatever the person allowed', async () => {
      await uiRequest(ui, 'sites/set', { origin: suite.server.otherOrigin, kind: 'camera', state: 'allow' });
      const page = await suite.tb.newPage();
      let opened = 0;
      const count = () => {
        opened++;
      };
      suite.tb.browser.on('targetcreated', count);
      await page.goto(`${suite.server.otherOrigin}/blank.html`);
      const r = await page.evaluate(() =>
        navigator.mediaDevices.getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints).then(
          () => 'granted',
          (e) => e.name,
        ),
      );
      suite.tb.browser.off('targetcreated', count);
      assert.equal(r, 'NotAllowedError');
      assert.equal(opened, 0, 'no picker window');
      // The same origin may still use the microphone: the policy is per kind.
      const mic = await page.evaluate(() =>
        navigator.mediaDevices
          .getUserMedia({ audio: true, semantics: 'browser-chooses' } as MediaStreamConstraints)
          .then(
            (s) => {
              s.getTracks().forEach((t) => t.stop());
              return 'granted';
            },
            (e) => e.name,
          ),
      );
      assert.equal(mic, 'granted');
      await page.close();
    });

    it('shortcuts pinned off: a command does nothing, the person cannot switch them on, and Firefox frees the keys', async () => {
      assert.equal(await uiRequest(ui, 'commands/run', { command: 'toggle-microphone' }), false);
      const { effective } = await uiRequest(ui, 'settings/set', { settings: { shortcuts: true } });
      assert.equal(effective.shortcuts, false, 'policy wins over the person');
      if (suite.name === 'firefox') {
        await waitFor(
          () =>
            ui.evaluate(async () =>
              ((await (globalThis as any).browser.commands.getAll()) as { shortcut?: string }[]).every(
                (c) => !c.shortcut,
              ),
            ),
          'keys released',
        );
      }
    });

    it('user-chooses pinned by policy: a plain getUserMedia shows the picker (Chromium: three cameras fit; Firefox: no grant yet); dismissing it gives NotAllowedError', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      await waitFor(
        () => page.evaluate(() => (navigator.mediaDevices as any).defaultSemantics === 'user-chooses'),
        'the page has its config',
      );
      await page.evaluate(() => {
        (window as any).answer = navigator.mediaDevices.getUserMedia({ video: true }).then(
          (s) => {
            s.getTracks().forEach((t) => t.stop());
            return 'granted';
          },
          (e) => e.name,
        );
      });
      const picker = await pickerPage(suite.tb);
      const cameras = await picker.evaluate(
        () => document.querySelectorAll('input[type=radio][name=video]:not([data-file])').length,
      );
      assert.equal(cameras, suite.name === 'chromium' ? 3 : 1, 'the picker lists the cameras');
      await picker.keyboard.press('Escape').catch(() => undefined);
      assert.equal(await page.evaluate(() => (window as any).answer), 'NotAllowedError');
      await page.close();
    });

    it('forced voice isolation from policy processes the microphone whatever the page asks', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      await waitFor(
        () => page.evaluate(() => (navigator.mediaDevices as any).defaultSemantics === 'user-chooses'),
        'the page has its config',
      );
      const r = await page.evaluate(async () => {
        const s = await navigator.mediaDevices.getUserMedia({
          audio: { voiceIsolation: false } as MediaTrackConstraints,
          semantics: 'browser-chooses',
        } as MediaStreamConstraints);
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
      const options = await suite.tb.openExtensionPage('options/options.html');
      await waitFor(
        () =>
          options.evaluate(
            () => document.body.dataset.ready === 'true' && !document.getElementById('policy-section')!.hidden,
          ),
        'policy rules shown',
      );
      const r = await options.evaluate(() => ({
        rules: [...document.querySelectorAll('#policy-rules li')].map((li) => li.textContent),
        semanticsLocked:
          (document.getElementById('semantics-user-chooses') as HTMLInputElement).disabled &&
          !document.getElementById('pinned-defaultSemantics')!.hidden,
      }));
      assert.deepEqual(r.rules, [
        `Camera blocked for ${suite.server.otherOrigin}`,
        'Microphone blocked for *://*.example.invalid',
        'Microphone allowed for http://localhost:*',
      ]);
      assert.equal(r.semanticsLocked, true);
      assert.deepEqual(
        (await runAxe(options)).map((v) => `${v.id}: ${v.help}`),
        [],
      );
      if (process.env.MEDIAGATE_SCREENSHOTS) {
        await mkdir(path.join(ROOT, 'dist/screenshots'), { recursive: true });
        await options.screenshot({
          path: path.join(ROOT, 'dist/screenshots', `options-policy-${suite.name}.png`),
          fullPage: true,
        });
      }
      await options.close();
    });
  },
);

describeEachBrowser(
  'corrupt enterprise policy',
  {
    skip: ROOT_ONLY,
    launch: async (suite) => {
      suite.onClose(await writePolicy(suite.name, corruptPolicyFor(suite.name, suite.server)));
      return {};
    },
  },
  (suite) => {
    let ui: Page;
    before(async () => {
      ui = await suite.tb.openExtensionPage('popup/popup.html');
      await waitFor(
        () => ui.evaluate(async () => 'sites' in (await ((globalThis as any).browser ?? chrome).storage.managed.get())),
        'the policy in storage.managed',
        30000,
        250,
      );
    });

    it("the background starts and keeps the good setting (Firefox; Chromium dropped them all); the bad ones stay the person's", async () => {
      const { effective, pinned } = await uiRequest(ui, 'settings/get', {});
      assert.deepEqual(pinned, suite.name === 'firefox' ? ['shortcuts'] : []);
      assert.equal(effective.shortcuts, suite.name === 'chromium');
      assert.equal(effective.defaultSemantics, 'browser-chooses', 'a bad value leaves the default');
      assert.equal(effective.labelPolicy, 'hide-after-user-chooses');
      // The person can still change what the policy failed to pin.
      const changed = await uiRequest(ui, 'settings/set', { settings: { hardMute: true, shortcuts: true } });
      assert.deepEqual(
        { hardMute: changed.effective.hardMute, shortcuts: changed.effective.shortcuts },
        { hardMute: true, shortcuts: suite.name === 'chromium' },
      );
    });

    it('the good site rule applies (camera blocked without a prompt); the bad ones apply nowhere', async () => {
      const page = await suite.tb.newPage();
      await page.goto(`${suite.server.otherOrigin}/blank.html`);
      const asked = (c: MediaStreamConstraints) =>
        page.evaluate(
          (cc) =>
            navigator.mediaDevices.getUserMedia(cc).then(
              (s) => {
                s.getTracks().forEach((t) => t.stop());
                return 'granted';
              },
              (e) => e.name,
            ),
          c as never,
        );
      assert.equal(await asked({ video: true }), 'NotAllowedError');
      // "microphone" was not a list of rules (Firefox) or absent (Chromium): nothing blocks it.
      assert.equal(await asked({ audio: true }), 'granted');
      await page.close();
    });

    it('the options page lists the one good rule and what MediaGate ignored, each value shortened; reads do not repeat the warnings', async () => {
      // Every settings read and permission check parses the policy (before, each logged the same
      // warnings again): the background warns at start and when the policy changes.
      const warnings = await recordBackgroundCalls(suite.tb, 'console.warn');
      await uiRequest(ui, 'settings/get', {});
      await uiRequest(ui, 'settings/set', { settings: { hardMute: false } });
      const options = await suite.tb.openExtensionPage('options/options.html');
      await waitFor(
        () =>
          options.evaluate(
            () => document.body.dataset.ready === 'true' && !document.getElementById('policy-section')!.hidden,
          ),
        'policy rules shown',
      );
      const shown = await options.evaluate(() => ({
        rules: [...document.querySelectorAll('#policy-rules li')].map((li) => li.textContent),
        ignored: [...document.querySelectorAll('#policy-problem-list li')].map((li) => li.textContent ?? ''),
        visible: !document.getElementById('policy-problems')!.hidden,
      }));
      assert.deepEqual(shown.rules, [`Camera blocked for ${suite.server.otherOrigin}`]);
      if (suite.name === 'firefox') {
        assert.ok(shown.visible);
        for (const part of [
          '"defaultSemantics"',
          '"labelPolicy"',
          '"hardMute"',
          '"alwaysShowPicker"',
          '"forceVoiceIsolation"',
          '"unknownSetting"',
          '"features" is not an object',
          '"javascript:alert(1)"',
          '"42"',
          'sites.camera.allow is not a list',
          'member "maybe"',
          'sites.microphone is not an object',
          'unknown kind "bogus"',
        ]) {
          assert.ok(
            shown.ignored.some((w) => w.includes(part)),
            `listed: ${part} in ${JSON.stringify(shown.ignored).slice(0, 800)}`,
          );
        }
        assert.ok(
          shown.ignored.every((w) => w.length < 200),
          'quoted values are shortened',
        );
      } else {
        // What did not fit the schema never reached MediaGate; chrome://policy lists it.
        assert.deepEqual({ visible: shown.visible, ignored: shown.ignored }, { visible: false, ignored: [] });
      }
      assert.deepEqual(
        (await runAxe(options)).map((v) => `${v.id}: ${v.help}`),
        [],
      );
      if (process.env.MEDIAGATE_SCREENSHOTS) {
        await mkdir(path.join(ROOT, 'dist/screenshots'), { recursive: true });
        await options.screenshot({
          path: path.join(ROOT, 'dist/screenshots', `options-policy-ignored-${suite.name}.png`),
          fullPage: true,
        });
      }
      await options.close();
      assert.deepEqual(
        (await warnings.read()).map(String).filter((w) => w.includes('policy')),
        [],
      );
      await warnings.stop();
    });
  },
);
