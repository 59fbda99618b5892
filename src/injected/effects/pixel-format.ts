// powerEfficientPixelFormat (mediacapture-extensions) for camera tracks. Chromium: MediaGate looks at
// one frame of a private clone of the camera track through MediaStreamTrackProcessor and classifies
// its VideoFrame.format (shared/effect-constraints.ts), only when the page asks: in getUserMedia or
// applyConstraints naming the constraint, or on the first getSettings()/getCapabilities() of a camera
// track (which report it once known). Firefox has no way to see a frame's pixel format: there the
// property is never reported and `exact` always fails. Nothing can choose a camera's format from a
// page, so the capability is the one value the camera delivers.
import { apply, construct, getOwnPropertyDescriptor, newPromise, nativeSetTimeout, SafeWeakMap, then, promiseResolve } from '../native';
import { isPowerEfficientFormat, type BoolAsk } from '../../shared/effect-constraints';

export const PIXEL = 'powerEfficientPixelFormat';

type Processor = { readable: ReadableStream<VideoFrame> };
// Only Chromium has MediaStreamTrackProcessor: Firefox's bundle leaves the probe out.
const MSTP = __BROWSER__ !== 'chromium' ? undefined : (window as { MediaStreamTrackProcessor?: new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => Processor }).MediaStreamTrackProcessor;
/** Whether this browser lets MediaGate see a camera's frames. */
export const canKnowPixelFormat = typeof MSTP === 'function';
const readableGet = MSTP ? getOwnPropertyDescriptor(MSTP.prototype, 'readable')?.get : undefined;
const getReader = ReadableStream.prototype.getReader;
const readerProto = typeof ReadableStreamDefaultReader === 'function' ? ReadableStreamDefaultReader.prototype : null;
const read = readerProto?.read;
const cancel = readerProto?.cancel;
const VF = typeof VideoFrame === 'function' ? VideoFrame.prototype : null;
const formatGet = VF ? getOwnPropertyDescriptor(VF, 'format')?.get : undefined;
const frameClose = VF?.close;
const trackClone = MediaStreamTrack.prototype.clone;
const trackStop = MediaStreamTrack.prototype.stop;

/** A camera that sends no frame this long (muted, covered by the OS) stays unknown. */
const PROBE_TIMEOUT_MS = 3000;

/** Per device track: the answer (null: unknown) or the probe under way. */
const known = new SafeWeakMap<MediaStreamTrack, { value: boolean | null; pending: Promise<boolean | null> | null }>();

/** Power-efficient or not (null: cannot be known); looks at one frame the first time. */
export function pixelFormat(track: MediaStreamTrack): Promise<boolean | null> {
  const k = known.get(track);
  if (k) return k.pending ?? promiseResolve(k.value);
  const slot = { value: null as boolean | null, pending: null as Promise<boolean | null> | null };
  known.set(track, slot);
  if (__BROWSER__ !== 'chromium' || !MSTP || !readableGet || !read || !cancel || !formatGet || !frameClose) return promiseResolve(null);
  slot.pending = newPromise<boolean | null>((resolve) => {
    let clone: MediaStreamTrack | null = null;
    let reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
    const done = (v: boolean | null) => {
      if (!slot.pending) return;
      slot.value = v;
      slot.pending = null;
      // The clone is MediaGate's own: the page never sees it, and stopping it leaves the page's track alone.
      try { if (reader) then(apply(cancel, reader, []) as Promise<void>, () => undefined, () => undefined); } catch { /* closed */ }
      try { if (clone) apply(trackStop, clone, []); } catch { /* gone */ }
      resolve(v);
    };
    try {
      clone = apply(trackClone, track, []) as MediaStreamTrack;
      const processor = construct(MSTP, [{ track: clone, maxBufferSize: 1 }]) as Processor;
      reader = apply(getReader, apply(readableGet, processor, []), []) as ReadableStreamDefaultReader<VideoFrame>;
      nativeSetTimeout(() => done(null), PROBE_TIMEOUT_MS);
      then(apply(read, reader, []) as Promise<ReadableStreamReadResult<VideoFrame>>, (r) => {
        const frame = r.value;
        let v: boolean | null = null;
        if (frame) {
          try { v = isPowerEfficientFormat(apply(formatGet, frame, []) as string | null); } finally { apply(frameClose, frame, []); }
        }
        done(v);
      }, () => done(null));
    } catch {
      done(null);
    }
  });
  return slot.pending!;
}

/** The value if known now (getSettings is synchronous): starts finding out otherwise. */
export function pixelFormatNow(track: MediaStreamTrack): boolean | null {
  const k = known.get(track);
  if (!k) { void pixelFormat(track); return null; }
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
