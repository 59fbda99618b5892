import fc from 'fast-check';
import {
  LIMITS, MEDIA_SESSION_ACTIONS, PAGE_REQUEST_TYPES, isCallSnapshot, isMediaSessionAction, isResponse, isTrackInfo,
  parsePageEnvelope, parsePushEnvelope, parseUiEnvelope, serializeError,
} from '../../src/shared/protocol';
import { anyValue, actionArb, snapshot, snapshotArb, track } from './arbitraries';

const pageEnv = (payload: unknown = snapshot()) => ({ channel: 'page', type: 'calls/update', payload });
const uiList = (payload: unknown = {}) => ({ channel: 'ui', type: 'calls/list', payload });
const uiInvoke = (payload: unknown = { tabId: 1, frameId: 0, action: 'hangup' }) => ({ channel: 'ui', type: 'calls/invoke', payload });
const push = (payload: unknown = { action: 'togglemicrophone' }) => ({ channel: 'push', type: 'media-session/invoke', payload });

const nullProto = (o: Record<string, unknown>): Record<string, unknown> => Object.assign(Object.create(null) as object, o);

describe('MEDIA_SESSION_ACTIONS / isMediaSessionAction', () => {
  it('accepts every listed action and nothing else', () => {
    for (const a of MEDIA_SESSION_ACTIONS) expect(isMediaSessionAction(a)).toBe(true);
    for (const a of ['', 'Play', 'toggleMicrophone', 'constructor', '__proto__', 'toString', null, 1, ['play']]) {
      expect(isMediaSessionAction(a)).toBe(false);
    }
  });

  it('exposes the page request types', () => {
    expect(PAGE_REQUEST_TYPES).toEqual(['calls/update']);
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
    expect(isCallSnapshot(snapshot({
      tracks: [track(), track({ id: 't2', kind: 'video' })],
      actions: [...MEDIA_SESSION_ACTIONS],
      reported: { microphone: true, camera: false, screenshare: true },
    }))).toBe(true);
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
    expect(isCallSnapshot(snapshot({ reported: new (class { microphone = true })() }))).toBe(false);
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
    for (const type of ['calls/list', 'calls/invoke', 'media-session/invoke', 'calls/update ', 'constructor', '__proto__',
      'toString', 'hasOwnProperty', 'valueOf', '', 1, null, undefined, ['calls/update']]) {
      expect(parsePageEnvelope({ ...pageEnv(), type })).toBeNull();
    }
  });

  it('rejects a missing or invalid payload', () => {
    const { payload: _omit, ...noPayload } = pageEnv();
    expect(parsePageEnvelope(noPayload)).toBeNull();
    expect(parsePageEnvelope(pageEnv(null))).toBeNull();
    expect(parsePageEnvelope(pageEnv([]))).toBeNull();
    expect(parsePageEnvelope(pageEnv({}))).toBeNull();
    expect(parsePageEnvelope(pageEnv(snapshot({ tracks: [track({ id: 'x'.repeat(LIMITS.idLength + 1) })] })))).toBeNull();
    expect(parsePageEnvelope(pageEnv(snapshot({ tracks: [track({ label: 'x'.repeat(LIMITS.labelLength + 1) })] })))).toBeNull();
    expect(parsePageEnvelope(pageEnv(snapshot({ tracks: Array(LIMITS.tracks + 1).fill(track()) })))).toBeNull();
    expect(parsePageEnvelope(pageEnv(snapshot({ actions: Array(MEDIA_SESSION_ACTIONS.length + 1).fill('hangup') })))).toBeNull();
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
    const payload = nullProto({ tracks: [nullProto({ ...track() })], actions: [], reported: nullProto({ camera: false }) });
    const parsed = parsePageEnvelope(nullProto(pageEnv(payload)));
    expect(parsed).not.toBeNull();
    expect(parsed!.channel).toBe('page');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('treats an own "__proto__" key from JSON.parse as an ordinary extra field', () => {
    const raw: unknown = JSON.parse(
      '{"channel":"page","type":"calls/update","payload":{"tracks":[],"actions":[],"reported":{}},"__proto__":{"x":1}}');
    const parsed = parsePageEnvelope(raw);
    expect(parsed).toEqual({ channel: 'page', type: 'calls/update', payload: { tracks: [], actions: [], reported: {} } });
    expect(Object.hasOwn(parsed!, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('does not let a JSON "__proto__" key swap the envelope\'s prototype', () => {
    const raw: unknown = JSON.parse('{"__proto__":{"channel":"page","type":"calls/update","payload":{"tracks":[],"actions":[],"reported":{}}}}');
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
      { ...ok, tabId: NaN }, { ...ok, tabId: Infinity }, { ...ok, tabId: '1' }, { ...ok, frameId: -Infinity },
      { ...ok, frameId: null }, { ...ok, tabId: -1 }, { ...ok, frameId: 0.5 }, { ...ok, action: 'explode' }, { ...ok, action: undefined },
      { tabId: 1, frameId: 0 }, { frameId: 0, action: 'hangup' }, { tabId: 1, action: 'hangup' },
    ]) {
      expect(parseUiEnvelope(uiInvoke(bad))).toBeNull();
    }
  });

  it('rejects wrong channel, page types and inherited names', () => {
    expect(parseUiEnvelope({ ...uiList(), channel: 'page' })).toBeNull();
    expect(parseUiEnvelope({ channel: 'ui', type: 'calls/update', payload: snapshot() })).toBeNull();
    for (const type of ['constructor', '__proto__', 'toString', 'media-session/invoke']) {
      expect(parseUiEnvelope({ channel: 'ui', type, payload: {} })).toBeNull();
    }
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

describe('serializeError', () => {
  it('keeps name and message of a plain error-shaped record', () => {
    expect(serializeError({ name: 'SecurityError', message: 'nope', stack: 'x' })).toEqual({ name: 'SecurityError', message: 'nope' });
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
    expect(serializeError(new DOMException('no', 'NotAllowedError'))).toEqual({ name: 'NotAllowedError', message: 'no' });
  });

  it('never throws, whatever was thrown', () => {
    expect(() => serializeError(Object.create(null))).not.toThrow();
  });
  it('never throws for an object whose toString throws', () => {
    expect(() => serializeError({ toString() { throw new Error('no'); } })).not.toThrow();
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
      { ok: false }, { ok: false, error: null }, { ok: false, error: 'x' }, { ok: false, error: { name: 'E' } },
      { ok: false, error: { message: 'm' } }, { ok: false, error: { name: 1, message: 'm' } },
      { ok: false, error: new Error('m') }, { ok: 'true', result: 1 }, { ok: 1, result: 1 }, { result: 1 },
      null, undefined, [], 'ok', { __proto__: { ok: true, result: 1 } },
    ]) {
      expect(isResponse(v)).toBe(false);
    }
  });
});

describe('properties', () => {
  const validPage = (p: ReturnType<typeof parsePageEnvelope>) =>
    p !== null && p.channel === 'page' && (PAGE_REQUEST_TYPES as string[]).includes(p.type) && isCallSnapshot(p.payload);
  const validUi = (p: ReturnType<typeof parseUiEnvelope>) => p !== null && p.channel === 'ui' &&
    (p.type === 'calls/list' ? isRecord0(p.payload) : p.type === 'calls/invoke' && isInvoke(p.payload));
  const isRecord0 = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length === 0;
  const isInvoke = (v: unknown) => {
    const o = v as { tabId?: unknown; frameId?: unknown; action?: unknown };
    return Number.isSafeInteger(o.tabId) && (o.tabId as number) >= 0 && Number.isSafeInteger(o.frameId) && (o.frameId as number) >= 0 && isMediaSessionAction(o.action);
  };
  const validPush = (p: ReturnType<typeof parsePushEnvelope>) => p !== null && p.channel === 'push' &&
    p.type === 'media-session/invoke' && Object.keys(p.payload).length === 1 && isMediaSessionAction(p.payload.action);

  /** Envelopes that each parser should accept. */
  const validEnvelope = fc.oneof(
    snapshotArb.map((s) => pageEnv(s)),
    fc.constant(uiList()),
    fc.record({ tabId: fc.nat(), frameId: fc.nat(), action: actionArb }).map((p) => uiInvoke(p)),
    actionArb.map((action) => push({ action })),
  );

  /** A valid envelope with one field (at the top or inside the payload) replaced by anything, or deleted. */
  const mutatedEnvelope = fc.tuple(validEnvelope, fc.boolean(), fc.nat(), anyValue, fc.boolean()).map(
    ([env, inPayload, pick, value, remove]) => {
      const target: Record<string, unknown> = inPayload && typeof env.payload === 'object' && env.payload !== null
        ? (env.payload = { ...(env.payload as object) }) as Record<string, unknown>
        : env;
      const keys = Object.keys(target);
      if (keys.length === 0) { target.extra = value; return env; }
      const key = keys[pick % keys.length]!;
      if (remove) delete target[key]; else target[key] = value;
      return env;
    });

  /** Arbitrary values, valid envelopes, mutated ones, and envelope-shaped records with arbitrary field values. */
  const envelopeish = fc.oneof(
    anyValue,
    validEnvelope,
    mutatedEnvelope,
    fc.record({
      channel: fc.oneof(fc.constantFrom('page', 'ui', 'push'), anyValue),
      type: fc.oneof(fc.constantFrom('calls/update', 'calls/list', 'calls/invoke', 'media-session/invoke', '__proto__', 'constructor'), anyValue),
      payload: fc.oneof(snapshotArb, fc.constant({}), fc.record({ action: fc.oneof(actionArb, anyValue), tabId: anyValue, frameId: anyValue }), anyValue),
    }, { requiredKeys: [] }),
  );

  it('the parsers never throw and return null or a valid envelope', () => {
    let accepted = 0;
    fc.assert(fc.property(envelopeish, (v) => {
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
    }), { numRuns: 1000 });
    // The generator must reach the accepting branches too, not only rejections.
    expect(accepted).toBeGreaterThan(100);
  });

  it('every valid envelope is accepted by exactly its own parser', () => {
    fc.assert(fc.property(validEnvelope, (env) => {
      const results = { page: parsePageEnvelope(env), ui: parseUiEnvelope(env), push: parsePushEnvelope(env) };
      for (const [channel, result] of Object.entries(results)) {
        if (channel === env.channel) expect(result).toEqual(env);
        else expect(result).toBeNull();
      }
    }));
  });

  it('every generated valid snapshot is accepted, and parsing is idempotent', () => {
    fc.assert(fc.property(snapshotArb, (s) => {
      expect(isCallSnapshot(s)).toBe(true);
      const once = parsePageEnvelope(pageEnv(s));
      expect(once).toEqual({ channel: 'page', type: 'calls/update', payload: s });
      expect(parsePageEnvelope(once)).toEqual(once);
    }));
  });

  it('a valid push survives a JSON round trip and re-parses to itself', () => {
    fc.assert(fc.property(actionArb, anyValue, (action, extra) => {
      const parsed = parsePushEnvelope({ ...push({ action, extra }), extra });
      expect(parsed).toEqual({ channel: 'push', type: 'media-session/invoke', payload: { action } });
      expect(parsePushEnvelope(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    }));
  });

  it('isResponse never throws', () => {
    fc.assert(fc.property(fc.oneof(anyValue, fc.record({ ok: fc.oneof(fc.boolean(), anyValue), result: anyValue, error: anyValue }, { requiredKeys: [] })),
      (v) => { expect(typeof isResponse(v)).toBe('boolean'); }));
  });
});
