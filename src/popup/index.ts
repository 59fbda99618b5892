// Toolbar popup: the tabs in a call, with their state and the actions they registered.
import browser from 'webextension-polyfill';
import { uiRequest } from '../shared/ui-client';
import { localize, t } from '../shared/i18n';
import type { CallRecord, MediaSessionAction, ScreenSharing, ScreenSource } from '../shared/protocol';
import { micOn, cameraOn } from '../shared/call-view';
import { morphChildren } from './morph';
import type { Settings } from '../shared/settings';

/**
 * Mute and camera for every call: the page's own handler where it registered one, else MediaGate
 * mutes the tracks itself (background/calls/actions.ts). The label says what a press does.
 */
const BUTTONS: {
  action: MediaSessionAction;
  kind?: 'audio' | 'video';
  label: (call: CallRecord) => string;
  className?: string;
}[] = [
  { action: 'togglemicrophone', kind: 'audio', label: (c) => (micOn(c) === false ? 'pipUnmute' : 'pipMute') },
  { action: 'togglecamera', kind: 'video', label: (c) => (cameraOn(c) === false ? 'pipCameraOn' : 'pipCameraOff') },
  { action: 'hangup', label: () => 'actionHangup', className: 'hangup' },
];

const heldKind = (call: CallRecord, kind: 'audio' | 'video') => call.tracks.some((tr) => tr.kind === kind && tr.held);

const SHARING_TEXT: Record<ScreenSource, string> = {
  screen: 'popupSharingScreen',
  window: 'popupSharingWindow',
  application: 'popupSharingWindow',
  browser: 'popupSharingTab',
};

function describe(call: CallRecord, sharing: ScreenSharing | undefined): string {
  const mic = micOn(call);
  const cam = cameraOn(call);
  const parts: string[] = sharing ? [t(SHARING_TEXT[sharing.source])] : [];
  // MediaGate heard the person while muted: first, since the Unmute button is what they need.
  if (call.talkingWhileMuted) parts.push(t('popupTalkingMuted'));
  // "by MediaGate": the site did not mute, MediaGate did (the site has no handler to run).
  if (heldKind(call, 'audio')) parts.push(t('popupMicHeld'));
  else if (mic !== undefined) parts.push(t(mic ? 'popupMicOn' : 'popupMicOff'));
  if (heldKind(call, 'video')) parts.push(t('popupCamHeld'));
  else if (cam !== undefined) parts.push(t(cam ? 'popupCamOn' : 'popupCamOff'));
  return parts.join(' · ');
}

/** The person's switches for the effects MediaGate runs on the call's tracks (only where it runs them). */
const EFFECTS: { kind: 'audio' | 'video'; label: string; forced: 'forceBackgroundBlur' | 'forceVoiceIsolation' }[] = [
  { kind: 'video', label: 'effectBlurBackground', forced: 'forceBackgroundBlur' },
  { kind: 'audio', label: 'effectVoiceIsolation', forced: 'forceVoiceIsolation' },
];

