// Core part of the track effects (voiceIsolation, backgroundBlur, powerEfficientPixelFormat): advertises
// the constraints, takes them out of what the browser sees, and hands tracks that should be processed
// to the lazily loaded chunk of that effect (chunk/voice.ts, chunk/blur-chunk.ts). Pages that neither
// name an effect nor have one forced by policy pay a few own-property checks per getUserMedia call.
import type { InjectedFeature } from '../feature';
import { apply, own, then, promiseReject, SafeWeakMap, streamTracks, stopTrack, getOwnPropertyDescriptor } from '../native';
import { patch, patchGetter } from '../patch';
import { loadChunk } from '../chunks';
import { overconstrained } from '../errors';
import { mentions, readEffect, stripEffect, type BoolAsk } from '../../shared/effect-constraints';
import { installHandlerAttribute } from './configuration-change';
import { FORCED, FORCED_SOFT, forcedKinds, readMembers, wants } from './forced';
import { PIXEL, PIXEL_NATIVES, askedPixel, asAsked, canKnowPixelFormat, forgetPixelFormat, meets, pixelFormat as pixelFormatOf, pixelFormatNow as pixelFormatNowOf, type PixelChunk } from './pixel-format';

export const VOICE = 'voiceIsolation';
export const BLUR = 'backgroundBlur';
export type EffectKey = typeof VOICE | typeof BLUR;
/** The one effect each kind of track has. */
const effectOf = (kind: unknown): EffectKey => (kind === 'audio' ? VOICE : BLUR);

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
  /** `nativeClone` clones the output track itself (the patched clone() would come back here). */
  clone(nativeClone: () => MediaStreamTrack): MediaStreamTrack;
}

/** Handed to the chunk. */
export interface EffectsCore {
  /** `fire` runs the spec's configurationchange steps on a processed track (chunk/configuration-change.ts). */
  register(output: MediaStreamTrack, p: ProcessedTrack, fire: (t: MediaStreamTrack) => void): void;
  /** The person's switches (chunk/switches.ts), set up by the first effects chunk that loads. */
  switches: ((output: MediaStreamTrack, p: ProcessedTrack, fire: (t: MediaStreamTrack) => void) => void) | null;
}
/** What each effect's chunk (chunk/voice.ts, chunk/blur-chunk.ts) offers. */
export interface EffectsChunk {
  /** Replaces the source by its processed track; rejects when processing is impossible here. */
  process(source: MediaStreamTrack, ask: BoolAsk): Promise<MediaStreamTrack>;
}

const NativeMediaStream = MediaStream;
const kindGet = getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'kind')!.get!;

