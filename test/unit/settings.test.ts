import fc from 'fast-check';
import {
  DEFAULT_SETTINGS,
  FEATURES,
  LABEL_POLICIES,
  SEMANTICS,
  mergeSettings,
  pageConfig,
  pinnedByPolicy,
  sanitizeSettings,
  type Settings,
  type SiteView,
} from '../../src/shared/settings';
import { FEATURE_RENAMES } from '../../src/shared/features';
import { anyValue } from './arbitraries';

const SETTING_NAMES: string[] = Object.keys(DEFAULT_SETTINGS);
const SCALAR_NAMES = ['defaultSemantics', 'labelPolicy', 'alwaysShowPicker'] as const;

/** Anything, and settings-shaped records whose fields are valid or anything. */
const settingsish = fc.oneof(
  anyValue,
  fc.record(
    {
      features: fc.oneof(
        anyValue,
        fc.dictionary(fc.oneof(fc.constantFrom(...FEATURES), fc.string()), fc.oneof(fc.boolean(), anyValue)),
      ),
      defaultSemantics: fc.oneof(fc.constantFrom(...SEMANTICS), anyValue),
      labelPolicy: fc.oneof(fc.constantFrom(...LABEL_POLICIES), anyValue),
      alwaysShowPicker: fc.oneof(fc.boolean(), anyValue),
    },
    { requiredKeys: [] },
  ),
);

