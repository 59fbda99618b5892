import { parsePickerSites, usesPicker, withPickerSite } from '../../src/shared/picker-sites';

describe('picker sites (label policy "hide after user-chooses")', () => {
  it('corrupt storage means no site has asked', () => {
    for (const raw of [undefined, null, 42, 'x', [], { 'https://a.test': 'soon' }])
      expect(usesPicker(raw, 'https://a.test')).toBe(false);
    expect(parsePickerSites({ 'https://a.test': 1, 'https://b.test': NaN })).toEqual({ 'https://a.test': 1 });
  });
  it('a listed origin uses the picker; no other origin does, nor an opaque one', () => {
    const raw = withPickerSite(undefined, 'https://a.test', 5);
    expect(usesPicker(raw, 'https://a.test')).toBe(true);
    expect(usesPicker(raw, 'https://b.test')).toBe(false);
    expect(usesPicker(raw, null)).toBe(false);
    expect(usesPicker(raw, '__proto__')).toBe(false);
  });
  it('adding a listed origin writes nothing; past the cap the oldest go', () => {
    expect(withPickerSite({ 'https://a.test': 1 }, 'https://a.test', 9)).toBeNull();
    let raw: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) raw[`https://s${i}.test`] = i;
    raw = withPickerSite(raw, 'https://new.test', 5000)!;
    expect(Object.keys(raw)).toHaveLength(2000);
    expect(usesPicker(raw, 'https://new.test')).toBe(true);
    expect(usesPicker(raw, 'https://s0.test')).toBe(false);
    expect(usesPicker(raw, 'https://s1999.test')).toBe(true);
  });
});
