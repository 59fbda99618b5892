// Pure getUserMedia constraint logic (Media Capture and Streams: SelectSettings / fitness distance,
// mediacapture-extensions: semantics "user-chooses"). Runs in the page's main world too: no imports,
// no browser APIs, and every export survives hostile input (throwing getters, Proxies, huge sequences).
//
// Model: each device is judged property by property against its InputDeviceInfo capabilities (a
// {min,max} range or a list of allowed values). A property whose capability is unknown (capabilities
// null, or the key missing) never removes a device and never adds distance: the browser decides later.
// Constraint values are converted like WebIDL would convert them; whatever WebIDL would reject (or a
// getter that throws, or a sequence longer than MAX) makes the whole constraints object unusable.

export type Kind = 'audio' | 'video';
export type Semantics = 'browser-chooses' | 'user-chooses';
export interface DeviceDescription {
  deviceId: string;
  groupId: string;
  kind: 'audioinput' | 'videoinput';
  label: string;
  /** From InputDeviceInfo.getCapabilities() where the browser has it (Chromium); null where unknown (Firefox). */
  capabilities: Record<string, unknown> | null;
}

const MAX = 1000;
const EPS = 1e-6;
const U32 = 2 ** 32;
const TypeErr = TypeError;
const { isArray } = Array;

/** u: unsigned long, d: restricted double, s: DOMString, b: boolean. */
type Type = 'u' | 'd' | 's' | 'b';
const KNOWN = new Map<string, Type>();
for (const [t, names] of [
  ['u', 'width height sampleRate sampleSize channelCount'],
  ['d', 'aspectRatio frameRate latency'],
  ['s', 'deviceId groupId facingMode resizeMode'],
  ['b', 'echoCancellation autoGainControl noiseSuppression'],
] as const)
  for (const n of names.split(' ')) KNOWN.set(n, t);

interface Range {
  lo: number;
  hi: number;
}
type Cap = Range | unknown[];
/** A numeric constraint: required interval [lo, hi] (req says whether min/max/exact was given), and ideal. */
interface NumC {
  lo: number;
  hi: number;
  req: boolean;
  ideal?: number;
}
/** A string/boolean constraint: the exact and ideal lists (absent when not given or empty). */
interface ValC {
  ex?: unknown[];
  id?: unknown[];
}
type C = NumC | ValC;
interface Dev {
  src: DeviceDescription;
  kind: string;
  id: string;
  group: string;
  label: string;
  caps: Map<string, Cap> | null;
}

type Obj = Record<PropertyKey, unknown>;
const isObj = (v: unknown): v is Obj => (typeof v === 'object' && v !== null) || typeof v === 'function';
const isSeq = (v: unknown): v is Obj & Iterable<unknown> => isObj(v) && v[Symbol.iterator] != null;
/** WebIDL (boolean or MediaTrackConstraints): null and objects are dictionaries, i.e. requests. */
const requested = (v: unknown): boolean => v !== undefined && (v === null || isObj(v) || Boolean(v));

function list(v: Iterable<unknown>): unknown[] {
  const out: unknown[] = [];
  for (const x of v) {
    if (out.length === MAX) throw 0;
    out.push(x);
  }
  return out;
}

function str(x: unknown): string {
  if (typeof x === 'symbol') throw 0;
  return String(x);
}

function parseMember(t: Type, v: unknown, bareExact: boolean): C | undefined {
  if (v === undefined) return undefined;
  const dict = v === null || isObj(v);
  const o = (v ?? {}) as Obj;
  if (t === 'u' || t === 'd') {
    const num = (x: unknown): number | undefined => {
      if (x === undefined) return undefined;
      const n = +(x as number);
      if (t === 'd') {
        if (!Number.isFinite(n)) throw 0;
        return n;
      }
      return Number.isFinite(n) ? ((Math.trunc(n) % U32) + U32) % U32 : 0;
    };
    if (!dict) {
      const n = num(v) as number;
      return bareExact ? { lo: n, hi: n, req: true } : { lo: -Infinity, hi: Infinity, req: false, ideal: n };
    }
    const max = num(o.max),
      min = num(o.min),
      exact = num(o.exact),
      ideal = num(o.ideal);
    let lo = min ?? -Infinity,
      hi = max ?? Infinity;
    if (exact !== undefined) {
      lo = Math.max(lo, exact);
      hi = Math.min(hi, exact);
    }
    return { lo, hi, req: min !== undefined || max !== undefined || exact !== undefined, ideal };
  }
  const conv = (x: unknown): unknown[] | undefined => {
    if (x === undefined) return undefined;
    const a = t === 'b' ? [Boolean(x)] : isSeq(x) ? list(x).map(str) : [str(x)];
    return a.length ? a : undefined;
  };
  if (dict && !(t === 's' && isSeq(v))) return { ex: conv(o.exact), id: conv(o.ideal) };
  return bareExact ? { ex: conv(v) } : { id: conv(v) };
}

