// The picker window manager. Requests from one tab and origin merge into one picker window; a tab shows
// one picker at a time, other origins' wait their turn. Pending pickers live in storage.session
// (records.ts) so a service worker stopped while the person thinks loses nothing. Each answer goes to
// the document that asked (delivery.ts). A page gets no window, only NotAllowedError, while its site is
// blocked or under embargo (embargo.ts) or when it asks beyond the caps (caps.ts).
import browser from 'webextension-polyfill';
import { kindOfTrack, type PermissionKind } from '../../shared/permissions';
import type {
  PickerChoice,
  PickerFiles,
  PickerKinds,
  PickerOutcome,
  PickerState,
  PushEnvelope,
} from '../../shared/protocol';
import { record, setBrowserPermission, sites, stateFor } from '../permissions';
import { grantForVisit, keepGrant } from '../permissions/visit-grants';
import { allCalls } from '../calls';
import { overCap, requestBytes } from './caps';
import { openOfTab, pendingLoad, pickers, type PendingRequest, type PickerRecord } from './records';
import { deliverable, documentAlive, release, send, storable } from './delivery';
import * as embargo from './embargo';
import { notePickerSite } from './picker-sites';

export class PickerError extends Error {}
const refusal = (message: string): PickerOutcome => ({ ok: false, error: { name: 'NotAllowedError', message } });

const kindsOf = (kinds: PickerKinds): ('audio' | 'video')[] => (['audio', 'video'] as const).filter((k) => kinds[k]);
const permissionsOf = (requests: PendingRequest[]): PermissionKind[] => [
  ...new Set(requests.flatMap((r) => kindsOf(r.kinds).map(kindOfTrack))),
];

interface Sender {
  tabId: number;
  frameId: number;
  documentId?: string;
  origin: string;
}

/**
 * Opens (or joins, or queues) the picker for a frame. A refusal (blocked site, embargo, caps) is an
 * answer like the person's No, sent the same way: through the main world's own path to the page, so
 * the page gets NotAllowedError, not MediaGate's failure (which would mean the browser's own call).
 */
export async function openPicker(
  sender: Sender,
  kinds: PickerKinds,
  activated: boolean,
): Promise<{ requestId: string }> {
  const requestId = crypto.randomUUID();
  const to = { frameId: sender.frameId, ...(sender.documentId ? { documentId: sender.documentId } : {}) };
  const refuse = (message: string) => {
    void send(sender.tabId, to, requestId, refusal(message));
    return { requestId };
  };
  // Under the default label policy, from now on this site's device names are the picker's to give.
  void notePickerSite(sender.origin).catch(() => undefined);
  const asked = kindsOf(kinds).map(kindOfTrack);
  for (const kind of asked)
    if ((await stateFor(sender.origin, kind)) === 'block')
      return refuse(`${sender.origin} is blocked from using your ${kind}`);
  // Quietly, as the browsers' embargo: no window, the same answer as a dismissal.
  if (await embargo.embargoed(sender.origin, asked)) return refuse('Permission dismissed');
  const request: PendingRequest = { requestId, ...to, kinds, bytes: requestBytes(kinds) };
  // The window opens as soon as the record is decided, while it is still being written: the
  // picker's first read of the store queues behind that write (SerialStore), so it finds it.
  type Decision = { pickerId: string; show: boolean } | { refused: string };
  let decided!: (d: Decision) => void;
  const decision = new Promise<Decision>((resolve) => {
    decided = resolve;
  });
  const written = pickers.update((table) => {
    const over = overCap(pendingLoad(table), sender.tabId, sender.origin, request.bytes!);
    if (over) return decided({ refused: over });
    const open = openOfTab(table, sender.tabId);
    // A picker already answered is only delivering its answers: a new request gets a window of its own.
    const existing = open.find((p) => p.origin === sender.origin);
    if (existing) {
      existing.requests.push(request);
      return decided({ pickerId: existing.pickerId, show: false });
    }
    const id = crypto.randomUUID();
    // Another origin of this tab (a frame) has its picker up: this one waits for it, rather than
    // stacking windows the person has to close one by one.
    const queued = open.length > 0;
    table[id] = {
      pickerId: id,
      tabId: sender.tabId,
      origin: sender.origin,
      windowId: null,
      requests: [request],
      activated,
      created: Date.now(),
      ...(queued ? { queued } : {}),
    };
    return decided({ pickerId: id, show: !queued });
  });
  const outcome = await Promise.race([decision, written.then(() => decision)]);
  if ('refused' in outcome) return refuse(outcome.refused);
  if (outcome.show) await show(outcome.pickerId, sender.tabId, activated, written);
  else {
    await written;
    await browser.runtime.sendMessage({ channel: 'picker-updated', pickerId: outcome.pickerId }).catch(() => undefined);
  }
  return { requestId };
}

async function show(pickerId: string, tabId: number, activated: boolean, written: Promise<unknown>): Promise<void> {
  // A tab the person is not looking at does not take the keyboard: its picker opens behind and comes
  // to the front with its tab (watchPickerWindows). Nor does a call the person did not just cause (no
  // user activation in the page): its picker opens shown but not focused, for the person to click.
  const tab = await browser.tabs.get(tabId).catch(() => null);
  const [win] = await Promise.all([openWindow(pickerId, !!tab?.active && activated), written]);
  await pickers.update((table) => {
    if (table[pickerId]) table[pickerId].windowId = win.id ?? null;
  });
  // The person may have switched tabs while the window opened: the tab in front keeps its picker in front.
  if (tab && activated) await focusPickerOfActiveTab(tab.windowId);
}

