// Track transfer's code for the page's dedicated workers, as the text the page sends there: the one
// place this realm's code becomes text. Nothing here runs in an extension world. The content script
// offers the bootstrap's text to the main world (src/content/index.ts), the main world's transfer chunk
// carries the shim's (src/injected/track-transfer/chunk).
import { workerBootstrap } from './bootstrap';

const functionText = (fn: (...a: never[]) => void): string => `(${fn})`;

/**
 * The bootstrap as a function expression, serialised at import (Function.prototype.toString of the
 * bundled, minified function): the core appends the call with the worker's arguments. Pure, so a
 * bundle that takes only the shim leaves it out.
 */
export const WORKER_BOOTSTRAP_SOURCE = /* @__PURE__ */ functionText(workerBootstrap);

/** The shim, bundled and minified on its own at build time (build.mjs, `script-text:`): a classic script. */
export { default as WORKER_SHIM_SOURCE } from 'script-text:src/worker-realm/track-transfer/shim.ts';
