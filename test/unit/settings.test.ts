import fc from 'fast-check';
import {
  DEFAULT_SETTINGS, FEATURES, mergeSettings, pageConfig, sanitizeSettings, type Settings,
} from '../../src/shared/settings';
import { anyValue } from './arbitraries';

describe('sanitizeSettings', () => {
  it('returns nothing and no warnings for undefined and null (nothing stored)', () => {
    expect(sanitizeSettings(undefined, 'storage.local')).toEqual({ value: {}, warnings: [] });
    expect(sanitizeSettings(null, 'policy')).toEqual({ value: {}, warnings: [] });
  });

  it('keeps a fully valid settings object without warnings', () => {
    const raw = { features: { capture: false, 'media-session': true } };
    expect(sanitizeSettings(raw, 'storage.local')).toEqual({ value: raw, warnings: [] });
  });

  it('keeps an empty object and an empty features object as they are', () => {
    expect(sanitizeSettings({}, 's')).toEqual({ value: {}, warnings: [] });
    expect(sanitizeSettings({ features: {} }, 's')).toEqual({ value: { features: {} }, warnings: [] });
  });

  it('ignores a non-object settings value with one warning naming the source', () => {
    for (const raw of [true, 0, 'features', [], [{ features: {} }], new Date(), Object.create({ features: { capture: false } })]) {
      expect(sanitizeSettings(raw, 'policy')).toEqual({ value: {}, warnings: ['policy: settings is not an object; ignored'] });
    }
  });

  it('drops unknown top-level keys with a warning each and keeps the features', () => {
    const r = sanitizeSettings({ features: { capture: false }, theme: 'dark', debug: true }, 'storage.local');
    expect(r.value).toEqual({ features: { capture: false } });
    expect(r.warnings).toEqual([
      'storage.local: unknown setting "theme" ignored',
      'storage.local: unknown setting "debug" ignored',
    ]);
  });

  it('drops a non-object "features" with a warning', () => {
    for (const features of [null, false, 'capture', ['capture'], 1]) {
      const r = sanitizeSettings({ features }, 'policy');
      expect(r.value).toEqual({});
      expect(r.warnings).toEqual(['policy: "features" is not an object; ignored']);
    }
  });

  it('treats features: undefined as absent', () => {
    expect(sanitizeSettings({ features: undefined }, 'p')).toEqual({ value: {}, warnings: [] });
  });

  it('drops unknown features and non-boolean values one by one, keeping the good ones', () => {
    const r = sanitizeSettings({ features: { capture: 'yes', 'media-session': false, webgpu: true } }, 'policy');
    expect(r.value).toEqual({ features: { 'media-session': false } });
    expect(r.warnings).toEqual([
      'policy: feature "capture" must be true or false; ignored',
      'policy: unknown feature "webgpu" ignored',
    ]);
  });

  it('does not accept truthy/falsy stand-ins for booleans', () => {
    for (const on of [0, 1, 'true', 'false', null, undefined, {}, new Boolean(false)]) {
      const r = sanitizeSettings({ features: { capture: on } }, 's');
      expect(r.value).toEqual({ features: {} });
      expect(r.warnings).toEqual(['s: feature "capture" must be true or false; ignored']);
    }
  });

  it('ignores prototype keys: inherited features do not count and "__proto__" is just an unknown name', () => {
    const raw: unknown = JSON.parse('{"features":{"__proto__":{"capture":false},"constructor":true},"__proto__":{"x":1}}');
    const r = sanitizeSettings(raw, 's');
    expect(r.value).toEqual({ features: {} });
    expect(Object.getPrototypeOf(r.value.features)).toBe(Object.prototype);
    expect(r.value.features!.capture).toBeUndefined();
    expect(r.warnings).toEqual([
      's: unknown setting "__proto__" ignored',
      's: unknown feature "__proto__" ignored',
      's: unknown feature "constructor" ignored',
    ]);
    expect(sanitizeSettings({ features: Object.create({ capture: false }) }, 's').value).toEqual({});
  });

  it('accepts null-prototype objects (as storage may hand back)', () => {
    const features = Object.assign(Object.create(null) as object, { capture: false });
    const raw = Object.assign(Object.create(null) as object, { features });
    expect(sanitizeSettings(raw, 's')).toEqual({ value: { features: { capture: false } }, warnings: [] });
  });

  it('never throws, and returns only known features with boolean values', () => {
    const settingsish = fc.oneof(
      anyValue,
      fc.record({ features: fc.oneof(anyValue, fc.dictionary(fc.oneof(fc.constantFrom(...FEATURES), fc.string()), anyValue)) }, { requiredKeys: [] }),
    );
    fc.assert(fc.property(settingsish, fc.string(), (raw, source) => {
      const { value, warnings } = sanitizeSettings(raw, source);
      expect(Object.keys(value).every((k) => k === 'features')).toBe(true);
      for (const [name, on] of Object.entries(value.features ?? {})) {
        expect(FEATURES).toContain(name);
        expect(typeof on).toBe('boolean');
      }
      expect(warnings.every((w) => typeof w === 'string' && w.startsWith(`${source}: `))).toBe(true);
    }), { numRuns: 1000 });
  });

  it('is a fixed point on its own output (sanitising sanitised settings warns about nothing)', () => {
    fc.assert(fc.property(anyValue, (raw) => {
      const once = sanitizeSettings(raw, 'a').value;
      expect(sanitizeSettings(once, 'b')).toEqual({ value: once, warnings: [] });
    }));
  });
});