function parseSet(v: unknown, names: Map<string, Type>, bareExact: boolean): Map<string, C> {
  const m = new Map<string, C>();
  if (v === undefined || v === null) return m;
  if (!isObj(v)) throw 0;
  for (const [n, t] of names) {
    const c = parseMember(t, v[n], bareExact);
    if (c) m.set(n, c);
  }
  return m;
}

/** The basic constraint set, or null when the kind is not requested. Throws when unusable. */
function parseTrack(tc: unknown, names: Map<string, Type>): Map<string, C> | null {
  if (!requested(tc)) return null;
  if (!isObj(tc)) return new Map();
  const basic = parseSet(tc, names, false);
  const adv = tc.advanced;
  if (adv !== undefined) {
    // Advanced sets never remove candidates nor change distances; they are converted only so that
    // input the browser would reject is found here too.
    if (!isSeq(adv)) throw 0;
    for (const s of list(adv)) parseSet(s, names, true);
  }
  return basic;
}

function capsOf(c: unknown): Map<string, Cap> | null {
  try {
    if (!isObj(c)) return null;
    const keys = Object.keys(c);
    if (keys.length > MAX) return null;
    const m = new Map<string, Cap>();
    const num = (x: unknown) => (typeof x === 'number' && x === x ? x : undefined);
    for (const k of keys) {
      if (k === 'advanced') continue;
      const v = c[k];
      if (isArray(v)) {
        if (v.length <= MAX) m.set(k, list(v));
      } else if (isObj(v)) {
        const lo = num(v.min),
          hi = num(v.max);
        if (lo !== undefined || hi !== undefined) m.set(k, { lo: lo ?? -Infinity, hi: hi ?? Infinity });
      } else if (typeof v === 'number') {
        if (v === v) m.set(k, { lo: v, hi: v });
      } else if (v !== undefined && v !== null) m.set(k, [v]);
    }
    return m;
  } catch {
    return null;
  }
}

function snap(d: unknown): Dev | null {
  try {
    if (!isObj(d)) return null;
    const kind = d.kind,
      id = d.deviceId,
      group = d.groupId,
      label = d.label,
      caps = d.capabilities;
    if (typeof id !== 'string' || typeof group !== 'string') return null;
    return {
      src: d as unknown as DeviceDescription,
      kind: typeof kind === 'string' ? kind : '',
      id,
      group,
      label: typeof label === 'string' ? label : '',
      caps: capsOf(caps),
    };
  } catch {
    return null;
  }
}

/** Known members plus any other capability the devices report (typed by the capability's shape). */
function namesFor(devs: Dev[]): Map<string, Type> {
  const names = new Map(KNOWN);
  for (const d of devs) {
    if (d.caps)
      for (const [n, cap] of d.caps) {
        if (!names.has(n))
          names.set(n, !isArray(cap) ? 'd' : cap.length && cap.every((x) => typeof x === 'boolean') ? 'b' : 's');
      }
  }
  return names;
}

function numDist(c: NumC, r: Range | undefined): number {
  let { lo, hi } = c;
  if (r) {
    lo = Math.max(lo, r.lo);
    hi = Math.min(hi, r.hi);
  }
  if (c.req && lo > hi + EPS) return Infinity;
  const i = c.ideal;
  if (i === undefined || !r) return 0;
  const a = Math.min(Math.max(i, lo), hi);
  return a === i ? 0 : Math.abs(a - i) / Math.max(Math.abs(a), Math.abs(i));
}

function valDist(c: ValC, a: unknown[] | undefined): number {
  if (!a) return 0;
  const { ex, id } = c;
  // An empty capability list means the device has no such setting: it fails exact, and is 1 from ideal.
  if (ex) {
    a = a.filter((x) => ex.includes(x));
    if (!a.length) return Infinity;
  }
  return id && !a.some((x) => id.includes(x)) ? 1 : 0;
}

function distance(d: Dev, m: Map<string, C>): number {
  let sum = 0;
  for (const [n, c] of m) {
    const cap = n === 'deviceId' ? [d.id] : n === 'groupId' ? [d.group] : d.caps?.get(n);
    sum += 'lo' in c ? numDist(c, cap && !isArray(cap) ? cap : undefined) : valDist(c, isArray(cap) ? cap : undefined);
  }
  return sum;
}

function snapAll(devices: unknown): Dev[] | null {
  if (!isArray(devices)) return null;
  const n = devices.length;
  if (n > MAX) return null;
  const out: Dev[] = [];
  for (let i = 0; i < n; i++) {
    const d = snap(devices[i]);
    if (d) out.push(d);
  }
  return out;
}

