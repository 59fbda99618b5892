import type { Bridge } from './bridge';
import type { CallState } from './call-state';
import type { Feature } from '../shared/settings';

export interface FeatureContext {
  bridge: Bridge;
  calls: CallState;
  /** False when settings/policy switched the feature off: patched functions then pass through. */
  enabled(): boolean;
  /** Registers what takes over this feature's part of the state a previous instance hands over (see handoff.ts). */
  onInherit(importState: (state: unknown) => void): void;
  /** Registers what this feature hands to a newer instance that takes over the page. */
  onHandoff(exportState: () => unknown): void;
}

/** One folder per feature; install() runs once at document_start, before any page script. */
export interface InjectedFeature<N extends Feature = Feature> {
  name: N;
  install(ctx: FeatureContext): void;
}
