// Screen capture: the page request and grant-window messages, and the application-permission store.
import fc from 'fast-check';
import {
  SCREEN_SOURCES,
  isScreenCaptureRequest,
  parsePageEnvelope,
  parsePushEnvelope,
  parseUiEnvelope,
} from '../../src/shared/protocol';
import {
  GRANT_SOURCES,
  grantNeeded,
  grantOf,
  grantSourceOf,
  parseGrantTable,
  setGrant,
  touchGrant,
  type GrantTable,
} from '../../src/shared/screen-grants';
import { anyValue, jsonArb, pickerIdArb } from './arbitraries';
import { legacySize } from '../../src/background/screen-capture/legacy-size';

const open = (payload: unknown) => ({ channel: 'page', type: 'screen-capture/open', payload });
const grantGet = (payload: unknown) => ({ channel: 'ui', type: 'screen-grant/get', payload });
const grantDecide = (payload: unknown) => ({ channel: 'ui', type: 'screen-grant/decide', payload });

const requestArb = fc.oneof(
  fc.record({ source: fc.constantFrom(...SCREEN_SOURCES), audio: fc.boolean() }),
  fc.record({
    source: fc.constant('browser' as const),
    audio: fc.boolean(),
    tabId: fc.integer({ min: 0, max: 0x7fffffff }),
  }),
);

describe('screen-capture/open', () => {
  it('accepts every source, with or without audio, and tabId for "browser" only', () => {
    for (const source of SCREEN_SOURCES) {
      expect(isScreenCaptureRequest({ source, audio: false })).toBe(true);
      expect(isScreenCaptureRequest({ source, audio: true, tabId: undefined })).toBe(true);
      expect(isScreenCaptureRequest({ source, audio: true, tabId: 7 })).toBe(source === 'browser');
    }
  });

  it('refuses "camera", unknown and wrongly cased sources, bad tab ids, missing or extra fields', () => {
    const bad: unknown[] = [
      { source: 'camera', audio: false },
      { source: 'Screen', audio: false },
      { source: 'tab', audio: false },
      { source: '', audio: false },
      { source: 'browser', audio: false, tabId: -1 },
      { source: 'browser', audio: false, tabId: 1.5 },
      { source: 'browser', audio: false, tabId: '3' },
      { source: 'browser', audio: false, tabId: 2 ** 31 },
      { source: 'browser', audio: false, tabId: NaN },
      { source: 'browser', audio: false, tabId: Infinity },
      { source: 'screen' },
      { audio: true },
      { source: 'screen', audio: 'yes' },
      { source: 'screen', audio: false, origin: 'https://evil.example' },
      { source: 'screen', audio: false, tabId: null },
      null,
      [],
      'screen',
      Object.assign(Object.create({ source: 'screen', audio: false }) as object, {}),
    ];
    for (const v of bad) {
      expect(isScreenCaptureRequest(v)).toBe(false);
      expect(parsePageEnvelope(open(v))).toBeNull();
    }
  });

  it('rebuilds the payload from its known fields (property)', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const parsed = parsePageEnvelope(open({ ...req }));
        expect(parsed).toEqual({ channel: 'page', type: 'screen-capture/open', payload: req });
        expect(parsed!.payload).not.toBe(req);
      }),
    );
  });

  it('carries width / height / frameRate as bounded data, and nothing else', () => {
    const size = { width: { max: 1280 }, height: 720, frameRate: { ideal: 15 } };
    expect(parsePageEnvelope(open({ source: 'screen', audio: false, size }))!.payload).toEqual({
      source: 'screen',
      audio: false,
      size,
    });
    expect(parsePageEnvelope(open({ source: 'screen', audio: false, size: { width: undefined } }))!.payload).toEqual({
      source: 'screen',
      audio: false,
    });
    for (const bad of [
      { deviceId: 'x' },
      { width: () => 1 },
      'big',
      [1],
      { width: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } },
    ]) {
      expect(parsePageEnvelope(open({ source: 'screen', audio: false, size: bad }))).toBeNull();
    }
    fc.assert(
      fc.property(jsonArb, jsonArb, (width, frameRate) => {
        const parsed = parsePageEnvelope(open({ source: 'window', audio: true, size: { width, frameRate } }));
        expect((parsed!.payload as { size?: unknown }).size).toEqual(JSON.parse(JSON.stringify({ width, frameRate })));
      }),
    );
  });

  it('drops an explicit undefined tabId, as the main world sends it for other sources', () => {
    expect(parsePageEnvelope(open({ source: 'screen', audio: false, tabId: undefined }))!.payload).toEqual({
      source: 'screen',
      audio: false,
    });
    expect(Object.keys(parsePageEnvelope(open({ source: 'screen', audio: false, tabId: undefined }))!.payload)).toEqual(
      ['source', 'audio'],
    );
  });

  it('never accepts anything that is not a valid request (property)', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const parsed = parsePageEnvelope(open(v));
        if (parsed) expect(isScreenCaptureRequest(v)).toBe(true);
      }),
    );
  });
});

