import fc from 'fast-check';
import { STAND_IN, swapIn, standInIndex } from '../../src/shared/track-transfer';

describe('swapIn (stand-ins for transferred tracks)', () => {
  const track = { kind: 'video' };
  const swap = (x: object) => (x === track ? { [STAND_IN]: 0 } : undefined);

  it('replaces the object wherever a structured clone would keep it', () => {
    const out = swapIn({ a: [track, { b: new Map([[track, track]]) }], s: new Set([track]) }, swap) as any;
    expect(out.a[0]).toEqual({ [STAND_IN]: 0 });
    expect([...out.a[1].b.entries()]).toEqual([[{ [STAND_IN]: 0 }, { [STAND_IN]: 0 }]]);
    expect([...out.s]).toEqual([{ [STAND_IN]: 0 }]);
  });

  it('keeps cycles and shared references, and leaves other objects as they are', () => {
    const shared = { x: 1 };
    const root: any = { shared, again: shared, date: new Date(0), buf: new ArrayBuffer(2) };
    root.self = root;
    const out = swapIn(root, swap) as any;
    expect(out).not.toBe(root);
    expect(out.self).toBe(out);
    expect(out.shared).toBe(out.again);
    expect(out.date).toBe(root.date);
    expect(out.buf).toBe(root.buf);
  });

  it('is the identity (as a structured clone sees it) when there is nothing to swap', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(swapIn(v, () => undefined)).toEqual(v);
      }),
    );
  });

  it('keeps an own "__proto__" key a key', () => {
    const out = swapIn(JSON.parse('{"__proto__": {"polluted": true}, "t": 1}'), swap) as any;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 't']);
  });

  it('reads a stand-in only when it is exactly one', () => {
    expect(standInIndex({ [STAND_IN]: 2 })).toBe(2);
    expect(standInIndex({ [STAND_IN]: 2, other: 1 })).toBeUndefined();
    expect(standInIndex({ [STAND_IN]: '2' })).toBeUndefined();
    expect(standInIndex({})).toBeUndefined();
  });
});