/** The tab's next waiting picker, once none of its pickers shows. */
async function showNext(tabId: number): Promise<void> {
  const next = await pickers.update((table) => {
    const open = openOfTab(table, tabId);
    if (!open.length || open.some((p) => !p.queued)) return null;
    delete open[0]!.queued;
    return open[0]!;
  });
  if (next) await show(next.pickerId, tabId, !!next.activated, Promise.resolve());
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
 * takes the first answer for a request and ignores repeats. Then the tab's next waiting picker shows
 * (`next`: false when the tab is gone).
 */
async function finish(
  pickerId: string,
  outcomeFor: (req: PendingRequest) => PickerOutcome,
  opts: { closeWindow: boolean; next: boolean; files?: PickerFiles },
): Promise<PickerRecord | null> {
  const rec = await pickers.update((table) => {
    const r = table[pickerId];
    if (!r) return null;
    r.outcomes ??= Object.fromEntries(r.requests.map((req) => [req.requestId, storable(pickerId, outcomeFor(req))]));
    return { ...r, outcomes: { ...r.outcomes } };
  });
  if (!rec) return null;
  await Promise.all(
    rec.requests.map((req) =>
      send(
        rec.tabId,
        req,
        req.requestId,
        deliverable(pickerId, rec.outcomes![req.requestId] ?? outcomeFor(req), opts.files ?? {}),
      ),
    ),
  );
  await pickers.update((table) => {
    delete table[pickerId];
  });
  release(pickerId);
  if (opts.closeWindow && rec.windowId !== null) await browser.windows.remove(rec.windowId).catch(() => undefined);
  if (opts.next) await showNext(rec.tabId);
  return rec;
}

/**
 * Requests whose document is gone (the frame navigated, or the tab did) are dropped before anything
 * is granted: the person answered a page that is no longer there, and its successor must not inherit
 * the answer. With none left, the decision is void, as a browser's prompt closes on navigation.
 */
async function dropGone(rec: PickerRecord): Promise<PickerRecord | null> {
  const alive = await Promise.all(rec.requests.map((r) => documentAlive(rec.tabId, r)));
  if (alive.every(Boolean)) return rec;
  const gone = new Set(rec.requests.filter((_, i) => !alive[i]).map((r) => r.requestId));
  return pickers.update((table) => {
    const r = table[rec.pickerId];
    if (!r) return null;
    r.requests = r.requests.filter((q) => !gone.has(q.requestId));
    return { ...r };
  });
}

export async function decidePicker(
  pickerId: string,
  decision: 'allow' | 'block',
  choice: PickerChoice,
  files: PickerFiles,
  remember: boolean,
): Promise<boolean> {
  const stored = (await pickers.get())[pickerId];
  if (!stored) return false;
  const done = { closeWindow: true, next: true, files };
  // Already decided (this is the window's retry after the worker stopped): deliver what was decided.
  if (stored.outcomes) return !!(await finish(pickerId, () => refusal('Permission denied'), done));
  const rec = await dropGone(stored);
  if (!rec) return false;
  if (!rec.requests.length) {
    await finish(pickerId, () => refusal('The page is gone'), done);
    return true;
  }
  const asked = new Set(rec.requests.flatMap((r) => kindsOf(r.kinds)));
  if (decision === 'block') {
    // Like the browsers' own prompts, Block is always remembered: no prompt next time.
    for (const kind of asked) {
      await record(rec.origin, kindOfTrack(kind), 'block', { viaPicker: true });
      await setBrowserPermission(rec.origin, kindOfTrack(kind), 'block');
    }
    await finish(pickerId, () => refusal('Permission denied'), done);
    return true;
  }
  for (const kind of asked) if (!choice[kind] && !files[kind]) throw new TypeError(`No ${kind} device chosen`);
  await embargo.clear(rec.origin, permissionsOf(rec.requests));
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
    done,
  );
  return true;
}

export { embargoedOrigins } from './embargo';

/** The person changed a site's decision in the popup or options page: its embargo ends with it. */
export const clearEmbargo = (origin: string, kind: PermissionKind): Promise<void> => embargo.clear(origin, [kind]);

/** Closing the window (or Escape) dismisses: NotAllowedError, nothing remembered, one more towards the embargo. */
export function watchPickerWindows(): void {
  browser.windows.onRemoved.addListener(async (windowId) => {
    const rec = Object.values(await pickers.get()).find((p) => p.windowId === windowId);
    if (!rec) return;
    if (!rec.outcomes) await embargo.dismissed(rec.origin, permissionsOf(rec.requests));
    await finish(rec.pickerId, () => refusal('The request was dismissed'), { closeWindow: false, next: true });
  });
  browser.tabs.onRemoved.addListener(async (tabId) => {
    for (const rec of Object.values(await pickers.get()))
      if (rec.tabId === tabId)
        await finish(rec.pickerId, () => refusal('The tab was closed'), { closeWindow: true, next: false });
  });
  // A picker belongs to its tab, as the browser's own prompt does: when the person comes back to the
  // tab, its pending picker comes to the front. Firefox also lets the picker list and preview devices
  // only while its window has the focus, so a picker left behind another window would wait forever.
  browser.tabs.onActivated.addListener(({ windowId }) => focusPickerOfActiveTab(windowId));
}
