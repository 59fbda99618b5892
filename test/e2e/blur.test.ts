// Background blur: the backgroundBlur constraint (plumbing in both browsers) and real processing,
// measured on a sharp checkerboard background with a synthetic person-like figure: Chromium's fake
// camera plays a y4m the test writes; Firefox's fake camera is a flat colour, so there the same
// picture comes from a canvas the test puts behind getUserMedia before MediaGate loads. Firefox blurs
// only with WebGL (the segmenter needs it): headless it has none, so its processing tests run headful
// on a private Xvfb (Mesa llvmpipe), once with WebGL 2 (WebGL compositing) and once with WebGL 2
// switched off (Canvas 2D compositing).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import type { TestBrowser } from './helpers/browsers';
import type { FixtureServer } from './helpers/server';
import { describeEachBrowser } from './helpers/suite';

const W = 640;
const H = 480;

/** Whether (x, y) is inside the synthetic figure: a head (ellipse) over shoulders and a torso. */
function inFigure(x: number, y: number): boolean {
  const head = ((x - 320) / 55) ** 2 + ((y - 170) / 70) ** 2 <= 1;
  const neck = Math.abs(x - 320) < 25 && y > 230 && y < 270;
  const torso = y >= 265 && Math.abs(x - 320) < 60 + (y - 265) * 0.9;
  return head || neck || torso;
}

/** Firefox: a page-side camera showing the y4m's picture (RGB), installed before MediaGate wraps getUserMedia. */
function fakeCameraScript(): string {
  const install = (figure: (x: number, y: number) => boolean, w: number, h: number) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d')!;
    const frames = [0, 1].map((f) => {
      const img = ctx.createImageData(w, h);
      const d = img.data;
      for (let j = 0; j < h; j++) {
        for (let i = 0; i < w; i++) {
          const k = (j * w + i) * 4;
          const stripe = ((i >> 1) % 2) * 40;
          const rgb = figure(i, j)
            ? j < 240
              ? [200 + stripe / 2, 150 + stripe, 120 + stripe]
              : [40 + stripe, 50 + stripe, 100 + stripe]
            : ((i >> 1) + (j >> 1) + f) % 2 === 0
              ? [30, 30, 30]
              : [225, 225, 225];
          d[k] = rgb[0]!;
          d[k + 1] = rgb[1]!;
          d[k + 2] = rgb[2]!;
          d[k + 3] = 255;
        }
      }
      return img;
    });
    let n = 0;
    const paint = () => ctx.putImageData(frames[n++ % 2]!, 0, 0);
    paint();
    setInterval(paint, 1000 / 30);
    const original = MediaDevices.prototype.getUserMedia;
    MediaDevices.prototype.getUserMedia = function (c?: MediaStreamConstraints) {
      return c?.video && !c.audio ? Promise.resolve(canvas.captureStream(30)) : original.call(this, c);
    };
  };
  return `(${install.toString()})(${inFigure.toString()}, ${W}, ${H})`;
}

