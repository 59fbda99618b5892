// Core part of transferable MediaStreamTracks (mediacapture-extensions). No browser transfers tracks
// natively (DataCloneError), so MediaGate does it in two halves:
// - every dedicated worker the page creates starts with MediaGate's bootstrap (bootstrap.ts) through a
//   blob: wrapper; the page's own messages wait in a queue until the bootstrap has answered, so none
//   arrives before it (nor before the page's worker script, as natively);
// - postMessage with tracks in the transfer list runs the transfer steps here, synchronously: the
//   original ends without stopping the source (a clone keeps it), and the message carries a stand-in
//   and a control port per track. The chunk (chunk/) serves those ports and sends the worker its shim
//   (worker/), which makes MediaStreamTrack, MediaStreamTrackProcessor and VideoTrackGenerator exist
//   there. Until both are ready, the worker's messages wait in the same queue, so order is kept.
// Where the page's CSP refuses blob: workers, the wrapper fails to load: the worker is then replaced
// by the browser's own worker for the page's script, and tracks get the native DataCloneError.
import type { InjectedFeature } from '../feature';
import {
  apply, construct, getOwnPropertyDescriptor, own, isArray, push, SafeWeakMap, SafeWeakSet, addListener, stopImmediate,
  NativeDOMException, NativeMessageChannel, NativeMap, then,
} from '../native';
import { patch, patchConstructor } from '../patch';
import { loadChunk } from '../chunks';
import { workerBootstrap } from './bootstrap';
import { WORKER_CTL, WORKER_HOOKS } from '../../shared/track-transfer';

/** What the chunk offers: the worker shim's source text, and serving a transferred track's port. */
export interface TransferChunk {
  shim: string;
  /**
   * The message to send in place of one whose transfer list holds tracks, its transfer list, and
   * what transfers the tracks once it is on its way. `sources`: tracks the core already transferred
   * (original -> the clone that keeps the source), for a message sent before the chunk was here.
   */
  envelope(message: unknown, transfer: unknown[], sources: Map<MediaStreamTrack, MediaStreamTrack> | null, worker: object): [unknown, Transferable[], () => void];
  /** The worker was terminated: the sources only it used stop. */
  release(worker: object): void;
}

/** What the core captured at document_start, for the chunk (it runs after page scripts). */
export interface TransferNatives {
  getSettings: MediaStreamTrack['getSettings'];
  getConstraints: MediaStreamTrack['getConstraints'];
  getCapabilities: MediaStreamTrack['getCapabilities'] | undefined;
  applyConstraints: MediaStreamTrack['applyConstraints'];
  clone: MediaStreamTrack['clone'];
  stop: MediaStreamTrack['stop'];
  getters: (() => unknown)[];
  isTrack(v: unknown): v is MediaStreamTrack;
  /** Throws DataCloneError for a track transferred before or listed twice. */
  check(tracks: MediaStreamTrack[]): void;
  /** The transfer steps: the original ends without stopping the source; returns the source's keeper. */
  detach(t: MediaStreamTrack): MediaStreamTrack;
}

interface WorkerRecord {
  /** 0 starting, 1 the bootstrap answered, 2 the wrapper failed: `fallback` is the page's worker. */
  state: 0 | 1 | 2;
  /** 0 not sent, 1 sent, 2 running in the worker, 3 could not be loaded. */
  shim: 0 | 1 | 2 | 3;
  /**
   * Messages waiting for the bootstrap or the shim, in order: [target, message cloned at the call, its
   * transfer], or with `sources` a message with tracks sent before the chunk was here (not cloned:
   * the chunk must make its envelope first).
   */
  queue: [Worker | MessagePort, unknown, Transferable[], Map<MediaStreamTrack, MediaStreamTrack>?][];
  port: MessagePort;
  w: Worker;
  fallback: Worker | null;
}

