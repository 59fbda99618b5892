import {
  EMBARGO,
  clearEmbargo,
  isEmbargoed,
  noteDismissal,
  parseEmbargo,
  pruneEmbargo,
  type EmbargoTable,
} from '../../src/background/picker/embargo-rules';

const O = 'https://site.example';
const DAY = 24 * 60 * 60 * 1000;
const fresh = (): EmbargoTable => parseEmbargo(undefined);

describe('permission embargo', () => {
  it('starts after the third dismissal and lasts its length, per kind', () => {
    const t = fresh();
    noteDismissal(t, O, 'camera', 0);
    noteDismissal(t, O, 'camera', 1000);
    expect(isEmbargoed(t, O, 'camera', 1001)).toBe(false);
    noteDismissal(t, O, 'camera', 2000);
    expect(isEmbargoed(t, O, 'camera', 2001)).toBe(true);
    expect(isEmbargoed(t, O, 'microphone', 2001)).toBe(false);
    expect(isEmbargoed(t, 'https://other.example', 'camera', 2001)).toBe(false);
    expect(isEmbargoed(t, O, 'camera', 2000 + EMBARGO.ms - 1)).toBe(true);
    expect(isEmbargoed(t, O, 'camera', 2000 + EMBARGO.ms)).toBe(false);
  });

  it('chooses the numbers of Chromium: 3 dismissals, 7 days', () => {
    expect(EMBARGO).toEqual({ dismissals: 3, ms: 7 * DAY });
  });

  it('forgets dismissals older than the embargo length', () => {
    const t = fresh();
    noteDismissal(t, O, 'camera', 0);
    noteDismissal(t, O, 'camera', 2 * DAY);
    noteDismissal(t, O, 'camera', 8 * DAY + 1); // the first is 8 days old: two count
    expect(isEmbargoed(t, O, 'camera', 8 * DAY + 2)).toBe(false);
    noteDismissal(t, O, 'camera', 8 * DAY + 3);
    expect(isEmbargoed(t, O, 'camera', 8 * DAY + 4)).toBe(true);
  });

  it('after an embargo, the count starts again', () => {
    const t = fresh();
    for (const at of [0, 1, 2]) noteDismissal(t, O, 'microphone', at);
    const after = 2 + EMBARGO.ms;
    noteDismissal(t, O, 'microphone', after);
    expect(isEmbargoed(t, O, 'microphone', after + 1)).toBe(false);
  });

  it('the person deciding clears count and embargo', () => {
    const t = fresh();
    for (const at of [0, 1, 2]) noteDismissal(t, O, 'camera', at);
    noteDismissal(t, O, 'microphone', 3);
    clearEmbargo(t, O, 'camera');
    expect(isEmbargoed(t, O, 'camera', 4)).toBe(false);
    expect(t[O]?.microphone?.dismissed).toEqual([3]);
    clearEmbargo(t, O, 'microphone');
    expect(t[O]).toBeUndefined();
  });

  it('pruning drops what no longer counts and keeps live embargoes', () => {
    const t = fresh();
    noteDismissal(t, 'https://old.example', 'camera', 0);
    for (const at of [0, 1, 2]) noteDismissal(t, O, 'camera', at);
    pruneEmbargo(t, EMBARGO.ms - 1);
    expect(Object.keys(t).sort()).toEqual(['https://old.example', O].sort());
    pruneEmbargo(t, EMBARGO.ms + 10);
    expect(Object.keys(t)).toEqual([]);
  });

  it('parses hostile stored values into an empty or partial table, never throwing', () => {
    for (const raw of [null, 42, 'x', [], { [O]: 'x' }, { [O]: { camera: { dismissed: 'no' } } }]) {
      expect(Object.keys(parseEmbargo(raw))).toEqual([]);
    }
    const t = parseEmbargo({
      [O]: { camera: { dismissed: [1, 'x', null, 2, 3, 4], until: 'later' }, microphone: { dismissed: [], until: 9 } },
      ['__proto__']: { camera: { dismissed: [1] } },
    });
    expect(t[O]).toEqual({ camera: { dismissed: [2, 3, 4] }, microphone: { dismissed: [], until: 9 } });
    expect(isEmbargoed(t, O, 'microphone', 5)).toBe(true);
  });
});
