// Foundation: patches look native, pages keep working, the bridge round trip works, a reloaded
// extension leaves getUserMedia working, forged bridge messages reach nothing.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { waitFor } from './helpers/browsers';
import { listCalls, uiRequest } from './helpers/extension';
import { describeEachBrowser } from './helpers/suite';

describeEachBrowser(
  'foundation',
  {
    // insecure.test resolves to the fixture server: a plain http:// site that is no secure context.
    launch: {
      chromiumArgs: ['--host-resolver-rules=MAP insecure.test 127.0.0.1'],
      firefoxPrefs: { 'network.dns.forceResolve': '127.0.0.1' },
    },
  },
  (suite) => {
    it('patched functions keep native name, length, descriptors and toString (own and foreign realm)', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const result = await page.evaluate(() => {
        const nativeLike = (fnName: string) =>
          Function.prototype.toString.call(Object.prototype.hasOwnProperty).replace('hasOwnProperty', fnName);
        const frame = document.createElement('iframe');
        document.body.append(frame);
        const foreignToString = (frame.contentWindow as typeof window).Function.prototype.toString;
        const checks: Record<string, unknown> = {};
        const targets: [object, string][] = [
          [MediaDevices.prototype, 'getUserMedia'],
          [MediaDevices.prototype, 'enumerateDevices'],
          [MediaSession.prototype, 'setActionHandler'],
          [MediaStreamTrack.prototype, 'stop'],
          [MediaStreamTrack.prototype, 'clone'],
          [Function.prototype, 'toString'],
        ];
        for (const [owner, key] of targets) {
          const d = Object.getOwnPropertyDescriptor(owner, key)!;
          const fn = d.value as (...a: unknown[]) => unknown;
          checks[key] = {
            name: fn.name,
            length: fn.length,
            writable: d.writable,
            enumerable: d.enumerable,
            configurable: d.configurable,
            own: Function.prototype.toString.call(fn) === nativeLike(key),
            foreign: foreignToString.call(fn) === nativeLike(key),
            viaMethod: fn.toString() === nativeLike(key),
            hasPrototype: 'prototype' in fn,
          };
        }
        // The frame's own patched functions, seen from this realm.
        const frameGum = (frame.contentWindow as typeof window).MediaDevices.prototype.getUserMedia;
        checks.frameFromParent = Function.prototype.toString.call(frameGum) === nativeLike('getUserMedia');
        return checks;
      });
      const expected: Record<string, number> = {
        getUserMedia: 0,
        enumerateDevices: 0,
        setActionHandler: 2,
        stop: 0,
        clone: 0,
        toString: 0,
      };
      for (const [key, length] of Object.entries(expected)) {
        assert.deepEqual(
          result[key],
          {
            name: key,
            length,
            writable: true,
            enumerable: key !== 'toString',
            configurable: true,
            own: true,
            foreign: true,
            viaMethod: true,
            hasPrototype: false,
          },
          key,
        );
      }
      assert.equal(result.frameFromParent, true);
      await page.close();
    });

    it('a plain http:// site (no secure context, so no camera API at all) gets no error from MediaGate', async () => {
      const page = await suite.tb.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`http://insecure.test:${new URL(suite.server.origin).port}/blank.html`);
      await new Promise((r) => setTimeout(r, 300));
      const r = await page.evaluate(() => ({
        secure: isSecureContext,
        devices: typeof (window as any).MediaDevices,
        mediaDevices: typeof navigator.mediaDevices,
      }));
      assert.deepEqual(r, { secure: false, devices: 'undefined', mediaDevices: 'undefined' });
      assert.deepEqual(errors, [], 'no page error');
      await page.close();
    });

    it('getUserMedia and enumerateDevices still return the real objects', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        const devices = await navigator.mediaDevices.enumerateDevices();
        const out = {
          isStream: stream instanceof MediaStream,
          kinds: stream
            .getTracks()
            .map((t) => `${t.kind}:${t.readyState}:${t instanceof MediaStreamTrack}`)
            .sort(),
          devices: devices.length,
          allInfos: devices.every((d) => d instanceof MediaDeviceInfo),
          inputs:
            typeof InputDeviceInfo === 'undefined' ||
            devices.filter((d) => d.kind !== 'audiooutput').every((d) => d instanceof InputDeviceInfo),
        };
        stream.getTracks().forEach((t) => t.stop());
        let overconstrained = '';
        try {
          await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: 'no-such-device' } } });
        } catch (e) {
          overconstrained = (e as Error).name;
        }
        let typeError = '';
        try {
          await navigator.mediaDevices.getUserMedia({});
        } catch (e) {
          typeError = (e as Error).name;
        }
        return { ...out, overconstrained, typeError };
      });
      assert.equal(r.isStream, true);
      assert.deepEqual(r.kinds, ['audio:live:true', 'video:live:true']);
      assert.ok(r.devices >= 2);
      assert.equal(r.allInfos, true);
      assert.equal(r.inputs, true);
      assert.ok(['OverconstrainedError', 'NotFoundError'].includes(r.overconstrained), r.overconstrained);
      assert.equal(r.typeError, 'TypeError');
      await page.close();
    });

    it('round trip: the page reports its call to the background, the background invokes its handler', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/demo/'));
      await page.click('#start');
      await waitFor(() => page.evaluate(() => !!(window as any).demo.stream), 'call started');
      const ui = await suite.tb.openExtensionPage('popup/popup.html');
      const call = await waitFor(
        async () => (await listCalls(ui)).find((c) => c.origin === suite.server.origin),
        'call registered',
      );
      assert.deepEqual(call.tracks.map((t) => t.kind).sort(), ['audio', 'video']);
      assert.deepEqual([...call.actions].sort(), ['hangup', 'togglecamera', 'togglemicrophone']);
      assert.equal(call.reported.microphone, true);
      // The popup shows it too.
      await ui.close();
      const popup = await suite.tb.openExtensionPage('popup/popup.html');
      await waitFor(
        () => popup.evaluate((o) => document.querySelector('#calls')?.textContent?.includes(o), suite.server.origin),
        'popup lists the call',
      );
      // Background -> page: the popup's button goes through the background to the page's own handler.
      const mute = await popup.$('button[data-action="togglemicrophone"]');
      assert.ok(mute, 'popup offers the microphone button');
      assert.equal(await mute.evaluate((b) => b.textContent), 'Mute microphone');
      await mute.click();
      await waitFor(
        () => page.evaluate(() => (window as any).demoLog.includes('togglemicrophone')),
        'page handler ran',
      );
      assert.equal(await page.evaluate(() => (window as any).demo.mic), false);
      await waitFor(
        async () =>
          (await listCalls(popup)).find((c) => c.origin === suite.server.origin)?.reported.microphone === false,
        'state reported back',
      );
      // Hang up: tracks stop, the call leaves the registry.
      await page.evaluate(() => document.getElementById('leave')!.click());
      await waitFor(
        async () => !(await listCalls(popup)).find((c) => c.origin === suite.server.origin)?.tracks.length,
        'tracks reported ended',
      );
      await popup.close();
      await page.close();
    });

    it('forged bridge messages from a hostile page reach nothing', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/hostile.html'));
      await page.waitForFunction(() => document.readyState === 'complete');
      await new Promise((r) => setTimeout(r, 500));
      const seen = await page.evaluate(() => ({
        ports: (window as any).seenPorts,
        answers: (window as any).answers.length,
      }));
      assert.deepEqual(
        seen,
        { ports: 2 * 4, answers: 0 },
        'the page only ever sees its own forged ports, and no answer',
      );
      const ui = await suite.tb.openExtensionPage('popup/popup.html');
      const calls = await listCalls(ui);
      assert.equal(calls.filter((c) => c.tracks.some((t) => t.id.startsWith('forged'))).length, 0);
      // The page cannot speak the UI channel either, even through its own runtime-less world.
      await ui.close();
      await page.close();
    });

    it('three tabs in calls keep working and keep their call controls when the extension is reloaded', async () => {
      const errors: string[] = [];
      const pages: Page[] = [];
      for (let i = 0; i < 3; i++) {
        const page = await suite.tb.newPage();
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(suite.server.url(`/demo/?tab=${i}`));
        await page.click('#start');
        await waitFor(() => page.evaluate(() => !!(window as any).demo.stream), `call ${i} started`);
        pages.push(page);
      }
      await suite.tb.reloadExtension();
      // getUserMedia still answers in each (never hangs on the dead bridge) and the calls go on.
      for (const page of pages) {
        const r = await page.evaluate(async () => {
          const s = await navigator.mediaDevices.getUserMedia({ video: true });
          const ok = s.getVideoTracks()[0]?.readyState === 'live';
          s.getTracks().forEach((t) => t.stop());
          return {
            ok,
            callLive: (window as any).demo.stream.getTracks().every((t: MediaStreamTrack) => t.readyState === 'live'),
          };
        });
        assert.deepEqual(r, { ok: true, callLive: true });
      }
      // The new instance took each call over: listed, and each tab's handlers (registered before the
      // reload) answer MediaGate's controls, in that tab only.
      const ui = await suite.tb.openExtensionPage('popup/popup.html');
      const calls = await waitFor(async () => {
        const listed = (await listCalls(ui)).filter((c) => c.origin === suite.server.origin && c.tracks.length === 2);
        return listed.length === 3 ? listed : null;
      }, 'the three calls listed after the reload');
      const tabOf = async (page: Page) => page.evaluate(() => new URLSearchParams(location.search).get('tab'));
      for (const call of calls) {
        assert.ok(call.actions.includes('togglecamera'));
        await uiRequest(ui, 'calls/invoke', { tabId: call.tabId, frameId: call.frameId, action: 'togglecamera' });
      }
      for (const page of pages) {
        await waitFor(
          () => page.evaluate(() => (window as any).demoLog.filter((a: string) => a === 'togglecamera').length === 1),
          `tab ${await tabOf(page)}: its pre-reload handler ran once`,
        );
      }
      assert.deepEqual(errors, []);
      await ui.close();
      for (const page of pages) await page.close();
    });
  },
);
