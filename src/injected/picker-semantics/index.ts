// getUserMedia({semantics}) and navigator.mediaDevices.defaultSemantics (mediacapture-extensions,
// "in-browser camera and microphone picker"). With "user-chooses", when more than one device fits the
// constraints, MediaGate's picker lets the person choose; the page then gets the browser's own
// MediaStream, opened with deviceId {exact} for the chosen device. "browser-chooses" goes straight to
// the native call: no round trip, the remembered device (if any) preferred.

import type { InjectedFeature } from '../feature';
import { apply, then, newPromise, promiseReject, getOwnPropertyDescriptor, SafeMap, own, NativeDOMException, NativeTypeError, nativeSetTimeout, nativeClearTimeout, push, isArray, ownKeys, hasOwn, SafeWeakSet, streamTracks, stopTrack } from '../native';
import { patch, defineGetter } from '../patch';
import { candidates, parseSemantics, pinDevice, rank, requestedKinds, uniqueDevices, type DeviceDescription, type Kind } from '../../shared/constraints';
import type { Json, KindAsk, PickerChoice, PickerKinds, PickerOutcome } from '../../shared/protocol';
import { trackFromFile } from './file-source';
import type { PageConfig } from '../../shared/settings';

// Captured before any feature patches them: MediaGate's own view of the devices.
const nativeEnumerate = MediaDevices.prototype.enumerateDevices;
const infoProto = MediaDeviceInfo.prototype;
const infoGet = (key: string) => getOwnPropertyDescriptor(infoProto, key)!.get!;
const infoDeviceId = infoGet('deviceId');
const infoGroupId = infoGet('groupId');
const infoKind = infoGet('kind');
const infoLabel = infoGet('label');
const getCapabilities = typeof InputDeviceInfo !== 'undefined' ? InputDeviceInfo.prototype.getCapabilities : undefined;
const trackLabel = getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'label')!.get!;
const trackKind = getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'kind')!.get!;

/** How long a page waits for the person before the call fails with NotAllowedError. */
const PICKER_TIMEOUT_MS = 10 * 60 * 1000;

/** Errors that are MediaGate's answer (the person said no), not its failure. */
const decided = new SafeWeakSet();
const notAllowed = (message: string) => {
  const e = new NativeDOMException(message, 'NotAllowedError');
  decided.add(e);
  return e;
};

async function describeDevices(mediaDevices: MediaDevices): Promise<DeviceDescription[]> {
  const infos = await (apply(nativeEnumerate, mediaDevices, []) as Promise<MediaDeviceInfo[]>);
  const out: DeviceDescription[] = [];
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i]!;
    const kind = apply(infoKind, info, []) as string;
    if (kind !== 'audioinput' && kind !== 'videoinput') continue;
    let capabilities: Record<string, unknown> | null = null;
    if (getCapabilities) {
      try { capabilities = apply(getCapabilities, info, []) as Record<string, unknown>; } catch { capabilities = null; }
    }
    push(out, {
      deviceId: apply(infoDeviceId, info, []) as string,
      groupId: apply(infoGroupId, info, []) as string,
      kind,
      label: apply(infoLabel, info, []) as string,
      capabilities,
    });
  }
  return out;
}

const ofKind = (devices: DeviceDescription[], kind: Kind) => {
  const want = kind === 'audio' ? 'audioinput' : 'videoinput';
  const out: DeviceDescription[] = [];
  for (let i = 0; i < devices.length; i++) if (devices[i]!.kind === want) push(out, devices[i]!);
  return out;
};