describe('screen-grant UI messages', () => {
  it('take a grant id and, to decide, allow or block', () => {
    expect(parseUiEnvelope(grantGet({ grantId: 'a-1' }))).toEqual({
      channel: 'ui',
      type: 'screen-grant/get',
      payload: { grantId: 'a-1' },
    });
    expect(parseUiEnvelope(grantDecide({ grantId: 'a-1', decision: 'allow' }))).not.toBeNull();
    expect(parseUiEnvelope(grantDecide({ grantId: 'a-1', decision: 'block' }))).not.toBeNull();
    for (const bad of [
      {},
      { grantId: '' },
      { grantId: 'A' },
      { grantId: 'a'.repeat(65) },
      { grantId: 'a-1', extra: 1 },
      { grantId: 1 },
    ]) {
      expect(parseUiEnvelope(grantGet(bad))).toBeNull();
    }
    for (const bad of [
      { grantId: 'a-1' },
      { grantId: 'a-1', decision: 'ask' },
      { grantId: 'a-1', decision: 'Allow' },
      { grantId: 'a-1', decision: 'allow', origin: 'x' },
    ]) {
      expect(parseUiEnvelope(grantDecide(bad))).toBeNull();
    }
    // Only over the UI channel: a page cannot grant itself.
    expect(parsePageEnvelope({ ...grantDecide({ grantId: 'a-1', decision: 'allow' }), channel: 'page' })).toBeNull();
  });

  it('accept every well-formed grant id (property)', () => {
    fc.assert(
      fc.property(pickerIdArb, fc.constantFrom('allow' as const, 'block' as const), (grantId, decision) => {
        expect(parseUiEnvelope(grantDecide({ grantId, decision }))).toEqual({
          channel: 'ui',
          type: 'screen-grant/decide',
          payload: { grantId, decision },
        });
      }),
    );
  });
});

describe("screen-grants: the options page's list and changes", () => {
  const set = (payload: unknown) => parseUiEnvelope({ channel: 'ui', type: 'screen-grants/set', payload });
  it('takes a web origin, a grant level and allow / block / ask, nothing else', () => {
    expect(parseUiEnvelope({ channel: 'ui', type: 'screen-grants/list', payload: {} })).not.toBeNull();
    for (const state of ['allow', 'block', 'ask']) {
      for (const source of GRANT_SOURCES) expect(set({ origin: 'https://meet.example', source, state })).not.toBeNull();
    }
    for (const bad of [
      { origin: 'https://meet.example', source: 'window', state: 'allow' },
      { origin: 'https://meet.example', source: 'screen', state: 'maybe' },
      { origin: 'chrome-extension://abc', source: 'screen', state: 'allow' },
      { origin: 'https://meet.example/path', source: 'screen', state: 'allow' },
      { origin: 'https://meet.example', source: 'screen', state: 'allow', tabId: 1 },
      { origin: 'https://meet.example', source: 'screen' },
    ])
      expect(set(bad)).toBeNull();
    expect(
      parsePageEnvelope({
        channel: 'page',
        type: 'screen-grants/set',
        payload: { origin: 'https://meet.example', source: 'screen', state: 'allow' },
      }),
    ).toBeNull();
  });
});

describe("legacySize: modern size constraints as Chromium's legacy min/max bounds", () => {
  it('turns bare and ideal values into upper bounds, exact into both, and keeps min and max', () => {
    expect(legacySize(undefined)).toEqual({});
    expect(legacySize({ width: 1280, height: { ideal: 720.4 }, frameRate: 30 })).toEqual({
      maxWidth: 1280,
      maxHeight: 720,
      maxFrameRate: 30,
    });
    expect(legacySize({ width: { exact: 640 } })).toEqual({ minWidth: 640, maxWidth: 640 });
    expect(legacySize({ width: { min: 320, max: 1920, ideal: 1280 } })).toEqual({ minWidth: 320, maxWidth: 1920 });
    expect(legacySize({ frameRate: { min: 5, ideal: 12.5 } })).toEqual({ minFrameRate: 5, maxFrameRate: 12.5 });
  });

  it('ignores what is not a positive number, and a min above the max', () => {
    expect(legacySize({ width: -1, height: { max: 0 }, frameRate: { ideal: 'fast' } })).toEqual({});
    expect(legacySize({ width: { min: 800, max: 600 } })).toEqual({ maxWidth: 600 });
    expect(legacySize({ width: [1280], height: null })).toEqual({});
  });

  it('gives only finite positive bounds, integers for sizes, min <= max (property)', () => {
    fc.assert(
      fc.property(jsonArb, jsonArb, jsonArb, (width, height, frameRate) => {
        const out = legacySize({ width, height, frameRate });
        for (const [k, v] of Object.entries(out)) {
          expect(Number.isFinite(v) && v > 0).toBe(true);
          if (!k.endsWith('FrameRate')) expect(Number.isInteger(v)).toBe(true);
        }
        for (const key of ['Width', 'Height', 'FrameRate'] as const) {
          const min = out[`min${key}`];
          const max = out[`max${key}`];
          if (min !== undefined && max !== undefined) expect(min).toBeLessThanOrEqual(max);
        }
      }),
    );
  });
});

