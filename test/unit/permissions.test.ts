import fc from 'fast-check';
import {
  DECISIONS,
  PERMISSION_KINDS,
  decide,
  kindOfTrack,
  parseSiteTable,
  siteView,
  stateOf,
  touch,
  type KindRecord,
  type SiteRecord,
  type SiteTable,
} from '../../src/shared/permissions';
import { isWebOrigin } from '../../src/shared/origin';
import { anyValue } from './arbitraries';

const MEET = 'https://meet.example';
const OTHER = 'http://other.example:8080';
const MAX_LABEL = 512;

const rec = (over: Partial<KindRecord> = {}): KindRecord => ({
  state: 'allow',
  viaPicker: true,
  created: 100,
  lastUsed: 200,
  ...over,
});
const nullProto = <T extends object>(o: T): T => Object.assign(Object.create(null) as object, o) as T;
const collect = () => {
  const warnings: string[] = [];
  return {
    warnings,
    warn: (m: string) => {
      warnings.push(m);
    },
  };
};
const jsonCopy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const originArb = fc.oneof(
  fc.webUrl().map((u) => new URL(u).origin),
  fc.constantFrom(MEET, OTHER, 'https://[::1]:8443', 'http://localhost'),
);
const kindRecordArb: fc.Arbitrary<KindRecord> = fc.record(
  {
    state: fc.constantFrom(...DECISIONS),
    viaPicker: fc.boolean(),
    device: fc.record({ label: fc.string({ maxLength: MAX_LABEL }) }),
    created: fc.oneof(fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    lastUsed: fc.oneof(fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  },
  { requiredKeys: ['state', 'viaPicker', 'created', 'lastUsed'] },
);
const siteRecordArb: fc.Arbitrary<SiteRecord> = fc
  .record({ camera: kindRecordArb, microphone: kindRecordArb }, { requiredKeys: [] })
  .filter((s) => Object.keys(s).length > 0);
/** Tables of valid records only. */
const validTableArb: fc.Arbitrary<SiteTable> = fc.dictionary(originArb, siteRecordArb, { maxKeys: 5 });

/** A kind record that is valid, or has one field replaced by anything or deleted, or extra fields. */
const kindRecordishArb = fc.oneof(
  kindRecordArb,
  fc
    .tuple(
      kindRecordArb,
      fc.constantFrom('state', 'viaPicker', 'device', 'created', 'lastUsed', 'extra'),
      anyValue,
      fc.boolean(),
    )
    .map(([r, key, value, remove]) => {
      const copy: Record<string, unknown> = { ...r };
      if (remove) delete copy[key];
      else copy[key] = value;
      return copy;
    }),
  fc.record(
    {
      state: fc.oneof(fc.constantFrom(...DECISIONS), anyValue),
      viaPicker: fc.oneof(fc.boolean(), anyValue),
      device: fc.oneof(fc.record({ label: fc.oneof(fc.string({ maxLength: MAX_LABEL + 2 }), anyValue) }), anyValue),
      created: fc.oneof(fc.double(), anyValue),
      lastUsed: fc.oneof(fc.double(), anyValue),
    },
    { requiredKeys: [] },
  ),
  anyValue,
);
/** Stored-table-shaped values with web and non-web keys, valid and corrupt records. */
const tableishArb = fc.oneof(
  anyValue,
  validTableArb,
  fc.dictionary(
    fc.oneof(
      originArb,
      fc.string(),
      fc.constantFrom('null', 'file://', 'https://a.example/', 'chrome-extension://abc', '__proto__', 'constructor'),
    ),
    fc.oneof(
      fc.record(
        { camera: kindRecordishArb, microphone: kindRecordishArb, geolocation: anyValue },
        { requiredKeys: [] },
      ),
      siteRecordArb,
      anyValue,
    ),
    { maxKeys: 6 },
  ),
);

describe('kindOfTrack', () => {
  it('maps track kinds to permission kinds', () => {
    expect(kindOfTrack('audio')).toBe('microphone');
    expect(kindOfTrack('video')).toBe('camera');
  });
});

describe('parseSiteTable', () => {
  it('returns an empty table without a warning for undefined (nothing stored yet)', () => {
    const { warnings, warn } = collect();
    expect(parseSiteTable(undefined, warn)).toEqual({});
    expect(warnings).toEqual([]);
  });

  it('starts empty with one warning when the stored value is not a plain object', () => {
    for (const raw of [
      null,
      0,
      'sites',
      true,
      [],
      [{ [MEET]: { camera: rec() } }],
      new Map([[MEET, { camera: rec() }]]),
      new Date(0),
      Object.create({ [MEET]: { camera: rec() } }),
    ]) {
      const { warnings, warn } = collect();
      expect(parseSiteTable(raw, warn)).toEqual({});
      expect(warnings).toEqual(['sites: stored permissions are not an object; starting empty']);
    }
  });

  it('keeps valid records as they are, without warnings', () => {
    const raw: SiteTable = {
      [MEET]: { camera: rec(), microphone: rec({ state: 'block', viaPicker: false, device: { label: 'Headset' } }) },
      [OTHER]: { microphone: rec({ device: { label: 'l'.repeat(MAX_LABEL) }, created: 0, lastUsed: 0 }) },
      'https://[::1]:8443': { camera: rec({ state: 'block', created: -5, lastUsed: 1.5 }) },
    };
    const { warnings, warn } = collect();
    expect(parseSiteTable(raw, warn)).toEqual(raw);
    expect(warnings).toEqual([]);
  });

  it('returns fresh objects, not the stored ones', () => {
    const raw = { [MEET]: { camera: rec({ device: { label: 'Cam' } }) } };
    const table = parseSiteTable(raw);
    expect(table[MEET]).not.toBe(raw[MEET]);
    expect(table[MEET]!.camera).not.toBe(raw[MEET].camera);
    expect(table[MEET]!.camera!.device).not.toBe(raw[MEET].camera.device);
  });

  it('accepts null-prototype objects at every level (as storage may hand back)', () => {
    const raw = nullProto({
      [MEET]: nullProto({ camera: nullProto({ ...rec(), device: nullProto({ label: 'Cam' }) }) }),
    });
    const { warnings, warn } = collect();
    const table = parseSiteTable(raw, warn);
    expect(table).toEqual({ [MEET]: { camera: rec({ device: { label: 'Cam' } }) } });
    expect(warnings).toEqual([]);
    expect(Object.getPrototypeOf(table)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(table[MEET]!.camera!.device)).toBe(Object.prototype);
  });

  it('drops records stored under a key that is not a web origin, one warning each', () => {
    const bad = [
      '',
      'null',
      'file://',
      'about:blank',
      'chrome-extension://abcdefghijklmnop',
      'moz-extension://1234-5678',
      'wss://meet.example',
      'ftp://meet.example',
      'https://meet.example/',
      'https://meet.example/path',
      'HTTPS://MEET.EXAMPLE',
      ' https://meet.example',
      'https://',
      'meet.example',
      'constructor',
      'toString',
    ];
    const raw: Record<string, unknown> = { [MEET]: { camera: rec() } };
    for (const key of bad) raw[key] = { camera: rec() };
    const { warnings, warn } = collect();
    expect(parseSiteTable(raw, warn)).toEqual({ [MEET]: { camera: rec() } });
    expect(warnings).toHaveLength(bad.length);
    for (const key of bad) expect(warnings).toContain(`sites: dropped corrupt record "${key}"`);
  });

  it('treats an own "__proto__" key from JSON as a corrupt record, and pollutes nothing', () => {
    const raw: unknown = JSON.parse(
      `{"__proto__":{"camera":${JSON.stringify(rec())}},"${MEET}":{"camera":${JSON.stringify(rec())}}}`,
    );
    const { warnings, warn } = collect();
    const table = parseSiteTable(raw, warn);
    expect(table).toEqual({ [MEET]: { camera: rec() } });
    expect(Object.hasOwn(table, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(table)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).camera).toBeUndefined();
    expect(warnings).toEqual(['sites: dropped corrupt record "__proto__"']);
  });

  it('cuts an over-long key to 100 characters in the warning', () => {
    const key = 'x'.repeat(10_000);
    const { warnings, warn } = collect();
    expect(parseSiteTable({ [key]: { camera: rec() } }, warn)).toEqual({});
    expect(warnings).toEqual([`sites: dropped corrupt record "${'x'.repeat(100)}"`]);
  });

  it('drops a site that is not a plain object, one warning each', () => {
    const sites = [null, 'allow', 1, true, [], [rec()], new Map(), Object.create({ camera: rec() })];
    const raw: Record<string, unknown> = {};
    sites.forEach((site, i) => {
      raw[`https://s${i}.example`] = site;
    });
    const { warnings, warn } = collect();
    expect(parseSiteTable(raw, warn)).toEqual({});
    expect(warnings).toEqual(sites.map((_, i) => `sites: dropped corrupt record "https://s${i}.example"`));
  });

  it("drops decisions with a bad state, one warning each, keeping the site's other kind", () => {
    for (const state of [
      'allowed',
      'Allow',
      'granted',
      'deny',
      'prompt',
      '',
      null,
      undefined,
      1,
      true,
      ['allow'],
      new String('allow'),
    ]) {
      const { warnings, warn } = collect();
      const table = parseSiteTable(
        { [MEET]: { camera: { ...rec(), state }, microphone: rec({ state: 'block' }) } },
        warn,
      );
      expect(table).toEqual({ [MEET]: { microphone: rec({ state: 'block' }) } });
      expect(warnings).toEqual([`sites: dropped corrupt camera decision of "${MEET}"`]);
    }
  });

  it('drops decisions with missing or mistyped fields, one warning each', () => {
    const broken: Array<Record<string, unknown>> = [
      { viaPicker: 'true' },
      { viaPicker: 1 },
      { viaPicker: null },
      { viaPicker: undefined },
      { created: '100' },
      { created: NaN },
      { created: Infinity },
      { created: null },
      { created: undefined },
      { created: 1n },
      { lastUsed: '200' },
      { lastUsed: -Infinity },
      { lastUsed: NaN },
      { lastUsed: undefined },
      { lastUsed: new Date(0) },
      { device: null },
      { device: 'Cam' },
      { device: {} },
      { device: { label: 1 } },
      { device: { label: null } },
      { device: [{ label: 'Cam' }] },
      { device: Object.create({ label: 'Cam' }) },
      { device: { label: new String('Cam') } },
    ];
    const raw: Record<string, unknown> = {};
    broken.forEach((over, i) => {
      raw[`https://s${i}.example`] = { microphone: { ...rec(), ...over } };
    });
    for (const kind of PERMISSION_KINDS) {
      const r = rec();
      for (const key of ['state', 'viaPicker', 'created', 'lastUsed'] as const) {
        const copy: Record<string, unknown> = { ...r };
        delete copy[key];
        raw[`https://${kind}-no-${key.toLowerCase()}.example`] = { [kind]: copy };
      }
    }
    for (const v of [
      null,
      'allow',
      true,
      1,
      [],
      [rec()],
      Object.create(rec()),
      new (class {
        state = 'allow';
        viaPicker = true;
        created = 1;
        lastUsed = 1;
      })(),
    ]) {
      raw[`https://odd${Object.keys(raw).length}.example`] = { camera: v };
    }
    const { warnings, warn } = collect();
    expect(parseSiteTable({ [MEET]: { camera: rec() }, ...raw }, warn)).toEqual({ [MEET]: { camera: rec() } });
    expect(warnings).toHaveLength(Object.keys(raw).length);
    for (const [origin, site] of Object.entries(raw)) {
      const kind = Object.keys(site as object)[0];
      expect(warnings).toContain(`sites: dropped corrupt ${kind} decision of "${origin}"`);
    }
  });

  it('drops a remembered device whose label is longer than 512 characters, with its decision', () => {
    const { warnings, warn } = collect();
    const table = parseSiteTable(
      {
        [MEET]: {
          camera: rec({ device: { label: 'l'.repeat(MAX_LABEL) } }),
          microphone: rec({ device: { label: 'l'.repeat(MAX_LABEL + 1) } }),
        },
        [OTHER]: { camera: rec({ device: { label: 'l'.repeat(100_000) } }) },
      },
      warn,
    );
    expect(table).toEqual({ [MEET]: { camera: rec({ device: { label: 'l'.repeat(MAX_LABEL) } }) } });
    expect(warnings).toEqual([
      `sites: dropped corrupt microphone decision of "${MEET}"`,
      `sites: dropped corrupt camera decision of "${OTHER}"`,
    ]);
  });

  it('drops a site whose every decision was corrupt', () => {
    const { warnings, warn } = collect();
    expect(parseSiteTable({ [MEET]: { camera: { ...rec(), state: 'maybe' }, microphone: null } }, warn)).toEqual({});
    expect(warnings).toEqual([
      `sites: dropped corrupt camera decision of "${MEET}"`,
      `sites: dropped corrupt microphone decision of "${MEET}"`,
    ]);
  });

  it('keeps only the known fields of a decision and of its device', () => {
    const { warnings, warn } = collect();
    const table = parseSiteTable(
      {
        [MEET]: {
          camera: { ...rec(), device: { label: 'Cam', deviceId: 'secret', groupId: 'g' }, note: 'x', origin: OTHER },
          geolocation: rec(),
        },
      },
      warn,
    );
    expect(table).toEqual({ [MEET]: { camera: rec({ device: { label: 'Cam' } }) } });
    expect(Object.keys(table[MEET]!)).toEqual(['camera']);
    expect(Object.keys(table[MEET]!.camera!).sort()).toEqual(['created', 'device', 'lastUsed', 'state', 'viaPicker']);
    expect(Object.keys(table[MEET]!.camera!.device!)).toEqual(['label']);
    expect(warnings).toEqual([]);
  });

  it('treats a kind given as explicitly undefined as absent', () => {
    const { warnings, warn } = collect();
    expect(parseSiteTable({ [MEET]: { camera: undefined, microphone: rec() } }, warn)).toEqual({
      [MEET]: { microphone: rec() },
    });
    expect(warnings).toEqual([]);
  });

  it('warns through a no-op by default', () => {
    expect(() => parseSiteTable(null)).not.toThrow();
    expect(() => parseSiteTable({ bad: 1, [MEET]: { camera: 'x' } })).not.toThrow();
  });

  it('property: never throws on anything', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        expect(() => parseSiteTable(raw, () => undefined)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('property: keeps only web origins with known, well-formed decisions, and reports only through warn', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), anyValue, tableishArb), (raw) => {
        const { warnings, warn } = collect();
        const table = parseSiteTable(raw, warn);
        const plain =
          typeof raw === 'object' &&
          raw !== null &&
          !Array.isArray(raw) &&
          [Object.prototype, null].includes(Object.getPrototypeOf(raw));
        if (raw !== undefined && !plain) {
          expect(table).toEqual({});
          expect(warnings).toEqual(['sites: stored permissions are not an object; starting empty']);
          return;
        }
        for (const [origin, site] of Object.entries(table)) {
          expect(isWebOrigin(origin)).toBe(true);
          expect(Object.hasOwn(raw as object, origin)).toBe(true);
          expect(Object.keys(site).length).toBeGreaterThan(0);
          for (const [kind, r] of Object.entries(site)) {
            expect(PERMISSION_KINDS).toContain(kind);
            expect(DECISIONS).toContain(r.state);
            expect(typeof r.viaPicker).toBe('boolean');
            expect(Number.isFinite(r.created) && Number.isFinite(r.lastUsed)).toBe(true);
            if (r.device !== undefined)
              expect(typeof r.device.label === 'string' && r.device.label.length <= MAX_LABEL).toBe(true);
          }
        }
        // Every stored entry is kept or accounted for by at least one warning, unless it held no decision at all.
        for (const key of Object.keys(raw ?? {})) {
          if (Object.hasOwn(table, key)) continue;
          const site = (raw as Record<string, unknown>)[key];
          const heldNothing =
            isWebOrigin(key) &&
            typeof site === 'object' &&
            site !== null &&
            PERMISSION_KINDS.every((k) => (site as Record<string, unknown>)[k] === undefined);
          if (!heldNothing) expect(warnings.some((w) => w.includes(`"${key.slice(0, 100)}`))).toBe(true);
        }
        expect(warnings.every((w) => w.startsWith('sites: '))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: valid tables parse to themselves without warnings', () => {
    fc.assert(
      fc.property(validTableArb, (raw) => {
        const { warnings, warn } = collect();
        expect(parseSiteTable(raw, warn)).toEqual(raw);
        expect(warnings).toEqual([]);
      }),
    );
  });

  it('property: the output is a fixed point, and round-trips through JSON and parseSiteTable unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), tableishArb, validTableArb), (raw) => {
        const once = parseSiteTable(raw);
        const { warnings, warn } = collect();
        expect(parseSiteTable(once, warn)).toEqual(once);
        // JSON itself turns -0 into 0, so the JSON round trip is compared in JSON's own terms.
        const stored = jsonCopy(once);
        expect(parseSiteTable(stored, warn)).toEqual(stored);
        expect(JSON.stringify(parseSiteTable(stored, warn))).toBe(JSON.stringify(once));
        expect(warnings).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('decide', () => {
  it('records an allow with when it was made and last used', () => {
    const table: SiteTable = {};
    decide(table, MEET, 'camera', 'allow', 1000, { viaPicker: true });
    expect(table).toEqual({ [MEET]: { camera: { state: 'allow', viaPicker: true, created: 1000, lastUsed: 1000 } } });
    expect(Object.hasOwn(table[MEET]!.camera!, 'device')).toBe(false);
  });

  it('records a block, and a remembered device when given one', () => {
    const table: SiteTable = {};
    decide(table, MEET, 'microphone', 'block', 5, { viaPicker: false });
    decide(table, MEET, 'camera', 'allow', 6, { viaPicker: true, device: { label: 'Front camera' } });
    expect(table).toEqual({
      [MEET]: {
        microphone: { state: 'block', viaPicker: false, created: 5, lastUsed: 5 },
        camera: { state: 'allow', viaPicker: true, device: { label: 'Front camera' }, created: 6, lastUsed: 6 },
      },
    });
  });

  it('copies the device and cuts its label to 512 characters', () => {
    const device = { label: 'l'.repeat(MAX_LABEL + 100), deviceId: 'x' } as { label: string };
    const table: SiteTable = {};
    decide(table, MEET, 'camera', 'allow', 1, { viaPicker: true, device });
    expect(table[MEET]!.camera!.device).toEqual({ label: 'l'.repeat(MAX_LABEL) });
    expect(table[MEET]!.camera!.device).not.toBe(device);
    expect(parseSiteTable(jsonCopy(table))).toEqual(table);
  });

  it('keeps created and updates lastUsed when the state does not change', () => {
    const table: SiteTable = {};
    decide(table, MEET, 'camera', 'allow', 100, { viaPicker: false });
    decide(table, MEET, 'camera', 'allow', 500, { viaPicker: true, device: { label: 'Cam' } });
    expect(table[MEET]!.camera).toEqual({
      state: 'allow',
      viaPicker: true,
      device: { label: 'Cam' },
      created: 100,
      lastUsed: 500,
    });
  });

  it('restarts created when the state changes', () => {
    const table: SiteTable = {};
    decide(table, MEET, 'camera', 'allow', 100, { viaPicker: true });
    decide(table, MEET, 'camera', 'block', 300, { viaPicker: true });
    expect(table[MEET]!.camera).toEqual({ state: 'block', viaPicker: true, created: 300, lastUsed: 300 });
    decide(table, MEET, 'camera', 'allow', 400, { viaPicker: true });
    expect(table[MEET]!.camera).toEqual({ state: 'allow', viaPicker: true, created: 400, lastUsed: 400 });
  });

  it('restarts created after an ask in between (ask forgets the decision)', () => {
    const table: SiteTable = {};
    decide(table, MEET, 'camera', 'allow', 100, { viaPicker: true });
    decide(table, MEET, 'camera', 'ask', 200, { viaPicker: true });
    decide(table, MEET, 'camera', 'allow', 300, { viaPicker: true });
    expect(table[MEET]!.camera!.created).toBe(300);
  });

  it("ask removes the decision and keeps the site's other kind", () => {
    const table: SiteTable = {};
    decide(table, MEET, 'camera', 'allow', 1, { viaPicker: true, device: { label: 'Cam' } });
    decide(table, MEET, 'microphone', 'block', 2, { viaPicker: false });
    decide(table, MEET, 'camera', 'ask', 3, { viaPicker: true });
    expect(table).toEqual({ [MEET]: { microphone: { state: 'block', viaPicker: false, created: 2, lastUsed: 2 } } });
    expect(Object.hasOwn(table[MEET]!, 'camera')).toBe(false);
  });

  it('ask removes a site once it has no decision left', () => {
    const table: SiteTable = {};
    decide(table, MEET, 'camera', 'allow', 1, { viaPicker: true });
    decide(table, MEET, 'microphone', 'allow', 1, { viaPicker: true });
    decide(table, MEET, 'camera', 'ask', 2, { viaPicker: true });
    decide(table, MEET, 'microphone', 'ask', 3, { viaPicker: true });
    expect(table).toEqual({});
    expect(Object.hasOwn(table, MEET)).toBe(false);
  });

  it('ask for a site or kind without a decision changes nothing and leaves no empty site behind', () => {
    const table: SiteTable = { [OTHER]: { camera: rec() } };
    decide(table, MEET, 'camera', 'ask', 9, { viaPicker: false });
    expect(table).toEqual({ [OTHER]: { camera: rec() } });
    decide(table, OTHER, 'microphone', 'ask', 9, { viaPicker: false });
    expect(table).toEqual({ [OTHER]: { camera: rec() } });
  });

  it('never touches other sites or the other kind', () => {
    const table: SiteTable = {
      [OTHER]: { camera: rec(), microphone: rec({ state: 'block' }) },
      [MEET]: { microphone: rec() },
    };
    const before = jsonCopy(table);
    decide(table, MEET, 'camera', 'block', 999, { viaPicker: false });
    expect(table[OTHER]).toEqual(before[OTHER]);
    expect(table[MEET]!.microphone).toEqual(before[MEET]!.microphone);
  });

  it('property: a table built by decide/touch from nothing always parses back unchanged, through JSON too', () => {
    const step = fc.record({
      origin: originArb,
      kind: fc.constantFrom(...PERMISSION_KINDS),
      state: fc.constantFrom(...DECISIONS),
      now: fc.nat(),
      viaPicker: fc.boolean(),
      device: fc.option(fc.record({ label: fc.string({ maxLength: MAX_LABEL + 10 }) }), { nil: undefined }),
      touchOnly: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), (steps) => {
        const table: SiteTable = {};
        for (const s of steps) {
          if (s.touchOnly) {
            const before = jsonCopy(table);
            touch(table, s.origin, s.kind, s.now);
            const r = before[s.origin]?.[s.kind];
            expect(table).toEqual(
              r ? { ...before, [s.origin]: { ...before[s.origin], [s.kind]: { ...r, lastUsed: s.now } } } : before,
            );
          } else {
            decide(table, s.origin, s.kind, s.state, s.now, {
              viaPicker: s.viaPicker,
              ...(s.device ? { device: s.device } : {}),
            });
            expect(stateOf(table, s.origin, s.kind)).toBe(s.state);
            if (s.state !== 'ask') expect(table[s.origin]![s.kind]!.lastUsed).toBe(s.now);
          }
        }
        for (const site of Object.values(table)) {
          expect(Object.keys(site).length).toBeGreaterThan(0);
          for (const r of Object.values(site)) expect(r.state).not.toBe('ask');
        }
        const { warnings, warn } = collect();
        expect(parseSiteTable(jsonCopy(table), warn)).toEqual(table);
        expect(warnings).toEqual([]);
      }),
    );
  });
});

describe('stateOf', () => {
  const table: SiteTable = {
    [MEET]: { camera: rec({ state: 'allow' }), microphone: rec({ state: 'block' }) },
    [OTHER]: { camera: rec({ state: 'block' }) },
  };

  it('gives the recorded state per site and kind', () => {
    expect(stateOf(table, MEET, 'camera')).toBe('allow');
    expect(stateOf(table, MEET, 'microphone')).toBe('block');
    expect(stateOf(table, OTHER, 'camera')).toBe('block');
  });

  it('gives ask when nothing is recorded', () => {
    expect(stateOf(table, OTHER, 'microphone')).toBe('ask');
    expect(stateOf(table, 'https://unknown.example', 'camera')).toBe('ask');
    expect(stateOf({}, MEET, 'camera')).toBe('ask');
  });

  it('does not mistake prototype names for sites', () => {
    for (const origin of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(stateOf(table, origin, 'camera')).toBe('ask');
      expect(stateOf({}, origin, 'microphone')).toBe('ask');
    }
  });

  it('does not distinguish origins that differ only by port or scheme', () => {
    expect(stateOf(table, 'https://meet.example:8443', 'camera')).toBe('ask');
    expect(stateOf(table, 'http://meet.example', 'camera')).toBe('ask');
  });
});

describe('touch', () => {
  it('updates lastUsed of an existing decision only', () => {
    const table: SiteTable = {
      [MEET]: { camera: rec({ created: 1, lastUsed: 2 }), microphone: rec({ created: 1, lastUsed: 2 }) },
    };
    touch(table, MEET, 'camera', 50);
    expect(table).toEqual({
      [MEET]: { camera: rec({ created: 1, lastUsed: 50 }), microphone: rec({ created: 1, lastUsed: 2 }) },
    });
  });

  it('creates nothing for a site or kind without a decision', () => {
    const table: SiteTable = { [MEET]: { camera: rec() } };
    touch(table, MEET, 'microphone', 50);
    touch(table, OTHER, 'camera', 50);
    expect(table).toEqual({ [MEET]: { camera: rec() } });
    const empty: SiteTable = {};
    touch(empty, MEET, 'camera', 1);
    expect(empty).toEqual({});
  });
});

describe('siteView', () => {
  it('gives ask everywhere, no devices and no picker flags for an unknown site or no origin', () => {
    const table: SiteTable = { [OTHER]: { camera: rec({ device: { label: 'Other cam' } }) } };
    const nothing = {
      camera: 'ask',
      microphone: 'ask',
      cameraAllowedViaPicker: false,
      microphoneAllowedViaPicker: false,
    };
    expect(siteView(table, MEET)).toEqual(nothing);
    expect(siteView(table, null)).toEqual(nothing);
    expect(siteView({}, MEET)).toEqual(nothing);
    expect(Object.keys(siteView(table, MEET)).sort()).toEqual([
      'camera',
      'cameraAllowedViaPicker',
      'microphone',
      'microphoneAllowedViaPicker',
    ]);
  });

  it('gives the states, remembered devices and picker flags of the asked origin', () => {
    const table: SiteTable = {
      [MEET]: {
        camera: rec({ device: { label: 'Front camera' } }),
        microphone: rec({ viaPicker: false, device: { label: 'Headset' } }),
      },
    };
    expect(siteView(table, MEET)).toEqual({
      camera: 'allow',
      microphone: 'allow',
      rememberedCamera: 'Front camera',
      rememberedMicrophone: 'Headset',
      cameraAllowedViaPicker: true,
      microphoneAllowedViaPicker: false,
    });
  });

  it('sets the "allowed via picker" flags only for allow', () => {
    const table: SiteTable = {
      [MEET]: {
        camera: rec({ state: 'block', viaPicker: true }),
        microphone: rec({ state: 'allow', viaPicker: true }),
      },
    };
    const view = siteView(table, MEET);
    expect(view.camera).toBe('block');
    expect(view.cameraAllowedViaPicker).toBe(false);
    expect(view.microphoneAllowedViaPicker).toBe(true);
    expect(siteView({ [MEET]: { camera: rec({ state: 'ask', viaPicker: true }) } }, MEET).cameraAllowedViaPicker).toBe(
      false,
    );
  });

  it('tells an origin nothing about other sites, even ones that differ only by port or scheme', () => {
    const table: SiteTable = {
      [MEET]: { camera: rec({ device: { label: 'Meet cam' } }) },
      'https://meet.example:8443': { microphone: rec({ state: 'block', device: { label: 'Port mic' } }) },
      'http://meet.example': { microphone: rec({ device: { label: 'Plain mic' } }) },
    };
    const view = siteView(table, MEET);
    expect(view).toEqual({
      camera: 'allow',
      microphone: 'ask',
      rememberedCamera: 'Meet cam',
      cameraAllowedViaPicker: true,
      microphoneAllowedViaPicker: false,
    });
    expect(JSON.stringify(view)).not.toMatch(/Port mic|Plain mic/);
  });

  it('does not mistake prototype names for sites', () => {
    for (const origin of ['__proto__', 'constructor', 'toString']) {
      expect(siteView({ [MEET]: { camera: rec() } }, origin)).toEqual({
        camera: 'ask',
        microphone: 'ask',
        cameraAllowedViaPicker: false,
        microphoneAllowedViaPicker: false,
      });
    }
  });

  it("property: the view mirrors stateOf and never carries another origin's labels", () => {
    fc.assert(
      fc.property(validTableArb, fc.oneof(originArb, fc.constant(null)), (table, origin) => {
        const view = siteView(table, origin);
        for (const kind of PERMISSION_KINDS) {
          expect(view[kind]).toBe(origin === null ? 'ask' : stateOf(table, origin, kind));
          const own = origin === null ? undefined : table[origin]?.[kind];
          expect(view[kind === 'camera' ? 'cameraAllowedViaPicker' : 'microphoneAllowedViaPicker']).toBe(
            own?.state === 'allow' && own.viaPicker,
          );
          expect(view[kind === 'camera' ? 'rememberedCamera' : 'rememberedMicrophone']).toBe(own?.device?.label);
        }
        expect(typeof view.cameraAllowedViaPicker).toBe('boolean');
        expect(typeof view.microphoneAllowedViaPicker).toBe('boolean');
      }),
    );
  });
});
