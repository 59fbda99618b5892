// Core part of the track effects (voiceIsolation, backgroundBlur, powerEfficientPixelFormat): advertises
// the constraints, takes them out of what the browser sees, and hands tracks that should be processed
// to the lazily loaded chunk of that effect (chunk/voice.ts, chunk/blur-chunk.ts), whose shared side
// (chunk/side.ts) does what only runs once a track is to be processed. Pages that neither
// name an effect nor have one forced by policy pay a few own-property checks per getUserMedia call.
import type { InjectedFeature } from '../feature';
import {
  apply,
  getOwnPropertyDescriptor,
  own,
  then,
  promiseReject,
  promiseResolve,
  SafeWeakMap,
  streamTracks,
  stopTrack,
  trackKind as kindOf,
} from '../native';
import { patch, patchGetter } from '../patch';
import { loadChunk } from '../chunks';
import { overconstrained } from '../errors';
import { mentions, readEffect, stripEffect, type BoolAsk } from '../../shared/effect-constraints';
import { installHandlerAttribute } from './configuration-change';
import { effectsSupport, patchDeviceCapabilities } from './device-capabilities';
import { installSenders, type Senders } from './senders';
import { watchMutedSpeech } from './voice-activity';
import type { Route } from './chunk/route';
import { FORCED, FORCED_SOFT, forcedKinds, personalKinds, readMembers, wants } from './forced';
import { PIXEL, PIXEL_NATIVES, askedPixel, asAsked, canKnowPixelFormat, meets, type PixelChunk } from './pixel-format';

export const VOICE = 'voiceIsolation';
export const BLUR = 'backgroundBlur';
export type EffectKey = typeof VOICE | typeof BLUR;
type Kind = 'audio' | 'video';
/** The one effect each kind of track has. */
const effectOf = (kind: unknown): EffectKey => (kind === 'audio' ? VOICE : BLUR);
/** Per kind: what getUserMedia asked (or the policy forced). */
export type Asks = Record<Kind, BoolAsk | null>;

/** What the chunk does for one processed track (the page holds the processed track). */
export interface ProcessedTrack {
  settings(native: MediaTrackSettings): MediaTrackSettings;
  constraints(native: MediaTrackConstraints): MediaTrackConstraints;
  capabilities(native: MediaTrackCapabilities): MediaTrackCapabilities;
  /** Switches the track's effect; false when it cannot (then exact:true fails). */
  setEffect(on: boolean, ask: BoolAsk | null): boolean;
  /** The source (device) track: other constraints go to it. */
  source: MediaStreamTrack;
  stop(): void;
  /** Ends the processing and its outputs but leaves the source running (a route that ends: chunk/route.ts). */
  release(): void;
  /** `nativeClone` clones the output track itself (the patched clone() would come back here). */
  clone(nativeClone: () => MediaStreamTrack): MediaStreamTrack;
}

/**
 * Handed to the effects chunks. They run after page scripts: what they hand the page (errors, streams)
 * comes from the core's built-ins, captured before any page script.
 */
