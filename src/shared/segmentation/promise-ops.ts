// How the segmentation code chains promises. In MediaGate's own pages the globals do; in the page's
// main world (the blur chunk), the page may have replaced Promise.prototype.then by then, and would
// receive the callbacks: the chunk passes the core's captured built-ins (and `inert`, which keeps
// what a promise resolves with from a page getter on Object.prototype.then).
export interface PromiseOps {
  then<T, U>(p: Promise<T>, ok: (v: T) => U | PromiseLike<U>, err?: (e: unknown) => U | PromiseLike<U>): Promise<U>;
  newPromise<T>(executor: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T>;
  inert<T extends object>(o: T): T;
}

/** The globals, read when called (MediaGate's own pages, and tests). */
export const globalPromiseOps = (): PromiseOps => ({
  then: (p, ok, err) => p.then(ok, err),
  newPromise: (executor) => new Promise(executor),
  inert: (o) => o,
});
