// The person mask for the background blur, as the compositors read it: the person confidence as bytes
// (0..255). Shared by both frame paths (blur.ts with MediaStreamTrackProcessor, blur-canvas-track.ts
// with a <video>); the mask comes from MediaGate's segmenter frame (blur-remote.ts).

/** Where the compositors get the person mask from. */
export interface MaskSource {
  /** Person confidence, row 0 at the top; empty until the model gave one. */
  data: Uint8Array;
  width: number;
  height: number;
  /** Gives the model `frame`; true while `data` holds a mask to draw with. */
  update(frame: CanvasImageSource, width: number, height: number, timestampMs: number): boolean;
  close(): void;
}
