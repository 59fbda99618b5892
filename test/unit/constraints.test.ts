import fc from 'fast-check';
import {
  candidates,
  fitnessDistance,
  parseSemantics,
  pinDevice,
  rank,
  requestedKinds,
  uniqueDevices,
  type DeviceDescription,
} from '../../src/shared/constraints';
import { anyValue } from './arbitraries';

const cam = (id: string, maxWidth: number, over: Partial<DeviceDescription> = {}): DeviceDescription => ({
  deviceId: id,
  groupId: `g-${id}`,
  kind: 'videoinput',
  label: `Camera ${id}`,
  capabilities: {
    deviceId: id,
    groupId: `g-${id}`,
    width: { min: 1, max: maxWidth },
    height: { min: 1, max: (maxWidth * 9) / 16 },
    aspectRatio: { min: 1 / 1080, max: maxWidth },
    frameRate: { min: 1, max: 30 },
    facingMode: [],
    resizeMode: ['none', 'crop-and-scale'],
  },
  ...over,
});
const mic = (id: string, over: Partial<DeviceDescription> = {}): DeviceDescription => ({
  deviceId: id,
  groupId: `g-${id}`,
  kind: 'audioinput',
  label: `Mic ${id}`,
  capabilities: {
    echoCancellation: [true, false],
    autoGainControl: [true, false],
    noiseSuppression: [true, false],
    sampleRate: { min: 48000, max: 48000 },
    sampleSize: { min: 16, max: 16 },
    channelCount: { min: 1, max: 2 },
    latency: { min: 0.01, max: 0.1 },
  },
  ...over,
});
const firefox = (d: DeviceDescription): DeviceDescription => ({ ...d, capabilities: null });

const hd = cam('hd', 1280);
const fhd = cam('fhd', 1920);
const vga = cam('vga', 640);
const m1 = mic('m1');
const m2 = mic('m2', {
  capabilities: { ...mic('m2').capabilities, echoCancellation: [false], sampleRate: { min: 16000, max: 16000 } },
});
const devices = [vga, m1, hd, fhd, m2];
const ids = (ds: DeviceDescription[]) => ds.map((d) => d.deviceId);

describe('parseSemantics', () => {
  it('accepts the two enum values and leaves undefined undefined', () => {
    expect(parseSemantics(undefined)).toBeUndefined();
    expect(parseSemantics('user-chooses')).toBe('user-chooses');
    expect(parseSemantics('browser-chooses')).toBe('browser-chooses');
  });

  it('converts with String() first, like WebIDL enums', () => {
    expect(parseSemantics({ toString: () => 'user-chooses' })).toBe('user-chooses');
    expect(parseSemantics(['browser-chooses'])).toBe('browser-chooses');
    expect(parseSemantics(new String('user-chooses'))).toBe('user-chooses');
  });

  it('returns a TypeError (not throws) for anything else', () => {
    for (const v of [null, '', 'User-chooses', 'user-chooses ', 1, true, {}, [], Symbol('user-chooses'), 10n]) {
      expect(parseSemantics(v)).toBeInstanceOf(TypeError);
    }
    expect(
      parseSemantics({
        toString() {
          throw new Error('boom');
        },
      }),
    ).toBeInstanceOf(TypeError);
    expect(parseSemantics({ [Symbol.toPrimitive]: () => Symbol('x') })).toBeInstanceOf(TypeError);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const r = parseSemantics(v);
        expect(r === undefined || r === 'user-chooses' || r === 'browser-chooses' || r instanceof TypeError).toBe(true);
      }),
    );
  });
});