describe('sanitizeSettings', () => {
  it('returns nothing and no warnings for undefined and null (nothing stored)', () => {
    expect(sanitizeSettings(undefined, 'storage.local')).toEqual({ value: {}, warnings: [] });
    expect(sanitizeSettings(null, 'policy')).toEqual({ value: {}, warnings: [] });
  });

  it('keeps a fully valid settings object without warnings', () => {
    const raw = {
      features: { 'call-detection': false, 'media-session': true, 'picker-semantics': true, 'label-hiding': false },
    };
    expect(sanitizeSettings(raw, 'storage.local')).toEqual({ value: raw, warnings: [] });
  });

  it('keeps an empty object and an empty features object as they are', () => {
    expect(sanitizeSettings({}, 's')).toEqual({ value: {}, warnings: [] });
    expect(sanitizeSettings({ features: {} }, 's')).toEqual({ value: { features: {} }, warnings: [] });
  });

  it('ignores a non-object settings value with one warning naming the source', () => {
    for (const raw of [
      true,
      0,
      'features',
      [],
      [{ features: {} }],
      new Date(),
      Object.create({ features: { 'call-detection': false } }),
    ]) {
      expect(sanitizeSettings(raw, 'policy')).toEqual({
        value: {},
        warnings: ['policy: settings is not an object; ignored'],
      });
    }
  });

  it('drops unknown top-level keys with a warning each and keeps the features', () => {
    const r = sanitizeSettings({ features: { 'call-detection': false }, theme: 'dark', debug: true }, 'storage.local');
    expect(r.value).toEqual({ features: { 'call-detection': false } });
    expect(r.warnings).toEqual([
      'storage.local: unknown setting "theme" ignored',
      'storage.local: unknown setting "debug" ignored',
    ]);
  });

  it('drops a non-object "features" with a warning', () => {
    for (const features of [null, false, 'call-detection', ['call-detection'], 1]) {
      const r = sanitizeSettings({ features }, 'policy');
      expect(r.value).toEqual({});
      expect(r.warnings).toEqual(['policy: "features" is not an object; ignored']);
    }
  });

  it('treats features: undefined as absent', () => {
    expect(sanitizeSettings({ features: undefined }, 'p')).toEqual({ value: {}, warnings: [] });
  });

  it('drops unknown features and non-boolean values one by one, keeping the good ones', () => {
    const r = sanitizeSettings(
      { features: { 'call-detection': 'yes', 'media-session': false, webgpu: true } },
      'policy',
    );
    expect(r.value).toEqual({ features: { 'media-session': false } });
    expect(r.warnings).toEqual([
      'policy: feature "call-detection" must be true or false; ignored',
      'policy: unknown feature "webgpu" ignored',
    ]);
  });

  it('does not accept truthy/falsy stand-ins for booleans', () => {
    for (const on of [0, 1, 'true', 'false', null, undefined, {}, new Boolean(false)]) {
      const r = sanitizeSettings({ features: { 'call-detection': on } }, 's');
      expect(r.value).toEqual({ features: {} });
      expect(r.warnings).toEqual(['s: feature "call-detection" must be true or false; ignored']);
    }
  });

  it('ignores prototype keys: inherited features do not count and "__proto__" is just an unknown name', () => {
    const raw: unknown = JSON.parse(
      '{"features":{"__proto__":{"call-detection":false},"constructor":true},"__proto__":{"x":1}}',
    );
    const r = sanitizeSettings(raw, 's');
    expect(r.value).toEqual({ features: {} });
    expect(Object.getPrototypeOf(r.value.features)).toBe(Object.prototype);
    expect(r.value.features!['call-detection']).toBeUndefined();
    expect(r.warnings).toEqual([
      's: unknown setting "__proto__" ignored',
      's: unknown feature "__proto__" ignored',
      's: unknown feature "constructor" ignored',
    ]);
    expect(sanitizeSettings({ features: Object.create({ 'call-detection': false }) }, 's').value).toEqual({});
  });

  it('accepts null-prototype objects (as storage may hand back)', () => {
    const features = Object.assign(Object.create(null) as object, { 'call-detection': false });
    const raw = Object.assign(Object.create(null) as object, { features });
    expect(sanitizeSettings(raw, 's')).toEqual({ value: { features: { 'call-detection': false } }, warnings: [] });
  });

  it('never throws, and returns only known settings with valid values', () => {
    fc.assert(
      fc.property(settingsish, fc.string(), (raw, source) => {
        const { value, warnings } = sanitizeSettings(raw, source);
        expect(Object.keys(value).every((k) => SETTING_NAMES.includes(k))).toBe(true);
        for (const [name, on] of Object.entries(value.features ?? {})) {
          expect(FEATURES).toContain(name);
          expect(typeof on).toBe('boolean');
        }
        if (Object.hasOwn(value, 'defaultSemantics')) expect(SEMANTICS).toContain(value.defaultSemantics);
        if (Object.hasOwn(value, 'labelPolicy')) expect(LABEL_POLICIES).toContain(value.labelPolicy);
        if (Object.hasOwn(value, 'alwaysShowPicker')) expect(typeof value.alwaysShowPicker).toBe('boolean');
        expect(warnings.every((w) => typeof w === 'string' && w.startsWith(`${source}: `))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('is a fixed point on its own output (sanitising sanitised settings warns about nothing)', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, settingsish), (raw) => {
        const once = sanitizeSettings(raw, 'a').value;
        expect(sanitizeSettings(once, 'b')).toEqual({ value: once, warnings: [] });
      }),
    );
  });
});

describe('sanitizeSettings: scalar settings', () => {
  it('keeps every valid value of each scalar without warnings', () => {
    for (const defaultSemantics of SEMANTICS) {
      expect(sanitizeSettings({ defaultSemantics }, 's')).toEqual({ value: { defaultSemantics }, warnings: [] });
    }
    for (const labelPolicy of LABEL_POLICIES) {
      expect(sanitizeSettings({ labelPolicy }, 's')).toEqual({ value: { labelPolicy }, warnings: [] });
    }
    for (const alwaysShowPicker of [true, false]) {
      expect(sanitizeSettings({ alwaysShowPicker }, 's')).toEqual({ value: { alwaysShowPicker }, warnings: [] });
    }
  });

  it('keeps a full settings object (features and every scalar) as it is', () => {
    const raw: Settings = {
      features: {
        'call-detection': false,
        'media-session': true,
        'picker-semantics': false,
        'label-hiding': true,
        'call-window': true,
        'usermedia-element': true,
        'screen-capture': true,
        effects: true,
        'track-transfer': true,
      },
      defaultSemantics: 'user-chooses',
      labelPolicy: 'always-hide',
      alwaysShowPicker: true,
      hardMute: true,
      shortcuts: false,
      forceVoiceIsolation: true,
      forceBackgroundBlur: false,
      blurByDefault: true,
      voiceIsolationByDefault: false,
      mutedSpeechHint: false,
    };
    expect(sanitizeSettings(raw, 'storage.local')).toEqual({ value: raw, warnings: [] });
  });

  it('drops invalid values with one warning each, naming the source and the setting', () => {
    const bad: Record<string, unknown[]> = {
      defaultSemantics: [
        '',
        'Browser-chooses',
        'user chooses',
        'browser-chooses ',
        'ask',
        null,
        undefined,
        1,
        true,
        ['user-chooses'],
        { v: 'user-chooses' },
        new String('user-chooses'),
      ],
      labelPolicy: [
        '',
        'hide',
        'Never-hide',
        'always_hide',
        null,
        undefined,
        0,
        false,
        ['never-hide'],
        new String('never-hide'),
      ],
      alwaysShowPicker: [0, 1, 'true', 'false', '', null, undefined, {}, [], new Boolean(true)],
    };
    for (const [key, values] of Object.entries(bad)) {
      for (const v of values) {
        expect(sanitizeSettings({ [key]: v }, 'policy')).toEqual({
          value: {},
          warnings: [`policy: invalid value for "${key}" ignored`],
        });
      }
    }
  });

  it('keeps the valid scalars and drops the invalid ones in the same object, warning in key order', () => {
    const r = sanitizeSettings(
      {
        defaultSemantics: 'user-chooses',
        labelPolicy: 'sometimes',
        alwaysShowPicker: 'yes',
        features: { 'label-hiding': false },
        colour: 'red',
      },
      'storage.local',
    );
    expect(r.value).toEqual({ defaultSemantics: 'user-chooses', features: { 'label-hiding': false } });
    expect(r.warnings).toEqual([
      'storage.local: invalid value for "labelPolicy" ignored',
      'storage.local: invalid value for "alwaysShowPicker" ignored',
      'storage.local: unknown setting "colour" ignored',
    ]);
  });

  it('does not take scalar settings from the prototype, nor prototype names as settings', () => {
    expect(sanitizeSettings(Object.create({ defaultSemantics: 'user-chooses' }), 's').value).toEqual({});
    const r = sanitizeSettings({ toString: 'x', hasOwnProperty: true, valueOf: 'browser-chooses' }, 's');
    expect(r.value).toEqual({});
    expect(r.warnings).toEqual([
      's: unknown setting "toString" ignored',
      's: unknown setting "hasOwnProperty" ignored',
      's: unknown setting "valueOf" ignored',
    ]);
  });

  it('knows the new features', () => {
    const raw = { features: { 'picker-semantics': false, 'label-hiding': false } };
    expect(sanitizeSettings(raw, 's')).toEqual({ value: raw, warnings: [] });
    expect(sanitizeSettings({ features: { 'label-hiding': 'off' } }, 's').warnings).toEqual([
      's: feature "label-hiding" must be true or false; ignored',
    ]);
    expect(sanitizeSettings({ features: { picker: true } }, 's').warnings).toEqual([
      's: unknown feature "picker" ignored',
    ]);
  });
});

describe('sanitizeSettings: renamed features', () => {
  it('reads a feature under its old name as the new one, from settings and policy alike', () => {
    for (const [old, now] of Object.entries(FEATURE_RENAMES)) {
      expect(sanitizeSettings({ features: { [old]: false } }, 'policy')).toEqual({
        value: { features: { [now]: false } },
        warnings: [],
      });
    }
  });
  it('lets the new name win where both are set, in either order', () => {
    expect(sanitizeSettings({ features: { capture: true, 'call-detection': false } }, 's').value).toEqual({
      features: { 'call-detection': false },
    });
    expect(sanitizeSettings({ features: { 'call-detection': false, capture: true } }, 's').value).toEqual({
      features: { 'call-detection': false },
    });
  });
  it('names the old name in its warning when the value is bad', () => {
    expect(sanitizeSettings({ features: { pip: 'off' } }, 's').warnings).toEqual([
      's: feature "pip" must be true or false; ignored',
    ]);
  });
  it('maps every old name to a feature of the registry, and no current name is an old one', () => {
    for (const [old, now] of Object.entries(FEATURE_RENAMES)) {
      expect(FEATURES).toContain(now);
      expect(FEATURES).not.toContain(old);
    }
  });
});

describe('mergeSettings', () => {
  it('gives the defaults when neither the person nor policy set anything', () => {
    expect(mergeSettings({}, {})).toEqual(DEFAULT_SETTINGS);
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      features: {
        'call-detection': true,
        'media-session': true,
        'picker-semantics': true,
        'label-hiding': true,
        'call-window': true,
        'usermedia-element': true,
        'screen-capture': true,
        effects: true,
        'track-transfer': true,
      },
      defaultSemantics: 'browser-chooses',
      labelPolicy: 'hide-after-user-chooses',
      alwaysShowPicker: false,
      hardMute: false,
      shortcuts: true,
      forceVoiceIsolation: false,
      forceBackgroundBlur: false,
      blurByDefault: false,
      voiceIsolationByDefault: false,
      mutedSpeechHint: true,
    });
    expect(Object.keys(DEFAULT_SETTINGS.features).sort()).toEqual([...FEATURES].sort());
  });

  it('lets the person override the defaults', () => {
    expect(mergeSettings({ features: { 'call-detection': false } as Settings['features'] }, {}).features).toEqual({
      'call-detection': false,
      'media-session': true,
      'picker-semantics': true,
      'label-hiding': true,
      'call-window': true,
      'usermedia-element': true,
      'screen-capture': true,
      effects: true,
      'track-transfer': true,
    });
  });

  it('lets policy override the person, feature by feature', () => {
    const user = {
      features: { 'call-detection': false, 'media-session': false, 'label-hiding': false } as Settings['features'],
    };
    const policy = { features: { 'call-detection': true, 'label-hiding': false } as Settings['features'] };
    expect(mergeSettings(user, policy).features).toEqual({
      'call-detection': true,
      'media-session': false,
      'picker-semantics': true,
      'label-hiding': false,
      'call-window': true,
      'usermedia-element': true,
      'screen-capture': true,
      effects: true,
      'track-transfer': true,
    });
  });

  it('lets policy override the defaults when the person set nothing', () => {
    expect(mergeSettings({}, { features: { 'media-session': false } as Settings['features'] }).features).toEqual({
      'call-detection': true,
      'media-session': false,
      'picker-semantics': true,
      'label-hiding': true,
      'call-window': true,
      'usermedia-element': true,
      'screen-capture': true,
      effects: true,
      'track-transfer': true,
    });
  });

  it('lets the person override the default scalars', () => {
    const user: Partial<Settings> = {
      defaultSemantics: 'user-chooses',
      labelPolicy: 'never-hide',
      alwaysShowPicker: true,
    };
    expect(mergeSettings(user, {})).toEqual({ ...DEFAULT_SETTINGS, ...user });
  });

  it('lets policy win over the person for scalars, even with a falsy value, and leaves unpinned ones to the person', () => {
    const user: Partial<Settings> = {
      defaultSemantics: 'user-chooses',
      labelPolicy: 'never-hide',
      alwaysShowPicker: true,
    };
    const policy: Partial<Settings> = { labelPolicy: 'always-hide', alwaysShowPicker: false, shortcuts: false };
    expect(mergeSettings(user, policy)).toEqual({
      features: DEFAULT_SETTINGS.features,
      defaultSemantics: 'user-chooses',
      labelPolicy: 'always-hide',
      alwaysShowPicker: false,
      hardMute: false,
      shortcuts: false,
      forceVoiceIsolation: false,
      forceBackgroundBlur: false,
      blurByDefault: false,
      voiceIsolationByDefault: false,
      mutedSpeechHint: true,
    });
    expect(mergeSettings({}, { defaultSemantics: 'user-chooses' }).defaultSemantics).toBe('user-chooses');
  });

  it('does not mutate its inputs or the defaults', () => {
    const user = { features: { 'call-detection': false } as Settings['features'] };
    const policy = { features: { 'media-session': false } as Settings['features'] };
    const before = JSON.stringify([user, policy, DEFAULT_SETTINGS]);
    const merged = mergeSettings(user, policy);
    merged.features['call-detection'] = true;
    expect(JSON.stringify([user, policy, DEFAULT_SETTINGS])).toBe(before);
    expect(merged.features).not.toBe(DEFAULT_SETTINGS.features);
  });

  it('property: policy > person > default for every feature and scalar, after sanitising anything', () => {
    const side = fc.oneof(
      anyValue,
      fc.record({ features: fc.dictionary(fc.constantFrom(...FEATURES), fc.oneof(fc.boolean(), anyValue)) }),
      settingsish,
    );
    fc.assert(
      fc.property(side, side, (rawUser, rawPolicy) => {
        const user = sanitizeSettings(rawUser, 'u').value;
        const policy = sanitizeSettings(rawPolicy, 'p').value;
        const merged = mergeSettings(user, policy);
        expect(Object.keys(merged).sort()).toEqual([...SETTING_NAMES].sort());
        expect(Object.keys(merged.features).sort()).toEqual([...FEATURES].sort());
        for (const f of FEATURES) {
          const expected = policy.features?.[f] ?? user.features?.[f] ?? DEFAULT_SETTINGS.features[f];
          expect(merged.features[f]).toBe(expected);
        }
        for (const k of SCALAR_NAMES) {
          const expected = policy[k] ?? user[k] ?? DEFAULT_SETTINGS[k];
          expect(merged[k]).toBe(expected);
        }
      }),
    );
  });
});

