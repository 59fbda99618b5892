// The device picker window. It runs in the extension's origin, so it sees its own device list (with
// labels and capabilities once the person let MediaGate use the devices) and answers with labels,
// which the page maps to its own device ids.
import browser from 'webextension-polyfill';
import { uiRequest } from '../shared/ui-client';
import { localize, t } from '../shared/i18n';
import { candidates, rank, uniqueDevices, type DeviceDescription, type Kind } from '../shared/constraints';
import { LIMITS, type PickerChoice, type PickerFile, type PickerFiles, type PickerState } from '../shared/protocol';
import { guardInput } from '../shared/input-guard';

const pickerId = new URLSearchParams(location.search).get('id') ?? '';
const previews: MediaStream[] = [];
const meters: (() => void)[] = [];
let access: MediaStream | null = null;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function stopAll(): void {
  for (const s of [...previews, ...(access ? [access] : [])]) s.getTracks().forEach((tr) => tr.stop());
  previews.length = 0;
  access = null;
  meters.splice(0).forEach((stop) => stop());
}

async function describe(): Promise<DeviceDescription[]> {
  const infos = await navigator.mediaDevices.enumerateDevices();
  return infos
    .filter((d): d is InputDeviceInfo => d.kind === 'audioinput' || d.kind === 'videoinput')
    .map((d) => ({
      deviceId: d.deviceId,
      groupId: d.groupId,
      kind: d.kind as 'audioinput' | 'videoinput',
      label: d.label,
      capabilities: typeof d.getCapabilities === 'function' ? (d.getCapabilities() as Record<string, unknown>) : null,
    }));
}

function level(stream: MediaStream, meter: HTMLMeterElement): void {
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 256;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    meter.value = Math.min(1, Math.sqrt(sum / data.length) * 4);
  }, 60);
  meters.push(() => {
    clearInterval(timer);
    void ctx.close();
  });
}

async function preview(kind: Kind, device: DeviceDescription, slot: HTMLElement): Promise<void> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: { deviceId: { exact: device.deviceId } } });
    previews.push(stream);
    if (kind === 'video') {
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      video.setAttribute('aria-hidden', 'true');
      video.srcObject = stream;
      slot.replaceChildren(video);
    } else {
      const meter = document.createElement('meter');
      meter.min = 0;
      meter.max = 1;
      meter.setAttribute('aria-label', t('pickerLevel'));
      slot.append(meter);
      level(stream, meter);
    }
  } catch {
    // No preview (device busy or refused): the choice itself still works.
  }
}

function renderKind(kind: Kind, devices: DeviceDescription[], state: PickerState): number {
  const ask = state.kinds[kind];
  const fieldset = $(kind);
  fieldset.hidden = !ask;
  const box = $(`${kind}-choices`);
  box.replaceChildren();
  if (!ask) return 0;
  const all = devices.filter((d) => d.kind === (kind === 'audio' ? 'audioinput' : 'videoinput'));
  let fit = uniqueDevices(candidates(kind, ask.constraints, all));
  // The page's own view (when it could see labels) narrows further: same devices, other origin.
  if (ask.candidates) {
    const allowed = new Set(ask.candidates);
    const narrowed = fit.filter((d) => allowed.has(d.label));
    if (narrowed.length) fit = narrowed;
  }
  const ordered = rank(kind, ask.constraints, fit, state.remembered[kind]);
  ordered.forEach((device, i) => {
    const label = document.createElement('label');
    label.className = `choice ${kind}`;
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = kind;
    input.value = device.label;
    input.checked = i === 0;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = device.label || t('pickerUnnamed', String(i + 1));
    const holder = state.busy[kind]?.[device.label];
    if (device.label && holder) {
      const busy = document.createElement('span');
      busy.className = 'busy';
      busy.textContent = t('pickerInUse', holder);
      name.append(' ', busy);
    }
    if (kind === 'video') {
      const slot = document.createElement('span');
      label.append(input, slot, name);
      void preview(kind, device, slot);
    } else {
      label.append(input, name);
      void preview(kind, device, name);
    }
    box.append(label);
  });
  box.append(fileChoice(kind));
  return ordered.length;
}

