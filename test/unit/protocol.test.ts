import fc from 'fast-check';
import {
  LIMITS,
  MEDIA_SESSION_ACTIONS,
  PAGE_TO_BACKGROUND_TYPES,
  isContentRequestType,
  parseContentRequest,
  isCallSnapshot,
  isJson,
  isMediaSessionAction,
  isResponse,
  isTrackInfo,
  normalizeSnapshot,
  parsePageEnvelope,
  parsePushEnvelope,
  parseUiEnvelope,
  serializeError,
  type KindAsk,
  type PickerKinds,
} from '../../src/shared/protocol';
import { FEATURES, LABEL_POLICIES, sanitizeSettings } from '../../src/shared/settings';
import { isWebOrigin } from '../../src/shared/origin';
import {
  anyValue,
  actionArb,
  jsonArb,
  kindAskArb,
  labelArb,
  pickerChoiceArb,
  pickerIdArb,
  pickerKindsArb,
  snapshot,
  snapshotArb,
  track,
} from './arbitraries';

const pageEnv = (payload: unknown = snapshot()) => ({ channel: 'page', type: 'calls/update', payload });
const uiList = (payload: unknown = {}) => ({ channel: 'ui', type: 'calls/list', payload });
const uiInvoke = (payload: unknown = { tabId: 1, frameId: 0, action: 'hangup' }) => ({
  channel: 'ui',
  type: 'calls/invoke',
  payload,
});
const push = (payload: unknown = { action: 'togglemicrophone' }) => ({
  channel: 'push',
  type: 'media-session/invoke',
  payload,
});
const ask = (over: Partial<KindAsk> = {}): KindAsk => ({
  constraints: { width: { ideal: 1280 } },
  candidates: ['Front camera'],
  ...over,
});
const pickerOpen = (payload: unknown = { kinds: { video: ask() } }) => ({
  channel: 'page',
  type: 'picker/open',
  payload,
});
const pickerGet = (payload: unknown = { pickerId: 'p-1' }) => ({ channel: 'ui', type: 'picker/get', payload });
const decision = (over: Record<string, unknown> = {}) => ({
  pickerId: 'p-1',
  decision: 'allow',
  choice: { audio: 'Mic' },
  remember: true,
  ...over,
});
const pickerDecide = (payload: unknown = decision()) => ({ channel: 'ui', type: 'picker/decide', payload });
const pickerResult = (
  payload: unknown = { requestId: 'r-1', outcome: { ok: true, choice: { video: 'Front camera' } } },
) => ({ channel: 'push', type: 'picker/result', payload });

// Jest's node environment hands test code the outer realm's structuredClone, so the copies that
// picker/open normalisation makes have that realm's Object.prototype (and isRecord, rightly, refuses
// foreign prototypes). In the extension the clone is same-realm. These two helpers keep the checks honest
// without replacing structuredClone: one recognises Object.prototype of any realm, the other rebuilds
// plain data in this realm (leaving everything else, e.g. a Date or NaN, as it is, so validity is unchanged).
const isObjectPrototype = (p: unknown): boolean =>
  p !== null &&
  typeof p === 'object' &&
  Object.getPrototypeOf(p) === null &&
  (p as { constructor?: { name?: string } }).constructor?.name === 'Object';
const reRealm = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(reRealm);
  if (v === null || typeof v !== 'object') return v;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== null && !isObjectPrototype(proto)) return v;
  const copy: Record<string, unknown> = proto === null ? (Object.create(null) as Record<string, unknown>) : {};
  for (const [k, x] of Object.entries(v))
    Object.defineProperty(copy, k, { value: reRealm(x), enumerable: true, writable: true, configurable: true });
  return copy;
};

/** `n` arrays around `leaf`, so that the leaf sits at depth n. */
const nestArrays = (n: number, leaf: unknown = 1): unknown => (n === 0 ? leaf : [nestArrays(n - 1, leaf)]);
/** `n` objects around `leaf`, so that the leaf sits at depth n. */
const nestObjects = (n: number, leaf: unknown = 1): unknown => (n === 0 ? leaf : { a: nestObjects(n - 1, leaf) });

const nullProto = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.assign(Object.create(null) as object, o);

describe('MEDIA_SESSION_ACTIONS / isMediaSessionAction', () => {
  it('accepts every listed action and nothing else', () => {
    for (const a of MEDIA_SESSION_ACTIONS) expect(isMediaSessionAction(a)).toBe(true);
    for (const a of ['', 'Play', 'toggleMicrophone', 'constructor', '__proto__', 'toString', null, 1, ['play']]) {
      expect(isMediaSessionAction(a)).toBe(false);
    }
  });

  it('exposes the page request types', () => {
    expect(PAGE_TO_BACKGROUND_TYPES).toEqual(
      expect.arrayContaining(['calls/update', 'picker/open', 'chunk/load', 'screen-capture/open']),
    );
  });
});

describe('isTrackInfo', () => {
  it('accepts a valid track, at the length limits too', () => {
    expect(isTrackInfo(track())).toBe(true);
    expect(isTrackInfo(track({ kind: 'video', id: '', label: '' }))).toBe(true);
    expect(isTrackInfo(track({ id: 'i'.repeat(LIMITS.idLength), label: 'l'.repeat(LIMITS.labelLength) }))).toBe(true);
  });

  it('rejects over-long id and label', () => {
    expect(isTrackInfo(track({ id: 'i'.repeat(LIMITS.idLength + 1) }))).toBe(false);
    expect(isTrackInfo(track({ label: 'l'.repeat(LIMITS.labelLength + 1) }))).toBe(false);
  });

  it('rejects wrong kinds of field values', () => {
    expect(isTrackInfo({ ...track(), kind: 'screen' })).toBe(false);
    expect(isTrackInfo({ ...track(), kind: 'Audio' })).toBe(false);
    expect(isTrackInfo({ ...track(), id: 1 })).toBe(false);
    expect(isTrackInfo({ ...track(), label: null })).toBe(false);
    expect(isTrackInfo({ ...track(), enabled: 'true' })).toBe(false);
    expect(isTrackInfo({ ...track(), muted: 0 })).toBe(false);
    expect(isTrackInfo({ ...track(), effect: 'on' })).toBe(false);
  });

  it('carries the effect state of switchable tracks, and nothing else through normalizeSnapshot', () => {
    expect(isTrackInfo(track({ effect: true }))).toBe(true);
    const snap = normalizeSnapshot({
      tracks: [{ ...track({ effect: false }), extra: 1 } as never, track()],
      actions: [],
      reported: {},
    });
    expect(snap.tracks).toEqual([track({ effect: false }), track()]);
    expect('effect' in snap.tracks[1]!).toBe(false);
  });
});

describe('effect switches', () => {
  const req = (payload: unknown) => parseUiEnvelope({ channel: 'ui', type: 'calls/effect', payload });
  it('accepts exactly tab, frame, kind and on', () => {
    expect(req({ tabId: 3, frameId: 0, kind: 'audio', on: true })).not.toBeNull();
    expect(req({ tabId: 3, frameId: 0, kind: 'screen', on: true })).toBeNull();
    expect(req({ tabId: 3, frameId: 0, kind: 'video', on: 1 })).toBeNull();
    expect(req({ tabId: 3, frameId: 0, kind: 'video', on: false, origin: 'x' })).toBeNull();
  });
  it('rebuilds the push to the page from known fields', () => {
    expect(
      parsePushEnvelope({ channel: 'push', type: 'effects/set', payload: { kind: 'video', on: false, x: 1 } }),
    ).toEqual({ channel: 'push', type: 'effects/set', payload: { kind: 'video', on: false } });
    expect(parsePushEnvelope({ channel: 'push', type: 'effects/set', payload: { kind: 'video' } })).toBeNull();
  });

  it('rejects a track with a missing field', () => {
    for (const key of ['id', 'kind', 'label', 'enabled', 'muted'] as const) {
      const t: Record<string, unknown> = { ...track() };
      delete t[key];
      expect(isTrackInfo(t)).toBe(false);
    }
  });

  it('rejects non-records and tracks whose fields are inherited', () => {
    expect(isTrackInfo(null)).toBe(false);
    expect(isTrackInfo([track()])).toBe(false);
    expect(isTrackInfo(Object.create(track()))).toBe(false);
  });
});

