// InputDeviceInfo.getCapabilities() (Chromium; Firefox has no InputDeviceInfo): a microphone reports
// the voiceIsolation and a camera the backgroundBlur a track of it can be asked for, as the track does
// once captured with the effect: [false, true] where MediaGate's processing can run in this browser,
// else [false]. A page's CSP without wasm-unsafe-eval is known only when the effect is asked for (then
// an ideal ask gets the unprocessed track). powerEfficientPixelFormat is left out: a camera's pixel
// format is known only from its frames (pixel-format.ts).
import { apply, getOwnPropertyDescriptor, hasOwn, ownKeys } from '../native';
import { patch } from '../patch';
import { simdProbe } from '../../shared/segmentation/wasm';

// Taken at document_start, before any page script could replace them.
const validate = WebAssembly.validate;
const Offscreen = typeof OffscreenCanvas === 'function' ? OffscreenCanvas : null;
const getContext = Offscreen ? Offscreen.prototype.getContext : null;

let support: { audio: boolean; video: boolean } | null = null;
/** Asked once, on the first call: the WebGL probe costs a context. */
export function effectsSupport(): { audio: boolean; video: boolean } {
  if (support) return support;
  let simd = false;
  let gl = false;
  try {
    simd = apply(validate, WebAssembly, [simdProbe()]) as boolean;
    if (simd && Offscreen && getContext) {
      const canvas = new Offscreen(1, 1);
      gl = !!(apply(getContext, canvas, ['webgl2']) ?? apply(getContext, canvas, ['webgl']));
    }
  } catch {
    /* unknown: report what the browser reports */
  }
  return (support = { audio: simd, video: simd && gl });
}

export function patchDeviceCapabilities(enabled: () => boolean): void {
  if (typeof InputDeviceInfo !== 'function') return;
  const kindOf = getOwnPropertyDescriptor(MediaDeviceInfo.prototype, 'kind')!.get!;
  patch<InputDeviceInfo['getCapabilities']>(InputDeviceInfo.prototype, 'getCapabilities', (original, self, args) => {
    const r = apply(original, self, args) as Record<string, unknown>;
    // An empty dictionary: the browser tells nothing before a grant, and neither does MediaGate.
    if (!enabled() || r === null || typeof r !== 'object' || ownKeys(r).length === 0)
      return r as MediaTrackCapabilities;
    const kind = apply(kindOf, self, []);
    const key = kind === 'audioinput' ? 'voiceIsolation' : kind === 'videoinput' ? 'backgroundBlur' : null;
    // Where MediaGate's processing runs, [false, true] (Chromium 156 itself reports voiceIsolation
    // [false] on Linux); elsewhere the browser's own answer, or [false].
    if (!key) return r as MediaTrackCapabilities;
    const runs = effectsSupport()[key === 'voiceIsolation' ? 'audio' : 'video'];
    if (runs || !hasOwn(r, key)) r[key] = runs ? [false, true] : [false];
    return r as MediaTrackCapabilities;
  });
}