/** Two I420 frames: 2-pixel checkerboard background, the figure in skin and shirt tones with a soft texture. */
function y4m(): Buffer {
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`);
  const frames: Buffer[] = [];
  for (let f = 0; f < 2; f++) {
    const y = Buffer.alloc(W * H);
    const u = Buffer.alloc((W / 2) * (H / 2));
    const v = Buffer.alloc((W / 2) * (H / 2));
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        const person = inFigure(i, j);
        const checker = ((i >> 1) + (j >> 1) + f) % 2 === 0;
        // The figure carries its own fine stripes, so "stays sharp" can be measured there too.
        y[j * W + i] = person ? (j < 240 ? 170 : 60) + ((i >> 1) % 2) * 40 : checker ? 30 : 225;
      }
    }
    for (let j = 0; j < H / 2; j++) {
      for (let i = 0; i < W / 2; i++) {
        const person = inFigure(i * 2, j * 2);
        u[j * (W / 2) + i] = person ? (j * 2 < 240 ? 110 : 150) : 128;
        v[j * (W / 2) + i] = person ? (j * 2 < 240 ? 155 : 110) : 128;
      }
    }
    frames.push(Buffer.from('FRAME\n'), y, u, v);
  }
  return Buffer.concat([header, ...frames]);
}

/** exact:true where blur cannot run, then ideal: what the page gets instead. */
const whereBlurCannotRun = (page: Page) =>
  page.evaluate(async () => {
    let exact = '';
    try {
      await navigator.mediaDevices.getUserMedia({
        video: { backgroundBlur: { exact: true } } as MediaTrackConstraints,
      });
    } catch (e) {
      exact = `${(e as Error).name}:${(e as any).constraint}`;
    }
    const t = (
      await navigator.mediaDevices.getUserMedia({ video: { backgroundBlur: true } as MediaTrackConstraints })
    ).getVideoTracks()[0]!;
    const ideal = {
      live: t.readyState,
      settings: (t.getSettings() as any).backgroundBlur,
      caps: (t.getCapabilities() as any).backgroundBlur,
    };
    t.stop();
    return { exact, ideal };
  });

/** Page side: blurs the pattern and measures high-frequency energy (background, figure) and frame rate. */
async function measureBlur(page: Page) {
  return page.evaluate(
    async (w, h) => {
      const raw = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
      const blurred = (
        await navigator.mediaDevices.getUserMedia({ video: { backgroundBlur: true } as MediaTrackConstraints })
      ).getVideoTracks()[0]!;
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      /** Mean squared luma difference to the right and lower neighbours in a rectangle. */
      const energy = (img: ImageData, x0: number, y0: number, x1: number, y1: number) => {
        const d = img.data;
        const luma = (x: number, y: number) => {
          const k = (y * w + x) * 4;
          return 0.299 * d[k]! + 0.587 * d[k + 1]! + 0.114 * d[k + 2]!;
        };
        let sum = 0;
        let n = 0;
        for (let y = y0; y < y1 - 1; y++)
          for (let x = x0; x < x1 - 1; x++) {
            const c = luma(x, y);
            sum += (c - luma(x + 1, y)) ** 2 + (c - luma(x, y + 1)) ** 2;
            n++;
          }
        return sum / n;
      };
      const regions = (img: ImageData) => ({
        // Background: the two upper corners and the lower outer edges, far from the figure.
        background:
          (energy(img, 10, 10, 150, 150) +
            energy(img, 490, 10, 630, 150) +
            energy(img, 10, 330, 110, 470) +
            energy(img, 530, 330, 630, 470)) /
          4,
        // The figure's face and chest, well inside its outline.
        person: (energy(img, 290, 130, 350, 210) + energy(img, 290, 330, 350, 420)) / 2,
      });
      /** Frames: from MediaStreamTrackProcessor where there is one (Chromium), else as a <video> presents them. */
      const frames = (track: MediaStreamTrack): { next(): Promise<CanvasImageSource | null>; done(): void } => {
        const W = window as any;
        if (typeof W.MediaStreamTrackProcessor === 'function') {
          const reader = new W.MediaStreamTrackProcessor({
            track,
          }).readable.getReader() as ReadableStreamDefaultReader<VideoFrame>;
          let held: VideoFrame | null = null;
          return {
            async next() {
              held?.close();
              held = (await reader.read()).value ?? null;
              return held;
            },
            done() {
              held?.close();
              void reader.cancel();
            },
          };
        }
        const video = document.createElement('video');
        video.muted = true;
        video.srcObject = new MediaStream([track]);
        void video.play();
        return {
          // A track that stops delivering ends the measurement instead of hanging it.
          next: () =>
            new Promise((resolve) => {
              (video as any).requestVideoFrameCallback(() => resolve(video));
              setTimeout(() => resolve(null), 2000);
            }),
          done() {
            video.srcObject = null;
          },
        };
      };
      const measure = async (track: MediaStreamTrack, seconds: number) => {
        const source = frames(track);
        let count = 0;
        let last: ReturnType<typeof regions> | null = null;
        let start = 0;
        const begin = performance.now();
        while (performance.now() - begin < seconds * 1000) {
          const frame = await source.next();
          if (!frame) break;
          // The first second warms up (model load, first frames): count frames after it.
          if (performance.now() - begin > 1000) {
            if (!start) start = performance.now();
            else count++;
          }
          if (count % 10 === 1 || !last) {
            ctx.drawImage(frame, 0, 0, w, h);
            last = regions(ctx.getImageData(0, 0, w, h));
          }
        }
        source.done();
        return { fps: count / ((performance.now() - start) / 1000), ...last! };
      };
      const before = await measure(raw, 2);
      const after = await measure(blurred, 5);
      const size = blurred.getSettings();
      raw.stop();
      blurred.stop();
      return { before, after, size: `${size.width}x${size.height}`, on: (size as any).backgroundBlur };
    },
    W,
    H,
  );
}

function assertBlurred(t: { diagnostic(s: string): void }, r: Awaited<ReturnType<typeof measureBlur>>) {
  const drop = 10 * Math.log10(r.before.background / r.after.background);
  const personDrop = 10 * Math.log10(r.before.person / r.after.person);
  const report =
    `background HF energy ${r.before.background.toFixed(0)} -> ${r.after.background.toFixed(0)} (${drop.toFixed(1)} dB down); ` +
    `figure ${r.before.person.toFixed(0)} -> ${r.after.person.toFixed(0)} (${personDrop.toFixed(1)} dB down); blurred ${r.after.fps.toFixed(1)} fps (source ${r.before.fps.toFixed(1)} fps) at ${r.size}`;
  t.diagnostic(report);
  assert.equal(r.on, true, 'the track asked for blur is processed');
  assert.ok(r.before.background > 1000, `the pattern reaches the page (${report})`);
  assert.ok(drop >= 10, `background high-frequency energy down by at least 10 dB (${report})`);
  // The model does find the synthetic figure (measured ~1-3 dB); blurring the whole frame would take
  // its stripes down by more than 20 dB like the background.
  assert.ok(personDrop <= 6, `the figure stays sharp (${report})`);
  assert.ok(r.after.fps >= 5, `the blurred track keeps running (${report})`);
}

const speaksForCamera = async (tb: TestBrowser, server: FixtureServer) => {
  const page = await tb.newPage();
  await page.goto(server.url('/blank.html'));
  const r = await page.evaluate(async () => {
    const raw = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: 640, backgroundBlur: { exact: true } } as MediaTrackConstraints,
    });
    const t = stream.getVideoTracks()[0]!;
    const s = t.getSettings() as any;
    // Firefox adds mediaSource: 'camera' to every camera track's constraints (natively, too).
    const { mediaSource, ...constraints } = t.getConstraints() as any;
    const before = {
      settings: s.backgroundBlur,
      caps: (t.getCapabilities() as any).backgroundBlur,
      constraints,
      mediaSource: mediaSource ?? 'camera',
    };
    const sameDevice =
      s.deviceId === raw.getSettings().deviceId &&
      t.label === raw.label &&
      t.label !== '' &&
      s.width === 640 &&
      s.height === 480;
    await t.applyConstraints({ backgroundBlur: false } as MediaTrackConstraints);
    const off = (t.getSettings() as any).backgroundBlur;
    await t.applyConstraints({ advanced: [{ backgroundBlur: true }] } as MediaTrackConstraints);
    const onAgain = (t.getSettings() as any).backgroundBlur;
    const clone = t.clone();
    const cloneOk = clone.readyState === 'live' && (clone.getSettings() as any).backgroundBlur === true;
    clone.stop();
    const stillLive = t.readyState;
    t.stop();
    raw.stop();
    return { before, sameDevice, off, onAgain, cloneOk, stillLive, ended: t.readyState, processedIsNew: t !== raw };
  });
  assert.deepEqual(r, {
    before: {
      settings: true,
      caps: [false, true],
      constraints: { width: 640, backgroundBlur: { exact: true } },
      mediaSource: 'camera',
    },
    sameDevice: true,
    off: false,
    onAgain: true,
    cloneOk: true,
    stillLive: 'live',
    ended: 'ended',
    processedIsNew: true,
  });
  await page.close();
};

/**
 * A page whose CSP forbids wasm: the model runs in MediaGate's own frame instead, and the blur is as
 * real as anywhere (the same measurement as blursForReal); the page never sees that frame in its DOM.
 */
const blursWithoutWasm = async (t: { diagnostic(s: string): void }, tb: TestBrowser, server: FixtureServer) => {
  server.route('/no-wasm.html', {
    body: '<!doctype html><title>no wasm</title>',
    headers: { 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'" },
  });
  const page = await tb.newPage();
  if (tb.name === 'firefox') await page.evaluateOnNewDocument(fakeCameraScript());
  await page.goto(server.url('/no-wasm.html'));
  const csp = await page.evaluate(() =>
    WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(
      () => 'wasm allowed',
      (e) => (e as Error).name,
    ),
  );
  assert.notEqual(csp, 'wasm allowed', 'the page itself cannot compile wasm');
  const r = await measureBlur(page);
  const seen = await page.evaluate(() => ({
    frames: window.frames.length,
    iframes: document.querySelectorAll('iframe').length,
  }));
  assertBlurred(t, r);
  // MediaGate's frame lives in a closed shadow root: neither the DOM nor window.frames shows it...
  assert.deepEqual(seen, { frames: 0, iframes: 0 });
  // ...but the browser has it, and it did the segmenting.
  // Firefox reports extension documents as about:blank to page.url(): ask the frame itself.
  const frames = await Promise.all(page.frames().map((f) => f.evaluate(() => location.href).catch(() => f.url())));
  assert.ok(
    frames.some((u) => /^(chrome|moz)-extension:\/\/[^/]+\/segmenter\/segmenter\.html$/.test(u)),
    `MediaGate's segmenter frame among ${frames.join(', ')}`,
  );
  // A page that throws its body away (and MediaGate's frame with it) still gets a real blur next time.
  await page.evaluate(() => {
    document.body.remove();
    document.documentElement.append(document.createElement('body'));
  });
  assertBlurred(t, await measureBlur(page));
  await page.close();
};

