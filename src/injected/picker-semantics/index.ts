// getUserMedia({semantics}) and navigator.mediaDevices.defaultSemantics (mediacapture-extensions,
// "in-browser camera and microphone picker"). With "user-chooses", when more than one device fits the
// constraints, MediaGate's picker lets the person choose; the page then gets the browser's own
// MediaStream, opened with deviceId {exact} for the chosen device. "browser-chooses" goes straight to
// the native call: no round trip, the remembered device (if any) preferred. Everything beyond that
// hot path is a lazily loaded chunk (chunk/), so pages that never ask for a device do not carry it.

import type { InjectedFeature } from '../feature';
import { apply, then, promiseReject, NativeDOMException, NativeTypeError, hasOwn, SafeWeakSet } from '../native';
import { patch, defineGetter } from '../patch';
import { loadChunk } from '../chunks';
import { describeDevices } from './devices';
import { parseSemantics, requestedKinds, type Kind } from '../../shared/constraints';
import type { PageConfig } from '../../shared/settings';

/** Handed to the chunk (chunk/), which does everything beyond the hot path. */
export interface PickerCore {
  mediaDevices: MediaDevices;
  /** Devices with their real labels (the chunk loads after the labels feature patched the getters). */
  describeDevices: typeof describeDevices;
  /** Errors that are MediaGate's answer (the person said no), not its failure. */
  decided: SafeWeakSet;
}
type Call = (c: MediaStreamConstraints) => Promise<MediaStream>;
export interface PickerChunk {
  viaPicker(native: () => Promise<MediaStream>, call: Call, constraints: Record<string, unknown>, kinds: Kind[], config: PageConfig): Promise<MediaStream>;
  remembered(native: () => Promise<MediaStream>, call: Call, constraints: object, kinds: Kind[], remembered: Partial<Record<Kind, string>>): Promise<MediaStream>;
}

const decided = new SafeWeakSet();
const notAllowed = (message: string) => {
  const e = new NativeDOMException(message, 'NotAllowedError');
  decided.add(e);
  return e;
};

export const pickerSemantics: InjectedFeature = {
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
          return then(getChunk(), (c) => (c ? c.remembered(native, call, constraints, kinds, remembered) : native()));
        }
        const picked = then(getChunk(), (c) => (c ? c.viaPicker(native, call, constraints as Record<string, unknown>, kinds, config) : native()));
        return then(picked, (s) => s, (e: unknown) => {
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
