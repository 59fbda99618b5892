// Settings (storage.local, the person's) and policy (storage.managed, the administrator's): one schema,
// one sanitiser, one merge. Bad values are dropped with a warning, never trusted and never fatal.

import { isRecord, isBoolean } from './validate';

/** Every injected feature, by the folder name it has in each world. */
export const FEATURES = ['capture', 'media-session'] as const;
export type Feature = (typeof FEATURES)[number];

export interface Settings {
  features: Record<Feature, boolean>;
}

export const DEFAULT_SETTINGS: Settings = {
  features: { capture: true, 'media-session': true },
};

export interface Sanitized<T> { value: T; warnings: string[] }

/** Keeps the valid part of a stored/managed settings object; unknown keys and bad values are dropped. */
export function sanitizeSettings(raw: unknown, source: string): Sanitized<Partial<Settings>> {
  const warnings: string[] = [];
  const value: Partial<Settings> = {};
  if (raw === undefined || raw === null) return { value, warnings };
  if (!isRecord(raw)) return { value, warnings: [`${source}: settings is not an object; ignored`] };
  for (const key of Object.keys(raw)) {
    if (key !== 'features') warnings.push(`${source}: unknown setting "${key}" ignored`);
  }
  if (raw.features !== undefined) {
    if (!isRecord(raw.features)) {
      warnings.push(`${source}: "features" is not an object; ignored`);
    } else {
      const features: Partial<Record<Feature, boolean>> = {};
      for (const [name, on] of Object.entries(raw.features)) {
        if (!(FEATURES as readonly string[]).includes(name)) warnings.push(`${source}: unknown feature "${name}" ignored`);
        else if (!isBoolean(on)) warnings.push(`${source}: feature "${name}" must be true or false; ignored`);
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
    features: { ...DEFAULT_SETTINGS.features, ...user.features, ...policy.features },
  };
}

/** The snapshot the content script hands the main world: only what the page could learn anyway. */
export interface PageConfig {
  features: Record<Feature, boolean>;
}

export const pageConfig = (s: Settings): PageConfig => ({ features: { ...s.features } });

export const STORAGE_KEYS = { settings: 'settings' } as const;
