// Lazily loaded chunk: the page side of transferred tracks (see ../index.ts). It serves the control
// port of each track the page transferred (the source stays here), turns tracks that workers post back
// into tracks the page can play, and carries the worker shim's text for the core to send.
import { announceChunk, type ChunkApi } from '../../chunk-api';
import type { TransferChunk, TransferNatives, WorkerRecord } from '../index';
import { sender, type Envelope3 } from './sender';
import {
  ENVELOPE,
  STAND_IN,
  isObject,
  swapIn,
  standInIndex,
  type Envelope,
  type SwapOps,
  type GeneratorToPage,
  type ToOwner,
  type ToRemote,
  type WireTrack,
} from '../../../shared/track-transfer';
import { WORKER_SHIM_SOURCE as shim } from '../../../worker-realm/track-transfer';
import {
  addListener,
  apply,
  caught,
  defineProperty,
  freeze,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  isArray,
  mapEach,
  mapPut,
  NativeMap,
  NativeMessageChannel,
  NativeSet,
  ownKeys,
  push,
  SafeMap,
  SafeSet,
  SafeWeakMap,
  setEach,
  setPut,
  startPort,
  then,
} from '../../chunk-natives';
import { sourceOf, type Sources } from './sources';

/** The track's getters the envelope reads, in this order. */
const GETTERS = ['id', 'kind', 'label', 'enabled', 'muted', 'readyState', 'contentHint'];

/** swapIn's built-ins: the core's (the page's Map/Set/Array methods would receive the callbacks). */
function swapOps(): SwapOps {
  const mapProto = NativeMap.prototype;
  const setProto = NativeSet.prototype;
  const inherits = (v: object, proto: object): boolean => {
    for (let p = getPrototypeOf(v); p; p = getPrototypeOf(p)) if (p === proto) return true;
    return false;
  };
  return {
    seen: () => new SafeMap<object, unknown>(),
    isArray: isArray as SwapOps['isArray'],
    getPrototypeOf,
    defineProperty,
    keys: (o) => {
      const all = ownKeys(o);
      const out: string[] = [];
      for (let i = 0; i < all.length; i++) {
        const k = all[i]!;
        if (typeof k === 'string' && getOwnPropertyDescriptor(o, k)?.enumerable) out[out.length] = k;
      }
      return out;
    },
    isMap: (v): v is Map<unknown, unknown> => inherits(v, mapProto),
    isSet: (v): v is Set<unknown> => inherits(v, setProto),
    newMap: () => new NativeMap(),
    newSet: () => new NativeSet(),
    mapEach,
    setEach,
    mapPut,
    setPut,
    objectPrototype: getPrototypeOf({}) as object,
  };
}

