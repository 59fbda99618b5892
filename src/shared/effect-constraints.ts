// Reading MediaGate's effect constraints (voiceIsolation, later backgroundBlur) out of a page's track
// constraints, and removing them before the browser sees them. Pure, and careful with page objects:
// own data properties only, built-ins captured when the module loads (document_start in the page).

const hasOwn = Object.hasOwn;
const isArray = Array.isArray;
const getDescriptor = Object.getOwnPropertyDescriptor;
const ownKeys = Reflect.ownKeys;
const defineProperty = Object.defineProperty;

/** What the page asked for one boolean constraint. `required`: exact (basic set), else ideal/advanced. */
export interface BoolAsk {
  value: boolean;
  required: boolean;
}

const isObject = (v: unknown): v is Record<PropertyKey, unknown> => v !== null && typeof v === 'object';

function own(obj: unknown, key: PropertyKey): unknown {
  if (!isObject(obj)) return undefined;
  const d = getDescriptor(obj, key);
  return d && hasOwn(d, 'value') ? d.value : undefined;
}

/** ConstrainBoolean: true/false (ideal), {exact}, {ideal}. Null when absent or not a boolean form. */
function readBool(v: unknown, inAdvanced: boolean): BoolAsk | null {
  if (typeof v === 'boolean') return { value: v, required: inAdvanced };
  const exact = own(v, 'exact');
  if (typeof exact === 'boolean') return { value: exact, required: !inAdvanced };
  const ideal = own(v, 'ideal');
  if (typeof ideal === 'boolean') return { value: ideal, required: false };
  return null;
}

/** The ask for `key` in track constraints: the basic set wins; else the first advanced set naming it. */
export function readEffect(track: unknown, key: string): BoolAsk | null {
  if (!isObject(track)) return null;
  const basic = readBool(own(track, key), false);
  if (basic) return basic;
  const advanced = own(track, 'advanced');
  if (isArray(advanced)) {
    for (let i = 0; i < advanced.length; i++) {
      const a = readBool(own(advanced[i], key), true);
      // An advanced set is honoured when possible, skipped otherwise: never a reason to fail.
      if (a) return { value: a.value, required: false };
    }
  }
  return null;
}

/** Whether the track constraints name `key` at all (the hot path checks only this). */
export function mentions(track: unknown, key: string): boolean {
  if (!isObject(track)) return false;
  // A page's revoked Proxy (or a throwing trap) must not make getUserMedia throw synchronously: it
  // mentions nothing here, and the browser's own call then rejects on it as it always does.
  try {
    if (hasOwn(track, key)) return true;
    const advanced = own(track, 'advanced');
    if (!isArray(advanced)) return false;
    for (let i = 0; i < advanced.length; i++)
      if (isObject(advanced[i]) && hasOwn(advanced[i] as object, key)) return true;
  } catch {
    /* unreadable: see above */
  }
  return false;
}

function withoutKey(obj: Record<PropertyKey, unknown>, key: string): Record<PropertyKey, unknown> {
  const out: Record<PropertyKey, unknown> = {};
  const keys = ownKeys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k === key) continue;
    const d = getDescriptor(obj, k);
    // Getters stay getters: the browser reads them as it would have.
    if (d) defineProperty(out, k, { ...d, configurable: true });
  }
  return out;
}

/** A copy of the track constraints without `key` (also inside advanced sets), for the browser. */
export function stripEffect(track: unknown, key: string): unknown {
  if (!mentions(track, key)) return track;
  const out = withoutKey(track as Record<PropertyKey, unknown>, key);
  const advanced = own(track, 'advanced');
  if (isArray(advanced)) {
    const copy: unknown[] = [];
    for (let i = 0; i < advanced.length; i++)
      copy[i] = isObject(advanced[i]) ? withoutKey(advanced[i] as Record<PropertyKey, unknown>, key) : advanced[i];
    out.advanced = copy;
  }
  return out;
}

/**
 * powerEfficientPixelFormat from the pixel format a camera's frames arrive in (VideoFrame.format):
 * NV12 is what cameras and their drivers produce without conversion (and what hardware encoders take);
 * I420 in Chromium means a decoded MJPEG or converted frame, RGB formats a conversion too. null (an
 * opaque, texture-backed frame, or no frame) means unknown: MediaGate then claims nothing.
 */
export function isPowerEfficientFormat(format: string | null | undefined): boolean | null {
  if (typeof format !== 'string' || format === '') return null;
  return format === 'NV12';
}
