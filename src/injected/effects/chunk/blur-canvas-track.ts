// Background blur without MediaStreamTrackProcessor/Generator (Firefox 153): the camera plays in a
// <video> that is never attached to the document, each frame it presents (blur-clock.ts) is segmented
// and composited onto a canvas (blur-compositor.ts: WebGL2, else Canvas 2D), and the page gets that
// canvas's captureStream() track, which takes a frame each time the canvas changes (Firefox 153
// delivers nothing after captureStream(0) + requestFrame()). The segmenter needs WebGL itself
// (tasks-vision's mask post-processing runs on the GPU), so a browser without any WebGL (headless
// Firefox) cannot blur: this rejects there.
import type { ChunkApi } from '../../chunk-api';
import type { ProcessedTrack } from '../index';
import type { BoolAsk } from '../../../shared/effect-constraints';
import { personMask } from './blur-model';
import { createCompositor } from './blur-compositor';
import { blurredOutputs } from './blur-track';
import { videoFrames } from './blur-clock';
import { MAX_FAILURES, SEGMENT_EVERY } from './blur-math';
import type { MaskSource } from './blur-segment';
import { caught, nativeSetTimeout, newPromise, now, promiseRace, sealed, then } from '../../chunk-natives';

export function canvasBlur(
  api: ChunkApi,
  register: (t: MediaStreamTrack, p: ProcessedTrack) => void,
  source: MediaStreamTrack,
  ask: BoolAsk,
): Promise<MediaStreamTrack> {
  return then(personMask(api), (mask) => withMask(mask, register, source, ask));
}

function withMask(
  mask: MaskSource,
  register: (t: MediaStreamTrack, p: ProcessedTrack) => void,
  source: MediaStreamTrack,
  ask: BoolAsk,
): Promise<MediaStreamTrack> {
  const draw = createCompositor(() => document.createElement('canvas'), false);
  const canvas = draw.canvas;
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([source]);
  // A refusal (autoplay policy) fails the call, so the caller falls back; a play() that waits (Firefox
  // holds media in a tab never shown yet) must not hold getUserMedia: frames flow once it plays.
  const playing = video.play();
  caught(playing, () => undefined);
  // Sealed: returned from a then-callback. Settles with the track, which the page gets.
  return sealed(
    then(promiseRace<unknown>([playing, newPromise<void>((resolve) => nativeSetTimeout(resolve, 1000))]), () =>
      started(),
    ),
  );

  function started(): MediaStreamTrack {
    const output = canvas.captureStream().getVideoTracks()[0]!;
    let stopFrames = () => undefined as void;
    const { state, adopt } = blurredOutputs(register, source, ask, () => {
      mask.close();
      stopFrames();
      video.pause();
      video.srcObject = null;
    });

    let count = 0;
    let failures = 0;
    const frame = () => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height || state.stopped) return;
      try {
        let blurred = false;
        if (state.on) {
          const fresh =
            count++ % SEGMENT_EVERY === 0 || mask.width === 0 ? mask.update(video, width, height, now()) : true;
          blurred = fresh && mask.width > 0;
        }
        // Off, or no mask yet: the frame as it is (never a blurred person).
        draw.draw(video, width, height, blurred ? mask.data : null, mask.width, mask.height);
        failures = 0;
      } catch {
        // A failure that persists (e.g. a lost WebGL context) switches the effect off, so getSettings()
        // tells the truth; frames then pass unblurred.
        if (++failures >= MAX_FAILURES) state.on = false;
        if (state.on) return;
        try {
          draw.draw(video, width, height, null, 0, 0);
        } catch {
          return;
        }
      }
    };
    const fps = source.getSettings().frameRate || 30;
    stopFrames = videoFrames(video, fps, frame);
    return adopt(output);
  }
}