describe("sharing: the popup's list and Stop", () => {
  it('list takes nothing; stop takes exactly a tab and a frame', () => {
    expect(parseUiEnvelope({ channel: 'ui', type: 'screen-capture/list', payload: {} })).not.toBeNull();
    expect(parseUiEnvelope({ channel: 'ui', type: 'screen-capture/list', payload: { tabId: 1 } })).toBeNull();
    const stop = (payload: unknown) => parseUiEnvelope({ channel: 'ui', type: 'screen-capture/stop', payload });
    expect(stop({ tabId: 4, frameId: 0 })).toEqual({
      channel: 'ui',
      type: 'screen-capture/stop',
      payload: { tabId: 4, frameId: 0 },
    });
    for (const bad of [
      {},
      { tabId: 4 },
      { tabId: -1, frameId: 0 },
      { tabId: 4, frameId: 0.5 },
      { tabId: '4', frameId: 0 },
      { tabId: 4, frameId: 0, all: true },
    ]) {
      expect(stop(bad)).toBeNull();
    }
    // A page cannot stop another tab's sharing.
    expect(
      parsePageEnvelope({ channel: 'page', type: 'screen-capture/stop', payload: { tabId: 4, frameId: 0 } }),
    ).toBeNull();
  });

  it('the stop push carries nothing, whatever was sent with it', () => {
    expect(parsePushEnvelope({ channel: 'push', type: 'screen-capture/stop', payload: { evil: 1 } })).toEqual({
      channel: 'push',
      type: 'screen-capture/stop',
      payload: {},
    });
  });
});

describe('application permission store', () => {
  const SITE = 'https://meet.example';

  it('needs a grant for "browser" and "screen" only', () => {
    expect(SCREEN_SOURCES.map(grantSourceOf)).toEqual(['screen', null, null, 'browser']);
  });

  it('lets policy block every kind of screen capture, or pre-grant it (no window); else the grant levels', () => {
    for (const source of SCREEN_SOURCES) {
      expect(grantNeeded(source, 'block')).toBe('blocked');
      expect(grantNeeded(source, 'allow')).toBeNull();
      expect(grantNeeded(source, null)).toBe(grantSourceOf(source));
    }
  });

  it('records, remembers the first grant time, touches and forgets', () => {
    const t: GrantTable = {};
    expect(grantOf(t, SITE, 'browser')).toBe('ask');
    setGrant(t, SITE, 'browser', 'allow', 10);
    setGrant(t, SITE, 'browser', 'allow', 20);
    expect(t[SITE]!.browser).toEqual({ state: 'allow', created: 10, lastUsed: 20 });
    expect(grantOf(t, SITE, 'screen')).toBe('ask');
    touchGrant(t, SITE, 'browser', 30);
    touchGrant(t, SITE, 'screen', 30);
    expect(t[SITE]).toEqual({ browser: { state: 'allow', created: 10, lastUsed: 30 } });
    setGrant(t, SITE, 'browser', 'block', 40);
    expect(t[SITE]!.browser).toEqual({ state: 'block', created: 40, lastUsed: 40 });
    setGrant(t, SITE, 'browser', 'ask', 50);
    expect(t).toEqual({});
  });

  it('keeps valid stored records and drops the rest with a warning', () => {
    const warnings: string[] = [];
    const table = parseGrantTable(
      {
        [SITE]: {
          browser: { state: 'allow', created: 1, lastUsed: 2 },
          screen: { state: 'maybe', created: 1, lastUsed: 2 },
          window: { state: 'allow', created: 1, lastUsed: 2 },
        },
        'not an origin': { browser: { state: 'allow', created: 1, lastUsed: 2 } },
        'https://x.example': 'allow',
      },
      (m) => warnings.push(m),
    );
    expect(table).toEqual({ [SITE]: { browser: { state: 'allow', created: 1, lastUsed: 2 } } });
    expect(warnings).toHaveLength(3);
    expect(parseGrantTable(undefined)).toEqual({});
    expect(parseGrantTable('x', (m) => warnings.push(m))).toEqual({});
  });

  it('round-trips through storage and never keeps what it does not know (property)', () => {
    const recordArb = fc.record({
      state: fc.constantFrom('allow' as const, 'block' as const),
      created: fc.nat(),
      lastUsed: fc.nat(),
    });
    const tableArb = fc.dictionary(
      fc.webUrl().map((u) => new URL(u).origin),
      fc
        .record({ browser: recordArb, screen: recordArb }, { requiredKeys: [] })
        .filter((r) => Object.keys(r).length > 0),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(tableArb, (t) => {
        expect(parseGrantTable(JSON.parse(JSON.stringify(t)))).toEqual(t);
      }),
    );
    fc.assert(
      fc.property(anyValue, (raw) => {
        const parsed = parseGrantTable(raw);
        for (const site of Object.values(parsed)) for (const k of Object.keys(site)) expect(GRANT_SOURCES).toContain(k);
      }),
    );
  });
});
