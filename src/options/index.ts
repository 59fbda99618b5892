// Options page: settings (device choice, device names, features) and the per-site decisions. Every
// change is saved at once through the background, which answers with the effective settings (policy
// wins); settings pinned by policy are shown disabled, with the reason next to them.
import browser from 'webextension-polyfill';
import { uiRequest } from '../shared/ui-client';
import { localize, t } from '../shared/i18n';
import { FEATURES, type Feature, type Settings } from '../shared/settings';
import { FEATURE_REGISTRY, type FeatureEntry } from '../shared/features';
import {
  DECISIONS,
  PERMISSION_KINDS,
  type Decision,
  type PermissionKind,
  type SiteRecord,
  type SiteTable,
} from '../shared/permissions';
import type { UiToBackground } from '../shared/protocol';
import { POLICY_KINDS, hasSitePolicy, type PolicyKind } from '../shared/policy';
import { watchScreenGrants } from './screen-grants';
import { loadSitePolicy, policyProblems } from '../shared/storage';

type SettingsView = UiToBackground['settings/get']['res'];

const DECISION_TEXT: Record<Decision, string> = {
  allow: 'optionsDecisionAllow',
  block: 'optionsDecisionBlock',
  ask: 'optionsDecisionAsk',
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const radios = (name: string) => [...document.querySelectorAll<HTMLInputElement>(`input[type=radio][name="${name}"]`)];
const featureSwitch = (f: Feature) => $<HTMLInputElement>(`feature-${f}`);

// ---- status ------------------------------------------------------------------------------------

let statusTimer: ReturnType<typeof setTimeout> | undefined;
/** Polite announcement; emptied first so the same text is announced again. */
function announce(text: string): void {
  const status = $('status');
  clearTimeout(statusTimer);
  status.textContent = '';
  statusTimer = setTimeout(() => {
    status.textContent = text;
    statusTimer = setTimeout(() => {
      status.textContent = '';
    }, 4000);
  }, 50);
}

function showError(e: unknown): void {
  announce(t('optionsSaveFailed', e instanceof Error ? e.message : String(e)));
}

// ---- settings ----------------------------------------------------------------------------------

function buildFeatures(): void {
  const card = $('features');
  for (const f of FEATURES) {
    const entry: FeatureEntry = FEATURE_REGISTRY[f];
    const row = document.createElement('div');
    row.className = 'row check';
    const text = document.createElement('div');
    text.className = 'text';
    const label = document.createElement('label');
    label.htmlFor = `feature-${f}`;
    label.textContent = t(entry.options.label);
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.id = `hint-feature-${f}`;
    hint.textContent = t(entry.options.hint);
    const note = document.createElement('p');
    note.className = 'pinned';
    note.id = `pinned-feature-${f}`;
    note.textContent = t('optionsPinned');
    note.hidden = true;
    text.append(label, hint, note);
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.setAttribute('role', 'switch');
    input.id = `feature-${f}`;
    input.dataset.feature = f;
    input.setAttribute('aria-describedby', hint.id);
    input.addEventListener('change', () => {
      void save({ features: { [f]: input.checked } as Settings['features'] });
    });
    row.append(text, input);
    card.append(row);
  }
}

/** Adds or removes the "set by your organisation" note from the controls' descriptions. */
function pin(name: string, pinned: boolean, controls: HTMLInputElement[]): void {
  const note = $(`pinned-${name}`);
  note.hidden = !pinned;
  for (const c of controls) {
    c.disabled = pinned;
    const ids = (c.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id && id !== note.id);
    if (pinned) ids.push(note.id);
    if (ids.length) c.setAttribute('aria-describedby', ids.join(' '));
    else c.removeAttribute('aria-describedby');
  }
}

const PERSONAL_EFFECTS = ['blurByDefault', 'voiceIsolationByDefault'] as const;

function applySettings({ effective, pinned }: SettingsView): void {
  for (const r of radios('defaultSemantics')) r.checked = r.value === effective.defaultSemantics;
  for (const r of radios('labelPolicy')) r.checked = r.value === effective.labelPolicy;
  $<HTMLInputElement>('alwaysShowPicker').checked = effective.alwaysShowPicker;
  $<HTMLInputElement>('hardMute').checked = effective.hardMute;
  $<HTMLInputElement>('shortcuts').checked = effective.shortcuts;
  $<HTMLInputElement>('mutedSpeechHint').checked = effective.mutedSpeechHint;
  for (const name of PERSONAL_EFFECTS) {
    $<HTMLInputElement>(name).checked = effective[name];
    pin(name, pinned.includes(name), [$<HTMLInputElement>(name)]);
  }
  for (const f of FEATURES) featureSwitch(f).checked = effective.features[f];
  pin('defaultSemantics', pinned.includes('defaultSemantics'), radios('defaultSemantics'));
  pin('labelPolicy', pinned.includes('labelPolicy'), radios('labelPolicy'));
  pin('alwaysShowPicker', pinned.includes('alwaysShowPicker'), [$<HTMLInputElement>('alwaysShowPicker')]);
  pin('hardMute', pinned.includes('hardMute'), [$<HTMLInputElement>('hardMute')]);
  pin('shortcuts', pinned.includes('shortcuts'), [$<HTMLInputElement>('shortcuts')]);
  pin('mutedSpeechHint', pinned.includes('mutedSpeechHint'), [$<HTMLInputElement>('mutedSpeechHint')]);
  // Policy pins features one by one ("features.<name>"); a bare "features" would pin them all.
  for (const f of FEATURES)
    pin(`feature-${f}`, pinned.includes(`features.${f}`) || pinned.includes('features'), [featureSwitch(f)]);
}

let settingsSeq = 0;
async function refreshSettings(): Promise<void> {
  const seq = ++settingsSeq;
  const view = await uiRequest('settings/get', {});
  if (seq === settingsSeq) applySettings(view);
}

async function save(change: Partial<Settings>): Promise<void> {
  const seq = ++settingsSeq;
  try {
    const view = await uiRequest('settings/set', { settings: change });
    if (seq === settingsSeq) applySettings(view);
    announce(t('optionsSaved'));
  } catch (e) {
    showError(e);
    await refreshSettings().catch(() => undefined);
  }
}

function wireSettings(): void {
  for (const name of ['defaultSemantics', 'labelPolicy'] as const) {
    for (const r of radios(name)) {
      r.addEventListener('change', () => {
        if (r.checked) void save({ [name]: r.value } as Partial<Settings>);
      });
    }
  }
  const always = $<HTMLInputElement>('alwaysShowPicker');
  always.addEventListener('change', () => {
    void save({ alwaysShowPicker: always.checked });
  });
  const hardMute = $<HTMLInputElement>('hardMute');
  hardMute.addEventListener('change', () => {
    void save({ hardMute: hardMute.checked });
  });
  const shortcuts = $<HTMLInputElement>('shortcuts');
  shortcuts.addEventListener('change', () => {
    void save({ shortcuts: shortcuts.checked });
  });
  const mutedSpeechHint = $<HTMLInputElement>('mutedSpeechHint');
  mutedSpeechHint.addEventListener('change', () => {
    void save({ mutedSpeechHint: mutedSpeechHint.checked });
  });
  for (const name of PERSONAL_EFFECTS) {
    const box = $<HTMLInputElement>(name);
    box.addEventListener('change', () => {
      void save({ [name]: box.checked });
    });
  }
}

// ---- sites -------------------------------------------------------------------------------------

const dateFormat = new Intl.DateTimeFormat(browser.i18n.getUILanguage(), { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(browser.i18n.getUILanguage(), { dateStyle: 'full', timeStyle: 'short' });

function dateCell(time: number | undefined): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = 'date';
  if (time !== undefined) {
    const el = document.createElement('time');
    el.dateTime = new Date(time).toISOString();
    el.textContent = dateFormat.format(time);
    el.title = dateTimeFormat.format(time);
    td.append(el);
  }
  return td;
}

const times = (site: SiteRecord, field: 'created' | 'lastUsed') =>
  PERMISSION_KINDS.flatMap((k) => (site[k] ? [site[k]![field]] : []));

/** The origin as text with line-break opportunities after the scheme and before each dot and the port. */
function breakable(origin: string): Node[] {
  const nodes: Node[] = [];
  for (const part of origin.split(/(?<=:\/\/)|(?=\.)|(?=:\d)/)) {
    if (nodes.length) nodes.push(document.createElement('wbr'));
    nodes.push(document.createTextNode(part));
  }
  return nodes;
}

/** What should have focus after the table is drawn again. */
type FocusTarget = { origin: string; control: string } | { forgetIndex: number } | null;

function focusKey(el: Element | null): FocusTarget {
  if (!(el instanceof HTMLElement) || !el.closest('#sites') || !el.dataset.origin || !el.dataset.control) return null;
  return { origin: el.dataset.origin, control: el.dataset.control };
}

function renderSites(table: SiteTable, focus: FocusTarget): void {
  // By host name, as browsers list sites (http and https of one host side by side).
  const host = (o: string) => {
    try {
      return new URL(o).host;
    } catch {
      return o;
    }
  };
  const origins = Object.keys(table).sort((a, b) => host(a).localeCompare(host(b)) || a.localeCompare(b));
  const body = $<HTMLTableElement>('sites').tBodies[0]!;
  const rows: HTMLTableRowElement[] = [];
  origins.forEach((origin, i) => {
    const site = table[origin]!;
    const tr = document.createElement('tr');
    tr.dataset.origin = origin;
    const th = document.createElement('th');
    th.scope = 'row';
    th.id = `site-${i}`;
    th.append(...breakable(origin));
    tr.append(th);
    for (const kind of PERMISSION_KINDS) {
      const td = document.createElement('td');
      const select = document.createElement('select');
      select.id = `site-${i}-${kind}`;
      select.dataset.origin = origin;
      select.dataset.kind = kind;
      select.dataset.control = kind;
      select.setAttribute('aria-labelledby', `col-${kind} ${th.id}`);
      for (const d of DECISIONS) select.append(new Option(t(DECISION_TEXT[d]), d));
      select.value = site[kind]?.state ?? 'ask';
      select.addEventListener('change', () => {
        void setSite(origin, [kind], select.value as Decision, { origin, control: kind });
      });
      td.append(select);
      tr.append(td);
    }
    const created = times(site, 'created');
    const used = times(site, 'lastUsed');
    tr.append(
      dateCell(created.length ? Math.min(...created) : undefined),
      dateCell(used.length ? Math.max(...used) : undefined),
    );
    const td = document.createElement('td');
    const forget = document.createElement('button');
    forget.type = 'button';
    forget.id = `forget-${i}`;
    forget.className = 'forget';
    forget.dataset.origin = origin;
    forget.dataset.control = 'forget';
    forget.textContent = t('optionsForget');
    // "Forget https://example.com": the button says which site it forgets.
    forget.setAttribute('aria-labelledby', `${forget.id} ${th.id}`);
    forget.addEventListener('click', () => {
      void setSite(origin, [...PERMISSION_KINDS], 'ask', { forgetIndex: i });
    });
    td.append(forget);
    tr.append(td);
    rows.push(tr);
  });
  body.replaceChildren(...rows);
  $('sites-wrap').hidden = rows.length === 0;
  $('sites-empty').hidden = rows.length > 0;

  if (!focus) return;
  let target: HTMLElement | null = null;
  if ('forgetIndex' in focus) {
    const buttons = body.querySelectorAll<HTMLButtonElement>('button.forget');
    target = buttons[Math.min(focus.forgetIndex, buttons.length - 1)] ?? $('h-sites');
  } else {
    target =
      [...body.querySelectorAll<HTMLElement>('[data-control]')].find(
        (el) => el.dataset.origin === focus.origin && el.dataset.control === focus.control,
      ) ?? $('h-sites');
  }
  target.focus();
}

let sitesSeq = 0;
/** Asked for by the last change made here; kept when a storage event's refresh overtakes it. */
let wantedFocus: FocusTarget = null;
let drawn = '';
async function refreshSites(focus?: FocusTarget): Promise<void> {
  if (focus) wantedFocus = focus;
  const seq = ++sitesSeq;
  const table = await uiRequest('sites/list', {});
  if (seq !== sitesSeq) return;
  const json = JSON.stringify(table);
  // Unchanged (our own change seen again through storage.onChanged): keep the DOM, and an open select.
  if (json === drawn && !wantedFocus) return;
  drawn = json;
  const target = wantedFocus ?? focusKey(document.activeElement);
  wantedFocus = null;
  renderSites(table, target);
}

async function setSite(origin: string, kinds: PermissionKind[], state: Decision, focus: FocusTarget): Promise<void> {
  try {
    for (const kind of kinds) await uiRequest('sites/set', { origin, kind, state });
    announce(t(state === 'ask' && kinds.length > 1 ? 'optionsForgotten' : 'optionsSaved'));
  } catch (e) {
    showError(e);
  }
  await refreshSites(focus).catch(showError);
}

// ---- rules set by policy ------------------------------------------------------------------------

const POLICY_KIND_TEXT: Record<PolicyKind, string> = {
  camera: 'optionsPolicyCamera',
  microphone: 'optionsPolicyMicrophone',
  screen: 'optionsPolicyScreen',
};

async function refreshPolicy(): Promise<void> {
  const policy = await loadSitePolicy();
  const list = $('policy-rules');
  list.replaceChildren();
  for (const kind of POLICY_KINDS) {
    for (const which of ['block', 'allow'] as const) {
      const patterns = policy[kind][which];
      if (!patterns.length) continue;
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'rule-kind';
      name.textContent = t(POLICY_KIND_TEXT[kind]);
      li.append(name, ` ${t(which === 'block' ? 'optionsPolicyBlocked' : 'optionsPolicyAllowed')} `);
      patterns.forEach((p, i) => {
        const code = document.createElement('code');
        code.textContent = p;
        li.append(...(i ? [', ', code] : [code]));
      });
      list.append(li);
    }
  }
  const problems = await policyProblems();
  $('policy-problem-list').replaceChildren(
    ...problems.map((p) => {
      const li = document.createElement('li');
      const code = document.createElement('code');
      // The messages are the administrator's own entries, quoted in English (as in the browser's console).
      code.lang = 'en';
      code.textContent = p.replace(/^policy: /, '');
      li.append(code);
      return li;
    }),
  );
  $('policy-problems').hidden = !problems.length;
  $('policy-section').hidden = !hasSitePolicy(policy) && !problems.length;
}

// ---- start -------------------------------------------------------------------------------------

localize(document);
buildFeatures();
wireSettings();
watchScreenGrants();
// Other windows (the picker, another options tab) and policy updates change what this page shows.
browser.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed' || (area === 'local' && 'settings' in changes)) void refreshSettings().catch(() => undefined);
  if (area === 'managed') void refreshPolicy().catch(() => undefined);
  if (area === 'local' && 'sites' in changes) void refreshSites().catch(() => undefined);
});
Promise.all([refreshSettings(), refreshSites(), refreshPolicy()]).then(
  () => {
    document.body.dataset.ready = 'true';
  },
  (e: unknown) => {
    const problem = $('load-error');
    problem.textContent = t('optionsLoadFailed', e instanceof Error ? e.message : String(e));
    problem.hidden = false;
  },
);
