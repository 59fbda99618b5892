// Background blur throughput and latency: the fake camera at 30 fps through MediaGate's blur, in the
// page as a site sees it. Chromium (headless): a second, unprocessed track of the same camera is read
// alongside the blurred one (both with MediaStreamTrackProcessor); frames delivered = blurred frames
// / camera frames over the same seconds, per-frame latency = arrival of a blurred frame - arrival of
// the camera frame with the same timestamp. Firefox (headful on a private Xvfb: the segmenter needs
// WebGL): both tracks play in <video> elements and requestVideoFrameCallback's presentedFrames
// counts what each presents; the canvas-capture output carries no source timestamp, so no latency there.
import type { Page } from 'puppeteer-core';
import type { FixtureServer } from '../test/e2e/helpers/server';
import { launch, type BrowserName } from '../test/e2e/helpers/browsers';
import { startXvfb } from '../test/e2e/helpers/xvfb';

export interface BlurRow {
  browser: BrowserName;
  size: string;
  cameraFps: number;
  blurredFps: number;
  /** Why the row could not be measured. */
  error?: string;
  /** null where frames cannot be matched (Firefox). */
  latency: { median: number; p95: number; n: number } | null;
  compositing: string;
}

const PAGE = '/blur.html';
/** Seconds of warm-up (model load, first frames) and of measurement per size. */
const WARMUP = 3;
const SECONDS = 10;

export function serveBlur(server: FixtureServer): void {
  server.route(PAGE, { body: '<!doctype html><title>blur</title>' });
}

function measure(page: Page, width: number, height: number) {
  return page.evaluate(
    async (w: number, h: number, warmup: number, seconds: number) => {
      const size = { width: { exact: w }, height: { exact: h }, frameRate: 30 };
      const camera = (await navigator.mediaDevices.getUserMedia({ video: size })).getVideoTracks()[0]!;
      const blurred = (
        await navigator.mediaDevices.getUserMedia({
          video: { ...size, backgroundBlur: { exact: true } } as MediaTrackConstraints,
        })
      ).getVideoTracks()[0]!;
      const got = blurred.getSettings();
      if (got.width !== w || got.height !== h) throw new Error(`the camera gave ${got.width}x${got.height}`);
      const W = window as any;
      const hasProcessor = typeof W.MediaStreamTrackProcessor === 'function';
      /** Arrival time (performance.now) per frame timestamp, or per presented frame. */
      const watch = (track: MediaStreamTrack) => {
        const arrivals = new Map<number, number>();
        let on = true;
        let count = 0;
        if (hasProcessor) {
          const reader = new W.MediaStreamTrackProcessor({
            track,
          }).readable.getReader() as ReadableStreamDefaultReader<VideoFrame>;
          void (async () => {
            while (on) {
              const { value } = await reader.read();
              if (!value) break;
              arrivals.set(value.timestamp, performance.now());
              count++;
              value.close();
            }
          })();
          return {
            arrivals,
            count: () => count,
            stop() {
              on = false;
              void reader.cancel();
            },
          };
        }
        const video = document.createElement('video');
        video.muted = true;
        video.srcObject = new MediaStream([track]);
        void video.play();
        // presentedFrames, not callbacks: a slow refresh coalesces several frames into one callback.
        let first = -1;
        const onFrame = (_: number, m: { presentedFrames: number }) => {
          if (first < 0) first = m.presentedFrames;
          count = m.presentedFrames - first;
          if (on) (video as any).requestVideoFrameCallback(onFrame);
        };
        (video as any).requestVideoFrameCallback(onFrame);
        return {
          arrivals,
          count: () => count,
          stop() {
            on = false;
            video.srcObject = null;
          },
        };
      };
      await new Promise((r) => setTimeout(r, warmup * 1000));
      const a = watch(camera);
      const b = watch(blurred);
      await new Promise((r) => setTimeout(r, 1000));
      const a0 = a.count();
      const b0 = b.count();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const elapsed = (performance.now() - t0) / 1000;
      const cameraFps = (a.count() - a0) / elapsed;
      const blurredFps = (b.count() - b0) / elapsed;
      a.stop();
      b.stop();
      const lat: number[] = [];
      for (const [ts, t] of b.arrivals) {
        const s = a.arrivals.get(ts);
        if (s !== undefined) lat.push(t - s);
      }
      lat.sort((x, y) => x - y);
      camera.stop();
      blurred.stop();
      const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      const renderer = gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'none';
      return {
        cameraFps,
        blurredFps,
        renderer,
        latency:
          hasProcessor && lat.length
            ? { median: lat[lat.length >> 1]!, p95: lat[Math.floor(lat.length * 0.95)]!, n: lat.length }
            : null,
      };
    },
    width,
    height,
    WARMUP,
    SECONDS,
  );
}

const SIZES: Array<[number, number]> = [
  [640, 480],
  [1280, 720],
];

export async function measureBlur(name: BrowserName, server: FixtureServer): Promise<BlurRow[]> {
  const xvfb = name === 'firefox' ? await startXvfb() : null;
  const tb = await launch(name, {
    chromiumArgs: ['--use-fake-device-for-media-stream=fps=30'],
    ...(xvfb ? { display: xvfb.display } : {}),
  });
  const rows: BlurRow[] = [];
  try {
    for (const [w, h] of SIZES) {
      const page = await tb.newPage();
      await page.goto(server.url(PAGE));
      let r: Awaited<ReturnType<typeof measure>>;
      try {
        r = await measure(page, w, h);
      } catch (e) {
        rows.push({
          browser: name,
          size: `${w}x${h}`,
          cameraFps: NaN,
          blurredFps: NaN,
          latency: null,
          compositing: '',
          error: e instanceof Error ? e.message.split('\n')[0] : String(e),
        });
        continue;
      } finally {
        await page.close();
      }
      const software = /swiftshader|llvmpipe|softpipe|software/i.test(r.renderer);
      // Mirrors blur-compositor.ts: Chromium avoids software WebGL, Firefox uses WebGL2 when present.
      const compositing =
        name === 'chromium' && software ? 'Canvas 2D' : r.renderer === 'none' ? 'Canvas 2D' : 'WebGL2';
      rows.push({
        browser: name,
        size: `${w}x${h}`,
        cameraFps: r.cameraFps,
        blurredFps: r.blurredFps,
        latency: r.latency,
        compositing: `${compositing} (WebGL renderer: ${r.renderer.replace(/\|/g, '/')})`,
      });
    }
  } finally {
    await tb.close();
    await xvfb?.close();
  }
  return rows;
}
