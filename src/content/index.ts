// ISOLATED world entry, document_start, every frame. A relay with no policy of its own: it takes the
// private port from the main world, forwards whitelisted requests to the background, forwards the
// background's pushes to the page, and hands the page its config snapshot (read straight from storage,
// so a page load never wakes the background).
import { ext as browser } from '../shared/ext';
import type { PageToBackgroundType, Response } from '../shared/protocol';
import { BRIDGE_HANDSHAKE } from '../shared/page-constants';
import { newNonce } from '../shared/handoff-ticket';
import { isWebOrigin } from '../shared/origin';
import { WORKER_BOOTSTRAP_EVENT } from '../shared/page-constants';
import { WORKER_BOOTSTRAP_SOURCE } from '../worker-realm/track-transfer';

// Loaded when first used (the bundle evaluates a dynamically imported module on the first call): a
// frame whose page never uses a camera runs none of their start-up during its load.
const protocol = () => import('../shared/protocol');
const storage = () => import('../shared/storage');
const proofOf = async (key: string, origin: string, nonce: string) =>
  (await import('../shared/handoff-proof')).handoffProof(key, origin, nonce);

let port: MessagePort | null = null;
/** This installation's handoff secret (src/shared/handoff-ticket.ts), read with the config or alone (ensureKey). */
let resolveKey: (key: string | null) => void = () => undefined;
const handoffKey = new Promise<string | null>((resolve) => {
  resolveKey = resolve;
});
/** When the main world's port arrived: a newer instance asks for its proof at once, or never. */
let handshakeAt = 0;
let proved = false;
const PROVE_WINDOW_MS = 10_000;
/** Whether this document's last call report had a call in it (answers the background's probe). */
let inCall = false;

function contextAlive(): boolean {
  try {
    return !!browser.runtime?.id;
  } catch {
    return false;
  }
}

function reply(id: number, response: Response<unknown>): void {
  port?.postMessage({ id, response });
}

function declareDead(): void {
  port?.postMessage({ push: 'bridge/dead', payload: null });
  port?.close();
  port = null;
}

/** What runtime messaging cannot carry (a port) is answered here, the port transferred in the reply. */
async function answerHere(id: number, type: unknown, payload: unknown): Promise<void> {
  const { parseContentRequest, serializeError } = await protocol();
  // Copied into this realm first, as runtime messaging copies what goes to the background: in Firefox
  // the port's data belongs to the page's compartment, whose Object.prototype is not this one.
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(payload) ?? 'null');
  } catch {
    copy = undefined;
  }
  const request = parseContentRequest(type, copy);
  if (!request) {
    reply(id, { ok: false, error: { name: 'TypeError', message: 'Malformed MediaGate request' } });
    return;
  }
  if (!contextAlive()) {
    declareDead();
    return;
  }
  listen();
  try {
    switch (request.type) {
      case 'effects/segmenter': {
        const segmenter = await (await import('./segmenter-frame')).segmenterPort();
        port?.postMessage({ id, response: { ok: true, result: segmenter } }, [segmenter]);
        return;
      }
      case 'config/now':
        await ensureConfig();
        reply(id, { ok: true, result: null });
        return;
      case 'handoff/prove': {
        // Once per document, right after the handshake: that is when a newer instance asks. Later a
        // page that got hold of the port (it should never) finds no proof to be had here.
        const late = proved || Date.now() - handshakeAt > PROVE_WINDOW_MS;
        proved = true;
        ensureKey();
        const key = late ? null : await handoffKey;
        if (!key || !isWebOrigin(self.origin)) {
          reply(id, { ok: false, error: { name: 'NotAllowedError', message: 'No handoff proof here' } });
          return;
        }
        reply(id, { ok: true, result: await proofOf(key, self.origin, request.payload.nonce) });
        return;
      }
    }
  } catch (e) {
    reply(id, { ok: false, error: serializeError(e) });
  }
}

