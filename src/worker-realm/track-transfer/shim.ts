// MediaGate's code inside a page's dedicated worker, sent there by the page
// (src/injected/track-transfer/chunk) the first time the page transfers a track to it; bundled as text
// by ./index.ts. Neither browser has MediaStreamTrack, MediaStreamTrackProcessor or VideoTrackGenerator
// in workers: this provides them for transferred tracks. Each track's source stays in the page; the
// worker's object talks to it through the track's control port (shared/track-transfer).
import {
  ENVELOPE,
  STAND_IN,
  WORKER_HOOKS,
  isObject,
  swapIn,
  standInIndex,
  type Envelope,
  type ToOwner,
  type ToRemote,
  type WireTrack,
} from '../../shared/track-transfer';

interface Hooks {
  wrap(owner: unknown, key: PropertyKey, kind: 'value' | 'get', handler: ProxyHandler<any>): void;
  masks: WeakMap<object, unknown>;
  /** Set by the shim: the name of the Web Lock it holds for the worker's life, once held. */
  alive?: Promise<string>;
}
const S = self as any;
const hooks = S[WORKER_HOOKS] as Hooks | undefined;
if (hooks && typeof S.MediaStreamTrack !== 'function') install(hooks);

function install(hooks: Hooks): void {
  const { wrap, masks } = hooks;
  const R = Reflect;
  const O = Object;
  // A Web Lock held for the worker's life tells the page when the worker has ended, however it ends
  // (terminate(), self.close(), garbage collection): the page then stops the sources only this worker
  // held. Announced once held, so the page's request always queues behind it.
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (locks)
    hooks.alive = new Promise<string>((resolve, reject) => {
      const name = `mediagate-worker:${crypto.randomUUID()}`;
      locks
        .request(name, () => {
          resolve(name);
          return new Promise<void>(() => undefined);
        })
        .catch(reject);
    });
  /** Functions of this shim print as native ones do (toString is masked by the bootstrap). */
  const native = <T extends object>(fn: T, name: string): T => {
    masks.set(fn, ({ [name]: () => undefined } as Record<string, () => void>)[name]!.bind(null));
    return fn;
  };
  const illegal = (name: string) =>
    native(function () {
      throw new TypeError('Illegal constructor');
    }, name);

  interface State extends Omit<WireTrack, 'port'> {
    port: MessagePort | null;
    /** Generator-made tracks: the generator they belong to. */
    gen: Generator | null;
    ended: boolean;
    handlers: Record<string, ((e: Event) => unknown) | null>;
  }
  const states = new WeakMap<object, State>();
  const stateOf = (t: unknown): State => {
    const s = states.get(t as object);
    if (!s) throw new TypeError('Illegal invocation');
    return s;
  };
  let seq = 0;
  const pending = new Map<number, (m: ToRemote) => void>();

  // ---- MediaStreamTrack ------------------------------------------------------------------------
  const Track = illegal('MediaStreamTrack') as unknown as { prototype: EventTarget };
  O.setPrototypeOf(Track, EventTarget);
  Track.prototype = O.create(EventTarget.prototype, {
    constructor: { value: Track, writable: true, configurable: true },
  });
  const proto = Track.prototype as any;
  const getter = (key: string, get: (s: State) => unknown, set?: (s: State, v: unknown) => void): void => {
    O.defineProperty(proto, key, {
      get: native(function (this: unknown) {
        return get(stateOf(this));
      }, `get ${key}`),
      set:
        set &&
        native(function (this: unknown, v: unknown) {
          set(stateOf(this), v);
        }, `set ${key}`),
      enumerable: true,
      configurable: true,
    });
  };
  const method = (key: string, fn: (this: unknown, ...a: any[]) => unknown): void => {
    O.defineProperty(proto, key, { value: native(fn, key), writable: true, enumerable: true, configurable: true });
  };
  getter('kind', (s) => s.kind);
  getter('id', (s) => s.id);
  getter('label', (s) => s.label);
  getter(
    'enabled',
    (s) => s.enabled,
    (s, v) => {
      s.enabled = !!v;
      send(s, { t: 'enabled', v: s.enabled });
    },
  );
  getter('muted', (s) => s.muted);
  getter('readyState', (s) => (s.ended ? 'ended' : s.readyState));
  getter(
    'contentHint',
    (s) => s.contentHint,
    (s, v) => {
      s.contentHint = `${v}`;
    },
  );
  for (const type of ['ended', 'mute', 'unmute', 'configurationchange']) {
    getter(
      `on${type}`,
      (s) => s.handlers[type] ?? null,
      (s, v) => {
        s.handlers[type] = typeof v === 'function' ? (v as () => unknown) : null;
      },
    );
  }
  method('getSettings', function () {
    return structuredClone(stateOf(this).settings);
  });
  method('getConstraints', function () {
    return structuredClone(stateOf(this).constraints);
  });
  method('getCapabilities', function () {
    return structuredClone(stateOf(this).capabilities);
  });
  method('applyConstraints', function (c?: unknown) {
    let s: State;
    try {
      s = stateOf(this);
    } catch (e) {
      return Promise.reject(e);
    }
    if (s.ended || !s.port) return Promise.resolve();
    const id = ++seq;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, (m) => {
        if (m.t !== 'applied') return;
        if (!m.error) {
          resolve();
          return;
        }
        const err = new DOMException(m.error.message, m.error.name) as DOMException & { constraint?: string };
        if (m.error.constraint !== undefined)
          O.defineProperty(err, 'constraint', { value: m.error.constraint, enumerable: true });
        reject(err);
      });
      try {
        s.port!.postMessage({ t: 'apply', id, c: c ?? {} } satisfies ToOwner);
      } catch (e) {
        pending.delete(id);
        reject(e);
      }
    });
  });
  method('stop', function () {
    const s = stateOf(this);
    if (s.ended) return;
    s.ended = true;
    if (s.gen) s.gen.tracks.delete(this as object);
    else send(s, { t: 'stop' });
  });
  method('clone', function () {
    const s = stateOf(this);
    const id = crypto.randomUUID();
    if (s.gen) return make({ ...s, id, key: id, port: null }, s.gen);
    if (s.ended || !s.port) return make({ ...s, id, port: null, ended: true }, null);
    const ch = new MessageChannel();
    s.port.postMessage({ t: 'clone', port: ch.port2, id } satisfies ToOwner, [ch.port2]);
    return make({ ...s, id, key: id, port: ch.port1 }, null);
  });

  const send = (s: State, m: ToOwner): void => {
    if (s.port && !s.ended) s.port.postMessage(m);
  };
  /** A track the worker's code no longer reaches: its source in the page stops (unless other tracks use it). */
  const dropped = new FinalizationRegistry<State>((s) => {
    send(s, { t: 'stop' });
    s.ended = true;
  });
  // Each track's listeners live on a hidden EventTarget: a track made from a real one would be a DOM
  // object, which Firefox collects only in a cycle collection a worker may not run for minutes, and a
  // track the worker dropped must be collected for its source to be released.
  const targets = new WeakMap<object, EventTarget>();
  const ET = EventTarget.prototype;
  const targetOf = (t: unknown): EventTarget => {
    stateOf(t);
    return targets.get(t as object)!;
  };
  const as = (ev: Event, t: object): Event => {
    for (const key of ['target', 'currentTarget', 'srcElement'])
      O.defineProperty(ev, key, { get: () => t, configurable: true });
    return ev;
  };
  // Declared parameters: the methods' lengths are the browser's (2).
  method('addEventListener', function (_type: unknown, _listener: unknown) {
    // eslint-disable-next-line prefer-rest-params
    return R.apply(ET.addEventListener, targetOf(this), arguments);
  });
  method('removeEventListener', function (_type: unknown, _listener: unknown) {
    // eslint-disable-next-line prefer-rest-params
    return R.apply(ET.removeEventListener, targetOf(this), arguments);
  });
  method('dispatchEvent', function (ev: unknown) {
    return R.apply(ET.dispatchEvent, targetOf(this), [ev instanceof Event ? as(ev, this as object) : ev]);
  });
  const fire = (t: object, type: string): void => {
    const ev = as(new Event(type), t);
    const h = stateOf(t).handlers[type];
    if (h)
      try {
        R.apply(h, t, [ev]);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    R.apply(ET.dispatchEvent, targets.get(t)!, [ev]);
  };

  function make(
    from: Omit<State, 'gen' | 'handlers' | 'ended'> & { ended?: boolean },
    gen: Generator | null,
  ): EventTarget {
    const t = O.create(proto) as EventTarget;
    const s: State = { ...from, gen, ended: !!from.ended, handlers: {} };
    states.set(t, s);
    targets.set(t, new EventTarget());
    if (gen) gen.tracks.add(t);
    if (s.port) {
      // The port lives as long as the page's end: it must not keep the track alive, so that a track
      // the worker's code dropped is collected and its source released, as the browser does.
      const ref = new WeakRef(t);
      dropped.register(t, s);
      s.port.onmessage = (e) => {
        const m = e.data as ToRemote;
        if (m.t === 'state') {
          O.assign(s, m.s);
          const live = ref.deref();
          if (m.event && !s.ended && live) {
            if (m.event === 'ended') s.ended = true;
            fire(live, m.event);
          }
        } else {
          pending.get((m as { id: number }).id)?.(m);
          if (m.t === 'applied') pending.delete(m.id);
        }
      };
    }
    return t;
  }

  // ---- MediaStreamTrackProcessor ---------------------------------------------------------------
  const Processor = native(function MediaStreamTrackProcessor(
    this: unknown,
    init: { track?: unknown; maxBufferSize?: number },
  ) {
    if (!new.target)
      throw new TypeError("Failed to construct 'MediaStreamTrackProcessor': Please use the 'new' operator");
    const track = init && init.track;
    const s = states.get(track as object);
    if (!s)
      throw new TypeError(
        "Failed to construct 'MediaStreamTrackProcessor': Failed to read the 'track' property: Required member is undefined.",
      );
    if (s.ended) throw new TypeError("Failed to construct 'MediaStreamTrackProcessor': Input track cannot be ended");
    const max = Math.max(1, Number(init.maxBufferSize) || 1);
    const id = ++seq;
    const queue: (VideoFrame | AudioData)[] = [];
    let inner: ReadableStreamDefaultReader<VideoFrame | AudioData> | null = null;
    let waiting: (() => void) | null = null;
    let failed: Error | null = null;
    let closed = false;
    const wake = (): void => {
      const w = waiting;
      waiting = null;
      w?.();
    };
    const trackEnded = (): void => {
      if (!s.ended) {
        s.ended = true;
        fire(track as object, 'ended');
      }
    };
    pending.set(id, (m) => {
      if (m.t === 'readable') {
        inner = m.readable.getReader();
        wake();
      } else if (m.t === 'frame') {
        queue.push(m.frame);
        while (queue.length > max) queue.shift()!.close();
        wake();
      } else if (m.t === 'framesError') {
        failed = new DOMException(m.message, m.name);
        wake();
      }
    });
    const readable = new ReadableStream<VideoFrame | AudioData>(
      {
        start() {
          send(s, { t: 'frames', id });
        },
        async pull(c) {
          for (;;) {
            if (failed) {
              c.error(failed);
              return;
            }
            if (queue.length) {
              c.enqueue(queue.shift()!);
              return;
            }
            if (inner) {
              // The source's end (stopped, or its document gone) ends the page's processor stream.
              const r = await inner.read().catch(() => ({ done: true as const, value: undefined }));
              if (r.done) {
                closed = true;
                c.close();
                trackEnded();
                return;
              }
              c.enqueue(r.value);
              return;
            }
            if (s.ended || closed) {
              c.close();
              return;
            }
            await new Promise<void>((resolve) => {
              waiting = resolve;
            });
          }
        },
        cancel() {
          closed = true;
          pending.delete(id);
          send(s, { t: 'cancel', id });
          inner?.cancel().catch(() => undefined);
          for (const f of queue.splice(0)) f.close();
        },
      },
      { highWaterMark: 0 },
    );
    O.defineProperty(this, 'readable', { value: readable, enumerable: true });
  }, 'MediaStreamTrackProcessor');

  // ---- VideoTrackGenerator ---------------------------------------------------------------------
  interface Generator {
    tracks: Set<object>;
    sinks: MessagePort[];
    muted: boolean;
  }
  const gens = new WeakMap<object, Generator>();
  const VideoTrackGenerator = native(function VideoTrackGenerator(this: object) {
    if (!new.target) throw new TypeError("Failed to construct 'VideoTrackGenerator': Please use the 'new' operator");
    const gen: Generator = { tracks: new Set(), sinks: [], muted: false };
    gens.set(this, gen);
    const track = make(
      {
        id: crypto.randomUUID(),
        kind: 'video',
        label: '',
        enabled: true,
        muted: false,
        readyState: 'live',
        contentHint: '',
        settings: {},
        constraints: {},
        capabilities: {},
        port: null,
        origin: 'generator',
        key: '',
      },
      gen,
    );
    const writable = new WritableStream<VideoFrame>({
      write(frame) {
        if (!(frame instanceof VideoFrame)) throw new TypeError('A VideoFrame is required');
        const sinks = gen.sinks;
        if (gen.muted || sinks.length === 0) {
          frame.close();
          return;
        }
        for (let i = 0; i < sinks.length; i++) {
          const f = i === sinks.length - 1 ? frame : frame.clone();
          sinks[i]!.postMessage({ t: 'frame', frame: f }, [f]);
        }
      },
    });
    O.defineProperty(this, 'writable', { value: writable, enumerable: true });
    O.defineProperty(this, 'track', { value: track, enumerable: true });
  }, 'VideoTrackGenerator');
  O.defineProperty(VideoTrackGenerator.prototype, 'muted', {
    get: native(function (this: object) {
      return gens.get(this)?.muted ?? false;
    }, 'get muted'),
    set: native(function (this: object, v: unknown) {
      const g = gens.get(this);
      if (!g) return;
      g.muted = !!v;
      for (const p of g.sinks) p.postMessage({ t: 'muted', v: g.muted });
    }, 'set muted'),
    enumerable: true,
    configurable: true,
  });

  for (const [name, value] of [
    ['MediaStreamTrack', Track],
    ['MediaStreamTrackProcessor', Processor],
    ['VideoTrackGenerator', VideoTrackGenerator],
  ] as const) {
    if (typeof S[name] !== 'function') O.defineProperty(S, name, { value, writable: true, configurable: true });
  }

  // ---- messages: stand-ins in, tracks out ------------------------------------------------------
  const dataGet = O.getOwnPropertyDescriptor(MessageEvent.prototype, 'data')!.get!;
  const portsGet = O.getOwnPropertyDescriptor(MessageEvent.prototype, 'ports')!.get!;
  const revived = new WeakMap<object, { data: unknown; ports: readonly MessagePort[] }>();
  const open = (e: MessageEvent): { data: unknown; ports: readonly MessagePort[] } | null => {
    const cached = revived.get(e);
    if (cached) return cached;
    const d = R.apply(dataGet, e, []) as Envelope;
    if (!isObject(d) || d[ENVELOPE] !== 1 || !Array.isArray(d.tracks)) return null;
    const tracks = d.tracks.map((w) => make({ ...w }, null));
    const mine = new Set(d.tracks.map((w) => w.port));
    const data = swapIn(d.data, (x) => {
      const i = standInIndex(x);
      return i === undefined ? undefined : tracks[i];
    });
    const ports = O.freeze((R.apply(portsGet, e, []) as MessagePort[]).filter((p) => !mine.has(p)));
    const r = { data, ports };
    revived.set(e, r);
    return r;
  };
  // Tracks in a message nobody reads (no handler, or the worker's script threw before it set one) are
  // made anyway, so that they can be collected and release their sources.
  S.addEventListener('message', (e: MessageEvent) => {
    try {
      open(e);
    } catch {
      /* not MediaGate's */
    }
  });
  wrap(MessageEvent.prototype, 'data', 'get', {
    apply: (t, th, a) => {
      try {
        const r = open(th);
        if (r) return r.data;
      } catch {
        /* native */
      }
      return R.apply(t, th, a);
    },
  });
  wrap(MessageEvent.prototype, 'ports', 'get', {
    apply: (t, th, a) => {
      try {
        const r = open(th);
        if (r) return r.ports;
      } catch {
        /* native */
      }
      return R.apply(t, th, a);
    },
  });

  /** postMessage with this shim's tracks in the transfer list: the page receives them (src/injected/track-transfer/chunk). */
  const outgoing = {
    apply(t: (...a: any[]) => unknown, th: unknown, a: any[]) {
      const list = Array.isArray(a[1]) ? a[1] : a[1] && Array.isArray(a[1].transfer) ? a[1].transfer : null;
      if (!list || !list.some((x: unknown) => states.has(x as object))) return R.apply(t, th, a);
      const wire: WireTrack[] = [];
      const index = new Map<object, number>();
      const rest: Transferable[] = [];
      const commits: (() => void)[] = [];
      for (const x of list) {
        const s = states.get(x);
        if (!s) {
          rest.push(x);
          continue;
        }
        if (s.ended || index.has(x))
          throw new DOMException(
            'A MediaStreamTrack could not be cloned because it was detached or listed twice.',
            'DataCloneError',
          );
        index.set(x, wire.length);
        let port: MessagePort;
        if (s.gen) {
          const ch = new MessageChannel();
          port = ch.port2;
          const gen = s.gen;
          commits.push(() => {
            gen.sinks.push(ch.port1);
            gen.tracks.delete(x);
          });
        } else {
          port = s.port!;
          commits.push(() => {
            s.port = null;
          });
        }
        const { gen: _g, handlers: _h, ended: _e, ...w } = s;
        wire.push({ ...w, port, origin: s.gen ? 'generator' : 'page' });
        rest.push(port);
        commits.push(() => {
          s.ended = true;
        });
      }
      const data = swapIn(a[0], (x) => (index.has(x) ? { [STAND_IN]: index.get(x) } : undefined));
      R.apply(t, th, [{ [ENVELOPE]: 1, data, tracks: wire } satisfies Envelope, rest]);
      for (const c of commits) c();
      return undefined;
    },
  };
  // Operations of a [Global] interface live on the global itself (wrap() looks up the chain).
  wrap(S, 'postMessage', 'value', outgoing);
  wrap(MessagePort.prototype, 'postMessage', 'value', outgoing);
}
