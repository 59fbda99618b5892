// MAIN world entry, document_start, every frame. native.ts is imported first so that the built-ins
// it captures are the pristine ones.
import { create, hasOwn, own, then } from './native';
import { retire } from './patch';
import { Bridge } from './bridge';
import { requestHandoff, offerHandoff } from './handoff';
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

const bridge = new Bridge(window);
const calls = new CallState(bridge);
const exporters = create(null) as Record<string, () => unknown>;
exporters.calls = () => calls.exportState();
const inheritors = create(null) as Record<string, (state: unknown) => void>;
// A previous instance in this window (MediaGate updated or reloaded): this one stands by until it
// proved itself and received the page's calls and handlers.
const handoff = requestHandoff(window, (state) => {
  calls.importState(own(state, 'calls'));
  for (const name in inheritors) {
    if (!hasOwn(inheritors, name)) continue;
    try {
      inheritors[name]!(own(state, name));
    } catch {
      /* take over what can be */
    }
  }
});
for (let i = 0; i < features.length; i++) {
  const feature: InjectedFeature = features[i]!;
  try {
    feature.install({
      bridge,
      calls,
      enabled: () => bridge.currentConfig?.features[feature.name] ?? true,
      onInherit: (importState) => {
        inheritors[feature.name] = importState;
      },
      onHandoff: (exportState) => {
        exporters[feature.name] = exportState;
      },
    });
  } catch {
    // A feature that cannot install leaves the browser's own API in place.
  }
}
// MediaGate's whole stop (a processed track stops its source too), taken before any page script runs.
calls.stopFn = MediaStreamTrack.prototype.stop;
if (handoff) {
  then(
    bridge.request('handoff/prove', { nonce: handoff.nonce }),
    (proof) => handoff.respond(proof),
    () => undefined, // no proof: the previous instance stays in charge
  );
}

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
