// Talking to the extension from the test, through one of its own pages (the same path the popup uses).
import type { Page } from 'puppeteer-core';
import type { CallRecord, UiRequests, UiRequestType } from '../../../src/shared/protocol';

export async function uiRequest<K extends UiRequestType>(page: Page, type: K, payload: UiRequests[K]['req']): Promise<UiRequests[K]['res']> {
  const answer = await page.evaluate(async (t, p) => {
    const api = (globalThis as any).browser ?? (globalThis as any).chrome;
    return api.runtime.sendMessage({ channel: 'ui', type: t, payload: p });
  }, type, payload as any);
  if (!answer?.ok) throw new Error(`${type} failed: ${JSON.stringify(answer)}`);
  return answer.result;
}

export const listCalls = (page: Page): Promise<CallRecord[]> => uiRequest(page, 'calls/list', {});
