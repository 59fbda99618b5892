// Lazily loaded chunk: the page side of transferred tracks (see ../index.ts). It serves the control
// port of each track the page transferred (the source stays here), turns tracks that workers post back
// into tracks the page can play, and carries the worker shim's text for the core to send.
import { announceChunk, type ChunkApi } from '../../chunk-api';
import type { TransferChunk, TransferNatives, WorkerRecord } from '../index';
import { sender } from './sender';
import {
  ENVELOPE,
  STAND_IN,
  isObject,
  swapIn,
  standInIndex,
  type Envelope,
  type GeneratorToPage,
  type ToOwner,
  type ToRemote,
  type WireTrack,
} from '../../../shared/track-transfer';
import { WORKER_SHIM_SOURCE as shim } from '../../../worker-realm/track-transfer';

const R = Reflect;
const O = Object;

// Read when the chunk starts: after the features that patch them (effects, screen capture), so a
// transferred track speaks for what MediaGate made of it. (A page that replaced them since only spoils
// its own tracks.)
const proto = MediaStreamTrack.prototype;
const getters = ['id', 'kind', 'label', 'enabled', 'muted', 'readyState', 'contentHint'].map(
  (k) => Object.getOwnPropertyDescriptor(proto, k)?.get ?? (() => ''),
);
const T = {
  getSettings: proto.getSettings,
  getConstraints: proto.getConstraints,
  getCapabilities: proto.getCapabilities,
  applyConstraints: proto.applyConstraints,
  clone: proto.clone,
  stop: proto.stop,
};

