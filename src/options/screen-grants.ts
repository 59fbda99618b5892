// The options page's "Screen capture" section: the application permissions sites got (or were
// refused) in the grant window, per level; "Ask" forgets one, so the window shows again.
import browser from 'webextension-polyfill';
import { uiRequest } from '../shared/ui-client';
import { t } from '../shared/i18n';
import { GRANT_SOURCES, type GrantSource, type GrantTable } from '../shared/screen-grants';
import { STORAGE_KEYS } from '../shared/settings';

const CHOICES = [
  ['allow', 'optionsDecisionAllow'],
  ['block', 'optionsDecisionBlock'],
  ['ask', 'optionsDecisionAsk'],
] as const;
const $ = (id: string) => document.getElementById(id)!;

function render(table: GrantTable): void {
  const body = ($('screen-grants') as HTMLTableElement).tBodies[0]!;
  const focused =
    document.activeElement instanceof HTMLSelectElement && body.contains(document.activeElement)
      ? document.activeElement.id
      : '';
  const rows = Object.keys(table)
    .sort()
    .map((origin, i) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.id = `grant-${i}`;
      th.textContent = origin;
      tr.append(th);
      for (const source of GRANT_SOURCES) {
        const td = document.createElement('td');
        const select = document.createElement('select');
        select.id = `grant-${i}-${source}`;
        select.dataset.origin = origin;
        select.dataset.source = source;
        select.setAttribute('aria-labelledby', `col-grant-${source} ${th.id}`);
        for (const [value, label] of CHOICES) select.append(new Option(t(label), value));
        select.value = table[origin]![source]?.state ?? 'ask';
        select.addEventListener('change', () => {
          void change(origin, source, select.value as 'allow' | 'block' | 'ask');
        });
        td.append(select);
        tr.append(td);
      }
      return tr;
    });
  body.replaceChildren(...rows);
  $('screen-grants-wrap').hidden = rows.length === 0;
  $('screen-grants-empty').hidden = rows.length > 0;
  if (focused) document.getElementById(focused)?.focus();
}

async function refresh(): Promise<void> {
  render(await uiRequest('screen-grants/list', {}));
}

async function change(origin: string, source: GrantSource, state: 'allow' | 'block' | 'ask'): Promise<void> {
  // The stored change comes back through storage.onChanged and redraws the table.
  await uiRequest('screen-grants/set', { origin, source, state }).catch(() => false);
}

/** Draws the section and follows changes made elsewhere (the grant window, another options tab). */
export function watchScreenGrants(): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && STORAGE_KEYS.screenGrants in changes) void refresh().catch(() => undefined);
  });
  void refresh().catch(() => undefined);
}
