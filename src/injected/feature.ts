import type { Bridge } from './bridge';
import type { CallState } from './call-state';
import type { Feature } from '../shared/settings';

export interface FeatureContext {
  bridge: Bridge;
  calls: CallState;
  /** False when settings/policy switched the feature off: patched functions then pass through. */
  enabled(): boolean;
}

/** One folder per feature; install() runs once at document_start, before any page script. */
export interface InjectedFeature {
  name: Feature;
  install(ctx: FeatureContext): void;
}
