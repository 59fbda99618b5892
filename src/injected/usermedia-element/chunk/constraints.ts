// The element's type comes from its constraints: a <script type="permissionconstraints"> child with
// JSON, or setConstraints(). Pure, so unit tested (the tests hand over JSON.parse and Array.isArray as
// the core's built-ins).
import { isArray, parseJson } from '../../chunk-natives';

export type ElementType = 'audio' | 'video' | 'audio-video';
export interface ElementConstraints {
  audio: unknown;
  video: unknown;
}

export function typeOf(c: ElementConstraints | null): ElementType | null {
  if (!c) return null;
  const a = !!c.audio;
  const v = !!c.video;
  return a && v ? 'audio-video' : a ? 'audio' : v ? 'video' : null;
}

/** From the script's text; invalid JSON or a non-object leaves the element without a type. */
export function parseConstraintsText(text: string): ElementConstraints | null {
  let v: unknown;
  try {
    v = parseJson(text);
  } catch {
    return null;
  }
  return fromObject(v);
}

export function fromObject(v: unknown): ElementConstraints | null {
  if (v === null || typeof v !== 'object' || isArray(v)) return null;
  const o = v as Record<string, unknown>;
  return { audio: o.audio ?? false, video: o.video ?? false };
}

/** What getUserMedia gets: true/false or the track constraints, as the page wrote them. */
export function gumConstraints(
  c: ElementConstraints,
  semantics?: 'user-chooses',
): MediaStreamConstraints & { semantics?: string } {
  const kind = (x: unknown): boolean | MediaTrackConstraints =>
    x && typeof x === 'object' ? (x as MediaTrackConstraints) : !!x;
  const out: MediaStreamConstraints & { semantics?: string } = { audio: kind(c.audio), video: kind(c.video) };
  if (semantics) out.semantics = semantics;
  return out;
}

/** Chromium's native setConstraints() takes track constraint dictionaries only: `true` becomes {}. */
export function nativeConstraints(c: ElementConstraints): {
  audio?: MediaTrackConstraints;
  video?: MediaTrackConstraints;
} {
  const kind = (x: unknown): MediaTrackConstraints | undefined =>
    x && typeof x === 'object' ? (x as MediaTrackConstraints) : x ? {} : undefined;
  const out: { audio?: MediaTrackConstraints; video?: MediaTrackConstraints } = {};
  const a = kind(c.audio);
  const v = kind(c.video);
  if (a) out.audio = a;
  if (v) out.video = v;
  return out;
}
