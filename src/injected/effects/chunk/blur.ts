// Background blur: the camera track runs through MediaStreamTrackProcessor (frames from the track, so
// hidden tabs, where rAF and timers are throttled, keep running), person segmentation (blur-model.ts)
// and WebGL2 compositing (blur-gl.ts), into a MediaStreamTrackGenerator the page gets as its track.
// Chromium only: Firefox 153 has neither MSTP nor MSTG, so there this rejects and the caller falls
// back (ideal: the camera's own track) or fails (exact: OverconstrainedError).
import type { ChunkApi } from '../../chunk-api';
import type { ProcessedTrack } from '../index';
import type { BoolAsk } from '../../../shared/effect-constraints';
import { loadSegmenter } from './blur-model';
import { BlurCompositor } from './blur-gl';
import { nextTimestamp, segmentSize } from './blur-math';

/** The model runs on one frame in this many. */
const SEGMENT_EVERY = 2;
/** Consecutive frames that failed to process before the effect is reported off. */
const MAX_FAILURES = 30;

declare const MediaStreamTrackProcessor: new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => { readable: ReadableStream<VideoFrame> };
declare const MediaStreamTrackGenerator: new (init: { kind: 'video' }) => MediaStreamTrack & { writable: WritableStream<VideoFrame> };

export async function backgroundBlur(api: ChunkApi, register: (t: MediaStreamTrack, p: ProcessedTrack) => void,
  source: MediaStreamTrack, ask: BoolAsk): Promise<MediaStreamTrack> {
  if (typeof MediaStreamTrackProcessor !== 'function' || typeof MediaStreamTrackGenerator !== 'function') throw new Error('no MediaStreamTrackProcessor');
  const compositor = new BlurCompositor();
  const segmenter = await loadSegmenter(api);
  // The processor reads the device track itself; the page only ever holds the generator's track.
  const reader = new MediaStreamTrackProcessor({ track: source, maxBufferSize: 1 }).readable.getReader();
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  const writer = generator.writable.getWriter();
  const state = { on: ask.value, stopped: false, last: -1 };
  let asked: boolean | { exact: boolean } = ask.required ? { exact: ask.value } : ask.value;
  let mask = new Uint8Array(0);
  let input: { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } | null = null;
  const segmentInput = (width: number, height: number) => {
    const size = segmentSize(width, height);
    if (!input || input.canvas.width !== size.width || input.canvas.height !== size.height) {
      const canvas = new OffscreenCanvas(size.width, size.height);
      input = { canvas, ctx: canvas.getContext('2d', { alpha: false })! };
    }
    return input;
  };

  let maskW = 0;
  let maskH = 0;
  let count = 0;
  /** Runs the model and keeps its person confidence (0..255) in `mask`; false when it gave none. */
  const segment = (frame: VideoFrame, width: number, height: number): boolean => {
    state.last = nextTimestamp(state.last, frame.timestamp);
    // The model sees 256x144 anyway: handing it a small copy saves tasks-vision a full-size upload
    // and readback (software GL in headless), and the small mask is upsampled by linear filtering.
    const small = segmentInput(width, height);
    small.ctx.drawImage(frame, 0, 0, small.canvas.width, small.canvas.height);
    const result = segmenter.segmentForVideo(small.canvas, state.last);
    try {
      const masks = result.confidenceMasks ?? [];
      // Two-class models give [background, person]; one-class models only the person.
      const m = masks[masks.length - 1];
      if (!m) return false;
      const f = m.getAsFloat32Array();
      if (mask.length !== f.length) mask = new Uint8Array(f.length);
      for (let i = 0; i < f.length; i++) mask[i] = f[i]! * 255;
      maskW = m.width; maskH = m.height;
      return true;
    } finally { result.close(); }
  };

  const blurFrame = (frame: VideoFrame): VideoFrame => {
    const width = frame.displayWidth;
    const height = frame.displayHeight;
    // People move little between two frames: the model runs on every other one (the other reuses
    // its mask), which is most of what lets software rendering keep up.
    const fresh = count++ % SEGMENT_EVERY === 0 || maskW === 0 ? segment(frame, width, height) : true;
    // No mask: everything stays sharp rather than risk blurring the person.
    compositor.draw(frame, width, height, fresh && maskW ? mask : null, maskW, maskH);
    return new VideoFrame(compositor.canvas, { timestamp: frame.timestamp, ...(frame.duration !== null ? { duration: frame.duration } : {}) });
  };

  let failures = 0;
  const pump = async (): Promise<void> => {
    try {
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done || state.stopped) { frame?.close(); break; }
        let out: VideoFrame = frame;
        if (state.on) {
          try { out = blurFrame(frame); failures = 0; } catch {
            out = frame;
            // A processing failure that persists (e.g. a lost WebGL context) switches the effect off,
            // so getSettings() tells the truth instead of claiming a blur that is not there.
            if (++failures >= MAX_FAILURES) state.on = false;
          }
          if (out !== frame) frame.close();
        }
        // The generator takes ownership of what it is given and closes it.
        await writer.write(out);
      }
    } catch { /* the generator or the source ended */ }
    if (!state.stopped) end();
  };

  const outputs = new Set<MediaStreamTrack>();
  const end = () => {
    state.stopped = true;
    for (const t of outputs) { t.stop(); t.dispatchEvent(new Event('ended')); }
    outputs.clear();
    void reader.cancel().catch(() => undefined);
    void writer.close().catch(() => undefined);
  };
  source.addEventListener('ended', end);
  void pump();

  const adopt = (output: MediaStreamTrack): MediaStreamTrack => {
    outputs.add(output);
    register(output, {
      source,
      settings: (native) => ({ ...native, backgroundBlur: state.on }) as MediaTrackSettings,
      constraints: (native) => ({ ...native, backgroundBlur: asked }) as MediaTrackConstraints,
      capabilities: (native) => ({ ...native, backgroundBlur: [false, true] }) as MediaTrackCapabilities,
      setEffect(on, a) {
        state.on = on;
        if (a) asked = a.required ? { exact: a.value } : a.value;
        return true;
      },
      stop() {
        outputs.delete(output);
        // The camera stays on while another clone of the processed track still runs.
        if (outputs.size === 0 && !state.stopped) {
          state.stopped = true;
          source.removeEventListener('ended', end);
          source.stop();
          void reader.cancel().catch(() => undefined);
        }
      },
      clone: (nativeClone) => adopt(nativeClone()),
    });
    return output;
  };
  return adopt(generator);
}
