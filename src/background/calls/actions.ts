// Acting on a call. Where the page registered a Media Session handler, MediaGate's buttons and
// shortcuts run it (and with "guarantee mute" on, muting also disables the captured tracks even if the
// page ignores it). Where it did not, MediaGate acts itself, as the user agent: it mutes the tracks (the
// page sees `muted` and a `mute` event), and "leave" stops the capture.
import browser from 'webextension-polyfill';
import type { CallRecord, MediaSessionAction, PushEnvelope } from '../../shared/protocol';
import { loadEffectiveSettings } from '../../shared/storage';

import { cameraOn, micOn } from '../../shared/call-view';

type CallPush =
  'media-session/invoke' | 'call-detection/set-enabled' | 'call-detection/hold' | 'call-detection/stop-all';

async function push<K extends CallPush>(call: CallRecord, type: K, payload: PushEnvelope<K>['payload']): Promise<void> {
  await browser.tabs.sendMessage(call.tabId, { channel: 'push', type, payload }, { frameId: call.frameId });
}

/** MediaGate's own mute for a kind: toggles its hold; a kind the page switched off itself is switched on. */
async function toggleKind(call: CallRecord, kind: 'audio' | 'video'): Promise<boolean> {
  const tracks = call.tracks.filter((t) => t.kind === kind);
  if (!tracks.length) return false;
  const held = tracks.some((t) => t.held);
  const on = kind === 'audio' ? micOn(call) : cameraOn(call);
  if (held || on) await push(call, 'call-detection/hold', { kind, held: !held });
  else await push(call, 'call-detection/set-enabled', { kind, enabled: true });
  return true;
}

export async function stopCapture(call: CallRecord): Promise<boolean> {
  if (!call.tracks.length) return false;
  await push(call, 'call-detection/stop-all', {});
  return true;
}

/** Returns whether anything happened (a handler ran or tracks changed). */
export async function performAction(call: CallRecord, action: MediaSessionAction): Promise<boolean> {
  const handled = call.actions.includes(action);
  if (!handled) {
    if (action === 'togglemicrophone') return toggleKind(call, 'audio');
    if (action === 'togglecamera') return toggleKind(call, 'video');
    if (action === 'hangup') return stopCapture(call);
    return false;
  }
  if (action === 'togglemicrophone' && (await loadEffectiveSettings()).hardMute) {
    const on = micOn(call);
    if (on !== undefined) await push(call, 'call-detection/set-enabled', { kind: 'audio', enabled: !on });
  }
  await push(call, 'media-session/invoke', { action });
  return true;
}
