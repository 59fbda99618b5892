// Extension pages (popup, options, picker) talk to the background through this one function.
import browser from 'webextension-polyfill';
import type { UiToBackground, UiToBackgroundType } from './protocol';
import { isResponse } from './protocol';

/**
 * Requests that must not run twice: a toggle (mute, camera) or a window opened. Every other request
 * gives the same result when repeated (the background makes sure of it, the picker's decision
 * included), so one cut off by the service worker stopping mid-answer is sent again.
 */
const ONCE: ReadonlySet<UiToBackgroundType> = new Set<UiToBackgroundType>([
  'calls/invoke',
  'calls/call-window',
  'commands/run',
]);
const ATTEMPTS = 4;
/**
 * How long an answer may take. The background answers in well under a second. A worker stopped
 * while it handled the request usually makes sendMessage reject at once, but not always: one closed
 * by DevTools while busy left it pending for good (Chromium 156). Past this, the request is sent again.
 */
const ANSWER_MS = 4000;
const ONCE_ANSWER_MS = 15000;
/** Chromium's words for "no background listened": the request never ran, so any request may be sent again. */
const NOT_DELIVERED = /Receiving end does not exist|Could not establish connection/i;

class NoAnswer extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, type: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer(`MediaGate's background did not answer ${type}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export async function uiRequest<K extends UiToBackgroundType>(
  type: K,
  payload: UiToBackground[K]['req'],
): Promise<UiToBackground[K]['res']> {
  const once = ONCE.has(type);
  let answer: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      answer = await withTimeout(
        browser.runtime.sendMessage({ channel: 'ui', type, payload }),
        once ? ONCE_ANSWER_MS : ANSWER_MS,
        type,
      );
      break;
    } catch (e) {
      const repeatable = once
        ? !(e instanceof NoAnswer) && NOT_DELIVERED.test(e instanceof Error ? e.message : String(e))
        : true;
      if (!repeatable || attempt === ATTEMPTS) throw e;
      // A new worker starts for the next message; give the old one a moment to be gone.
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  if (!isResponse(answer)) throw new Error(`MediaGate background gave no answer to ${type}`);
  if (!answer.ok) {
    const err = new Error(answer.error.message);
    err.name = answer.error.name;
    throw err;
  }
  return answer.result as UiToBackground[K]['res'];
}
