// A new version of MediaGate arrives in open pages after an update or reload (Firefox injects it itself;
// in Chromium the background does, background/reinject.ts), while the old main-world patches stay in
// place. The new instance asks the old one, synchronously and before patching, to step aside (its
// patches then pass straight through) and to hand over what the page already set up, so calls in
// progress stay under MediaGate's controls.
//
// The page can send this event too: it then switches MediaGate off for itself and gets back its own
// tracks and handlers, nothing it could not reach without MediaGate.
import { addListener, stopImmediate, apply, getOwnPropertyDescriptor } from './native';

const EVENT = 'mediagate:handoff/1';
export type HandoffState = Record<string, unknown>;

const NativeCustomEvent = CustomEvent;
const dispatch = EventTarget.prototype.dispatchEvent;
const detailOf = getOwnPropertyDescriptor(CustomEvent.prototype, 'detail')!.get!;

/** Retires a previous instance in this window, if any, and returns its state (keyed by feature). */
export function takeOver(win: Window): HandoffState | null {
  const request: { state: HandoffState | null } = { state: null };
  apply(dispatch, win, [new NativeCustomEvent(EVENT, { detail: request })]);
  return request.state;
}

/** Lets a later instance retire this one. */
export function offerHandoff(win: Window, retireAndExport: () => HandoffState): void {
  let done = false;
  addListener(
    win,
    EVENT,
    (e) => {
      stopImmediate(e);
      const request: unknown = apply(detailOf, e, []);
      if (done || request === null || typeof request !== 'object') return;
      done = true;
      (request as { state: HandoffState | null }).state = retireAndExport();
    },
    true,
  );
}
