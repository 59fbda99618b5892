// The page's width / height / frameRate for a capture that Chromium opens through the legacy
// `chromeMediaSource` constraint, which knows only min/max numbers. A bare value or `ideal` becomes an
// upper bound: a shared surface is scaled down to fit, never up. Pure, so the unit tests can reach it.
import { isRecord } from '../../shared/validate';
import type { Json, LegacySize, ScreenSize } from '../../shared/protocol';

interface Range {
  min?: number;
  max?: number;
}

const positive = (v: Json | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

function rangeOf(v: Json | undefined): Range {
  if (positive(v)) return { max: v };
  if (!isRecord(v)) return {};
  const r: Range = {};
  if (positive(v.exact)) return { min: v.exact, max: v.exact };
  if (positive(v.min)) r.min = v.min;
  if (positive(v.max)) r.max = v.max;
  else if (positive(v.ideal)) r.max = v.ideal;
  if (r.min !== undefined && r.max !== undefined && r.min > r.max) delete r.min;
  return r;
}

export function legacySize(size: ScreenSize | undefined): LegacySize {
  const out: LegacySize = {};
  const put = (key: 'Width' | 'Height' | 'FrameRate', v: Json | undefined, round: (n: number) => number) => {
    const r = rangeOf(v);
    if (r.min !== undefined) out[`min${key}`] = round(r.min);
    if (r.max !== undefined) out[`max${key}`] = round(r.max);
  };
  // Whole pixels, at least one: a tiny positive value must not become a 0 that Chromium refuses.
  const pixels = (n: number) => Math.max(1, Math.round(n));
  put('Width', size?.width, pixels);
  put('Height', size?.height, pixels);
  put('FrameRate', size?.frameRate, (n) => n);
  return out;
}
