// What the page holds for a blurred camera, whichever way its frames are made (blur.ts,
// blur-canvas-track.ts): the output track and its clones speak for the camera through the core
// (settings, label, constraints), switch the blur with applyConstraints, and stopping the last one
// stops the camera and the processing.
import type { ProcessedTrack } from '../index';
import type { BoolAsk } from '../../../shared/effect-constraints';
import { addListener, apply, dispatch, removeListener, SafeSet } from '../../chunk-natives';

/**
 * MediaStreamTrack's stop as it is now, with MediaGate's own patches (call detection notes stopped
 * tracks): the track is one the page holds anyway, so a stop the page replaced learns nothing new.
 */
export const stopNow = (t: MediaStreamTrack): void => {
  apply(MediaStreamTrack.prototype.stop, t, []);
};
/** Ends an output the way the device's end does: stopped, and `ended` fired. */
export const endNow = (t: MediaStreamTrack): void => {
  stopNow(t);
  dispatch(t, 'ended');
};

export interface BlurState {
  /** Whether frames are blurred now (read per frame; a persistent failure switches it off). */
  on: boolean;
  stopped: boolean;
}

export interface BlurredOutputs {
  state: BlurState;
  /** Registers `output` (the pipeline's track or a clone of it) as the camera's processed track. */
  adopt(output: MediaStreamTrack): MediaStreamTrack;
  /** The camera ended or the pipeline broke: every output ends. */
  end(): void;
}

export function blurredOutputs(
  register: (t: MediaStreamTrack, p: ProcessedTrack) => void,
  source: MediaStreamTrack,
  ask: BoolAsk,
  shutdown: () => void,
): BlurredOutputs {
  const state: BlurState = { on: ask.value, stopped: false };
  let asked: boolean | { exact: boolean } = ask.required ? { exact: ask.value } : ask.value;
  let outputs = new SafeSet<MediaStreamTrack>();
  const end = () => {
    if (state.stopped) return;
    state.stopped = true;
    removeListener(source, 'ended', end);
    const all = outputs.values();
    outputs = new SafeSet<MediaStreamTrack>();
    for (let i = 0; i < all.length; i++) endNow(all[i]!);
    shutdown();
  };
  addListener(source, 'ended', end);
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
          removeListener(source, 'ended', end);
          stopNow(source);
          shutdown();
        }
      },
      release: end,
      clone: (nativeClone) => adopt(nativeClone()),
    });
    return output;
  };
  return { state, adopt, end };
}
