// powerEfficientPixelFormat (mediacapture-extensions) for camera tracks. Chromium: MediaGate looks at
// one frame of a private clone of the camera track through MediaStreamTrackProcessor and classifies
// its VideoFrame.format (shared/effect-constraints.ts), only when the page asks: in getUserMedia or
// applyConstraints naming the constraint, or on the first getSettings()/getCapabilities() of a camera
// track (which report it once known). Firefox has no way to see a frame's pixel format: there the
// property is never reported and `exact` always fails. Nothing can choose a camera's format from a
// page, so the capability is the one value the camera delivers.
import { getOwnPropertyDescriptor, SafeWeakMap, then, promiseResolve } from '../native';
import type { BoolAsk } from '../../shared/effect-constraints';

export const PIXEL = 'powerEfficientPixelFormat';

type Processor = { readable: ReadableStream<VideoFrame> };
// Only Chromium has MediaStreamTrackProcessor: Firefox's bundle leaves the probe out.
const MSTP = __BROWSER__ !== 'chromium' ? undefined : (window as { MediaStreamTrackProcessor?: new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => Processor }).MediaStreamTrackProcessor;
/** Whether this browser lets MediaGate see a camera's frames. */
export const canKnowPixelFormat = typeof MSTP === 'function';

/**
 * The probe (chunk/pixel.ts, loaded on first use) looks through a private clone of the camera track:
 * it must not go through MediaGate's patched clone() (the clone would join the call), so it gets the
 * browser's own, captured at document_start.
 */
export const PIXEL_NATIVES = { trackClone: MediaStreamTrack.prototype.clone, trackStop: MediaStreamTrack.prototype.stop };
export type PixelNatives = typeof PIXEL_NATIVES;
/** What the probe chunk offers. */
export interface PixelChunk { probe(track: MediaStreamTrack): Promise<boolean | null> }

/** Per device track: the answer (null: unknown) or the probe under way. */
const known = new SafeWeakMap<MediaStreamTrack, { value: boolean | null; pending: Promise<boolean | null> | null }>();

/** Power-efficient or not (null: cannot be known); looks at one frame the first time. */
export function pixelFormat(track: MediaStreamTrack, probe: () => Promise<PixelChunk | null>): Promise<boolean | null> {
  const k = known.get(track);
  if (k) return k.pending ?? promiseResolve(k.value);
  const slot = { value: null as boolean | null, pending: null as Promise<boolean | null> | null };
  known.set(track, slot);
  if (!canKnowPixelFormat) return promiseResolve(null);
  slot.pending = then(then(probe(), (c) => (c ? c.probe(track) : null), () => null), (v) => {
    slot.value = v;
    slot.pending = null;
    return v;
  });
  return slot.pending;
}

/** The value if known now (getSettings is synchronous): starts finding out otherwise. */
export function pixelFormatNow(track: MediaStreamTrack, probe: () => Promise<PixelChunk | null>): boolean | null {
  const k = known.get(track);
  if (!k) { void pixelFormat(track, probe); return null; }
  return k.value;
}

/** After applyConstraints the camera may deliver another format: look again when next asked. */
export function forgetPixelFormat(track: MediaStreamTrack): void {
  const k = known.get(track);
  if (k && !k.pending) known.set(track, undefined as never);
}

/** What the page asked, for getConstraints() (the browsers drop constraints they do not know). */
export const askedPixel = new SafeWeakMap<MediaStreamTrack, boolean | { exact: boolean } | null>();
export const asAsked = (a: BoolAsk | null): boolean | { exact: boolean } | null => (a ? (a.required ? { exact: a.value } : a.value) : null);

/** Whether an `exact` ask is met (an unknown format meets none). */
export const meets = (a: BoolAsk | null, v: boolean | null): boolean => !a || !a.required || v === a.value;
