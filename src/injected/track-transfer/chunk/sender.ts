// Page -> worker: postMessage towards a wrapped worker once the chunk is here (the core queues before),
// the queue's order, the worker's shim, and the browser's own worker where the wrapper cannot load.
import type { TransferChunk, TransferNatives, WorkerRecord } from '../index';
import type { Envelope } from '../../../shared/track-transfer';
import { ShimState, WorkerState } from '../states';

const R = Reflect;
const EMPTY_WASM = [0, 97, 115, 109, 1, 0, 0, 0];

type MakeEnvelope = (
  message: unknown,
  transfer: unknown[],
  sources: Map<MediaStreamTrack, MediaStreamTrack> | null,
  rec: WorkerRecord,
) => [Envelope, Transferable[], () => void];

export function sender(
  n: TransferNatives & { stop: MediaStreamTrack['stop'] },
  shim: string,
  envelope: MakeEnvelope,
  release: (rec: WorkerRecord) => void,
  dataOf: (e: Event) => unknown,
  portsOf: (e: Event) => readonly MessagePort[],
): TransferChunk {
  const post = (rec: WorkerRecord, target: Worker | MessagePort, m: unknown, t: Transferable[]): void => {
    if (target === rec.w) R.apply(n.workerPost, rec.state === WorkerState.Fallback ? rec.fallback : rec.w, [m, t]);
    else R.apply(n.portPost, target, [m, t]);
  };

  /** Tracks towards a shared worker's port: transferred here, undeliverable there (messageerror, as specified). */
  const toShared = (
    target: MessagePort,
    original: (...a: any[]) => void,
    args: unknown[],
    sources: Map<MediaStreamTrack, MediaStreamTrack> | null,
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
    R.apply(original, target, [mod, []]);
    for (const t of sources ? sources.values() : n.tracksIn(n.transferOf(args)).map(n.detach)) R.apply(n.stop, t, []);
  };

  const fallback = (rec: WorkerRecord): void => {
    // The page's CSP refused the blob: wrapper: the browser's own worker runs the page's script, and
    // its events reach the object the page holds.
    revoke(rec);
    const fb = R.construct(n.Worker, rec.args, rec.newTarget as typeof Worker) as Worker;
    rec.fallback = fb;
    const relay = (ev: Event): void => {
      const copy =
        ev.type === 'error'
          ? new Event('error', { cancelable: true })
          : new MessageEvent(ev.type, { data: dataOf(ev), ports: portsOf(ev) as MessagePort[] });
      rec.w!.dispatchEvent(copy);
    };
    for (const type of ['message', 'messageerror', 'error']) fb.addEventListener(type, relay);
  };

  const revoke = (rec: WorkerRecord): void => {
    for (const u of rec.urls.splice(0)) URL.revokeObjectURL(u);
  };
  const flush = (rec: WorkerRecord): void => {
    if (rec.state === WorkerState.Ready) revoke(rec);
    if (rec.state === WorkerState.Fallback && !rec.fallback && rec.w) fallback(rec);
    if (!rec.w && rec.queue.length) {
      const [target, m, , sources] = rec.queue.shift()!;
      toShared(target as MessagePort, n.portPost, [m], sources ?? null);
      return flush(rec);
    }
    // Tracks wait for the shim; everything waits for the bootstrap.
    if (rec.state === WorkerState.Starting || rec.shim === ShimState.Sent) return;
    if (rec.shim === ShimState.NotSent && rec.state === WorkerState.Ready && rec.queue.some((q) => q[3])) {
      needShim(rec);
      return;
    }
    const q = rec.queue;
    rec.queue = [];
    for (let [target, m, t, sources] of q) {
      if (sources) {
        // Tracks for a worker that cannot read them (no shim, or the browser's own worker): lost, as a
        // native DataCloneError would have lost the message; it was sent before MediaGate could know.
        if (rec.state === WorkerState.Fallback || rec.shim === ShimState.Failed) {
          for (const s of sources.values()) R.apply(n.stop, s, []);
          continue;
        }
        let commit: () => void;
        try {
          [m, t, commit] = envelope(m, t, sources, rec);
        } catch {
          continue;
        }
        commit();
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
    R.apply(n.portPost, rec.port, [{ shim: shimURL }]);
  };

  const send: TransferChunk['send'] = (rec, target, original, args) => {
    const transfer = n.transferOf(args);
    const tracks = n.tracksIn(transfer);
    if (!rec.w) {
      toShared(target as MessagePort, original, args, null);
      return;
    }
    if (rec.state === WorkerState.Fallback && target === rec.w) {
      R.apply(original, rec.fallback, args);
      return;
    }
    const direct = rec.queue.length === 0 && (target !== rec.w || rec.state === WorkerState.Ready);
    if (!tracks.length && (direct || (!transfer && args[1] != null))) {
      if (transfer) n.notePorts(rec, transfer);
      R.apply(original, target, args);
      return;
    }
    if (tracks.length && rec.shim === ShimState.Failed) {
      R.apply(original, target, args);
      return;
    }
    const list = (transfer ?? []) as Transferable[];
    let [message, sendList, commit] = [args[0], list, null as (() => void) | null];
    if (tracks.length) [message, sendList, commit] = envelope(message, list, null, rec);
    if (direct && (!tracks.length || rec.shim === ShimState.Running)) {
      R.apply(original, target, [message, sendList]);
    } else {
      // Cloned now, so that transfer and DataCloneError happen at the call, as natively.
      const copy = structuredClone({ m: message, t: sendList }, { transfer: sendList });
      rec.queue.push([target, copy.m, copy.t]);
    }
    if (commit) commit();
    n.notePorts(rec, list);
    if (tracks.length) needShim(rec);
  };

  return { send, flush, release };
}
