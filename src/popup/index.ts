// Toolbar popup: the tabs in a call, with their state and the actions they registered.
import browser from 'webextension-polyfill';
import { uiRequest } from '../shared/ui-client';
import { localize, t } from '../shared/i18n';
import type { CallRecord, MediaSessionAction, ScreenSharing, ScreenSource } from '../shared/protocol';
import { micOn, cameraOn } from '../shared/call-view';

const BUTTONS: { action: MediaSessionAction; label: string; className?: string }[] = [
  { action: 'togglemicrophone', label: 'actionTogglemicrophone' },
  { action: 'togglecamera', label: 'actionTogglecamera' },
  { action: 'hangup', label: 'actionHangup', className: 'hangup' },
];

const SHARING_TEXT: Record<ScreenSource, string> = {
  screen: 'popupSharingScreen', window: 'popupSharingWindow', application: 'popupSharingWindow', browser: 'popupSharingTab',
};

function describe(call: CallRecord, sharing: ScreenSharing | undefined): string {
  const mic = micOn(call);
  const cam = cameraOn(call);
  const parts: string[] = sharing ? [t(SHARING_TEXT[sharing.source])] : [];
  if (mic !== undefined) parts.push(t(mic ? 'popupMicOn' : 'popupMicOff'));
  if (cam !== undefined) parts.push(t(cam ? 'popupCamOn' : 'popupCamOff'));
  return parts.join(' · ');
}

function button(label: string, onClick: () => void, className?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

async function render(): Promise<void> {
  const [calls, shared] = await Promise.all([uiRequest('calls/list', {}), uiRequest('screen-capture/list', {}).catch(() => [])]);
  const list = document.getElementById('calls')!;
  list.replaceChildren();
  document.getElementById('empty')!.hidden = calls.length > 0;
  for (const call of calls) {
    const li = document.createElement('li');
    const origin = document.createElement('div');
    origin.className = 'origin';
    origin.textContent = call.origin;
    const state = document.createElement('div');
    state.className = 'state';
    const sharing = shared.find((s) => s.tabId === call.tabId && s.frameId === call.frameId);
    state.textContent = describe(call, sharing);
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    for (const { action, label, className } of BUTTONS) {
      if (!call.actions.includes(action)) continue;
      buttons.append(button(t(label), () => {
        void uiRequest('calls/invoke', { tabId: call.tabId, frameId: call.frameId, action }).then(render);
      }, className));
    }
    if (sharing) {
      buttons.append(button(t('popupStopSharing'), () => {
        // The page reports its ended tracks a moment later; render again once it has.
        void uiRequest('screen-capture/stop', { tabId: call.tabId, frameId: call.frameId }).then(() => setTimeout(() => { void render(); }, 300));
      }, 'hangup'));
    }
    if (call.frameId === 0 && call.tracks.length) {
      buttons.append(button(t('popupCallWindow'), () => { void uiRequest('calls/pip', { tabId: call.tabId }); }));
    }
    buttons.append(button(t('popupSwitchToTab'), () => {
      void browser.tabs.update(call.tabId, { active: true });
    }));
    li.append(origin, state, buttons);
    list.append(li);
  }
}

localize(document);
void render();
