// MAIN world entry, document_start, every frame. native.ts is imported first so that the built-ins
// it captures are the pristine ones.
import './native';
import { Bridge } from './bridge';
import { CallState } from './call-state';
import type { InjectedFeature } from './feature';
import { capture } from './capture';
import { mediaSession } from './media-session';

const features: InjectedFeature[] = [capture, mediaSession];

const bridge = new Bridge(window);
const calls = new CallState(bridge);
for (let i = 0; i < features.length; i++) {
  const feature = features[i]!;
  try {
    feature.install({ bridge, calls, enabled: () => bridge.currentConfig?.features[feature.name] ?? true });
  } catch {
    // A feature that cannot install leaves the browser's own API in place.
  }
}
