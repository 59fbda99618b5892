// Toolbar popup: the tabs in a call, with their state and the actions they registered.
import browser from 'webextension-polyfill';
import { uiRequest } from '../shared/ui-client';
import { localize, t } from '../shared/i18n';
import type { CallRecord, MediaSessionAction } from '../shared/protocol';
import { micOn, cameraOn } from '../shared/call-view';

const BUTTONS: { action: MediaSessionAction; label: string; className?: string }[] = [
  { action: 'togglemicrophone', label: 'actionTogglemicrophone' },
  { action: 'togglecamera', label: 'actionTogglecamera' },
  { action: 'hangup', label: 'actionHangup', className: 'hangup' },
];

function describe(call: CallRecord): string {
  const mic = micOn(call);
  const cam = cameraOn(call);
  const parts: string[] = [];
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
  const calls = await uiRequest('calls/list', {});
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
    state.textContent = describe(call);
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    for (const { action, label, className } of BUTTONS) {
      if (!call.actions.includes(action)) continue;
      buttons.append(button(t(label), () => {
        void uiRequest('calls/invoke', { tabId: call.tabId, frameId: call.frameId, action }).then(render);
      }, className));
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