function scored(kind: unknown, tc: unknown, devices: unknown): { d: Dev; f: number; i: number }[] {
  try {
    if (kind !== 'audio' && kind !== 'video') return [];
    const devs = (snapAll(devices) ?? []).filter((d) => d.kind === `${kind}input`);
    const m = parseTrack(tc, namesFor(devs));
    if (!m) return [];
    const out: { d: Dev; f: number; i: number }[] = [];
    devs.forEach((d, i) => {
      const f = distance(d, m);
      if (f < Infinity) out.push({ d, f, i });
    });
    return out;
  } catch {
    return [];
  }
}

/** WebIDL-like check of MediaStreamConstraints.semantics: undefined, a valid value, or a TypeError to reject with. */
export function parseSemantics(v: unknown): Semantics | undefined | TypeError {
  if (v === undefined) return undefined;
  try {
    const s = str(v);
    if (s === 'browser-chooses' || s === 'user-chooses') return s;
    return new TypeErr(
      `The provided value '${s.slice(0, 100)}' is not a valid enum value of type GetUserMediaSemantics.`,
    );
  } catch {
    return new TypeErr('Cannot convert the semantics value to a string.');
  }
}

/** Devices of `kind` that can satisfy the required part (min/max/exact) of the basic constraint set. */
export function candidates(kind: Kind, trackConstraints: unknown, devices: DeviceDescription[]): DeviceDescription[] {
  return scored(kind, trackConstraints, devices).map((x) => x.d.src);
}

/** Fitness distance of a device for the basic set (Infinity when it cannot satisfy it, or the input is unusable). */
export function fitnessDistance(trackConstraints: unknown, device: DeviceDescription): number {
  try {
    const d = snap(device);
    if (!d) return Infinity;
    const m = parseTrack(trackConstraints, namesFor([d]));
    return m ? distance(d, m) : 0;
  } catch {
    return Infinity;
  }
}

/** Candidates for "browser chooses": by fitness distance, then the remembered label, then input order. */
export function rank(
  kind: Kind,
  trackConstraints: unknown,
  devices: DeviceDescription[],
  rememberedLabel?: string,
): DeviceDescription[] {
  const r = typeof rememberedLabel === 'string' && rememberedLabel !== '' ? rememberedLabel : undefined;
  const mem = (x: { d: Dev }) => (x.d.label === r ? 0 : 1);
  return scored(kind, trackConstraints, devices)
    .sort((a, b) => a.f - b.f || mem(a) - mem(b) || a.i - b.i)
    .map((x) => x.d.src);
}

/** Drops Chromium's 'default'/'communications' aliases ("Default - X") of a listed device X of the same group. */
export function uniqueDevices(devices: DeviceDescription[]): DeviceDescription[] {
  try {
    if (!isArray(devices)) return [];
    const n = devices.length;
    if (n > MAX) return [];
    const raw: unknown[] = [];
    for (let i = 0; i < n; i++) raw.push(devices[i]);
    const snaps = raw.map(snap);
    const alias = (d: Dev) => d.id === 'default' || d.id === 'communications';
    const key = (d: Dev, label: string) => `${d.kind}\n${d.group}\n${label}`;
    const real = new Set<string>();
    for (const d of snaps) if (d && !alias(d)) real.add(key(d, d.label));
    return raw.filter((_, i) => {
      const d = snaps[i];
      if (!d || !alias(d)) return true;
      const j = d.label.indexOf(' - ');
      return !(j > 0 && real.has(key(d, d.label.slice(j + 3))));
    }) as DeviceDescription[];
  } catch {
    return [];
  }
}

/** The track constraints with `deviceId: {exact: id}` (groupId dropped); a new object, input untouched. */
export function pinDevice(trackConstraints: unknown, deviceId: string): Record<string, unknown> {
  let id = '';
  try {
    id = str(deviceId);
  } catch {
    /* keep '' */
  }
  const tc = trackConstraints;
  try {
    if (!isObj(tc)) return { deviceId: { exact: id } };
    const keys = new Set<string>(KNOWN.keys()).add('advanced');
    let n = 0;
    for (const k in tc) {
      if (++n > MAX) throw 0;
      keys.add(k);
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      if (k === 'deviceId' || k === 'groupId' || k === '__proto__') continue;
      const v = tc[k];
      if (v !== undefined) out[k] = v;
    }
    out.deviceId = { exact: id };
    return out;
  } catch {
    return { deviceId: { exact: id } };
  }
}

/** Kinds whose member converts to true under WebIDL (boolean or MediaTrackConstraints). */
export function requestedKinds(constraints: unknown): Kind[] {
  try {
    if (!isObj(constraints)) return [];
    const a = constraints.audio,
      v = constraints.video;
    const out: Kind[] = [];
    if (requested(a)) out.push('audio');
    if (requested(v)) out.push('video');
    return out;
  } catch {
    return [];
  }
}
