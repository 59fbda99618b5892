// The figures' statistics: medians, the bootstrap comparison of the two configurations and the
// verdicts against a goal. No browsers and no I/O here: the harness's progress lines and every table of
// the report (the floor part's too) compute from these same functions.
import type { Comparison } from './types';

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Deterministic PRNG so that reruns on the same samples give the same interval. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Medians, their ratio and 95% bootstrap intervals; `none` is empty for a metric measured with the
 * extension only (its ratio fields are then NaN). With `launches` (the launch each sample came from,
 * per configuration), the bootstrap resamples launches first and samples within them: one browser
 * launch differs from the next by several percent in ms-scale calls, more than a launch's own samples
 * vary, and an interval from samples alone would hide that.
 */
export function compare(
  none: readonly number[],
  ext: readonly number[],
  launches?: { none: readonly number[]; ext: readonly number[] },
): Comparison {
  const random = mulberry32(0x5eed);
  const resample = (xs: readonly number[]) => Array.from(xs, () => xs[Math.floor(random() * xs.length)]!);
  const interval = (xs: number[]): [number, number] => {
    xs.sort((a, b) => a - b);
    return xs.length ? [xs[Math.floor(xs.length * 0.025)]!, xs[Math.floor(xs.length * 0.975)]!] : [NaN, NaN];
  };
  // Per launch: its samples of each configuration (one launch = one pair of browsers, both configurations).
  const groups = new Map<number, { none: number[]; ext: number[] }>();
  if (launches) {
    const group = (l: number) => groups.get(l) ?? (groups.set(l, { none: [], ext: [] }), groups.get(l)!);
    none.forEach((x, i) => group(launches.none[i]!).none.push(x));
    ext.forEach((x, i) => group(launches.ext[i]!).ext.push(x));
  }
  const pairs = [...groups.values()];
  const draw = (): { none: number[]; ext: number[] } => {
    if (pairs.length < 2) return { none: resample(none), ext: resample(ext) };
    const out = { none: [] as number[], ext: [] as number[] };
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[Math.floor(random() * pairs.length)]!;
      out.none.push(...resample(p.none));
      out.ext.push(...resample(p.ext));
    }
    return out;
  };
  const ratios: number[] = [];
  const medians: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const d = draw();
    const m = median(d.ext);
    medians.push(m);
    if (none.length) ratios.push(m / median(d.none));
  }
  const m0 = median(none);
  const m1 = median(ext);
  const [low, high] = interval(ratios);
  const [extensionLow, extensionHigh] = interval(medians);
  return { none: m0, extension: m1, ratio: m1 / m0, low, high, extensionLow, extensionHigh };
}

/** Verdict for "ratio <= limit". */
export const ratioAtMost =
  (limit: number) =>
  (c: Comparison): string => {
    if (!Number.isFinite(c.ratio)) return 'no data';
    if (c.ratio <= limit) return 'met';
    return c.low <= limit ? 'not met (but within noise)' : '**not met**';
  };

/** Verdict for "no measurable cost": is 1 inside the interval? */
export const noMeasurableCost = (c: Comparison): string => {
  if (!Number.isFinite(c.ratio)) return 'no data';
  if (c.low <= 1 && c.high >= 1) return 'no measurable difference';
  return `measurable: ${c.ratio > 1 ? '+' : ''}${((c.ratio - 1) * 100).toFixed(1)}%`;
};

/** Verdict for "median with MediaGate <= limit ms" (a metric measured with the extension only). */
export const medianAtMost =
  (limit: number) =>
  (c: Comparison): string => {
    if (!Number.isFinite(c.extension)) return 'no data';
    if (c.extension <= limit) return 'met';
    return c.extensionLow <= limit ? 'not met (but within noise)' : '**not met**';
  };

export const fmt = (ms: number) => (Number.isFinite(ms) ? (ms < 10 ? ms.toFixed(3) : ms.toFixed(1)) : 'n/a');
