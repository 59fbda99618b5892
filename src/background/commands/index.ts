// Keyboard shortcuts (manifest "commands"; global in Chromium). They act on the call in the tab the
// person used most recently.
import browser from 'webextension-polyfill';
import { performAction } from '../calls/actions';
import { allCalls, stopTab } from '../calls';
import { COMMANDS, type CommandName, type CallRecord, type MediaSessionAction } from '../../shared/protocol';
import { loadEffectiveSettings, watchSettings } from '../../shared/storage';
import { syncShortcutKeys } from './key-release';

const ACTIONS: Record<Exclude<CommandName, 'focus-call' | 'stop-capture'>, MediaSessionAction> = {
  'toggle-microphone': 'togglemicrophone',
  'toggle-camera': 'togglecamera',
  'leave-call': 'hangup',
};

/** The call of the most recently used tab (tab.lastAccessed), the top frame first. */
async function currentCall(): Promise<CallRecord | null> {
  const calls = await allCalls();
  if (!calls.length) return null;
  const tabs = await Promise.all(calls.map((c) => browser.tabs.get(c.tabId).catch(() => null)));
  let best: CallRecord | null = null;
  let bestScore = -Infinity;
  calls.forEach((call, i) => {
    const score = (tabs[i]?.lastAccessed ?? 0) * 2 + (call.frameId === 0 ? 1 : 0);
    if (score > bestScore) {
      best = call;
      bestScore = score;
    }
  });
  return best;
}

/** A shortcut pressed (or the toolbar's test hook): nothing happens while the person or policy has them off. */
export async function runCommand(command: CommandName): Promise<boolean> {
  if (!(await loadEffectiveSettings()).shortcuts) return false;
  const call = await currentCall();
  if (!call) return false;
  if (command === 'focus-call') {
    const tab = await browser.tabs.update(call.tabId, { active: true });
    if (tab?.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true });
    return true;
  }
  // No default key (Chromium suggests at most four): the person assigns one in the browser's shortcut settings.
  if (command === 'stop-capture') return stopTab(call.tabId);
  return performAction(call, ACTIONS[command]);
}

export function watchCommands(): void {
  browser.commands?.onCommand.addListener((command: string) => {
    if ((COMMANDS as readonly string[]).includes(command)) void runCommand(command as CommandName);
  });
  watchSettings(() => {
    void syncShortcutKeys();
  });
  void syncShortcutKeys();
}
