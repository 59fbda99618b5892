// Lazily loaded chunk (see ../index.ts). The call window: a compact picture-in-picture window with the call's video and the page's own
// mute / camera / leave handlers as buttons. Opened from a small MediaGate button shown on pages in a
// call (a click is the gesture Document PiP needs), automatically when Chromium offers
// `enterpictureinpicture` (tab hidden during capture), or from the toolbar popup (without a gesture:
// then as a mini-window inside the page). Everything MediaGate draws in the page lives in a closed
// shadow root.
import type { CallState } from '../../call-state';
import { announceChunk, type ChunkApi } from '../../chunk-api';
import type { PipCore } from '../index';
import { apply, addListener, promiseResolve, then, nativeSetTimeout, lazyGetter, sealed } from '../../chunk-natives';
import { renderControls, type Controls } from './controls';
import { adoptStyles } from '../../styles';

const createElement = Document.prototype.createElement;
const attachShadow = Element.prototype.attachShadow;
const appendChild = Node.prototype.appendChild;
const removeChild = Node.prototype.removeChild;
const querySelectorAll = Document.prototype.querySelectorAll;
const docElement = lazyGetter(Document.prototype, 'documentElement');
const srcObjectGet = lazyGetter(HTMLMediaElement.prototype, 'srcObject');
const pausedGet = lazyGetter(HTMLMediaElement.prototype, 'paused');
const getBoundingClientRect = Element.prototype.getBoundingClientRect;
const streamGetTracks = MediaStream.prototype.getTracks;
const dpip = (globalThis as { documentPictureInPicture?: { requestWindow(o: object): Promise<Window> } })
  .documentPictureInPicture;

const el = <K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K): HTMLElementTagNameMap[K] =>
  apply(createElement, doc, [tag]) as HTMLElementTagNameMap[K];

/** The stream to show: the largest playing remote video, else the local preview. */
function callVideo(calls: CallState): MediaStream | null {
  const videos = apply(querySelectorAll, document, ['video']) as NodeListOf<HTMLVideoElement>;
  let best: MediaStream | null = null;
  let bestScore = -1;
  for (let i = 0; i < videos.length; i++) {
    const v = videos[i]!;
    const stream = apply(srcObjectGet, v, []) as MediaStream | null;
    if (!(stream instanceof MediaStream)) continue;
    const tracks = apply(streamGetTracks, stream, []) as MediaStreamTrack[];
    let local = false;
    for (let j = 0; j < tracks.length; j++) if (calls.has(tracks[j])) local = true;
    const r = apply(getBoundingClientRect, v, []) as DOMRect;
    // Playing beats paused, remote beats the local preview, then the larger wins.
    const score = r.width * r.height + (local ? 0 : 1e9) + (apply(pausedGet, v, []) ? 0 : 2e9);
    if (score > bestScore) {
      best = stream;
      bestScore = score;
    }
  }
  return best;
}

