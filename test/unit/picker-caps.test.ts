import { CAPS, overCap, requestBytes, type PendingLoad } from '../../src/background/picker/caps';

const load = (tabId: number, origin: string, ...bytes: number[]): PendingLoad => ({ tabId, origin, bytes });
const A = 'https://a.example';
const B = 'https://b.example';

describe('picker caps', () => {
  it('admits requests up to the per-origin count and refuses the next', () => {
    const full = load(1, A, ...Array<number>(CAPS.requestsPerOrigin).fill(100));
    expect(overCap([load(1, A, ...Array<number>(CAPS.requestsPerOrigin - 1).fill(100))], 1, A, 100)).toBeNull();
    expect(overCap([full], 1, A, 100)).toMatch(/Too many/);
  });

  it('counts per tab and origin: another tab, or another origin under the tab cap, is not affected', () => {
    const full = load(1, A, ...Array<number>(CAPS.requestsPerOrigin).fill(100));
    expect(overCap([full], 2, A, 100)).toBeNull();
    expect(overCap([full], 1, B, 100)).toBeNull();
  });

  it('caps every origin of one tab together', () => {
    const origins = Array.from({ length: CAPS.requestsPerTab }, (_, i) => load(1, `https://o${i}.example`, 10));
    expect(overCap(origins, 1, B, 10)).toMatch(/Too many/);
    expect(overCap(origins, 2, B, 10)).toBeNull();
  });

  it('refuses by size, per origin and per tab', () => {
    expect(overCap([], 1, A, CAPS.bytesPerOrigin + 1)).toMatch(/too large/);
    expect(overCap([load(1, A, CAPS.bytesPerOrigin - 10)], 1, A, 10)).toBeNull();
    expect(overCap([load(1, A, CAPS.bytesPerOrigin - 10)], 1, A, 11)).toMatch(/too large/);
    const others = [1, 2, 3, 4].map((i) => load(1, `https://o${i}.example`, CAPS.bytesPerTab / 4));
    expect(overCap(others, 1, B, 1)).toMatch(/too large/);
    expect(overCap(others, 2, B, 1)).toBeNull();
  });

  it('a request of the largest shape the protocol lets through (~400 KB) is over the size cap on its own', () => {
    const big = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`${i}`.padEnd(512, 'k'), 'v'.repeat(512)]));
    const bytes = requestBytes({
      audio: { constraints: big, candidates: null },
      video: { constraints: big, candidates: null },
    });
    expect(bytes).toBeGreaterThan(200_000);
    expect(overCap([], 1, A, bytes)).toMatch(/too large/);
  });

  it('measures UTF-8 bytes, not characters', () => {
    const ascii = requestBytes({ audio: { constraints: 'a'.repeat(100), candidates: null } });
    const wide = requestBytes({ audio: { constraints: '€'.repeat(100), candidates: null } });
    expect(wide - ascii).toBe(200);
  });
});
