// WebGL2 compositing for the background blur: the frame is downscaled, blurred there with a separable
// Gaussian (two passes, twice), and composited once at full size: sharp frame where the mask says
// person, blurred background elsewhere, with a soft edge (linear filtering of the mask + smoothstep).
import { downscaled, gaussianPairs } from './blur-math';

const VERTEX = `#version 300 es
in vec2 p;
out vec2 uv;
uniform bool flipY;
void main() { uv = p * 0.5 + 0.5; if (flipY) uv.y = 1.0 - uv.y; gl_Position = vec4(p, 0.0, 1.0); }`;

/** The blur shader's source, made on first use (a chunk's modules run nothing at load). */
function blurShader(): string {
  const pairs = gaussianPairs(8, 4);
  let weights = '';
  let offsets = '';
  for (let i = 0; i < pairs.length; i++) {
    weights += (i ? ',' : '') + pairs[i]![0].toFixed(6);
    offsets += (i ? ',' : '') + pairs[i]![1].toFixed(6);
  }
  return `#version 300 es
precision mediump float;
in vec2 uv;
out vec4 color;
uniform sampler2D src;
uniform vec2 step;
const int N = ${pairs.length};
const float W[N] = float[](${weights});
const float O[N] = float[](${offsets});
void main() {
  vec4 c = texture(src, uv) * W[0];
  for (int i = 1; i < N; i++) c += (texture(src, uv + step * O[i]) + texture(src, uv - step * O[i])) * W[i];
  color = c;
}`;
}

const COMPOSITE = `#version 300 es
precision mediump float;
in vec2 uv;
out vec4 color;
uniform sampler2D frame;
uniform sampler2D background;
uniform sampler2D mask;
void main() {
  float person = smoothstep(0.25, 0.75, texture(mask, uv).r);
  color = vec4(mix(texture(background, uv).rgb, texture(frame, uv).rgb, person), 1.0);
}`;

type Program = { program: WebGLProgram; uniform(name: string): WebGLUniformLocation | null };

export class BlurCompositor {
  readonly canvas: OffscreenCanvas | HTMLCanvasElement;
  readonly gl: WebGL2RenderingContext;
  private blur: Program;
  private composite: Program;
  private frameTex: WebGLTexture;
  private maskTex: WebGLTexture;
  private small: Array<{ tex: WebGLTexture; fbo: WebGLFramebuffer }> = [];
  private size = { width: 0, height: 0, small: { width: 0, height: 0 } };

  /** `canvas`: where the output is drawn (an element when it is captured with captureStream()). */
  constructor(canvas: OffscreenCanvas | HTMLCanvasElement = new OffscreenCanvas(1, 1)) {
    this.canvas = canvas;
    const gl = (canvas as OffscreenCanvas).getContext('webgl2', {
      alpha: false,
      antialias: false,
      depth: false,
      premultipliedAlpha: false,
      preserveDrawingBuffer: true,
    });
    if (!gl) throw new Error('no WebGL2');
    this.gl = gl;
    const quad = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, quad);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    this.blur = this.program(blurShader());
    this.composite = this.program(COMPOSITE);
    this.frameTex = this.texture();
    this.maskTex = this.texture();
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
  }

  private program(fragment: string): Program {
    const gl = this.gl;
    const p = gl.createProgram()!;
    const stages = [
      { type: gl.VERTEX_SHADER, src: VERTEX },
      { type: gl.FRAGMENT_SHADER, src: fragment },
    ];
    for (let i = 0; i < stages.length; i++) {
      const type = stages[i]!.type;
      const src = stages[i]!.src;
      const s = gl.createShader(type)!;
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) ?? 'shader');
      gl.attachShader(p, s);
    }
    gl.bindAttribLocation(p, 0, 'p');
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(p) ?? 'link');
    return { program: p, uniform: (name) => gl.getUniformLocation(p, name) };
  }

  private texture(): WebGLTexture {
    const gl = this.gl;
    const t = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, t);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    return t;
  }

  private resize(width: number, height: number): void {
    if (this.size.width === width && this.size.height === height) return;
    const gl = this.gl;
    this.canvas.width = width;
    this.canvas.height = height;
    const small = downscaled(width, height);
    for (let i = 0; i < this.small.length; i++) {
      gl.deleteTexture(this.small[i]!.tex);
      gl.deleteFramebuffer(this.small[i]!.fbo);
    }
    this.small = [];
    for (let i = 0; i < 2; i++) {
      const tex = this.texture();
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, small.width, small.height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
      const fbo = gl.createFramebuffer()!;
      gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
      this.small[i] = { tex, fbo };
    }
    this.size = { width, height, small };
  }

  private pass(
    p: Program,
    target: WebGLFramebuffer | null,
    w: number,
    h: number,
    textures: { name: string; tex: WebGLTexture }[],
    flipY: boolean,
    step?: [number, number],
  ): void {
    const gl = this.gl;
    gl.useProgram(p.program);
    gl.bindFramebuffer(gl.FRAMEBUFFER, target);
    gl.viewport(0, 0, w, h);
    for (let i = 0; i < textures.length; i++) {
      gl.activeTexture(gl.TEXTURE0 + i);
      gl.bindTexture(gl.TEXTURE_2D, textures[i]!.tex);
      gl.uniform1i(p.uniform(textures[i]!.name), i);
    }
    gl.uniform1i(p.uniform('flipY'), flipY ? 1 : 0);
    if (step) gl.uniform2f(p.uniform('step'), step[0], step[1]);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
  }

  /**
   * Draws one output frame into `canvas`. `mask` is the person confidence (0..255) at maskW x maskH,
   * row 0 at the top like the frame. Null mask (no segmentation yet): everything stays sharp.
   */
  draw(
    frame: TexImageSource,
    width: number,
    height: number,
    mask: Uint8Array | null,
    maskW: number,
    maskH: number,
  ): void {
    const gl = this.gl;
    this.resize(width, height);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.frameTex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, frame);
    gl.bindTexture(gl.TEXTURE_2D, this.maskTex);
    if (mask) gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, maskW, maskH, 0, gl.RED, gl.UNSIGNED_BYTE, mask);
    else gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, 1, 1, 0, gl.RED, gl.UNSIGNED_BYTE, new Uint8Array([255]));
    const { width: sw, height: sh } = this.size.small;
    const a = this.small[0]!;
    const b = this.small[1]!;
    // Downscale (with the first horizontal blur, sampling the full-size frame), then V, H, V.
    this.pass(this.blur, a.fbo, sw, sh, [{ name: 'src', tex: this.frameTex }], false, [1 / width, 0]);
    this.pass(this.blur, b.fbo, sw, sh, [{ name: 'src', tex: a.tex }], false, [0, 1 / sh]);
    this.pass(this.blur, a.fbo, sw, sh, [{ name: 'src', tex: b.tex }], false, [1 / sw, 0]);
    this.pass(this.blur, b.fbo, sw, sh, [{ name: 'src', tex: a.tex }], false, [0, 1 / sh]);
    // The canvas's row 0 is its bottom: flip so the output is upright.
    this.pass(
      this.composite,
      null,
      width,
      height,
      [
        { name: 'frame', tex: this.frameTex },
        { name: 'background', tex: b.tex },
        { name: 'mask', tex: this.maskTex },
      ],
      true,
    );
  }
}