describe('mergeSettings', () => {
  it('gives the defaults when neither the person nor policy set anything', () => {
    expect(mergeSettings({}, {})).toEqual(DEFAULT_SETTINGS);
  });

  it('lets the person override the defaults', () => {
    expect(mergeSettings({ features: { capture: false } as Settings['features'] }, {}).features)
      .toEqual({ capture: false, 'media-session': true });
  });

  it('lets policy override the person, feature by feature', () => {
    const user = { features: { capture: false, 'media-session': false } };
    const policy = { features: { capture: true } as Settings['features'] };
    expect(mergeSettings(user, policy).features).toEqual({ capture: true, 'media-session': false });
  });

  it('lets policy override the defaults when the person set nothing', () => {
    expect(mergeSettings({}, { features: { 'media-session': false } as Settings['features'] }).features)
      .toEqual({ capture: true, 'media-session': false });
  });

  it('does not mutate its inputs or the defaults', () => {
    const user = { features: { capture: false } as Settings['features'] };
    const policy = { features: { 'media-session': false } as Settings['features'] };
    const before = JSON.stringify([user, policy, DEFAULT_SETTINGS]);
    const merged = mergeSettings(user, policy);
    merged.features.capture = true;
    expect(JSON.stringify([user, policy, DEFAULT_SETTINGS])).toBe(before);
    expect(merged.features).not.toBe(DEFAULT_SETTINGS.features);
  });

  it('property: policy > person > default for every feature, after sanitising anything', () => {
    const side = fc.oneof(anyValue, fc.record({ features: fc.dictionary(fc.constantFrom(...FEATURES), fc.oneof(fc.boolean(), anyValue)) }));
    fc.assert(fc.property(side, side, (rawUser, rawPolicy) => {
      const user = sanitizeSettings(rawUser, 'u').value;
      const policy = sanitizeSettings(rawPolicy, 'p').value;
      const merged = mergeSettings(user, policy);
      expect(Object.keys(merged.features).sort()).toEqual([...FEATURES].sort());
      for (const f of FEATURES) {
        const expected = policy.features?.[f] ?? user.features?.[f] ?? DEFAULT_SETTINGS.features[f];
        expect(merged.features[f]).toBe(expected);
      }
    }));
  });
});

describe('pageConfig', () => {
  it('copies the features and nothing else', () => {
    const settings = { features: { capture: false, 'media-session': true }, secret: 'x' } as Settings;
    const cfg = pageConfig(settings);
    expect(cfg).toEqual({ features: { capture: false, 'media-session': true } });
    expect(cfg.features).not.toBe(settings.features);
  });
});
