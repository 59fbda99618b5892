// Core part of the call window (window/ is the lazily loaded rest): loads it when this tab's top
// document enters a call, or when the toolbar popup asks for the window. Pages that never capture
// load nothing.
import type { InjectedFeature } from '../feature';
import { apply } from '../native';
import { loadChunk } from '../chunks';

/** Handed to the chunk. */
export interface PipCore {
  /** The popup asked for the window before the chunk ran: open it once started. */
  openRequested: boolean;
  /** Called for each later request from the popup. */
  onOpen: ((gesture: boolean) => void) | null;
  /** The browser's own setActionHandler: MediaGate's auto-PiP handler must not count as the page's. */
  setNativeActionHandler(action: string, handler: (() => void) | null): void;
}

const nativeSetActionHandler =
  typeof MediaSession !== 'undefined' ? MediaSession.prototype.setActionHandler : undefined;

export const callWindow: InjectedFeature<'call-window'> = {
  name: 'call-window',
  install({ bridge, calls, enabled }) {
    if (window !== window.top) return; // one call button per tab, in the top document
    const core: PipCore = {
      openRequested: false,
      onOpen: null,
      setNativeActionHandler(action, handler) {
        if (!nativeSetActionHandler) throw new TypeError('no Media Session');
        apply(nativeSetActionHandler, navigator.mediaSession, [action, handler]);
      },
    };
    // loadChunk loads once per frame; later calls are answered from its memory.
    const load = () => {
      if (enabled()) void loadChunk('call-window', bridge, calls, enabled, core);
    };
    calls.onChange(() => {
      if (calls.live) load();
    });
    bridge.onPush('call-window/open', () => {
      if (core.onOpen) core.onOpen(false);
      else {
        core.openRequested = true;
        load();
      }
    });
  },
};