function effectToggles(call: CallRecord, settings: Settings | null): HTMLElement | null {
  const row = document.createElement('div');
  row.className = 'effects';
  for (const { kind, label, forced } of EFFECTS) {
    const tracks = call.tracks.filter((tr) => tr.kind === kind && tr.effect !== undefined);
    if (!tracks.length) continue;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.setAttribute('role', 'switch');
    box.checked = tracks.some((tr) => tr.effect);
    box.dataset.effect = kind;
    box.dataset.key = `${call.tabId}:${call.frameId}:effect-${kind}`;
    // Forced on by the organisation: shown, but not the person's to switch off.
    const locked = settings?.[forced] === true;
    box.disabled = locked;
    box.addEventListener('change', () => {
      // The switch shows the person's choice at once; the page reports the real state with its next
      // snapshot, which the next render shows.
      void uiRequest('calls/effect', { tabId: call.tabId, frameId: call.frameId, kind, on: box.checked }).then(() =>
        setTimeout(refresh, 500),
      );
    });
    const text = document.createElement('label');
    text.append(box, t(label));
    if (locked) {
      const note = document.createElement('span');
      note.className = 'pinned';
      note.textContent = t('optionsPinned');
      text.append(note);
    }
    row.append(text);
  }
  return row.childElementCount ? row : null;
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
  const [calls, shared, settings] = await Promise.all([
    uiRequest('calls/list', {}),
    uiRequest('screen-capture/list', {}).catch(() => []),
    uiRequest('settings/get', {}).then(
      (s) => s.effective,
      () => null,
    ),
  ]);
  const list = document.getElementById('calls')!;
  document.getElementById('empty')!.hidden = calls.length > 0;
  const items: HTMLLIElement[] = [];
  for (const call of calls) {
    const li = document.createElement('li');
    li.dataset.key = `${call.tabId}:${call.frameId}`;
    const origin = document.createElement('div');
    origin.className = 'origin';
    origin.textContent = call.origin;
    const state = document.createElement('div');
    state.className = 'state';
    const sharing = shared.find((s) => s.tabId === call.tabId && s.frameId === call.frameId);
    state.textContent = describe(call, sharing);
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    for (const { action, kind, label, className } of BUTTONS) {
      if (!call.actions.includes(action) && !(kind && call.tracks.some((tr) => tr.kind === kind))) continue;
      const b = button(
        t(label(call)),
        () => {
          void uiRequest('calls/invoke', { tabId: call.tabId, frameId: call.frameId, action }).then(refresh);
        },
        className,
      );
      // Keyed by what it does, not its label: "Mute" becoming "Unmute" keeps the person's focus.
      b.dataset.action = action;
      buttons.append(b);
    }
    if (sharing) {
      buttons.append(
        button(
          t('popupStopSharing'),
          () => {
            // The page reports its ended tracks a moment later; render again once it has.
            void uiRequest('screen-capture/stop', { tabId: call.tabId, frameId: call.frameId }).then(() =>
              setTimeout(refresh, 300),
            );
          },
          'hangup',
        ),
      );
    }
    if (call.tracks.length) {
      buttons.append(
        button(
          t('callStopCapture'),
          () => {
            void uiRequest('calls/stop', { tabId: call.tabId }).then(() => setTimeout(refresh, 300));
          },
          'hangup',
        ),
      );
    }
    if (call.frameId === 0 && call.tracks.length) {
      buttons.append(
        button(t('popupCallWindow'), () => {
          void uiRequest('calls/call-window', { tabId: call.tabId });
        }),
      );
    }
    buttons.append(
      button(t('popupSwitchToTab'), () => {
        void browser.tabs.update(call.tabId, { active: true });
      }),
    );
    for (const b of buttons.querySelectorAll('button'))
      b.dataset.key = `${call.tabId}:${call.frameId}:${b.dataset.action ?? b.textContent}`;
    li.append(origin, state, buttons);
    const effects = effectToggles(call, settings);
    if (effects) li.append(effects);
    items.push(li);
  }
  // In place: what the person is focused on or about to click stays the same node.
  morphChildren(list, items);
}

/**
 * Renders again when calls or shares change while the popup is open; renders never overlap. A render
 * that failed (the background was starting or restarting) is tried again, a few times.
 */
let rendering: Promise<void> | null = null;
let again = false;
let failures = 0;
function refresh(): void {
  if (rendering) {
    again = true;
    return;
  }
  rendering = render()
    .then(
      () => {
        failures = 0;
      },
      () => {
        if (++failures <= 5) setTimeout(refresh, 100 * 2 ** failures);
      },
    )
    .finally(() => {
      rendering = null;
      if (again) {
        again = false;
        refresh();
      }
    });
}

localize(document);
refresh();
browser.storage.onChanged.addListener((changes, area) => {
  if (area === 'session' && ('calls' in changes || 'screenSharing' in changes)) refresh();
});
