// Pure getUserMedia constraint logic (Media Capture and Streams: SelectSettings / fitness distance,
// mediacapture-extensions: semantics "user-chooses"). Runs in the page's main world too: no imports,
// no browser APIs, and every export survives hostile input (throwing getters, Proxies, huge sequences).
// In the main world it runs after the page's scripts (the picker chunk), so it calls no method of
// Array, Map or Set: a page-replaced Array.prototype.push or Map.prototype.set would receive the device
// list (labels the page may not see) and MediaGate's other objects. Dictionaries are null-prototype
// objects, lists are filled by index, strings are searched with loops.
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

/**
 * The two built-ins this module needs on MediaGate's own data (the device list, capabilities). A
 * main-world chunk evaluates this module after the page's scripts, when the globals may be the page's:
 * it hands over the core's captured ones (useBuiltins) before calling anything here. Elsewhere the
 * globals are read at the call.
 */
interface Builtins {
  isArray(v: unknown): v is unknown[];
  /** Own enumerable string keys, as Object.keys. */
  keys(o: object): string[];
}
let builtins: Builtins | null = null;
export function useBuiltins(b: Builtins): void {
  builtins = b;
}
const isArray = (v: unknown): v is unknown[] => (builtins ? builtins.isArray(v) : Array.isArray(v));
const keysOf = (o: object): string[] => (builtins ? builtins.keys(o) : Object.keys(o));

/** A string-keyed dictionary that inherits nothing (no method calls, no page getters on Object.prototype). */
type Dict<V> = Record<string, V>;
const dict = <V>(): Dict<V> => ({ __proto__: null }) as unknown as Dict<V>;
const has = (d: Dict<unknown>, k: string): boolean => d[k] !== undefined;
/** Index of `needle` in `s`, as String.prototype.indexOf (without calling it on a label). */
function find(s: string, needle: string): number {
  for (let i = 0; i + needle.length <= s.length; i++) {
    let j = 0;
    while (j < needle.length && s[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
/** `s` from index `from` on, as String.prototype.slice(from). */
function tail(s: string, from: number): string {
  let out = '';
  for (let i = from; i < s.length; i++) out += s[i];
  return out;
}
function includes(a: unknown[], v: unknown): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] === v) return true;
  return false;
}

/** u: unsigned long, d: restricted double, s: DOMString, b: boolean. */
type Type = 'u' | 'd' | 's' | 'b';
/** Names in the order they are judged (an own key list keeps it independent of the engine's key order). */
const KNOWN_TYPES: [string, Type][] = [
  ['width', 'u'],
  ['height', 'u'],
  ['sampleRate', 'u'],
  ['sampleSize', 'u'],
  ['channelCount', 'u'],
  ['aspectRatio', 'd'],
  ['frameRate', 'd'],
  ['latency', 'd'],
  ['deviceId', 's'],
  ['groupId', 's'],
  ['facingMode', 's'],
  ['resizeMode', 's'],
  ['echoCancellation', 'b'],
  ['autoGainControl', 'b'],
  ['noiseSuppression', 'b'],
];
/** Constraint names with their WebIDL types: `keys` in order, `types` by name. */
interface Names {
  keys: string[];
  types: Dict<Type>;
}
function knownNames(): Names {
  const names: Names = { keys: [], types: dict() };
  for (let i = 0; i < KNOWN_TYPES.length; i++) {
    const e = KNOWN_TYPES[i]!;
    names.keys[names.keys.length] = e[0];
    names.types[e[0]] = e[1];
  }
  return names;
}

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
  caps: Dict<Cap> | null;
}
/** A parsed constraint set: the names given, in order, and their constraints. */
interface CSet {
  keys: string[];
  c: Dict<C>;
}

type Obj = Record<PropertyKey, unknown>;
const isObj = (v: unknown): v is Obj => (typeof v === 'object' && v !== null) || typeof v === 'function';
const isSeq = (v: unknown): v is Obj & Iterable<unknown> => isObj(v) && v[Symbol.iterator] != null;
/** WebIDL (boolean or MediaTrackConstraints): null and objects are dictionaries, i.e. requests. */
const requested = (v: unknown): boolean => v !== undefined && (v === null || isObj(v) || Boolean(v));

