// The picker window manager. Requests from one tab and origin merge into one picker window; its
// state lives in storage.session so a service worker stopped while the person thinks loses nothing.
// The answer goes to each requesting frame with tabs.sendMessage.
import browser from 'webextension-polyfill';
import { SerialStore } from '../state/serial-store';
import { isRecord } from '../../shared/validate';
import { kindOfTrack, type PermissionKind } from '../../shared/permissions';
import type {
  PickerChoice,
  PickerFiles,
  PickerKinds,
  PickerOutcome,
  PickerState,
  PushEnvelope,
  SerializedError,
} from '../../shared/protocol';
import { record, setBrowserPermission, sites, stateFor } from '../permissions';
import { grantForVisit, keepGrant } from '../permissions/visit-grants';
import { allCalls } from '../calls';

interface PendingRequest {
  requestId: string;
  frameId: number;
  kinds: PickerKinds;
}
interface PickerRecord {
  pickerId: string;
  tabId: number;
  origin: string;
  windowId: number | null;
  requests: PendingRequest[];
  /** Set once, by the first finish: the answers, by request, kept until every frame was sent its own. */
  outcomes?: Record<string, PickerOutcome>;
}
type PickerTable = Record<string, PickerRecord>;

// Stored by this code only; a record that does not look like one (older version) is dropped.
const pickers = new SerialStore<PickerTable>('session', 'pickers', (raw) => {
  const table: PickerTable = {};
  if (isRecord(raw)) {
    for (const [id, rec] of Object.entries(raw)) {
      if (isRecord(rec) && Array.isArray(rec.requests) && (rec.outcomes === undefined || isRecord(rec.outcomes)))
        table[id] = rec as unknown as PickerRecord;
    }
  }
  return table;
});

export class PickerError extends Error {}
const notAllowed = (message: string): SerializedError => ({ name: 'NotAllowedError', message });

const kindsOf = (kinds: PickerKinds): ('audio' | 'video')[] => (['audio', 'video'] as const).filter((k) => kinds[k]);

async function send(tabId: number, frameId: number, requestId: string, outcome: PickerOutcome): Promise<void> {
  const push: PushEnvelope<'picker/result'> = {
    channel: 'push',
    type: 'picker/result',
    payload: { requestId, outcome },
  };
  await browser.tabs.sendMessage(tabId, push, { frameId }).catch(() => undefined);
}

/** Opens (or joins) the picker for a frame; rejects at once, without a window, for a blocked site. */
export async function openPicker(
  sender: { tabId: number; frameId: number; origin: string },
  kinds: PickerKinds,
  activated: boolean,
): Promise<{ requestId: string }> {
  for (const kind of kindsOf(kinds)) {
    if ((await stateFor(sender.origin, kindOfTrack(kind))) === 'block') {
      const err = new Error(`${sender.origin} is blocked from using your ${kindOfTrack(kind)}`);
      err.name = 'NotAllowedError';
      throw err;
    }
  }
  const requestId = crypto.randomUUID();
  const request: PendingRequest = { requestId, frameId: sender.frameId, kinds };
  // The window opens as soon as the record is decided, while it is still being written: the
  // picker's first read of the store queues behind that write (SerialStore), so it finds it.
  let decided!: (d: { pickerId: string; isNew: boolean }) => void;
  const decision = new Promise<{ pickerId: string; isNew: boolean }>((resolve) => {
    decided = resolve;
  });
  const written = pickers.update((table) => {
    // A picker already answered is only delivering its answers: a new request gets a window of its own.
    const existing = Object.values(table).find(
      (p) => p.tabId === sender.tabId && p.origin === sender.origin && !p.outcomes,
    );
    if (existing) {
      existing.requests.push(request);
      decided({ pickerId: existing.pickerId, isNew: false });
      return;
    }
    const id = crypto.randomUUID();
    table[id] = { pickerId: id, tabId: sender.tabId, origin: sender.origin, windowId: null, requests: [request] };
    decided({ pickerId: id, isNew: true });
  });
  const { pickerId, isNew } = await Promise.race([decision, written.then(() => decision)]);
  if (isNew) {
    // A tab the person is not looking at does not take the keyboard: its picker opens behind and comes
    // to the front with its tab (watchPickerWindows). Nor does a call the person did not just cause (no
    // user activation in the page): its picker opens shown but not focused, for the person to click.
    const tab = await browser.tabs.get(sender.tabId).catch(() => null);
    const [win] = await Promise.all([openWindow(pickerId, !!tab?.active && activated), written]);
    await pickers.update((table) => {
      if (table[pickerId]) table[pickerId].windowId = win.id ?? null;
    });
    // The person may have switched tabs while the window opened: the tab in front keeps its picker in front.
    if (tab && activated) await focusPickerOfActiveTab(tab.windowId);
  } else {
    await written;
    await browser.runtime.sendMessage({ channel: 'picker-updated', pickerId }).catch(() => undefined);
  }
  return { requestId };
}

