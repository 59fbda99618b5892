// Person segmentation in MediaGate's own page (src/segmenter, whose extension CSP allows wasm), in a
// hidden frame the content script adds (see blur-model.ts for why never in the page). Frames
// go there as small RGBA copies (VideoFrames cannot reach an extension frame; ArrayBuffers can) and
// masks come back; compositing stays here, on the page's WebGL or canvas, which no CSP restricts.
// The mask lags the frame by one round trip (a few ms): people move little in that time.
import type { ChunkApi } from '../../chunk-api';
import type { MaskSource } from './blur-segment';
import { segmentSize } from './blur-math';
import {
  addListener,
  inert,
  nativeClearTimeout,
  nativeSetTimeout,
  newPromise,
  now,
  postToPort,
  postToPortWith,
  SafeMap,
  sealed,
  startPort,
  then,
} from '../../chunk-natives';
import { SEGMENTER_PROTOCOL, type SegmenterReply } from '../../../shared/segmenter';

const READY_TIMEOUT_MS = 30000;
/** A frame not answered by then is given up (e.g. the page removed the element holding MediaGate's frame). */
const REPLY_TIMEOUT_MS = 2000;

export class RemotePersonMask implements MaskSource {
  data = new Uint8Array(0);
  width = 0;
  height = 0;
  private busy = false;
  private sentAt = 0;
  private lost = 0;
  private reconnecting = false;
  private nextId = 1;
  private input: { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } | null = null;
  private waiting = new SafeMap<number, (r: SegmenterReply) => void>();

  constructor(
    private port: MessagePort,
    private readonly reopen: () => Promise<MessagePort>,
  ) {
    this.listen(port);
  }

  private listen(port: MessagePort): void {
    // A listener rather than the onmessage setter: MessagePort.prototype's setter could be the page's.
    // (The port is started: remotePersonMask checks it with start().)
    addListener(port, 'message', (e) => {
      if (port !== this.port) return; // replaced by reconnect()
      const r = (e as MessageEvent<SegmenterReply>).data;
      const done = this.waiting.get(r?.id);
      if (done) {
        this.waiting.delete(r.id);
        done(r);
      }
    });
  }

  /** The frame stopped answering: a new port (the content script makes the frame again if it is gone). */
  private reconnect(): void {
    if (this.reconnecting) return;
    this.reconnecting = true;
    then(
      this.reopen(),
      (port) => {
        this.reconnecting = false;
        this.port.close();
        this.port = port;
        this.listen(port);
        this.lost = 0;
      },
      () => {
        this.reconnecting = false;
      },
    );
  }

  /** Resolves once the frame's segmenter is loaded; rejects with its reason (e.g. no WebGL there). */
  ready(): Promise<void> {
    return newPromise((resolve, reject) => {
      const id = this.nextId++;
      const timer = nativeSetTimeout(() => {
        this.waiting.delete(id);
        reject(new Error("MediaGate's segmenter did not start"));
      }, READY_TIMEOUT_MS);
      this.waiting.set(id, (r) => {
        nativeClearTimeout(timer);
        if (r.error !== undefined) reject(new Error(r.error));
        else resolve();
      });
      postToPort(this.port, { protocol: SEGMENTER_PROTOCOL, id, load: true });
    });
  }

  /** Sends `frame` unless a frame is still being segmented; true while there is a mask to draw with. */
  update(frame: CanvasImageSource, width: number, height: number): boolean {
    if (this.busy && now() - this.sentAt > REPLY_TIMEOUT_MS) {
      // The last mask stays in use meanwhile: better than none for a person who hardly moved.
      this.waiting = new SafeMap();
      this.busy = false;
      if (++this.lost >= 2) this.reconnect();
    }
    if (!this.busy) {
      const size = segmentSize(width, height);
      let input = this.input;
      if (!input || input.canvas.width !== size.width || input.canvas.height !== size.height) {
        const canvas = new OffscreenCanvas(size.width, size.height);
        input = this.input = { canvas, ctx: canvas.getContext('2d', { alpha: false, willReadFrequently: true })! };
      }
      input.ctx.drawImage(frame, 0, 0, size.width, size.height);
      const pixels = input.ctx.getImageData(0, 0, size.width, size.height).data.buffer;
      const id = this.nextId++;
      this.busy = true;
      this.sentAt = now();
      this.waiting.set(id, (r) => {
        this.busy = false;
        this.lost = 0;
        if (r.mask && r.width && r.height && r.mask.byteLength === r.width * r.height) {
          this.data = new Uint8Array(r.mask);
          this.width = r.width;
          this.height = r.height;
        }
      });
      postToPortWith(this.port, { protocol: SEGMENTER_PROTOCOL, id, width: size.width, height: size.height, pixels }, [
        pixels,
      ]);
    }
    return this.width > 0;
  }

  close(): void {
    this.waiting = new SafeMap();
    this.port.close();
  }
}

export function remotePersonMask(api: ChunkApi): Promise<RemotePersonMask> {
  const open = (): Promise<MessagePort> =>
    then(api.bridge.request('effects/segmenter', {}, READY_TIMEOUT_MS), (port: unknown) => {
      // The core's start() as the brand check (no instanceof: a page's MessagePort global would see the
      // port). Nothing arrives before this side asks the frame to load.
      try {
        startPort(port as MessagePort);
      } catch {
        throw new Error('no segmenter port');
      }
      // Resolving reads `then`: an own one keeps the port from a page getter on Object.prototype.then.
      return inert(port as MessagePort);
    });
  return then(open(), (port) => {
    const mask = new RemotePersonMask(port, open);
    // Sealed: returned from a then-callback. Settles with nothing, then with the inert mask.
    return sealed(
      then(
        mask.ready(),
        () => inert(mask),
        (e) => {
          mask.close();
          throw e;
        },
      ),
    );
  });
}
