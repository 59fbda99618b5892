// Reading and removing effect constraints from a page's track constraints.
import fc from 'fast-check';
import { isPowerEfficientFormat, mentions, readEffect, stripEffect } from '../../src/shared/effect-constraints';

const K = 'voiceIsolation';

describe('effect constraints', () => {
  it('reads bare values as ideal, exact as required, advanced as ideal; the basic set wins', () => {
    expect(readEffect({ [K]: true }, K)).toEqual({ value: true, required: false });
    expect(readEffect({ [K]: { exact: true } }, K)).toEqual({ value: true, required: true });
    expect(readEffect({ [K]: { ideal: false } }, K)).toEqual({ value: false, required: false });
    expect(readEffect({ advanced: [{ width: 1 }, { [K]: true }] }, K)).toEqual({ value: true, required: false });
    expect(readEffect({ [K]: false, advanced: [{ [K]: true }] }, K)).toEqual({ value: false, required: false });
    for (const v of [undefined, null, 1, 'true', {}, { exact: 'yes' }]) expect(readEffect({ [K]: v }, K)).toBeNull();
    expect(readEffect(true, K)).toBeNull();
  });
  it('never runs page getters while reading', () => {
    const hostile = Object.defineProperty({}, K, {
      get() {
        throw new Error('page getter ran');
      },
      enumerable: true,
    });
    expect(mentions(hostile, K)).toBe(true);
    expect(readEffect(hostile, K)).toBeNull();
  });
  it('strips the key everywhere and keeps everything else, getters included', () => {
    let reads = 0;
    const c = Object.defineProperty(
      { [K]: true, echoCancellation: false, advanced: [{ [K]: true, width: 640 }, 7] },
      'deviceId',
      {
        get() {
          reads++;
          return 'x';
        },
        enumerable: true,
      },
    );
    const s = stripEffect(c, K) as Record<string, unknown>;
    expect(K in s).toBe(false);
    expect(s.echoCancellation).toBe(false);
    expect(s.advanced).toEqual([{ width: 640 }, 7]);
    expect(reads).toBe(0);
    expect(s.deviceId).toBe('x');
    expect(c[K]).toBe(true); // the page's object is untouched
    const untouched = { width: 1 };
    expect(stripEffect(untouched, K)).toBe(untouched);
  });
  it('property: after stripping, the key is gone and nothing else changed', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.boolean(), (rest, v) => {
        const c = { ...rest, [K]: v };
        const s = stripEffect(c, K) as Record<string, unknown>;
        expect(mentions(s, K)).toBe(false);
        const expected = { ...rest } as Record<string, unknown>;
        delete expected[K];
        if (Array.isArray(expected.advanced))
          expected.advanced = (expected.advanced as unknown[]).map((a) =>
            a && typeof a === 'object' ? Object.fromEntries(Object.entries(a).filter(([k]) => k !== K)) : a,
          );
        expect(s).toEqual(expected);
      }),
    );
  });
});

describe('isPowerEfficientFormat', () => {
  it('NV12 is power-efficient; converted or decoded formats are not; no format is unknown', () => {
    expect(isPowerEfficientFormat('NV12')).toBe(true);
    for (const f of ['I420', 'I420A', 'I422', 'I444', 'RGBA', 'RGBX', 'BGRA', 'BGRX', 'I420P10'])
      expect(isPowerEfficientFormat(f)).toBe(false);
    expect(isPowerEfficientFormat(null)).toBeNull();
    expect(isPowerEfficientFormat(undefined)).toBeNull();
    expect(isPowerEfficientFormat('')).toBeNull();
  });
});
