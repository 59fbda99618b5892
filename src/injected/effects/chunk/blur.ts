// Background blur. Where MediaStreamTrackProcessor/Generator exist (Chromium), the camera track runs
// through the processor (frames from the track, so hidden tabs, where rAF and timers are throttled,
// keep running), person segmentation (blur-segment.ts) and compositing (blur-compositor.ts), into a
// generator the page gets as its track. Elsewhere (Firefox 153 has neither) blur-canvas-track.ts
// makes the frames from a <video> and hands out a canvas capture track.
import type { ChunkApi } from '../../chunk-api';
import type { ProcessedTrack } from '../index';
import type { BoolAsk } from '../../../shared/effect-constraints';
import { personMask } from './blur-model';
import type { MaskSource } from './blur-segment';
import { createCompositor } from './blur-compositor';
import { blurredOutputs } from './blur-track';
import { canvasBlur } from './blur-canvas-track';
import { MAX_FAILURES, SEGMENT_EVERY } from './blur-math';
import { caught, then } from '../../chunk-natives';

declare const MediaStreamTrackProcessor: new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => {
  readable: ReadableStream<VideoFrame>;
};
declare const MediaStreamTrackGenerator: new (init: {
  kind: 'video';
}) => MediaStreamTrack & { writable: WritableStream<VideoFrame> };

export function backgroundBlur(
  api: ChunkApi,
  register: (t: MediaStreamTrack, p: ProcessedTrack) => void,
  source: MediaStreamTrack,
  ask: BoolAsk,
): Promise<MediaStreamTrack> {
  if (typeof MediaStreamTrackProcessor !== 'function' || typeof MediaStreamTrackGenerator !== 'function')
    return canvasBlur(api, register, source, ask);
  const compositor = createCompositor(() => new OffscreenCanvas(1, 1), true);
  return then(personMask(api), (mask) => blurWith(mask, compositor, register, source, ask));
}

function blurWith(
  mask: MaskSource,
  compositor: ReturnType<typeof createCompositor<OffscreenCanvas>>,
  register: (t: MediaStreamTrack, p: ProcessedTrack) => void,
  source: MediaStreamTrack,
  ask: BoolAsk,
): MediaStreamTrack {
  // The processor reads the device track itself; the page only ever holds the generator's track.
  const reader = new MediaStreamTrackProcessor({ track: source, maxBufferSize: 1 }).readable.getReader();
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  const writer = generator.writable.getWriter();
  const { state, adopt, end } = blurredOutputs(register, source, ask, () => {
    mask.close();
    void caught(reader.cancel(), () => undefined);
    void caught(writer.close(), () => undefined);
  });

  let count = 0;
  const blurFrame = (frame: VideoFrame): VideoFrame => {
    const width = frame.displayWidth;
    const height = frame.displayHeight;
    // People move little between frames: the model runs on some of them (SEGMENT_EVERY), which is
    // most of what lets software rendering keep up.
    const fresh =
      count++ % SEGMENT_EVERY === 0 || mask.width === 0
        ? mask.update(frame, width, height, frame.timestamp / 1000)
        : true;
    // No mask: everything stays sharp rather than risk blurring the person.
    compositor.draw(frame, width, height, fresh && mask.width ? mask.data : null, mask.width, mask.height);
    const init: VideoFrameInit = { timestamp: frame.timestamp };
    if (frame.duration !== null) init.duration = frame.duration;
    return new VideoFrame(compositor.canvas, init);
  };

  let failures = 0;
  // One frame per turn, chained with the core's then (the reader's and writer's promises would
  // otherwise meet the page's Promise.prototype.then); each step settles with nothing.
  const step = (r: ReadableStreamReadResult<VideoFrame>): void => {
    if (r.done || state.stopped) {
      r.value?.close();
      end();
      return;
    }
    const frame = r.value;
    let out: VideoFrame = frame;
    if (state.on) {
      try {
        out = blurFrame(frame);
        failures = 0;
      } catch {
        out = frame;
        // A processing failure that persists (e.g. a lost WebGL context) switches the effect off,
        // so getSettings() tells the truth instead of claiming a blur that is not there.
        if (++failures >= MAX_FAILURES) state.on = false;
      }
      if (out !== frame) frame.close();
    }
    // The generator takes ownership of what it is given and closes it.
    then(writer.write(out), pump, end);
  };
  const pump = (): void => {
    then(
      reader.read(),
      (r) => {
        try {
          step(r);
        } catch {
          end(); // the generator or the source ended
        }
      },
      end,
    );
  };
  pump();
  return adopt(generator);
}