describe('isCallSnapshot', () => {
  it('accepts the minimal snapshot and a full one', () => {
    expect(isCallSnapshot(snapshot())).toBe(true);
    expect(
      isCallSnapshot(
        snapshot({
          tracks: [track(), track({ id: 't2', kind: 'video' })],
          actions: [...MEDIA_SESSION_ACTIONS],
          reported: { microphone: true, camera: false, screenshare: true },
        }),
      ),
    ).toBe(true);
  });

  it('accepts reported flags that are explicitly undefined', () => {
    expect(isCallSnapshot(snapshot({ reported: { microphone: undefined } }))).toBe(true);
  });

  it('accepts exactly LIMITS.tracks tracks and rejects one more', () => {
    const tracks = Array.from({ length: LIMITS.tracks }, (_, i) => track({ id: `t${i}` }));
    expect(isCallSnapshot(snapshot({ tracks }))).toBe(true);
    expect(isCallSnapshot(snapshot({ tracks: [...tracks, track()] }))).toBe(false);
  });

  it('caps actions at the number of known actions (duplicates are not rejected by themselves)', () => {
    const n = MEDIA_SESSION_ACTIONS.length;
    expect(isCallSnapshot(snapshot({ actions: Array(n).fill('play') }))).toBe(true);
    expect(isCallSnapshot(snapshot({ actions: Array(n + 1).fill('play') }))).toBe(false);
  });

  it('rejects missing or mistyped fields', () => {
    expect(isCallSnapshot({ actions: [], reported: {} })).toBe(false);
    expect(isCallSnapshot({ tracks: [], reported: {} })).toBe(false);
    expect(isCallSnapshot({ tracks: [], actions: [] })).toBe(false);
    expect(isCallSnapshot(snapshot({ reported: null as never }))).toBe(false);
    expect(isCallSnapshot(snapshot({ reported: [] as never }))).toBe(false);
    expect(isCallSnapshot(snapshot({ reported: { microphone: 'yes' as never } }))).toBe(false);
    expect(isCallSnapshot(snapshot({ reported: { camera: null as never } }))).toBe(false);
    expect(isCallSnapshot(snapshot({ reported: { screenshare: 1 as never } }))).toBe(false);
    expect(isCallSnapshot(snapshot({ tracks: {} as never }))).toBe(false);
    expect(isCallSnapshot(snapshot({ tracks: [{ ...track(), kind: 'data' }] as never }))).toBe(false);
    expect(isCallSnapshot(snapshot({ actions: ['play', 'dance'] as never }))).toBe(false);
    expect(isCallSnapshot(snapshot({ actions: 'play' as never }))).toBe(false);
  });

  it('rejects a snapshot whose fields are inherited or whose reported is a class instance', () => {
    expect(isCallSnapshot(Object.create(snapshot()))).toBe(false);
    expect(
      isCallSnapshot(
        snapshot({
          reported: new (class {
            microphone = true;
          })(),
        }),
      ),
    ).toBe(false);
  });
});