/** A bounded, data-only copy of page constraints; throws (like the native call would) on hostile input. */
function toJson(v: unknown, depth = 0): Json {
  if (depth > 6) throw new NativeTypeError('Constraints nest too deeply');
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return typeof v === 'string' ? (v.length > 512 ? v.slice(0, 512) : v) : v;
  if (typeof v === 'number') return v === v && v !== Infinity && v !== -Infinity ? v : null;
  if (isArray(v)) {
    const out: Json[] = [];
    for (let i = 0; i < v.length && i < 100; i++) push(out, toJson(v[i], depth + 1));
    return out;
  }
  if (typeof v === 'object') {
    const out: { [k: string]: Json } = {};
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

export const pickerSemantics: InjectedFeature = {
  name: 'picker-semantics',
  install({ bridge, enabled }) {
    const mediaDevices = navigator.mediaDevices;
    if (!mediaDevices) return;
    const waiting = new SafeMap<string, (outcome: PickerOutcome) => void>();
    const early = new SafeMap<string, PickerOutcome>();

    bridge.onPush('picker/result', ({ requestId, outcome }) => {
      const resolve = waiting.get(requestId);
      if (resolve) resolve(outcome);
      else early.set(requestId, outcome);
    });

    defineGetter(MediaDevices.prototype, 'defaultSemantics', function (this: unknown) {
      if (!(this instanceof MediaDevices)) throw new NativeTypeError('Illegal invocation');
      return bridge.currentConfig?.defaultSemantics ?? 'browser-chooses';
    });

    const awaitOutcome = (requestId: string): Promise<PickerOutcome> => newPromise((resolve) => {
      const ready = early.get(requestId);
      if (ready) { early.delete(requestId); resolve(ready); return; }
      const timer = nativeSetTimeout(() => {
        waiting.delete(requestId);
        resolve({ ok: false, error: { name: 'NotAllowedError', message: 'The device picker timed out' } });
      }, PICKER_TIMEOUT_MS);
      waiting.set(requestId, (outcome) => { nativeClearTimeout(timer); waiting.delete(requestId); resolve(outcome); });
    });

    async function viaPicker(native: () => Promise<MediaStream>, call: (c: MediaStreamConstraints) => Promise<MediaStream>,
      constraints: Record<string, unknown>, kinds: Kind[], config: PageConfig): Promise<MediaStream> {
      const devices = await describeDevices(mediaDevices);
      const ask: PickerKinds = {};
      const single: Partial<Record<Kind, string>> = {};
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

      const { requestId } = await bridge.request('picker/open', { kinds: ask });
      const outcome = await awaitOutcome(requestId);
      if (!outcome.ok) throw notAllowed(outcome.error.message);

      // Kinds the person answered with a file are played from it; the others come from devices.
      const fileTracks: MediaStreamTrack[] = [];
      const fromFiles: Kind[] = [];
      const deviceKinds: Kind[] = [];
      for (let i = 0; i < kinds.length; i++) {
        const file = outcome.files?.[kinds[i]!];
        if (file) { push(fileTracks, await trackFromFile(kinds[i]!, file)); push(fromFiles, kinds[i]!); }
        else push(deviceKinds, kinds[i]!);
      }
      if (fileTracks.length) {
        if (!deviceKinds.length) return new NativeMediaStream(fileTracks);
        const rest = await viaDevices(call, withoutKinds(constraints, fromFiles), deviceKinds, outcome.choice);
        const all = streamTracks(rest);
        for (let i = 0; i < fileTracks.length; i++) push(all, fileTracks[i]!);
        return new NativeMediaStream(all);
      }
      return viaDevices(call, constraints, kinds, outcome.choice);
    }

    /** Opens the devices the person chose (by label) with this page's own device ids. */
    async function viaDevices(call: (c: MediaStreamConstraints) => Promise<MediaStream>, constraints: Record<string, unknown>,
      kinds: Kind[], choice: PickerChoice): Promise<MediaStream> {
      // Device ids differ per origin: the picker answers with labels, mapped here to this page's ids.
      const after = await describeDevices(mediaDevices);
      const pins: Partial<Record<Kind, string>> = {};
      for (let i = 0; i < kinds.length; i++) {
        const kind = kinds[i]!;
        const label = own(choice, kind);
        const list = ofKind(after, kind);
        for (let j = 0; j < list.length; j++) if (list[j]!.label === label) { pins[kind] = list[j]!.deviceId; break; }
      }
      let stream = await call(withPinned(constraints, pins));
      // Where this origin could not see labels yet (Firefox before its own grant), check the result.
      const tracks = streamTracks(stream);
      let mismatch = false;
      for (let i = 0; i < tracks.length; i++) {
        const kind = apply(trackKind, tracks[i], []) as Kind;
        const wanted = own(choice, kind);
        if (!pins[kind] && typeof wanted === 'string' && apply(trackLabel, tracks[i], []) !== wanted) mismatch = true;
      }
      if (mismatch) {
        const now = await describeDevices(mediaDevices);
        for (let i = 0; i < kinds.length; i++) {
          const kind = kinds[i]!;
          const list = ofKind(now, kind);
          for (let j = 0; j < list.length; j++) if (list[j]!.label === own(choice, kind)) pins[kind] = list[j]!.deviceId;
        }
        for (let i = 0; i < tracks.length; i++) stopTrack(tracks[i]!);
        stream = await call(withPinned(constraints, pins));
      }
      return stream;
    }

    patch<MediaDevices['getUserMedia']>(MediaDevices.prototype, 'getUserMedia', (original, self, args) => {
      const native = () => apply(original, self, args) as Promise<MediaStream>;
      if (self !== mediaDevices || !enabled()) return native();
      const constraints = args[0];
      if (constraints === null || typeof constraints !== 'object') return native();
      let semanticsValue: unknown;
      let kinds: Kind[];
      try {
        semanticsValue = (constraints as Record<string, unknown>).semantics;
        kinds = requestedKinds(constraints);
      } catch {
        return native(); // a throwing getter: the native call throws the same way
      }
      const semantics = parseSemantics(semanticsValue);
      if (typeof semantics === 'object') return promiseReject(semantics); // a TypeError, as WebIDL rejects
      if (kinds.length === 0) return native();
      // Errors of the browser's own call go to the page as they are; any other failure inside
      // MediaGate falls back to the native call.
      const fromBrowser = new SafeWeakSet();
      const call = (c: MediaStreamConstraints) => then(apply(original, self, [c]) as Promise<MediaStream>, (s) => s, (e: unknown) => {
        if (e !== null && typeof e === 'object') fromBrowser.add(e);
        throw e;
      });

      const decide = (config: PageConfig | null): Promise<MediaStream> => {
        if (!config || !config.features['picker-semantics']) return native();
        for (let i = 0; i < kinds.length; i++) {
          const state = kinds[i] === 'audio' ? config.site.microphone : config.site.camera;
          if (state === 'block') return promiseReject(notAllowed('Permission denied'));
        }
        const effective = semantics ?? config.defaultSemantics;
        if (effective === 'browser-chooses') {
          const remembered: Partial<Record<Kind, string>> = {};
          if (config.site.rememberedCamera && hasOwn(constraints, 'video')) remembered.video = config.site.rememberedCamera;
          if (config.site.rememberedMicrophone && hasOwn(constraints, 'audio')) remembered.audio = config.site.rememberedMicrophone;
          if (!remembered.video && !remembered.audio) return native(); // the hot path: nothing added
          return then(describeDevices(mediaDevices), (devices) => {
            const pins: Partial<Record<Kind, string>> = {};
            for (let i = 0; i < kinds.length; i++) {
              const kind = kinds[i]!;
              const best = rank(kind, (constraints as Record<string, unknown>)[kind], ofKind(devices, kind), remembered[kind])[0];
              if (best && best.label === remembered[kind]) pins[kind] = best.deviceId;
            }
            return call(withPinned(constraints, pins));
          }, () => native());
        }
        return then(viaPicker(native, call, constraints as Record<string, unknown>, kinds, config), (s) => s, (e: unknown) => {
          if (e !== null && typeof e === 'object' && (fromBrowser.has(e) || decided.has(e))) throw e;
          // MediaGate could not answer (bridge gone, odd input): the browser's own behaviour instead.
          return native();
        });
      };
      const config = bridge.currentConfig;
      return config ? decide(config) : then(bridge.config(), decide);
    });
  },
};
