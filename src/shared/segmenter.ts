// Messages between a page's blur (src/injected/effects/chunk/blur-remote.ts) and MediaGate's segmenter
// frame (src/segmenter), over a port the content script hands out (src/content/segmenter-frame.ts).

/** Marks MediaGate's messages; bumped when their shape changes. */
export const SEGMENTER_PROTOCOL = 'mediagate-segmenter/1';

/** The largest input the frame accepts (the model itself sees 256 wide). */
export const SEGMENTER_MAX_SIDE = 1024;

/** Page -> frame: `load` (start the model), or an RGBA frame of width x height. */
export interface SegmenterRequest {
  protocol: typeof SEGMENTER_PROTOCOL;
  id: number;
  load?: true;
  width?: number;
  height?: number;
  pixels?: ArrayBuffer;
}

/** Frame -> page: the person confidence (0..255, one byte per pixel, row 0 at the top), or why not. */
export interface SegmenterReply {
  id: number;
  width?: number;
  height?: number;
  mask?: ArrayBuffer;
  error?: string;
}
