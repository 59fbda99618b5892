// The sources of a queued message's tracks (the core's Map, made when the transfer steps ran at the
// call), read with the core's forEach: Map.prototype.get and .values could be the page's by now.
import { mapEach } from '../../chunk-natives';

export type Sources = Map<MediaStreamTrack, MediaStreamTrack>;

export function sourceOf(sources: Sources | null | undefined, t: MediaStreamTrack): MediaStreamTrack | undefined {
  let hit: MediaStreamTrack | undefined;
  if (sources)
    mapEach(sources, (s, k) => {
      if (k === t) hit = s;
    });
  return hit;
}

export function sourceList(sources: Sources): MediaStreamTrack[] {
  const out: MediaStreamTrack[] = [];
  mapEach(sources, (s) => {
    out[out.length] = s;
  });
  return out;
}