describe('parsePageEnvelope', () => {
  it('accepts a valid envelope and returns channel, type and payload only', () => {
    const payload = snapshot({ tracks: [track()], actions: ['togglemicrophone'], reported: { microphone: true } });
    const parsed = parsePageEnvelope({ ...pageEnv(payload), extra: 1, tabId: 99, origin: 'https://evil.example' });
    expect(parsed).toEqual({ channel: 'page', type: 'calls/update', payload });
    expect(Object.keys(parsed!).sort()).toEqual(['channel', 'payload', 'type']);
  });

  it('rejects a wrong channel', () => {
    for (const channel of ['ui', 'push', 'Page', '', undefined, null, ['page']]) {
      expect(parsePageEnvelope({ ...pageEnv(), channel })).toBeNull();
    }
  });

  it('rejects unknown and inherited type names', () => {
    for (const type of [
      'calls/list',
      'calls/invoke',
      'media-session/invoke',
      'calls/update ',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '',
      1,
      null,
      undefined,
      ['calls/update'],
      'picker/get',
      'picker/decide',
      'picker/result',
      'picker/open ',
      'Picker/open',
      'picker',
    ]) {
      expect(parsePageEnvelope({ ...pageEnv(), type })).toBeNull();
    }
  });

  it('rejects a missing or invalid payload', () => {
    const { payload: _omit, ...noPayload } = pageEnv();
    expect(parsePageEnvelope(noPayload)).toBeNull();
    expect(parsePageEnvelope(pageEnv(null))).toBeNull();
    expect(parsePageEnvelope(pageEnv([]))).toBeNull();
    expect(parsePageEnvelope(pageEnv({}))).toBeNull();
    expect(
      parsePageEnvelope(pageEnv(snapshot({ tracks: [track({ id: 'x'.repeat(LIMITS.idLength + 1) })] }))),
    ).toBeNull();
    expect(
      parsePageEnvelope(pageEnv(snapshot({ tracks: [track({ label: 'x'.repeat(LIMITS.labelLength + 1) })] }))),
    ).toBeNull();
    expect(parsePageEnvelope(pageEnv(snapshot({ tracks: Array(LIMITS.tracks + 1).fill(track()) })))).toBeNull();
    expect(
      parsePageEnvelope(pageEnv(snapshot({ actions: Array(MEDIA_SESSION_ACTIONS.length + 1).fill('hangup') }))),
    ).toBeNull();
  });

  it('rejects non-records', () => {
    for (const v of [null, undefined, 'page', 42, true, [pageEnv()], new Map(Object.entries(pageEnv()))]) {
      expect(parsePageEnvelope(v)).toBeNull();
    }
  });

  it('rejects an envelope whose fields come from its prototype', () => {
    expect(parsePageEnvelope({ __proto__: pageEnv() })).toBeNull();
    expect(parsePageEnvelope(Object.create(pageEnv()))).toBeNull();
    expect(parsePageEnvelope(pageEnv({ __proto__: snapshot() }))).toBeNull();
    expect(parsePageEnvelope(pageEnv(snapshot({ tracks: [{ __proto__: track() } as never] })))).toBeNull();
  });

  it('accepts null-prototype objects (what structured clone of a plain record could give) at every level', () => {
    const payload = nullProto({
      tracks: [nullProto({ ...track() })],
      actions: [],
      reported: nullProto({ camera: false }),
    });
    const parsed = parsePageEnvelope(nullProto(pageEnv(payload)));
    expect(parsed).not.toBeNull();
    expect(parsed!.channel).toBe('page');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('treats an own "__proto__" key from JSON.parse as an ordinary extra field', () => {
    const raw: unknown = JSON.parse(
      '{"channel":"page","type":"calls/update","payload":{"tracks":[],"actions":[],"reported":{}},"__proto__":{"x":1}}',
    );
    const parsed = parsePageEnvelope(raw);
    expect(parsed).toEqual({
      channel: 'page',
      type: 'calls/update',
      payload: { tracks: [], actions: [], reported: {} },
    });
    expect(Object.hasOwn(parsed!, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('does not let a JSON "__proto__" key swap the envelope\'s prototype', () => {
    const raw: unknown = JSON.parse(
      '{"__proto__":{"channel":"page","type":"calls/update","payload":{"tracks":[],"actions":[],"reported":{}}}}',
    );
    expect(parsePageEnvelope(raw)).toBeNull();
  });
});

describe('parseUiEnvelope', () => {
  it('accepts calls/list with an empty payload only', () => {
    expect(parseUiEnvelope(uiList())).toEqual({ channel: 'ui', type: 'calls/list', payload: {} });
    expect(parseUiEnvelope(uiList(Object.create(null)))).not.toBeNull();
    expect(parseUiEnvelope(uiList({ a: 1 }))).toBeNull();
    expect(parseUiEnvelope(uiList({ a: undefined }))).toBeNull();
    expect(parseUiEnvelope(uiList([]))).toBeNull();
    expect(parseUiEnvelope(uiList(null))).toBeNull();
    expect(parseUiEnvelope({ channel: 'ui', type: 'calls/list' })).toBeNull();
  });

  it('accepts a valid calls/invoke and drops extra envelope fields', () => {
    const payload = { tabId: 7, frameId: 0, action: 'togglecamera' };
    const parsed = parseUiEnvelope({ ...uiInvoke(payload), sender: 'forged' });
    expect(parsed).toEqual({ channel: 'ui', type: 'calls/invoke', payload });
    expect(Object.keys(parsed!).sort()).toEqual(['channel', 'payload', 'type']);
  });

  it('rejects calls/invoke with ids that are not non-negative integers, or an unknown action', () => {
    const ok = { tabId: 1, frameId: 0, action: 'hangup' };
    for (const bad of [
      { ...ok, tabId: NaN },
      { ...ok, tabId: Infinity },
      { ...ok, tabId: '1' },
      { ...ok, frameId: -Infinity },
      { ...ok, frameId: null },
      { ...ok, tabId: -1 },
      { ...ok, frameId: 0.5 },
      { ...ok, action: 'explode' },
      { ...ok, action: undefined },
      { tabId: 1, frameId: 0 },
      { frameId: 0, action: 'hangup' },
      { tabId: 1, action: 'hangup' },
    ]) {
      expect(parseUiEnvelope(uiInvoke(bad))).toBeNull();
    }
  });

  it('rejects wrong channel, page types and inherited names', () => {
    expect(parseUiEnvelope({ ...uiList(), channel: 'page' })).toBeNull();
    expect(parseUiEnvelope({ channel: 'ui', type: 'calls/update', payload: snapshot() })).toBeNull();
    for (const type of [
      'constructor',
      '__proto__',
      'toString',
      'media-session/invoke',
      'picker/open',
      'picker/result',
    ]) {
      expect(parseUiEnvelope({ channel: 'ui', type, payload: {} })).toBeNull();
    }
    expect(parseUiEnvelope({ channel: 'ui', type: 'picker/open', payload: { kinds: { video: ask() } } })).toBeNull();
    expect(parseUiEnvelope({ ...pickerGet(), channel: 'page' })).toBeNull();
    expect(parseUiEnvelope({ ...pickerDecide(), channel: 'push' })).toBeNull();
    expect(parseUiEnvelope(Object.create(uiList()))).toBeNull();
    expect(parseUiEnvelope(null)).toBeNull();
    expect(parseUiEnvelope([uiList()])).toBeNull();
  });
});

describe('parsePushEnvelope', () => {
  it('accepts a valid push and rebuilds its payload from the action alone', () => {
    const payload = { action: 'hangup', extra: 'x', tabId: 3 };
    const parsed = parsePushEnvelope({ ...push(payload), more: true });
    expect(parsed).toEqual({ channel: 'push', type: 'media-session/invoke', payload: { action: 'hangup' } });
    expect(parsed!.payload).not.toBe(payload);
  });

  it('rejects everything else', () => {
    expect(parsePushEnvelope({ ...push(), channel: 'page' })).toBeNull();
    expect(parsePushEnvelope({ ...push(), type: 'calls/update' })).toBeNull();
    expect(parsePushEnvelope({ ...push(), type: undefined })).toBeNull();
    expect(parsePushEnvelope({ ...push(), type: 'picker/open' })).toBeNull();
    expect(parsePushEnvelope({ ...push(), type: 'picker/result' })).toBeNull();
    expect(parsePushEnvelope({ ...push(), type: 'toString' })).toBeNull();
    expect(parsePushEnvelope(push({ action: 'launch' }))).toBeNull();
    expect(parsePushEnvelope(push({}))).toBeNull();
    expect(parsePushEnvelope(push(null))).toBeNull();
    expect(parsePushEnvelope(push(['hangup']))).toBeNull();
    expect(parsePushEnvelope(push({ __proto__: { action: 'hangup' } }))).toBeNull();
    expect(parsePushEnvelope({ __proto__: push() })).toBeNull();
    expect(parsePushEnvelope(undefined)).toBeNull();
    expect(parsePushEnvelope('push')).toBeNull();
  });
});

describe('isJson', () => {
  it('accepts JSON scalars, arrays and plain objects', () => {
    for (const v of [
      null,
      true,
      false,
      0,
      -1.5,
      Number.MAX_VALUE,
      -Number.MIN_VALUE,
      '',
      's',
      [],
      {},
      [1, 'a', null, [false]],
      { width: { ideal: 1280, max: 1920 }, deviceId: { exact: ['a', 'b'] }, advanced: [{ torch: true }] },
    ]) {
      expect(isJson(v)).toBe(true);
    }
  });

  it('accepts null-prototype objects and an own "__proto__" key from JSON.parse', () => {
    expect(isJson(nullProto({ a: nullProto({ b: 1 }) }))).toBe(true);
    expect(isJson(JSON.parse('{"__proto__":{"x":1}}'))).toBe(true);
  });

  it('rejects non-finite numbers, at the top and nested', () => {
    for (const n of [NaN, Infinity, -Infinity]) {
      expect(isJson(n)).toBe(false);
      expect(isJson([1, n])).toBe(false);
      expect(isJson({ width: { ideal: n } })).toBe(false);
    }
  });

  it('rejects values JSON cannot carry faithfully', () => {
    for (const v of [
      undefined,
      1n,
      Symbol('s'),
      () => 1,
      new Date(0),
      new Map(),
      new Set(),
      /x/,
      new Number(1),
      new String('s'),
      new Boolean(true),
      new Uint8Array(2),
      new (class {
        a = 1;
      })(),
      Object.create({ a: 1 }),
      [undefined],
      { a: undefined },
      [1, , 3],
      { a: [() => 1] },
      { a: { b: 2n } },
    ]) {
      expect(isJson(v)).toBe(false);
    }
  });

  it('bounds string values and keys by LIMITS.jsonString', () => {
    const ok = 's'.repeat(LIMITS.jsonString);
    const long = 's'.repeat(LIMITS.jsonString + 1);
    expect(isJson(ok)).toBe(true);
    expect(isJson(long)).toBe(false);
    expect(isJson([1, [long]])).toBe(false);
    expect(isJson({ [ok]: 1 })).toBe(true);
    expect(isJson({ [long]: 1 })).toBe(false);
    expect(isJson({ a: { [long]: null } })).toBe(false);
  });

  it('bounds nesting depth by LIMITS.jsonDepth (the top value is at depth 0)', () => {
    expect(isJson(nestArrays(LIMITS.jsonDepth))).toBe(true);
    expect(isJson(nestArrays(LIMITS.jsonDepth + 1))).toBe(false);
    expect(isJson(nestObjects(LIMITS.jsonDepth))).toBe(true);
    expect(isJson(nestObjects(LIMITS.jsonDepth + 1))).toBe(false);
    expect(isJson(nestArrays(3, nestObjects(LIMITS.jsonDepth - 3)))).toBe(true);
    expect(isJson(nestArrays(3, nestObjects(LIMITS.jsonDepth - 2)))).toBe(false);
    expect(isJson(nestArrays(1000))).toBe(false);
  });

  it('bounds the number of values in all (containers included) by LIMITS.jsonItems', () => {
    const n = LIMITS.jsonItems;
    expect(isJson(Array(n - 1).fill(0))).toBe(true);
    expect(isJson(Array(n).fill(0))).toBe(false);
    expect(isJson(Array(100_000).fill(0))).toBe(false);
    expect(isJson(Object.fromEntries(Array.from({ length: n - 1 }, (_, i) => [`k${i}`, i])))).toBe(true);
    expect(isJson(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])))).toBe(false);
    // Counted across levels, not per container: 1 + 2 + 99 + 98 = 200 values, then 1 + 2 + 100 + 99 = 202.
    expect(isJson([Array(99).fill(0), Array(98).fill(0)])).toBe(true);
    expect(isJson([Array(100).fill(0), Array(99).fill(0)])).toBe(false);
    expect(isJson({ a: Array(100).fill({}), b: Array(100).fill([]) })).toBe(false);
  });

  it('gives every top-level call its own budget', () => {
    const big = Array(LIMITS.jsonItems - 1).fill(0);
    expect(isJson(big)).toBe(true);
    expect(isJson(big)).toBe(true);
    expect(isJson({ a: 1 })).toBe(true);
  });

  it('property: never throws; what it accepts survives JSON and is accepted again', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, jsonArb), (v) => {
        if (!isJson(v)) return;
        const text = JSON.stringify(v);
        expect(typeof text).toBe('string');
        const back: unknown = JSON.parse(text);
        expect(isJson(back)).toBe(true);
        expect(JSON.stringify(back)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('property: generated bounded JSON is accepted', () => {
    fc.assert(
      fc.property(jsonArb, (v) => {
        expect(isJson(v)).toBe(true);
      }),
    );
  });
});

describe('parsePageEnvelope: picker/open', () => {
  it('accepts one kind or both, with candidates or null', () => {
    for (const kinds of [
      { video: ask() },
      { audio: ask({ candidates: null }) },
      { audio: ask({ constraints: true }), video: ask({ candidates: [] }) },
      { audio: ask({ constraints: null, candidates: ['', 'Mic'] }) },
    ] as PickerKinds[]) {
      expect(parsePageEnvelope(pickerOpen({ kinds }))).toEqual({
        channel: 'page',
        type: 'picker/open',
        payload: { kinds },
      });
    }
  });

  it('rebuilds the payload from known fields: extra fields of the envelope, payload and kinds are dropped', () => {
    const constraints = { deviceId: { exact: 'abc' }, width: { ideal: 1280 }, advanced: [{ torch: true }] };
    const candidates = ['Front camera', 'Back camera'];
    const payload = {
      kinds: { video: { constraints, candidates, requestId: 'forged', extra: 1 } },
      requestId: 'forged',
      origin: 'https://bank.example',
      tabId: 9,
    };
    const parsed = parsePageEnvelope({ ...pickerOpen(payload), origin: 'https://bank.example' });
    expect(parsed).toEqual({
      channel: 'page',
      type: 'picker/open',
      payload: { kinds: { video: { constraints, candidates } } },
    });
    if (parsed?.type !== 'picker/open') throw new Error('expected picker/open');
    expect(Object.keys(parsed).sort()).toEqual(['channel', 'payload', 'type']);
    expect(Object.keys(parsed.payload)).toEqual(['kinds']);
    expect(Object.keys(parsed.payload.kinds)).toEqual(['video']);
    expect(Object.keys(parsed.payload.kinds.video!).sort()).toEqual(['candidates', 'constraints']);
  });

  it('copies the constraints and candidates: later changes by the page do not reach the parsed envelope', () => {
    const constraints = { width: { ideal: 1280 } };
    const candidates = ['Front camera'];
    const payload = { kinds: { video: { constraints, candidates } } };
    const parsed = parsePageEnvelope(pickerOpen(payload));
    if (parsed?.type !== 'picker/open') throw new Error('expected picker/open');
    const video = parsed.payload.kinds.video!;
    expect(parsed.payload).not.toBe(payload);
    expect(video.constraints).not.toBe(constraints);
    expect((video.constraints as { width: unknown }).width).not.toBe(constraints.width);
    expect(video.candidates).not.toBe(candidates);
    constraints.width.ideal = 1;
    candidates.push('Evil');
    expect(video).toEqual({ constraints: { width: { ideal: 1280 } }, candidates: ['Front camera'] });
  });

  it('drops a kind given as explicitly undefined', () => {
    const parsed = parsePageEnvelope(pickerOpen({ kinds: { audio: undefined, video: ask() } }));
    if (parsed?.type !== 'picker/open') throw new Error('expected picker/open');
    expect(Object.keys(parsed.payload.kinds)).toEqual(['video']);
  });

  it('accepts null-prototype objects at every level and hands back ordinary ones', () => {
    const video = nullProto({ constraints: nullProto({ width: nullProto({ ideal: 640 }) }), candidates: ['Cam'] });
    const parsed = parsePageEnvelope(nullProto(pickerOpen(nullProto({ kinds: nullProto({ video }) }))));
    expect(parsed).toEqual({
      channel: 'page',
      type: 'picker/open',
      payload: { kinds: { video: { constraints: { width: { ideal: 640 } }, candidates: ['Cam'] } } },
    });
    if (parsed?.type !== 'picker/open') throw new Error('expected picker/open');
    expect(Object.getPrototypeOf(parsed.payload.kinds)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(parsed.payload.kinds.video)).toBe(Object.prototype);
    const constraints = parsed.payload.kinds.video!.constraints as { width: object };
    expect(isObjectPrototype(Object.getPrototypeOf(constraints))).toBe(true);
    expect(isObjectPrototype(Object.getPrototypeOf(constraints.width))).toBe(true);
  });

  it('rejects kinds that ask for nothing, or for something other than audio and video', () => {
    for (const kinds of [
      undefined,
      null,
      {},
      { audio: undefined },
      { audio: undefined, video: undefined },
      [ask()],
      'video',
      { screen: ask() },
      { video: ask(), screen: ask() },
      { video: ask(), extra: undefined },
      { Video: ask() },
    ]) {
      expect(parsePageEnvelope(pickerOpen({ kinds }))).toBeNull();
    }
    expect(parsePageEnvelope(pickerOpen({}))).toBeNull();
    expect(parsePageEnvelope(pickerOpen(null))).toBeNull();
    expect(parsePageEnvelope(pickerOpen([{ kinds: { video: ask() } }]))).toBeNull();
    const { payload: _omit, ...noPayload } = pickerOpen();
    expect(parsePageEnvelope(noPayload)).toBeNull();
  });

  it('rejects a kind that is not a record with constraints and candidates', () => {
    const { constraints: _c, ...noConstraints } = ask();
    const { candidates: _k, ...noCandidates } = ask();
    for (const video of [
      null,
      true,
      'camera',
      [],
      {},
      noConstraints,
      noCandidates,
      ask({ constraints: undefined as never }),
      ask({ candidates: undefined as never }),
      ask({ candidates: 'Front camera' as never }),
      ask({ candidates: {} as never }),
      ask({ candidates: [1] as never }),
      ask({ candidates: [null] as never }),
      ask({ candidates: [['Cam']] as never }),
      ask({ candidates: [, 'Cam'] as never }),
      Object.create(ask()),
      new (class {
        constraints = {};
        candidates = null;
      })(),
    ]) {
      expect(parsePageEnvelope(pickerOpen({ kinds: { video } }))).toBeNull();
      expect(parsePageEnvelope(pickerOpen({ kinds: { audio: ask(), video } }))).toBeNull();
    }
  });

  it('bounds the candidates by LIMITS.candidates and their labels by LIMITS.labelLength', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `Camera ${i}`);
    expect(
      parsePageEnvelope(pickerOpen({ kinds: { video: ask({ candidates: many(LIMITS.candidates) }) } })),
    ).not.toBeNull();
    expect(
      parsePageEnvelope(pickerOpen({ kinds: { video: ask({ candidates: many(LIMITS.candidates + 1) }) } })),
    ).toBeNull();
    expect(parsePageEnvelope(pickerOpen({ kinds: { audio: ask({ candidates: many(100_000) }) } }))).toBeNull();
    expect(
      parsePageEnvelope(pickerOpen({ kinds: { video: ask({ candidates: ['l'.repeat(LIMITS.labelLength)] }) } })),
    ).not.toBeNull();
    expect(
      parsePageEnvelope(
        pickerOpen({ kinds: { video: ask({ candidates: ['Cam', 'l'.repeat(LIMITS.labelLength + 1)] }) } }),
      ),
    ).toBeNull();
  });

  it('requires the constraints to be bounded JSON', () => {
    const bad: unknown[] = [
      NaN,
      Infinity,
      -Infinity,
      { width: { ideal: NaN } },
      { frameRate: { max: Infinity } },
      [1, -Infinity],
      1n,
      () => ({}),
      Symbol('c'),
      new Date(0),
      new Map([['width', 1]]),
      new (class {
        width = 1;
      })(),
      { a: undefined },
      's'.repeat(LIMITS.jsonString + 1),
      { deviceId: { exact: ['x'.repeat(LIMITS.jsonString + 1)] } },
      { ['k'.repeat(LIMITS.jsonString + 1)]: 1 },
      nestObjects(LIMITS.jsonDepth + 1),
      nestArrays(LIMITS.jsonDepth + 1),
      Array(LIMITS.jsonItems).fill(0),
      { advanced: Array.from({ length: LIMITS.jsonItems }, () => ({})) },
    ];
    for (const constraints of bad) {
      expect(
        parsePageEnvelope(pickerOpen({ kinds: { video: ask({ constraints: constraints as never }) } })),
      ).toBeNull();
      expect(
        parsePageEnvelope(pickerOpen({ kinds: { video: ask(), audio: ask({ constraints: constraints as never }) } })),
      ).toBeNull();
    }
    for (const constraints of [
      nestObjects(LIMITS.jsonDepth),
      nestArrays(LIMITS.jsonDepth),
      Array(LIMITS.jsonItems - 1).fill(0),
      's'.repeat(LIMITS.jsonString),
    ]) {
      expect(
        parsePageEnvelope(pickerOpen({ kinds: { video: ask({ constraints: constraints as never }) } })),
      ).not.toBeNull();
    }
  });

  // A page's MessagePort carries an array's named properties too; they would pass no bound.
  it('does not let non-index properties of an array ride along in the constraints', () => {
    const constraints = Object.assign([1], {
      extra: 'x'.repeat(LIMITS.jsonString * 100),
      notFinite: NaN,
      deep: nestArrays(100),
    });
    expect(parsePageEnvelope(pickerOpen({ kinds: { video: ask({ constraints: constraints as never }) } }))).toBeNull();
  });

  it('is not confused with calls/update: each type wants its own payload', () => {
    expect(parsePageEnvelope(pickerOpen(snapshot()))).toBeNull();
    expect(parsePageEnvelope(pageEnv({ kinds: { video: ask() } }))).toBeNull();
    expect(parsePageEnvelope({ ...pickerOpen(), payload: { ...snapshot(), kinds: { video: ask() } } })).toEqual(
      pickerOpen(),
    );
  });

  it('rejects picker/open whose fields come from a prototype', () => {
    expect(parsePageEnvelope(Object.create(pickerOpen()))).toBeNull();
    expect(parsePageEnvelope(pickerOpen(Object.create({ kinds: { video: ask() } })))).toBeNull();
    expect(parsePageEnvelope(pickerOpen({ kinds: Object.create({ video: ask() }) }))).toBeNull();
  });

  it('property: valid requests parse to themselves, extra fields are dropped, and parsing is idempotent', () => {
    const extras = fc.dictionary(
      fc.string().filter((k) => k !== 'constraints' && k !== 'candidates'),
      anyValue,
      { maxKeys: 3 },
    );
    fc.assert(
      fc.property(pickerKindsArb, extras, extras, (kinds, payloadExtra, askExtra) => {
        const messy = Object.fromEntries(
          Object.entries(kinds).map(([k, v]) => [k, { ...askExtra, ...(v as KindAsk) }]),
        );
        const parsed = parsePageEnvelope(pickerOpen({ ...payloadExtra, kinds: messy }));
        // Constraints are copied as JSON, so -0 arrives as 0, the same as JSON messaging would deliver it.
        expect(parsed).toEqual(pickerOpen({ kinds: JSON.parse(JSON.stringify(kinds)) as PickerKinds }));
        expect(parsePageEnvelope(reRealm(parsed))).toEqual(parsed);
        const json: unknown = JSON.parse(JSON.stringify(parsed));
        expect(parsePageEnvelope(json)).toEqual(json);
      }),
    );
  });
});

describe('parseUiEnvelope: picker/get and picker/decide', () => {
  it('accepts picker/get with a picker id', () => {
    for (const pickerId of ['p', '0', 'p-1', 'a'.repeat(64), '0b5e7c62-3c1a-4a7e-9d47-3f0f2e1c9a11']) {
      expect(parseUiEnvelope(pickerGet({ pickerId }))).toEqual({
        channel: 'ui',
        type: 'picker/get',
        payload: { pickerId },
      });
    }
  });

  it('rejects picker/get without a well-formed picker id', () => {
    for (const pickerId of [
      '',
      'P-1',
      'a'.repeat(65),
      'p_1',
      'p 1',
      'p/1',
      '../p',
      'p\n',
      '\np',
      'é',
      1,
      null,
      undefined,
      ['p'],
      { id: 'p' },
    ]) {
      expect(parseUiEnvelope(pickerGet({ pickerId }))).toBeNull();
    }
    expect(parseUiEnvelope(pickerGet({}))).toBeNull();
    expect(parseUiEnvelope(pickerGet(null))).toBeNull();
    expect(parseUiEnvelope(pickerGet('p-1'))).toBeNull();
    expect(parseUiEnvelope(pickerGet(Object.create({ pickerId: 'p-1' })))).toBeNull();
  });

  it('accepts picker/decide for allow and block, with any subset of audio and video chosen', () => {
    for (const payload of [
      decision(),
      decision({ decision: 'block', choice: {}, remember: false }),
      decision({ choice: { audio: 'Mic', video: 'Cam' } }),
      decision({ choice: { video: 'l'.repeat(LIMITS.labelLength) } }),
      decision({ choice: { audio: '' } }),
      decision({ choice: nullProto({ video: 'Cam' }) }),
    ]) {
      expect(parseUiEnvelope(pickerDecide(payload))).toEqual({ channel: 'ui', type: 'picker/decide', payload });
    }
  });

  it('rejects picker/decide with a bad id, decision, choice or remember flag, or a missing field', () => {
    const bad: Array<Record<string, unknown>> = [
      { pickerId: 'P' },
      { pickerId: '' },
      { pickerId: 1 },
      { pickerId: undefined },
      { decision: 'ask' },
      { decision: 'Allow' },
      { decision: 'deny' },
      { decision: true },
      { decision: undefined },
      { choice: null },
      { choice: [] },
      { choice: 'Mic' },
      { choice: undefined },
      { choice: { screen: 'Display' } },
      { choice: { audio: 'Mic', screen: 'Display' } },
      { choice: { audio: 1 } },
      { choice: { audio: null } },
      { choice: { audio: undefined } },
      { choice: { video: ['Cam'] } },
      { choice: { video: 'l'.repeat(LIMITS.labelLength + 1) } },
      { choice: Object.create({ audio: 'Mic' }) },
      { choice: { toString: 'x' } },
      { remember: 'true' },
      { remember: 1 },
      { remember: null },
      { remember: undefined },
    ];
    for (const over of bad) expect(parseUiEnvelope(pickerDecide(decision(over)))).toBeNull();
    for (const key of ['pickerId', 'decision', 'choice', 'remember']) {
      const payload: Record<string, unknown> = decision();
      delete payload[key];
      expect(parseUiEnvelope(pickerDecide(payload))).toBeNull();
    }
    expect(parseUiEnvelope(pickerDecide(null))).toBeNull();
    expect(parseUiEnvelope(pickerDecide(Object.create(decision())))).toBeNull();
  });
});

describe('parsePushEnvelope: picker/result', () => {
  it('accepts a choice and rebuilds the payload from known fields', () => {
    const choice = { audio: 'Mic', video: 'Cam' };
    const raw = {
      requestId: 'r-1',
      outcome: { ok: true, choice, error: { name: 'X', message: 'y' }, extra: 1 },
      tabId: 4,
    };
    const parsed = parsePushEnvelope({ ...pickerResult(raw), more: true });
    expect(parsed).toEqual({
      channel: 'push',
      type: 'picker/result',
      payload: { requestId: 'r-1', outcome: { ok: true, choice } },
    });
    if (parsed?.type !== 'picker/result') throw new Error('expected picker/result');
    expect(Object.keys(parsed).sort()).toEqual(['channel', 'payload', 'type']);
    expect(Object.keys(parsed.payload).sort()).toEqual(['outcome', 'requestId']);
    expect(Object.keys(parsed.payload.outcome).sort()).toEqual(['choice', 'ok']);
    if (!parsed.payload.outcome.ok) throw new Error('expected ok');
    expect(parsed.payload.outcome.choice).not.toBe(choice);
  });

  it('accepts an empty or single-kind choice, and a null-prototype one as an ordinary object', () => {
    for (const choice of [{}, { audio: 'Mic' }, { video: '' }]) {
      expect(parsePushEnvelope(pickerResult({ requestId: 'r', outcome: { ok: true, choice } }))).toEqual({
        channel: 'push',
        type: 'picker/result',
        payload: { requestId: 'r', outcome: { ok: true, choice } },
      });
    }
    const parsed = parsePushEnvelope(
      pickerResult({ requestId: 'r', outcome: { ok: true, choice: nullProto({ video: 'Cam' }) } }),
    );
    if (parsed?.type !== 'picker/result' || !parsed.payload.outcome.ok) throw new Error('expected an ok picker/result');
    expect(Object.getPrototypeOf(parsed.payload.outcome.choice)).toBe(Object.prototype);
    expect(parsed.payload.outcome.choice).toEqual({ video: 'Cam' });
  });

  it('accepts an error and keeps only its name and message', () => {
    const raw = {
      requestId: 'r-2',
      outcome: {
        ok: false,
        error: { name: 'NotAllowedError', message: 'Permission denied', stack: 's', code: 0 },
        choice: { audio: 'Mic' },
      },
    };
    expect(parsePushEnvelope(pickerResult(raw))).toEqual({
      channel: 'push',
      type: 'picker/result',
      payload: {
        requestId: 'r-2',
        outcome: { ok: false, error: { name: 'NotAllowedError', message: 'Permission denied' } },
      },
    });
  });

  it('rejects a bad request id or outcome', () => {
    const okOutcome = { ok: true, choice: { audio: 'Mic' } };
    const errOutcome = { ok: false, error: { name: 'NotAllowedError', message: 'no' } };
    for (const requestId of ['', 'R-1', 'a'.repeat(65), 'r 1', 1, null, undefined]) {
      expect(parsePushEnvelope(pickerResult({ requestId, outcome: okOutcome }))).toBeNull();
      expect(parsePushEnvelope(pickerResult({ requestId, outcome: errOutcome }))).toBeNull();
    }
    for (const outcome of [
      undefined,
      null,
      true,
      [],
      'ok',
      {},
      Object.create(okOutcome),
      { ...okOutcome, ok: 'true' },
      { ...okOutcome, ok: 1 },
      { ...okOutcome, ok: undefined },
      { ok: true },
      { ok: true, choice: null },
      { ok: true, choice: { screen: 'x' } },
      { ok: true, choice: { audio: 1 } },
      { ok: true, choice: { audio: 'l'.repeat(LIMITS.labelLength + 1) } },
      { ok: true, choice: Object.create({ audio: 'Mic' }) },
      { ok: true, error: errOutcome.error },
      { ok: false },
      { ok: false, choice: { audio: 'Mic' } },
      { ok: false, error: null },
      { ok: false, error: 'no' },
      { ok: false, error: { name: 'E' } },
      { ok: false, error: { message: 'm' } },
      { ok: false, error: { name: 1, message: 'm' } },
      { ok: false, error: new Error('m') },
      { ok: false, error: Object.create({ name: 'E', message: 'm' }) },
      { ...errOutcome, ok: 0 },
    ]) {
      expect(parsePushEnvelope(pickerResult({ requestId: 'r', outcome }))).toBeNull();
    }
    expect(parsePushEnvelope(pickerResult(null))).toBeNull();
    expect(parsePushEnvelope(pickerResult({ outcome: okOutcome }))).toBeNull();
    expect(parsePushEnvelope(pickerResult(Object.create({ requestId: 'r', outcome: okOutcome })))).toBeNull();
    expect(parsePushEnvelope({ ...pickerResult(), channel: 'page' })).toBeNull();
    expect(parsePushEnvelope({ ...pickerResult(), type: 'picker/open' })).toBeNull();
    expect(parsePushEnvelope(Object.create(pickerResult()))).toBeNull();
  });

  it('property: a valid result survives a JSON round trip and re-parses to itself', () => {
    const outcome = fc.oneof(
      pickerChoiceArb.map((choice) => ({ ok: true as const, choice })),
      fc.record({ name: fc.string(), message: fc.string() }).map((error) => ({ ok: false as const, error })),
    );
    fc.assert(
      fc.property(pickerIdArb, outcome, anyValue, (requestId, out, extra) => {
        const parsed = parsePushEnvelope({ ...pickerResult({ requestId, outcome: { ...out, extra }, extra }), extra });
        expect(parsed).toEqual(pickerResult({ requestId, outcome: out }));
        expect(parsePushEnvelope(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
      }),
    );
  });
});

describe('parseUiEnvelope: sites and settings', () => {
  const ui = (type: string, payload: unknown) => ({ channel: 'ui', type, payload });

  it('accepts sites/list and settings/get with an empty payload only', () => {
    for (const type of ['sites/list', 'settings/get']) {
      expect(parseUiEnvelope(ui(type, {}))).toEqual({ channel: 'ui', type, payload: {} });
      for (const payload of [{ a: 1 }, { origin: 'https://a.example' }, [], null, undefined, 'x'])
        expect(parseUiEnvelope(ui(type, payload))).toBeNull();
    }
  });

  it('accepts sites/set for a web origin, a known kind and a known state', () => {
    for (const kind of ['camera', 'microphone']) {
      for (const state of ['allow', 'block', 'ask']) {
        const payload = { origin: 'https://meet.example', kind, state };
        expect(parseUiEnvelope(ui('sites/set', payload))).toEqual({ channel: 'ui', type: 'sites/set', payload });
      }
    }
    expect(
      parseUiEnvelope(ui('sites/set', { origin: 'http://localhost:8080', kind: 'camera', state: 'ask' })),
    ).not.toBeNull();
  });

  it('rejects sites/set for anything but a web origin, or with an unknown kind or state', () => {
    const ok = { origin: 'https://meet.example', kind: 'camera', state: 'allow' };
    for (const origin of [
      'null',
      'file://',
      'chrome-extension://abc',
      'https://meet.example/',
      'HTTPS://MEET.EXAMPLE',
      '__proto__',
      '',
      1,
      null,
      undefined,
    ]) {
      expect(parseUiEnvelope(ui('sites/set', { ...ok, origin }))).toBeNull();
    }
    for (const kind of ['audio', 'video', 'screen', 'Camera', '', null, undefined])
      expect(parseUiEnvelope(ui('sites/set', { ...ok, kind }))).toBeNull();
    for (const state of ['granted', 'denied', 'prompt', 'Allow', '', null, undefined, true])
      expect(parseUiEnvelope(ui('sites/set', { ...ok, state }))).toBeNull();
    expect(parseUiEnvelope(ui('sites/set', Object.create(ok)))).toBeNull();
  });

  it('accepts settings/set only with settings the sanitiser keeps whole', () => {
    for (const settings of [
      {},
      { labelPolicy: 'never-hide' },
      { features: { 'label-hiding': false } },
      {
        features: { 'call-detection': true, 'media-session': false, 'picker-semantics': true, 'label-hiding': false },
        defaultSemantics: 'user-chooses',
        labelPolicy: 'always-hide',
        alwaysShowPicker: true,
      },
    ]) {
      expect(parseUiEnvelope(ui('settings/set', { settings }))).toEqual({
        channel: 'ui',
        type: 'settings/set',
        payload: { settings },
      });
    }
    // An old feature name (FEATURE_RENAMES) arrives as the new one.
    expect(parseUiEnvelope(ui('settings/set', { settings: { features: { labels: false } } }))).toEqual({
      channel: 'ui',
      type: 'settings/set',
      payload: { settings: { features: { 'label-hiding': false } } },
    });
    for (const settings of [
      { theme: 'dark' },
      { labelPolicy: 'sometimes' },
      { alwaysShowPicker: 'yes' },
      { features: { webgpu: true } },
      { features: { labels: 1 } },
      { features: null },
      { defaultSemantics: undefined },
      null,
      [],
      'x',
      undefined,
      Object.create({ labelPolicy: 'never-hide' }),
    ]) {
      expect(parseUiEnvelope(ui('settings/set', { settings }))).toBeNull();
    }
    expect(parseUiEnvelope(ui('settings/set', {}))).toBeNull();
    expect(parseUiEnvelope(ui('settings/set', { labelPolicy: 'never-hide' }))).toBeNull();
  });
});

describe('parsePushEnvelope: call-detection/release', () => {
  const release = (payload: unknown) => ({ channel: 'push', type: 'call-detection/release', payload });

  it('accepts a kind and a label and rebuilds the payload from them alone', () => {
    for (const kind of ['audio', 'video']) {
      expect(parsePushEnvelope({ ...release({ kind, label: 'Cam', extra: 1 }), more: 2 })).toEqual({
        channel: 'push',
        type: 'call-detection/release',
        payload: { kind, label: 'Cam' },
      });
    }
    expect(parsePushEnvelope(release({ kind: 'audio', label: 'l'.repeat(LIMITS.labelLength) }))).not.toBeNull();
  });

  it('rejects an unknown kind or a bad label', () => {
    for (const payload of [
      { kind: 'screen', label: 'x' },
      { kind: 'camera', label: 'x' },
      { kind: 'audio' },
      { kind: 'audio', label: 1 },
      { kind: 'video', label: 'l'.repeat(LIMITS.labelLength + 1) },
      { label: 'x' },
      null,
      [],
      Object.create({ kind: 'audio', label: 'x' }),
    ]) {
      expect(parsePushEnvelope(release(payload))).toBeNull();
    }
    expect(parsePushEnvelope({ ...release({ kind: 'audio', label: 'x' }), channel: 'page' })).toBeNull();
  });
});

describe('serializeError', () => {
  it('keeps name and message of a plain error-shaped record', () => {
    expect(serializeError({ name: 'SecurityError', message: 'nope', stack: 'x' })).toEqual({
      name: 'SecurityError',
      message: 'nope',
    });
  });

  it('stringifies anything else under the name "Error"', () => {
    expect(serializeError('boom')).toEqual({ name: 'Error', message: 'boom' });
    expect(serializeError(undefined)).toEqual({ name: 'Error', message: 'undefined' });
    expect(serializeError(null)).toEqual({ name: 'Error', message: 'null' });
    expect(serializeError(42)).toEqual({ name: 'Error', message: '42' });
    expect(serializeError({ name: 1, message: 'm' })).toEqual({ name: 'Error', message: '[object Object]' });
    expect(serializeError(Symbol('s'))).toEqual({ name: 'Error', message: 'Symbol(s)' });
  });

  it('keeps the name and message of a real Error instance', () => {
    expect(serializeError(new TypeError('boom'))).toEqual({ name: 'TypeError', message: 'boom' });
  });

  it('keeps the name of a DOMException', () => {
    expect(serializeError(new DOMException('no', 'NotAllowedError'))).toEqual({
      name: 'NotAllowedError',
      message: 'no',
    });
  });

  it('never throws, whatever was thrown', () => {
    expect(() => serializeError(Object.create(null))).not.toThrow();
  });
  it('never throws for an object whose toString throws', () => {
    expect(() =>
      serializeError({
        toString() {
          throw new Error('no');
        },
      }),
    ).not.toThrow();
  });
});

describe('isResponse', () => {
  it('accepts ok responses that carry a result, even null or undefined', () => {
    expect(isResponse({ ok: true, result: null })).toBe(true);
    expect(isResponse({ ok: true, result: undefined })).toBe(true);
    expect(isResponse({ ok: true, result: [1, 2] })).toBe(true);
  });

  it('rejects ok responses without an own result', () => {
    expect(isResponse({ ok: true })).toBe(false);
    expect(isResponse({ __proto__: { result: 1 }, ok: true })).toBe(false);
  });

  it('accepts error responses with a string name and message', () => {
    expect(isResponse({ ok: false, error: { name: 'TypeError', message: 'm' } })).toBe(true);
  });

  it('rejects malformed error responses and other values', () => {
    for (const v of [
      { ok: false },
      { ok: false, error: null },
      { ok: false, error: 'x' },
      { ok: false, error: { name: 'E' } },
      { ok: false, error: { message: 'm' } },
      { ok: false, error: { name: 1, message: 'm' } },
      { ok: false, error: new Error('m') },
      { ok: 'true', result: 1 },
      { ok: 1, result: 1 },
      { result: 1 },
      null,
      undefined,
      [],
      'ok',
      { __proto__: { ok: true, result: 1 } },
    ]) {
      expect(isResponse(v)).toBe(false);
    }
  });
});

describe('properties', () => {
  const isPlain = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    [Object.prototype, null].includes(Object.getPrototypeOf(v));
  const keysWithin = (v: object, allowed: string[]) => Object.keys(v).every((k) => allowed.includes(k));
  const isLabelRef = (v: unknown) => typeof v === 'string' && v.length <= LIMITS.labelLength;
  const isIdRef = (v: unknown) => typeof v === 'string' && /^[a-z0-9-]{1,64}$/.test(v);
  /** The normalised form: exactly { constraints, candidates }, bounded JSON, bounded candidate labels. */
  const isAskRef = (v: unknown) =>
    isPlain(v) &&
    Object.keys(v).sort().join() === 'candidates,constraints' &&
    isJson(reRealm(v.constraints)) &&
    (v.candidates === null ||
      (Array.isArray(v.candidates) && v.candidates.length <= LIMITS.candidates && v.candidates.every(isLabelRef)));
  const isPickerOpenRef = (v: unknown) =>
    isPlain(v) &&
    keysWithin(v, ['kinds']) &&
    isPlain(v.kinds) &&
    Object.keys(v.kinds).length > 0 &&
    keysWithin(v.kinds, ['audio', 'video']) &&
    Object.values(v.kinds).every(isAskRef);
  const isChoiceRef = (v: unknown) =>
    isPlain(v) && keysWithin(v, ['audio', 'video']) && Object.values(v).every(isLabelRef);
  const isDecideRef = (v: unknown) =>
    isPlain(v) &&
    isIdRef(v.pickerId) &&
    (v.decision === 'allow' || v.decision === 'block') &&
    isChoiceRef(v.choice) &&
    typeof v.remember === 'boolean';
  const isResultRef = (v: unknown) => {
    if (
      !isPlain(v) ||
      Object.keys(v).sort().join() !== 'outcome,requestId' ||
      !isIdRef(v.requestId) ||
      !isPlain(v.outcome)
    )
      return false;
    const o = v.outcome;
    if (o.ok === true) return Object.keys(o).sort().join() === 'choice,ok' && isChoiceRef(o.choice);
    return (
      o.ok === false &&
      Object.keys(o).sort().join() === 'error,ok' &&
      isPlain(o.error) &&
      Object.keys(o.error).sort().join() === 'message,name' &&
      typeof o.error.name === 'string' &&
      typeof o.error.message === 'string'
    );
  };

  const validPage = (p: ReturnType<typeof parsePageEnvelope>) =>
    p !== null &&
    p.channel === 'page' &&
    (PAGE_TO_BACKGROUND_TYPES as string[]).includes(p.type) &&
    (p.type === 'calls/update' ? isCallSnapshot(p.payload) : p.type === 'picker/open' && isPickerOpenRef(p.payload));
  const validUi = (p: ReturnType<typeof parseUiEnvelope>) =>
    p !== null &&
    p.channel === 'ui' &&
    (p.type === 'calls/list'
      ? isRecord0(p.payload)
      : p.type === 'calls/invoke'
        ? isInvoke(p.payload)
        : p.type === 'picker/get'
          ? isPlain(p.payload) && isIdRef(p.payload.pickerId)
          : p.type === 'picker/decide'
            ? isDecideRef(p.payload)
            : p.type === 'sites/list' || p.type === 'settings/get'
              ? isRecord0(p.payload)
              : p.type === 'sites/set'
                ? isPlain(p.payload) &&
                  isWebOrigin(p.payload.origin) &&
                  ['camera', 'microphone'].includes(p.payload.kind) &&
                  ['allow', 'block', 'ask'].includes(p.payload.state)
                : p.type === 'settings/set' &&
                  isPlain(p.payload) &&
                  sanitizeSettings(p.payload.settings, 'x').warnings.length === 0 &&
                  isPlain(p.payload.settings));
  const isRecord0 = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length === 0;
  const isInvoke = (v: unknown) => {
    const o = v as { tabId?: unknown; frameId?: unknown; action?: unknown };
    return (
      Number.isSafeInteger(o.tabId) &&
      (o.tabId as number) >= 0 &&
      Number.isSafeInteger(o.frameId) &&
      (o.frameId as number) >= 0 &&
      isMediaSessionAction(o.action)
    );
  };
  const validPush = (p: ReturnType<typeof parsePushEnvelope>) =>
    p !== null &&
    p.channel === 'push' &&
    (p.type === 'media-session/invoke'
      ? Object.keys(p.payload).length === 1 && isMediaSessionAction(p.payload.action)
      : p.type === 'call-detection/release'
        ? Object.keys(p.payload).sort().join() === 'kind,label' &&
          ['audio', 'video'].includes(p.payload.kind) &&
          isLabelRef(p.payload.label)
        : p.type === 'picker/result' && isResultRef(p.payload));

  const outcomeArb = fc.oneof(
    pickerChoiceArb.map((choice) => ({ ok: true as const, choice })),
    fc.record({ name: fc.string(), message: fc.string() }).map((error) => ({ ok: false as const, error })),
  );

  /** Envelopes that each parser should accept. */
  const validEnvelope = fc.oneof(
    snapshotArb.map((s) => pageEnv(s)),
    fc.constant(uiList()),
    fc.record({ tabId: fc.nat(), frameId: fc.nat(), action: actionArb }).map((p) => uiInvoke(p)),
    actionArb.map((action) => push({ action })),
    pickerKindsArb.map((kinds) => pickerOpen({ kinds })),
    pickerIdArb.map((pickerId) => pickerGet({ pickerId })),
    fc
      .record({
        pickerId: pickerIdArb,
        decision: fc.constantFrom('allow', 'block'),
        choice: pickerChoiceArb,
        remember: fc.boolean(),
      })
      .map((p) => pickerDecide(p)),
    fc.record({ requestId: pickerIdArb, outcome: outcomeArb }).map((p) => pickerResult(p)),
    fc.constantFrom('sites/list', 'settings/get').map((type) => ({ channel: 'ui', type, payload: {} })),
    fc
      .record({
        origin: fc.webUrl().map((u) => new URL(u).origin),
        kind: fc.constantFrom('camera', 'microphone'),
        state: fc.constantFrom('allow', 'block', 'ask'),
      })
      .map((payload) => ({ channel: 'ui', type: 'sites/set', payload })),
    fc
      .record(
        {
          labelPolicy: fc.constantFrom(...LABEL_POLICIES),
          alwaysShowPicker: fc.boolean(),
          features: fc.dictionary(fc.constantFrom(...FEATURES), fc.boolean()),
        },
        { requiredKeys: [] },
      )
      .map((settings) => ({ channel: 'ui', type: 'settings/set', payload: { settings } })),
    fc
      .record({ kind: fc.constantFrom('audio', 'video'), label: labelArb })
      .map((payload) => ({ channel: 'push', type: 'call-detection/release', payload })),
  );

  /** A valid envelope with one field (at the top or inside the payload) replaced by anything, or deleted. */
  const mutatedEnvelope = fc
    .tuple(validEnvelope, fc.boolean(), fc.nat(), anyValue, fc.boolean())
    .map(([env, inPayload, pick, value, remove]) => {
      const target: Record<string, unknown> =
        inPayload && typeof env.payload === 'object' && env.payload !== null
          ? ((env.payload = { ...(env.payload as object) }) as Record<string, unknown>)
          : env;
      const keys = Object.keys(target);
      if (keys.length === 0) {
        target.extra = value;
        return env;
      }
      const key = keys[pick % keys.length]!;
      if (remove) delete target[key];
      else target[key] = value;
      return env;
    });

  /** Arbitrary values, valid envelopes, mutated ones, and envelope-shaped records with arbitrary field values. */
  const envelopeish = fc.oneof(
    anyValue,
    validEnvelope,
    mutatedEnvelope,
    fc.record(
      {
        channel: fc.oneof(fc.constantFrom('page', 'ui', 'push'), anyValue),
        type: fc.oneof(
          fc.constantFrom(
            'calls/update',
            'calls/list',
            'calls/invoke',
            'media-session/invoke',
            'picker/open',
            'picker/get',
            'picker/decide',
            'picker/result',
            'sites/list',
            'sites/set',
            'settings/get',
            'settings/set',
            'call-detection/release',
            '__proto__',
            'constructor',
          ),
          anyValue,
        ),
        payload: fc.oneof(
          snapshotArb,
          fc.constant({}),
          fc.record({ action: fc.oneof(actionArb, anyValue), tabId: anyValue, frameId: anyValue }),
          fc.record({
            kinds: fc.oneof(
              pickerKindsArb,
              fc.dictionary(
                fc.constantFrom('audio', 'video', 'screen'),
                fc.oneof(
                  kindAskArb,
                  fc.record(
                    { constraints: anyValue, candidates: fc.oneof(fc.array(fc.oneof(labelArb, anyValue)), anyValue) },
                    { requiredKeys: [] },
                  ),
                  anyValue,
                ),
              ),
              anyValue,
            ),
          }),
          fc.record(
            {
              pickerId: fc.oneof(pickerIdArb, anyValue),
              decision: fc.oneof(fc.constantFrom('allow', 'block', 'ask'), anyValue),
              choice: fc.oneof(pickerChoiceArb, fc.dictionary(fc.string(), fc.oneof(labelArb, anyValue))),
              remember: fc.oneof(fc.boolean(), anyValue),
            },
            { requiredKeys: [] },
          ),
          fc.record(
            {
              requestId: fc.oneof(pickerIdArb, anyValue),
              outcome: fc.oneof(
                outcomeArb,
                fc.record(
                  { ok: fc.oneof(fc.boolean(), anyValue), choice: anyValue, error: anyValue },
                  { requiredKeys: [] },
                ),
                anyValue,
              ),
            },
            { requiredKeys: [] },
          ),
          fc
            .record({ constraints: fc.oneof(jsonArb, anyValue) })
            .map(({ constraints }) => ({ kinds: { video: { constraints, candidates: null } } })),
          fc.record(
            {
              origin: fc.oneof(
                fc.webUrl().map((u) => new URL(u).origin),
                anyValue,
              ),
              kind: fc.oneof(fc.constantFrom('camera', 'microphone', 'audio', 'video'), anyValue),
              state: fc.oneof(fc.constantFrom('allow', 'block', 'ask'), anyValue),
              label: fc.oneof(labelArb, anyValue),
              settings: anyValue,
            },
            { requiredKeys: [] },
          ),
          anyValue,
        ),
      },
      { requiredKeys: [] },
    ),
  );

  it('the parsers never throw and return null or a valid envelope', () => {
    let accepted = 0;
    fc.assert(
      fc.property(envelopeish, (v) => {
        const page = parsePageEnvelope(v);
        const ui = parseUiEnvelope(v);
        const pushed = parsePushEnvelope(v);
        expect(page === null || validPage(page)).toBe(true);
        expect(ui === null || validUi(ui)).toBe(true);
        expect(pushed === null || validPush(pushed)).toBe(true);
        // At most one channel can accept a value.
        const results = [page, ui, pushed].filter((x) => x !== null);
        expect(results.length).toBeLessThanOrEqual(1);
        accepted += results.length;
      }),
      { numRuns: 1000 },
    );
    // The generator must reach the accepting branches too, not only rejections.
    expect(accepted).toBeGreaterThan(100);
  });

  it('every valid envelope is accepted by exactly its own parser', () => {
    fc.assert(
      fc.property(validEnvelope, (env) => {
        const results = { page: parsePageEnvelope(env), ui: parseUiEnvelope(env), push: parsePushEnvelope(env) };
        for (const [channel, result] of Object.entries(results)) {
          // Constraints are copied as JSON (-0 arrives as 0, as JSON messaging would deliver it).
          if (channel === env.channel)
            expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(JSON.stringify(env)));
          else expect(result).toBeNull();
        }
      }),
    );
  });

  it('every generated valid snapshot is accepted, and parsing is idempotent', () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        expect(isCallSnapshot(s)).toBe(true);
        const once = parsePageEnvelope(pageEnv(s));
        expect(once).toEqual({ channel: 'page', type: 'calls/update', payload: s });
        expect(parsePageEnvelope(once)).toEqual(once);
      }),
    );
  });

  it('a valid push survives a JSON round trip and re-parses to itself', () => {
    fc.assert(
      fc.property(actionArb, anyValue, (action, extra) => {
        const parsed = parsePushEnvelope({ ...push({ action, extra }), extra });
        expect(parsed).toEqual({ channel: 'push', type: 'media-session/invoke', payload: { action } });
        expect(parsePushEnvelope(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
      }),
    );
  });

  it('isResponse never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyValue,
          fc.record({ ok: fc.oneof(fc.boolean(), anyValue), result: anyValue, error: anyValue }, { requiredKeys: [] }),
        ),
        (v) => {
          expect(typeof isResponse(v)).toBe('boolean');
        },
      ),
    );
  });
});