const W = window;
const NativeURL = URL;
const NativeBlob = Blob;
const createObjectURL = URL.createObjectURL;
const revokeObjectURL = URL.revokeObjectURL;
const cloneFn = structuredClone;
const baseURIGet = getOwnPropertyDescriptor(Node.prototype, 'baseURI')!.get!;
const urlOrigin = getOwnPropertyDescriptor(URL.prototype, 'origin')!.get!;
const locationOrigin = getOwnPropertyDescriptor(location, 'origin')!.get!;
const errorEventMessage = getOwnPropertyDescriptor(ErrorEvent.prototype, 'message')!.get!;
const NativeMessageEvent = MessageEvent;
const NativeEvent = Event;
const messageData = getOwnPropertyDescriptor(MessageEvent.prototype, 'data')!.get!;
const messagePorts = getOwnPropertyDescriptor(MessageEvent.prototype, 'ports')!.get!;
const trackProto = MediaStreamTrack.prototype;
const protoOf = Object.getPrototypeOf;
// contentHint is missing in Firefox: it then reads as "".
const tget = (k: string) => getOwnPropertyDescriptor(trackProto, k)?.get ?? (() => '');
const TRACK_GETTERS = ['id', 'kind', 'label', 'enabled', 'muted', 'readyState', 'contentHint'] as const;
const getters = TRACK_GETTERS.map(tget);
const kindGet = getters[1]!;
const mapSet = Map.prototype.set;
const mapForEach = Map.prototype.forEach;

/**
 * A track of this document. A track of another document (a frame calling this page's postMessage)
 * is left to the browser (DataCloneError): its source belongs to that document, whose MediaGate
 * instance cannot see this page's workers.
 */
const isTrack = (v: unknown): v is MediaStreamTrack => {
  try { apply(kindGet, v, []); return protoOf(v) === trackProto; } catch { return false; }
};
const dataCloneError = (what: string): DOMException =>
  new NativeDOMException(`Failed to execute 'postMessage': ${what}`, 'DataCloneError');