function start(api: ChunkApi): TransferChunk {
  const n = { ...(api.feature as TransferNatives), ...T, getters };
  /** Sources by the key their transfer gave them, so a track posted back is the page's own again. */
  const sources = new Map<string, MediaStreamTrack>();
  /** What stops each source a worker holds, when the page terminates that worker. */
  const byWorker = new WeakMap<object, Set<() => void>>();
  /** Per key: forgets a source that came back to the page (the page holds it again). */
  const forget = new Map<string, () => void>();

  const own = (source: MediaStreamTrack, port: MessagePort, key: string, worker: object): void => {
    sources.set(key, source);
    let held = byWorker.get(worker);
    if (!held) byWorker.set(worker, (held = new Set()));
    const release = (): void => {
      R.apply(n.stop, source, []);
      sources.delete(key);
      forget.delete(key);
      held!.delete(release);
      for (const s of stop.values()) s();
      port.close();
    };
    held.add(release);
    forget.set(key, () => {
      sources.delete(key);
      forget.delete(key);
      held!.delete(release);
      port.close();
    });
    const stop = new Map<number, () => void>();
    const tell = (m: ToRemote, transfer: Transferable[] = []): void => {
      try {
        port.postMessage(m, transfer);
      } catch {
        /* worker gone */
      }
    };
    const state = () => ({
      muted: source.muted,
      readyState: source.readyState,
      enabled: source.enabled,
      settings: R.apply(n.getSettings, source, []),
      constraints: R.apply(n.getConstraints, source, []),
      capabilities: n.getCapabilities ? R.apply(n.getCapabilities, source, []) : {},
    });
    for (const type of ['mute', 'unmute', 'ended', 'configurationchange'] as const) {
      // MediaGate itself ends tracks with a dispatched event (a takeover in the picker, "Stop sharing"):
      // Firefox hands script-dispatched events only to listeners that ask for them (4th argument).
      (source.addEventListener as (t: string, f: () => void, c: boolean, untrusted: boolean) => void)(
        type,
        () => tell({ t: 'state', s: state(), event: type }),
        false,
        true,
      );
    }
    port.onmessage = (e) => {
      const m = e.data as ToOwner;
      if (!isObject(m)) return;
      if (m.t === 'stop') {
        release();
      } else if (m.t === 'enabled') {
        source.enabled = !!m.v;
      } else if (m.t === 'apply') {
        (R.apply(n.applyConstraints, source, [m.c]) as Promise<void>)
          .then(
            () => tell({ t: 'state', s: state() }),
            (err: { name?: string; message?: string; constraint?: string }) => ({
              name: `${err?.name ?? 'Error'}`,
              message: `${err?.message ?? ''}`,
              constraint: err?.constraint,
            }),
          )
          .then((error) => tell(error ? { t: 'applied', id: m.id, error } : { t: 'applied', id: m.id }));
      } else if (m.t === 'clone') {
        const copy = R.apply(n.clone, source, []) as MediaStreamTrack;
        api.calls.addTrack(copy);
        own(copy, m.port, m.id, worker);
      } else if (m.t === 'frames') {
        frames(source, m.id, tell, stop);
      } else if (m.t === 'cancel') {
        stop.get(m.id)?.();
        stop.delete(m.id);
      }
    };
  };

  /** Frames for a worker's MediaStreamTrackProcessor: Chromium's own processor, else a video element. */
  const frames = (
    source: MediaStreamTrack,
    id: number,
    tell: (m: ToRemote, t?: Transferable[]) => void,
    stop: Map<number, () => void>,
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
    video.play().then(next, next);
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
        writer.write(f).catch(() => f.close());
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
    w.port.onmessage = (e) => {
      const m = e.data as GeneratorToPage;
      if (isObject(m) && m.t === 'frame') write(m.frame);
    };
    return track;
  };

  // Messages from workers that carry tracks: the page reads real tracks in `data`, and only its own ports.
  const dataGet = O.getOwnPropertyDescriptor(MessageEvent.prototype, 'data')!.get!;
  const portsGet = O.getOwnPropertyDescriptor(MessageEvent.prototype, 'ports')!.get!;
  const opened = new WeakMap<object, { data: unknown; ports: readonly MessagePort[] }>();
  const open = (e: object): { data: unknown; ports: readonly MessagePort[] } | null => {
    const hit = opened.get(e);
    if (hit) return hit;
    const d = R.apply(dataGet, e, []) as Envelope;
    if (!isObject(d) || d[ENVELOPE] !== 1 || !Array.isArray(d.tracks)) return null;
    const tracks = d.tracks.map((w): MediaStreamTrack => {
      if (w.origin === 'generator') return generated(w);
      // One of the page's own tracks, back from the worker: the page holds its source again.
      const back = sources.get(w.key);
      forget.get(w.key)?.();
      w.port.close();
      if (back) return back;
      const dead = document.createElement('canvas').captureStream(0).getVideoTracks()[0]!;
      dead.stop();
      return dead;
    });
    const mine = new Set(d.tracks.map((w) => w.port));
    const data = swapIn(d.data, (x) => {
      const i = standInIndex(x);
      return i === undefined ? undefined : tracks[i];
    });
    const ports = O.freeze((R.apply(portsGet, e, []) as MessagePort[]).filter((p) => !mine.has(p)));
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
    return R.apply(original, self, []);
  });
  api.patchGetter(MessageEvent.prototype, 'ports', (original, self) => {
    try {
      const r = open(self as object);
      if (r) return r.ports;
    } catch {
      /* the browser's own answer */
    }
    return R.apply(original, self, []) as readonly MessagePort[];
  });

  const envelope = (
    message: unknown,
    transfer: unknown[],
    sources: Map<MediaStreamTrack, MediaStreamTrack> | null,
    worker: WorkerRecord,
  ): [Envelope, Transferable[], () => void] => {
    const index = new Map<object, number>();
    const list: Transferable[] = [];
    const wire: WireTrack[] = [];
    const owners: [MediaStreamTrack, MessagePort, string][] = [];
    const tracks = transfer.filter(n.isTrack);
    if (!sources) n.check(tracks);
    for (const t of transfer) if (!n.isTrack(t)) list.push(t as Transferable);
    for (const t of tracks) {
      index.set(t, wire.length);
      const ch = new MessageChannel();
      const key = crypto.randomUUID();
      // id, kind and label are the original's; the rest is the source's (the original may have ended).
      const live = sources?.get(t) ?? t;
      const [id, kind, label] = n.getters.map((g) => R.apply(g, t, [])) as string[];
      const [, , , enabled, muted, readyState, contentHint] = n.getters.map((g) => R.apply(g, live, [])) as [
        string,
        string,
        string,
        boolean,
        boolean,
        MediaStreamTrackState,
        string,
      ];
      wire.push({
        id: id!,
        kind: kind!,
        label: label!,
        enabled,
        muted,
        readyState,
        contentHint,
        settings: R.apply(n.getSettings, live, []),
        constraints: R.apply(n.getConstraints, live, []),
        capabilities: n.getCapabilities ? R.apply(n.getCapabilities, live, []) : {},
        port: ch.port2,
        origin: 'page',
        key,
      });
      list.push(ch.port2);
      owners.push([t, ch.port1, key]);
    }
    const data = swapIn(message, (x) => {
      const i = index.get(x);
      return i === undefined ? undefined : { [STAND_IN]: i };
    });
    const env: Envelope = { [ENVELOPE]: 1, data, tracks: wire };
    return [
      env,
      list,
      () => {
        for (const [t, port, key] of owners) own(sources?.get(t) ?? n.detach(t), port, key, worker);
      },
    ];
  };

  const release = (worker: object): void => {
    for (const r of [...(byWorker.get(worker) ?? [])]) r();
  };

  return sender(
    n,
    shim,
    envelope,
    release,
    (e) => R.apply(dataGet, e, []),
    (e) => R.apply(portsGet, e, []) as readonly MessagePort[],
  );
}

announceChunk('transfer', start);