function openWindow(pickerId: string, focused: boolean): Promise<browser.Windows.Window> {
  const url = browser.runtime.getURL(`picker/picker.html?id=${pickerId}`);
  return browser.windows.create({ url, type: 'popup', width: 480, height: 680, focused });
}

/** Brings the pending picker of the tab in front of `windowId` (if it has one) to the front. */
async function focusPickerOfActiveTab(windowId: number | undefined): Promise<void> {
  const [active] = await browser.tabs.query({ active: true, windowId }).catch(() => []);
  if (active?.id === undefined) return;
  for (const rec of Object.values(await pickers.get())) {
    if (rec.tabId === active.id && !rec.outcomes && rec.windowId !== null)
      await browser.windows.update(rec.windowId, { focused: true }).catch(() => undefined);
  }
}

/** The merged view the picker window renders. */
export async function pickerState(pickerId: string): Promise<PickerState | null> {
  const rec = (await pickers.get())[pickerId];
  if (!rec) return null;
  const kinds: PickerKinds = {};
  for (const req of rec.requests) {
    for (const kind of kindsOf(req.kinds)) {
      const ask = req.kinds[kind]!;
      const prev = kinds[kind];
      kinds[kind] = !prev
        ? ask
        : {
            constraints: prev.constraints,
            candidates:
              prev.candidates && ask.candidates ? [...new Set([...prev.candidates, ...ask.candidates])] : null,
          };
    }
  }
  const table = await sites.get();
  const site = table[rec.origin];
  return {
    pickerId,
    origin: rec.origin,
    kinds,
    remembered: {
      ...(site?.microphone?.device ? { audio: site.microphone.device.label } : {}),
      ...(site?.camera?.device ? { video: site.camera.device.label } : {}),
    },
    busy: await busyDevices(rec.tabId),
  };
}

/** Devices held by live tracks of other tabs, by label (labels are the same in every origin). */
async function busyDevices(exceptTab: number): Promise<PickerState['busy']> {
  const busy: PickerState['busy'] = {};
  for (const call of await allCalls()) {
    if (call.tabId === exceptTab) continue;
    for (const track of call.tracks) (busy[track.kind] ??= {})[track.label] = call.origin;
  }
  return busy;
}

/** The person chose a device another tab holds: that tab's tracks on it end. */
async function takeOver(tabId: number, choice: PickerChoice): Promise<void> {
  for (const call of await allCalls()) {
    if (call.tabId === tabId) continue;
    for (const kind of ['audio', 'video'] as const) {
      const label = choice[kind];
      if (!label || !call.tracks.some((t) => t.kind === kind && t.label === label)) continue;
      const push: PushEnvelope<'call-detection/release'> = {
        channel: 'push',
        type: 'call-detection/release',
        payload: { kind, label },
      };
      await browser.tabs.sendMessage(call.tabId, push, { frameId: call.frameId }).catch(() => undefined);
    }
  }
}

/**
 * Answers every request of a picker. The first call decides the answers and stores them with the
 * record; the record goes only after each frame was sent its answer. A worker stopped in between
 * leaves the record, and the next call (the picker window retrying its decision, or the window
 * closing) sends the same answers again: a decision is never lost nor turned into another. The page
 * takes the first answer for a request and ignores repeats.
 */
