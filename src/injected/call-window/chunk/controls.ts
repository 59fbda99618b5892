// The call window's content: the call video and one button per conferencing action the page
// registered. Labels follow the page's reported state synchronously (CallState.onChange), so a
// setMicrophoneActive() shows within the same frame.
import type { CallState } from '../../call-state';
import { addListener, every, push } from '../../chunk-natives';
import { adoptStyles } from '../../styles';
import type { MediaSessionAction } from '../../../shared/page-constants';

export interface Controls {
  dispose(): void;
}

interface ButtonSpec {
  action: MediaSessionAction | 'stop';
  /** The kind MediaGate mutes itself where the page has no handler for the action. */
  kind?: 'audio' | 'video';
  /** Whether the button reads as "pressed" (muted, camera off), and the message names per state. */
  pressed: (calls: CallState) => boolean;
  labels: [unpressed: string, pressed: string];
  danger?: boolean;
}

const SPECS: ButtonSpec[] = [
  {
    action: 'togglemicrophone',
    kind: 'audio',
    pressed: (c) => c.isOn('audio') === false,
    labels: ['pipMute', 'pipUnmute'],
  },
  {
    action: 'togglecamera',
    kind: 'video',
    pressed: (c) => c.isOn('video') === false,
    labels: ['pipCameraOff', 'pipCameraOn'],
  },
  { action: 'togglescreenshare', pressed: (c) => c.sharingScreen(), labels: ['pipShare', 'pipStopShare'] },
  { action: 'hangup', pressed: () => false, labels: ['pipLeave', 'pipLeave'], danger: true },
  { action: 'stop', pressed: () => false, labels: ['callStopCapture', 'callStopCapture'], danger: true },
];

/** Whether a button shows: the page's own action, or for mute/camera/stop, tracks MediaGate can act on. */
function shown(spec: ButtonSpec, calls: CallState): boolean {
  if (spec.action === 'stop') return calls.live;
  if (calls.hasAction(spec.action)) return true;
  return !!spec.kind && calls.liveTracks(spec.kind).length > 0;
}

/** As the background does for the popup and shortcuts (background/calls/actions.ts). */
function press(spec: ButtonSpec, calls: CallState, hardMute: boolean): void {
  if (spec.action === 'stop') return calls.stopAll();
  if (calls.hasAction(spec.action)) {
    if (spec.action === 'togglemicrophone' && hardMute) {
      const on = calls.isOn('audio');
      if (on !== undefined) calls.setTracksEnabled('audio', !on);
    }
    calls.invoke(spec.action);
    return;
  }
  if (!spec.kind) return;
  const held = calls.isHeld(spec.kind);
  if (held || calls.isOn(spec.kind)) calls.hold(spec.kind, !held);
  else calls.setTracksEnabled(spec.kind, true);
}

/** The person's switches for the effects MediaGate runs on this call's tracks (shown only where it runs them). */
const EFFECTS: { kind: 'audio' | 'video'; label: string }[] = [
  { kind: 'video', label: 'effectBlurBackground' },
  { kind: 'audio', label: 'effectVoiceIsolation' },
];

const STYLE = `
:host, body { margin: 0; }
.mg-call { font: 13px/1.3 system-ui, sans-serif; color: #e8eaed; background: #202124; display: flex; flex-direction: column;
  gap: 8px; padding: 8px; box-sizing: border-box; min-width: 240px; }
.mg-inpage { position: fixed; right: 16px; bottom: 64px; width: 300px; border-radius: 12px; box-shadow: 0 4px 16px rgba(0,0,0,.5); }
.mg-doc { width: 100vw; height: 100vh; }
video { width: 100%; flex: 1; min-height: 0; background: #000; border-radius: 8px; object-fit: cover; }
.mg-bar { display: flex; gap: 6px; flex-wrap: wrap; justify-content: center; }
.mg-bar[hidden] { display: none; }
.mg-talking { margin: 0; padding: 6px 10px; border-radius: 8px; background: #fdd663; color: #202124; font-weight: 600; text-align: center; }
.mg-talking[hidden] { display: none; }
button { font: inherit; padding: 7px 12px; border-radius: 18px; border: 0; background: #3c4043; color: #e8eaed; cursor: pointer; }
button[aria-pressed="true"] { background: #f28b82; color: #202124; }
button.mg-danger { background: #d93025; color: #fff; }
button.mg-effect[aria-pressed="true"] { background: #8ab4f8; color: #202124; }
button:focus-visible { outline: 2px solid #8ab4f8; outline-offset: 2px; }
button:disabled { cursor: default; opacity: .75; }
`;