/**
 * Whether the frame's Permissions-Policy (or the browser's own setting) refuses a kind this picker
 * request asks for. Such a frame gets no picker: the main world goes to the browser's own call, which
 * refuses it with NotAllowedError without a prompt, as it always does there. Asked here rather than in
 * the main world: this world's built-ins and promises are out of the page's reach, so a page cannot
 * answer the question for us.
 */
async function refusedByPolicy(payload: unknown): Promise<boolean> {
  let kinds: unknown;
  try {
    kinds = (payload as { kinds?: unknown } | null)?.kinds;
  } catch {
    return false;
  }
  if (kinds === null || typeof kinds !== 'object') return false;
  for (const [kind, name] of [
    ['audio', 'microphone'],
    ['video', 'camera'],
  ] as const) {
    try {
      if (!Object.hasOwn(kinds, kind)) continue;
      if ((await navigator.permissions.query({ name: name as PermissionName })).state === 'denied') return true;
    } catch {
      // A browser that cannot tell: the background's picker, and the browser's own check after it.
    }
  }
  return false;
}

async function onPageRequest(data: unknown): Promise<void> {
  if (data === null || typeof data !== 'object') return;
  const { id, type, payload } = data as { id?: unknown; type?: unknown; payload?: unknown };
  if (typeof id !== 'number') return;
  const { isContentRequestType, PAGE_TO_BACKGROUND_TYPES, isResponse, serializeError } = await protocol();
  if (isContentRequestType(type)) {
    await answerHere(id, type, payload);
    return;
  }
  if (typeof type !== 'string' || !PAGE_TO_BACKGROUND_TYPES.includes(type as PageToBackgroundType)) {
    reply(id, { ok: false, error: { name: 'TypeError', message: 'Unknown MediaGate request' } });
    return;
  }
  if (!contextAlive()) {
    declareDead();
    return;
  }
  listen();
  if (type === 'calls/update' && payload !== null && typeof payload === 'object') {
    const { tracks, actions } = payload as { tracks?: unknown; actions?: unknown };
    inCall =
      (Array.isArray(tracks) && tracks.length > 0) ||
      (Array.isArray(actions) &&
        actions.some(
          (a) => a === 'hangup' || a === 'togglemicrophone' || a === 'togglecamera' || a === 'togglescreenshare',
        ));
  }
  if (type === 'picker/open' && (await refusedByPolicy(payload))) {
    reply(id, { ok: false, error: { name: 'NotAllowedError', message: 'Not allowed in this frame' } });
    return;
  }
  try {
    const answer: unknown = await browser.runtime.sendMessage({ channel: 'page', type, payload });
    reply(
      id,
      isResponse(answer) ? answer : { ok: false, error: { name: 'Error', message: 'No answer from MediaGate' } },
    );
  } catch (e) {
    if (!contextAlive()) {
      declareDead();
      return;
    }
    reply(id, { ok: false, error: serializeError(e) });
  }
}

async function pushConfig(): Promise<void> {
  try {
    // self.origin: about:blank and srcdoc frames inherit their creator's origin.
    const origin = isWebOrigin(self.origin) ? self.origin : null;
    const start = await (await storage()).loadPageStart(origin);
    resolveKey(start.handoffKey);
    port?.postMessage({ push: 'config', payload: start.config });
  } catch {
    resolveKey(null);
    // Storage unreadable: the main world times out on its own and keeps native behaviour.
  }
}

// The config is read when the main world first asks for it (a media API, or a setting such as
// defaultSemantics, used by the page): reading storage makes Firefox build its extension API in the
// frame (about 1 ms) and Chromium its storage binding (about 0.5 ms), and the settings listener costs
// Firefox about 3 ms, which a page that never uses a camera would otherwise pay. Such a page reads only
// the handoff secret, after its load, for the ticket's proof.
let configRead: Promise<void> | null = null;
let watching = false;
function ensureConfig(): Promise<void> {
  // The listener first: it is in place before the read starts, so no change falls between them.
  if (loaded) watch();
  configRead ??= pushConfig();
  return configRead;
}
/** Settings changed while the page is open: a new config, for a main world that has one. */
function watch(): void {
  if (watching) return;
  watching = true;
  void storage().then(({ watchSettings }) =>
    watchSettings(() => {
      void pushConfig();
    }),
  );
}
let keyRead = false;
/** The handoff secret alone, for a frame whose config was not read (reading the config reads it too). */
function ensureKey(): void {
  if (keyRead || configRead) return;
  keyRead = true;
  storage()
    .then(({ ensureHandoffKey }) => ensureHandoffKey())
    .then(resolveKey, () => resolveKey(null));
}
let loaded = false;