describe('requestedKinds', () => {
  it('follows (boolean or MediaTrackConstraints) conversion', () => {
    expect(requestedKinds({ audio: true })).toEqual(['audio']);
    expect(requestedKinds({ video: {} })).toEqual(['video']);
    expect(requestedKinds({ audio: {}, video: { width: 640 } })).toEqual(['audio', 'video']);
    expect(requestedKinds({ audio: false, video: 0 })).toEqual([]);
    expect(requestedKinds({ audio: 1, video: '' })).toEqual(['audio']);
    expect(requestedKinds({ audio: 'yes', video: NaN })).toEqual(['audio']);
    expect(requestedKinds({ video: () => 0 })).toEqual(['video']);
  });

  it('treats null as an (empty) dictionary, as WebIDL unions with a dictionary do', () => {
    expect(requestedKinds({ audio: null })).toEqual(['audio']);
  });

  it('reads inherited members like WebIDL', () => {
    expect(requestedKinds(Object.create({ video: true }))).toEqual(['video']);
  });

  it('returns [] for non-objects and on throwing getters', () => {
    for (const v of [undefined, null, 1, 'audio', true]) expect(requestedKinds(v)).toEqual([]);
    expect(
      requestedKinds({
        get audio() {
          throw new Error('boom');
        },
        video: true,
      }),
    ).toEqual([]);
    expect(
      requestedKinds(
        new Proxy(
          {},
          {
            get() {
              throw new Error('trap');
            },
          },
        ),
      ),
    ).toEqual([]);
  });
});

