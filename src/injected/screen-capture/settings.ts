// getSettings() of a screen-capture track reports what it captures, as the draft's MediaTrackSettings
// `mediaSource` / `tabId` members. Neither browser does it natively (Firefox, which still has the
// constraint, reports neither, not even for cameras), so camera tracks stay untouched and only tracks
// MediaGate handed out carry them; clones keep them.
import { apply, defineProperty, ownKeys, SafeWeakMap } from '../native';

const sort = Array.prototype.sort;
import { patch } from '../patch';

export interface Surface {
  mediaSource: string;
  tabId?: number;
}

const surfaces = new SafeWeakMap<object, Surface>();

export const markSurface = (track: MediaStreamTrack, surface: Surface): void => {
  surfaces.set(track, surface);
};

/**
 * A copy of the browser's settings with the surface's members added where a WebIDL dictionary puts
 * them (members in lexicographic order), so the object reads like the browser's own. Defined, not
 * assigned: a setter a page put on Object.prototype must not see (or swallow) them.
 */
function withSurface(settings: Record<string, unknown>, s: Surface): Record<string, unknown> {
  const all: Record<string, unknown> = { ...settings, ...s };
  if (s.tabId === undefined) delete all.tabId;
  const out = {};
  const keys = apply(sort, ownKeys(all), []) as string[];
  for (let i = 0; i < keys.length; i++)
    defineProperty(out, keys[i]!, { value: all[keys[i]!], writable: true, enumerable: true, configurable: true });
  return out;
}

export function installSurfaceSettings(): void {
  patch<MediaStreamTrack['getSettings']>(MediaStreamTrack.prototype, 'getSettings', (original, self, args) => {
    const settings = apply(original, self, args) as Record<string, unknown>;
    const s = surfaces.get(self as object);
    return (s ? withSurface(settings, s) : settings) as MediaTrackSettings;
  });
  patch<MediaStreamTrack['clone']>(MediaStreamTrack.prototype, 'clone', (original, self, args) => {
    const copy = apply(original, self, args) as MediaStreamTrack;
    const s = surfaces.get(self as object);
    if (s) surfaces.set(copy, s);
    return copy;
  });
}