describe('parsePageEnvelope: chunk/load', () => {
  const load = (payload: unknown) => ({ channel: 'page', type: 'chunk/load', payload });
  it("accepts only MediaGate's own chunk names and drops everything else", () => {
    expect(parsePageEnvelope(load({ name: 'usermedia-element', file: '../../etc/passwd' }))).toEqual(
      load({ name: 'usermedia-element' }),
    );
    for (const name of [
      '',
      'chunks/usermedia-element.js',
      'USERMEDIA-ELEMENT',
      'usermedia',
      '__proto__',
      'constructor',
      'toString',
      null,
      1,
      ['usermedia-element'],
      { toString: () => 'usermedia-element' },
    ]) {
      expect(parsePageEnvelope(load({ name }))).toBeNull();
    }
    expect(parsePageEnvelope(load(null))).toBeNull();
    expect(parsePageEnvelope(load(Object.create({ name: 'usermedia-element' })))).toBeNull();
  });
  it('property: any payload either parses to a known chunk name alone or is refused', () => {
    fc.assert(
      fc.property(anyValue, fc.oneof(fc.constant('usermedia-element'), fc.string()), (extra, name) => {
        const parsed = parsePageEnvelope(load({ ...(typeof extra === 'object' && extra !== null ? extra : {}), name }));
        if (name === 'usermedia-element') expect(parsed).toEqual(load({ name }));
        else expect(parsed).toBeNull();
      }),
    );
  });
});

