// Canvas 2D compositing for the background blur, where WebGL2 is missing or software-rendered (see
// blur-compositor.ts). Same picture: the background
// blurred at a quarter of the size (`ctx.filter`), the person cut out of the sharp frame by the
// mask, upscaled with smoothing and feathered with the same smoothstep as the shader.
import { downscaled } from './blur-math';

/** The blur's standard deviation at the downscaled size (the shader's two sigma-4 passes). */
const SIGMA = 6;
/** Margin around the small frame, filled with its edge pixels, so the blur clamps at the edges. */
const PAD = 3 * SIGMA;

/** Person confidence (0..255) -> alpha, with the shader's smoothstep(0.25, 0.75) feather. */
let feather: Uint8Array | null = null;
/** Made on first use: a chunk's modules run nothing at load. */
function featherTable(): Uint8Array {
  if (!feather) {
    feather = new Uint8Array(256);
    for (let i = 0; i < 256; i++) {
      const t = Math.min(1, Math.max(0, (i / 255 - 0.25) / 0.5));
      feather[i] = Math.round(t * t * (3 - 2 * t) * 255);
    }
  }
  return feather;
}

type Ctx = OffscreenCanvasRenderingContext2D;
const layer = (width: number, height: number): Ctx => new OffscreenCanvas(width, height).getContext('2d')!;

export class Canvas2DCompositor {
  private readonly out: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
  private padded: Ctx | null = null;
  private background: Ctx | null = null;
  private mask: { ctx: Ctx; image: ImageData } | null = null;

  constructor(readonly canvas: HTMLCanvasElement | OffscreenCanvas) {
    const out = (canvas as OffscreenCanvas).getContext('2d', { alpha: false });
    if (!out) throw new Error('no canvas 2D');
    this.out = out;
  }

  private resize(width: number, height: number): void {
    if (this.canvas.width === width && this.canvas.height === height && this.padded) return;
    this.canvas.width = width;
    this.canvas.height = height;
    const s = downscaled(width, height);
    this.padded = layer(s.width + 2 * PAD, s.height + 2 * PAD);
    this.background = layer(s.width, s.height);
  }

  private maskLayer(mask: Uint8Array, maskW: number, maskH: number): OffscreenCanvas {
    if (!this.mask || this.mask.image.width !== maskW || this.mask.image.height !== maskH) {
      const ctx = layer(maskW, maskH);
      this.mask = { ctx, image: ctx.createImageData(maskW, maskH) };
    }
    const px = this.mask.image.data;
    const table = featherTable();
    for (let i = 0; i < mask.length; i++) px[i * 4 + 3] = table[mask[i]!]!;
    this.mask.ctx.putImageData(this.mask.image, 0, 0);
    return this.mask.ctx.canvas;
  }

  /**
   * Same contract as BlurCompositor.draw: null mask means everything stays sharp. All the work but
   * two full-size draws happens at the small size: the sharp frame goes down whole, then the small
   * blurred background with the person cut out of it (the feathered mask) over it.
   */
  draw(
    frame: CanvasImageSource,
    width: number,
    height: number,
    mask: Uint8Array | null,
    maskW: number,
    maskH: number,
  ): void {
    this.resize(width, height);
    const out = this.out;
    out.drawImage(frame, 0, 0, width, height);
    if (!mask) return;
    const pad = this.padded!;
    const bg = this.background!;
    const { width: sw, height: sh } = bg.canvas;
    // The small frame with its edge rows and columns stretched into the margin (the canvas filter
    // would otherwise fade the edges towards transparent, where the sharp frame shows through).
    const P = PAD;
    const c = pad.canvas;
    pad.imageSmoothingEnabled = true;
    pad.drawImage(frame, P, P, sw, sh);
    pad.imageSmoothingEnabled = false;
    pad.drawImage(c, P, P, 1, sh, 0, P, P, sh);
    pad.drawImage(c, P + sw - 1, P, 1, sh, P + sw, P, P, sh);
    pad.drawImage(c, 0, P, sw + 2 * P, 1, 0, 0, sw + 2 * P, P);
    pad.drawImage(c, 0, P + sh - 1, sw + 2 * P, 1, 0, P + sh, sw + 2 * P, P);
    bg.globalCompositeOperation = 'copy';
    bg.filter = `blur(${SIGMA}px)`;
    bg.drawImage(c, -P, -P);
    bg.filter = 'none';
    // The person out of the blurred background: there the sharp frame underneath shows.
    bg.globalCompositeOperation = 'destination-out';
    bg.drawImage(this.maskLayer(mask, maskW, maskH), 0, 0, sw, sh);
    out.drawImage(bg.canvas, 0, 0, width, height);
  }
}
