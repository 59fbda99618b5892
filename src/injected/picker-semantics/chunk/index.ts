// Lazily loaded chunk: everything "user-chooses" and remembered devices need beyond the hot path
// (see ../index.ts): describing the devices, ranking them against the constraints, the picker round
// trip, mapping the chosen labels to this page's device ids, and files instead of devices.
import { announceChunk, type ChunkApi } from '../../chunk-api';
import type { PickerCore, PickerChunk } from '../index';
import {
  apply,
  then,
  newPromise,
  SafeMap,
  SafeWeakSet,
  hasOwn,
  own,
  NativeDOMException,
  NativeTypeError,
  nativeSetTimeout,
  nativeClearTimeout,
  push,
  isArray,
  ownKeys,
  streamTracks,
  stopTrack,
  lazyGetter,
  create,
  sealed,
  inert,
  promiseResolve,
  getOwnPropertyDescriptor,
} from '../../chunk-natives';
import {
  candidates,
  pinDevice,
  rank,
  uniqueDevices,
  useBuiltins,
  type DeviceDescription,
  type Kind,
} from '../../../shared/constraints';
import type { Json, KindAsk, PickerChoice, PickerKinds, PickerOutcome } from '../../../shared/protocol';
import type { PageConfig } from '../../../shared/settings';
import { trackFromFile } from './file-source';

type Call = (c: MediaStreamConstraints) => Promise<MediaStream>;

const ofKind = (devices: DeviceDescription[], kind: Kind) => {
  const want = kind === 'audio' ? 'audioinput' : 'videoinput';
  const out: DeviceDescription[] = [];
  for (let i = 0; i < devices.length; i++) if (devices[i]!.kind === want) push(out, devices[i]!);
  return out;
};

/** A bounded, data-only copy of page constraints; throws (like the native call would) on hostile input. */
function toJson(v: unknown, depth = 0): Json {
  if (depth > 6) throw new NativeTypeError('Constraints nest too deeply');
  if (v === null || typeof v === 'boolean' || typeof v === 'string')
    return typeof v === 'string' ? (v.length > 512 ? v.slice(0, 512) : v) : v;
  if (typeof v === 'number') return v === v && v !== Infinity && v !== -Infinity ? v : null;
  if (isArray(v)) {
    const out: Json[] = [];
    for (let i = 0; i < v.length && i < 100; i++) push(out, toJson(v[i], depth + 1));
    return out;
  }
  if (typeof v === 'object') {
    const out: { [k: string]: Json } = create(null);
    const keys = ownKeys(v as object);
    for (let i = 0; i < keys.length && i < 100; i++) {
      const k = keys[i];
      if (typeof k !== 'string') continue;
      const value = (v as Record<string, unknown>)[k];
      if (value !== undefined && typeof value !== 'function') out[k] = toJson(value, depth + 1);
    }
    return out;
  }
  return null;
}

/** Object.keys over the core's built-ins, for shared/constraints.ts. */
function keys(o: object): string[] {
  const all = ownKeys(o);
  const out: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const k = all[i];
    if (typeof k === 'string' && getOwnPropertyDescriptor(o, k)?.enumerable) push(out, k);
  }
  return out;
}

const NativeMediaStream = MediaStream;

/** The constraints without the given kinds (answered from files). */
function withoutKinds(constraints: Record<string, unknown>, drop: Kind[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = ownKeys(constraints);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (typeof k === 'string' && k !== drop[0] && k !== drop[1]) out[k] = constraints[k];
  }
  return out;
}

/** The page's constraints with the chosen devices pinned; other members of the dictionary kept. */
function withPinned(constraints: object, pins: Partial<Record<Kind, string>>): MediaStreamConstraints {
  const out: Record<string, unknown> = {};
  const keys = ownKeys(constraints);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (typeof k === 'string' && k !== 'semantics') out[k] = (constraints as Record<string, unknown>)[k];
  }
  if (pins.audio) out.audio = pinDevice(out.audio, pins.audio);
  if (pins.video) out.video = pinDevice(out.video, pins.video);
  return out as MediaStreamConstraints;
}

// Track getters as the page sees them are fine here: a processed track speaks for its device.
const trackLabel = lazyGetter(MediaStreamTrack.prototype, 'label');
const trackKind = lazyGetter(MediaStreamTrack.prototype, 'kind');
/** How long a page waits for the person before the call fails with NotAllowedError. */
const PICKER_TIMEOUT_MS = 10 * 60 * 1000;