export interface EffectsCore {
  /** Output track -> what the chunk does for it; the core's patches speak for these tracks. */
  processed: SafeWeakMap<object, ProcessedTrack>;
  /** Set up by the first effects chunk that loads (chunk/side.ts), and kept here for the other one. */
  side: EffectsSide | null;
  chunk(kind: Kind): Promise<EffectsChunk | null>;
  overconstrained: typeof overconstrained;
  tracks: typeof streamTracks;
  stopTrack: typeof stopTrack;
  kind(t: MediaStreamTrack): Kind;
  Stream: typeof MediaStream;
  /** Tracks the page holds as the browser's own, routed through their effect (chunk/route.ts). */
  routed: SafeWeakMap<object, ProcessedTrack>;
  senders: Senders;
  ended(t: MediaStreamTrack): boolean;
  /** A live camera or microphone track the page captured and holds as the browser's own, whose effect can run here. */
  routable(t: MediaStreamTrack): boolean;
}
/** The effects' shared chunk side (chunk/side.ts). */
export interface EffectsSide {
  /** A getUserMedia stream with the asked effects applied; `pageAsks`: what the page asked for a kind the policy forces. */
  process(
    stream: MediaStream,
    asks: Asks,
    forced: Record<Kind, boolean>,
    pageAsks: Asks,
  ): Promise<MediaStream> | MediaStream;
  /** applyConstraints naming the effect on a processed track (`rest`: the other constraints, for the source). */
  apply(
    p: ProcessedTrack,
    original: MediaStreamTrack['applyConstraints'],
    rest: unknown,
    ask: BoolAsk | null,
    e: EffectKey,
  ): Promise<void>;
  /** The person's switches once a chunk is here (chunk/switches.ts); the core answers before that. */
  state(t: MediaStreamTrack): boolean | undefined;
  set(kind: Kind, on: boolean): void;
  /** Routes a page track through its effect or back (applyConstraints on it): resolves whether it is now so. */
  route(t: MediaStreamTrack, on: boolean): Promise<boolean>;
}
/** What each effect's chunk (chunk/voice.ts, chunk/blur-chunk.ts) offers. */
export interface EffectsChunk {
  /** Replaces the source by its processed track; rejects when processing is impossible here. */
  process(source: MediaStreamTrack, ask: BoolAsk): Promise<MediaStreamTrack>;
  /** Processes a track the page keeps holding (the effect switched on mid-call): chunk/route.ts. */
  route(source: MediaStreamTrack): Promise<Route>;
  /** The voice chunk: listens for speech on a (private) microphone track; resolves with the stop function. */
  listen?(track: MediaStreamTrack, onSpeech: () => void): Promise<() => void>;
}

const NativeMediaStream = MediaStream;
const trackProto = MediaStreamTrack.prototype;
const readyStateGet = getOwnPropertyDescriptor(trackProto, 'readyState')!.get!;

