// Which compositor draws the blurred frame: WebGL2 (blur-gl.ts), else Canvas 2D (blur-2d.ts). Where
// each frame becomes a VideoFrame (blur.ts), software-rendered WebGL (SwiftShader, llvmpipe: headless
// browsers, machines without a usable GPU) is skipped too: its readback into the VideoFrame dominates,
// and the CPU canvas is cheaper (headless Chromium, 640x480: ~90% of the camera's frames delivered
// with ~25 ms per-frame latency, against ~80% and ~80 ms with SwiftShader WebGL). The canvas-capture
// path (blur-canvas-track.ts) has no such readback; under llvmpipe both compositors ran alike there.
import { BlurCompositor } from './blur-gl';
import { Canvas2DCompositor } from './blur-2d';

export type Compositor = BlurCompositor | Canvas2DCompositor;

const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software/i;

function softwareRendered(gl: WebGL2RenderingContext): boolean {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return SOFTWARE_GL.test(String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)));
}

/**
 * `canvas()` makes a fresh output canvas (a canvas keeps the first kind of context it was given);
 * `avoidSoftwareGL`: Canvas 2D rather than software-rendered WebGL.
 */
export function createCompositor<C extends OffscreenCanvas | HTMLCanvasElement>(
  canvas: () => C,
  avoidSoftwareGL: boolean,
): Compositor & { canvas: C } {
  try {
    const gl = new BlurCompositor(canvas());
    if (!avoidSoftwareGL || !softwareRendered(gl.gl)) return gl as BlurCompositor & { canvas: C };
  } catch {
    /* no WebGL2 here */
  }
  return new Canvas2DCompositor(canvas()) as Canvas2DCompositor & { canvas: C };
}
