// Every runtime message enters here. Content-script messages speak for a web page and are validated
// and attributed from `sender` alone; UI messages are accepted only from MediaGate's own pages.
import browser from 'webextension-polyfill';
import { parsePageEnvelope, parseUiEnvelope, serializeError, type Response } from '../shared/protocol';
import { webOriginOfSender } from '../shared/origin';
import { allCalls, invokeAction, recordSnapshot, showCallWindow, stopTab, switchEffect } from './calls';
import { clearEmbargo, decidePicker, embargoedOrigins, openPicker, pickerState } from './picker';
import { sites, record, setBrowserPermission } from './permissions';
import { getSettings, setSettings } from './settings';
import { runCommand } from './commands';
import { loadAsset, loadChunk } from './chunks';
import { keepGrant } from './permissions/visit-grants';
import {
  decideGrant,
  grantState,
  listGrants,
  listSharing,
  openScreenCapture,
  setGrantFromUi,
  stopSharing,
} from './screen-capture';

type Sender = browser.Runtime.MessageSender;

const fail = (name: string, message: string): Response<never> => ({ ok: false, error: { name, message } });

function isOwnPage(sender: Sender): boolean {
  return sender.id === browser.runtime.id && !!sender.url && sender.url.startsWith(browser.runtime.getURL(''));
}

/** The sender's documentId (Chromium; Firefox 153 too), where the browser gives one. */
function documentOf(sender: Sender): { documentId?: string } {
  const id = (sender as { documentId?: unknown }).documentId;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? { documentId: id } : {};
}

async function handlePage(message: unknown, sender: Sender): Promise<Response<unknown>> {
  const envelope = parsePageEnvelope(message);
  if (!envelope) return fail('TypeError', 'Malformed MediaGate request');
  const origin = webOriginOfSender(sender);
  const tabId = sender.tab?.id;
  if (!origin || tabId === undefined || sender.frameId === undefined)
    return fail('SecurityError', 'Request from an unattributable frame');
  switch (envelope.type) {
    case 'calls/update':
      return {
        ok: true,
        result: await recordSnapshot(
          { tabId, frameId: sender.frameId, origin, title: sender.tab?.title ?? '' },
          envelope.payload,
        ),
      };
    case 'picker/open':
      return {
        ok: true,
        result: await openPicker(
          // The document, not just the frame: its answer must not reach a page the frame shows later.
          { tabId, frameId: sender.frameId, origin, ...documentOf(sender) },
          envelope.payload.kinds,
          // Absent (never from MediaGate's own main world): no activation, the window takes no focus.
          envelope.payload.activated ?? false,
        ),
      };
    case 'chunk/load':
      return { ok: true, result: await loadChunk(tabId, sender.frameId, envelope.payload.name) };
    case 'chunk/asset':
      return { ok: true, result: await loadAsset(envelope.payload.name) };
    case 'screen-capture/open':
      return {
        ok: true,
        result: await openScreenCapture({ tabId, frameId: sender.frameId, origin, tab: sender.tab }, envelope.payload),
      };
  }
}

async function handleUi(message: unknown): Promise<Response<unknown>> {
  const envelope = parseUiEnvelope(message);
  if (!envelope) return fail('TypeError', 'Malformed MediaGate request');
  switch (envelope.type) {
    case 'calls/list':
      return { ok: true, result: await allCalls() };
    case 'calls/invoke': {
      const { tabId, frameId, action } = envelope.payload;
      return { ok: true, result: await invokeAction(tabId, frameId, action) };
    }
    case 'calls/effect': {
      const { tabId, frameId, kind, on } = envelope.payload;
      return { ok: true, result: await switchEffect(tabId, frameId, kind, on) };
    }
    case 'calls/call-window':
      return { ok: true, result: await showCallWindow(envelope.payload.tabId) };
    case 'calls/stop':
      return { ok: true, result: await stopTab(envelope.payload.tabId) };
    case 'picker/get':
      return { ok: true, result: await pickerState(envelope.payload.pickerId) };
    case 'picker/decide': {
      const { pickerId, decision, choice, files, remember } = envelope.payload;
      return { ok: true, result: await decidePicker(pickerId, decision, choice, files ?? {}, remember) };
    }
    case 'sites/list': {
      // An embargoed site without a decision is listed too ("Ask"), so the person can allow it there.
      const embargoed = Object.fromEntries((await embargoedOrigins()).map((o) => [o, {}]));
      return { ok: true, result: { ...embargoed, ...(await sites.get()) } };
    }
    case 'sites/set': {
      const { origin, kind, state } = envelope.payload;
      await record(origin, kind, state, { viaPicker: false });
      await keepGrant(origin, kind); // a lasting decision replaces a grant for one visit
      await clearEmbargo(origin, kind); // the person decided: the site's dismissals no longer count
      // Revoking or blocking in MediaGate also takes back what MediaGate granted in the browser.
      await setBrowserPermission(origin, kind, state === 'allow' ? 'allow' : state === 'block' ? 'block' : 'ask');
      return { ok: true, result: true };
    }
    case 'settings/get':
      return { ok: true, result: await getSettings() };
    case 'settings/set':
      return { ok: true, result: await setSettings(envelope.payload.settings) };
    case 'commands/run':
      return { ok: true, result: await runCommand(envelope.payload.command) };
    case 'screen-grant/get':
      return { ok: true, result: grantState(envelope.payload.grantId) };
    case 'screen-grant/decide':
      return { ok: true, result: await decideGrant(envelope.payload.grantId, envelope.payload.decision) };
    case 'screen-capture/list':
      return { ok: true, result: await listSharing() };
    case 'screen-capture/stop':
      return { ok: true, result: await stopSharing(envelope.payload.tabId, envelope.payload.frameId) };
    case 'screen-grants/list':
      return { ok: true, result: await listGrants() };
    case 'screen-grants/set': {
      const { origin, source, state } = envelope.payload;
      return { ok: true, result: await setGrantFromUi(origin, source, state) };
    }
  }
}

export async function route(message: unknown, sender: Sender): Promise<Response<unknown>> {
  try {
    if (sender.id !== browser.runtime.id) return fail('SecurityError', 'Unknown sender');
    const channel = (message as { channel?: unknown } | null)?.channel;
    if (channel === 'page' && !isOwnPage(sender)) return await handlePage(message, sender);
    if (channel === 'ui' && isOwnPage(sender)) return await handleUi(message);
    return fail('SecurityError', 'Request not allowed from this sender');
  } catch (e) {
    return { ok: false, error: serializeError(e) };
  }
}