export const effects: InjectedFeature<'effects'> = {
  name: 'effects',
  install({ bridge, calls, enabled }) {
    // Screen capture's getSettings (installed before this feature): it names captured surfaces.
    const settingsOf = MediaStreamTrack.prototype.getSettings;
    const processed = new SafeWeakMap<object, ProcessedTrack>();
    const routed = new SafeWeakMap<object, ProcessedTrack>();
    const ended = (t: MediaStreamTrack) => apply(readyStateGet, t, []) === 'ended';
    /** Captured camera and microphone tracks (not screens or tabs), by track: settings are read once. */
    const devices = new SafeWeakMap<object, boolean>();
    const isDevice = (t: MediaStreamTrack): boolean => {
      let d = devices.get(t);
      if (d === undefined) {
        const s = apply(settingsOf, t, []);
        d = own(s, 'mediaSource') === undefined && own(s, 'displaySurface') === undefined;
        devices.set(t, d);
      }
      return d;
    };
    const routable = (t: MediaStreamTrack): boolean =>
      enabled() && calls.has(t) && !processed.get(t) && !ended(t) && effectsSupport()[kindOf(t)] && isDevice(t);
    const core: EffectsCore = {
      processed,
      side: null,
      chunk: (kind) =>
        then(
          loadChunk<EffectsChunk>(kind === 'audio' ? 'voice' : 'blur', bridge, calls, enabled, core),
          (l) => l && l.exports,
        ),
      overconstrained,
      tracks: streamTracks,
      stopTrack,
      kind: kindOf,
      Stream: NativeMediaStream,
      routed,
      senders: installSenders((t) => calls.has(t)),
      ended,
      routable,
    };
    // The person's switches: every captured camera and microphone track can switch its effect where it
    // runs; the first switch loads the effect's chunk, whose side (chunk/switches.ts) does it.
    const stateOf = (t: MediaStreamTrack): boolean | undefined => {
      const s = core.side ? core.side.state(t) : undefined;
      return s !== undefined ? s : routable(t) ? false : undefined;
    };
    calls.effects = {
      state: stateOf,
      on(kind) {
        const tracks = calls.liveTracks(kind);
        let on: boolean | undefined;
        for (let i = 0; i < tracks.length; i++) {
          const s = stateOf(tracks[i]!);
          if (s !== undefined) on = on || s;
        }
        return on;
      },
      set(kind, on) {
        if (!enabled() || (!on && forcedKinds(bridge)[kind])) return; // the administrator's choice, not the person's
        then(core.chunk(kind), (c) => {
          if (c) core.side!.set(kind, on);
        });
      },
      locked: (kind) => forcedKinds(bridge)[kind],
    };
    bridge.onPush('effects/set', ({ kind, on }) => calls.effects!.set(kind, on));
    watchMutedSpeech(
      calls,
      enabled,
      () => bridge.currentConfig?.mutedSpeechHint !== false,
      () => core.chunk('audio'),
    );
    installHandlerAttribute();
    const devicesProto = MediaDevices.prototype;
    let px: PixelChunk | null = null;
    const pixelFormat = (t: MediaStreamTrack): Promise<boolean | null> =>
      canKnowPixelFormat
        ? then(loadChunk<PixelChunk>('pixel', bridge, calls, enabled, PIXEL_NATIVES), (l) =>
            (px = l && l.exports) ? px.format(t) : null,
          )
        : promiseResolve(null);
    const pixelError = (message: string) => promiseReject<never>(overconstrained(PIXEL, message));

    patch<MediaDevices['getSupportedConstraints']>(devicesProto, 'getSupportedConstraints', (original, self, args) => {
      const supported = apply(original, self, args) as MediaTrackSupportedConstraints & Record<string, boolean>;
      if (enabled()) supported[VOICE] = supported[BLUR] = supported[PIXEL] = true;
      return supported;
    });

    patch<MediaDevices['getUserMedia']>(devicesProto, 'getUserMedia', (original, self, args) =>
      // A policy may force effects: a call made before the config snapshot arrived waits for it.
      !bridge.currentConfig && bridge.alive
        ? then(bridge.config(), () => getUserMedia(original, self as MediaDevices, args))
        : getUserMedia(original, self as MediaDevices, args),
    );

    const getUserMedia = (
      original: MediaDevices['getUserMedia'],
      self: MediaDevices,
      args: Parameters<MediaDevices['getUserMedia']>,
    ): Promise<MediaStream> => {
      let constraints: unknown = args[0];
      const forced = forcedKinds(bridge);
      const personal = personalKinds(bridge);
      if (
        enabled() &&
        (forced.audio || forced.video || personal.audio || personal.video) &&
        constraints !== null &&
        typeof constraints === 'object'
      ) {
        try {
          constraints = readMembers(constraints);
        } catch (e) {
          return promiseReject(e);
        }
      }
      const audio = own(constraints, 'audio');
      const video = own(constraints, 'video');
      forced.audio &&= wants(audio);
      forced.video &&= wants(video);
      // The page's own ask of an effect wins over the person's default for it.
      personal.audio &&= wants(audio) && !mentions(audio, VOICE);
      personal.video &&= wants(video) && !mentions(video, BLUR);
      // The hot path: no effect named, forced or wanted by the person, nothing added.
      if (
        !enabled() ||
        (!mentions(audio, VOICE) &&
          !mentions(video, BLUR) &&
          !mentions(video, PIXEL) &&
          !forced.audio &&
          !forced.video &&
          !personal.audio &&
          !personal.video)
      ) {
        return apply(original, self, constraints === args[0] ? args : [constraints]);
      }
      let asks: Asks;
      let pageAsks: Asks;
      let pixel: BoolAsk | null;
      let forBrowser: MediaStreamConstraints;
      try {
        pageAsks = { audio: readEffect(audio, VOICE), video: readEffect(video, BLUR) };
        asks = {
          audio: forced.audio ? FORCED : personal.audio ? FORCED_SOFT : pageAsks.audio,
          video: forced.video ? FORCED : personal.video ? FORCED_SOFT : pageAsks.video,
        };
        pixel = readEffect(video, PIXEL);
        forBrowser = { ...(constraints as MediaStreamConstraints) };
        if (mentions(audio, VOICE)) forBrowser.audio = stripEffect(audio, VOICE) as MediaTrackConstraints;
        if (mentions(video, BLUR)) forBrowser.video = stripEffect(video, BLUR) as MediaTrackConstraints;
      } catch {
        return apply(original, self, [constraints]); // a getter that throws: the browser's own answer
      }
      if (pixel?.required && !canKnowPixelFormat) return pixelError('Unknowable here');
      let result = apply(original, self, [forBrowser]) as Promise<MediaStream>;
      if (pixel) result = then(result, (stream) => checkPixel(stream, pixel!));
      if (!asks.audio?.value && !asks.video?.value) return result;
      // The first effects chunk that loads sets up the side that processes the stream (it loads the other one if asked).
      return then(result, (stream) =>
        then(
          asks.audio?.value
            ? then(core.chunk('audio'), (c) => c || (asks.video?.value ? core.chunk('video') : null))
            : core.chunk('video'),
          (c): Promise<MediaStream> | MediaStream => {
            // getConstraints() keeps showing what the page asked where the policy or the person added the effect.
            const added = { audio: forced.audio || personal.audio, video: forced.video || personal.video };
            if (c) return core.side!.process(stream, asks, added, pageAsks);
            // No effects chunk here (MediaGate gone): every track stays unprocessed, or the call fails where one is required.
            const tracks = streamTracks(stream);
            for (let i = 0; i < tracks.length; i++) {
              const ask = asks[kindOf(tracks[i])];
              if (ask?.value && ask.required) {
                for (let j = 0; j < tracks.length; j++) stopTrack(tracks[j]!);
                const key = effectOf(kindOf(tracks[i]));
                return promiseReject(overconstrained(key, `${key} unavailable here`));
              }
            }
            return new NativeMediaStream(tracks);
          },
        ),
      );
    };

    /** The page named powerEfficientPixelFormat: find out before it gets the camera; `exact` must be met. */
    const checkPixel = (stream: MediaStream, ask: BoolAsk): Promise<MediaStream> | MediaStream => {
      const tracks = streamTracks(stream);
      let camera: MediaStreamTrack | null = null;
      for (let i = 0; i < tracks.length; i++)
        if (kindOf(tracks[i]) === 'video') {
          camera = tracks[i]!;
          askedPixel.set(camera, asAsked(ask));
        }
      if (!camera) return stream;
      return then(pixelFormat(camera), (v) => {
        if (meets(ask, v)) return stream;
        for (let j = 0; j < tracks.length; j++) stopTrack(tracks[j]!);
        return pixelError(`Pixel format: ${v}`);
      });
    };

    const viaProcessed = <K extends 'getSettings' | 'getConstraints' | 'getCapabilities'>(
      key: K,
      method: 'settings' | 'constraints' | 'capabilities',
    ) => {
      patch<MediaStreamTrack[K]>(trackProto, key, (original, self, args) => {
        const p = processed.get(self as object);
        const device = (p ? p.source : self) as MediaStreamTrack;
        let r = apply(original, device, args) as Record<string, unknown>;
        if (p) r = (p[method] as (n: unknown) => Record<string, unknown>)(r);
        else if (enabled() && key !== 'getConstraints' && r) {
          // Every microphone and camera track can be asked about its effect: on where MediaGate routes it
          // (the person switched it on mid-call), switchable ([false, true]) where it can route it.
          const e = effectOf(kindOf(self));
          const route = routed.get(self as object);
          if (key === 'getSettings')
            r[e] = route ? (route.settings({}) as Record<string, unknown>)[e] === true : !!r[e];
          else if (route || routable(self as MediaStreamTrack)) r[e] = [false, true];
          else if (!(e in r)) r[e] = [false];
        }
        // powerEfficientPixelFormat, only what is known.
        if (r && enabled() && kindOf(device) === 'video') {
          if (key === 'getConstraints') {
            const a = askedPixel.get(device);
            if (a !== undefined && a !== null) r[PIXEL] = a;
          } else if (
            canKnowPixelFormat &&
            (calls.has(device) || askedPixel.get(device) !== undefined) &&
            own(apply(settingsOf, device, []), 'mediaSource') === undefined
          ) {
            // Only cameras the page captured: a canvas track is no camera, nor is a captured screen or tab
            // (screen capture, patched first, names it in mediaSource; a probe's clone would keep a tab
            // captured). The first ask starts the probe.
            const v = px ? px.now(device) : (void pixelFormat(device), null);
            if (v !== null) r[PIXEL] = key === 'getSettings' ? v : [v];
          }
        }
        return r as ReturnType<MediaStreamTrack[K]>;
      });
    };
    viaProcessed('getSettings', 'settings');
    viaProcessed('getConstraints', 'constraints');
    viaProcessed('getCapabilities', 'capabilities');
    patchDeviceCapabilities(enabled);

    patch<MediaStreamTrack['applyConstraints']>(trackProto, 'applyConstraints', (original, self, args) => {
      if (!enabled()) return applyEffects(original, self as MediaStreamTrack, args);
      const p = processed.get(self as object);
      const device = (p ? p.source : self) as MediaStreamTrack;
      let pixel: BoolAsk | null = null;
      try {
        if (kindOf(self) === 'video') pixel = readEffect(args[0], PIXEL);
      } catch {
        /* a wrong receiver: the browser's rejection below */
      }
      // New constraints replace the page's old ones, and the camera may deliver another format now.
      const done = (): Promise<void> =>
        then(applyEffects(original, self as MediaStreamTrack, args), () => {
          askedPixel.set(device, asAsked(pixel));
          px?.forget(device);
        });
      if (!pixel?.required) return done();
      if (!canKnowPixelFormat) return pixelError('Unknowable here');
      return then(pixelFormat(device), (v) => (meets(pixel, v) ? done() : pixelError(`Pixel format: ${v}`)));
    });

    const applyEffects = (
      original: MediaStreamTrack['applyConstraints'],
      self: MediaStreamTrack,
      args: Parameters<MediaStreamTrack['applyConstraints']>,
    ): Promise<void> => {
      const c = args[0];
      const p = processed.get(self as object);
      if (!enabled() || (!mentions(c, VOICE) && !mentions(c, BLUR))) return apply(original, p ? p.source : self, args);
      let e: EffectKey;
      let ask: BoolAsk | null;
      let rest: unknown;
      // A wrong receiver (kind throws) gets the browser's own rejection, not a synchronous throw.
      try {
        e = effectOf(kindOf(self));
        ask = readEffect(c, e);
        rest = stripEffect(c, e);
      } catch {
        return apply(original, self, args);
      }
      if (p) return core.side!.apply(p, original, rest, ask, e);
      // A track the page holds as the browser's own: routed through the effect (or back), where it can be.
      const canRoute = routed.get(self) !== undefined || routable(self);
      if (!ask || !canRoute) {
        if (ask?.required && ask.value) return promiseReject(overconstrained(e, `${e} unavailable here`));
        return apply(original, self, [rest as MediaTrackConstraints]);
      }
      const want = ask.value;
      return then(apply(original, self, [rest as MediaTrackConstraints]) as Promise<void>, () =>
        then(core.chunk(kindOf(self)), (c) =>
          then(c ? core.side!.route(self, want) : promiseResolve(false), (ok) => {
            if (!ok && ask.required) throw overconstrained(e, `${e} cannot be switched here`);
          }),
        ),
      );
    };

    // The processed track is the output of an audio graph or a frame generator: it speaks for its device.
    patchGetter<string>(trackProto, 'label', (original, self) => {
      const p = processed.get(self as object);
      return apply(original, p ? p.source : self, []) as string;
    });

    patch<MediaStreamTrack['stop']>(trackProto, 'stop', (original, self, args) => {
      const p = processed.get(self as object);
      if (p) p.stop();
      // A routed track's processing ends with it (its senders then send nothing, as for the browser's own).
      const route = routed.get(self as object);
      if (route) {
        routed.delete(self as object);
        route.release();
      }
      return apply(original, self, args);
    });
    patch<MediaStreamTrack['clone']>(trackProto, 'clone', (original, self, args) => {
      const p = processed.get(self as object);
      return p ? p.clone(() => apply(original, self, args) as MediaStreamTrack) : apply(original, self, args);
    });
  },
};