export const effects: InjectedFeature = {
  name: 'effects',
  install({ bridge, calls, enabled }) {
    const processed = new SafeWeakMap<object, ProcessedTrack>();
    /** Device tracks with a forced effect -> what the page itself asked for it (null: nothing). */
    const pageAsked = new SafeWeakMap<MediaStreamTrack, BoolAsk | null>();
    const core: EffectsCore = {
      register(output, p, fire) {
        processed.set(output, p);
        if (core.switches) core.switches(output, p, fire);
      },
      switches: null,
    };
    installHandlerAttribute();
    const probe = (): Promise<PixelChunk | null> => then(loadChunk<PixelChunk>('pixel', bridge, calls, enabled, PIXEL_NATIVES), (l) => l && l.exports);
    const pixelFormat = (t: MediaStreamTrack) => pixelFormatOf(t, probe);
    const pixelFormatNow = (t: MediaStreamTrack) => pixelFormatNowOf(t, probe);
    const getChunk = (e: EffectKey): Promise<EffectsChunk | null> =>
      then(loadChunk<EffectsChunk>(e === VOICE ? 'voice' : 'blur', bridge, calls, enabled, core), (loaded) => loaded && loaded.exports);

    patch<MediaDevices['getSupportedConstraints']>(MediaDevices.prototype, 'getSupportedConstraints', (original, self, args) => {
      const supported = apply(original, self, args) as MediaTrackSupportedConstraints & Record<string, boolean>;
      if (enabled()) supported[VOICE] = supported[BLUR] = supported[PIXEL] = true;
      return supported;
    });

    patch<MediaDevices['getUserMedia']>(MediaDevices.prototype, 'getUserMedia', (original, self, args) =>
      // A policy may force effects: a call made before the config snapshot arrived waits for it.
      (!bridge.currentConfig && bridge.alive ? then(bridge.config(), () => getUserMedia(original, self as MediaDevices, args)) : getUserMedia(original, self as MediaDevices, args)));

    const getUserMedia = (original: MediaDevices['getUserMedia'], self: MediaDevices, args: Parameters<MediaDevices['getUserMedia']>): Promise<MediaStream> => {
      let constraints: unknown = args[0];
      const forced = forcedKinds(bridge);
      if (enabled() && (forced.audio || forced.video) && constraints !== null && typeof constraints === 'object') {
        try { constraints = readMembers(constraints); } catch (e) { return promiseReject(e); }
      }
      const audio = own(constraints, 'audio');
      const video = own(constraints, 'video');
      forced.audio &&= wants(audio);
      forced.video &&= wants(video);
      // The hot path: no effect named or forced, nothing added.
      if (!enabled() || (!mentions(audio, VOICE) && !mentions(video, BLUR) && !mentions(video, PIXEL) && !forced.audio && !forced.video)) {
        return apply(original, self, constraints === args[0] ? args : [constraints]);
      }
      let asks: { audio: BoolAsk | null; video: BoolAsk | null };
      let pageAsks: { audio: BoolAsk | null; video: BoolAsk | null };
      let pixel: BoolAsk | null;
      let forBrowser: MediaStreamConstraints;
      try {
        pageAsks = { audio: readEffect(audio, VOICE), video: readEffect(video, BLUR) };
        asks = { audio: forced.audio ? FORCED : pageAsks.audio, video: forced.video ? FORCED : pageAsks.video };
        pixel = readEffect(video, PIXEL);
        forBrowser = { ...(constraints as MediaStreamConstraints) };
        if (mentions(audio, VOICE)) forBrowser.audio = stripEffect(audio, VOICE) as MediaTrackConstraints;
        if (mentions(video, BLUR)) forBrowser.video = stripEffect(video, BLUR) as MediaTrackConstraints;
      } catch {
        return apply(original, self, [constraints]); // a getter that throws: the browser's own answer
      }
      if (pixel?.required && !canKnowPixelFormat) return promiseReject(overconstrained(PIXEL, 'Unknowable here'));
      let result = apply(original, self, [forBrowser]) as Promise<MediaStream>;
      if (pixel) result = then(result, (stream) => checkPixel(stream, pixel!));
      if (!asks.audio?.value && !asks.video?.value) return result;
      return then(result, (stream) => {
        const tracks = streamTracks(stream);
        const out: MediaStreamTrack[] = [];
        let i = 0;
        const next = (): Promise<MediaStream> | MediaStream => {
          while (i < tracks.length) {
            const t = tracks[i++]!;
            const kind = apply(kindGet, t, []) as 'audio' | 'video';
            const ask = asks[kind];
            if (!ask?.value) { out[out.length] = t; continue; }
            // getConstraints() shows what the page asked, not what the policy imposed.
            if (forced[kind]) pageAsked.set(t, pageAsks[kind]);
            const failed = () => fail(t, ask);
            return then(getChunk(effectOf(kind)), (c) => (c ? then(c.process(t, ask), (p) => { out[out.length] = p; return next(); }, failed) : failed()));
          }
          return new NativeMediaStream(out);
        };
        const fail = (t: MediaStreamTrack, ask: BoolAsk): Promise<MediaStream> | MediaStream => {
          if (ask.required) {
            for (let j = 0; j < tracks.length; j++) stopTrack(tracks[j]!);
            for (let j = 0; j < out.length; j++) stopTrack(out[j]!);
            const key = effectOf(apply(kindGet, t, []));
            return promiseReject(overconstrained(key, `${key} unavailable here`));
          }
          out[out.length] = t; // ideal: the unprocessed track, reporting the effect off
          return next();
        };
        return next();
      });
    };

    /** The page named powerEfficientPixelFormat: find out before it gets the camera; `exact` must be met. */
    const checkPixel = (stream: MediaStream, ask: BoolAsk): Promise<MediaStream> | MediaStream => {
      const tracks = streamTracks(stream);
      let camera: MediaStreamTrack | null = null;
      for (let i = 0; i < tracks.length; i++) if (apply(kindGet, tracks[i], []) === 'video') { camera = tracks[i]!; askedPixel.set(camera, asAsked(ask)); }
      if (!camera) return stream;
      return then(pixelFormat(camera), (v) => {
        if (meets(ask, v)) return stream;
        for (let j = 0; j < tracks.length; j++) stopTrack(tracks[j]!);
        return promiseReject<MediaStream>(overconstrained(PIXEL, `Pixel format: ${v}`));
      });
    };
    /** Adds powerEfficientPixelFormat to a camera track's answer (only what is known). */
    const withPixel = (key: string, device: MediaStreamTrack, r: Record<string, unknown>) => {
      if (!r || !enabled() || apply(kindGet, device, []) !== 'video') return;
      if (key === 'getConstraints') {
        const a = askedPixel.get(device);
        if (a !== undefined && a !== null) r[PIXEL] = a;
        return;
      }
      // Only tracks the page captured (a canvas track is no camera).
      if (!calls.has(device) && askedPixel.get(device) === undefined) return;
      const v = pixelFormatNow(device);
      if (v !== null) r[PIXEL] = key === 'getSettings' ? v : [v];
    };

    const viaProcessed = <K extends 'getSettings' | 'getConstraints' | 'getCapabilities'>(key: K, method: 'settings' | 'constraints' | 'capabilities') => {
      patch<MediaStreamTrack[K]>(MediaStreamTrack.prototype, key, (original, self, args) => {
        const p = processed.get(self as object);
        if (!p) {
          const r = apply(original, self, args) as Record<string, unknown>;
          // Every microphone and camera track can be asked about its effect; unprocessed ones report false.
          const e = effectOf(apply(kindGet, self, []));
          if (enabled() && key !== 'getConstraints' && r && !(e in r)) r[e] = key === 'getSettings' ? false : [false];
          withPixel(key, self as MediaStreamTrack, r);
          return r as ReturnType<MediaStreamTrack[K]>;
        }
        const r = (p[method] as (n: unknown) => unknown)(apply(original, p.source, args)) as Record<string, unknown>;
        withPixel(key, p.source, r);
        if (key === 'getConstraints' && pageAsked.has(p.source)) {
          const e = effectOf(apply(kindGet, p.source, []));
          const a = pageAsked.get(p.source);
          if (a) r[e] = a.required ? { exact: a.value } : a.value;
          else delete r[e];
        }
        return r as ReturnType<MediaStreamTrack[K]>;
      });
    };
    viaProcessed('getSettings', 'settings');
    viaProcessed('getConstraints', 'constraints');
    viaProcessed('getCapabilities', 'capabilities');

    patch<MediaStreamTrack['applyConstraints']>(MediaStreamTrack.prototype, 'applyConstraints', (original, self, args) => {
      if (!enabled()) return applyEffects(original, self as MediaStreamTrack, args);
      const p = processed.get(self as object);
      const device = (p ? p.source : self) as MediaStreamTrack;
      let pixel: BoolAsk | null = null;
      try { if (apply(kindGet, self, []) === 'video') pixel = readEffect(args[0], PIXEL); } catch { /* a wrong receiver: the browser's rejection below */ }
      // New constraints replace the page's old ones, and the camera may deliver another format now.
      const done = (): Promise<void> => then(applyEffects(original, self as MediaStreamTrack, args), () => { askedPixel.set(device, asAsked(pixel)); forgetPixelFormat(device); });
      if (!pixel?.required) return done();
      if (!canKnowPixelFormat) return promiseReject(overconstrained(PIXEL, 'Unknowable here'));
      return then(pixelFormat(device), (v) => (meets(pixel, v) ? done() : promiseReject<void>(overconstrained(PIXEL, `Pixel format: ${v}`))));
    });

    const applyEffects = (original: MediaStreamTrack['applyConstraints'], self: MediaStreamTrack, args: Parameters<MediaStreamTrack['applyConstraints']>): Promise<void> => {
      const c = args[0];
      const p = processed.get(self as object);
      if (!enabled() || (!mentions(c, VOICE) && !mentions(c, BLUR))) return apply(original, p ? p.source : self, args);
      let e: EffectKey;
      let ask: BoolAsk | null;
      let rest: unknown;
      // A wrong receiver (kind throws) gets the browser's own rejection, not a synchronous throw.
      try { e = effectOf(apply(kindGet, self, [])); ask = readEffect(c, e); rest = stripEffect(c, e); } catch { return apply(original, self, args); }
      if (p && ask && forcedKinds(bridge)[e === VOICE ? 'audio' : 'video']) {
        // The policy wins over the page's own `false`: the effect stays on.
        pageAsked.set(p.source, ask);
        ask = FORCED_SOFT;
      }
      if (!p) {
        // An unprocessed track cannot start processing in place (the page holds the browser's object).
        if (ask?.required && ask.value) return promiseReject(overconstrained(e, `${e} needs asking in getUserMedia`));
        return apply(original, self, [rest as MediaTrackConstraints]);
      }
      return then(apply(original, p.source, [rest as MediaTrackConstraints]) as Promise<void>, () => {
        const ok = !ask || p.setEffect(ask.value, ask);
        calls.changed();
        if (!ok && ask!.required) throw overconstrained(e, `${e} cannot be switched here`);
      });
    };

    // The processed track is the output of an audio graph or a frame generator: it speaks for its device.
    patchGetter<string>(MediaStreamTrack.prototype, 'label', (original, self) => {
      const p = processed.get(self as object);
      return apply(original, p ? p.source : self, []) as string;
    });

    patch<MediaStreamTrack['stop']>(MediaStreamTrack.prototype, 'stop', (original, self, args) => {
      const p = processed.get(self as object);
      if (p) p.stop();
      return apply(original, self, args);
    });
    patch<MediaStreamTrack['clone']>(MediaStreamTrack.prototype, 'clone', (original, self, args) => {
      const p = processed.get(self as object);
      return p ? p.clone(() => apply(original, self, args) as MediaStreamTrack) : apply(original, self, args);
    });
  },
};