/** A page's sequence, converted as WebIDL does: through its own iterator (the page's objects only). */
function list(v: Iterable<unknown>): unknown[] {
  const out: unknown[] = [];
  for (const x of v) {
    if (out.length === MAX) throw 0;
    out[out.length] = x;
  }
  return out;
}
/** A copy of one of MediaGate's arrays, by index. */
function copy(v: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) out[i] = v[i];
  return out;
}

function str(x: unknown): string {
  if (typeof x === 'symbol') throw 0;
  return `${x as string}`;
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
    let a: unknown[];
    if (t === 'b') a = [!!x];
    else if (isSeq(x)) {
      a = list(x);
      for (let i = 0; i < a.length; i++) a[i] = str(a[i]);
    } else a = [str(x)];
    return a.length ? a : undefined;
  };
  if (dict && !(t === 's' && isSeq(v))) return { ex: conv(o.exact), id: conv(o.ideal) };
  return bareExact ? { ex: conv(v) } : { id: conv(v) };
}

function parseSet(v: unknown, names: Names, bareExact: boolean): CSet {
  const m: CSet = { keys: [], c: dict() };
  if (v === undefined || v === null) return m;
  if (!isObj(v)) throw 0;
  for (let i = 0; i < names.keys.length; i++) {
    const n = names.keys[i]!;
    const c = parseMember(names.types[n]!, v[n], bareExact);
    if (c) {
      m.keys[m.keys.length] = n;
      m.c[n] = c;
    }
  }
  return m;
}

/** The basic constraint set, or null when the kind is not requested. Throws when unusable. */
function parseTrack(tc: unknown, names: Names): CSet | null {
  if (!requested(tc)) return null;
  if (!isObj(tc)) return { keys: [], c: dict() };
  const basic = parseSet(tc, names, false);
  const adv = tc.advanced;
  if (adv !== undefined) {
    // Advanced sets never remove candidates nor change distances; they are converted only so that
    // input the browser would reject is found here too.
    if (!isSeq(adv)) throw 0;
    const sets = list(adv);
    for (let i = 0; i < sets.length; i++) parseSet(sets[i], names, true);
  }
  return basic;
}

