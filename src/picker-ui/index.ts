// The device picker window. It runs in the extension's origin, so it sees its own device list (with
// labels and capabilities once the person let MediaGate use the devices) and answers with labels,
// which the page maps to its own device ids.
import browser from 'webextension-polyfill';
import { uiRequest } from '../shared/ui-client';
import { localize, t } from '../shared/i18n';
import { candidates, rank, uniqueDevices, type DeviceDescription, type Kind } from '../shared/constraints';
import type { PickerChoice, PickerState } from '../shared/protocol';

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
  return infos.filter((d): d is InputDeviceInfo => d.kind === 'audioinput' || d.kind === 'videoinput').map((d) => ({
    deviceId: d.deviceId, groupId: d.groupId, kind: d.kind as 'audioinput' | 'videoinput', label: d.label,
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
  meters.push(() => { clearInterval(timer); void ctx.close(); });
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
  return ordered.length;
}

async function render(): Promise<void> {
  const state = await uiRequest('picker/get', { pickerId }).catch(() => null);
  if (!state) { window.close(); return; }
  stopAll();
  const kinds = (['video', 'audio'] as const).filter((k) => state.kinds[k]);
  $('origin').textContent = state.origin;
  $('wants').textContent = t(kinds.length === 2 ? 'pickerWantsBoth' : kinds[0] === 'video' ? 'pickerWantsCamera' : 'pickerWantsMicrophone');
  $('scope').textContent = t(__BROWSER__ === 'chromium' ? 'pickerScopeChromium' : 'pickerScopeFirefox');
  document.title = `${state.origin} – ${t('pickerWindowTitle')}`;
  try {
    // MediaGate's own access (asked once for the extension) gives labels and previews.
    access = await navigator.mediaDevices.getUserMedia({ audio: !!state.kinds.audio, video: !!state.kinds.video });
  } catch {
    access = null;
  }
  const devices = await describe();
  access?.getTracks().forEach((tr) => tr.stop());
  access = null;
  let missing = false;
  for (const kind of kinds) if (renderKind(kind, devices, state) === 0) missing = true;
  $('problem').hidden = !missing;
  $('problem').textContent = missing ? t('pickerNoDevice') : '';
  $<HTMLButtonElement>('allow').disabled = missing;
  (document.querySelector<HTMLInputElement>('input[type=radio]:checked') ?? $('allow')).focus();
}

async function decide(decision: 'allow' | 'block'): Promise<void> {
  const choice: PickerChoice = {};
  for (const kind of ['audio', 'video'] as const) {
    const picked = document.querySelector<HTMLInputElement>(`input[name=${kind}]:checked`);
    if (picked) choice[kind] = picked.value;
  }
  // Release the previews first so the page can open the device right away.
  stopAll();
  await uiRequest('picker/decide', { pickerId, decision, choice, remember: $<HTMLInputElement>('remember').checked });
  window.close();
}

$('form').addEventListener('submit', (e) => { e.preventDefault(); void decide('allow'); });
$('block').addEventListener('click', () => { void decide('block'); });
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') window.close(); });
window.addEventListener('pagehide', stopAll);
browser.runtime.onMessage.addListener((message: unknown) => {
  if ((message as { channel?: string; pickerId?: string })?.channel === 'picker-updated' && (message as { pickerId?: string }).pickerId === pickerId) void render();
  return undefined;
});
localize(document);
void render();
