import fc from 'fast-check';
import {
  applySnapshot,
  FRAMES_PER_TAB,
  dropTab,
  frameKey,
  listCalls,
  parseCallTable,
  type CallTable,
} from '../../src/background/calls/records';
import { LIMITS, parsePageEnvelope, type CallRecord, type CallSnapshot } from '../../src/shared/protocol';
import { anyValue, snapshot, snapshotArb, track } from './arbitraries';

type Meta = Omit<CallRecord, keyof CallSnapshot>;
const meta = (over: Partial<Meta> = {}): Meta => ({
  tabId: 1,
  frameId: 0,
  origin: 'https://meet.example',
  title: 'Meeting',
  updated: 1000,
  ...over,
});
const record = (m: Partial<Meta> = {}, s: Partial<CallSnapshot> = {}): CallRecord => ({
  ...meta(m),
  ...snapshot({ tracks: [track()], ...s }),
});

describe('frameKey', () => {
  it('joins tab and frame ids', () => {
    expect(frameKey(12, 0)).toBe('12:0');
    expect(frameKey(3, 45)).toBe('3:45');
  });
});

describe('applySnapshot', () => {
  it('keeps at most FRAMES_PER_TAB frames of one tab; other tabs and listed frames are unaffected', () => {
    const table: CallTable = {};
    const s = snapshot({ tracks: [track()] });
    for (let f = 0; f < FRAMES_PER_TAB + 5; f++) applySnapshot(table, meta({ frameId: f }), s);
    expect(Object.keys(table)).toHaveLength(FRAMES_PER_TAB);
    expect(table[frameKey(1, FRAMES_PER_TAB)]).toBeUndefined();
    applySnapshot(table, meta({ tabId: 2, frameId: 0 }), s);
    expect(table[frameKey(2, 0)]).toBeDefined();
    applySnapshot(table, meta({ frameId: 0, title: 'Still here' }), s);
    expect(table[frameKey(1, 0)]!.title).toBe('Still here');
    applySnapshot(table, meta({ frameId: 1 }), snapshot());
    applySnapshot(table, meta({ frameId: FRAMES_PER_TAB }), s);
    expect(table[frameKey(1, FRAMES_PER_TAB)]).toBeDefined();
  });

  it('adds a record for a frame with tracks', () => {
    const table: CallTable = {};
    const s = snapshot({ tracks: [track()] });
    applySnapshot(table, meta(), s);
    expect(table).toEqual({ '1:0': { ...meta(), ...s } });
  });

  it('adds a record for a frame that only offers conferencing actions', () => {
    for (const action of ['togglemicrophone', 'togglecamera', 'togglescreenshare', 'hangup'] as const) {
      const table: CallTable = {};
      applySnapshot(table, meta(), snapshot({ actions: [action] }));
      expect(Object.keys(table)).toEqual(['1:0']);
    }
  });

  it('adds a record for a frame that only reported state, even false', () => {
    const table: CallTable = {};
    applySnapshot(table, meta(), snapshot({ reported: { microphone: false } }));
    expect(table['1:0']?.reported).toEqual({ microphone: false });
  });

  it('replaces the record of the same frame wholesale', () => {
    const table: CallTable = {};
    applySnapshot(
      table,
      meta({ updated: 1 }),
      snapshot({ tracks: [track()], actions: ['hangup'], reported: { camera: true } }),
    );
    applySnapshot(table, meta({ updated: 2, title: 'New' }), snapshot({ tracks: [track({ id: 'v', kind: 'video' })] }));
    expect(table).toEqual({
      '1:0': {
        ...meta({ updated: 2, title: 'New' }),
        tracks: [track({ id: 'v', kind: 'video' })],
        actions: [],
        reported: {},
      },
    });
  });

  it('keeps other frames and tabs apart', () => {
    const table: CallTable = {};
    applySnapshot(table, meta({ frameId: 0 }), snapshot({ tracks: [track()] }));
    applySnapshot(table, meta({ frameId: 5 }), snapshot({ actions: ['hangup'] }));
    applySnapshot(table, meta({ tabId: 2 }), snapshot({ actions: ['togglecamera'] }));
    expect(Object.keys(table).sort()).toEqual(['1:0', '1:5', '2:0']);
  });

  it('removes the record on an empty snapshot', () => {
    const table: CallTable = {};
    applySnapshot(table, meta(), snapshot({ tracks: [track()] }));
    applySnapshot(table, meta(), snapshot());
    expect(table).toEqual({});
  });

  it('removes the record when only non-conferencing actions remain', () => {
    const table: CallTable = {};
    applySnapshot(table, meta(), snapshot({ actions: ['hangup'] }));
    applySnapshot(table, meta(), snapshot({ actions: ['play'] }));
    expect(table).toEqual({});
    applySnapshot(
      table,
      meta(),
      snapshot({ actions: ['play', 'pause', 'nexttrack', 'enterpictureinpicture', 'voiceactivity'] }),
    );
    expect(table).toEqual({});
  });

  it('treats reported flags that are explicitly undefined as not reported', () => {
    const table: CallTable = {};
    applySnapshot(table, meta(), snapshot({ reported: { microphone: undefined, camera: undefined } }));
    expect(table).toEqual({});
  });

  it('an empty snapshot for an unknown frame is a no-op', () => {
    const table: CallTable = { '2:0': record({ tabId: 2 }) };
    applySnapshot(table, meta(), snapshot());
    expect(Object.keys(table)).toEqual(['2:0']);
  });

  // The background never believes an origin, tab or frame that a payload claims.
  it('a page cannot override origin, tab, frame, title or update time through its snapshot', () => {
    const fromPage = {
      channel: 'page',
      type: 'calls/update',
      payload: {
        tracks: [],
        actions: ['hangup'],
        reported: {},
        origin: 'https://bank.example',
        title: 'Your bank',
        tabId: 99,
        frameId: 7,
        updated: Number.MAX_VALUE,
      },
    };
    const env = parsePageEnvelope(fromPage);
    expect(env).not.toBeNull();
    expect(env!.type).toBe('calls/update');
    if (env?.type !== 'calls/update') throw new Error('expected a calls/update envelope');
    const table: CallTable = {};
    applySnapshot(table, meta(), env.payload);
    const rec = table[frameKey(1, 0)]!;
    expect({
      origin: rec.origin,
      title: rec.title,
      tabId: rec.tabId,
      frameId: rec.frameId,
      updated: rec.updated,
    }).toEqual({ origin: 'https://meet.example', title: 'Meeting', tabId: 1, frameId: 0, updated: 1000 });
  });

  it('extra fields of a snapshot are not stored, so they cannot bypass LIMITS either', () => {
    const table: CallTable = {};
    const payload = {
      ...snapshot({ actions: ['hangup'] }),
      title: 'x'.repeat(LIMITS.titleLength * 10),
      extra: 1,
    } as CallSnapshot;
    const env = parsePageEnvelope({ channel: 'page', type: 'calls/update', payload });
    if (env?.type !== 'calls/update') throw new Error('expected a calls/update envelope');
    applySnapshot(table, meta(), env.payload);
    const rec = table[frameKey(1, 0)]!;
    expect(rec.title).toBe('Meeting');
    expect(Object.keys(rec).sort()).toEqual([
      'actions',
      'frameId',
      'origin',
      'reported',
      'tabId',
      'title',
      'tracks',
      'updated',
    ]);
  });
});

