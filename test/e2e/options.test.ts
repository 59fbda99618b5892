// Options page: settings saved at once reach web pages, the sites table edits and forgets decisions
// that web pages then live by, the page is keyboard operable, and axe-core finds no violations in it
// or in the popup — in real Chromium and Firefox.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { ROOT, waitFor, type TestBrowser } from './helpers/browsers';
import { runAxe, uiRequest, type AxeViolation } from './helpers/extension';
import { describeEachBrowser } from './helpers/suite';

async function openOptions(tb: TestBrowser): Promise<Page> {
  const page = await tb.openExtensionPage('options/options.html');
  await waitFor(() => page.evaluate(() => document.body.dataset.ready === 'true'), 'the options page to load its data');
  return page;
}

/** Waits for the polite status region to say `text` (it empties itself a few seconds later). */
const statusSays = (page: Page, text: string) =>
  waitFor(() => page.evaluate((s) => document.getElementById('status')!.textContent === s, text), `status "${text}"`);

const gumOutcome = (page: Page, constraints: Record<string, unknown> = { video: true }) =>
  page.evaluate(async (c) => {
    try {
      const s = await navigator.mediaDevices.getUserMedia(c as MediaStreamConstraints);
      s.getTracks().forEach((tr) => tr.stop());
      return 'ok';
    } catch (e) {
      return (e as Error).name;
    }
  }, constraints);

function assertNoViolations(where: string, violations: AxeViolation[]): void {
  if (violations.length) console.log(`axe violations in ${where}:\n${JSON.stringify(violations, null, 2)}`);
  assert.deepEqual(
    violations.map((v) => v.id),
    [],
    `axe violations in ${where}`,
  );
}

