// Settings (storage.local, the person's) and policy (storage.managed, the administrator's): one schema,
// one sanitiser, one merge. Bad values are dropped with a warning, never trusted and never fatal.

import { isRecord, isBoolean, isOneOf, quoted } from './validate';

import { FEATURES, FEATURE_RENAMES, type Feature } from './features';

export { FEATURES, type Feature };

export const SEMANTICS = ['browser-chooses', 'user-chooses'] as const;
export type Semantics = (typeof SEMANTICS)[number];
export const LABEL_POLICIES = ['always-hide', 'hide-until-allowed', 'hide-after-user-chooses', 'never-hide'] as const;
export type LabelPolicy = (typeof LABEL_POLICIES)[number];

export interface Settings {
  features: Record<Feature, boolean>;
  /** navigator.mediaDevices.defaultSemantics */
  defaultSemantics: Semantics;
  /** What enumerateDevices() tells sites about device names. */
  labelPolicy: LabelPolicy;
  /** Show the picker for user-chooses requests even when only one device fits. */
  alwaysShowPicker: boolean;
  /** "Guarantee mute": muting through MediaGate also disables the captured audio tracks. */
  hardMute: boolean;
  /**
   * MediaGate's keyboard shortcuts (manifest "commands"). Off: they do nothing, and in Firefox their keys
   * are released to pages (Chromium offers no API to unassign them; see docs/features/media-session.md).
   */
  shortcuts: boolean;
  /**
   * Effects on for every getUserMedia call that captures that kind, whatever the page asks (meant for
   * policy; see docs/deployment.md): the page's `false` loses, and where the effect cannot run the call
   * fails with OverconstrainedError rather than hand out an unprocessed track.
   */
  forceVoiceIsolation: boolean;
  forceBackgroundBlur: boolean;
  /**
   * The person's own default for every call of every site (a site's remembered switch wins; the page's
   * own ask too): the effect is on where it can run, and where it cannot the call goes on without it.
   */
  blurByDefault: boolean;
  voiceIsolationByDefault: boolean;
  /**
   * "You are muted" hint: while a call's microphone is muted and the site has no voiceactivity handler
   * of its own, MediaGate listens for speech (locally) and tells the person (badge, popup, call window).
   */
  mutedSpeechHint: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  // Every feature is on until the person or the policy switches it off.
  features: Object.fromEntries(FEATURES.map((f) => [f, true])) as Record<Feature, boolean>,
  defaultSemantics: 'browser-chooses',
  // Not hide-until-allowed: a site that never asks for the picker would lose the names in its own
  // device menu (docs/features/label-hiding.md).
  labelPolicy: 'hide-after-user-chooses',
  alwaysShowPicker: false,
  hardMute: false,
  shortcuts: true,
  forceVoiceIsolation: false,
  forceBackgroundBlur: false,
  blurByDefault: false,
  voiceIsolationByDefault: false,
  mutedSpeechHint: true,
};

/** Scalar settings: name -> validator. */
const SCALARS: { [K in Exclude<keyof Settings, 'features'>]: (v: unknown) => v is Settings[K] } = {
  defaultSemantics: (v): v is Semantics => isOneOf(v, SEMANTICS),
  labelPolicy: (v): v is LabelPolicy => isOneOf(v, LABEL_POLICIES),
  alwaysShowPicker: isBoolean,
  hardMute: isBoolean,
  shortcuts: isBoolean,
  forceVoiceIsolation: isBoolean,
  forceBackgroundBlur: isBoolean,
  blurByDefault: isBoolean,
  voiceIsolationByDefault: isBoolean,
  mutedSpeechHint: isBoolean,
};

export interface Sanitized<T> {
  value: T;
  warnings: string[];
}