describe('pinnedByPolicy', () => {
  it('names the settings policy sets (features one by one), and nothing when policy is empty', () => {
    expect(pinnedByPolicy({})).toEqual([]);
    expect(
      pinnedByPolicy({
        labelPolicy: 'always-hide',
        features: { 'call-detection': false } as Settings['features'],
      }).sort(),
    ).toEqual(['features.call-detection', 'labelPolicy']);
    expect(
      pinnedByPolicy(sanitizeSettings({ alwaysShowPicker: true, defaultSemantics: 'nope' }, 'policy').value),
    ).toEqual(['alwaysShowPicker']);
  });
});

describe('pageConfig', () => {
  const site: SiteView = {
    camera: 'allow',
    microphone: 'ask',
    rememberedCamera: 'Front camera',
    cameraAllowedViaPicker: true,
    microphoneAllowedViaPicker: false,
  };

  it('copies the features, the page-facing scalars and the site view, and nothing else', () => {
    const features = {
      'call-detection': false,
      'media-session': true,
      'picker-semantics': true,
      'label-hiding': false,
      'call-window': true,
      'usermedia-element': true,
      'screen-capture': true,
      effects: true,
      'track-transfer': true,
    };
    const settings = {
      features,
      defaultSemantics: 'user-chooses',
      labelPolicy: 'never-hide',
      alwaysShowPicker: true,
      hardMute: true,
      secret: 'x',
      shortcuts: false,
      forceVoiceIsolation: true,
      forceBackgroundBlur: false,
      blurByDefault: false,
      voiceIsolationByDefault: false,
      mutedSpeechHint: false,
    } as Settings;
    const cfg = pageConfig(settings, site);
    expect(cfg).toEqual({
      features: {
        'call-detection': false,
        'media-session': true,
        'picker-semantics': true,
        'label-hiding': false,
        'call-window': true,
        'usermedia-element': true,
        'screen-capture': true,
        effects: true,
        'track-transfer': true,
      },
      defaultSemantics: 'user-chooses',
      labelPolicy: 'never-hide',
      alwaysShowPicker: true,
      hardMute: true,
      forceVoiceIsolation: true,
      forceBackgroundBlur: false,
      personalEffects: { audio: false, video: false },
      mutedSpeechHint: false,
      site,
    });
    expect(Object.keys(cfg).sort()).toEqual([
      'alwaysShowPicker',
      'defaultSemantics',
      'features',
      'forceBackgroundBlur',
      'forceVoiceIsolation',
      'hardMute',
      'labelPolicy',
      'mutedSpeechHint',
      'personalEffects',
      'site',
    ]);
    expect(cfg.features).not.toBe(settings.features);
    cfg.features['call-detection'] = true;
    expect(settings.features['call-detection']).toBe(false);
  });

  it('gives the defaults for default settings', () => {
    const ask: SiteView = {
      camera: 'ask',
      microphone: 'ask',
      cameraAllowedViaPicker: false,
      microphoneAllowedViaPicker: false,
    };
    // The shortcuts switch is the background's alone: pages are not told.
    const {
      shortcuts: _background,
      blurByDefault: _blur,
      voiceIsolationByDefault: _voice,
      ...pageFacing
    } = DEFAULT_SETTINGS;
    expect(pageConfig(mergeSettings({}, {}), ask)).toEqual({
      ...pageFacing,
      personalEffects: { audio: false, video: false },
      site: ask,
    });
  });

  it("gives the person's effects: a site's remembered switch over their default", () => {
    const ask: SiteView = {
      camera: 'ask',
      microphone: 'ask',
      cameraAllowedViaPicker: false,
      microphoneAllowedViaPicker: false,
    };
    const s = mergeSettings({ blurByDefault: true, voiceIsolationByDefault: false }, {});
    expect(pageConfig(s, ask).personalEffects).toEqual({ audio: false, video: true });
    expect(pageConfig(s, ask, { video: false, audio: true }).personalEffects).toEqual({ audio: true, video: false });
  });
});

