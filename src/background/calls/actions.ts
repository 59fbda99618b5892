// Acting on a call: MediaGate's buttons and shortcuts invoke the page's own Media Session handlers;
// with "guarantee mute" on, muting also disables the captured tracks even if the page ignores it.
import browser from 'webextension-polyfill';
import type { CallRecord, MediaSessionAction, PushEnvelope } from '../../shared/protocol';
import { loadEffectiveSettings } from '../../shared/storage';

import { micOn } from '../../shared/call-view';

async function push<K extends 'media-session/invoke' | 'call-detection/set-enabled'>(
  call: CallRecord,
  type: K,
  payload: PushEnvelope<K>['payload'],
): Promise<void> {
  await browser.tabs.sendMessage(call.tabId, { channel: 'push', type, payload }, { frameId: call.frameId });
}

/** Returns whether anything happened (a handler ran or tracks changed). */
export async function performAction(call: CallRecord, action: MediaSessionAction): Promise<boolean> {
  const handled = call.actions.includes(action);
  let forced = false;
  if (action === 'togglemicrophone' && (await loadEffectiveSettings()).hardMute) {
    const on = micOn(call);
    if (on !== undefined) {
      await push(call, 'call-detection/set-enabled', { kind: 'audio', enabled: !on });
      forced = true;
    }
  }
  if (handled) await push(call, 'media-session/invoke', { action });
  return handled || forced;
}
