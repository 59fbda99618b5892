// Hardening under load (#10): many tabs asking at once. Ten tabs, each on its own origin (its own
// fixture server), each making five concurrent getUserMedia calls with "user-chooses": every tab gets
// one picker window (its calls merge), never more; each picker's answer reaches the five calls of its
// own tab and no other; every call settles. And a thousand getUserMedia/stop cycles in one page leave
// no track in the background's call registry (the page's heap counts are reported beside the
// browser's own, see the test).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { BROWSERS, launch, waitFor, type TestBrowser } from './helpers/browsers';
import { startServer, type FixtureServer } from './helpers/server';
import { clickByName, waitArmed } from './helpers/picker';
import { listCalls } from './helpers/extension';

const TABS = 10;
const CALLS = 5;

/** Open picker windows with their choices shown, by the origin they ask for. */
async function openPickers(tb: TestBrowser): Promise<Map<string, Page[]>> {
  const out = new Map<string, Page[]>();
  for (const p of await tb.browser.pages()) {
    const origin = await p
      .evaluate(() =>
        location.href.includes('/picker/picker.html') && document.querySelectorAll('input[type=radio]').length > 0
          ? document.getElementById('origin')!.textContent
          : null,
      )
      .catch(() => null);
    if (origin) out.set(origin, [...(out.get(origin) ?? []), p]);
  }
  return out;
}