async function finish(
  pickerId: string,
  outcomeFor: (req: PendingRequest) => PickerOutcome,
  closeWindow: boolean,
): Promise<PickerRecord | null> {
  const rec = await pickers.update((table) => {
    const r = table[pickerId];
    if (!r) return null;
    r.outcomes ??= Object.fromEntries(r.requests.map((req) => [req.requestId, outcomeFor(req)]));
    return { ...r, outcomes: { ...r.outcomes } };
  });
  if (!rec) return null;
  await Promise.all(
    rec.requests.map((req) =>
      send(rec.tabId, req.frameId, req.requestId, rec.outcomes![req.requestId] ?? outcomeFor(req)),
    ),
  );
  await pickers.update((table) => {
    delete table[pickerId];
  });
  if (closeWindow && rec.windowId !== null) await browser.windows.remove(rec.windowId).catch(() => undefined);
  return rec;
}

export async function decidePicker(
  pickerId: string,
  decision: 'allow' | 'block',
  choice: PickerChoice,
  files: PickerFiles,
  remember: boolean,
): Promise<boolean> {
  const rec = (await pickers.get())[pickerId];
  if (!rec) return false;
  // Already decided (this is the window's retry after the worker stopped): deliver what was decided.
  if (rec.outcomes)
    return !!(await finish(pickerId, () => ({ ok: false, error: notAllowed('Permission denied') }), true));
  const asked = new Set(rec.requests.flatMap((r) => kindsOf(r.kinds)));
  if (decision === 'block') {
    // Like the browsers' own prompts, Block is always remembered: no prompt next time.
    for (const kind of asked) {
      await record(rec.origin, kindOfTrack(kind), 'block', { viaPicker: true });
      await setBrowserPermission(rec.origin, kindOfTrack(kind), 'block');
    }
    await finish(pickerId, () => ({ ok: false, error: notAllowed('Permission denied') }), true);
    return true;
  }
  for (const kind of asked) if (!choice[kind] && !files[kind]) throw new TypeError(`No ${kind} device chosen`);
  await takeOver(rec.tabId, choice);
  for (const kind of asked) {
    if (files[kind]) continue; // a file: no device, nothing to grant or remember
    const permission: PermissionKind = kindOfTrack(kind);
    if (remember) {
      await keepGrant(rec.origin, permission);
      await setBrowserPermission(rec.origin, permission, 'allow');
      await record(rec.origin, permission, 'allow', { viaPicker: true, deviceLabel: choice[kind]! });
    } else {
      await grantForVisit(rec.origin, permission, rec.tabId);
    }
  }
  await finish(
    pickerId,
    (req) => {
      const kinds = kindsOf(req.kinds);
      const own = Object.fromEntries(kinds.filter((k) => files[k]).map((k) => [k, files[k]!])) as PickerFiles;
      return {
        ok: true,
        choice: Object.fromEntries(kinds.filter((k) => !files[k]).map((k) => [k, choice[k]!])) as PickerChoice,
        ...(Object.keys(own).length ? { files: own } : {}),
      };
    },
    true,
  );
  return true;
}

/** Closing the window (or Escape) dismisses: NotAllowedError, nothing remembered. */
export function watchPickerWindows(): void {
  browser.windows.onRemoved.addListener(async (windowId) => {
    const rec = Object.values(await pickers.get()).find((p) => p.windowId === windowId);
    if (rec) await finish(rec.pickerId, () => ({ ok: false, error: notAllowed('The request was dismissed') }), false);
  });
  browser.tabs.onRemoved.addListener(async (tabId) => {
    for (const rec of Object.values(await pickers.get()))
      if (rec.tabId === tabId)
        await finish(rec.pickerId, () => ({ ok: false, error: notAllowed('The tab was closed') }), true);
  });
  // A picker belongs to its tab, as the browser's own prompt does: when the person comes back to the
  // tab, its pending picker comes to the front. Firefox also lets the picker list and preview devices
  // only while its window has the focus, so a picker left behind another window would wait forever.
  browser.tabs.onActivated.addListener(({ windowId }) => focusPickerOfActiveTab(windowId));
}
