// The permission element's style rules (the browser enforces them for its native element; MediaGate
// checks them in script). Pure functions over computed-style strings, so they are unit tested.

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Parses the rgb()/rgba() strings getComputedStyle returns (both comma and space syntax). */
export function parseColor(css: string): Rgba | null {
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(css.trim());
  if (!m) return css.trim() === 'transparent' ? { r: 0, g: 0, b: 0, a: 0 } : null;
  const alpha = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
  const c = { r: +m[1]!, g: +m[2]!, b: +m[3]!, a: alpha };
  // No array methods: a page-replaced Array.prototype.every would receive the callback.
  const finite = Number.isFinite(c.r) && Number.isFinite(c.g) && Number.isFinite(c.b) && Number.isFinite(c.a);
  return finite && c.r <= 255 && c.g <= 255 && c.b <= 255 && c.a <= 1 ? c : null;
}

/** `top` painted over `bottom` (which is opaque). */
export function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top.a;
  return {
    r: top.r * a + bottom.r * (1 - a),
    g: top.g * a + bottom.g * (1 - a),
    b: top.b * a + bottom.b * (1 - a),
    a: 1,
  };
}

/** WCAG 2 relative luminance of an opaque colour. */
export function luminance({ r, g, b }: Rgba): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio, 1..21. */
export function contrast(a: Rgba, b: Rgba): number {
  const la = luminance(a);
  const lb = luminance(b);
  const hi = la > lb ? la : lb;
  const lo = la > lb ? lb : la;
  return (hi + 0.05) / (lo + 0.05);
}

/** CSS `small` and `xx-large` at the default 16 px medium. */
export const FONT_MIN_PX = 13;
export const FONT_MAX_PX = 32;
export const CONTRAST_MIN = 3;
/** Beyond these the "button" could be stretched over page content to catch unrelated clicks. */
export const MAX_WIDTH_EM = 20;
export const MAX_HEIGHT_EM = 4;

export interface StyleFacts {
  color: string;
  /** Backgrounds from the element up to the root, nearest first (computed background-color). */
  backgrounds: string[];
  fontSizePx: number;
  opacity: number;
  visibility: string;
  width: number;
  height: number;
}

/** Whether the element's style lets a person read and recognise it, as the permission element requires. */
export function styleValid(f: StyleFacts): boolean {
  if (f.visibility !== 'visible' || f.opacity < 1) return false;
  if (!(f.fontSizePx >= FONT_MIN_PX && f.fontSizePx <= FONT_MAX_PX)) return false;
  if (f.width > MAX_WIDTH_EM * f.fontSizePx || f.height > MAX_HEIGHT_EM * f.fontSizePx) return false;
  // The visible background: the stack of (partly) transparent backgrounds over the white canvas.
  let bg: Rgba = { r: 255, g: 255, b: 255, a: 1 };
  for (let i = f.backgrounds.length - 1; i >= 0; i--) {
    const c = parseColor(f.backgrounds[i]!);
    if (c && c.a > 0) bg = over(c, bg);
  }
  const text = parseColor(f.color);
  if (!text) return false;
  return contrast(over(text, bg), bg) >= CONTRAST_MIN;
}