describe('dropTab', () => {
  it('drops every frame of the tab and reports that it did', () => {
    const table: CallTable = {
      '1:0': record({ tabId: 1, frameId: 0 }),
      '1:3': record({ tabId: 1, frameId: 3 }),
      '2:0': record({ tabId: 2, frameId: 0 }),
    };
    expect(dropTab(table, 1)).toBe(true);
    expect(Object.keys(table)).toEqual(['2:0']);
  });

  it('reports false and changes nothing for a tab without calls', () => {
    const table: CallTable = { '2:0': record({ tabId: 2 }) };
    expect(dropTab(table, 1)).toBe(false);
    expect(Object.keys(table)).toEqual(['2:0']);
    expect(dropTab({}, 1)).toBe(false);
  });

  it('does not confuse tab 1 with tab 11 or 21', () => {
    const table: CallTable = { '11:0': record({ tabId: 11 }), '21:1': record({ tabId: 21, frameId: 1 }) };
    expect(dropTab(table, 1)).toBe(false);
    expect(Object.keys(table).sort()).toEqual(['11:0', '21:1']);
  });
});

describe('listCalls', () => {
  it('lists the most recently updated first', () => {
    const table: CallTable = {
      '1:0': record({ tabId: 1, updated: 10 }),
      '2:0': record({ tabId: 2, updated: 30 }),
      '3:0': record({ tabId: 3, updated: 20 }),
    };
    expect(listCalls(table).map((r) => r.tabId)).toEqual([2, 3, 1]);
  });

  it('returns an empty list for an empty table and does not change the table', () => {
    expect(listCalls({})).toEqual([]);
    const table: CallTable = { '1:0': record() };
    const before = JSON.stringify(table);
    listCalls(table);
    expect(JSON.stringify(table)).toBe(before);
  });

  it('property: result is sorted by updated descending and holds every record', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.nat(50), fc.nat(5), fc.integer({ min: 0, max: 1e12 })), {
          selector: ([t, f]) => frameKey(t, f),
          maxLength: 30,
        }),
        (rows) => {
          const table: CallTable = {};
          for (const [tabId, frameId, updated] of rows)
            table[frameKey(tabId, frameId)] = record({ tabId, frameId, updated });
          const list = listCalls(table);
          expect(list).toHaveLength(rows.length);
          for (let i = 1; i < list.length; i++) expect(list[i - 1]!.updated).toBeGreaterThanOrEqual(list[i]!.updated);
        },
      ),
    );
  });
});

