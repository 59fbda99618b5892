// The two state machines of a wrapped worker's record (WorkerRecord in ./index.ts), shared by the core
// and the chunk. `const enum`: esbuild inlines the numbers into both bundles, so this module adds no
// code to either (it must stay free of anything else: the chunk imports it).

/** How the page's worker started. */
export const enum WorkerState {
  /** The wrapper is loading: messages wait for the bootstrap. */
  Starting = 0,
  /** The bootstrap answered (a shared worker's port counts as answered at once). */
  Ready = 1,
  /** The wrapper failed to load (the page's CSP refuses blob: workers): `fallback` is the page's worker. */
  Fallback = 2,
}

/** MediaGate's shim in the worker (sent only once the page transfers a track there). */
export const enum ShimState {
  NotSent = 0,
  /** Sent, not yet reported: tracks wait. */
  Sent = 1,
  /** Running in the worker. */
  Running = 2,
  /** Could not be loaded: tracks for that worker are lost, as a native DataCloneError would lose them. */
  Failed = 3,
}
