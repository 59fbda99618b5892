// Effects an administrator forces on (settings forceVoiceIsolation / forceBackgroundBlur, normally
// pinned by policy): every getUserMedia call that captures that kind gets the effect, whatever the
// page asks, and the page cannot switch it off (the person cannot either).
import type { Bridge } from '../bridge';
import type { BoolAsk } from '../../shared/effect-constraints';

/** The ask a forced effect stands for: on, and the call fails where it cannot run. */
export const FORCED: BoolAsk = { value: true, required: true };
/** What the page's own later asks turn into while an effect is forced: on. */
export const FORCED_SOFT: BoolAsk = { value: true, required: false };

export const forcedKinds = (bridge: Bridge): { audio: boolean; video: boolean } => {
  const c = bridge.currentConfig;
  return { audio: !!c?.forceVoiceIsolation, video: !!c?.forceBackgroundBlur };
};

/**
 * The person's own effects for this site (their default, or their switch remembered here): asked softly
 * for captures whose page did not name the effect, so the call goes on without it where it cannot run.
 */
export const personalKinds = (bridge: Bridge): { audio: boolean; video: boolean } => {
  const p = bridge.currentConfig?.personalEffects;
  return { audio: !!p?.audio, video: !!p?.video };
};

/** Whether getUserMedia's member asks for that kind at all (`true` or constraints). */
export const wants = (x: unknown): boolean => (typeof x === 'object' ? x !== null : !!x);

/**
 * The page's constraints with `audio` and `video` read as the browser reads them (getters and
 * inherited members included, once), so no page can dodge a forced effect by hiding its request
 * where MediaGate's own-data-property reads do not look. Throws what a getter throws.
 */
export function readMembers(constraints: object): MediaStreamConstraints & Record<string, unknown> {
  const c = constraints as Record<string, unknown>;
  const audio = c.audio;
  const video = c.video;
  return { ...c, audio, video } as MediaStreamConstraints & Record<string, unknown>;
}
