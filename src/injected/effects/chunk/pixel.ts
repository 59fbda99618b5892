// Lazily loaded chunk: looks at one frame of a private clone of a camera track (Chromium's
// MediaStreamTrackProcessor) and classifies its VideoFrame.format for powerEfficientPixelFormat
// (../pixel-format.ts decides when; shared/effect-constraints.ts what counts as power-efficient), and
// keeps the answer per camera track.
import { announceChunk, type ChunkApi } from '../../chunk-api';
import type { PixelChunk, PixelNatives } from '../pixel-format';
import { isPowerEfficientFormat } from '../../../shared/effect-constraints';
import {
  apply,
  caught,
  construct,
  getOwnPropertyDescriptor,
  nativeSetTimeout,
  newPromise,
  promiseResolve,
  SafeWeakMap,
  sealed,
  then,
} from '../../chunk-natives';
/** A camera that sends no frame this long (muted, covered by the OS) stays unknown. */
const PROBE_TIMEOUT_MS = 3000;

function start(api: ChunkApi): PixelChunk {
  // The page could have replaced these by now; that only spoils its own answer (unknown).
  const MSTP = (window as any).MediaStreamTrackProcessor;
  const readerProto = ReadableStreamDefaultReader.prototype;
  const core = api.feature as PixelNatives;
  const n = {
    trackClone: core.trackClone,
    trackStop: core.trackStop,
    MSTP,
    readableGet: MSTP && getOwnPropertyDescriptor(MSTP.prototype, 'readable')?.get,
    getReader: ReadableStream.prototype.getReader,
    read: readerProto.read,
    cancel: readerProto.cancel,
    formatGet: getOwnPropertyDescriptor(VideoFrame.prototype, 'format')?.get,
    frameClose: VideoFrame.prototype.close,
  };
  // Settles with a primitive: nothing of MediaGate's where a `then` getter looks.
  const probe = (track: MediaStreamTrack): Promise<boolean | null> =>
    newPromise((resolve) => {
      if (!n.MSTP || !n.readableGet || !n.read || !n.cancel || !n.formatGet || !n.frameClose) {
        resolve(null);
        return;
      }
      let clone: MediaStreamTrack | null = null;
      let reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
      let settled = false;
      const done = (v: boolean | null) => {
        if (settled) return;
        settled = true;
        // The clone is MediaGate's own: the page never sees it, and stopping it leaves the page's track alone.
        try {
          if (reader) caught(apply(n.cancel!, reader, []) as Promise<void>, () => undefined);
        } catch {
          /* closed */
        }
        try {
          if (clone) apply(n.trackStop, clone, []);
        } catch {
          /* gone */
        }
        resolve(v);
      };
      try {
        clone = apply(n.trackClone, track, []) as MediaStreamTrack;
        const processor = construct(n.MSTP, [{ track: clone, maxBufferSize: 1 }]);
        reader = apply(n.getReader, apply(n.readableGet, processor, []), []) as ReadableStreamDefaultReader<VideoFrame>;
        nativeSetTimeout(() => done(null), PROBE_TIMEOUT_MS);
        then(
          apply(n.read, reader, []) as Promise<ReadableStreamReadResult<VideoFrame>>,
          (r) => {
            const frame = r.value;
            let v: boolean | null = null;
            if (frame) {
              try {
                v = isPowerEfficientFormat(apply(n.formatGet!, frame, []) as string | null);
              } finally {
                apply(n.frameClose!, frame, []);
              }
            }
            done(v);
          },
          () => done(null),
        );
      } catch {
        done(null);
      }
    });
  /** Per device track: the answer (null: unknown) or the probe under way. */
  const known = new SafeWeakMap<MediaStreamTrack, { value: boolean | null; pending: Promise<boolean | null> | null }>();
  const format = (track: MediaStreamTrack): Promise<boolean | null> => {
    const k = known.get(track);
    if (k) return k.pending ?? promiseResolve(k.value);
    const slot = { value: null as boolean | null, pending: null as Promise<boolean | null> | null };
    known.set(track, slot);
    // Sealed: the core chains on it and resolves with it, which reads its then/constructor.
    slot.pending = sealed(
      then(probe(track), (v) => {
        slot.value = v;
        slot.pending = null;
        return v;
      }),
    );
    return slot.pending;
  };
  return {
    format,
    now(track) {
      const k = known.get(track);
      if (!k) {
        void format(track);
        return null;
      }
      return k.value;
    },
    forget(track) {
      const k = known.get(track);
      if (k && !k.pending) known.set(track, undefined as never);
    },
  };
}

announceChunk('pixel', start);