describe('forced effects (policy)', () => {
  it('reads forceVoiceIsolation / forceBackgroundBlur as booleans only, with a warning for anything else', () => {
    expect(sanitizeSettings({ forceVoiceIsolation: true, forceBackgroundBlur: false }, 'policy')).toEqual({
      value: { forceVoiceIsolation: true, forceBackgroundBlur: false },
      warnings: [],
    });
    for (const bad of ['true', 1, null, {}, ['voiceIsolation']]) {
      const r = sanitizeSettings({ forceBackgroundBlur: bad }, 'policy');
      expect(r.value).toEqual({});
      expect(r.warnings).toEqual(['policy: invalid value for "forceBackgroundBlur" ignored']);
    }
  });

  it('policy wins over the person, is pinned, and reaches the page config', () => {
    const policy = sanitizeSettings({ forceVoiceIsolation: true }, 'policy').value;
    const effective = mergeSettings({ forceVoiceIsolation: false, forceBackgroundBlur: true }, policy);
    expect([effective.forceVoiceIsolation, effective.forceBackgroundBlur]).toEqual([true, true]);
    expect(pinnedByPolicy(policy)).toEqual(['forceVoiceIsolation']);
    const site: SiteView = {
      camera: 'ask',
      microphone: 'ask',
      cameraAllowedViaPicker: false,
      microphoneAllowedViaPicker: false,
    };
    expect(pageConfig(effective, site)).toMatchObject({ forceVoiceIsolation: true, forceBackgroundBlur: true });
    expect(mergeSettings({}, {})).toMatchObject({ forceVoiceIsolation: false, forceBackgroundBlur: false });
  });
});
