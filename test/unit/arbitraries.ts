// Shared fixtures and fast-check arbitraries for the unit tests.
import fc from 'fast-check';
import { LIMITS, MEDIA_SESSION_ACTIONS, type CallSnapshot, type TrackInfo } from '../../src/shared/protocol';

export const track = (over: Partial<TrackInfo> = {}): TrackInfo => ({
  id: 't1', kind: 'audio', label: 'Mic', enabled: true, muted: false, ...over,
});

export const snapshot = (over: Partial<CallSnapshot> = {}): CallSnapshot => ({
  tracks: [], actions: [], reported: {}, ...over,
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
