// powerEfficientPixelFormat (mediacapture-extensions) for camera tracks. Chromium: MediaGate looks at
// one frame of a private clone of the camera track through MediaStreamTrackProcessor and classifies
// its VideoFrame.format (shared/effect-constraints.ts), only when the page asks: in getUserMedia or
// applyConstraints naming the constraint, or on the first getSettings()/getCapabilities() of a camera
// track (which report it once known). Firefox has no way to see a frame's pixel format: there the
// property is never reported and `exact` always fails. Nothing can choose a camera's format from a
// page, so the capability is the one value the camera delivers. The answers per track live in the
// probe's chunk (chunk/pixel.ts): before it loads, nothing is known.
import type { BoolAsk } from '../../shared/effect-constraints';
import { SafeWeakMap } from '../native';

export const PIXEL = 'powerEfficientPixelFormat';

// Only Chromium has MediaStreamTrackProcessor: Firefox's bundle leaves the probe out.
/** Whether this browser lets MediaGate see a camera's frames. */
export const canKnowPixelFormat =
  __BROWSER__ === 'chromium' &&
  typeof (window as { MediaStreamTrackProcessor?: unknown }).MediaStreamTrackProcessor === 'function';

/**
 * The probe looks through a private clone of the camera track: it must not go through MediaGate's
 * patched clone() (the clone would join the call), so it gets the browser's own, captured at
 * document_start.
 */
export const PIXEL_NATIVES = {
  trackClone: MediaStreamTrack.prototype.clone,
  trackStop: MediaStreamTrack.prototype.stop,
};
export type PixelNatives = typeof PIXEL_NATIVES;
/** What the probe chunk offers, per device track. */
export interface PixelChunk {
  /** Power-efficient or not (null: cannot be known); looks at one frame the first time. */
  format(track: MediaStreamTrack): Promise<boolean | null>;
  /** The value if known now (getSettings is synchronous): starts finding out otherwise. */
  now(track: MediaStreamTrack): boolean | null;
  /** After applyConstraints the camera may deliver another format: look again when next asked. */
  forget(track: MediaStreamTrack): void;
}

/** What the page asked, for getConstraints() (the browsers drop constraints they do not know). */
export const askedPixel = new SafeWeakMap<MediaStreamTrack, boolean | { exact: boolean } | null>();
export const asAsked = (a: BoolAsk | null): boolean | { exact: boolean } | null =>
  a ? (a.required ? { exact: a.value } : a.value) : null;

/** Whether an `exact` ask is met (an unknown format meets none). */
export const meets = (a: BoolAsk | null, v: boolean | null): boolean => !a || !a.required || v === a.value;