const blursForReal = async (t: { diagnostic(s: string): void }, tb: TestBrowser, server: FixtureServer) => {
  const page = await tb.newPage();
  if (tb.name === 'firefox') await page.evaluateOnNewDocument(fakeCameraScript());
  await page.goto(server.url('/blank.html'));
  // Page errors in the output help tell a processing failure from a measurement one.
  page.on('console', (m) => {
    if (m.type() === 'error') console.log('page error:', m.text().slice(0, 500));
  });
  const r = await measureBlur(page);
  await page.close();
  assertBlurred(t, r);
};

describeEachBrowser(
  (name) => `background blur (${name}${name === 'firefox' ? ', headless' : ''})`,
  {
    tmpDir: 'mediagate-blur-',
    launch: async (suite) => {
      const file = path.join(suite.tmp, 'pattern.y4m');
      await writeFile(file, y4m());
      return { chromiumArgs: [`--use-file-for-fake-video-capture=${file}`] };
    },
  },
  (suite) => {
    it('backgroundBlur is a supported constraint; a camera that did not ask reports it off, and switches on with exact:true where blur runs (else refuses)', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      const r = await page.evaluate(async () => {
        const supported = (navigator.mediaDevices.getSupportedConstraints() as any).backgroundBlur;
        const raw = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
        const settings = (raw.getSettings() as any).backgroundBlur;
        const caps = (raw.getCapabilities() as any).backgroundBlur;
        let rawExact = 'resolved';
        try {
          await raw.applyConstraints({ backgroundBlur: { exact: true } } as MediaTrackConstraints);
        } catch (e) {
          rawExact = `${(e as Error).name}:${(e as any).constraint}`;
        }
        const afterExact = (raw.getSettings() as any).backgroundBlur;
        await raw.applyConstraints({ backgroundBlur: false } as MediaTrackConstraints);
        const afterOff = (raw.getSettings() as any).backgroundBlur;
        raw.stop();
        return { supported, settings, caps, rawExact, afterExact, afterOff };
      });
      // Chromium blurs here (a track the page holds is routed: effects-route.test.ts); headless Firefox cannot.
      const runs = suite.name === 'chromium';
      assert.deepEqual(r, {
        supported: true,
        settings: false,
        caps: runs ? [false, true] : [false],
        rawExact: runs ? 'resolved' : 'OverconstrainedError:backgroundBlur',
        afterExact: runs,
        afterOff: false,
      });
      await page.close();
    });

    if (suite.name === 'firefox') {
      it('headless Firefox (no WebGL, which the segmenter needs): exact:true rejects with OverconstrainedError, ideal gets the camera unprocessed', async () => {
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/blank.html'));
        const r = await whereBlurCannotRun(page);
        assert.deepEqual(r, {
          exact: 'OverconstrainedError:backgroundBlur',
          ideal: { live: 'live', settings: false, caps: [false] },
        });
        await page.close();
      });
      return;
    }

    it('a blurred track speaks for its camera: settings, capabilities, constraints, applyConstraints, clone, stop', () =>
      speaksForCamera(suite.tb, suite.server));

    it("pages whose CSP forbids wasm get a real blur too: the model runs in MediaGate's own frame", (t) =>
      blursWithoutWasm(t, suite.tb, suite.server));

    it('keeps blurring in a hidden tab (frames come from the track, not rAF)', async () => {
      const page = await suite.tb.newPage();
      await page.goto(suite.server.url('/blank.html'));
      await page.evaluate(async () => {
        const t = (
          await navigator.mediaDevices.getUserMedia({
            video: { backgroundBlur: { exact: true } } as MediaTrackConstraints,
          })
        ).getVideoTracks()[0]!;
        const w = window as any;
        w.blurTrack = t;
        w.frames = 0;
        w.rafs = 0;
        const reader = new w.MediaStreamTrackProcessor({
          track: t,
        }).readable.getReader() as ReadableStreamDefaultReader<VideoFrame>;
        void (async () => {
          for (;;) {
            const { value } = await reader.read();
            if (!value) break;
            value.close();
            w.frames++;
          }
        })();
        const raf = () => {
          w.rafs++;
          requestAnimationFrame(raf);
        };
        requestAnimationFrame(raf);
      });
      await new Promise((r) => setTimeout(r, 1500));
      const other = await suite.tb.newPage();
      await other.bringToFront();
      const read = () =>
        page.evaluate(() => {
          const w = window as any;
          return {
            state: document.visibilityState,
            frames: w.frames as number,
            rafs: w.rafs as number,
            on: w.blurTrack.getSettings().backgroundBlur,
          };
        });
      const a = await read();
      await new Promise((r) => setTimeout(r, 3000));
      const b = await read();
      await page.evaluate(() => (window as any).blurTrack.stop());
      await other.close();
      await page.close();
      assert.equal(b.state, 'hidden');
      assert.ok(b.rafs - a.rafs <= 2, `rAF is throttled in the hidden tab (${b.rafs - a.rafs} callbacks in 3 s)`);
      assert.ok(b.frames - a.frames >= 9, `blurred frames keep coming while hidden (${b.frames - a.frames} in 3 s)`);
      assert.equal(b.on, true);
    });

    it('blurs the background for real: high-frequency energy drops; frame rate at 640x480', (t) =>
      blursForReal(t, suite.tb, suite.server));
  },
);

