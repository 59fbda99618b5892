// Core part of transferable MediaStreamTracks (mediacapture-extensions). No browser transfers tracks
// natively (DataCloneError), so MediaGate does it in two halves:
// - every dedicated worker the page creates starts with MediaGate's bootstrap (src/worker-realm) through a
//   blob: wrapper. The page's own messages wait in a queue until the bootstrap has answered, so none
//   arrives before it (nor before the page's worker script, as natively);
// - postMessage with tracks in the transfer list runs the transfer steps here, synchronously: the
//   original ends without stopping the source (a clone keeps it). The chunk (chunk/), loaded when the
//   page makes its first worker, does the rest: the message's envelope with a stand-in and a control
//   port per track, the queue, the worker's shim (src/worker-realm), serving the ports.
// Only what must happen synchronously is here (this script runs in every page): the wrapper, the
// transfer steps, and keeping messages in order until the chunk is there.
// Where the page's CSP refuses blob: workers, the wrapper fails to load: the chunk then starts the
// browser's own worker for the page's script, and tracks get the native DataCloneError.
import type { InjectedFeature } from '../feature';
import {
  apply,
  construct,
  getOwnPropertyDescriptor,
  own,
  isArray,
  push,
  SafeWeakMap,
  SafeWeakSet,
  addListener,
  stopImmediate,
  NativeDOMException,
  NativeMessageChannel,
  NativeMap,
  mapEach,
  then,
} from '../native';
import { patch, patchConstructor } from '../patch';
import { loadChunk } from '../chunks';
import { WORKER_BOOTSTRAP_EVENT } from '../../shared/page-constants';
import { WORKER_CTL, WORKER_HOOKS } from '../../shared/track-transfer';
import { ShimState, WorkerState } from './states';

export interface WorkerRecord {
  /** Whether the bootstrap answered, or the wrapper failed (`fallback` is then the page's worker). */
  state: WorkerState;
  /** Whether MediaGate's shim was sent to the worker, and how that went. */
  shim: ShimState;
  /**
   * Messages waiting for the bootstrap, the chunk or the shim, in order: [target, message cloned at
   * the call, its transfer], or with `sources` a message with tracks whose transfer steps ran at the
   * call (the chunk makes its envelope when it sends it).
   */
  queue: [Worker | MessagePort, unknown, Transferable[], Map<MediaStreamTrack, MediaStreamTrack>?][];
  port: MessagePort | null;
  /** The page's worker; null for a shared worker's port (tracks there cannot arrive). */
  w: Worker | null;
  fallback: Worker | null;
  /** The Worker constructor's arguments, for the fallback. */
  args: unknown[];
  newTarget: unknown;
  urls: string[];
}

/** What the chunk offers the core. */
export interface TransferChunk {
  /** postMessage towards `rec` (the worker, or a port leading there), once the chunk is here. */
  send(rec: WorkerRecord, target: Worker | MessagePort, original: (...a: any[]) => void, args: unknown[]): void;
  /** Sends what waits, as far as the record's state allows (after any change of it). */
  flush(rec: WorkerRecord): void;
  /** The worker was terminated: the sources only it used stop. */
  release(rec: WorkerRecord): void;
}

/**
 * What the chunk gets from the core: what it must not look up itself (postMessage and Worker are
 * patched by now, and would come back here) and the core's own steps.
 */
export interface TransferNatives {
  workerPost: Worker['postMessage'];
  portPost: MessagePort['postMessage'];
  Worker: typeof Worker;
  isTrack(v: unknown): v is MediaStreamTrack;
  transferOf(args: unknown[]): unknown[] | null;
  tracksIn(transfer: unknown[] | null): MediaStreamTrack[];
  /** Throws DataCloneError for a track transferred before or listed twice. */
  check(tracks: MediaStreamTrack[]): void;
  /** The transfer steps: the original ends without stopping the source; returns the source's keeper. */
  detach(t: MediaStreamTrack): MediaStreamTrack;
  /** Notes the ports in a transfer list to `rec`: their other ends lead there. */
  notePorts(rec: WorkerRecord, list: unknown[]): void;
}

