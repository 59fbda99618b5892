// Canvas 2D compositing for the background blur, where WebGL2 is missing or software-rendered (see
// blur-compositor.ts). Same picture: the background
// blurred at a quarter of the size (`ctx.filter`), the person cut out of the sharp frame by the
// mask, upscaled with smoothing and feathered with the same smoothstep as the shader.
import { downscaled } from './blur-math';

/** The blur's standard deviation at the downscaled size (the shader's two sigma-4 passes). */
const SIGMA = 6;

/** Person confidence (0..255) -> alpha, with the shader's smoothstep(0.25, 0.75) feather. */
const FEATHER = Uint8Array.from({ length: 256 }, (_, i) => {
  const t = Math.min(1, Math.max(0, (i / 255 - 0.25) / 0.5));
  return Math.round(t * t * (3 - 2 * t) * 255);
});

type Ctx = OffscreenCanvasRenderingContext2D;
const layer = (width: number, height: number): Ctx => new OffscreenCanvas(width, height).getContext('2d')!;

export class Canvas2DCompositor {
  private readonly out: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
  private small: Ctx | null = null;
  private blurred: Ctx | null = null;
  private person: Ctx | null = null;
  private mask: { ctx: Ctx; image: ImageData } | null = null;

  constructor(readonly canvas: HTMLCanvasElement | OffscreenCanvas) {
    const out = (canvas as OffscreenCanvas).getContext('2d', { alpha: false });
    if (!out) throw new Error('no canvas 2D');
    this.out = out;
  }

  private resize(width: number, height: number): void {
    if (this.canvas.width === width && this.canvas.height === height && this.person) return;
    this.canvas.width = width;
    this.canvas.height = height;
    const s = downscaled(width, height);
    this.small = layer(s.width, s.height);
    this.blurred = layer(s.width, s.height);
    this.blurred.filter = `blur(${SIGMA}px)`;
    this.person = layer(width, height);
  }

  private maskLayer(mask: Uint8Array, maskW: number, maskH: number): OffscreenCanvas {
    if (!this.mask || this.mask.image.width !== maskW || this.mask.image.height !== maskH) {
      const ctx = layer(maskW, maskH);
      this.mask = { ctx, image: ctx.createImageData(maskW, maskH) };
    }
    const px = this.mask.image.data;
    for (let i = 0; i < mask.length; i++) px[i * 4 + 3] = FEATHER[mask[i]!]!;
    this.mask.ctx.putImageData(this.mask.image, 0, 0);
    return this.mask.ctx.canvas;
  }

  /** Same contract as BlurCompositor.draw: null mask means everything stays sharp. */
  draw(frame: CanvasImageSource, width: number, height: number, mask: Uint8Array | null, maskW: number, maskH: number): void {
    this.resize(width, height);
    const out = this.out;
    if (!mask) { out.drawImage(frame, 0, 0, width, height); return; }
    const small = this.small!;
    const blurred = this.blurred!;
    const person = this.person!;
    small.drawImage(frame, 0, 0, small.canvas.width, small.canvas.height);
    // The filter fades the edges towards transparent: the unblurred small copy underneath fills them.
    blurred.clearRect(0, 0, blurred.canvas.width, blurred.canvas.height);
    blurred.drawImage(small.canvas, 0, 0);
    person.globalCompositeOperation = 'copy';
    person.drawImage(this.maskLayer(mask, maskW, maskH), 0, 0, width, height);
    person.globalCompositeOperation = 'source-in';
    person.drawImage(frame, 0, 0, width, height);
    out.drawImage(small.canvas, 0, 0, width, height);
    out.drawImage(blurred.canvas, 0, 0, width, height);
    out.drawImage(person.canvas, 0, 0);
  }
}