// Firefox with WebGL: headful on a private X server. WebGL 2 composites in a shader; with WebGL 2
// switched off the segmenter falls back to WebGL 1 and compositing to Canvas 2D.
for (const variant of ['WebGL 2', 'Canvas 2D'] as const) {
  describeEachBrowser(
    () => `background blur (firefox under Xvfb, ${variant} compositing)`,
    {
      browsers: ['firefox'],
      xvfb: true,
      launch: { firefoxPrefs: variant === 'Canvas 2D' ? { 'webgl.enable-webgl2': false } : {} },
    },
    (suite) => {
      it(`the page has ${variant === 'WebGL 2' ? 'WebGL 2' : 'WebGL 1 only'}`, async () => {
        const page = await suite.tb.newPage();
        await page.goto(suite.server.url('/blank.html'));
        const gl = await page.evaluate(() => ({
          gl2: !!document.createElement('canvas').getContext('webgl2'),
          gl1: !!document.createElement('canvas').getContext('webgl'),
        }));
        assert.deepEqual(gl, { gl2: variant === 'WebGL 2', gl1: true });
        await page.close();
      });

      if (variant === 'WebGL 2') {
        it('a blurred track speaks for its camera: settings, capabilities, constraints, applyConstraints, clone, stop', () =>
          speaksForCamera(suite.tb, suite.server));
        it("pages whose CSP forbids wasm get a real blur too: the model runs in MediaGate's own frame", (t) =>
          blursWithoutWasm(t, suite.tb, suite.server));

        it('keeps blurring in a hidden tab (a worker timer, not rAF or requestVideoFrameCallback)', async () => {
          const page = await suite.tb.newPage();
          await page.goto(suite.server.url('/blank.html'));
          // No MediaStreamTrackProcessor here: frames are counted by a loopback peer connection's encoder.
          await page.evaluate(async () => {
            const t = (
              await navigator.mediaDevices.getUserMedia({
                video: { backgroundBlur: { exact: true } } as MediaTrackConstraints,
              })
            ).getVideoTracks()[0]!;
            const a = new RTCPeerConnection();
            const b = new RTCPeerConnection();
            a.onicecandidate = (e) => {
              if (e.candidate) void b.addIceCandidate(e.candidate);
            };
            b.onicecandidate = (e) => {
              if (e.candidate) void a.addIceCandidate(e.candidate);
            };
            a.addTrack(t, new MediaStream([t]));
            await a.setLocalDescription();
            await b.setRemoteDescription(a.localDescription!);
            await b.setLocalDescription();
            await a.setRemoteDescription(b.localDescription!);
            const w = window as any;
            w.blurTrack = t;
            w.encoded = async () => {
              let n = 0;
              (await a.getStats()).forEach((r: any) => {
                if (r.type === 'outbound-rtp' && r.kind === 'video') n = r.framesEncoded;
              });
              return n;
            };
            w.rafs = 0;
            const raf = () => {
              w.rafs++;
              requestAnimationFrame(raf);
            };
            requestAnimationFrame(raf);
          });
          await new Promise((r) => setTimeout(r, 2000));
          const other = await suite.tb.newPage();
          await other.bringToFront();
          await new Promise((r) => setTimeout(r, 500));
          const read = () =>
            page.evaluate(async () => {
              const w = window as any;
              return {
                state: document.visibilityState,
                frames: (await w.encoded()) as number,
                rafs: w.rafs as number,
                on: w.blurTrack.getSettings().backgroundBlur,
              };
            });
          const a = await read();
          await new Promise((r) => setTimeout(r, 3000));
          const b = await read();
          await page.evaluate(() => (window as any).blurTrack.stop());
          await other.close();
          await page.close();
          assert.equal(b.state, 'hidden');
          assert.ok(b.rafs - a.rafs <= 4, `rAF is throttled in the hidden tab (${b.rafs - a.rafs} callbacks in 3 s)`);
          assert.ok(
            b.frames - a.frames >= 9,
            `blurred frames keep coming while hidden (${b.frames - a.frames} in 3 s)`,
          );
          assert.equal(b.on, true);
        });
      }

      it('blurs the background for real: high-frequency energy drops; frame rate at 640x480', (t) =>
        blursForReal(t, suite.tb, suite.server));
    },
  );
}