/** "Use a file instead": the page then gets a track played from that file. */
function fileChoice(kind: Kind): HTMLElement {
  const label = document.createElement('label');
  label.className = `choice file ${kind}`;
  const input = document.createElement('input');
  input.type = 'radio';
  input.name = kind;
  input.value = '';
  input.dataset.file = kind;
  const text = document.createElement('span');
  text.className = 'name';
  text.textContent = t(kind === 'video' ? 'pickerUseVideoFile' : 'pickerUseAudioFile');
  const picker = document.createElement('input');
  picker.type = 'file';
  picker.accept = kind === 'video' ? 'video/*' : 'audio/*';
  picker.id = `${kind}-file`;
  picker.setAttribute('aria-label', text.textContent);
  picker.addEventListener('change', () => {
    input.checked = picker.files!.length > 0;
  });
  text.append(picker);
  label.append(input, text);
  return label;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function chosenFile(kind: Kind): Promise<PickerFile | null> {
  const file = $<HTMLInputElement>(`${kind}-file`)?.files?.[0];
  if (!file) throw new Error(t('pickerFileMissing'));
  if (file.size > LIMITS.fileBytes) throw new Error(t('pickerFileTooBig'));
  const type = file.type || (kind === 'video' ? 'video/webm' : 'audio/webm');
  return { name: file.name, type, base64: toBase64(new Uint8Array(await file.arrayBuffer())) };
}

/** The background may be starting (or restarting) as the window opens: ask again before giving up. */
async function fetchState(): Promise<PickerState | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await uiRequest('picker/get', { pickerId });
    } catch (e) {
      if (attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

async function render(): Promise<void> {
  // The device list does not depend on the request: read both at once.
  const listing = describe();
  listing.catch(() => undefined);
  const state = await fetchState().catch((e: unknown) => {
    console.error('MediaGate picker:', e);
    return null;
  });
  if (!state) {
    window.close();
    return;
  }
  stopAll();
  const kinds = (['video', 'audio'] as const).filter((k) => state.kinds[k]);
  $('origin').textContent = state.origin;
  $('wants').textContent = t(
    kinds.length === 2 ? 'pickerWantsBoth' : kinds[0] === 'video' ? 'pickerWantsCamera' : 'pickerWantsMicrophone',
  );
  $('scope').textContent = t(__BROWSER__ === 'chromium' ? 'pickerScopeChromium' : 'pickerScopeFirefox');
  document.title = `${state.origin} – ${t('pickerWindowTitle')}`;
  // MediaGate's own access (asked once for the extension) gives labels and previews. Once granted,
  // the labels are there at once and the picker renders without opening a device first.
  let devices = await listing;
  const unlabelled = kinds.some(
    (k) => !devices.some((d) => d.kind === (k === 'audio' ? 'audioinput' : 'videoinput') && d.label),
  );
  if (unlabelled) {
    try {
      access = await navigator.mediaDevices.getUserMedia({ audio: !!state.kinds.audio, video: !!state.kinds.video });
    } catch {
      access = null;
    }
    devices = await describe();
    access?.getTracks().forEach((tr) => tr.stop());
    access = null;
  }
  let missing = false;
  for (const kind of kinds) if (renderKind(kind, devices, state) === 0) missing = true;
  $('problem').hidden = !missing;
  $('problem').textContent = missing ? t('pickerNoDevice') : '';
  $<HTMLButtonElement>('allow').disabled = missing;
  // Focus on the question, not on a control: Enter on a radio would submit the form, which means Allow.
  $('heading').focus();
}

async function decide(decision: 'allow' | 'block'): Promise<void> {
  const choice: PickerChoice = {};
  const files: PickerFiles = {};
  try {
    for (const kind of ['audio', 'video'] as const) {
      const picked = document.querySelector<HTMLInputElement>(`input[name=${kind}]:checked`);
      if (!picked) continue;
      if (picked.dataset.file && decision === 'allow') files[kind] = (await chosenFile(kind))!;
      else if (!picked.dataset.file) choice[kind] = picked.value;
    }
  } catch (e) {
    $('problem').hidden = false;
    $('problem').textContent = (e as Error).message;
    return;
  }
  // Release the previews first so the page can open the device right away.
  stopAll();
  await uiRequest('picker/decide', {
    pickerId,
    decision,
    choice,
    files,
    remember: $<HTMLInputElement>('remember').checked,
  });
  window.close();
}

$('form').addEventListener('submit', (e) => {
  e.preventDefault();
  void decide('allow');
});
$('block').addEventListener('click', () => {
  void decide('block');
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') window.close();
});
window.addEventListener('pagehide', stopAll);
browser.runtime.onMessage.addListener((message: unknown) => {
  if (
    (message as { channel?: string; pickerId?: string })?.channel === 'picker-updated' &&
    (message as { pickerId?: string }).pickerId === pickerId
  )
    void render();
  return undefined;
});
localize(document);
guardInput();
void render();
