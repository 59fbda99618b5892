// MediaGate's segmenter page (src/segmenter) in a hidden frame of this document: the blur's model runs
// there, never in the page's realm, whatever the page's CSP. Made here because the page's CSP governs
// neither frames a content script adds nor an extension page's code (verified in Chromium 156 and Firefox 153 with `default-src 'self'`). The
// frame sits in a closed shadow root, so page scripts cannot reach it through the DOM.
import { ext as browser } from '../shared/ext';
import { SEGMENTER_PROTOCOL } from '../shared/segmenter';

const FRAME_PATH = 'segmenter/segmenter.html';
const LOAD_TIMEOUT_MS = 15000;

let frame: Promise<Window> | null = null;

function openFrame(): Promise<Window> {
  const opening = new Promise<Window>((resolve, reject) => {
    const host = document.createElement('div');
    host.style.setProperty('display', 'none', 'important');
    const iframe = document.createElement('iframe');
    iframe.src = browser.runtime.getURL(FRAME_PATH);
    const timer = setTimeout(() => {
      host.remove();
      reject(new Error("MediaGate's segmenter frame did not load"));
    }, LOAD_TIMEOUT_MS);
    iframe.addEventListener(
      'load',
      () => {
        clearTimeout(timer);
        if (iframe.contentWindow) resolve(iframe.contentWindow);
        else reject(new Error('segmenter frame removed'));
      },
      { once: true },
    );
    host.attachShadow({ mode: 'closed' }).append(iframe);
    (document.body ?? document.documentElement).append(host);
  });
  opening.catch(() => {
    if (frame === opening) frame = null;
  });
  return opening;
}

/** Firefox: the content script's wrapper of a removed frame's window is dead, and touching it throws. */
function gone(win: Window): boolean {
  try {
    return win.closed;
  } catch {
    return true;
  }
}

/** A new port to the frame's segmenter (one per blurred track). */
export async function segmenterPort(): Promise<MessagePort> {
  frame ??= openFrame();
  let win = await frame;
  // The page may have removed the host (e.g. replaced the body): make the frame again.
  if (gone(win)) {
    frame = openFrame();
    win = await frame;
  }
  const channel = new MessageChannel();
  // Only to MediaGate's own page: a frame the page navigated elsewhere gets nothing.
  win.postMessage({ protocol: SEGMENTER_PROTOCOL }, browser.runtime.getURL('').replace(/\/$/, ''), [channel.port1]);
  return channel.port2;
}
