// MAIN world entry, document_start, every frame. native.ts is imported first so that the built-ins
// it captures are the pristine ones.
import { hasOwn } from './native';
import { retire } from './patch';
import { Bridge } from './bridge';
import { takeOver, offerHandoff } from './handoff';
import { CallState } from './call-state';
import type { InjectedFeature } from './feature';
import type { Feature } from '../shared/features';
import { callDetection } from './call-detection';
import { mediaSession } from './media-session';
import { pickerSemantics } from './picker-semantics';
import { labelHiding } from './label-hiding';
import { callWindow } from './call-window';
import { usermediaElement } from './usermedia-element';
import { screenCapture } from './screen-capture';
import { effects } from './effects';
import { trackTransfer } from './track-transfer';

// Every feature of the registry (src/shared/features.ts), in the order they install: the order matters
// where patches stack. call-detection wraps the native getUserMedia, picker-semantics wraps call-detection, so the
// tracks of every path are registered; screen-capture wraps them all, so a screen request never reaches
// the camera picker.
const features = [
  callDetection,
  mediaSession,
  pickerSemantics,
  labelHiding,
  callWindow,
  usermediaElement,
  screenCapture,
  effects,
  trackTransfer,
] as const;
/** A registry feature missing from the list above is a type error here (and costs no byte). */
type Complete<Missing extends never> = Missing;
export type AllInstalled = Complete<Exclude<Feature, (typeof features)[number]['name']>>;

const inherited = takeOver(window);
const bridge = new Bridge(window);
const calls = new CallState(bridge);
const exporters: Record<string, () => unknown> = { calls: () => calls.exportState() };
for (let i = 0; i < features.length; i++) {
  const feature: InjectedFeature = features[i]!;
  try {
    feature.install({
      bridge,
      calls,
      enabled: () => bridge.currentConfig?.features[feature.name] ?? true,
      inherited: inherited?.[feature.name],
      onHandoff: (exportState) => {
        exporters[feature.name] = exportState;
      },
    });
  } catch {
    // A feature that cannot install leaves the browser's own API in place.
  }
}
if (inherited) calls.importState(inherited.calls);

offerHandoff(window, () => {
  retire();
  bridge.close();
  const state: Record<string, unknown> = {};
  for (const name in exporters) {
    if (!hasOwn(exporters, name)) continue;
    try {
      state[name] = exporters[name]!();
    } catch {
      /* hand over what can be */
    }
  }
  return state;
});