/** `root` is the PiP window's document, or the closed shadow root of the in-page mini-window. */
export function renderControls(
  root: Document | ShadowRoot,
  calls: CallState,
  stream: MediaStream | null,
  hardMute: () => boolean,
  t: (key: string) => string,
  close: () => void,
): Controls {
  // The PiP window's document belongs to another realm: instanceof Document would be false.
  const inDocument = root.nodeType === 9;
  const doc = inDocument ? (root as Document) : (root as ShadowRoot).ownerDocument;
  const make = <K extends keyof HTMLElementTagNameMap>(tag: K) => doc.createElement(tag);
  const box = make('div');
  box.className = `mg-call ${inDocument ? 'mg-doc' : 'mg-inpage'}`;
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', t('pipRegion'));
  if (stream) {
    const video = make('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = stream;
    box.append(video);
  }
  // "You are muted": shown while MediaGate hears the person talk with the microphone muted (polite
  // live region, so a screen reader says it once); the Unmute button below is the one click away.
  const talking = make('p');
  talking.className = 'mg-talking';
  talking.setAttribute('role', 'status');
  talking.hidden = true;
  box.append(talking);
  const bar = make('div');
  bar.className = 'mg-bar';
  box.append(bar);
  // Index loops: SPECS holds functions, and a page-replaced Array.prototype.map would receive them.
  const buttons: { spec: ButtonSpec; b: HTMLButtonElement }[] = [];
  for (let i = 0; i < SPECS.length; i++) {
    const spec = SPECS[i]!;
    const b = make('button');
    b.type = 'button';
    if (spec.danger) b.className = 'mg-danger';
    addListener(b, 'click', () => {
      press(spec, calls, hardMute());
      if (spec.action === 'hangup' || spec.action === 'stop') close();
    });
    bar.append(b);
    push(buttons, { spec, b });
  }
  const effectBar = make('div');
  effectBar.className = 'mg-bar';
  box.append(effectBar);
  const effects: { kind: 'audio' | 'video'; b: HTMLButtonElement }[] = [];
  for (let i = 0; i < EFFECTS.length; i++) {
    const { kind, label } = EFFECTS[i]!;
    const b = make('button');
    b.type = 'button';
    b.className = 'mg-effect';
    b.textContent = t(label);
    addListener(b, 'click', () => {
      const on = calls.effects?.on(kind);
      if (on !== undefined) calls.effects!.set(kind, !on);
    });
    effectBar.append(b);
    push(effects, { kind, b });
  }
  const update = () => {
    talking.hidden = !calls.talkingWhileMuted;
    const text = calls.talkingWhileMuted ? t('callTalkingMuted') : '';
    if (talking.textContent !== text) talking.textContent = text;
    for (let i = 0; i < effects.length; i++) {
      const { kind, b } = effects[i]!;
      const on = calls.effects?.on(kind);
      b.hidden = on === undefined;
      b.setAttribute('aria-pressed', String(on === true));
      // Forced on by the organisation: not the person's to switch off.
      b.disabled = !!calls.effects?.locked(kind);
      b.title = b.disabled ? t('optionsPinned') : '';
    }
    effectBar.hidden = every(effects, ({ b }) => b.hidden);
    for (let i = 0; i < buttons.length; i++) {
      const { spec, b } = buttons[i]!;
      b.hidden = !shown(spec, calls);
      const pressed = spec.pressed(calls);
      const label = t(spec.labels[pressed ? 1 : 0]);
      if (b.textContent !== label) b.textContent = label;
      b.setAttribute('aria-label', label);
      // Pressed: muted, camera off, or sharing the screen.
      if (spec.action !== 'hangup' && spec.action !== 'stop') b.setAttribute('aria-pressed', String(pressed));
      b.title = spec.kind && calls.isHeld(spec.kind) ? t('callHeldByMediaGate') : '';
    }
  };
  update();
  const unsubscribe = calls.onChange(update);
  let removeStyles: () => void;
  if (inDocument) {
    doc.title = t('pipRegion');
    removeStyles = adoptStyles(doc, STYLE);
    doc.body.append(box);
  } else {
    removeStyles = adoptStyles(root, STYLE);
    (root as ShadowRoot).append(box);
  }
  return {
    dispose() {
      unsubscribe();
      box.remove();
      removeStyles();
    },
  };
}