const W = window;
const NativeURL = URL;
const NativeBlob = Blob;
const createObjectURL = URL.createObjectURL;
const cloneFn = structuredClone;
const baseURIGet = getOwnPropertyDescriptor(Node.prototype, 'baseURI')!.get!;
const urlOrigin = getOwnPropertyDescriptor(URL.prototype, 'origin')!.get!;
const locationOrigin = getOwnPropertyDescriptor(location, 'origin')!.get!;
const errorEventMessage = getOwnPropertyDescriptor(ErrorEvent.prototype, 'message')!.get!;
const messageData = getOwnPropertyDescriptor(MessageEvent.prototype, 'data')!.get!;
const detailGet = getOwnPropertyDescriptor(CustomEvent.prototype, 'detail')!.get!;
const dispatchEventFn = EventTarget.prototype.dispatchEvent;
const NativeEvent = Event;
const trackProto = MediaStreamTrack.prototype;
const protoOf = Object.getPrototypeOf;
// contentHint is missing in Firefox: it then reads as "".
const getters = ['id', 'kind', 'label', 'enabled', 'muted', 'readyState', 'contentHint'].map(
  (k) => getOwnPropertyDescriptor(trackProto, k)?.get ?? (() => ''),
);
const mapSet = Map.prototype.set;
// Captured now, used only once a worker holds tracks: the LockManager itself is not made in every page.
const locksGet =
  typeof LockManager === 'function' ? getOwnPropertyDescriptor(Navigator.prototype, 'locks')?.get : undefined;
const lockRequest = locksGet && LockManager.prototype.request;
const noop = (): void => undefined;
const json = JSON.stringify;

/**
 * A track of this document. A track of another document (a frame calling this page's postMessage)
 * is left to the browser (DataCloneError): its source belongs to that document, whose MediaGate
 * instance cannot see this page's workers.
 */
const isTrack = (v: unknown): v is MediaStreamTrack => {
  try {
    apply(getters[1]!, v, []);
    return protoOf(v) === trackProto;
  } catch {
    return false;
  }
};