function capsOf(c: unknown): Dict<Cap> | null {
  try {
    if (!isObj(c)) return null;
    const keys = keysOf(c);
    if (keys.length > MAX) return null;
    const m = dict<Cap>();
    const num = (x: unknown) => (typeof x === 'number' && x === x ? x : undefined);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k === 'advanced') continue;
      const v = c[k];
      if (isArray(v)) {
        if (v.length <= MAX) m[k] = copy(v);
      } else if (isObj(v)) {
        const lo = num(v.min),
          hi = num(v.max);
        if (lo !== undefined || hi !== undefined) m[k] = { lo: lo ?? -Infinity, hi: hi ?? Infinity };
      } else if (typeof v === 'number') {
        if (v === v) m[k] = { lo: v, hi: v };
      } else if (v !== undefined && v !== null) m[k] = [v];
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
function namesFor(devs: Dev[]): Names {
  const names = knownNames();
  for (let i = 0; i < devs.length; i++) {
    const caps = devs[i]!.caps;
    if (!caps) continue;
    for (const n in caps) {
      if (has(names.types, n)) continue;
      const cap = caps[n]!;
      let bools = isArray(cap) && cap.length > 0;
      if (isArray(cap)) for (let j = 0; j < cap.length; j++) if (typeof cap[j] !== 'boolean') bools = false;
      names.keys[names.keys.length] = n;
      names.types[n] = !isArray(cap) ? 'd' : bools ? 'b' : 's';
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
    const kept: unknown[] = [];
    for (let i = 0; i < a.length; i++) if (includes(ex, a[i])) kept[kept.length] = a[i];
    a = kept;
    if (!a.length) return Infinity;
  }
  if (!id) return 0;
  for (let i = 0; i < a.length; i++) if (includes(id, a[i])) return 0;
  return 1;
}

function distance(d: Dev, m: CSet): number {
  let sum = 0;
  for (let i = 0; i < m.keys.length; i++) {
    const n = m.keys[i]!;
    const c = m.c[n]!;
    const cap = n === 'deviceId' ? [d.id] : n === 'groupId' ? [d.group] : d.caps?.[n];
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
    if (d) out[out.length] = d;
  }
  return out;
}

function scored(kind: unknown, tc: unknown, devices: unknown): { d: Dev; f: number; i: number }[] {
  try {
    if (kind !== 'audio' && kind !== 'video') return [];
    const all = snapAll(devices) ?? [];
    const devs: Dev[] = [];
    for (let i = 0; i < all.length; i++) if (all[i]!.kind === `${kind}input`) devs[devs.length] = all[i]!;
    const m = parseTrack(tc, namesFor(devs));
    if (!m) return [];
    const out: { d: Dev; f: number; i: number }[] = [];
    for (let i = 0; i < devs.length; i++) {
      const f = distance(devs[i]!, m);
      if (f < Infinity) out[out.length] = { d: devs[i]!, f, i };
    }
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
  const s = scored(kind, trackConstraints, devices);
  const out: DeviceDescription[] = [];
  for (let i = 0; i < s.length; i++) out[i] = s[i]!.d.src;
  return out;
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
  const before = (a: { d: Dev; f: number; i: number }, b: { d: Dev; f: number; i: number }) =>
    (a.f - b.f || mem(a) - mem(b) || a.i - b.i) < 0;
  const s = scored(kind, trackConstraints, devices);
  // Insertion sort: the order is total (input order breaks ties), and the lists are short.
  for (let i = 1; i < s.length; i++) {
    const x = s[i]!;
    let j = i - 1;
    for (; j >= 0 && before(x, s[j]!); j--) s[j + 1] = s[j]!;
    s[j + 1] = x;
  }
  const out: DeviceDescription[] = [];
  for (let i = 0; i < s.length; i++) out[i] = s[i]!.d.src;
  return out;
}

/** Drops Chromium's 'default'/'communications' aliases ("Default - X") of a listed device X of the same group. */
export function uniqueDevices(devices: DeviceDescription[]): DeviceDescription[] {
  try {
    if (!isArray(devices)) return [];
    const n = devices.length;
    if (n > MAX) return [];
    const raw: unknown[] = [];
    for (let i = 0; i < n; i++) raw[i] = devices[i];
    const snaps: (Dev | null)[] = [];
    for (let i = 0; i < n; i++) snaps[i] = snap(raw[i]);
    const alias = (d: Dev) => d.id === 'default' || d.id === 'communications';
    const key = (d: Dev, label: string) => `${d.kind}\n${d.group}\n${label}`;
    const real = dict<true>();
    for (let i = 0; i < n; i++) {
      const d = snaps[i];
      if (d && !alias(d)) real[key(d, d.label)] = true;
    }
    const out: DeviceDescription[] = [];
    for (let i = 0; i < n; i++) {
      const d = snaps[i];
      const j = d && alias(d) ? find(d.label, ' - ') : -1;
      if (!(d && j > 0 && has(real, key(d, tail(d.label, j + 3))))) out[out.length] = raw[i] as DeviceDescription;
    }
    return out;
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
    // The known names, then 'advanced', then the page's own, each once, in that order.
    const keys: string[] = [];
    const seen = dict<true>();
    const add = (k: string) => {
      if (has(seen, k)) return;
      seen[k] = true;
      keys[keys.length] = k;
    };
    for (let i = 0; i < KNOWN_TYPES.length; i++) add(KNOWN_TYPES[i]![0]);
    add('advanced');
    let n = 0;
    for (const k in tc) {
      if (++n > MAX) throw 0;
      add(k);
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
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
    if (requested(a)) out[out.length] = 'audio';
    if (requested(v)) out[out.length] = 'video';
    return out;
  } catch {
    return [];
  }
}
