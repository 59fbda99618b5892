// Transferable track cost: a 640x480@30 camera track posted to a worker, passed through
// MediaStreamTrackProcessor -> VideoTrackGenerator unchanged, and posted back to the page. Compares
// the frames the page gets with a clone of the source over the same window, and (Chromium, which has
// MediaStreamTrackProcessor in the page) the delay of each frame against the same frame of the source,
// both read by one loop each on the page's main thread.
import type { Page } from 'puppeteer-core';
import type { FixtureServer } from '../test/e2e/helpers/server';

export interface TransferResult {
  sourceFrames: number;
  deliveredFrames: number;
  latencyMs: number[];
}

const PAGE = '/transfer.html';
const WORKER = `
self.onmessage = async (e) => {
  const gen = new VideoTrackGenerator();
  postMessage({ track: gen.track }, [gen.track]);
  const reader = new MediaStreamTrackProcessor({ track: e.data.track }).readable.getReader();
  const writer = gen.writable.getWriter();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    await writer.write(value);
  }
};`;

export function serveTransfer(server: FixtureServer): void {
  server.route(PAGE, { body: '<!doctype html><title>transfer</title><body></body>' });
  server.route('/transfer-worker.js', { body: WORKER, type: 'text/javascript' });
}

export async function measureTransfer(page: Page, server: FixtureServer, seconds: number): Promise<TransferResult> {
  await page.goto(server.url(PAGE));
  await page.bringToFront();
  return page.evaluate(async (ms: number) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 30 } });
    const source = stream.getVideoTracks()[0]!;
    const reference = source.clone();
    const w = new Worker('/transfer-worker.js');
    const back = new Promise<MediaStreamTrack>((resolve) => {
      w.onmessage = (e) => resolve(e.data.track);
    });
    w.postMessage({ track: source }, [source]);
    const out = await back;
    const MSTP = (window as any).MediaStreamTrackProcessor;
    if (typeof MSTP === 'function') {
      // Chromium: read both in the page; frames keep their capture timestamp through the worker.
      const seen = [new Map<number, number>(), new Map<number, number>()];
      const delays: number[] = [];
      let counts = [0, 0];
      let on = true;
      const read = async (t: MediaStreamTrack, i: number) => {
        const reader = new MSTP({ track: t }).readable.getReader();
        while (on) {
          const { value, done } = await reader.read();
          if (done) return;
          const now = performance.now();
          counts[i]!++;
          // Either copy of a frame may be read first (one thread reads both).
          const other = seen[1 - i]!;
          if (other.has(value.timestamp)) {
            delays.push(i === 1 ? now - other.get(value.timestamp)! : other.get(value.timestamp)! - now);
            other.delete(value.timestamp);
          } else seen[i]!.set(value.timestamp, now);
          value.close();
        }
        reader.cancel();
      };
      const runs = [read(reference, 0), read(out, 1)];
      await new Promise((r) => setTimeout(r, 1000));
      counts = [0, 0];
      delays.length = 0;
      await new Promise((r) => setTimeout(r, ms));
      const result = { sourceFrames: counts[0]!, deliveredFrames: counts[1]!, latencyMs: delays.slice() };
      on = false;
      void runs;
      return result;
    }
    // Firefox: frames presented by two video elements.
    const play = async (t: MediaStreamTrack) => {
      const v = document.createElement('video');
      v.muted = true;
      v.srcObject = new MediaStream([t]);
      document.body.append(v);
      await v.play();
      return v;
    };
    const [a, b] = [await play(reference), await play(out)];
    await new Promise((r) => setTimeout(r, 1000));
    const count = (v: HTMLVideoElement) =>
      new Promise<number>((resolve) => {
        let n = 0;
        let on = true;
        const tick = () => {
          n++;
          if (on) v.requestVideoFrameCallback(tick);
        };
        v.requestVideoFrameCallback(tick);
        setTimeout(() => {
          on = false;
          resolve(n);
        }, ms);
      });
    const [sourceFrames, deliveredFrames] = await Promise.all([count(a), count(b)]);
    return { sourceFrames, deliveredFrames, latencyMs: [] };
  }, seconds * 1000);
}
