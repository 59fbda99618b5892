// The first code of every dedicated worker a page creates while track transfer is on (see
// src/injected/track-transfer/index.ts). It is sent as source text (./index.ts makes it), so it must not
// use anything from outside the function.
//
// The page's script runs from a blob: URL wrapper, so this restores what the page's code expects of its
// worker: `self.location` reports the script's own URL, and relative URLs (importScripts, fetch, Request,
// XMLHttpRequest, nested workers, EventSource, WebSocket) resolve against it. It then waits for the
// control message, the only message the page sends before its own (the core queues them), answers it
// at once (the page's script has run by then: a worker gets messages only after its script), and loads
// MediaGate's worker shim when the page sends it.
export function workerBootstrap(abs: string, module: boolean, ctlKey: string, hooksKey: string): void {
  const S = self as any;
  const R = Reflect;
  const O = Object;
  const base = new URL(abs);
  const masks = new WeakMap<object, unknown>();
  const wrap = (owner: any, key: PropertyKey, kind: 'value' | 'get', handler: ProxyHandler<any>): void => {
    // Operations live on the global's prototypes (WorkerGlobalScope.prototype), interfaces on the global.
    while (owner && !O.hasOwn(owner, key)) owner = O.getPrototypeOf(owner);
    const d = owner && O.getOwnPropertyDescriptor(owner, key);
    if (!d || typeof d[kind] !== 'function') return;
    const p = new Proxy(d[kind], handler);
    masks.set(p, d[kind]);
    O.defineProperty(owner, key, { ...d, [kind]: p });
  };
  wrap(Function.prototype, 'toString', 'value', {
    apply: (t, th, a) => R.apply(t, masks.has(th) ? masks.get(th) : th, a),
  });
  const resolve = (u: unknown): unknown => {
    if (typeof u !== 'string') return u;
    try {
      return new URL(u, base).href;
    } catch {
      return u;
    }
  };
  const at = (i: number): ProxyHandler<any> => ({
    apply: (t, th, a) => {
      if (a.length > i) a[i] = resolve(a[i]);
      return R.apply(t, th, a);
    },
    construct: (t, a, nt) => {
      if (a.length > i) a[i] = resolve(a[i]);
      return R.construct(t, a, nt);
    },
  });
  wrap(S, 'importScripts', 'value', {
    apply: (t, th, a) => {
      for (let i = 0; i < a.length; i++) a[i] = resolve(a[i]);
      return R.apply(t, th, a);
    },
  });
  for (const name of ['fetch', 'Request', 'Worker', 'SharedWorker', 'EventSource', 'WebSocket'])
    wrap(S, name, 'value', at(0));
  wrap(S.XMLHttpRequest && S.XMLHttpRequest.prototype, 'open', 'value', at(1));
  const loc = S.location;
  const WL = S.WorkerLocation && S.WorkerLocation.prototype;
  for (const key of ['href', 'origin', 'protocol', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']) {
    wrap(WL, key, 'get', { apply: (t, th, a) => (th === loc ? (base as any)[key] : R.apply(t, th, a)) });
  }
  wrap(WL, 'toString', 'value', { apply: (t, th, a) => (th === loc ? base.href : R.apply(t, th, a)) });

  let port: MessagePort | null = null;
  // The shim comes as a blob: URL the page made (same origin as this worker).
  const install = (url: string): void => {
    const hooks: { wrap: typeof wrap; masks: typeof masks; base: URL; alive?: Promise<string> } = { wrap, masks, base };
    // The shim answers with the name of the Web Lock it holds for the worker's life, once held.
    const done = (ok: boolean): void => {
      delete S[hooksKey];
      if (!ok) port!.postMessage({ shim: false });
      else
        Promise.resolve(hooks.alive).then(
          (alive) => port!.postMessage({ shim: true, alive }),
          () => port!.postMessage({ shim: true }),
        );
    };
    S[hooksKey] = hooks;
    if (module)
      import(/* webpackIgnore: true */ url).then(
        () => done(true),
        () => done(false),
      );
    else
      try {
        S.importScripts(url);
        done(true);
      } catch {
        done(false);
      }
  };
  const first = (e: MessageEvent): void => {
    const d = e.data;
    if (d === null || typeof d !== 'object' || d[ctlKey] !== 1) return;
    e.stopImmediatePropagation();
    S.removeEventListener('message', first);
    port = e.ports[0]!;
    port.onmessage = (m) => {
      if (m.data && typeof m.data.shim === 'string') install(m.data.shim);
    };
    port.postMessage({ hello: 1 });
  };
  S.addEventListener('message', first);
}
