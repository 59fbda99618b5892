// Device label hiding: enumerateDevices() keeps returning the browser's own MediaDeviceInfo objects
// (instanceof, getCapabilities, ids usable in deviceId {exact}, default device first), but their
// `label` (and toJSON's label) read "" where the person's label policy hides names from this site.
// Track labels are untouched.
import type { InjectedFeature } from '../feature';
import { apply, then, SafeWeakSet, getOwnPropertyDescriptor, isArray } from '../native';
import { patch, patchGetter } from '../patch';
import type { PageConfig } from '../../shared/settings';

// Insecure contexts have no MediaDeviceInfo (and nothing to hide).
const infoKind = typeof MediaDeviceInfo === 'function' ? getOwnPropertyDescriptor(MediaDeviceInfo.prototype, 'kind')!.get! : (undefined as never);

function hides(config: PageConfig | null, kind: string): boolean {
  // Without a config (MediaGate not answering) the browser's own behaviour stands.
  if (!config || !config.features.labels) return false;
  switch (config.labelPolicy) {
    case 'never-hide': return false;
    case 'always-hide': return true;
    default: return kind === 'videoinput' ? !config.site.cameraAllowedViaPicker : !config.site.microphoneAllowedViaPicker;
  }
}

export const labels: InjectedFeature = {
  name: 'labels',
  install({ bridge, enabled }) {
    const hidden = new SafeWeakSet();
    // Objects this realm's enumerateDevices decided to show. Anything else (notably a same-origin
    // frame's MediaDeviceInfo read through this realm's getter, or ours through the frame's: each
    // realm has its own MediaGate instance and its own sets) gets the current policy, so no realm's
    // getter becomes a way around another realm's hiding.
    const shown = new SafeWeakSet();
    const isHidden = (self: unknown): boolean => {
      if (self === null || typeof self !== 'object') return false;
      if (hidden.has(self)) return true;
      if (shown.has(self) || !enabled()) return false;
      try { return hides(bridge.currentConfig, apply(infoKind, self, []) as string); } catch { return false; }
    };

    patch<MediaDevices['enumerateDevices']>(MediaDevices.prototype, 'enumerateDevices', (original, self, args) => {
      const result = apply(original, self, args) as Promise<MediaDeviceInfo[]>;
      if (!enabled()) return result;
      const mark = (config: PageConfig | null) => then(result, (infos) => {
        if (isArray(infos)) {
          for (let i = 0; i < infos.length; i++) {
            const info = infos[i]!;
            if (hides(config, apply(infoKind, info, []) as string)) hidden.add(info);
            else shown.add(info);
          }
        }
        return infos;
      });
      // The usual case has the config already: one promise step, no extra wait.
      const config = bridge.currentConfig;
      return config ? mark(config) : then(bridge.config(), mark);
    });

    patchGetter<string>(MediaDeviceInfo.prototype, 'label', (original, self) => {
      const label = apply(original, self, []);
      return isHidden(self) ? '' : label;
    });

    patch<MediaDeviceInfo['toJSON']>(MediaDeviceInfo.prototype, 'toJSON', (original, self, args) => {
      const json = apply(original, self, args) as Record<string, unknown>;
      if (isHidden(self)) json.label = '';
      return json;
    });
  },
};