function start(api: ChunkApi): TransferChunk {
  // Read when the chunk starts: after the features that patch them (effects, screen capture), so a
  // transferred track speaks for what MediaGate made of it. (A page that replaced them since only
  // spoils its own tracks.)
  const proto = MediaStreamTrack.prototype;
  const getters: (() => unknown)[] = [];
  for (let i = 0; i < GETTERS.length; i++) getters[i] = getOwnPropertyDescriptor(proto, GETTERS[i]!)?.get ?? (() => '');
  const core = api.feature as TransferNatives;
  const n = {
    workerPost: core.workerPost,
    portPost: core.portPost,
    Worker: core.Worker,
    isTrack: core.isTrack,
    transferOf: core.transferOf,
    tracksIn: core.tracksIn,
    check: core.check,
    detach: core.detach,
    notePorts: core.notePorts,
    getSettings: proto.getSettings,
    getConstraints: proto.getConstraints,
    getCapabilities: proto.getCapabilities,
    applyConstraints: proto.applyConstraints,
    clone: proto.clone,
    stop: proto.stop,
    getters,
  };
  const ops = swapOps();
  const portClose = MessagePort.prototype.close;
  const closePort = (p: MessagePort): void => {
    apply(portClose, p, []);
  };
  /** Sources by the key their transfer gave them, so a track posted back is the page's own again. */
  const sources = new SafeMap<string, MediaStreamTrack>();
  /** What stops each source a worker holds, when the page terminates that worker. */
  const byWorker = new SafeWeakMap<object, InstanceType<typeof SafeSet<() => void>>>();
  /** Per key: forgets a source that came back to the page (the page holds it again). */
  const forget = new SafeMap<string, () => void>();
  /**
   * The id a track carries across transfers (the serialisation steps keep it): the page's source
   * clone when its track comes back from a worker, a generator's track the page received.
   */
  const ids = new SafeWeakMap<object, string>();
  api.patchGetter(proto, 'id', (original, self) => {
    const id = ids.get(self as object);
    return id === undefined ? (apply(original, self, []) as string) : id;
  });
  const idOf = (t: MediaStreamTrack): string => ids.get(t) ?? (apply(getters[0]!, t, []) as string);

  const own = (source: MediaStreamTrack, port: MessagePort, key: string, worker: object): void => {
    sources.set(key, source);
    let held = byWorker.get(worker);
    if (!held) byWorker.set(worker, (held = new SafeSet()));
    const release = (): void => {
      apply(n.stop, source, []);
      sources.delete(key);
      forget.delete(key);
      held!.delete(release);
      const stops = stop.values();
      for (let i = 0; i < stops.length; i++) stops[i]!();
      closePort(port);
    };
    held.add(release);
    forget.set(key, () => {
      sources.delete(key);
      forget.delete(key);
      held!.delete(release);
      closePort(port);
    });
    const stop = new SafeMap<number, () => void>();
    const tell = (m: ToRemote, transfer: Transferable[] = []): void => {
      try {
        apply(n.portPost, port, [m, transfer]);
      } catch {
        /* worker gone */
      }
    };
    const state = () => ({
      muted: source.muted,
      readyState: source.readyState,
      enabled: source.enabled,
      settings: apply(n.getSettings, source, []) as MediaTrackSettings,
      constraints: apply(n.getConstraints, source, []) as MediaTrackConstraints,
      capabilities: (n.getCapabilities ? apply(n.getCapabilities, source, []) : {}) as MediaTrackCapabilities,
    });
    const types = ['mute', 'unmute', 'ended', 'configurationchange'] as const;
    for (let i = 0; i < types.length; i++) {
      const type = types[i]!;
      // MediaGate itself ends tracks with a dispatched event (a takeover in the picker, "Stop sharing"):
      // Firefox hands script-dispatched events only to listeners that ask for them (4th argument).
      addListener(source, type, () => tell({ t: 'state', s: state(), event: type }), false, true);
    }
    // A listener and the core's start(), not the onmessage setter, which could be the page's by now.
    addListener(port, 'message', (e) => {
      const m = (e as MessageEvent).data as ToOwner;
      if (!isObject(m)) return;
      if (m.t === 'stop') {
        release();
      } else if (m.t === 'enabled') {
        source.enabled = !!m.v;
      } else if (m.t === 'apply') {
        // Settles with a primitive or nothing: no object of MediaGate's where a `then` getter looks.
        then(
          apply(n.applyConstraints, source, [m.c]) as Promise<void>,
          () => {
            tell({ t: 'state', s: state() });
            tell({ t: 'applied', id: m.id });
          },
          (e: unknown) => {
            const err = e as { name?: string; message?: string; constraint?: string } | null;
            const error = {
              name: `${err?.name ?? 'Error'}`,
              message: `${err?.message ?? ''}`,
              constraint: err?.constraint,
            };
            tell({ t: 'applied', id: m.id, error });
          },
        );
      } else if (m.t === 'clone') {
        const copy = apply(n.clone, source, []) as MediaStreamTrack;
        api.calls.addTrack(copy);
        own(copy, m.port, m.id, worker);
      } else if (m.t === 'frames') {
        frames(source, m.id, tell, stop);
      } else if (m.t === 'cancel') {
        stop.get(m.id)?.();
        stop.delete(m.id);
      }
    });
    startPort(port);
  };

  /** Frames for a worker's MediaStreamTrackProcessor: Chromium's own processor, else a video element. */
  const frames = (
    source: MediaStreamTrack,
    id: number,
    tell: (m: ToRemote, t?: Transferable[]) => void,
    stop: InstanceType<typeof SafeMap<number, () => void>>,
  ): void => {
    const MSTP = (window as any).MediaStreamTrackProcessor;
    if (typeof MSTP === 'function') {
      const readable = new MSTP({ track: source }).readable as ReadableStream;
      tell({ t: 'readable', id, readable }, [readable]);
      return;
    }
    if (source.kind !== 'video' || typeof (window as any).VideoFrame !== 'function') {
      tell({
        t: 'framesError',
        id,
        name: 'NotSupportedError',
        message: 'This browser cannot deliver audio frames to a worker.',
      });
      return;
    }
    // Firefox: frames of a hidden video element, as it presents them (requestVideoFrameCallback keeps
    // going in hidden tabs, unlike requestAnimationFrame).
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = new MediaStream([source]);
    let on = true;
    const next = (): void => {
      if (on) video.requestVideoFrameCallback(each);
    };
    const each = (_now: number, meta: VideoFrameCallbackMetadata): void => {
      if (!on) return;
      try {
        const frame = new VideoFrame(video, { timestamp: Math.round(meta.mediaTime * 1e6) });
        tell({ t: 'frame', id, frame }, [frame]);
      } catch {
        /* no frame yet */
      }
      next();
    };
    stop.set(id, () => {
      on = false;
      video.srcObject = null;
    });
    then(video.play(), next, next);
  };

  /** A VideoTrackGenerator's track the page received: frames arrive on `port`. */
  const generated = (w: WireTrack): MediaStreamTrack => {
    const MSTG = (window as any).MediaStreamTrackGenerator;
    let track: MediaStreamTrack;
    let write: (f: VideoFrame) => void;
    if (typeof MSTG === 'function') {
      const gen = new MSTG({ kind: 'video' });
      const writer = (gen.writable as WritableStream<VideoFrame>).getWriter();
      track = gen as MediaStreamTrack;
      write = (f) => {
        if (writer.desiredSize !== null && writer.desiredSize <= 0) {
          f.close();
          return;
        }
        caught(writer.write(f), () => f.close());
      };
    } else {
      // Firefox: a canvas stream, one requested frame per written VideoFrame.
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d')!;
      const stream = canvas.captureStream(0) as MediaStream & { requestFrame?: () => void };
      track = stream.getVideoTracks()[0]!;
      // Firefox has requestFrame on the stream (CanvasCaptureMediaStream), the spec on the track.
      const request = (track as CanvasCaptureMediaStreamTrack).requestFrame
        ? () => (track as CanvasCaptureMediaStreamTrack).requestFrame()
        : () => stream.requestFrame!();
      write = (f) => {
        if (canvas.width !== f.displayWidth || canvas.height !== f.displayHeight) {
          canvas.width = f.displayWidth;
          canvas.height = f.displayHeight;
        }
        ctx.drawImage(f, 0, 0);
        f.close();
        request();
      };
    }
    addListener(w.port, 'message', (e) => {
      const m = (e as MessageEvent).data as GeneratorToPage;
      if (isObject(m) && m.t === 'frame') write(m.frame);
    });
    startPort(w.port);
    return track;
  };

  // Messages from workers that carry tracks: the page reads real tracks in `data`, and only its own ports.
  const dataGet = getOwnPropertyDescriptor(MessageEvent.prototype, 'data')!.get!;
  const portsGet = getOwnPropertyDescriptor(MessageEvent.prototype, 'ports')!.get!;
  const opened = new SafeWeakMap<object, { data: unknown; ports: readonly MessagePort[] }>();
  const open = (e: object): { data: unknown; ports: readonly MessagePort[] } | null => {
    const hit = opened.get(e);
    if (hit) return hit;
    const d = apply(dataGet, e, []) as Envelope;
    if (!isObject(d) || d[ENVELOPE] !== 1 || !isArray(d.tracks)) return null;
    const wires = d.tracks;
    const tracks: MediaStreamTrack[] = [];
    const mine = new SafeSet<MessagePort>();
    for (let i = 0; i < wires.length; i++) {
      const w = wires[i]!;
      mine.add(w.port);
      if (w.origin === 'generator') {
        tracks[i] = generated(w);
        ids.set(tracks[i]!, w.id);
        continue;
      }
      // One of the page's own tracks, back from the worker: the page holds its source again.
      const back = sources.get(w.key);
      forget.get(w.key)?.();
      closePort(w.port);
      if (back) {
        ids.set(back, w.id);
        tracks[i] = back;
        continue;
      }
      const dead = document.createElement('canvas').captureStream(0).getVideoTracks()[0]!;
      apply(n.stop, dead, []);
      tracks[i] = dead;
    }
    const data = swapIn(
      d.data,
      (x) => {
        const i = standInIndex(x, ops);
        return i === undefined ? undefined : tracks[i];
      },
      ops,
    );
    const all = apply(portsGet, e, []) as MessagePort[];
    const kept: MessagePort[] = [];
    for (let i = 0; i < all.length; i++) if (!mine.has(all[i]!)) kept[kept.length] = all[i]!;
    const ports = freeze(kept);
    const r = { data, ports };
    opened.set(e, r);
    return r;
  };
  api.patchGetter(MessageEvent.prototype, 'data', (original, self) => {
    try {
      const r = open(self as object);
      if (r) return r.data;
    } catch {
      /* the browser's own answer */
    }
    return apply(original, self, []);
  });
  api.patchGetter(MessageEvent.prototype, 'ports', (original, self) => {
    try {
      const r = open(self as object);
      if (r) return r.ports;
    } catch {
      /* the browser's own answer */
    }
    return apply(original, self, []) as readonly MessagePort[];
  });

  const envelope = (
    message: unknown,
    transfer: unknown[],
    sources: Sources | null,
    worker: WorkerRecord,
  ): Envelope3 => {
    const index = new SafeMap<object, number>();
    const list: Transferable[] = [];
    const wire: WireTrack[] = [];
    const owners: { t: MediaStreamTrack; port: MessagePort; key: string }[] = [];
    const tracks: MediaStreamTrack[] = [];
    for (let i = 0; i < transfer.length; i++) {
      const t = transfer[i];
      if (n.isTrack(t)) push(tracks, t);
      else push(list, t as Transferable);
    }
    if (!sources) n.check(tracks);
    for (let i = 0; i < tracks.length; i++) {
      const t = tracks[i]!;
      index.set(t, wire.length);
      const ch = new NativeMessageChannel();
      const key = crypto.randomUUID();
      // id, kind and label are the original's; the rest is the source's (the original may have ended).
      const live = sourceOf(sources, t) ?? t;
      const g = n.getters;
      push(wire, {
        id: idOf(t),
        kind: apply(g[1]!, t, []) as string,
        label: apply(g[2]!, t, []) as string,
        enabled: apply(g[3]!, live, []) as boolean,
        muted: apply(g[4]!, live, []) as boolean,
        readyState: apply(g[5]!, live, []) as MediaStreamTrackState,
        contentHint: apply(g[6]!, live, []) as string,
        settings: apply(n.getSettings, live, []) as MediaTrackSettings,
        constraints: apply(n.getConstraints, live, []) as MediaTrackConstraints,
        capabilities: (n.getCapabilities ? apply(n.getCapabilities, live, []) : {}) as MediaTrackCapabilities,
        port: ch.port2,
        origin: 'page',
        key,
      });
      push(list, ch.port2);
      push(owners, { t, port: ch.port1, key });
    }
    const data = swapIn(
      message,
      (x) => {
        const i = index.get(x);
        return i === undefined ? undefined : { [STAND_IN]: i };
      },
      ops,
    );
    const env: Envelope = { [ENVELOPE]: 1, data, tracks: wire };
    return {
      env,
      list,
      commit: () => {
        for (let i = 0; i < owners.length; i++) {
          const o = owners[i]!;
          own(sourceOf(sources, o.t) ?? n.detach(o.t), o.port, o.key, worker);
        }
      },
    };
  };

  const release = (worker: object): void => {
    const held = byWorker.get(worker);
    // A snapshot: each release takes itself out of the set.
    const all = held ? held.values() : [];
    for (let i = 0; i < all.length; i++) all[i]!();
  };

  return sender(
    n,
    shim,
    envelope,
    release,
    (e) => apply(dataGet, e, []),
    (e) => apply(portsGet, e, []) as readonly MessagePort[],
  );
}

announceChunk('transfer', start);
