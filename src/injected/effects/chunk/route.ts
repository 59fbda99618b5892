// Effects switched on mid-call for a track the page already holds as the browser's own (it named no
// effect in getUserMedia): the track's media goes through the effect's processing, and the result is
// sent in its place on the page's peer connections (../senders.ts). The page's track object stays the
// browser's; it reports the effect in getSettings() and gets configurationchange. Switched off, the
// senders get the page's track back and the processing ends, so a call nobody switches costs nothing.
import type { EffectsCore, ProcessedTrack } from '../index';
import { nativeSetTimeout, promiseResolve, SafeWeakMap, sealed, then } from '../../chunk-natives';

export interface Routes {
  /** Routes `t` through its effect (on) or ends that (off); resolves true when `t` is now as asked. */
  set(t: MediaStreamTrack, on: boolean): Promise<boolean>;
}

/** What a chunk's route() gives: the processed track sent in the page track's place. */
export interface Route {
  out: MediaStreamTrack;
  p: ProcessedTrack;
}

/** Switching the senders back to the page's track settles within a frame or two; then the processing ends. */
const RELEASE_AFTER_MS = 500;

export function trackRoutes(core: EffectsCore): Routes {
  const starting = new SafeWeakMap<MediaStreamTrack, Promise<boolean>>();
  /** While a route starts: whether it is still wanted (the person may switch back meanwhile). */
  const wanted = new SafeWeakMap<MediaStreamTrack, boolean>();

  const start = (t: MediaStreamTrack): Promise<boolean> =>
    sealed(
      then(core.chunk(core.kind(t)), (c) =>
        c
          ? sealed(
              then(
                c.route(t),
                (r) => {
                  starting.delete(t);
                  if (!wanted.get(t) || core.ended(t)) {
                    r.p.release();
                    return false;
                  }
                  core.routed.set(t, r.p);
                  core.senders.route(t, r.out);
                  return true;
                },
                () => {
                  starting.delete(t);
                  return false;
                },
              ),
            )
          : (starting.delete(t), false),
      ),
    );

  return {
    set(t, on) {
      wanted.set(t, on);
      const busy = starting.get(t);
      if (busy) return on ? busy : promiseResolve(true);
      const now = core.routed.get(t);
      if (!on) {
        if (now) {
          core.routed.delete(t);
          core.senders.route(t, null);
          nativeSetTimeout(() => now.release(), RELEASE_AFTER_MS);
        }
        return promiseResolve(true);
      }
      if (now) return promiseResolve(true);
      const p = start(t);
      starting.set(t, p);
      return p;
    },
  };
}
