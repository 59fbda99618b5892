// Extension pages (popup, options, picker) talk to the background through this one function.
import browser from 'webextension-polyfill';
import type { UiRequests, UiRequestType } from './protocol';
import { isResponse } from './protocol';

export async function uiRequest<K extends UiRequestType>(type: K, payload: UiRequests[K]['req']): Promise<UiRequests[K]['res']> {
  const answer: unknown = await browser.runtime.sendMessage({ channel: 'ui', type, payload });
  if (!isResponse(answer)) throw new Error(`MediaGate background gave no answer to ${type}`);
  if (!answer.ok) {
    const err = new Error(answer.error.message);
    err.name = answer.error.name;
    throw err;
  }
  return answer.result as UiRequests[K]['res'];
}
