/** Set by build.mjs for each browser's bundle. */
declare const __BROWSER__: 'chromium' | 'firefox';
/** Set by build.mjs per build: the event name lazily loaded chunks announce themselves with. */
declare const __CHUNK_EVENT__: string;
/** The completion value of every chunk script (build.mjs): the background checks the chunk ran to its end. */
declare const __CHUNK_DONE__: string;

/** build.mjs: the text of a bundled AudioWorklet module (loaded from a Blob URL in the page). */
declare module 'worklet-text:*' {
  const source: string;
  export default source;
}

/** build.mjs: a source file bundled and minified on its own, as text (code the page runs in its workers). */
declare module 'script-text:*' {
  const source: string;
  export default source;
}
