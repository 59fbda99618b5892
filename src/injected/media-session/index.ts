// Media Session conferencing actions in every browser. The page's handlers are still registered
// natively wherever the browser knows the action (its own PiP buttons keep working); MediaGate keeps
// a copy of each so its own controls (toolbar, shortcuts, PiP window) can invoke them. Where the
// browser rejects a spec action (Firefox: every conferencing action), MediaGate accepts it itself.

import type { InjectedFeature } from '../feature';
import {
  apply,
  getOwnPropertyDescriptor,
  SafeMap,
  NativeTypeError,
  NativePromise,
  promiseResolve,
  hasOwn,
  own,
  isArray,
  push,
} from '../native';
import { patch, defineMethod } from '../patch';
import { isMediaSessionAction, type MediaSessionAction } from '../../shared/page-constants';

type Handler = (details: MediaSessionActionDetails) => void;
const reportError: (e: unknown) => void =
  typeof globalThis.reportError === 'function'
    ? (e) => apply(globalThis.reportError, globalThis, [e])
    : () => undefined;

export const mediaSession: InjectedFeature<'media-session'> = {
  name: 'media-session',
  install({ bridge, calls, enabled, onInherit, onHandoff }) {
    if (typeof MediaSession === 'undefined') return;
    const proto = MediaSession.prototype;
    // Read on first use: making the session object costs Firefox a few tenths of a millisecond at start.
    const sessionGet = getOwnPropertyDescriptor(Navigator.prototype, 'mediaSession')?.get;
    const nav = navigator;
    let sessionValue: MediaSession | undefined;
    const isSession = (self: unknown): boolean => {
      if (sessionValue === undefined && sessionGet) sessionValue = apply(sessionGet, nav, []) as MediaSession;
      return self === sessionValue;
    };
    const handlers = new SafeMap<MediaSessionAction, Handler>();
    onInherit((inherited) => {
      const inheritedHandlers = own(inherited, 'handlers');
      if (!isArray(inheritedHandlers)) return;
      for (let i = 0; i < inheritedHandlers.length; i++) {
        const action = own(inheritedHandlers[i], 'action');
        const handler = own(inheritedHandlers[i], 'handler');
        // A handler the page set on this instance meanwhile is the newer one.
        if (isMediaSessionAction(action) && typeof handler === 'function' && !handlers.has(action)) {
          handlers.set(action, handler as Handler);
          calls.setAction(action, true);
        }
      }
    });
    onHandoff(() => {
      const list: { action: MediaSessionAction; handler: Handler }[] = [];
      const actions = calls.snapshot().actions;
      for (let i = 0; i < actions.length; i++) {
        const handler = handlers.get(actions[i]!);
        if (handler) push(list, { action: actions[i]!, handler });
      }
      return { handlers: list };
    });

    patch<MediaSession['setActionHandler']>(proto, 'setActionHandler', (original, self, args) => {
      let nativeError: unknown = null;
      try {
        apply(original, self, args);
      } catch (e) {
        nativeError = e;
      }
      const [action, handler] = args as unknown[];
      const specAction = isSession(self) && args.length >= 2 && isMediaSessionAction(action);
      if (nativeError) {
        // Only the enum check may be overruled, and only for a well-formed call on the real session.
        const overrule =
          specAction && nativeError instanceof NativeTypeError && (handler === null || typeof handler === 'function');
        if (!overrule) throw nativeError;
      }
      if (specAction && enabled()) {
        if (typeof handler === 'function') handlers.set(action, handler as Handler);
        else handlers.delete(action);
        calls.setAction(action, typeof handler === 'function');
      }
    });

    // Spec: these return Promises. Chromium has them (returning undefined); Firefox lacks them.
    const reporters = [
      ['setMicrophoneActive', 'microphone'],
      ['setCameraActive', 'camera'],
      ['setScreenshareActive', 'screenshare'],
    ] as const;
    for (let i = 0; i < reporters.length; i++) {
      const [method, kind] = reporters[i]!;
      const record = (self: unknown, args: unknown[]): void => {
        if (args.length < 1)
          throw new NativeTypeError(
            `Failed to execute '${method}' on 'MediaSession': 1 argument required, but only 0 present.`,
          );
        if (isSession(self) && enabled()) calls.setReported(kind, !!args[0]);
      };
      if (hasOwn(proto, method)) {
        patch(proto, method, (original, self, args) => {
          const r = apply(original as (...a: unknown[]) => unknown, self, args);
          record(self, args);
          return r instanceof NativePromise ? r : promiseResolve(undefined);
        });
      } else {
        defineMethod(
          proto,
          method,
          function (this: unknown, ...args: unknown[]) {
            if (!(this instanceof MediaSession)) throw new NativeTypeError('Illegal invocation');
            record(this, args);
            return promiseResolve(undefined);
          },
          1,
        );
      }
    }

    const invoke = (action: MediaSessionAction): boolean => {
      const handler = handlers.get(action);
      if (!handler) return false;
      try {
        apply(handler, undefined, [{ action }]);
      } catch (e) {
        reportError(e);
      }
      return true;
    };
    calls.setInvoker(invoke);
    bridge.onPush('media-session/invoke', ({ action }) => {
      invoke(action);
    });
  },
};