describe('parseCallTable', () => {
  const good = (m: Partial<Meta> = {}) => record(m, { actions: ['hangup'], reported: { microphone: true } });

  it('returns an empty table without a warning for undefined (nothing stored yet)', () => {
    const warn = jest.fn();
    expect(parseCallTable(undefined, warn)).toEqual({});
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps valid records as they are, without warnings', () => {
    const warn = jest.fn();
    const raw = { '1:0': good(), '2:4': good({ tabId: 2, frameId: 4 }) };
    expect(parseCallTable(raw, warn)).toEqual(raw);
    expect(warn).not.toHaveBeenCalled();
  });

  it('survives a JSON round trip of a table built by applySnapshot', () => {
    const table: CallTable = {};
    applySnapshot(table, meta(), snapshot({ tracks: [track()], reported: { camera: undefined, microphone: true } }));
    applySnapshot(table, meta({ tabId: 9, frameId: 2 }), snapshot({ actions: ['togglecamera', 'play'] }));
    const warn = jest.fn();
    expect(parseCallTable(JSON.parse(JSON.stringify(table)), warn)).toEqual(JSON.parse(JSON.stringify(table)));
    expect(warn).not.toHaveBeenCalled();
  });

  it('starts empty with one warning when the stored table is not a plain object', () => {
    for (const raw of [
      null,
      0,
      'calls',
      true,
      [],
      [good()],
      new Map([['1:0', good()]]),
      Object.create({ '1:0': good() }),
    ]) {
      const warn = jest.fn();
      expect(parseCallTable(raw, warn)).toEqual({});
      expect(warn.mock.calls).toEqual([['calls: stored table is not an object; starting empty']]);
    }
  });

  it('drops a record stored under the wrong key', () => {
    const warn = jest.fn();
    const table = parseCallTable({ '1:0': good(), '1:1': good(), x: good(), '01:0': good() }, warn);
    expect(Object.keys(table)).toEqual(['1:0']);
    expect(warn.mock.calls).toEqual([
      ['calls: dropped corrupt record "1:1"'],
      ['calls: dropped corrupt record "x"'],
      ['calls: dropped corrupt record "01:0"'],
    ]);
  });

  it('drops records with missing or mistyped fields, one warning each, and keeps the rest', () => {
    const broken: Array<[string, unknown]> = [];
    const fields = ['tabId', 'frameId', 'origin', 'title', 'updated', 'tracks', 'actions', 'reported'] as const;
    fields.forEach((f, i) => {
      const rec: Record<string, unknown> = { ...good({ tabId: 100 + i }) };
      delete rec[f];
      broken.push([frameKey(100 + i, 0), rec]);
    });
    const mistyped: Array<Record<string, unknown>> = [
      { tabId: '200' },
      { updated: NaN },
      { updated: Infinity },
      { origin: null },
      { title: 5 },
      { tracks: [{ ...track(), kind: 'data' }] },
      { actions: ['dance'] },
      { reported: { camera: 'on' } },
      { tracks: Array(LIMITS.tracks + 1).fill(track()) },
    ];
    mistyped.forEach((over, i) => broken.push([frameKey(200 + i, 0), { ...good({ tabId: 200 + i }), ...over }]));
    broken.push(
      ['300:0', null],
      ['301:0', 'record'],
      ['302:0', [good({ tabId: 302 })]],
      ['303:0', Object.create(good({ tabId: 303 }))],
    );

    const raw = Object.fromEntries([['1:0', good()], ...broken]);
    const warn = jest.fn();
    const table = parseCallTable(raw, warn);
    expect(Object.keys(table)).toEqual(['1:0']);
    expect(warn).toHaveBeenCalledTimes(broken.length);
    for (const [key] of broken) expect(warn).toHaveBeenCalledWith(`calls: dropped corrupt record "${key}"`);
  });

  it('accepts a null-prototype table', () => {
    const raw = Object.assign(Object.create(null) as object, { '1:0': good() });
    expect(parseCallTable(raw)).toEqual({ '1:0': good() });
  });

  it('warns through a no-op by default', () => {
    expect(() => parseCallTable(null)).not.toThrow();
    expect(() => parseCallTable({ bad: 1 })).not.toThrow();
  });

  it('property: never throws on anything, keeps only records under their own key', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, fc.dictionary(fc.string(), anyValue)), (raw) => {
        const warnings: string[] = [];
        const table = parseCallTable(raw, (m) => warnings.push(m));
        for (const [key, rec] of Object.entries(table)) expect(key).toBe(frameKey(rec.tabId, rec.frameId));
        const plain =
          typeof raw === 'object' &&
          raw !== null &&
          !Array.isArray(raw) &&
          [Object.prototype, null].includes(Object.getPrototypeOf(raw));
        if (raw !== undefined && !plain) {
          expect(table).toEqual({});
          expect(warnings).toHaveLength(1);
        } else if (raw !== undefined) {
          expect(Object.keys(table).length + warnings.length).toBe(Object.keys(raw as object).length);
        }
      }),
    );
  });

  it('property: applySnapshot output always parses back unchanged', () => {
    const metaArb = fc.record({
      tabId: fc.nat(1000),
      frameId: fc.nat(20),
      origin: fc.webUrl().map((u) => new URL(u).origin),
      title: fc.string({ maxLength: LIMITS.titleLength }),
      updated: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(metaArb, snapshotArb), { maxLength: 10 }), (steps) => {
        const table: CallTable = {};
        for (const [m, s] of steps) applySnapshot(table, m, s);
        const warn = jest.fn();
        expect(parseCallTable(JSON.parse(JSON.stringify(table)), warn)).toEqual(JSON.parse(JSON.stringify(table)));
        expect(warn).not.toHaveBeenCalled();
      }),
    );
  });
});
