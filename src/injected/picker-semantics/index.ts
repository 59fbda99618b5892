// getUserMedia({semantics}) and navigator.mediaDevices.defaultSemantics (mediacapture-extensions,
// "in-browser camera and microphone picker"). With "user-chooses", when more than one device fits the
// constraints, MediaGate's picker lets the person choose; the page then gets the browser's own
// MediaStream, opened with deviceId {exact} for the chosen device. "browser-chooses" goes straight to
// the native call: no round trip, the remembered device (if any) preferred. Everything beyond that
// hot path is a lazily loaded chunk (chunk/), so pages that never ask for a device do not carry it.

import type { InjectedFeature } from '../feature';
import {
  apply,
  then,
  promiseReject,
  NativeDOMException,
  NativeTypeError,
  hasOwn,
  SafeWeakSet,
  hasActivation,
} from '../native';
import { patch, defineGetter } from '../patch';
import { loadChunk } from '../chunks';
import { describeDevices } from './devices';
import { parseSemantics, requestedKinds, type Kind, type Semantics } from '../../shared/constraints';
import type { PageConfig } from '../../shared/settings';

/** Handed to the chunk (chunk/), which does everything beyond the hot path. */
export interface PickerCore {
  mediaDevices: MediaDevices;
  /** Devices with their real labels (the chunk loads after the labels feature patched the getters). */
  describeDevices: typeof describeDevices;
  /** Errors that are MediaGate's answer (the person said no), not its failure. */
  decided: SafeWeakSet;
}
export interface PickerChunk {
  /** A call that is not blocked and needs more than the native call: a remembered device or the picker. */
  decide(
    original: MediaDevices['getUserMedia'],
    self: MediaDevices,
    args: [MediaStreamConstraints?],
    constraints: object,
    kinds: Kind[],
    semantics: Semantics | undefined,
    config: PageConfig,
    /** Whether the page had transient user activation when it called (a picker without one does not take the focus). */
    activated: boolean,
  ): Promise<MediaStream>;
}

const decided = new SafeWeakSet();
const notAllowed = (message: string) => {
  const e = new NativeDOMException(message, 'NotAllowedError');
  decided.add(e);
  return e;
};

export const pickerSemantics: InjectedFeature<'picker-semantics'> = {
  name: 'picker-semantics',
  install({ bridge, calls, enabled }) {
    const mediaDevices = navigator.mediaDevices;
    if (!mediaDevices) return;
    defineGetter(MediaDevices.prototype, 'defaultSemantics', function (this: unknown) {
      if (!(this instanceof MediaDevices)) throw new NativeTypeError('Illegal invocation');
      return bridge.currentConfig?.defaultSemantics ?? 'browser-chooses';
    });

    const core: PickerCore = { mediaDevices, describeDevices, decided };
    const getChunk = (): Promise<PickerChunk | null> =>
      then(loadChunk<PickerChunk>('picker', bridge, calls, enabled, core), (loaded) => loaded && loaded.exports);

    // Every getUserMedia passes through this gate: the hot path returns the native call from here, without
    // the per-call closures and weak set that only the remembered-device and picker paths need (in Firefox
    // each step of such cold code costs µs: this gate took ~0.02 ms less per call; bench: getUserMedia).
    patch<MediaDevices['getUserMedia']>(MediaDevices.prototype, 'getUserMedia', (original, self, args) => {
      if (self !== mediaDevices || !enabled()) return apply(original, self, args);
      const constraints = args[0];
      if (constraints === null || typeof constraints !== 'object') return apply(original, self, args);
      let semanticsValue: unknown;
      let kinds: Kind[];
      try {
        semanticsValue = (constraints as Record<string, unknown>).semantics;
        kinds = requestedKinds(constraints);
      } catch {
        return apply(original, self, args); // a throwing getter: the native call throws the same way
      }
      const semantics = parseSemantics(semanticsValue);
      if (typeof semantics === 'object') return promiseReject(semantics); // a TypeError, as WebIDL rejects
      const config = bridge.currentConfig;
      if (kinds.length === 0 || (config && route(config, constraints, kinds, semantics) === 'native'))
        return apply(original, self, args);
      return viaMediaGate(original, self as MediaDevices, args, constraints, kinds, semantics);
    });

    /** What a call needs: the native call alone (the feature is off, or the browser chooses and no device is remembered), a refusal, or the chunk. */
    const route = (
      config: PageConfig,
      constraints: object,
      kinds: Kind[],
      semantics: Semantics | undefined,
    ): 'native' | 'block' | 'chunk' => {
      if (!config.features['picker-semantics']) return 'native';
      for (let i = 0; i < kinds.length; i++)
        if ((kinds[i] === 'audio' ? config.site.microphone : config.site.camera) === 'block') return 'block';
      // hasOwn runs a page Proxy's getOwnPropertyDescriptor trap, which the native call never does: if
      // it throws, the browser's own call (without the remembered device) rather than a throw here.
      try {
        return (semantics ?? config.defaultSemantics) === 'browser-chooses' &&
          !(config.site.rememberedCamera && hasOwn(constraints, 'video')) &&
          !(config.site.rememberedMicrophone && hasOwn(constraints, 'audio'))
          ? 'native'
          : 'chunk';
      } catch {
        return 'native';
      }
    };

    const viaMediaGate = (
      original: MediaDevices['getUserMedia'],
      self: MediaDevices,
      args: [MediaStreamConstraints?],
      constraints: object,
      kinds: Kind[],
      semantics: Semantics | undefined,
    ): Promise<MediaStream> => {
      const native = () => apply(original, self, args) as Promise<MediaStream>;
      const active = hasActivation();
      const decide = (config: PageConfig | null): Promise<MediaStream> => {
        const r = config ? route(config, constraints, kinds, semantics) : 'native';
        if (r === 'native') return native();
        if (r === 'block') return promiseReject(notAllowed('Permission denied'));
        return then(getChunk(), (c) =>
          c ? c.decide(original, self, args, constraints, kinds, semantics, config!, active) : native(),
        );
      };
      const config = bridge.currentConfig;
      return config ? decide(config) : then(bridge.config(), decide);
    };
  },
};