/** Keeps the valid part of a stored/managed settings object; unknown keys and bad values are dropped. */
export function sanitizeSettings(raw: unknown, source: string): Sanitized<Partial<Settings>> {
  const warnings: string[] = [];
  const value: Partial<Settings> = {};
  if (raw === undefined || raw === null) return { value, warnings };
  if (!isRecord(raw)) return { value, warnings: [`${source}: settings is not an object; ignored`] };
  for (const key of Object.keys(raw)) {
    if (key === 'features') continue;
    if (!Object.hasOwn(SCALARS, key)) {
      warnings.push(`${source}: unknown setting ${quoted(key)} ignored`);
      continue;
    }
    const k = key as keyof typeof SCALARS;
    if (SCALARS[k](raw[k])) (value as Record<string, unknown>)[k] = raw[k];
    else warnings.push(`${source}: invalid value for ${quoted(key)} ignored`);
  }
  if (raw.features !== undefined) {
    if (!isRecord(raw.features)) {
      warnings.push(`${source}: "features" is not an object; ignored`);
    } else {
      const features: Partial<Record<Feature, boolean>> = {};
      // Old names first, so that the current name wins where both are set.
      const entries = Object.entries(raw.features).sort(
        ([a], [b]) => Number(!Object.hasOwn(FEATURE_RENAMES, a)) - Number(!Object.hasOwn(FEATURE_RENAMES, b)),
      );
      for (const [given, on] of entries) {
        const name = Object.hasOwn(FEATURE_RENAMES, given) ? FEATURE_RENAMES[given]! : given;
        if (!(FEATURES as readonly string[]).includes(name))
          warnings.push(`${source}: unknown feature ${quoted(given)} ignored`);
        else if (!isBoolean(on)) warnings.push(`${source}: feature "${given}" must be true or false; ignored`);
        else features[name as Feature] = on;
      }
      value.features = features as Record<Feature, boolean>;
    }
  }
  return { value, warnings };
}

/** Effective settings: defaults, then the person's choices, then policy (which always wins). */
export function mergeSettings(user: Partial<Settings>, policy: Partial<Settings>): Settings {
  return {
    ...DEFAULT_SETTINGS,
    ...user,
    ...policy,
    features: { ...DEFAULT_SETTINGS.features, ...user.features, ...policy.features },
  };
}

/** Names of the settings policy pins (the options page shows them locked); features as "features.<name>". */
export const pinnedByPolicy = (policy: Partial<Settings>): string[] => [
  ...Object.keys(policy).filter((k) => k !== 'features'),
  ...Object.keys(policy.features ?? {}).map((f) => `features.${f}`),
];

/** What MediaGate decided for the frame's own origin, as the main world needs it. */
export interface SiteView {
  camera: 'allow' | 'block' | 'ask';
  microphone: 'allow' | 'block' | 'ask';
  /** Labels of remembered devices, used when the browser chooses. */
  rememberedCamera?: string;
  rememberedMicrophone?: string;
  /** Allowed through MediaGate's picker (label policy "hide until allowed"). */
  cameraAllowedViaPicker: boolean;
  microphoneAllowedViaPicker: boolean;
  /** The site has asked for MediaGate's picker (label policy "hide after user-chooses"). */
  usesPicker?: boolean;
}

/** The snapshot the content script hands the main world: only what the page could learn anyway. */
export interface PageConfig {
  features: Record<Feature, boolean>;
  defaultSemantics: Semantics;
  labelPolicy: LabelPolicy;
  alwaysShowPicker: boolean;
  /** MediaGate's own call UI in the page (PiP window) applies "guarantee mute" itself. */
  hardMute: boolean;
  forceVoiceIsolation: boolean;
  forceBackgroundBlur: boolean;
  /** Effects the person wants on this site's captures (their default, or their switch remembered here). */
  personalEffects: { audio: boolean; video: boolean };
  /** Listen for speech on a muted microphone for MediaGate's own hint (pages without a voiceactivity handler). */
  mutedSpeechHint: boolean;
  site: SiteView;
}

export const pageConfig = (
  s: Settings,
  site: SiteView,
  remembered: { audio?: boolean; video?: boolean } = {},
): PageConfig => ({
  features: { ...s.features },
  defaultSemantics: s.defaultSemantics,
  labelPolicy: s.labelPolicy,
  alwaysShowPicker: s.alwaysShowPicker,
  hardMute: s.hardMute,
  forceVoiceIsolation: s.forceVoiceIsolation,
  forceBackgroundBlur: s.forceBackgroundBlur,
  personalEffects: {
    audio: remembered.audio ?? s.voiceIsolationByDefault,
    video: remembered.video ?? s.blurByDefault,
  },
  mutedSpeechHint: s.mutedSpeechHint,
  site,
});

export const STORAGE_KEYS = { settings: 'settings', sites: 'sites', screenGrants: 'screenGrants' } as const;
