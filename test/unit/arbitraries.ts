// Shared fixtures and fast-check arbitraries for the unit tests.
import fc from 'fast-check';
import {
  LIMITS,
  MEDIA_SESSION_ACTIONS,
  type CallSnapshot,
  type Json,
  type KindAsk,
  type PickerChoice,
  type PickerKinds,
  type TrackInfo,
} from '../../src/shared/protocol';

export const track = (over: Partial<TrackInfo> = {}): TrackInfo => ({
  id: 't1',
  kind: 'audio',
  label: 'Mic',
  enabled: true,
  muted: false,
  ...over,
});

export const snapshot = (over: Partial<CallSnapshot> = {}): CallSnapshot => ({
  tracks: [],
  actions: [],
  reported: {},
  ...over,
});

/** Values of every kind fast-check can make, including null-prototype objects, boxed values, sparse arrays. */
export const anyValue = fc.anything({
  maxDepth: 3,
  maxKeys: 6,
  withNullPrototype: true,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withSparseArray: true,
  withObjectString: true,
  withDate: true,
  withTypedArray: true,
  withBigInt: true,
});

export const trackArb: fc.Arbitrary<TrackInfo> = fc.record({
  id: fc.string({ maxLength: LIMITS.idLength }),
  kind: fc.constantFrom('audio' as const, 'video' as const),
  label: fc.string({ maxLength: LIMITS.labelLength }),
  enabled: fc.boolean(),
  muted: fc.boolean(),
});

export const actionArb = fc.constantFrom(...MEDIA_SESSION_ACTIONS);

export const snapshotArb: fc.Arbitrary<CallSnapshot> = fc.record({
  tracks: fc.array(trackArb, { maxLength: 8 }),
  actions: fc.uniqueArray(actionArb, { maxLength: MEDIA_SESSION_ACTIONS.length }),
  reported: fc.record(
    { microphone: fc.boolean(), camera: fc.boolean(), screenshare: fc.boolean() },
    { requiredKeys: [] },
  ),
});

// ---- picker messages -----------------------------------------------------------------------------

/** Bounded JSON well inside LIMITS (depth <= 3, at most 40 values, short strings); may hold -0 and null-prototype objects. */
export const jsonArb: fc.Arbitrary<Json> = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 16 }),
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('json'), { maxKeys: 3 }),
  ),
})).json;

export const labelArb = fc.string({ maxLength: LIMITS.labelLength });

export const kindAskArb: fc.Arbitrary<KindAsk> = fc.record({
  constraints: jsonArb,
  candidates: fc.option(fc.array(fc.string({ maxLength: 32 }), { maxLength: 8 }), { nil: null }),
});

export const pickerKindsArb: fc.Arbitrary<PickerKinds> = fc
  .record({ audio: kindAskArb, video: kindAskArb }, { requiredKeys: [] })
  .filter((k) => k.audio !== undefined || k.video !== undefined);

export const pickerIdArb = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'),
  minLength: 1,
  maxLength: 64,
});

export const pickerChoiceArb: fc.Arbitrary<PickerChoice> = fc.record(
  { audio: labelArb, video: labelArb },
  { requiredKeys: [] },
);