describe('requests the content script answers itself', () => {
  it('have their own table: the background never sees them, the content script accepts only well-formed ones', () => {
    expect(parsePageEnvelope({ channel: 'page', type: 'effects/segmenter', payload: {} })).toBeNull();
    expect(PAGE_TO_BACKGROUND_TYPES).not.toContain('effects/segmenter');
    expect(isContentRequestType('effects/segmenter')).toBe(true);
    for (const type of ['calls/update', 'chunk/load', '__proto__', 'constructor', 1, null])
      expect(isContentRequestType(type)).toBe(false);
    expect(parseContentRequest('effects/segmenter', {})).toEqual({ type: 'effects/segmenter', payload: {} });
    for (const payload of [{ x: 1 }, null, [], 'x', undefined])
      expect(parseContentRequest('effects/segmenter', payload)).toBeNull();
  });
});

describe('every direction rebuilds payloads from known fields', () => {
  it('drops fields a sender added to an otherwise valid UI request or push', () => {
    expect(
      parseUiEnvelope({
        channel: 'ui',
        type: 'calls/invoke',
        payload: { tabId: 1, frameId: 0, action: 'hangup', extra: { big: 1 } },
      }),
    ).toEqual({ channel: 'ui', type: 'calls/invoke', payload: { tabId: 1, frameId: 0, action: 'hangup' } });
    expect(
      parseUiEnvelope({
        channel: 'ui',
        type: 'sites/set',
        payload: { origin: 'https://a.example', kind: 'camera', state: 'allow', more: true },
      }),
    ).toEqual({
      channel: 'ui',
      type: 'sites/set',
      payload: { origin: 'https://a.example', kind: 'camera', state: 'allow' },
    });
    expect(parsePushEnvelope({ channel: 'push', type: 'call-window/open', payload: { x: 1 } })).toEqual({
      channel: 'push',
      type: 'call-window/open',
      payload: {},
    });
    expect(
      parsePushEnvelope({ channel: 'push', type: 'media-session/invoke', payload: { action: 'hangup', x: 1 } }),
    ).toEqual({ channel: 'push', type: 'media-session/invoke', payload: { action: 'hangup' } });
  });
});