for (const name of BROWSERS) {
  describe(`load: ${TABS} tabs x ${CALLS} concurrent user-chooses calls (${name})`, () => {
    let tb: TestBrowser;
    const servers: FixtureServer[] = [];
    before(async () => {
      for (let i = 0; i < TABS; i++) servers.push(await startServer());
      tb = await launch(name, { chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] });
    });
    after(async () => {
      await tb?.close();
      await Promise.all(servers.map((s) => s.close()));
    });

    it("one picker per tab; each answer reaches its own tab's calls only; every call settles", async (t) => {
      const pages: Page[] = [];
      for (const server of servers) {
        const page = await tb.newPage();
        await page.goto(server.url('/blank.html'));
        pages.push(page);
      }
      // Firefox: a tab in the foreground when it asks gets its picker at once; the test needs every
      // tab to ask from the background, so another tab is in front while the calls start.
      const front = name === 'firefox' ? await tb.newPage() : null;
      // All fifty calls start before any picker is answered.
      const started = Date.now();
      await Promise.all(
        pages.map((page, tab) =>
          page.evaluate(
            (n, k) => {
              const w = window as any;
              w.outcomes = [];
              for (let i = 0; i < n; i++) {
                navigator.mediaDevices
                  .getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints)
                  .then(
                    (s) => {
                      w.outcomes.push({ ok: true, label: s.getVideoTracks()[0]!.label, tab: k });
                      s.getTracks().forEach((t) => t.stop());
                    },
                    (e: Error) => {
                      w.outcomes.push({ ok: false, name: e.name, tab: k });
                    },
                  );
              }
            },
            CALLS,
            tab,
          ),
        ),
      );
      const origins = servers.map((s) => s.origin);
      const chosen = new Map<number, string>();
      /** Even tabs allow (Chromium: each a different camera of the three), odd tabs dismiss. */
      const answer = async (tab: number, picker: Page) => {
        if (tab % 2 === 0) {
          if (name === 'chromium') {
            const label = `fake_device_${tab % 3}`;
            await clickByName(picker, 'radio', label);
            chosen.set(tab, label);
          } else {
            chosen.set(
              tab,
              await picker.evaluate(() => document.querySelector<HTMLInputElement>('input[type=radio]:checked')!.value),
            );
          }
          await clickByName(picker, 'button', 'Allow').catch((e: Error) => {
            if (!/closed|detached/i.test(e.message)) throw e;
          });
        } else {
          // Keys need the window focused, and wait half a second after it got the focus. The focus can
          // arrive after waitArmed saw the window armed from before, which starts the delay again and
          // swallows the key (one Chromium run in a few, under load): press again until it is gone.
          await picker.bringToFront();
          await waitFor(
            async () => {
              await waitArmed(picker).catch(() => undefined);
              await picker.keyboard.press('Escape').catch(() => undefined);
              await new Promise((r) => setTimeout(r, 700));
              return !(await picker.evaluate(() => true).catch(() => false));
            },
            `the picker of tab ${tab} dismissed with Escape`,
            20000,
            0,
          );
        }
      };
      if (name === 'chromium') {
        const pickers = await waitFor(
          async () => {
            const open = await openPickers(tb);
            return origins.every((o) => open.has(o)) ? open : null;
          },
          `a picker for each of the ${TABS} tabs`,
          60000,
          250,
        );
        t.diagnostic(`${TABS} picker windows open ${Date.now() - started} ms after the ${TABS * CALLS} calls started`);
        // Give stragglers time to open a second window, which they must not.
        await new Promise((r) => setTimeout(r, 1000));
        const settled = await openPickers(tb);
        for (const o of origins) assert.equal(settled.get(o)?.length, 1, `one picker for ${o}`);
        assert.equal(settled.size, TABS, 'no picker for anyone else');
        for (let tab = 0; tab < TABS; tab++) await answer(tab, pickers.get(origins[tab]!)![0]!);
      } else {
        // Firefox lets a tab enumerate or capture devices only while it is in the foreground (natively
        // too): the person goes through the tabs, and each shows its one picker then.
        for (let tab = 0; tab < TABS; tab++) {
          await pages[tab]!.bringToFront();
          const open = await waitFor(
            async () => {
              const o = await openPickers(tb);
              return o.has(origins[tab]!) ? o : null;
            },
            `the picker of tab ${tab}`,
            20000,
            100,
          );
          await new Promise((r) => setTimeout(r, 300));
          assert.equal((await openPickers(tb)).get(origins[tab]!)?.length, 1, `one picker for tab ${tab}`);
          assert.equal(open.size, 1, 'only the foreground tab has a picker');
          await answer(tab, open.get(origins[tab]!)![0]!);
        }
      }
      for (let tab = 0; tab < TABS; tab++) {
        // Firefox: a tab allowed while in the background opens the chosen device once it is shown again.
        if (name === 'firefox') await pages[tab]!.bringToFront();
        const outcomes = (await waitFor(
          () =>
            pages[tab]!.evaluate(
              (n) => ((window as any).outcomes.length === n ? (window as any).outcomes : null),
              CALLS,
            ),
          `the ${CALLS} calls of tab ${tab} to settle`,
          30000,
          100,
        )) as { ok: boolean; label?: string; name?: string; tab: number }[];
        if (tab % 2 === 0) {
          assert.deepEqual(
            outcomes.map((o) => [o.ok, o.label]),
            Array(CALLS).fill([true, chosen.get(tab)]),
            `tab ${tab}: ${JSON.stringify(outcomes)}`,
          );
        } else {
          assert.deepEqual(
            outcomes.map((o) => [o.ok, o.name]),
            Array(CALLS).fill([false, 'NotAllowedError']),
            `tab ${tab}: ${JSON.stringify(outcomes)}`,
          );
        }
      }
      t.diagnostic(`all ${TABS * CALLS} calls settled ${Date.now() - started} ms after they started`);
      await waitFor(async () => (await openPickers(tb)).size === 0, 'every picker window closed');
      await Promise.all(pages.map((p) => p.close()));
      await front?.close();
    });

    it('1,000 getUserMedia/stop cycles in one page: none of their tracks stays in the call registry (heap counts reported against the browser alone)', async (t) => {
      const run = async (browser: TestBrowser) => {
        const page = await browser.newPage();
        await page.goto(servers[0]!.url('/blank.html'));
        const started = Date.now();
        await page.evaluate(async (count) => {
          for (let i = 0; i < count; i++) {
            const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
            s.getTracks().forEach((tr) => tr.stop());
          }
        }, 1000);
        const ms = Date.now() - started;
        // Chromium: live objects of a prototype after a forced garbage collection.
        let live: Record<string, number> | null = null;
        if (name === 'chromium') {
          await new Promise((r) => setTimeout(r, 300));
          const cdp = await page.createCDPSession();
          await cdp.send('HeapProfiler.collectGarbage');
          await cdp.detach();
          live = {};
          for (const proto of ['MediaStreamTrack', 'MediaStream'] as const) {
            const handle = await page.evaluateHandle((p) => (window as any)[p].prototype, proto);
            const objects = await page.queryObjects(handle);
            live[proto] = await objects.evaluate((list: unknown[]) => list.length);
            await objects.dispose();
            await handle.dispose();
          }
        }
        return { page, ms, live };
      };
      const mine = await run(tb);
      t.diagnostic(`1,000 cycles (audio + video) with MediaGate in ${mine.ms} ms`);
      if (name === 'chromium') {
        // Chromium itself keeps stopped tracks alive for a while: compare with it, in the same run.
        const plain = await launch(name, { extension: false });
        try {
          const theirs = await run(plain);
          // Reported, not asserted: Chromium keeps stopped tracks alive for a time of its own choosing
          // (after 200 cycles every one of them, after 1,000 some 60-85%, with or without MediaGate),
          // so the two counts differ by chance in either direction.
          t.diagnostic(
            `without MediaGate: ${theirs.ms} ms; live after a forced GC: with ${JSON.stringify(mine.live)}, without ${JSON.stringify(theirs.live)}`,
          );
        } finally {
          await plain.close();
        }
      }
      const page = mine.page;
      const ui = await tb.openExtensionPage('popup/popup.html');
      const left = await waitFor(async () => {
        const calls = (await listCalls(ui)).filter((c) => c.origin === servers[0]!.origin);
        return calls.every((c) => c.tracks.length === 0) ? calls : null;
      }, 'the call registry to hold no track of the page');
      assert.ok(left.length <= 1, 'one record at most for the page');
      await ui.close();
      await page.close();
    });
  });
}
