// Small shape checks for data that crossed a trust boundary (messages, storage). They look only at
// own, plain data: a getter, a Proxy trap or a prototype never decides a check.

export function isRecord(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function isOneOf<T extends string>(v: unknown, options: readonly T[]): v is T {
  return typeof v === 'string' && (options as readonly string[]).includes(v);
}

export function isArrayOf<T>(v: unknown, item: (x: unknown) => x is T, maxLength: number): v is T[] {
  if (!Array.isArray(v) || v.length > maxLength) return false;
  // Indexed, not every(): every() skips the holes of a sparse array.
  for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
  return true;
}

/** A name or value from untrusted data, quoted for a warning: at most `max` characters of it. */
export function quoted(v: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    text = typeof v;
  }
  return `"${text.length > max ? `${text.slice(0, max)}…` : text}"`;
}