export const trackTransfer: InjectedFeature<'track-transfer'> = {
  name: 'track-transfer',
  install({ bridge, calls, enabled }) {
    if (typeof W.Worker !== 'function') return;
    // Captured now, after the features installed before this one, so a transferred track's snapshot and
    // clone speak for what MediaGate made of it (effects, screen capture).
    const cloneTrack = trackProto.clone;
    const stopTrack = trackProto.stop;
    // The bootstrap's text comes from the content script when the page makes its first worker, asked for
    // with an event the content script answers synchronously. Only the first answer during the ask is
    // taken, and it is the content script's: its listener for the ask and this one for the answer are
    // window capture listeners added at document_start, so each runs before any of the page's (a page
    // listener can only answer after it, or stop the answer after this one has it). Without it workers
    // stay the browser's own.
    let bootstrapSource = '';
    let asking = false;
    addListener(
      window,
      WORKER_BOOTSTRAP_EVENT,
      (e: Event): void => {
        if (!asking || bootstrapSource) return;
        asking = false;
        try {
          const d: unknown = apply(detailGet, e, []);
          if (typeof d === 'string') bootstrapSource = d;
        } catch {
          /* not a CustomEvent: no bootstrap */
        }
      },
      true,
    );
    const ask = (): void => {
      if (bootstrapSource) return;
      asking = true;
      try {
        apply(dispatchEventFn, document, [new NativeEvent(`${WORKER_BOOTSTRAP_EVENT}:ask`)]);
      } finally {
        asking = false;
      }
    };
    const records = new SafeWeakMap<object, WorkerRecord>();
    /** Page-side ports whose other end went to a wrapped worker (or a shared worker's port). */
    const portsTo = new SafeWeakMap<object, WorkerRecord>();
    /** The other end of each MessageChannel the page made, to know where a transferred port leads. */
    const partner = new SafeWeakMap<object, MessagePort>();
    const detached = new SafeWeakSet();
    let chunk: TransferChunk | null = null;

    const transferOf = (args: unknown[]): unknown[] | null => {
      // A plain array (the common form); anything else goes to the browser as it is.
      const t = args[1];
      const inner = own(t, 'transfer');
      return isArray(t) ? t : isArray(inner) ? inner : null;
    };
    const tracksIn = (transfer: unknown[] | null): MediaStreamTrack[] => {
      const out: MediaStreamTrack[] = [];
      if (transfer)
        for (let i = 0; i < transfer.length; i++) if (isTrack(transfer[i])) push(out, transfer[i] as MediaStreamTrack);
      return out;
    };
    const check = (tracks: MediaStreamTrack[]): void => {
      for (let i = 0; i < tracks.length; i++) {
        if (detached.has(tracks[i]!) || tracks.indexOf(tracks[i]!) !== i)
          throw new NativeDOMException('Detached or repeated track', 'DataCloneError');
      }
    };
    const natives: TransferNatives = {
      workerPost: Worker.prototype.postMessage,
      portPost: MessagePort.prototype.postMessage,
      Worker: W.Worker,
      isTrack,
      transferOf,
      tracksIn,
      check,
      detach(t) {
        // The clone keeps the source; stop() on the original fires no `ended`.
        const source = apply(cloneTrack, t, []) as MediaStreamTrack;
        apply(stopTrack, t, []);
        detached.add(t);
        calls.addTrack(source);
        return source;
      },
      notePorts(rec, list) {
        for (let i = 0; i < list.length; i++) {
          const other = partner.get(list[i] as object);
          if (other) portsTo.set(other, rec);
        }
      },
    };
    const record = (
      port: MessagePort | null,
      w: Worker | null,
      args: unknown[],
      newTarget: unknown,
      urls: string[],
    ): WorkerRecord => ({
      state: WorkerState.Starting,
      shim: ShimState.NotSent,
      queue: [],
      port,
      fallback: null,
      w,
      args,
      newTarget,
      urls,
    });
    const needChunk = (rec: WorkerRecord): void => {
      then(loadChunk<TransferChunk>('transfer', bridge, calls, enabled, natives), (loaded) => {
        chunk = loaded && loaded.exports;
        if (chunk) chunk.flush(rec);
      });
    };

    const blobURL = (text: string): string =>
      apply(createObjectURL, NativeURL, [new NativeBlob([text], { type: 'text/javascript' })]) as string;

    patchConstructor(W, 'Worker', (original, args, newTarget) => {
      const opts = args[1];
      let abs: string;
      try {
        if (!enabled() || args.length === 0) throw 0;
        ask();
        if (!bootstrapSource) throw 0;
        args[0] = `${args[0]}`;
        abs = new NativeURL(args[0], apply(baseURIGet, document, []) as string).href;
        // Only the page's own scripts: the browser answers for others (SecurityError, opaque data: origins).
        if (apply(urlOrigin, new NativeURL(abs), []) !== apply(locationOrigin, location, [])) throw 0;
      } catch {
        return construct(original, args, newTarget);
      }
      const module = own(opts, 'type') === 'module';
      const boot = `${bootstrapSource}(${json(abs)},${module},"${WORKER_CTL}","${WORKER_HOOKS}");`;
      const urls: string[] = [];
      if (module) push(urls, blobURL(boot));
      push(
        urls,
        blobURL(module ? `import ${json(urls[0])};import ${json(abs)};` : `${boot}importScripts(${json(abs)});`),
      );
      const w = construct(original, [urls[urls.length - 1], opts], newTarget) as Worker;
      const ch = new NativeMessageChannel();
      const rec = record(ch.port1, w, args, newTarget, urls);
      records.set(w, rec);
      ch.port1.onmessage = (e) => {
        const d = apply(messageData, e, []);
        if (own(d, 'hello') === 1) rec.state = WorkerState.Ready;
        else if (typeof own(d, 'shim') === 'boolean') {
          rec.shim = own(d, 'shim') ? ShimState.Running : ShimState.Failed;
          // The shim holds this Web Lock for the worker's life (taken before it answered, so before any
          // track arrives): granted here once the worker has ended in any way (terminate(), self.close(),
          // garbage collection), and the sources only it held stop.
          if (typeof own(d, 'alive') === 'string' && lockRequest)
            try {
              then(
                apply(lockRequest, apply(locksGet!, navigator, []), [
                  own(d, 'alive'),
                  () => chunk && chunk.release(rec),
                ]) as Promise<void>,
                noop,
                noop,
              );
            } catch {
              /* no locks in this document (an opaque origin): terminate() still releases */
            }
        }
        if (chunk) chunk.flush(rec);
      };
      addListener(w, 'error', (e) => {
        if (rec.state !== WorkerState.Starting) return;
        try {
          apply(errorEventMessage, e, []);
          return;
        } catch {
          /* a plain Event: the wrapper did not load */
        }
        // The page's CSP refuses blob: workers (or the script is missing): the chunk starts the
        // browser's own worker and relays its events to the object the page holds.
        stopImmediate(e);
        rec.state = WorkerState.Fallback;
        if (chunk) chunk.flush(rec);
      });
      apply(natives.workerPost, w, [{ [WORKER_CTL]: 1 }, [ch.port2]]);
      if (!chunk) needChunk(rec);
      return w;
    });

    patch<Worker['terminate']>(Worker.prototype, 'terminate', (original, self, args) => {
      const rec = records.get(self as Worker);
      if (rec) {
        // Tracks still waiting for the worker were transferred already: their sources stop with it.
        const queued = rec.queue;
        rec.queue = [];
        for (let i = 0; i < queued.length; i++) {
          const sources = queued[i]![3];
          if (sources) mapEach(sources, (source) => calls.stopFn && apply(calls.stopFn, source, []));
        }
        if (rec.fallback) apply(original, rec.fallback, []);
        if (chunk) chunk.release(rec);
      }
      return apply(original, self, args);
    });

    patchConstructor(W, 'MessageChannel', (original, args, newTarget) => {
      const ch = construct(original, args, newTarget) as MessageChannel;
      partner.set(ch.port1, ch.port2);
      partner.set(ch.port2, ch.port1);
      return ch;
    });

    /** Before the chunk is here: messages wait (cloned at the call), tracks are transferred now. */
    const send = (
      rec: WorkerRecord,
      self: Worker | MessagePort,
      original: (...a: any[]) => void,
      args: unknown[],
    ): unknown => {
      if (chunk) return chunk.send(rec, self, original, args);
      const transfer = transferOf(args);
      const tracks = tracksIn(transfer);
      if (tracks.length && !enabled()) return apply(original, self, args);
      const list = (transfer ?? []) as Transferable[];
      if (tracks.length) {
        check(tracks);
        const sources = new NativeMap<MediaStreamTrack, MediaStreamTrack>();
        for (let i = 0; i < tracks.length; i++) apply(mapSet, sources, [tracks[i], natives.detach(tracks[i]!)]);
        push(rec.queue, [self, args[0], list, sources]);
        if (!rec.w) needChunk(rec);
      } else {
        const copy = apply(cloneFn, W, [{ m: args[0], t: list }, { transfer: list }]) as {
          m: unknown;
          t: Transferable[];
        };
        push(rec.queue, [self, copy.m, copy.t]);
      }
      natives.notePorts(rec, list);
      return undefined;
    };

    patch<Worker['postMessage']>(Worker.prototype, 'postMessage', (original, self, args) => {
      const rec = records.get(self as Worker);
      return (rec ? send(rec, self as Worker, original, args) : apply(original, self, args)) as void;
    });

    const shared = new SafeWeakSet();
    patch<MessagePort['postMessage']>(MessagePort.prototype, 'postMessage', (original, self, args) => {
      let rec = portsTo.get(self as MessagePort);
      if (!rec && shared.has(self as MessagePort) && tracksIn(transferOf(args)).length) {
        // A shared worker's port: tracks transfer here and cannot arrive there (messageerror).
        rec = record(null, null, [], null, []);
        rec.state = WorkerState.Ready;
      }
      return (rec ? send(rec, self as MessagePort, original, args) : apply(original, self, args)) as void;
    });

    if (typeof W.SharedWorker === 'function') {
      const portGet = getOwnPropertyDescriptor(SharedWorker.prototype, 'port')!.get!;
      patchConstructor(W, 'SharedWorker', (original, args, newTarget) => {
        const sw = construct(original, args, newTarget) as SharedWorker;
        shared.add(apply(portGet, sw, []) as object);
        return sw;
      });
    }
  },
};
