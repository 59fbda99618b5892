// Page -> worker: postMessage towards a wrapped worker once the chunk is here (the core queues before),
// the queue's order, the worker's shim, and the browser's own worker where the wrapper cannot load.
import type { TransferChunk, TransferNatives, WorkerRecord } from '../index';
import type { Envelope } from '../../../shared/track-transfer';
import { ShimState, WorkerState } from '../states';
import { addListener, apply, construct, push, some } from '../../chunk-natives';
import { sourceList, type Sources } from './sources';

const EMPTY_WASM = [0, 97, 115, 109, 1, 0, 0, 0];

/** A message with tracks made ready to send: the envelope, its transfer list, and the step that serves the tracks' ports. */
export interface Envelope3 {
  env: Envelope;
  list: Transferable[];
  commit: () => void;
}
type MakeEnvelope = (message: unknown, transfer: unknown[], sources: Sources | null, rec: WorkerRecord) => Envelope3;

export function sender(
  n: TransferNatives & { stop: MediaStreamTrack['stop'] },
  shim: string,
  envelope: MakeEnvelope,
  release: (rec: WorkerRecord) => void,
  dataOf: (e: Event) => unknown,
  portsOf: (e: Event) => readonly MessagePort[],
): TransferChunk {
  const post = (rec: WorkerRecord, target: Worker | MessagePort, m: unknown, t: Transferable[]): void => {
    if (target === rec.w) apply(n.workerPost, rec.state === WorkerState.Fallback ? rec.fallback : rec.w, [m, t]);
    else apply(n.portPost, target, [m, t]);
  };

  /** Tracks towards a shared worker's port: transferred here, undeliverable there (messageerror, as specified). */
  const toShared = (
    target: MessagePort,
    original: (...a: any[]) => void,
    args: unknown[],
    sources: Sources | null,
  ): void => {
    // A wasm module is what a shared worker's agent cluster cannot receive; without wasm (CSP) the
    // browser's own DataCloneError.
    let mod: WebAssembly.Module;
    try {
      mod = new WebAssembly.Module(new Uint8Array(EMPTY_WASM));
    } catch (e) {
      if (sources) return;
      throw e;
    }
    if (!sources) n.check(n.tracksIn(n.transferOf(args)));
    apply(original, target, [mod, []]);
    if (sources) {
      const list = sourceList(sources);
      for (let i = 0; i < list.length; i++) apply(n.stop, list[i]!, []);
    } else {
      const tracks = n.tracksIn(n.transferOf(args));
      for (let i = 0; i < tracks.length; i++) apply(n.stop, n.detach(tracks[i]!), []);
    }
  };

  const fallback = (rec: WorkerRecord): void => {
    // The page's CSP refused the blob: wrapper: the browser's own worker runs the page's script, and
    // its events reach the object the page holds.
    revoke(rec);
    const fb = construct(n.Worker, rec.args, rec.newTarget as typeof Worker) as Worker;
    rec.fallback = fb;
    const relay = (ev: Event): void => {
      const copy =
        ev.type === 'error'
          ? new Event('error', { cancelable: true })
          : new MessageEvent(ev.type, { data: dataOf(ev), ports: portsOf(ev) as MessagePort[] });
      rec.w!.dispatchEvent(copy);
    };
    const types = ['message', 'messageerror', 'error'];
    for (let i = 0; i < types.length; i++) addListener(fb, types[i]!, relay);
  };

  const revoke = (rec: WorkerRecord): void => {
    const urls = rec.urls;
    rec.urls = [];
    for (let i = 0; i < urls.length; i++) URL.revokeObjectURL(urls[i]!);
  };
  const flush = (rec: WorkerRecord): void => {
    if (rec.state === WorkerState.Ready) revoke(rec);
    if (rec.state === WorkerState.Fallback && !rec.fallback && rec.w) fallback(rec);
    if (!rec.w && rec.queue.length) {
      // shift(), by hand: the queue is the core's array.
      const q = rec.queue;
      const first = q[0]!;
      for (let i = 0; i < q.length - 1; i++) q[i] = q[i + 1]!;
      q.length--;
      toShared(first[0] as MessagePort, n.portPost, [first[1]], first[3] ?? null);
      return flush(rec);
    }
    // Tracks wait for the shim; everything waits for the bootstrap.
    if (rec.state === WorkerState.Starting || rec.shim === ShimState.Sent) return;
    if (rec.shim === ShimState.NotSent && rec.state === WorkerState.Ready && some(rec.queue, (q) => !!q[3])) {
      needShim(rec);
      return;
    }
    const q = rec.queue;
    rec.queue = [];
    for (let i = 0; i < q.length; i++) {
      const target = q[i]![0];
      let m = q[i]![1];
      let t = q[i]![2];
      const sources = q[i]![3];
      if (sources) {
        // Tracks for a worker that cannot read them (no shim, or the browser's own worker): lost, as a
        // native DataCloneError would have lost the message; it was sent before MediaGate could know.
        if (rec.state === WorkerState.Fallback || rec.shim === ShimState.Failed) {
          const list = sourceList(sources);
          for (let j = 0; j < list.length; j++) apply(n.stop, list[j]!, []);
          continue;
        }
        let made: Envelope3;
        try {
          made = envelope(m, t, sources, rec);
        } catch {
          continue;
        }
        m = made.env;
        t = made.list;
        made.commit();
      }
      try {
        post(rec, target, m, t);
      } catch {
        /* cannot be cloned: it would have thrown at the call */
      }
    }
  };

  let shimURL = '';
  const needShim = (rec: WorkerRecord): void => {
    if (rec.shim !== ShimState.NotSent) return;
    rec.shim = ShimState.Sent;
    // One blob: URL for every worker of the page, kept for the page's lifetime (workers may come later).
    shimURL ||= URL.createObjectURL(new Blob([shim], { type: 'text/javascript' }));
    apply(n.portPost, rec.port, [{ shim: shimURL }]);
  };

  const send: TransferChunk['send'] = (rec, target, original, args) => {
    const transfer = n.transferOf(args);
    const tracks = n.tracksIn(transfer);
    if (!rec.w) {
      toShared(target as MessagePort, original, args, null);
      return;
    }
    if (rec.state === WorkerState.Fallback && target === rec.w) {
      apply(original, rec.fallback, args);
      return;
    }
    const direct = rec.queue.length === 0 && (target !== rec.w || rec.state === WorkerState.Ready);
    if (!tracks.length && (direct || (!transfer && args[1] != null))) {
      if (transfer) n.notePorts(rec, transfer);
      apply(original, target, args);
      return;
    }
    if (tracks.length && rec.shim === ShimState.Failed) {
      apply(original, target, args);
      return;
    }
    const list = (transfer ?? []) as Transferable[];
    let message = args[0];
    let sendList = list;
    let commit: (() => void) | null = null;
    if (tracks.length) {
      const made = envelope(message, list, null, rec);
      message = made.env;
      sendList = made.list;
      commit = made.commit;
    }
    if (direct && (!tracks.length || rec.shim === ShimState.Running)) {
      apply(original, target, [message, sendList]);
    } else {
      // Cloned now, so that transfer and DataCloneError happen at the call, as natively.
      const copy = structuredClone({ m: message, t: sendList }, { transfer: sendList });
      push(rec.queue, [target, copy.m, copy.t]);
    }
    if (commit) commit();
    n.notePorts(rec, list);
    if (tracks.length) needShim(rec);
  };

  return { send, flush, release };
}
