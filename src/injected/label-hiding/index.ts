// Device label hiding: enumerateDevices() keeps returning the browser's own MediaDeviceInfo objects
// (instanceof, getCapabilities, ids usable in deviceId {exact}, default device first), but their
// `label` (and toJSON's label) read "" where the person's label policy hides names from this site.
// Track labels are untouched.
import type { InjectedFeature } from '../feature';
import { apply, then, SafeWeakSet, getOwnPropertyDescriptor } from '../native';
import { patch, patchGetter } from '../patch';
import type { PageConfig } from '../../shared/settings';

// Insecure contexts have no MediaDeviceInfo (and nothing to hide).
const infoKind =
  typeof MediaDeviceInfo === 'function'
    ? getOwnPropertyDescriptor(MediaDeviceInfo.prototype, 'kind')!.get!
    : (undefined as never);

const untilAllowed = (config: PageConfig, kind: string): boolean =>
  kind === 'videoinput' ? !config.site.cameraAllowedViaPicker : !config.site.microphoneAllowedViaPicker;

function hides(config: PageConfig | null, running: boolean, kind: string): boolean {
  // Without a known policy (a fresh frame whose config is on its way), hide: the page must not read
  // names through a realm that has not heard yet. Only MediaGate gone (the bridge told so) means the
  // browser's own behaviour.
  if (!config) return running;
  if (!config.features['label-hiding']) return false;
  switch (config.labelPolicy) {
    case 'never-hide':
      return false;
    case 'always-hide':
      return true;
    case 'hide-after-user-chooses':
      // Once the site asks for the picker, as hide-until-allowed.
      return config.site.usesPicker === true && untilAllowed(config, kind);
    default:
      return untilAllowed(config, kind);
  }
}

export const labelHiding: InjectedFeature<'label-hiding'> = {
  name: 'label-hiding',
  install({ bridge, enabled }) {
    // Decided on an object's first label read (label or toJSON) and kept from then on, as a native
    // object's label never changes. Deciding at enumerateDevices() instead cost every call a promise
    // step, a pass over the list and a weak-set entry per device, for pages that mostly never read a
    // label. Each realm has its own MediaGate instance and its own sets, so a
    // same-origin frame's MediaDeviceInfo read through this realm's getter (or ours through the
    // frame's) gets the current policy too: no realm's getter becomes a way around another's hiding.
    const hidden = new SafeWeakSet();
    const shown = new SafeWeakSet();
    const isHidden = (self: unknown): boolean => {
      if (self === null || typeof self !== 'object') return false;
      if (hidden.has(self)) return true;
      if (shown.has(self) || !enabled()) return false;
      let hide: boolean;
      try {
        hide = hides(bridge.currentConfig, bridge.alive, apply(infoKind, self, []) as string);
      } catch {
        return false;
      }
      // Without a config, decide again once it came.
      if (!bridge.currentConfig) return hide;
      if (hide) hidden.add(self);
      else shown.add(self);
      return hide;
    };

    patch<MediaDevices['enumerateDevices']>(MediaDevices.prototype, 'enumerateDevices', (original, self, args) => {
      const result = apply(original, self, args) as Promise<MediaDeviceInfo[]>;
      // The usual case has the config already: the browser's own promise, untouched. Before it
      // came, the list waits for it, so that its labels are read under the site's policy.
      if (!enabled() || bridge.currentConfig) return result;
      return then(bridge.config(), () => result);
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