export const trackTransfer: InjectedFeature = {
  name: 'track-transfer',
  install({ bridge, calls, enabled }) {
    if (typeof W.Worker !== 'function') return;
    // Captured now, after the features installed before this one, so a transferred track's snapshot and
    // clone speak for what MediaGate made of it (effects, screen capture).
    const getSettings = trackProto.getSettings;
    const getConstraints = trackProto.getConstraints;
    const getCapabilities = trackProto.getCapabilities;
    const cloneTrack = trackProto.clone;
    const stopTrack = trackProto.stop;
    const workerPost = Worker.prototype.postMessage;
    const workerTerminate = Worker.prototype.terminate;
    const portPost = MessagePort.prototype.postMessage;
    const bootstrapSource = `(${workerBootstrap})`;
    const records = new SafeWeakMap<Worker, WorkerRecord>();
    /** Page-side ports whose other end went to a wrapped worker: tracks may travel through them. */
    const portsTo = new SafeWeakMap<MessagePort, WorkerRecord>();
    /** The other end of each MessageChannel the page made, to know where a transferred port leads. */
    const partner = new SafeWeakMap<MessagePort, MessagePort>();
    const detached = new SafeWeakSet();
    let chunk: TransferChunk | null = null;
    const natives = {
      getSettings, getConstraints, getCapabilities, applyConstraints: trackProto.applyConstraints, clone: cloneTrack, stop: stopTrack, getters, isTrack,
    } as TransferNatives;
    const getChunk = () => loadChunk<TransferChunk>('transfer', bridge, calls, enabled, natives);

    const blobURL = (text: string): string => apply(createObjectURL, NativeURL, [new NativeBlob([text], { type: 'text/javascript' })]) as string;

    const flush = (rec: WorkerRecord): void => {
      if (rec.state === 0 || rec.shim === 1) return;
      const q = rec.queue;
      rec.queue = [];
      for (let i = 0; i < q.length; i++) {
        let [target, m, t, sources] = q[i]!;
        if (sources) {
          // Tracks for a worker that cannot read them (no shim, or the browser's own worker): lost, as a
          // native DataCloneError would have lost the message; it was sent before MediaGate could know.
          if (rec.state === 2 || rec.shim === 3 || !chunk) {
            apply(mapForEach, sources, [(source: MediaStreamTrack) => { apply(stopTrack, source, []); }]);
            continue;
          }
          let commit: () => void;
          try { [m, t, commit] = chunk.envelope(m, t, sources, rec); } catch { continue; }
          commit();
        }
        try {
          if (target === rec.w) apply(workerPost, rec.state === 2 ? rec.fallback : rec.w, [m, t]);
          else apply(portPost, target, [m, t]);
        } catch { /* a message that cannot be cloned: it would have thrown at the call */ }
      }
    };
    const needShim = (rec: WorkerRecord): void => {
      if (rec.shim !== 0) return;
      rec.shim = 1;
      then(getChunk(), (loaded) => {
        chunk = loaded && loaded.exports;
        if (!chunk) { rec.shim = 3; flush(rec); return; }
        apply(portPost, rec.port, [{ shim: chunk.shim }]);
      });
    };

    patchConstructor(W, 'Worker', (original, args, newTarget) => {
      const opts = args[1];
      let abs: string;
      try {
        if (!enabled() || args.length === 0) throw 0;
        args[0] = `${args[0]}`;
        abs = new NativeURL(args[0], apply(baseURIGet, document, []) as string).href;
        // Only the page's own scripts: the browser answers for others (SecurityError, opaque data: origins).
        if (apply(urlOrigin, new NativeURL(abs), []) !== apply(locationOrigin, location, [])) throw 0;
      } catch {
        return construct(original, args, newTarget);
      }
      const module = own(opts, 'type') === 'module';
      const boot = `${bootstrapSource}(${JSON.stringify(abs)},${module},"${WORKER_CTL}","${WORKER_HOOKS}");`;
      const urls: string[] = [];
      let main: string;
      if (module) {
        push(urls, blobURL(boot));
        main = blobURL(`import ${JSON.stringify(urls[0])};import ${JSON.stringify(abs)};`);
      } else {
        main = blobURL(`${boot}importScripts(${JSON.stringify(abs)});`);
      }
      push(urls, main);
      const w = construct(original, [main, opts], newTarget) as Worker;
      const ch = new NativeMessageChannel();
      const rec: WorkerRecord = { state: 0, shim: chunk ? 1 : 0, queue: [], port: ch.port1, fallback: null, w };
      records.set(w, rec);
      const done = (): void => { for (let i = 0; i < urls.length; i++) apply(revokeObjectURL, NativeURL, [urls[i]]); };
      ch.port1.onmessage = (e) => {
        const d = apply(messageData, e, []);
        if (own(d, 'hello') === 1) { rec.state = 1; done(); }
        else if (typeof own(d, 'shim') === 'boolean') rec.shim = own(d, 'shim') ? 2 : 3;
        else return;
        flush(rec);
      };
      addListener(w, 'error', (e) => {
        if (rec.state !== 0) return;
        try { apply(errorEventMessage, e, []); return; } catch { /* a plain Event: the script did not load */ }
        // The wrapper did not load (the page's CSP refuses blob: workers, or the script is missing):
        // the page gets the browser's own worker, and its events on the object it holds.
        stopImmediate(e);
        rec.state = 2;
        done();
        const fb = construct(original, args, newTarget) as Worker;
        rec.fallback = fb;
        const relay = (ev: Event): void => {
          const t = ev.type;
          const copy = t === 'error' ? new NativeEvent('error', { cancelable: true })
            : new NativeMessageEvent(t, { data: apply(messageData, ev, []), ports: apply(messagePorts, ev, []) as MessagePort[] });
          w.dispatchEvent(copy);
        };
        addListener(fb, 'message', relay);
        addListener(fb, 'messageerror', relay);
        addListener(fb, 'error', relay);
        flush(rec);
      });
      const hello: Record<string, unknown> = { [WORKER_CTL]: 1 };
      if (chunk) hello.shim = chunk.shim;
      apply(workerPost, w, [hello, [ch.port2]]);
      return w;
    });

    patch<Worker['terminate']>(Worker.prototype, 'terminate', (original, self, args) => {
      const rec = records.get(self as Worker);
      if (rec) {
        rec.queue = [];
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

    /**
     * The transfer list when it is a plain array (the common form); anything else (an iterable, a
     * getter) goes to the browser as it is, which then answers as it always does.
     */
    const transferOf = (args: unknown[]): unknown[] | null => {
      const t = args[1];
      if (isArray(t)) return t;
      const inner = own(t, 'transfer');
      return isArray(inner) ? inner : null;
    };

    const check = (tracks: MediaStreamTrack[]): void => {
      for (let i = 0; i < tracks.length; i++) {
        if (detached.has(tracks[i]!) || tracks.indexOf(tracks[i]!) !== i) throw dataCloneError('A MediaStreamTrack could not be cloned because it was detached or listed twice.');
      }
    };
    natives.check = check;
    natives.detach = (t) => {
      // The clone keeps the source; stop() on the original fires no `ended`.
      const source = apply(cloneTrack, t, []) as MediaStreamTrack;
      apply(stopTrack, t, []);
      detached.add(t);
      calls.addTrack(source);
      return source;
    };
    const tracksIn = (transfer: unknown[] | null): MediaStreamTrack[] => {
      const out: MediaStreamTrack[] = [];
      if (transfer) for (let i = 0; i < transfer.length; i++) if (isTrack(transfer[i])) push(out, transfer[i] as MediaStreamTrack);
      return out;
    };

    const EMPTY_WASM = [0, 97, 115, 109, 1, 0, 0, 0];
    /**
     * postMessage towards a wrapped worker (directly or through a port whose other end went there):
     * sends now when nothing waits, else queues a clone taken now, so that transfer and
     * DataCloneError happen at the call as natively.
     */
    const send = (rec: WorkerRecord, target: Worker | MessagePort, original: (...a: any[]) => void, args: unknown[]): unknown => {
      const transfer = transferOf(args);
      const tracks = tracksIn(transfer);
      const direct = rec.queue.length === 0 && (target !== rec.w || rec.state === 1);
      if (!tracks.length && (direct || (!transfer && args[1] != null))) {
        if (transfer) notePorts(rec, transfer);
        return apply(original, target, args);
      }
      if (tracks.length && (!enabled() || rec.shim === 3)) return apply(original, target, args);
      const list = (transfer ?? []) as Transferable[];
      if (tracks.length && !chunk) {
        check(tracks);
        const sources = new NativeMap<MediaStreamTrack, MediaStreamTrack>();
        for (let i = 0; i < tracks.length; i++) apply(mapSet, sources, [tracks[i], natives.detach(tracks[i]!)]);
        push(rec.queue, [target, args[0], list, sources]);
      } else {
        let [message, sendList, commit] = [args[0], list, null as (() => void) | null];
        if (tracks.length) [message, sendList, commit] = chunk!.envelope(message, list, null, rec);
        if (direct && (!tracks.length || rec.shim === 2)) {
          apply(original, target, [message, sendList]);
        } else {
          const copy = apply(cloneFn, W, [{ m: message, t: sendList }, { transfer: sendList }]) as { m: unknown; t: Transferable[] };
          push(rec.queue, [target, copy.m, copy.t]);
        }
        if (commit) commit();
      }
      notePorts(rec, list);
      if (tracks.length) needShim(rec);
      return undefined;
    };
    const notePorts = (rec: WorkerRecord, list: unknown[]): void => {
      for (let i = 0; i < list.length; i++) {
        const other = partner.get(list[i] as MessagePort);
        if (other) portsTo.set(other, rec);
      }
    };

    patch<Worker['postMessage']>(Worker.prototype, 'postMessage', (original, self, args) => {
      const rec = records.get(self as Worker);
      if (!rec) return apply(original, self, args);
      if (rec.state === 2) return apply(original, rec.fallback, args);
      return send(rec, self as Worker, original, args) as void;
    });

    patch<MessagePort['postMessage']>(MessagePort.prototype, 'postMessage', (original, self, args) => {
      const port = self as MessagePort;
      const rec = portsTo.get(port);
      if (rec && rec.state !== 2) return send(rec, port, original, args) as void;
      const transfer = shared.has(port) && enabled() ? transferOf(args) : null;
      if (transfer) {
        // Tracks towards a shared worker: transferred here, undeliverable there (messageerror), as
        // specified. A wasm module is what a shared worker's agent cluster cannot receive.
        const tracks = tracksIn(transfer);
        if (tracks.length) {
          let mod: unknown;
          try { mod = new WebAssembly.Module(new Uint8Array(EMPTY_WASM)); } catch { return apply(original, self, args); }
          check(tracks);
          apply(original, self, [mod, []]);
          for (let i = 0; i < tracks.length; i++) apply(stopTrack, natives.detach(tracks[i]!), []);
          return;
        }
      }
      return apply(original, self, args);
    });

    const shared = new SafeWeakSet();
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