function onHandshake(e: MessageEvent): void {
  if (e.source !== window || port) return;
  const data: unknown = e.data;
  if (data === null || typeof data !== 'object' || (data as Record<string, unknown>)[BRIDGE_HANDSHAKE] !== true) return;
  if (e.ports.length !== 1) return;
  // Registered before any page script: stopping here keeps the port away from the page's listeners.
  e.stopImmediatePropagation();
  window.removeEventListener('message', onHandshake, true);
  port = e.ports[0]!;
  handshakeAt = Date.now();
  port.onmessage = (m) => {
    void onPageRequest(m.data);
  };
  // The main world holds its nonce before anything could ask it for a handoff; the proof follows once
  // the page has loaded (hashing is cold code, ~2 ms in every new frame).
  if (isWebOrigin(self.origin)) {
    const nonce = newNonce();
    port.postMessage({ push: 'handoff/ticket', payload: { nonce } });
    const origin = self.origin;
    afterLoad(() => {
      void handoffKey.then(async (key) => {
        if (key)
          port?.postMessage({ push: 'handoff/ticket', payload: { nonce, proof: await proofOf(key, origin, nonce) } });
      });
    });
  }
  // Injected into a page that had loaded already (an update): nothing to wait for.
  if (loaded && isWebOrigin(self.origin)) ensureKey();
}

window.addEventListener('message', onHandshake, true);

afterLoad(() => {
  loaded = true;
  if (!port) return;
  if (isWebOrigin(self.origin)) ensureKey();
  // A config read during the load is read again with the listener in place: a change made meanwhile
  // is not missed.
  if (configRead) {
    watch();
    void pushConfig();
  }
});

// The background pushes only to frames that asked it something (a call, a picker, a share), and shows
// the call window in a tab's top document once the tab has a call. So the listener waits for the
// page's first request, or for the load event: setting up runtime messaging costs Firefox about a
// millisecond of main-thread time, which a page that never uses a camera would otherwise pay during its load.
let listening = false;
function listen(): void {
  if (listening || !contextAlive()) return;
  listening = true;
  browser.runtime.onMessage.addListener((message: unknown) => {
    const probe = message as { channel?: unknown; type?: unknown } | null;
    if (probe?.channel === 'probe' && probe.type === 'calls/alive') return Promise.resolve(inCall && port !== null);
    void protocol().then(({ parsePushEnvelope }) => {
      const push = parsePushEnvelope(message);
      if (push && port) port.postMessage({ push: push.type, payload: push.payload });
    });
    return undefined;
  });
}
/** Runs `fn` once the page has loaded (a task after its load event), or now if it has. */
function afterLoad(fn: () => void): void {
  if (document.readyState === 'complete') setTimeout(fn, 0);
  else
    window.addEventListener(
      'load',
      () => {
        setTimeout(fn, 0);
      },
      { once: true, capture: true },
    );
}
afterLoad(listen);

// The main world's worker bootstrap (see WORKER_BOOTSTRAP_EVENT), given when the main world asks: when
// the page makes its first worker (a 4 KB string that every other page never needs). A window capture
// listener added at document_start: it answers before any listener of the page sees the ask, so the
// main world's first answer is this one (src/injected/track-transfer/index.ts).
window.addEventListener(
  `${WORKER_BOOTSTRAP_EVENT}:ask`,
  () => {
    document.dispatchEvent(new CustomEvent(WORKER_BOOTSTRAP_EVENT, { detail: WORKER_BOOTSTRAP_SOURCE }));
  },
  true,
);
