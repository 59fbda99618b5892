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
          const ready = await p
            .evaluate(() => document.querySelectorAll('input[type=radio]').length > 0)
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
