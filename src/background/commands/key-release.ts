// With the shortcuts switched off, Firefox gets its keys back for pages: each assigned shortcut is cleared
// (commands.update with an empty shortcut) and remembered, and put back when they are switched on again.
// Chromium has no commands.update; there the keys stay assigned and the handler ignores them.
import browser from 'webextension-polyfill';
import { loadEffectiveSettings } from '../../shared/storage';
import { COMMANDS } from '../../shared/protocol';
import { isRecord } from '../../shared/validate';

const RELEASED_KEY = 'releasedShortcuts';

type Released = Record<string, string>;

async function readReleased(): Promise<Released> {
  const raw: unknown = (await browser.storage.local.get(RELEASED_KEY))[RELEASED_KEY];
  if (!isRecord(raw)) return {};
  // Only what we could have written: known command names with a non-empty shortcut string.
  const kept = Object.entries(raw).filter(
    (e): e is [string, string] =>
      (COMMANDS as readonly string[]).includes(e[0]) && typeof e[1] === 'string' && e[1] !== '',
  );
  return Object.fromEntries(kept);
}

async function release(): Promise<void> {
  const released = await readReleased();
  for (const command of await browser.commands.getAll()) {
    if (!command.name || !command.shortcut) continue;
    released[command.name] = command.shortcut;
    // Saved before clearing: a worker stopped in between loses no key.
    await browser.storage.local.set({ [RELEASED_KEY]: released });
    await browser.commands.update({ name: command.name, shortcut: '' });
  }
}

async function restore(): Promise<void> {
  const released = await readReleased();
  if (!Object.keys(released).length) return;
  const current = new Map((await browser.commands.getAll()).map((c) => [c.name, c.shortcut ?? '']));
  for (const [name, shortcut] of Object.entries(released)) {
    // A key the person assigned meanwhile (about:addons) is theirs to keep.
    if (current.get(name) === '') {
      await browser.commands
        .update({ name, shortcut })
        .catch((e: unknown) => console.warn(`MediaGate: shortcut ${shortcut} for ${name} not restored:`, e));
    }
  }
  await browser.storage.local.remove(RELEASED_KEY);
}

let chain: Promise<void> = Promise.resolve();

/** Brings the browser's key assignments in line with the setting (serially: settings may change quickly). */
export function syncShortcutKeys(): Promise<void> {
  if (typeof browser.commands?.update !== 'function') return Promise.resolve();
  chain = chain
    .then(async () => {
      const { shortcuts } = await loadEffectiveSettings();
      await (shortcuts ? restore() : release());
    })
    .catch((e: unknown) => console.warn('MediaGate: shortcut keys not synced:', e));
  return chain;
}
