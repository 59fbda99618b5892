// What the far end of a test call sees: the frame its #remote <video> shows now.
import type { Page } from 'puppeteer-core';

/**
 * A measure of the far end's current frame, or -1 before it has one:
 * - "brightness": mean brightness (0-255), read at 64x48;
 * - "edges": sharp edges per thousand horizontal neighbour pairs at 640x480 (a step of more than 8 levels
 *   per channel). Blur turns edges into gradients of small steps. Small steps are not counted: the codec's
 *   noise on a flat frame (Firefox's fake camera is one colour, with a time code at the top) makes most of
 *   the mean step, and it changes with the colour, blurred or not.
 */
export const farFrame = (page: Page, measure: 'brightness' | 'edges'): Promise<number> =>
  page.evaluate((measure) => {
    const v = document.getElementById('remote') as HTMLVideoElement;
    if (v.readyState < 2) return -1;
    const [w, h] = measure === 'edges' ? [640, 480] : [64, 48];
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const x = c.getContext('2d', { willReadFrequently: true })!;
    x.drawImage(v, 0, 0, w, h);
    const d = x.getImageData(0, 0, w, h).data;
    let sum = 0;
    if (measure === 'brightness') {
      for (let i = 0; i < d.length; i += 4) sum += d[i]! + d[i + 1]! + d[i + 2]!;
      return sum / (d.length / 4) / 3;
    }
    for (let y = 0; y < h; y++)
      for (let i = y * w * 4; i < (y * w + w - 1) * 4; i += 4) {
        const a = d[i]! + d[i + 1]! + d[i + 2]!;
        const b = d[i + 4]! + d[i + 5]! + d[i + 6]!;
        if (Math.abs(a - b) > 24) sum++;
      }
    return (1000 * sum) / (h * (w - 1));
  }, measure);
