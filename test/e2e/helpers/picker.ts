// Driving MediaGate's picker window from tests.
import type { Page } from 'puppeteer-core';
import { waitFor, type TestBrowser } from './browsers';

/** The picker window MediaGate opens (Firefox reports extension pages as about:blank: ask the page). */
export async function pickerPage(tb: TestBrowser): Promise<Page> {
  return waitFor(
    async () => {
      for (const p of await tb.browser.pages()) {
        const href = await p.evaluate(() => location.href).catch(() => '');
        if (href.includes('/picker/picker.html')) {
          // Shown, and past its input delay (src/shared/input-guard.ts): a click now counts.
          const ready = await p
            .evaluate(
              () => document.querySelectorAll('input[type=radio]').length > 0 && document.body.dataset.armed === 'true',
            )
            .catch(() => false);
          if (ready) return p;
        }
      }
      return null;
    },
    'the picker window with its choices',
    15000,
  );
}

/** Clicks a control by its accessible name, computed the way a screen reader would (label text). */
export async function clickByName(page: Page, role: 'radio' | 'button', name: string | RegExp): Promise<void> {
  await waitArmed(page); // past the window's input delay (src/shared/input-guard.ts)
  const handles = await page.$$(role === 'radio' ? 'input[type=radio]' : 'button');
  for (const h of handles) {
    const accessible = await h.evaluate((el: Element) =>
      (el.closest('label')?.textContent ?? el.textContent ?? '').trim(),
    );
    if (typeof name === 'string' ? accessible === name : name.test(accessible)) {
      await h.click();
      return;
    }
  }
  throw new Error(`no ${role} named ${String(name)}`);
}

/** Waits until a MediaGate window (picker, grant) takes input again after its delay. */
export const waitArmed = (page: Page): Promise<boolean> =>
  waitFor(() => page.evaluate(() => document.body.dataset.armed === 'true'), 'the window to take input', 5000);

/**
 * Starts the window's input delay over (as showing it again does) and runs `act` inside it. True when
 * the input certainly landed while the delay ran (the window still said so afterwards); a slow machine
 * gets a few more tries rather than a test that cannot tell.
 */
export async function inputDuringDelay(page: Page, act: () => Promise<void>): Promise<boolean> {
  for (let i = 0; i < 5; i++) {
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await act();
    if (await page.evaluate(() => document.body.dataset.armed === 'false')) return true;
  }
  return false;
}