describeEachBrowser('options page', (suite) => {
  it('choosing "Ask me which device to use" saves at once and sets defaultSemantics in web pages', async (t) => {
    const web = await suite.tb.newPage();
    await web.goto(suite.server.url('/blank.html'));
    assert.equal(await web.evaluate(() => (navigator.mediaDevices as any).defaultSemantics), 'browser-chooses');

    const options = await openOptions(suite.tb);
    // Whatever happens below, the next tests start from the defaults.
    t.after(() =>
      uiRequest(options, 'settings/set', {
        settings: { defaultSemantics: 'browser-chooses', features: { 'label-hiding': true } as any },
      })
        .then(() => options.close())
        .catch(() => undefined),
    );
    const state = () =>
      options.evaluate(() => ({
        browser: (document.getElementById('semantics-browser-chooses') as HTMLInputElement).checked,
        user: (document.getElementById('semantics-user-chooses') as HTMLInputElement).checked,
        names: (document.getElementById('labels-hide-after-user-chooses') as HTMLInputElement).checked,
        switches: [...document.querySelectorAll<HTMLInputElement>('input[role=switch][data-feature]')].map((s) => [
          s.dataset.feature,
          s.checked,
          s.labels?.[0]?.textContent,
        ]),
        pinnedShown: [...document.querySelectorAll<HTMLElement>('.pinned')].filter((p) => !p.hidden).length,
      }));
    const before = await state();
    assert.deepEqual([before.browser, before.user, before.names, before.pinnedShown], [true, false, true, 0]);
    assert.deepEqual(before.switches, [
      ['call-detection', true, 'Call detection'],
      ['media-session', true, 'Call controls'],
      ['picker-semantics', true, 'Device picker'],
      ['label-hiding', true, 'Hide device names'],
      ['call-window', true, 'Call window'],
      ['usermedia-element', true, 'The <usermedia> element'],
      ['screen-capture', true, 'Screen capture through getUserMedia'],
      ['effects', true, 'Voice isolation and background blur'],
      ['track-transfer', true, 'Tracks in workers'],
    ]);

    // With the keyboard, as a person would: the checked radio has focus, an arrow key moves the choice.
    await options.bringToFront();
    await options.focus('#semantics-browser-chooses');
    await options.keyboard.press('ArrowDown');
    await statusSays(options, 'Saved');
    assert.deepEqual((({ browser, user }) => ({ browser, user }))(await state()), { browser: false, user: true });
    const stored = await uiRequest(options, 'settings/get', {});
    assert.equal(stored.effective.defaultSemantics, 'user-chooses');
    assert.deepEqual(stored.pinned, []);

    await web.bringToFront();
    await web.reload();
    // The getter is synchronous: it reads the default until the content script delivered the config.
    await waitFor(
      () => web.evaluate(() => (navigator.mediaDevices as any).defaultSemantics === 'user-chooses'),
      'defaultSemantics "user-chooses" in the web page',
      5000,
    );

    // A switch saves the same way; put both back for the next tests.
    await options.bringToFront();
    await options.click('#feature-label-hiding');
    // "Saved" may still show from the change above: wait for the store itself.
    await waitFor(
      async () => (await uiRequest(options, 'settings/get', {})).effective.features['label-hiding'] === false,
      'the switch saved',
    );
    await statusSays(options, 'Saved');
    await options.click('#feature-label-hiding');
    await options.click('#semantics-browser-chooses');
    await waitFor(async () => {
      const s = (await uiRequest(options, 'settings/get', {})).effective;
      return s.defaultSemantics === 'browser-chooses' && s.features['label-hiding'];
    }, 'settings back to their defaults');
    await web.close();
  });

  it('the sites table shows a decision, Block makes the site fail getUserMedia, Forget removes it', async () => {
    const origin = suite.server.otherOrigin;
    const options = await openOptions(suite.tb);
    assert.equal(
      await options.evaluate(
        () => !document.getElementById('sites-empty')!.hidden && document.getElementById('sites-wrap')!.hidden,
      ),
      true,
      'empty state first',
    );

    await uiRequest(options, 'sites/set', { origin, kind: 'camera', state: 'allow' });
    // The open page follows storage changes: no reload needed.
    const row = await waitFor(
      () =>
        options.evaluate((o) => {
          const tr = [...document.querySelectorAll<HTMLTableRowElement>('#sites tbody tr')].find(
            (r) => r.dataset.origin === o,
          );
          if (!tr) return null;
          const cell = (i: number) => tr.cells[i]!.textContent!.trim();
          return {
            site: cell(0),
            camera: (tr.querySelector('select[data-kind=camera]') as HTMLSelectElement).value,
            microphone: (tr.querySelector('select[data-kind=microphone]') as HTMLSelectElement).value,
            added: cell(3).length > 0,
            lastUsed: cell(4).length > 0,
            forget: tr.querySelector('button')!.textContent,
          };
        }, origin),
      'the site in the table',
    );
    assert.deepEqual(row, {
      site: origin,
      camera: 'allow',
      microphone: 'ask',
      added: true,
      lastUsed: true,
      forget: 'Forget',
    });
    assert.equal(await options.evaluate(() => document.getElementById('sites-empty')!.hidden), true);

    const cameraSelect = `#sites tr[data-origin="${origin}"] select[data-kind=camera]`;
    await options.select(cameraSelect, 'block');
    await statusSays(options, 'Saved');
    const table = await uiRequest(options, 'sites/list', {});
    assert.equal(table[origin]?.camera?.state, 'block');
    // Focus stays on the select the person changed, though the table was drawn again.
    assert.equal(await options.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kind), 'camera');

    const web = await suite.tb.newPage();
    await web.goto(`${origin}/blank.html`);
    assert.equal(await gumOutcome(web), 'NotAllowedError');

    // Forget, from the keyboard.
    await options.bringToFront();
    await options.focus(`#sites tr[data-origin="${origin}"] button`);
    await options.keyboard.press('Enter');
    await waitFor(
      () => options.evaluate((o: string) => !document.querySelector(`#sites tr[data-origin="${o}"]`), origin),
      'the row to go',
    );
    const after = await options.evaluate(() => ({
      empty: !document.getElementById('sites-empty')!.hidden,
      table: !document.getElementById('sites-wrap')!.hidden,
      focus: document.activeElement?.id,
    }));
    assert.deepEqual(after, { empty: true, table: false, focus: 'h-sites' });
    assert.equal((await uiRequest(options, 'sites/list', {}))[origin], undefined);

    await web.bringToFront();
    await web.reload();
    // (browser-chooses: no picker window, whatever an earlier test left as the default)
    assert.equal(
      await gumOutcome(web, { video: true, semantics: 'browser-chooses' }),
      'ok',
      'forgotten: the browser decides again (fake UI allows)',
    );
    await web.close();
    await options.close();
  });

  it('is keyboard operable with a visible focus indicator on every control', async () => {
    const origin = suite.server.origin;
    const options = await openOptions(suite.tb);
    await uiRequest(options, 'sites/set', { origin, kind: 'microphone', state: 'block' });
    await waitFor(() => options.$(`#sites tr[data-origin="${origin}"]`), 'the site row');
    await options.bringToFront();
    const seen: { id: string; outline: string }[] = [];
    for (let i = 0; i < 30; i++) {
      await options.keyboard.press('Tab');
      const f = await options.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const cs = getComputedStyle(el);
        return { id: el.id, outline: `${cs.outlineStyle} ${cs.outlineWidth}` };
      });
      if (!f || seen.some((s) => s.id === f.id)) break;
      seen.push(f);
    }
    const ids = seen.map((s) => s.id);
    // A radio group is one tab stop: its checked radio.
    const checked = await options.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement>('input[type=radio]:checked')].map((r) => r.id),
    );
    const expected = [
      checked[0],
      'alwaysShowPicker',
      'hardMute',
      'shortcuts',
      'mutedSpeechHint',
      'blurByDefault',
      'voiceIsolationByDefault',
      checked[1],
      'feature-call-detection',
      'feature-media-session',
      'feature-picker-semantics',
      'feature-label-hiding',
      'feature-call-window',
      'feature-usermedia-element',
      'feature-screen-capture',
      'feature-effects',
      'feature-track-transfer',
      'site-0-camera',
      'site-0-microphone',
      'forget-0',
    ];
    assert.deepEqual(ids, expected);
    for (const s of seen) assert.match(s.outline, /^solid [2-9]/, `focus indicator of #${s.id}`);
    await uiRequest(options, 'sites/set', { origin, kind: 'microphone', state: 'ask' });
    await options.close();
  });

  if (suite.name === 'chromium') {
    // Real policy needs files under /etc that every browser on the machine reads; here the page's
    // own runtime.sendMessage is wrapped so the background's answer names pinned settings.
    it('settings pinned by policy are disabled and described "Set by your organisation"', async () => {
      const page = await suite.tb.newPage();
      await page.evaluateOnNewDocument(() => {
        const runtime = (globalThis as any).chrome.runtime;
        const original = runtime.sendMessage.bind(runtime);
        runtime.sendMessage = (message: any, callback?: (a: unknown) => void) => {
          const answer = original(message).then((a: any) => {
            if (a?.ok && (message.type === 'settings/get' || message.type === 'settings/set'))
              a.result.pinned = ['defaultSemantics', 'features.label-hiding'];
            return a;
          });
          if (typeof callback === 'function') {
            answer.then(callback);
            return undefined;
          }
          return answer;
        };
      });
      await page.goto(suite.tb.extensionBase + 'options/options.html');
      await waitFor(() => page.evaluate(() => document.body.dataset.ready === 'true'), 'the options page');
      const view = await page.evaluate(() => {
        const input = (id: string) => document.getElementById(id) as HTMLInputElement;
        const described = (id: string) =>
          (input(id).getAttribute('aria-describedby') ?? '')
            .split(' ')
            .map((ref) => document.getElementById(ref)!.textContent)
            .join(' | ');
        return {
          semantics: [input('semantics-browser-chooses').disabled, input('semantics-user-chooses').disabled],
          semanticsDescribed: described('semantics-user-chooses'),
          features: [...document.querySelectorAll<HTMLInputElement>('input[data-feature]')].map((s) => s.disabled),
          featureDescribed: described('feature-label-hiding'),
          free: [input('alwaysShowPicker').disabled, input('labels-never-hide').disabled],
          notes: [...document.querySelectorAll<HTMLElement>('.pinned')].filter((p) => !p.hidden).map((p) => p.id),
        };
      });
      assert.deepEqual(view, {
        semantics: [true, true],
        semanticsDescribed:
          'When more than one camera or microphone fits, MediaGate asks you which one the site gets. | Set by your organisation',
        features: [false, false, false, true, false, false, false, false, false],
        featureDescribed:
          'Keeps the names of your devices from sites, as set under Device names. | Set by your organisation',
        free: [false, false],
        notes: ['pinned-defaultSemantics', 'pinned-feature-label-hiding'],
      });
      assertNoViolations('options (pinned settings)', await runAxe(page));
      await page.close();
    });
  }

  it('axe-core finds no violations in the options page (with and without sites) and the popup', async () => {
    const options = await openOptions(suite.tb);
    assertNoViolations('options (no sites)', await runAxe(options));

    await uiRequest(options, 'sites/set', { origin: suite.server.origin, kind: 'camera', state: 'allow' });
    await uiRequest(options, 'sites/set', { origin: suite.server.otherOrigin, kind: 'microphone', state: 'block' });
    await waitFor(
      () => options.evaluate(() => document.querySelectorAll('#sites tbody tr').length === 2),
      'two site rows',
    );
    // The status toast is part of what axe checks (contrast): show it.
    await options.bringToFront();
    await options.click('#alwaysShowPicker');
    await statusSays(options, 'Saved');
    assertNoViolations('options (sites, status shown)', await runAxe(options));

    if (suite.name === 'chromium') {
      // Dark colours too (the Firefox driver cannot emulate prefers-color-scheme).
      await options.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
      assert.equal(await options.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), true);
      assertNoViolations('options (dark)', await runAxe(options));
      if (process.env.MEDIAGATE_SCREENSHOTS) {
        const dir = path.join(ROOT, 'dist/screenshots');
        await mkdir(dir, { recursive: true });
        await options.setViewport({ width: 1000, height: 1250 });
        await options.screenshot({ path: path.join(dir, 'options-dark.png'), fullPage: true });
        await options.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
        await options.screenshot({ path: path.join(dir, 'options.png'), fullPage: true });
        await options.setViewport({ width: 420, height: 900 });
        await options.screenshot({ path: path.join(dir, 'options-narrow.png'), fullPage: true });
      }
      await options.emulateMediaFeatures([]);
    }

    await options.click('#alwaysShowPicker');
    await statusSays(options, 'Saved');
    await uiRequest(options, 'sites/set', { origin: suite.server.origin, kind: 'camera', state: 'ask' });
    await uiRequest(options, 'sites/set', { origin: suite.server.otherOrigin, kind: 'microphone', state: 'ask' });
    await options.close();

    const popup = await suite.tb.openExtensionPage('popup/popup.html');
    await waitFor(() => popup.evaluate(() => document.readyState === 'complete'), 'the popup');
    assertNoViolations('popup', await runAxe(popup));
    await popup.close();
  });
});
