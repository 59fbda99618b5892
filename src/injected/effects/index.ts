// Core part of the track effects (voiceIsolation): advertises the constraint, takes it out of what the
// browser sees, and hands tracks that should be processed to the lazily loaded chunk (chunk/). Pages
// that never name an effect pay one own-property check per getUserMedia call and nothing else.
import type { InjectedFeature } from '../feature';
import { apply, own, then, promiseReject, SafeWeakMap, streamTracks, stopTrack, NativePromise, getOwnPropertyDescriptor } from '../native';
import { patch, patchGetter } from '../patch';
import { loadChunk } from '../chunks';
import { overconstrained } from '../errors';
import { mentions, readEffect, stripEffect, type BoolAsk } from '../../shared/effect-constraints';

export const VOICE = 'voiceIsolation';

/** What the chunk does for one processed track (the page holds the processed track). */
export interface ProcessedTrack {
  settings(native: MediaTrackSettings): MediaTrackSettings;
  constraints(native: MediaTrackConstraints): MediaTrackConstraints;
  capabilities(native: MediaTrackCapabilities): MediaTrackCapabilities;
  /** Switches processing; false when it cannot (then exact:true fails). */
  setVoiceIsolation(on: boolean, ask: BoolAsk | null): boolean;
  /** The source (device) track: other constraints go to it. */
  source: MediaStreamTrack;
  stop(): void;
  /** `nativeClone` clones the output track itself (the patched clone() would come back here). */
  clone(nativeClone: () => MediaStreamTrack): MediaStreamTrack;
}

/** Handed to the chunk. */
export interface EffectsCore {
  register(output: MediaStreamTrack, p: ProcessedTrack): void;
}
export interface EffectsChunk {
  /** Replaces the source by its processed track; rejects when processing is impossible here. */
  voiceIsolation(source: MediaStreamTrack, ask: BoolAsk, constraints: unknown): Promise<MediaStreamTrack>;
}

const NativeMediaStream = MediaStream;
const kindGet = getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'kind')!.get!;

export const effects: InjectedFeature = {
  name: 'effects',
  install({ bridge, calls, enabled }) {
    const processed = new SafeWeakMap<object, ProcessedTrack>();
    let chunk: Promise<EffectsChunk | null> | null = null;
    let resolveChunk: (c: EffectsChunk) => void = () => undefined;
    const core: EffectsCore & { ready(c: EffectsChunk): void } = {
      register(output, p) { processed.set(output, p); },
      ready(c) { resolveChunk(c); },
    };
    const getChunk = (): Promise<EffectsChunk | null> => {
      if (!chunk) {
        chunk = new NativePromise<EffectsChunk | null>((resolve) => {
          resolveChunk = resolve;
          then(loadChunk('effects', bridge, calls, enabled, core), (ok) => { if (!ok) resolve(null); });
        });
      }
      return chunk;
    };

    patch<MediaDevices['getSupportedConstraints']>(MediaDevices.prototype, 'getSupportedConstraints', (original, self, args) => {
      const supported = apply(original, self, args) as MediaTrackSupportedConstraints & Record<string, boolean>;
      if (enabled()) supported[VOICE] = true;
      return supported;
    });

    patch<MediaDevices['getUserMedia']>(MediaDevices.prototype, 'getUserMedia', (original, self, args) => {
      const constraints = args[0];
      const audio = own(constraints, 'audio');
      // The hot path: no effect named, nothing added.
      if (!enabled() || !mentions(audio, VOICE)) return apply(original, self, args);
      let ask: BoolAsk | null;
      let forBrowser: MediaStreamConstraints;
      try {
        ask = readEffect(audio, VOICE);
        forBrowser = { ...(constraints as MediaStreamConstraints), audio: stripEffect(audio, VOICE) as MediaTrackConstraints };
      } catch {
        return apply(original, self, args); // a getter that throws: the browser's own answer
      }
      const result = apply(original, self, [forBrowser]) as Promise<MediaStream>;
      if (!ask || !ask.value) return result;
      const wanted = ask;
      return then(result, (stream) => then(getChunk(), (c) => {
        const tracks = streamTracks(stream);
        const out: MediaStreamTrack[] = [];
        let i = 0;
        const next = (): Promise<MediaStream> | MediaStream => {
          for (; i < tracks.length; i++) {
            const t = tracks[i]!;
            if (apply(kindGet, t, []) !== 'audio') { out[out.length] = t; continue; }
            if (!c) return fail(t);
            i++;
            return then(c.voiceIsolation(t, wanted, audio), (p) => { out[out.length] = p; return next(); }, () => fail(t));
          }
          return new NativeMediaStream(out);
        };
        const fail = (t: MediaStreamTrack): Promise<MediaStream> | MediaStream => {
          if (wanted.required) {
            for (let j = 0; j < tracks.length; j++) stopTrack(tracks[j]!);
            return promiseReject(overconstrained(VOICE, 'Voice isolation is not available on this page'));
          }
          out[out.length] = t; // ideal: the unprocessed track, reporting voiceIsolation false
          i++;
          return next();
        };
        return next();
      }));
    });

    const viaProcessed = <K extends 'getSettings' | 'getConstraints' | 'getCapabilities'>(key: K, method: 'settings' | 'constraints' | 'capabilities') => {
      patch<MediaStreamTrack[K]>(MediaStreamTrack.prototype, key, (original, self, args) => {
        const p = processed.get(self as object);
        if (!p) {
          const r = apply(original, self, args) as Record<string, unknown>;
          // Every microphone track can be asked about the constraint; unprocessed ones report false.
          if (enabled() && key !== 'getConstraints' && apply(kindGet, self, []) === 'audio' && r && !(VOICE in r)) r[VOICE] = key === 'getSettings' ? false : [false];
          return r as ReturnType<MediaStreamTrack[K]>;
        }
        return (p[method] as (n: unknown) => unknown)(apply(original, p.source, args)) as ReturnType<MediaStreamTrack[K]>;
      });
    };
    viaProcessed('getSettings', 'settings');
    viaProcessed('getConstraints', 'constraints');
    viaProcessed('getCapabilities', 'capabilities');

    patch<MediaStreamTrack['applyConstraints']>(MediaStreamTrack.prototype, 'applyConstraints', (original, self, args) => {
      const c = args[0];
      const p = processed.get(self as object);
      if (!enabled() || !mentions(c, VOICE)) return apply(original, p ? p.source : self, args);
      let ask: BoolAsk | null;
      let rest: unknown;
      try { ask = readEffect(c, VOICE); rest = stripEffect(c, VOICE); } catch { return apply(original, self, args); }
      if (!p) {
        // An unprocessed track cannot start processing in place (the page holds the browser's object).
        if (ask?.required && ask.value) return promiseReject(overconstrained(VOICE, 'Voice isolation is only available when asked for in getUserMedia'));
        return apply(original, self, [rest as MediaTrackConstraints]);
      }
      return then(apply(original, p.source, [rest as MediaTrackConstraints]) as Promise<void>, () => {
        if (ask && !p.setVoiceIsolation(ask.value, ask) && ask.required) throw overconstrained(VOICE, 'Voice isolation cannot be switched here');
      });
    });

    // The processed track is the output of an audio graph: it speaks for the device it came from.
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