describe('candidates', () => {
  it('false/undefined -> none; true/{}/null -> every device of the kind, in order', () => {
    expect(candidates('video', false, devices)).toEqual([]);
    expect(candidates('video', undefined, devices)).toEqual([]);
    expect(candidates('video', 0, devices)).toEqual([]);
    expect(candidates('video', true, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('video', {}, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('video', null, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('audio', true, devices)).toEqual([m1, m2]);
  });

  it('returns the input objects themselves', () => {
    expect(candidates('video', true, devices)[0]).toBe(vga);
  });

  it('{width: {min: 1920}} leaves only the capable camera', () => {
    expect(candidates('video', { width: { min: 1920 } }, devices)).toEqual([fhd]);
    expect(candidates('video', { width: { min: 1000 } }, devices)).toEqual([hd, fhd]);
    expect(candidates('video', { width: { exact: 1280 } }, devices)).toEqual([hd, fhd]);
    expect(candidates('video', { width: { max: 1280, min: 1281 } }, devices)).toEqual([]);
    expect(candidates('video', { height: { min: 1000 } }, devices)).toEqual([fhd]);
  });

  it('bare and ideal values never remove devices in the basic set', () => {
    expect(candidates('video', { width: 4000 }, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('video', { width: { ideal: 4000 } }, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('video', { deviceId: 'hd' }, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('video', { facingMode: 'user' }, devices)).toEqual([vga, hd, fhd]);
  });

  it('deviceId / groupId: exact string, exact list, bare list (ideal)', () => {
    expect(candidates('video', { deviceId: { exact: 'hd' } }, devices)).toEqual([hd]);
    expect(candidates('video', { deviceId: { exact: ['hd', 'vga', 'nope'] } }, devices)).toEqual([vga, hd]);
    expect(candidates('video', { deviceId: { exact: 'nope' } }, devices)).toEqual([]);
    expect(candidates('video', { deviceId: ['hd'] }, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('video', { groupId: { exact: 'g-fhd' } }, devices)).toEqual([fhd]);
    expect(candidates('audio', { deviceId: { exact: 'hd' } }, devices)).toEqual([]);
  });

  it('an empty list means no constraint', () => {
    expect(candidates('video', { deviceId: { exact: [] } }, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('video', { deviceId: [] }, devices)).toEqual([vga, hd, fhd]);
  });

  it('exact facingMode: a device reporting facingMode [] cannot satisfy it', () => {
    expect(candidates('video', { facingMode: { exact: 'user' } }, devices)).toEqual([]);
    const front = cam('front', 1280, { capabilities: { ...cam('front', 1280).capabilities, facingMode: ['user'] } });
    expect(candidates('video', { facingMode: { exact: 'user' } }, [vga, front])).toEqual([front]);
    expect(candidates('video', { facingMode: { exact: ['environment', 'user'] } }, [vga, front])).toEqual([front]);
    expect(candidates('video', { facingMode: { exact: 'environment' } }, [vga, front])).toEqual([]);
  });

  it('enum and boolean capabilities', () => {
    expect(candidates('video', { resizeMode: { exact: 'none' } }, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('video', { resizeMode: { exact: 'bogus' } }, devices)).toEqual([]);
    expect(candidates('audio', { echoCancellation: { exact: true } }, devices)).toEqual([m1]);
    expect(candidates('audio', { echoCancellation: { exact: false } }, devices)).toEqual([m1, m2]);
    expect(candidates('audio', { echoCancellation: true }, devices)).toEqual([m1, m2]);
    expect(candidates('audio', { sampleRate: { exact: 16000 } }, devices)).toEqual([m2]);
    expect(candidates('audio', { channelCount: { min: 2 } }, devices)).toEqual([m1, m2]);
    expect(candidates('audio', { channelCount: { min: 3 } }, devices)).toEqual([]);
    expect(candidates('audio', { latency: { max: 0.005 } }, devices)).toEqual([]);
  });

  it('several required constraints must all hold', () => {
    expect(candidates('video', { width: { min: 1000 }, deviceId: { exact: ['vga', 'hd'] } }, devices)).toEqual([hd]);
  });

  it('advanced sets never remove candidates', () => {
    expect(candidates('video', { advanced: [{ width: 1920 }, { deviceId: 'hd' }] }, devices)).toEqual([vga, hd, fhd]);
    expect(candidates('video', { advanced: [{ width: { exact: 99999 } }] }, devices)).toEqual([vga, hd, fhd]);
  });

  it('unknown capabilities (null, or a missing key) keep devices; deviceId still decides', () => {
    const ff = [vga, hd, fhd].map(firefox);
    expect(candidates('video', { width: { min: 1920 } }, ff)).toEqual(ff);
    expect(candidates('video', { facingMode: { exact: 'user' } }, ff)).toEqual(ff);
    expect(candidates('video', { deviceId: { exact: 'hd' } }, ff)).toEqual([ff[1]]);
    const noFacing = cam('x', 640, { capabilities: { width: { min: 1, max: 640 } } });
    expect(candidates('video', { facingMode: { exact: 'user' }, frameRate: { min: 60 } }, [noFacing])).toEqual([
      noFacing,
    ]);
  });

  it('self-contradictory required ranges match nothing, even with unknown capabilities', () => {
    expect(candidates('video', { width: { min: 800, max: 600 } }, [firefox(vga)])).toEqual([]);
  });

  it('converts values like WebIDL', () => {
    expect(candidates('video', { width: { min: '1920' } }, devices)).toEqual([fhd]);
    expect(candidates('video', { width: { min: 1280.9 } }, devices)).toEqual([hd, fhd]); // unsigned long truncates
    expect(candidates('video', { width: { min: -1 } }, devices)).toEqual([]); // -1 wraps to 4294967295
    expect(candidates('video', { width: { min: NaN } }, devices)).toEqual([vga, hd, fhd]); // NaN -> 0
    expect(candidates('video', { deviceId: { exact: { toString: () => 'hd' } } }, devices)).toEqual([hd]);
    expect(candidates('video', { deviceId: { exact: new Set(['fhd']) } }, devices)).toEqual([fhd]);
    expect(candidates('audio', { echoCancellation: { exact: 1 } }, devices)).toEqual([m1]);
  });

  it('unusable constraints (what WebIDL would reject, throwing getters, Proxies) -> []', () => {
    const unusable: unknown[] = [
      { frameRate: NaN },
      { frameRate: { min: Infinity } },
      { width: Symbol('w') },
      { width: 10n },
      { deviceId: Symbol('d') },
      { deviceId: { exact: [Symbol('d')] } },
      {
        get width() {
          throw new Error('boom');
        },
      },
      { advanced: 1 },
      { advanced: null },
      { advanced: [1] },
      {
        advanced: [
          {
            get width() {
              throw new Error('x');
            },
          },
        ],
      },
      new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
        },
      ),
      { deviceId: { exact: Array.from({ length: 1001 }, (_, i) => `d${i}`) } },
      { advanced: Array.from({ length: 1001 }, () => ({})) },
      {
        deviceId: {
          exact: {
            *[Symbol.iterator]() {
              for (;;) yield 'x';
            },
          },
        },
      },
    ];
    for (const tc of unusable) expect(candidates('video', tc, devices)).toEqual([]);
    const r = Proxy.revocable({}, {});
    r.revoke();
    expect(candidates('video', r.proxy, devices)).toEqual([]);
  });

  it('accepts sequences of exactly 1000 entries', () => {
    const exact = [...Array.from({ length: 999 }, (_, i) => `d${i}`), 'hd'];
    expect(candidates('video', { deviceId: { exact } }, devices)).toEqual([hd]);
  });

  it('reads constraints through getters exactly once per member', () => {
    let reads = 0;
    const tc = {
      get width() {
        reads++;
        return { min: reads === 1 ? 1920 : 1 };
      },
    };
    expect(candidates('video', tc, devices)).toEqual([fhd]);
    expect(reads).toBe(1);
  });

  it('skips malformed devices and ignores hostile capabilities', () => {
    const bad: unknown[] = [
      null,
      1,
      { kind: 'videoinput' },
      {
        get deviceId() {
          throw new Error('x');
        },
      },
    ];
    const hostile = cam('h', 640, {
      capabilities: new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('x');
          },
        },
      ),
    });
    const list = [...bad, vga, hostile] as DeviceDescription[];
    expect(candidates('video', { width: { min: 1920 } }, list)).toEqual([hostile]);
    expect(candidates('video', true, 'nope' as unknown as DeviceDescription[])).toEqual([]);
    expect(
      candidates(
        'video',
        true,
        Array.from({ length: 1001 }, () => vga),
      ),
    ).toEqual([]);
    expect(candidates('screen' as 'video', true, devices)).toEqual([]);
  });

  it('uses capabilities beyond the known members by their shape', () => {
    const blur = cam('b', 640, { capabilities: { backgroundBlur: [true, false], zoom: { min: 1, max: 4 } } });
    const plain = cam('p', 640, { capabilities: { backgroundBlur: [false], zoom: { min: 1, max: 1 } } });
    expect(candidates('video', { backgroundBlur: { exact: true } }, [blur, plain])).toEqual([blur]);
    expect(candidates('video', { zoom: { min: 2 } }, [blur, plain])).toEqual([blur]);
  });

  it('property: never throws, returns a subset of the input devices of the kind, in order', () => {
    const devArb = fc.record({
      deviceId: fc.string({ maxLength: 4 }),
      groupId: fc.string({ maxLength: 4 }),
      kind: fc.constantFrom('audioinput' as const, 'videoinput' as const),
      label: fc.string({ maxLength: 4 }),
      capabilities: fc.oneof(fc.constant(null), fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 4 })),
    });
    const tcArb = fc.oneof(
      anyValue,
      fc.record(
        {
          width: fc.oneof(
            fc.integer(),
            fc.record(
              { min: fc.integer(), max: fc.integer(), ideal: fc.integer(), exact: fc.integer() },
              { requiredKeys: [] },
            ),
          ),
          deviceId: fc.oneof(fc.string(), fc.array(fc.string()), fc.record({ exact: fc.string() })),
          facingMode: fc.oneof(
            fc.constantFrom('user', 'environment'),
            fc.record({ exact: fc.constantFrom('user', 'environment') }),
          ),
          advanced: fc.array(anyValue, { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('audio' as const, 'video' as const),
        tcArb,
        fc.array(devArb, { maxLength: 6 }),
        (kind, tc, ds) => {
          const out = candidates(kind, tc, ds);
          let last = -1;
          for (const d of out) {
            expect(d.kind).toBe(`${kind}input`);
            const i = ds.indexOf(d, last + 1);
            expect(i).toBeGreaterThan(last);
            last = i;
          }
          expect(candidates(kind, true, ds)).toEqual(ds.filter((d) => d.kind === `${kind}input`));
        },
      ),
    );
  });
});

describe('fitnessDistance', () => {
  it('is 0 without ideals and for exact matches', () => {
    expect(fitnessDistance(true, hd)).toBe(0);
    expect(fitnessDistance({}, hd)).toBe(0);
    expect(fitnessDistance({ width: { min: 1000 } }, hd)).toBe(0);
    expect(fitnessDistance({ width: 1280 }, hd)).toBe(0);
    expect(fitnessDistance({ width: 1000 }, hd)).toBe(0); // within the range
    expect(fitnessDistance({ deviceId: 'hd' }, hd)).toBe(0);
  });

  it('numeric: |actual - ideal| / max(|actual|, |ideal|) at the closest reachable setting', () => {
    expect(fitnessDistance({ width: 1920 }, hd)).toBeCloseTo(640 / 1920);
    expect(fitnessDistance({ width: { ideal: 2560 } }, fhd)).toBeCloseTo(640 / 2560);
    expect(fitnessDistance({ width: { ideal: 1920, max: 1000 } }, fhd)).toBeCloseTo(920 / 1920);
    expect(fitnessDistance({ frameRate: 60 }, hd)).toBeCloseTo(0.5);
  });

  it('strings, enums and booleans: 0 or 1; a setting the device lacks is 1 from ideal', () => {
    expect(fitnessDistance({ deviceId: 'other' }, hd)).toBe(1);
    expect(fitnessDistance({ deviceId: ['other', 'hd'] }, hd)).toBe(0);
    expect(fitnessDistance({ groupId: 'g-hd' }, hd)).toBe(0);
    expect(fitnessDistance({ facingMode: 'user' }, hd)).toBe(1);
    expect(fitnessDistance({ echoCancellation: true }, m2)).toBe(1);
    expect(fitnessDistance({ echoCancellation: false }, m2)).toBe(0);
  });

  it('sums over constraints', () => {
    expect(fitnessDistance({ deviceId: 'other', facingMode: 'user', width: 1920 }, hd)).toBeCloseTo(2 + 640 / 1920);
  });

  it('ideal within the exact-restricted choices', () => {
    const both = cam('b', 640, { capabilities: { facingMode: ['user', 'environment'] } });
    expect(fitnessDistance({ facingMode: { exact: 'user', ideal: 'environment' } }, both)).toBe(1);
    expect(fitnessDistance({ facingMode: { exact: ['user', 'environment'], ideal: 'environment' } }, both)).toBe(0);
  });

  it('unknown capabilities add nothing', () => {
    expect(fitnessDistance({ width: 4000, facingMode: 'user' }, firefox(hd))).toBe(0);
    expect(fitnessDistance({ deviceId: 'x' }, firefox(hd))).toBe(1);
  });

  it('advanced sets do not count', () => {
    expect(fitnessDistance({ advanced: [{ deviceId: 'other' }] }, hd)).toBe(0);
  });

  it('Infinity when the required part fails or the input is unusable', () => {
    expect(fitnessDistance({ width: { min: 1920 } }, hd)).toBe(Infinity);
    expect(fitnessDistance({ deviceId: { exact: 'x' } }, hd)).toBe(Infinity);
    expect(
      fitnessDistance(
        {
          get width() {
            throw new Error('x');
          },
        },
        hd,
      ),
    ).toBe(Infinity);
    expect(fitnessDistance({ frameRate: NaN }, hd)).toBe(Infinity);
    expect(fitnessDistance(true, null as unknown as DeviceDescription)).toBe(Infinity);
  });

  it('property: never throws; a number >= 0', () => {
    fc.assert(
      fc.property(anyValue, fc.constantFrom(hd, fhd, m1, firefox(vga)), (tc, d) => {
        const f = fitnessDistance(tc, d);
        expect(typeof f).toBe('number');
        expect(f >= 0).toBe(true);
      }),
    );
  });
});

describe('rank', () => {
  it('{deviceId: id} (ideal) keeps all and ranks that one first', () => {
    expect(ids(rank('video', { deviceId: 'fhd' }, devices))).toEqual(['fhd', 'vga', 'hd']);
  });

  it('orders by fitness distance', () => {
    expect(ids(rank('video', { width: 1920 }, devices))).toEqual(['fhd', 'hd', 'vga']);
    expect(ids(rank('video', { width: { min: 1000, ideal: 1920 } }, devices))).toEqual(['fhd', 'hd']);
    expect(ids(rank('audio', { sampleRate: 16000 }, devices))).toEqual(['m2', 'm1']);
  });

  it('then by the remembered label, then by the browser order', () => {
    expect(ids(rank('video', true, devices))).toEqual(['vga', 'hd', 'fhd']);
    expect(ids(rank('video', true, devices, 'Camera fhd'))).toEqual(['fhd', 'vga', 'hd']);
    expect(ids(rank('video', true, devices, 'gone'))).toEqual(['vga', 'hd', 'fhd']);
    expect(ids(rank('video', { deviceId: 'hd' }, devices, 'Camera fhd'))).toEqual(['hd', 'fhd', 'vga']);
    expect(ids(rank('video', { width: { min: 1000 } }, devices, 'Camera vga'))).toEqual(['hd', 'fhd']);
  });

  it('is [] for unusable input', () => {
    expect(
      rank(
        'video',
        {
          get width() {
            throw new Error('x');
          },
        },
        devices,
      ),
    ).toEqual([]);
    expect(rank('video', false, devices)).toEqual([]);
  });

  it('property: a permutation of the candidates', () => {
    const devArb = fc.record({
      deviceId: fc.constantFrom('a', 'b', 'c'),
      groupId: fc.constantFrom('g', 'h'),
      kind: fc.constantFrom('audioinput' as const, 'videoinput' as const),
      label: fc.constantFrom('A', 'B', ''),
      capabilities: fc.oneof(
        fc.constant(null),
        fc.record({
          width: fc.record({ min: fc.integer({ min: 1, max: 100 }), max: fc.integer({ min: 100, max: 4000 }) }),
          facingMode: fc.subarray(['user', 'environment']),
        }),
      ),
    });
    const tcArb = fc.oneof(
      anyValue,
      fc.record(
        {
          width: fc.oneof(
            fc.integer({ min: 0, max: 5000 }),
            fc.record(
              { min: fc.integer({ min: 0, max: 5000 }), ideal: fc.integer({ min: 0, max: 5000 }) },
              { requiredKeys: [] },
            ),
          ),
          deviceId: fc.oneof(fc.constantFrom('a', 'b'), fc.record({ exact: fc.constantFrom('a', 'b') })),
          facingMode: fc.constantFrom('user', 'environment'),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('audio' as const, 'video' as const),
        tcArb,
        fc.array(devArb, { maxLength: 6 }),
        fc.option(fc.constantFrom('A', 'B')),
        (kind, tc, ds, label) => {
          const c = candidates(kind, tc, ds);
          const r = rank(kind, tc, ds, label ?? undefined);
          expect(r).toHaveLength(c.length);
          expect(new Set(r)).toEqual(new Set(c));
          const f = r.map((d) => fitnessDistance(tc, d));
          for (let i = 1; i < f.length; i++) expect(f[i]! >= f[i - 1]!).toBe(true);
        },
      ),
    );
  });
});

describe('uniqueDevices', () => {
  const real = mic('real', { groupId: 'g1', label: 'USB Mic' });
  const other = mic('other', { groupId: 'g2', label: 'Headset' });
  const def = mic('default', { groupId: 'g1', label: 'Default - USB Mic' });
  const comms = mic('communications', { groupId: 'g2', label: 'Communications - Headset' });

  it("drops Chromium's default/communications aliases, keeping order", () => {
    expect(uniqueDevices([def, comms, real, other, hd])).toEqual([real, other, hd]);
  });

  it('keeps an alias whose device is not listed, or that differs in group, label or kind', () => {
    expect(uniqueDevices([def, other])).toEqual([def, other]);
    expect(uniqueDevices([{ ...def, groupId: 'g9' }, real])).toEqual([{ ...def, groupId: 'g9' }, real]);
    expect(uniqueDevices([{ ...def, label: 'Default - Other' }, real])).toEqual([
      { ...def, label: 'Default - Other' },
      real,
    ]);
    const camSameGroup = cam('c', 640, { groupId: 'g1', label: 'USB Mic' });
    expect(uniqueDevices([def, camSameGroup])).toEqual([def, camSameGroup]);
  });

  it('keeps everything when labels are empty (no permission yet)', () => {
    const a = { ...def, label: '' },
      b = { ...real, label: '' };
    expect(uniqueDevices([a, b])).toEqual([a, b]);
  });

  it('only treats the deviceIds default/communications as aliases', () => {
    const x = mic('x', { groupId: 'g1', label: 'Default - USB Mic' });
    expect(uniqueDevices([x, real])).toEqual([x, real]);
  });

  it('never throws', () => {
    expect(uniqueDevices(null as unknown as DeviceDescription[])).toEqual([]);
    const weird = [
      null,
      {
        get label() {
          throw new Error('x');
        },
      },
    ] as unknown as DeviceDescription[];
    expect(uniqueDevices(weird)).toEqual(weird);
    fc.assert(
      fc.property(fc.array(anyValue, { maxLength: 6 }), (ds) => {
        const out = uniqueDevices(ds as DeviceDescription[]);
        expect(out.length).toBeLessThanOrEqual(ds.length);
      }),
    );
  });
});

describe('pinDevice', () => {
  it('pins the device, drops groupId, keeps everything else', () => {
    const tc = { deviceId: 'old', groupId: 'g', width: { ideal: 1280 }, advanced: [{ frameRate: 30 }], custom: 1 };
    expect(pinDevice(tc, 'hd')).toEqual({
      deviceId: { exact: 'hd' },
      width: { ideal: 1280 },
      advanced: [{ frameRate: 30 }],
      custom: 1,
    });
    expect(pinDevice(true, 'hd')).toEqual({ deviceId: { exact: 'hd' } });
    expect(pinDevice(null, 'hd')).toEqual({ deviceId: { exact: 'hd' } });
  });

  it('keeps members that WebIDL would read through the prototype chain', () => {
    class C {
      get width() {
        return 640;
      }
    }
    expect(pinDevice(new C(), 'x')).toEqual({ width: 640, deviceId: { exact: 'x' } });
    expect(pinDevice(Object.create({ frameRate: 5 }), 'x')).toEqual({ frameRate: 5, deviceId: { exact: 'x' } });
  });

  it('does not mutate its input and does not copy __proto__', () => {
    const tc = JSON.parse('{"deviceId": "a", "__proto__": {"polluted": true}, "height": 1}') as Record<string, unknown>;
    const before = JSON.stringify(tc);
    const out = pinDevice(tc, 'b');
    expect(JSON.stringify(tc)).toBe(before);
    expect(out).not.toBe(tc);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out).toEqual({ height: 1, deviceId: { exact: 'b' } });
  });

  it('falls back to the bare pin when the constraints cannot be read', () => {
    expect(
      pinDevice(
        {
          get width() {
            throw new Error('x');
          },
        },
        'x',
      ),
    ).toEqual({ deviceId: { exact: 'x' } });
    expect(
      pinDevice(
        new Proxy(
          {},
          {
            ownKeys() {
              throw new Error('x');
            },
          },
        ),
        'x',
      ),
    ).toEqual({ deviceId: { exact: 'x' } });
  });

  it('property: deviceId.exact === id, input untouched, never throws', () => {
    fc.assert(
      fc.property(anyValue, fc.string(), (tc, id) => {
        const before = fc.stringify(tc);
        const out = pinDevice(tc, id);
        expect((out.deviceId as { exact: unknown }).exact).toBe(id);
        expect('groupId' in out && out.groupId !== undefined).toBe(false);
        expect(fc.stringify(tc)).toBe(before);
      }),
    );
  });

  it('a pinned device is the only candidate', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(vga, hd, fhd),
        fc.constantFrom({}, { width: 640 }, { deviceId: 'x', groupId: 'g-x' }, true),
        (d, tc) => {
          expect(candidates('video', pinDevice(tc, d.deviceId), devices)).toEqual([d]);
        },
      ),
    );
  });
});