function start({ calls, bridge, enabled, strings, feature }: ChunkApi): void {
  const core = feature as PipCore;
  const t = (key: string): string => strings[key] ?? key;
  let host: HTMLElement | null = null;
  let shadow: ShadowRoot | null = null;
  let open: Controls | null = null;

  const hardMute = () => bridge.currentConfig?.hardMute ?? false;

  function openWindow(gesture: boolean): Promise<void> {
    if (open) return promiseResolve(undefined);
    const stream = callVideo(calls);
    if (dpip && gesture) {
      return then(
        dpip.requestWindow({ width: 360, height: 300 }),
        (win) => {
          open = renderControls(win.document, calls, stream, hardMute, t, () => {
            win.close();
          });
          addListener(win, 'pagehide', () => {
            open?.dispose();
            open = null;
          });
        },
        () => openInPage(stream),
      );
    }
    return openInPage(stream);
  }

  // Sealed: it can be the answer of openWindow's then-callback, which resolving would otherwise hand
  // to the page's Promise.prototype.then.
  function openInPage(stream: MediaStream | null): Promise<void> {
    mountButton();
    if (!shadow) return sealed(promiseResolve(undefined));
    open = renderControls(shadow as unknown as Document, calls, stream, hardMute, t, () => {
      open?.dispose();
      open = null;
    });
    return sealed(promiseResolve(undefined));
  }

  function mountButton(): void {
    if (host) return;
    // A button left by an earlier MediaGate instance (Firefox re-injects after an update) goes.
    const stale = apply(querySelectorAll, document, ['[data-mediagate=call]']) as NodeListOf<Element>;
    for (let i = 0; i < stale.length; i++) stale[i]!.remove();
    host = el(document, 'div');
    host.setAttribute('data-mediagate', 'call');
    shadow = apply(attachShadow, host, [{ mode: 'closed' }]) as ShadowRoot;
    // !important: in the cascade, page rules for the host would otherwise beat :host rules.
    adoptStyles(
      shadow,
      `:host { all: initial !important; position: fixed !important; right: 16px !important; bottom: 16px !important; z-index: 2147483647 !important; }
button { width: 40px; height: 40px; border-radius: 20px; border: 0; background: #1a3fb0; color: #fff; font: 600 18px system-ui, sans-serif; cursor: pointer; box-shadow: 0 2px 6px rgba(0,0,0,.4); }
button:focus-visible { outline: 2px solid #8ab4f8; outline-offset: 2px; }
svg { width: 22px; height: 22px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linejoin: round; vertical-align: middle; }`,
    );
    const button = el(document, 'button');
    button.setAttribute('type', 'button');
    button.setAttribute('aria-label', t('pipOpenButton'));
    button.setAttribute('title', t('pipOpenTitle'));
    // A drawn icon: a glyph such as ⧉ is missing from many systems' fonts (it showed as a box).
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', 'M3 5h18v14H3zM12 11h7v6h-7z');
    svg.append(path);
    button.append(svg);
    addListener(button, 'click', (e) => {
      // isTrusted is an unforgeable own property of each event: pages cannot open it for the person.
      if (!e.isTrusted) return;
      void openWindow(true);
    });
    apply(appendChild, shadow, [button]);
    apply(appendChild, apply(docElement, document, []), [host]);
  }

  function unmountButton(): void {
    if (!host) return;
    const parent = host.parentNode;
    if (parent) apply(removeChild, parent, [host]);
    host = null;
    shadow = null;
  }

  // Chromium fires enterpictureinpicture (no gesture needed) when a capturing tab is hidden. Only
  // offered while in a call and only if the page has no handler of its own.
  let autoRegistered = false;
  const autoPip = () => {
    void openWindow(true);
  };
  const syncAutoPip = () => {
    const want = calls.live && !calls.hasAction('enterpictureinpicture');
    if (want === autoRegistered) return;
    try {
      core.setNativeActionHandler('enterpictureinpicture', want ? autoPip : null);
      autoRegistered = want;
    } catch {
      autoRegistered = false; // the browser has no such action (Firefox)
    }
  };

  const sync = () => {
    if (!enabled()) return;
    if (calls.live) mountButton();
    else if (!open) unmountButton();
    syncAutoPip();
  };
  // Not inside the page's own getUserMedia resolution (CallState runs listeners synchronously):
  // drawing the button then would delay the page's await. A brief stop and restart of the tracks
  // (a device switch) does not make the button flicker either.
  let timer = 0;
  calls.onChange(() => {
    if (timer) return;
    timer = nativeSetTimeout(
      () => {
        timer = 0;
        sync();
      },
      calls.live ? 0 : 500,
    );
  });
  sync();
  core.onOpen = (gesture) => {
    void openWindow(gesture);
  };
  if (core.openRequested) void openWindow(false);
}

announceChunk('call-window', start);