function start({ bridge, feature }: ChunkApi): PickerChunk {
  const core = feature as PickerCore;
  const { mediaDevices, describeDevices } = core;
  useBuiltins({ isArray, keys });
  const notAllowed = (message: string) => {
    const e = new NativeDOMException(message, 'NotAllowedError');
    core.decided.add(e);
    return e;
  };
  const waiting = new SafeMap<string, (outcome: PickerOutcome) => void>();
  const early = new SafeMap<string, PickerOutcome>();
  // The background may send an answer twice (again after its worker was stopped mid-answer): the
  // first one counts.
  const answered = new SafeMap<string, true>();
  bridge.onPush('picker/result', ({ requestId, outcome }) => {
    if (answered.has(requestId)) return;
    answered.set(requestId, true);
    const resolve = waiting.get(requestId);
    if (resolve) resolve(outcome);
    else early.set(requestId, outcome);
  });

  const awaitOutcome = (requestId: string): Promise<PickerOutcome> =>
    newPromise((resolve) => {
      const ready = early.get(requestId);
      if (ready) {
        early.delete(requestId);
        resolve(ready);
        return;
      }
      const timer = nativeSetTimeout(() => {
        waiting.delete(requestId);
        resolve(inert({ ok: false, error: { name: 'NotAllowedError', message: 'The device picker timed out' } }));
      }, PICKER_TIMEOUT_MS);
      waiting.set(requestId, (outcome) => {
        nativeClearTimeout(timer);
        waiting.delete(requestId);
        resolve(outcome);
      });
    });

  function viaPicker(
    native: () => Promise<MediaStream>,
    call: Call,
    constraints: Record<string, unknown>,
    kinds: Kind[],
    config: PageConfig,
    activated: boolean,
  ): Promise<MediaStream> {
    return sealed(
      then(describeDevices(mediaDevices), (devices) => {
        const ask: PickerKinds = create(null);
        const single: Partial<Record<Kind, string>> = create(null);
        let needPicker = config.alwaysShowPicker;
        for (let i = 0; i < kinds.length; i++) {
          const kind = kinds[i]!;
          const all = ofKind(devices, kind);
          let labelsKnown = false;
          for (let j = 0; j < all.length; j++) if (all[j]!.label) labelsKnown = true;
          const fit = labelsKnown ? uniqueDevices(candidates(kind, constraints[kind], all)) : null;
          if (fit && fit.length === 0) return native(); // nothing fits: the browser's own error
          if (!fit || fit.length > 1) needPicker = true;
          else single[kind] = fit[0]!.deviceId;
          const labels: string[] = [];
          if (fit) for (let j = 0; j < fit.length; j++) push(labels, fit[j]!.label);
          const entry: KindAsk = { constraints: toJson(constraints[kind]), candidates: fit ? labels : null };
          ask[kind] = entry;
        }
        if (!needPicker) return call(withPinned(constraints, single));
        return sealed(
          then(bridge.request('picker/open', { kinds: ask, activated }), ({ requestId }) =>
            sealed(then(awaitOutcome(requestId), (outcome) => afterOutcome(call, constraints, kinds, outcome))),
          ),
        );
      }),
    );
  }

  /** The person answered: kinds answered with a file are played from it, the others come from devices. */
  function afterOutcome(
    call: Call,
    constraints: Record<string, unknown>,
    kinds: Kind[],
    outcome: PickerOutcome,
  ): Promise<MediaStream> {
    if (!outcome.ok) throw notAllowed(outcome.error.message);
    const fileTracks: MediaStreamTrack[] = [];
    const fromFiles: Kind[] = [];
    const deviceKinds: Kind[] = [];
    // One file after the other, in the order of the kinds.
    let files: Promise<unknown> = sealed(promiseResolve(undefined));
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      const file = outcome.files?.[kind];
      if (!file) {
        push(deviceKinds, kind);
        continue;
      }
      push(fromFiles, kind);
      files = sealed(
        then(files, () =>
          sealed(
            then(trackFromFile(kind, file), (track) => {
              push(fileTracks, track);
            }),
          ),
        ),
      );
    }
    if (!fromFiles.length) return viaDevices(call, constraints, kinds, outcome.choice);
    return sealed(
      then(files, () => {
        if (!deviceKinds.length) return new NativeMediaStream(fileTracks);
        return sealed(
          then(viaDevices(call, withoutKinds(constraints, fromFiles), deviceKinds, outcome.choice), (rest) => {
            const all = streamTracks(rest);
            for (let i = 0; i < fileTracks.length; i++) push(all, fileTracks[i]!);
            return new NativeMediaStream(all);
          }),
        );
      }),
    );
  }

  /** Opens the devices the person chose (by label) with this page's own device ids. */
  function viaDevices(
    call: (c: MediaStreamConstraints) => Promise<MediaStream>,
    constraints: Record<string, unknown>,
    kinds: Kind[],
    choice: PickerChoice,
  ): Promise<MediaStream> {
    // Device ids differ per origin: the picker answers with labels, mapped here to this page's ids.
    return sealed(
      then(describeDevices(mediaDevices), (after) => {
        const pins: Partial<Record<Kind, string>> = create(null);
        for (let i = 0; i < kinds.length; i++) {
          const kind = kinds[i]!;
          const label = own(choice, kind);
          const list = ofKind(after, kind);
          for (let j = 0; j < list.length; j++)
            if (list[j]!.label === label) {
              pins[kind] = list[j]!.deviceId;
              break;
            }
        }
        return sealed(
          then(call(withPinned(constraints, pins)), (stream) => {
            // Where this origin could not see labels yet (Firefox before its own grant), check the result.
            const tracks = streamTracks(stream);
            let mismatch = false;
            for (let i = 0; i < tracks.length; i++) {
              const kind = apply(trackKind, tracks[i], []) as Kind;
              const wanted = own(choice, kind);
              if (!pins[kind] && typeof wanted === 'string' && apply(trackLabel, tracks[i], []) !== wanted)
                mismatch = true;
            }
            if (!mismatch) return stream;
            return sealed(
              then(describeDevices(mediaDevices), (now) => {
                for (let i = 0; i < kinds.length; i++) {
                  const kind = kinds[i]!;
                  const list = ofKind(now, kind);
                  for (let j = 0; j < list.length; j++)
                    if (list[j]!.label === own(choice, kind)) pins[kind] = list[j]!.deviceId;
                }
                for (let i = 0; i < tracks.length; i++) stopTrack(tracks[i]!);
                return call(withPinned(constraints, pins));
              }),
            );
          }),
        );
      }),
    );
  }

  function remembered(
    native: () => Promise<MediaStream>,
    call: Call,
    constraints: object,
    kinds: Kind[],
    config: PageConfig,
  ): Promise<MediaStream> {
    const want: Partial<Record<Kind, string>> = create(null);
    if (config.site.rememberedCamera && hasOwn(constraints, 'video')) want.video = config.site.rememberedCamera;
    if (config.site.rememberedMicrophone && hasOwn(constraints, 'audio')) want.audio = config.site.rememberedMicrophone;
    return then(
      describeDevices(mediaDevices),
      (devices) => {
        const pins: Partial<Record<Kind, string>> = create(null);
        for (let i = 0; i < kinds.length; i++) {
          const kind = kinds[i]!;
          const best = rank(kind, (constraints as Record<string, unknown>)[kind], ofKind(devices, kind), want[kind])[0];
          if (best && best.label === want[kind]) pins[kind] = best.deviceId;
        }
        return call(withPinned(constraints, pins));
      },
      () => native(),
    );
  }

  const chunkApi: PickerChunk = {
    decide(original, self, args, constraints, kinds, semantics, config, activated) {
      // Every promise made here resolves another of MediaGate's (the core's, which the page gets):
      // sealed, so resolving reads their own pristine then, not the page's Promise.prototype.then.
      const native = () => sealed(apply(original, self, args) as Promise<MediaStream>);
      // Errors of the browser's own call go to the page as they are; any other failure inside
      // MediaGate falls back to the native call.
      const fromBrowser = new SafeWeakSet();
      const call: Call = (c) =>
        sealed(
          then(
            apply(original, self, [c]) as Promise<MediaStream>,
            (s) => s,
            (e: unknown) => {
              if (e !== null && typeof e === 'object') fromBrowser.add(e);
              throw e;
            },
          ),
        );
      let answer: Promise<MediaStream>;
      try {
        // The core sent only calls that are not blocked and need more than the native call.
        answer =
          (semantics ?? config.defaultSemantics) === 'browser-chooses'
            ? remembered(native, call, constraints, kinds, config)
            : viaPicker(native, call, constraints as Record<string, unknown>, kinds, config, activated);
      } catch {
        return native();
      }
      return sealed(
        then(
          answer,
          (s) => s,
          (e: unknown) => {
            if (e !== null && typeof e === 'object' && (fromBrowser.has(e) || core.decided.has(e))) throw e;
            // MediaGate could not answer (bridge gone, odd input): the browser's own behaviour instead.
            return native();
          },
        ),
      );
    },
  };
  return chunkApi;
}

announceChunk('picker', start);
