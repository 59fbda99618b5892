// When to make the next blurred frame without MediaStreamTrackProcessor: on each frame the <video>
// presents (requestVideoFrameCallback) while the page is visible; in a hidden page, where rVFC and
// timers are throttled to about once a second, from a timer in a worker, which is not.

import { addListener, nativeClearTimeout, nativeSetTimeout, now as nowMs, removeListener } from '../../chunk-natives';

const TIMER = 'let t=0;onmessage=(e)=>{clearInterval(t);if(e.data>0)t=setInterval(()=>postMessage(0),e.data)}';
let timerUrl: string | null = null;

type FrameVideo = HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };

/** Calls `onFrame` at the video's frame rate (at most `fps`); returns the function that stops it. */
export function videoFrames(video: FrameVideo, fps: number, onFrame: () => void): () => void {
  const interval = 1000 / fps;
  let stopped = false;
  let last = -Infinity;
  const tick = () => {
    if (stopped) return;
    const now = nowMs();
    // Both clocks may run around a visibility change: never twice for the same frame period.
    if (now - last < interval / 2) return;
    last = now;
    onFrame();
  };
  const rvfc = typeof video.requestVideoFrameCallback === 'function';
  const onVideo = () => {
    if (stopped) return;
    tick();
    video.requestVideoFrameCallback!(onVideo);
  };
  if (rvfc) video.requestVideoFrameCallback!(onVideo);

  let worker: Worker | null = null;
  let fallback = 0;
  // The window's interval, from the core's timeout (the page's setInterval would receive `tick`).
  const every = (): void => {
    fallback = nativeSetTimeout(() => {
      every();
      tick();
    }, interval);
  };
  const startTimer = () => {
    if (worker || fallback) return;
    try {
      timerUrl ??= URL.createObjectURL(new Blob([TIMER], { type: 'text/javascript' }));
      worker = new Worker(timerUrl);
      worker.onmessage = tick;
      // A page whose CSP forbids blob: workers: a throttled window timer is all there is.
      worker.onerror = () => {
        worker?.terminate();
        worker = null;
        every();
      };
      worker.postMessage(interval);
    } catch {
      every();
    }
  };
  const stopTimer = () => {
    worker?.terminate();
    worker = null;
    nativeClearTimeout(fallback);
    fallback = 0;
  };
  const onVisibility = () => {
    if (document.hidden || !rvfc) startTimer();
    else stopTimer();
  };
  addListener(document, 'visibilitychange', onVisibility);
  onVisibility();
  return () => {
    stopped = true;
    stopTimer();
    removeListener(document, 'visibilitychange', onVisibility);
  };
}
