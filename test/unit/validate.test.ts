import { isArrayOf, isBoolean, isFiniteNumber, isOneOf, isRecord, isString, quoted } from '../../src/shared/validate';

describe('isRecord', () => {
  it('accepts plain objects, including empty ones and JSON.parse results', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1, b: { c: 2 } })).toBe(true);
    expect(isRecord(JSON.parse('{"x":[1,2,3]}'))).toBe(true);
  });

  it('accepts objects with a null prototype', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.a = 1;
    expect(isRecord(o)).toBe(true);
  });

  it('accepts an own "__proto__" key (as JSON.parse creates it): the prototype is unchanged', () => {
    const o: unknown = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(isRecord(o)).toBe(true);
  });

  it('rejects null, undefined and primitives', () => {
    for (const v of [null, undefined, 0, 1, NaN, '', 'x', true, false, 10n, Symbol('s')]) {
      expect(isRecord(v)).toBe(false);
    }
  });

  it('rejects arrays (also empty and null-prototype ones)', () => {
    expect(isRecord([])).toBe(false);
    expect(isRecord([1, 2])).toBe(false);
    const arr: unknown[] = [];
    Object.setPrototypeOf(arr, null);
    expect(isRecord(arr)).toBe(false);
    const arr2: unknown[] = [];
    Object.setPrototypeOf(arr2, Object.prototype);
    expect(isRecord(arr2)).toBe(false);
  });

  it('rejects functions', () => {
    expect(isRecord(() => 1)).toBe(false);
    expect(
      isRecord(function named() {
        return 1;
      }),
    ).toBe(false);
  });

  it('rejects class instances and built-ins', () => {
    class Foo {
      a = 1;
    }
    for (const v of [
      new Foo(),
      new Date(),
      /re/,
      new Map(),
      new Set(),
      new Error('e'),
      Promise.resolve(),
      new Uint8Array(2),
      new String('s'),
      new Number(1),
    ]) {
      expect(isRecord(v)).toBe(false);
    }
  });

  it('rejects objects whose prototype is another plain object (inherited fields never count)', () => {
    const base = { channel: 'page' };
    expect(isRecord(Object.create(base))).toBe(false);
    expect(isRecord({ __proto__: base })).toBe(false);
  });
});

describe('scalar checks', () => {
  it('isString', () => {
    expect(isString('')).toBe(true);
    expect(isString('x')).toBe(true);
    expect(isString(new String('x'))).toBe(false);
    expect(isString(1)).toBe(false);
    expect(isString(null)).toBe(false);
  });

  it('isBoolean', () => {
    expect(isBoolean(true)).toBe(true);
    expect(isBoolean(false)).toBe(true);
    expect(isBoolean(0)).toBe(false);
    expect(isBoolean('true')).toBe(false);
    expect(isBoolean(new Boolean(true))).toBe(false);
  });

  it('isFiniteNumber', () => {
    expect(isFiniteNumber(0)).toBe(true);
    expect(isFiniteNumber(-1.5)).toBe(true);
    expect(isFiniteNumber(Number.MAX_VALUE)).toBe(true);
    for (const v of [NaN, Infinity, -Infinity, '1', 1n, null, undefined, new Number(1)]) {
      expect(isFiniteNumber(v)).toBe(false);
    }
  });
});

describe('isOneOf', () => {
  const opts = ['audio', 'video'] as const;

  it('accepts exactly the listed strings', () => {
    expect(isOneOf('audio', opts)).toBe(true);
    expect(isOneOf('video', opts)).toBe(true);
  });

  it('is case- and whitespace-sensitive', () => {
    expect(isOneOf('Audio', opts)).toBe(false);
    expect(isOneOf(' audio', opts)).toBe(false);
    expect(isOneOf('', opts)).toBe(false);
  });

  it('rejects non-strings, even ones that stringify to an option', () => {
    expect(isOneOf(['audio'], opts)).toBe(false);
    expect(isOneOf({ toString: () => 'audio' }, opts)).toBe(false);
    expect(isOneOf(new String('audio'), opts)).toBe(false);
    expect(isOneOf(null, opts)).toBe(false);
    expect(isOneOf(undefined, opts)).toBe(false);
  });

  it('rejects everything for an empty option list', () => {
    expect(isOneOf('audio', [])).toBe(false);
  });
});

describe('isArrayOf', () => {
  it('accepts arrays whose every item passes, up to maxLength inclusive', () => {
    expect(isArrayOf([], isString, 0)).toBe(true);
    expect(isArrayOf(['a', 'b'], isString, 2)).toBe(true);
    expect(isArrayOf(['a'], isString, 5)).toBe(true);
  });

  it('rejects arrays longer than maxLength', () => {
    expect(isArrayOf(['a'], isString, 0)).toBe(false);
    expect(isArrayOf(['a', 'b', 'c'], isString, 2)).toBe(false);
  });

  it('rejects arrays with one bad item', () => {
    expect(isArrayOf(['a', 1], isString, 10)).toBe(false);
    expect(isArrayOf([1, 'a'], isString, 10)).toBe(false);
  });

  it('rejects non-arrays, including array-likes', () => {
    expect(isArrayOf({ length: 0 }, isString, 10)).toBe(false);
    expect(isArrayOf('abc', isString, 10)).toBe(false);
    expect(isArrayOf(null, isString, 10)).toBe(false);
    expect(isArrayOf(undefined, isString, 10)).toBe(false);
  });

  it('checks the length before the items', () => {
    const item = jest.fn(isString);
    expect(isArrayOf(['a', 'b', 'c'], item as unknown as (x: unknown) => x is string, 2)).toBe(false);
    expect(item).not.toHaveBeenCalled();
  });

  it("checks a sparse array's holes too (they are undefined, not skipped)", () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [, 'a'] as unknown[];
    expect(isArrayOf(sparse, isString, 2)).toBe(false);
    expect(isArrayOf(new Array(3), isString, 3)).toBe(false);
  });
});

describe('quoted', () => {
  it('quotes strings whole up to the limit and shortens longer ones', () => {
    expect(quoted('camera')).toBe('"camera"');
    const long = quoted('x'.repeat(100_000));
    expect(long).toBe(`"${'x'.repeat(80)}…"`);
    expect(quoted('abcdef', 3)).toBe('"abc…"');
  });

  it('shows other values as JSON, and never throws', () => {
    expect(quoted(42)).toBe('"42"');
    expect(quoted({ origin: 'x' })).toBe('"{"origin":"x"}"');
    expect(quoted(undefined)).toBe('"undefined"');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(quoted(cycle)).toBe('"object"');
    expect(quoted(10n)).toBe('"bigint"');
  });
});
