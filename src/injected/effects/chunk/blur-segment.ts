// The person mask for the background blur: the frame, scaled down to the model's width, through the
// segmenter; the person confidence kept as bytes (0..255) for the compositors. Shared by both frame
// paths (blur.ts with MediaStreamTrackProcessor, blur-canvas-track.ts with a <video>).
import type { ImageSegmenter } from '@mediapipe/tasks-vision';
import { segmentSize } from './blur-math';
import { nextTimestamp } from '../../../shared/segmentation/timestamps';

/** Where the compositors get the person mask from: the model here, or in MediaGate's frame (blur-remote.ts). */
export interface MaskSource {
  /** Person confidence, row 0 at the top; empty until the model gave one. */
  data: Uint8Array;
  width: number;
  height: number;
  /** Gives the model `frame`; true while `data` holds a mask to draw with. */
  update(frame: CanvasImageSource, width: number, height: number, timestampMs: number): boolean;
  close(): void;
}

export class PersonMask implements MaskSource {
  /** Person confidence, row 0 at the top; empty until the model gave one. */
  data = new Uint8Array(0);
  width = 0;
  height = 0;
  private last = -1;
  private input: { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } | null = null;

  constructor(private readonly segmenter: ImageSegmenter) {}

  /** Runs the model on `frame`; false when it gave no mask (the previous one is kept). */
  update(frame: CanvasImageSource, width: number, height: number, timestampMs: number): boolean {
    this.last = nextTimestamp(this.last, timestampMs * 1000);
    // The model sees 256x144 anyway: handing it a small copy saves tasks-vision a full-size upload
    // and readback (software GL in headless), and the small mask is upsampled by linear filtering.
    const size = segmentSize(width, height);
    let input = this.input;
    if (!input || input.canvas.width !== size.width || input.canvas.height !== size.height) {
      const canvas = new OffscreenCanvas(size.width, size.height);
      // A CPU-backed canvas: the model gets pixels, not a canvas (see below).
      input = this.input = { canvas, ctx: canvas.getContext('2d', { alpha: false, willReadFrequently: true })! };
    }
    input.ctx.drawImage(frame, 0, 0, size.width, size.height);
    // ImageData rather than the canvas: tasks-vision uploads either to its own WebGL context, and
    // from a canvas that costs a GPU readback (measured in headless Chromium: ~45 ms against ~12 ms).
    const result = this.segmenter.segmentForVideo(input.ctx.getImageData(0, 0, size.width, size.height), this.last);
    try {
      const masks = result.confidenceMasks ?? [];
      // Two-class models give [background, person]; one-class models only the person.
      const m = masks[masks.length - 1];
      if (!m) return false;
      const f = m.getAsFloat32Array();
      if (this.data.length !== f.length) this.data = new Uint8Array(f.length);
      for (let i = 0; i < f.length; i++) this.data[i] = f[i]! * 255;
      this.width = m.width;
      this.height = m.height;
      return true;
    } finally {
      result.close();
    }
  }

  close(): void {
    /* the segmenter is shared by the frame's blurred tracks */
  }
}
