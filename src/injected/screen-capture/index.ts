// getUserMedia({video: {mediaSource, tabId}}) from the early screen-sharing draft. The main world only
// checks the call the way WebIDL and Firefox's native `mediaSource` do, then asks the background, which
// holds every decision (application permission, policy, which API); what it answers is opened here.
//
// Errors, chosen to match the one native implementation (Firefox treats mediaSource as a DOMString):
// a value that is not a known source -> OverconstrainedError("mediaSource"); a tabId that is not a
// non-negative 32-bit integer -> TypeError (as an [EnforceRange] integer would); a throwing getter ->
// its exception, as dictionary conversion does. "camera" or no mediaSource: the usual camera path.

import type { InjectedFeature } from '../feature';
import { hasOverconstrainedError, overconstrained } from '../errors';
import {
  apply,
  then,
  promiseReject,
  hasOwn,
  NativeDOMException,
  NativeTypeError,
  streamTracks,
  endTrack,
  hasActivation,
  newPromise,
} from '../native';
import { loadChunk } from '../chunks';
import type { ShareStart } from './chunk';
import { patch, type Wrapper } from '../patch';
import type { ScreenCaptureAnswer } from '../../shared/protocol';
import { installSurfaceSettings, markSurface, type Surface } from './settings';

// Captured before any feature wraps it: the stream ids open as they are, never through the picker.
// Insecure contexts have no MediaDevices: the feature does not install there.
const nativeGum = typeof MediaDevices === 'function' ? MediaDevices.prototype.getUserMedia : (undefined as never);
const SOURCES = { screen: 1, window: 1, application: 1, browser: 1 };
/** The person may read the grant window and choose at leisure. */
const WAIT_MS = 600000;

export const screenCapture: InjectedFeature<'screen-capture'> = {
  name: 'screen-capture',
  install({ bridge, calls, enabled }) {
    const md = navigator.mediaDevices;
    if (!md) return;
    const shared: MediaStreamTrack[] = [];

    // Stopped from MediaGate's popup: as when the person stops sharing in the browser's own UI.
    bridge.onPush('screen-capture/stop', () => {
      for (let i = 0; i < shared.length; i++) endTrack(shared[i]!);
      shared.length = 0;
    });

    installSurfaceSettings();

    patch<MediaDevices['getSupportedConstraints']>(
      MediaDevices.prototype,
      'getSupportedConstraints',
      (original, self, args) => {
        const supported = apply(original, self, args) as Record<string, boolean>;
        if (enabled()) supported.mediaSource = supported.tabId = true;
        return supported as MediaTrackSupportedConstraints;
      },
    );

    const gum: Wrapper<MediaDevices['getUserMedia']> = (original, self, args) => {
      const native = () => apply(original, self, args) as Promise<MediaStream>;
      // Until the settings snapshot arrives, whether to act at all is unknown: wait for it.
      if (!bridge.currentConfig)
        return then(bridge.config(), (config) => (config ? gum(original, self, args) : native()));
      const c = args[0] as Record<string, any> | undefined;
      let source: unknown;
      let tabId: unknown;
      let audio: boolean;
      let size: object;
      let v: any;
      // The browser reads `video` itself (after `audio`), so if reading it throws, the browser's own call
      // rejects too, in the browser's order of members, without opening anything.
      try {
        v = c && typeof c === 'object' ? c.video : 0;
      } catch {
        return native();
      }
      try {
        if (!v || typeof v !== 'object' || v.mediaSource === undefined || self !== md || !enabled()) return native();
        source = '' + v.mediaSource;
        tabId = v.tabId;
        audio = !!c!.audio;
        // Read once here, like everything else: the background maps them for Chromium's legacy API.
        size = { width: v.width, height: v.height, frameRate: v.frameRate };
      } catch (e) {
        return promiseReject(e);
      }
      if (source === 'camera') return native();
      // Firefox itself rejects an unknown mediaSource, with its own kind of error.
      if (!hasOwn(SOURCES, source as string))
        return hasOverconstrainedError ? promiseReject(overconstrained('mediaSource', 'Bad mediaSource')) : native();
      // Firefox dropped application capture; its own refusal depends on whether the page still has
      // the transient activation Firefox asks for (InvalidStateError without it): the same answer always.
      if (__BROWSER__ === 'firefox' && source === 'application')
        return promiseReject(overconstrained('mediaSource', 'Firefox cannot capture an application: ask for "window"'));
      // A non-negative 32-bit integer, like a Chromium tab id (`| 0` keeps only those unchanged).
      if (tabId !== undefined && !(((tabId as number) | 0) === tabId && tabId >= 0))
        return promiseReject(new NativeTypeError('Bad tabId'));

      const afterClick = (run: () => Promise<MediaStream>): Promise<MediaStream> =>
        then(loadChunk<ShareStart>('share-start', bridge, calls, enabled, null), (loaded) =>
          loaded
            ? newPromise<MediaStream>((resolve, reject) =>
                loaded.exports.show(
                  () => then(run(), resolve, reject),
                  () => reject(new NativeDOMException('The person did not start sharing', 'NotAllowedError')),
                ),
              )
            : run(),
        );
      const opened = (a: ScreenCaptureAnswer): Promise<MediaStream> => {
        let stream: Promise<MediaStream>;
        // Firefox's own path captures what was asked for; it cannot tell which tab.
        const surface: Surface =
          a.via === 'tab' || a.via === 'desktop'
            ? { mediaSource: a.mediaSource, tabId: a.tabId }
            : { mediaSource: source as string };
        if (a.via === 'refused')
          throw a.name === 'OverconstrainedError'
            ? overconstrained('tabId', a.message)
            : new NativeDOMException(a.message, a.name);
        if (a.via === 'native') {
          const run = () => apply(nativeGum, self, args) as Promise<MediaStream>;
          // Firefox captures only with the page's transient activation (5 s), which a person who read
          // the grant window at leisure outlasted: a MediaGate bar in the page gets their fresh click.
          stream = __BROWSER__ === 'firefox' && !hasActivation() ? afterClick(run) : run();
        } else {
          const id = { chromeMediaSource: a.via, chromeMediaSourceId: a.streamId };
          stream = apply(nativeGum, self, [
            { video: { mandatory: { ...id, ...a.size } }, audio: a.audio && { mandatory: id } },
          ]) as Promise<MediaStream>;
        }
        return then(stream, (s) => {
          const tracks = streamTracks(s);
          for (let i = 0; i < tracks.length; i++) {
            calls.markScreen(tracks[i]!);
            calls.addTrack(tracks[i]!);
            markSurface(tracks[i]!, surface);
            shared[shared.length] = tracks[i]!;
          }
          return s;
        });
      };
      const req = {
        source: source as 'screen',
        audio,
        tabId: source === 'browser' ? (tabId as number) : undefined,
        size,
        activated: hasActivation(),
      };
      // Refusals come as answers; a failed request means MediaGate could not answer: the native call.
      return then(bridge.request('screen-capture/open', req, WAIT_MS), opened, native);
    };
    patch<MediaDevices['getUserMedia']>(MediaDevices.prototype, 'getUserMedia', gum);
  },
};
