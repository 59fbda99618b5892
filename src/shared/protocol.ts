// The one message protocol of MediaGate. Three hops:
//   main world (page-controlled, untrusted)  <-MessagePort->  content script  <-runtime->  background
//   extension pages (popup, options, picker)  <-runtime->  background
// Each direction has its own map of message types (PageToBackground, PageToContent, BackgroundToPage,
// UiToBackground) and its own table of validators below, all of one shape: `valid` checks an untrusted
// payload, `normalize` rebuilds it from the known fields so that nothing a sender added travels on.
// The background never believes an origin, tab or frame that a payload claims.

import { isRecord, isString, isBoolean, isArrayOf, isOneOf, isFiniteNumber } from './validate';
import { DECISIONS, PERMISSION_KINDS, type Decision, type PermissionKind, type SiteTable } from './permissions';
import { sanitizeSettings, type Settings } from './settings';
import { isWebOrigin } from './origin';
import { GRANT_SOURCES, type GrantSource, type GrantState, type GrantTable } from './screen-grants';
import { PAGE_ASSETS, CHUNK_NAMES, type PageAssetName, type ChunkName, type ChunkStrings } from './chunks';

import {
  MEDIA_SESSION_ACTIONS,
  isMediaSessionAction,
  SCREEN_SOURCES,
  type MediaSessionAction,
  type ScreenSource,
} from './page-constants';
export {
  MEDIA_SESSION_ACTIONS,
  isMediaSessionAction,
  SCREEN_SOURCES,
  type MediaSessionAction,
  type ScreenSource,
} from './page-constants';
import { isHex256, type HandoffTicket } from './handoff-ticket';

export interface TrackInfo {
  id: string;
  kind: 'audio' | 'video';
  label: string;
  enabled: boolean;
  muted: boolean;
  /**
   * Only on tracks whose effect the person can switch from MediaGate's UI (tracks MediaGate processes):
   * whether it is on. The effect follows the kind: audio voiceIsolation, video backgroundBlur.
   */
  effect?: boolean;
  /** MediaGate muted it for the person (the page registered no handler); absent otherwise. */
  held?: true;
}

/** What a frame reports about its capture and Media Session state (a full snapshot each time). */
export interface CallSnapshot {
  tracks: TrackInfo[];
  actions: MediaSessionAction[];
  /** What the page itself reported through setMicrophoneActive/setCameraActive/..., if anything. */
  reported: { microphone?: boolean; camera?: boolean; screenshare?: boolean };
  /** MediaGate heard the person speak while the microphone is muted (its own hint, for pages without a handler). */
  talkingWhileMuted?: true;
}

/** Background's view of one frame in a call; origin/tab/frame come from the runtime sender. */
export interface CallRecord extends CallSnapshot {
  tabId: number;
  frameId: number;
  origin: string;
  title: string;
  updated: number;
}

/** JSON-safe data (track constraints copied out of the page, bounded in size). */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One kind the page asks the person about. */
export interface KindAsk {
  /** The page's track constraints for this kind, as data. */
  constraints: Json;
  /** Labels of the devices that fit, when the page could see labels; null: the picker finds out. */
  candidates: string[] | null;
}
export interface PickerKinds {
  audio?: KindAsk;
  video?: KindAsk;
}
export const COMMANDS = ['toggle-microphone', 'toggle-camera', 'leave-call', 'focus-call', 'stop-capture'] as const;
export type CommandName = (typeof COMMANDS)[number];

export type PickerChoice = { audio?: string; video?: string };
/** A local file the person chose instead of a device; the page plays it as the track. */
export interface PickerFile {
  name: string;
  type: string;
  base64: string;
}
export type PickerFiles = { audio?: PickerFile; video?: PickerFile };
export type PickerOutcome =
  { ok: true; choice: PickerChoice; files?: PickerFiles } | { ok: false; error: SerializedError };

/** What the picker window shows (background's merged view of all pending requests of one tab). */
export interface PickerState {
  pickerId: string;
  origin: string;
  kinds: PickerKinds;
  remembered: { audio?: string; video?: string };
  /** Devices (by label) that another tab is capturing: label -> that tab's origin. */
  busy: { audio?: Record<string, string>; video?: Record<string, string> };
}

/** getUserMedia({video: {mediaSource, tabId}, audio}) as the main world validated it. */
export interface ScreenCaptureRequest {
  source: ScreenSource;
  /** Only with source "browser": the tab to capture (Chromium tab id). */
  tabId?: number;
  audio: boolean;
  /** The page's width / height / frameRate constraints, as data. */
  size?: ScreenSize;
  /** The page had user activation when it called: without, the grant window does not take the focus. */
  activated?: boolean;
}
export interface ScreenSize {
  width?: Json;
  height?: Json;
  frameRate?: Json;
}
/** Chromium's legacy numeric bounds for a `chromeMediaSource` capture. */
export type LegacySize = Partial<
  Record<'minWidth' | 'maxWidth' | 'minHeight' | 'maxHeight' | 'minFrameRate' | 'maxFrameRate', number>
>;
/**
 * How the page opens what the background chose. Chromium: a single-use stream id for getUserMedia's
 * legacy `chromeMediaSource` constraint ("tab" from tabCapture, "desktop" from desktopCapture).
 * Firefox: the page's own call goes to Firefox's native `mediaSource` path.
 */
export type ScreenCaptureAnswer =
  | {
      via: 'tab' | 'desktop';
      streamId: string;
      audio: boolean;
      size: LegacySize;
      /** What the tracks capture (getSettings): Chromium shares an "application" as a window. */
      mediaSource: ScreenSource;
      /** The captured tab, when known (tabCapture of a given tab). */
      tabId?: number;
    }
  | { via: 'native' }
  /** MediaGate's (or the person's) no, as the page's error; a failed request instead means "go native". */
  | { via: 'refused'; name: ScreenRefusal; message: string };
export const SCREEN_REFUSALS = [
  'NotAllowedError',
  'NotFoundError',
  'NotReadableError',
  'OverconstrainedError',
] as const;
export type ScreenRefusal = (typeof SCREEN_REFUSALS)[number];

/** What the screen-capture grant window shows. */
export interface ScreenGrantState {
  grantId: string;
  origin: string;
  source: ScreenGrantSource;
}
export type ScreenGrantSource = 'browser' | 'screen';
/** A frame sharing through MediaGate (the popup's "Stop sharing"). */
export interface ScreenSharing {
  tabId: number;
  frameId: number;
  origin: string;
  source: ScreenSource;
  since: number;
}

/** Requests from the main world that the background answers (through the content script's relay). */
export interface PageToBackground {
  'calls/update': { req: CallSnapshot; res: null };
  /** `activated`: the page had user activation when it called; without, the picker does not take the focus. */
  'picker/open': { req: { kinds: PickerKinds; activated?: boolean }; res: { requestId: string } };
  /** Injects a lazily loaded main-world bundle into the asking frame; answers with its UI strings. */
  'chunk/load': { req: { name: ChunkName }; res: ChunkStrings };
  /** A bundled binary a chunk needs (e.g. the RNNoise wasm), base64-encoded. */
  'chunk/asset': { req: { name: PageAssetName }; res: string };
  /** Answers once the person granted and chose, or with the refusal the page sees. */
  'screen-capture/open': { req: ScreenCaptureRequest; res: ScreenCaptureAnswer };
}
/** Requests from the main world that the content script answers itself (what runtime messaging cannot carry). */
export interface PageToContent {
  /** The main world's first need of its config (src/content/index.ts reads it only then): it comes as the 'config' push. */
  'config/now': { req: Record<string, never>; res: null };
  /** A port to person segmentation in MediaGate's own frame, for pages whose CSP forbids wasm (src/content/segmenter-frame.ts). */
  'effects/segmenter': { req: Record<string, never>; res: MessagePort };
  /** A newer instance's proof for the previous instance's nonce (src/injected/handoff.ts); once, right after the handshake. */
  'handoff/prove': { req: { nonce: string }; res: string };
}
/** Pushes the content script itself makes to its main world (besides the config). */
export interface ContentToPage {
  /** The nonce at the handshake, its proof after the load: what a newer instance must match to take over. */
  'handoff/ticket': HandoffTicket;
}
export type ContentToPageType = keyof ContentToPage;
/** Everything the main world may ask, wherever it is answered (the bridge's request()). */
export type PageRequests = PageToBackground & PageToContent;
/** Pushes from the background to one frame's main world (tabs.sendMessage, relayed by the content script). */
export interface BackgroundToPage {
  'media-session/invoke': { action: MediaSessionAction };
  'picker/result': { requestId: string; outcome: PickerOutcome };
  /** Another tab took this device over through the picker: end the tracks using it. */
  'call-detection/release': { kind: 'audio' | 'video'; label: string };
  /** The toolbar popup asks the page to show its call window. */
  'call-window/open': Record<string, never>;
  /** Hard mute: MediaGate itself sets `enabled` on the tracks the page captured. */
  'call-detection/set-enabled': { kind: 'audio' | 'video'; enabled: boolean };
  /** Mute (or unmute) a kind for the person where the page registered no handler: the page sees `muted`. */
  'call-detection/hold': { kind: 'audio' | 'video'; held: boolean };
  /** Stop camera and microphone: every capture track of the frame ends. */
  'call-detection/stop-all': Record<string, never>;
  /** The person stopped the sharing from MediaGate: end the screen-capture tracks. */
  'screen-capture/stop': Record<string, never>;
  /** The person switched an effect (audio: voiceIsolation, video: backgroundBlur) of the frame's processed tracks. */
  'effects/set': { kind: 'audio' | 'video'; on: boolean };
}
/** Requests from MediaGate's own pages (popup, options, picker, grant window) to the background. */
export interface UiToBackground {
  'calls/list': { req: Record<string, never>; res: CallRecord[] };
  'calls/invoke': { req: { tabId: number; frameId: number; action: MediaSessionAction }; res: boolean };
  /** Shows the call window of a tab (in the page: the popup's click is no gesture in the page). */
  'calls/call-window': { req: { tabId: number }; res: boolean };
  'calls/stop': { req: { tabId: number }; res: boolean };
  'picker/get': { req: { pickerId: string }; res: PickerState | null };
  'picker/decide': {
    req: {
      pickerId: string;
      decision: 'allow' | 'block';
      choice: PickerChoice;
      files?: PickerFiles;
      remember: boolean;
    };
    res: boolean;
  };
  'sites/list': { req: Record<string, never>; res: SiteTable };
  'sites/set': { req: { origin: string; kind: PermissionKind; state: Decision }; res: boolean };
  'settings/get': { req: Record<string, never>; res: { effective: Settings; pinned: string[] } };
  /** Runs a keyboard command's action (the popup and tests use the same path as the shortcut). */
  'commands/run': { req: { command: CommandName }; res: boolean };
  'settings/set': { req: { settings: Partial<Settings> }; res: { effective: Settings; pinned: string[] } };
  'screen-grant/get': { req: { grantId: string }; res: ScreenGrantState | null };
  'screen-grant/decide': { req: { grantId: string; decision: 'allow' | 'block' }; res: boolean };
  'screen-capture/list': { req: Record<string, never>; res: ScreenSharing[] };
  /** The application permissions of screen capture, for the options page. */
  'screen-grants/list': { req: Record<string, never>; res: GrantTable };
  /** "ask" forgets: the grant window shows again next time. */
  'screen-grants/set': { req: { origin: string; source: GrantSource; state: GrantState | 'ask' }; res: boolean };
  'screen-capture/stop': { req: { tabId: number; frameId: number }; res: boolean };
  /** Switches a call's effect (audio: voiceIsolation, video: backgroundBlur); false when no track there can switch it. */
  'calls/effect': { req: { tabId: number; frameId: number; kind: 'audio' | 'video'; on: boolean }; res: boolean };
}

export type PageToBackgroundType = keyof PageToBackground;
export type PageToContentType = keyof PageToContent;
export type PageRequestType = keyof PageRequests;
export type UiToBackgroundType = keyof UiToBackground;
export type BackgroundToPageType = keyof BackgroundToPage;

export interface SerializedError {
  name: string;
  message: string;
}
export type Response<T> = { ok: true; result: T } | { ok: false; error: SerializedError };

/** content -> background envelope (a union discriminated by type) */
export type PageEnvelope = {
  [K in PageToBackgroundType]: { channel: 'page'; type: K; payload: PageToBackground[K]['req'] };
}[PageToBackgroundType];
/** main world -> content script, for what the content script answers itself */
export type ContentEnvelope = {
  [K in PageToContentType]: { type: K; payload: PageToContent[K]['req'] };
}[PageToContentType];
/** extension page -> background envelope */
export type UiEnvelope = {
  [K in UiToBackgroundType]: { channel: 'ui'; type: K; payload: UiToBackground[K]['req'] };
}[UiToBackgroundType];
/** background -> content (tabs.sendMessage) envelope */
export type PushEnvelope<K extends BackgroundToPageType = BackgroundToPageType> = {
  [P in K]: { channel: 'push'; type: P; payload: BackgroundToPage[P] };
}[K];

// ---- main world <-> content script, over the private MessagePort -------------------------------

export { BRIDGE_HANDSHAKE } from './page-constants';
export interface BridgeRequest {
  id: number;
  type: string;
  payload: unknown;
}
export interface BridgeResponse {
  id: number;
  response: Response<unknown>;
}
export interface BridgePush {
  push: string;
  payload: unknown;
}

// ---- limits and validators ---------------------------------------------------------------------

export const LIMITS = {
  tracks: 64,
  idLength: 128,
  labelLength: 512,
  titleLength: 512,
  candidates: 64,
  jsonDepth: 6,
  jsonItems: 200,
  jsonString: 512,
  /** A chosen file travels base64-encoded through runtime messages (Chromium caps those at 64 MiB). */
  fileBytes: 32 * 1024 * 1024,
} as const;

/** Bounded JSON data: depth, total items and string lengths limited. */
export function isJson(v: unknown, depth = 0, budget = { items: LIMITS.jsonItems }): v is Json {
  if (--budget.items < 0 || depth > LIMITS.jsonDepth) return false;
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string') return v.length <= LIMITS.jsonString;
  // An array's named properties are data too (a clone keeps them): only plain index lists pass.
  if (Array.isArray(v))
    return (
      Object.keys(v).length === v.length &&
      isArrayOf(v, (x): x is Json => isJson(x, depth + 1, budget), LIMITS.jsonItems)
    );
  if (isRecord(v))
    return Object.entries(v).every(([k, x]) => k.length <= LIMITS.jsonString && isJson(x, depth + 1, budget));
  return false;
}

const isLabel = (v: unknown): v is string => isString(v) && v.length <= LIMITS.labelLength;
const isKindAsk = (v: unknown): v is KindAsk =>
  isRecord(v) &&
  isJson(v.constraints) &&
  (v.candidates === null || isArrayOf(v.candidates, isLabel, LIMITS.candidates));
const isPickerKinds = (v: unknown): v is PickerKinds =>
  isRecord(v) &&
  (v.audio !== undefined || v.video !== undefined) &&
  (v.audio === undefined || isKindAsk(v.audio)) &&
  (v.video === undefined || isKindAsk(v.video)) &&
  Object.keys(v).every((k) => k === 'audio' || k === 'video');
const isPickerChoice = (v: unknown): v is PickerChoice =>
  isRecord(v) && Object.keys(v).every((k) => (k === 'audio' || k === 'video') && isLabel(v[k]));
const isPickerFile = (v: unknown): v is PickerFile =>
  isRecord(v) &&
  isString(v.name) &&
  v.name.length <= LIMITS.labelLength &&
  isString(v.type) &&
  /^(audio|video)\/[\w.+-]{1,100}$/.test(v.type) &&
  isString(v.base64) &&
  v.base64.length <= Math.ceil(LIMITS.fileBytes / 3) * 4 &&
  /^[A-Za-z0-9+/]*={0,2}$/.test(v.base64);
const isPickerFiles = (v: unknown): v is PickerFiles =>
  isRecord(v) &&
  Object.keys(v).every(
    (k) => (k === 'audio' || k === 'video') && isPickerFile(v[k]) && (v[k] as PickerFile).type.startsWith(k),
  );
const copyFiles = (f: PickerFiles): PickerFiles =>
  Object.fromEntries(Object.entries(f).map(([k, x]) => [k, { name: x.name, type: x.type, base64: x.base64 }]));
const isPickerId = (v: unknown): v is string => isString(v) && /^[a-z0-9-]{1,64}$/.test(v);
const copyKindAsk = (k: KindAsk): KindAsk => ({
  constraints: JSON.parse(JSON.stringify(k.constraints)) as Json,
  candidates: k.candidates ? [...k.candidates] : null,
});

const boundedString =
  (max: number) =>
  (v: unknown): v is string =>
    isString(v) && v.length <= max;

export function isTrackInfo(v: unknown): v is TrackInfo {
  return (
    isRecord(v) &&
    boundedString(LIMITS.idLength)(v.id) &&
    isOneOf(v.kind, ['audio', 'video'] as const) &&
    boundedString(LIMITS.labelLength)(v.label) &&
    isBoolean(v.enabled) &&
    isBoolean(v.muted) &&
    (v.effect === undefined || isBoolean(v.effect)) &&
    (v.held === undefined || v.held === true)
  );
}

export function isCallSnapshot(v: unknown): v is CallSnapshot {
  if (!isRecord(v) || !isRecord(v.reported)) return false;
  const r = v.reported;
  const optBool = (x: unknown) => x === undefined || isBoolean(x);
  return (
    isArrayOf(v.tracks, isTrackInfo, LIMITS.tracks) &&
    isArrayOf(v.actions, isMediaSessionAction, MEDIA_SESSION_ACTIONS.length) &&
    optBool(r.microphone) &&
    optBool(r.camera) &&
    optBool(r.screenshare) &&
    (v.talkingWhileMuted === undefined || v.talkingWhileMuted === true)
  );
}

/** A fresh copy holding exactly the snapshot's fields: extra fields a page adds never travel on. */
export function normalizeSnapshot(v: CallSnapshot): CallSnapshot {
  const reported: CallSnapshot['reported'] = {};
  for (const k of ['microphone', 'camera', 'screenshare'] as const)
    if (v.reported[k] !== undefined) reported[k] = v.reported[k];
  return {
    tracks: v.tracks.map((t) => ({
      id: t.id,
      kind: t.kind,
      label: t.label,
      enabled: t.enabled,
      muted: t.muted,
      ...(t.effect !== undefined ? { effect: t.effect } : {}),
      ...(t.held ? { held: true as const } : {}),
    })),
    actions: [...new Set(v.actions)],
    reported,
    ...(v.talkingWhileMuted ? { talkingWhileMuted: true as const } : {}),
  };
}

/** Chromium tab ids are positive 32-bit integers; the page may name any (the background checks it exists). */
const isTabId = (v: unknown): v is number => isFiniteNumber(v) && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff;

const SIZE_KEYS = ['width', 'height', 'frameRate'] as const;
const isScreenSize = (v: unknown): v is ScreenSize =>
  isRecord(v) &&
  Object.entries(v).every(([k, x]) => (SIZE_KEYS as readonly string[]).includes(k) && (x === undefined || isJson(x)));

export function isScreenCaptureRequest(v: unknown): v is ScreenCaptureRequest {
  if (!isRecord(v) || !isOneOf(v.source, SCREEN_SOURCES) || !isBoolean(v.audio)) return false;
  if (
    !Object.keys(v).every((k) => k === 'source' || k === 'tabId' || k === 'audio' || k === 'size' || k === 'activated')
  )
    return false;
  if (v.activated !== undefined && !isBoolean(v.activated)) return false;
  if (v.size !== undefined && !isScreenSize(v.size)) return false;
  // A tab only makes sense for "browser"; the main world never sends it for anything else.
  return v.tabId === undefined || (v.source === 'browser' && isTabId(v.tabId));
}

/** One message type's payload: `valid` checks what arrived, `normalize` rebuilds it from known fields. */
interface Schema<T> {
  valid: (v: unknown) => v is T;
  normalize: (v: T) => T;
}
/** A direction's validators, one per message type of its map. */
type Table<M> = { [K in keyof M]: Schema<M[K]> };
type Requests<M> = { [K in keyof M]: M[K] extends { req: infer R } ? R : never };

const isEmpty = (v: unknown): v is Record<string, never> => isRecord(v) && Object.keys(v).length === 0;
const EMPTY: Schema<Record<string, never>> = { valid: isEmpty, normalize: () => ({}) };
/**
 * A payload of the given fields, each checked; normalising copies those fields only. `exact` also
 * refuses a payload with any other field (for requests whose sender never adds one).
 */
function fields<T extends object>(checks: { [K in keyof T]-?: (x: unknown) => boolean }, exact = false): Schema<T> {
  const keys = Object.keys(checks) as (keyof T & string)[];
  return {
    valid: (v): v is T =>
      isRecord(v) &&
      (!exact || Object.keys(v).every((k) => Object.hasOwn(checks, k))) &&
      keys.every((k) => (checks[k] as (x: unknown) => boolean)(v[k])),
    normalize: (v) => {
      const copy: Partial<T> = {};
      for (const k of keys) if (v[k] !== undefined) copy[k] = v[k];
      return copy as T;
    },
  };
}
const KINDS = ['audio', 'video'] as const;
const isKind = (x: unknown) => isOneOf(x, KINDS);
/** A tab or frame id: a non-negative integer that a number holds exactly (3.6e27 is an integer, but no id). */
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const optional = (check: (x: unknown) => boolean) => (x: unknown) => x === undefined || check(x);

const pageToBackground: Table<Requests<PageToBackground>> = {
  'calls/update': { valid: isCallSnapshot, normalize: normalizeSnapshot },
  'picker/open': {
    valid: (v): v is PageToBackground['picker/open']['req'] =>
      isRecord(v) && isPickerKinds(v.kinds) && (v.activated === undefined || isBoolean(v.activated)),
    normalize: ({ kinds, activated }) => ({
      ...(activated !== undefined ? { activated } : {}),
      kinds: {
        ...(kinds.audio ? { audio: copyKindAsk(kinds.audio) } : {}),
        ...(kinds.video ? { video: copyKindAsk(kinds.video) } : {}),
      },
    }),
  },
  'chunk/load': {
    valid: (v): v is PageToBackground['chunk/load']['req'] => isRecord(v) && isOneOf(v.name, CHUNK_NAMES),
    normalize: ({ name }) => ({ name }),
  },
  'chunk/asset': {
    valid: (v): v is PageToBackground['chunk/asset']['req'] => isRecord(v) && isOneOf(v.name, PAGE_ASSETS),
    normalize: ({ name }) => ({ name }),
  },
  'screen-capture/open': {
    valid: isScreenCaptureRequest,
    normalize: ({ source, tabId, audio, size, activated }) => {
      const copy: ScreenSize = {};
      for (const k of SIZE_KEYS) if (size?.[k] !== undefined) copy[k] = JSON.parse(JSON.stringify(size[k])) as Json;
      return {
        source,
        audio,
        ...(activated !== undefined ? { activated } : {}),
        ...(tabId !== undefined ? { tabId } : {}),
        ...(Object.keys(copy).length ? { size: copy } : {}),
      };
    },
  },
};

const pageToContent: Table<Requests<PageToContent>> = {
  'config/now': EMPTY,
  'effects/segmenter': EMPTY,
  'handoff/prove': fields<PageToContent['handoff/prove']['req']>({ nonce: isHex256 }, true),
};

const uiToBackground: Table<Requests<UiToBackground>> = {
  'calls/list': EMPTY,
  'calls/invoke': fields<UiToBackground['calls/invoke']['req']>({
    tabId: isId,
    frameId: isId,
    action: isMediaSessionAction,
  }),
  'calls/call-window': fields<UiToBackground['calls/call-window']['req']>({ tabId: isId }),
  'calls/stop': fields<UiToBackground['calls/stop']['req']>({ tabId: isId }),
  'picker/get': fields<UiToBackground['picker/get']['req']>({ pickerId: isPickerId }),
  'picker/decide': {
    valid: fields<UiToBackground['picker/decide']['req']>({
      pickerId: isPickerId,
      decision: (x) => isOneOf(x, ['allow', 'block'] as const),
      choice: isPickerChoice,
      remember: isBoolean,
      files: optional(isPickerFiles),
    }).valid,
    normalize: ({ pickerId, decision, choice, files, remember }) => ({
      pickerId,
      decision,
      choice: { ...choice },
      remember,
      ...(files ? { files: copyFiles(files) } : {}),
    }),
  },
  'sites/list': EMPTY,
  'sites/set': fields<UiToBackground['sites/set']['req']>({
    origin: (x) => isString(x) && isWebOrigin(x),
    kind: (x) => isOneOf(x, PERMISSION_KINDS),
    state: (x) => isOneOf(x, DECISIONS),
  }),
  'settings/get': EMPTY,
  'commands/run': fields<UiToBackground['commands/run']['req']>({ command: (x) => isOneOf(x, COMMANDS) }),
  // Only settings that survive the sanitiser unchanged and without warnings are accepted.
  'settings/set': {
    valid: (v): v is UiToBackground['settings/set']['req'] =>
      isRecord(v) && isRecord(v.settings) && sanitizeSettings(v.settings, 'ui').warnings.length === 0,
    normalize: ({ settings }) => ({ settings: sanitizeSettings(settings, 'ui').value }),
  },
  'screen-grant/get': fields<UiToBackground['screen-grant/get']['req']>({ grantId: isPickerId }, true),
  'screen-grant/decide': fields<UiToBackground['screen-grant/decide']['req']>(
    {
      grantId: isPickerId,
      decision: (x) => isOneOf(x, ['allow', 'block'] as const),
    },
    true,
  ),
  'screen-capture/list': EMPTY,
  'screen-grants/list': EMPTY,
  'screen-grants/set': fields<UiToBackground['screen-grants/set']['req']>(
    {
      origin: (x) => isString(x) && isWebOrigin(x),
      source: (x) => isOneOf(x, GRANT_SOURCES),
      state: (x) => isOneOf(x, ['allow', 'block', 'ask'] as const),
    },
    true,
  ),
  'screen-capture/stop': fields<UiToBackground['screen-capture/stop']['req']>({ tabId: isId, frameId: isId }, true),
  'calls/effect': fields<UiToBackground['calls/effect']['req']>(
    { tabId: isId, frameId: isId, kind: isKind, on: isBoolean },
    true,
  ),
};

const isPickerOutcome = (v: unknown): v is PickerOutcome =>
  isRecord(v) &&
  ((v.ok === true && isPickerChoice(v.choice) && (v.files === undefined || isPickerFiles(v.files))) ||
    (v.ok === false && isRecord(v.error) && isString(v.error.name) && isString(v.error.message)));

const backgroundToPage: Table<BackgroundToPage> = {
  'media-session/invoke': fields<BackgroundToPage['media-session/invoke']>({ action: isMediaSessionAction }),
  'picker/result': {
    valid: (v): v is BackgroundToPage['picker/result'] =>
      isRecord(v) && isPickerId(v.requestId) && isPickerOutcome(v.outcome),
    normalize: ({ requestId, outcome }) => ({
      requestId,
      outcome: outcome.ok
        ? { ok: true, choice: { ...outcome.choice }, ...(outcome.files ? { files: copyFiles(outcome.files) } : {}) }
        : { ok: false, error: { name: outcome.error.name, message: outcome.error.message } },
    }),
  },
  'call-detection/release': fields<BackgroundToPage['call-detection/release']>({ kind: isKind, label: isLabel }),
  // No payload to read: whatever came along is dropped.
  'call-window/open': { valid: (_v): _v is Record<string, never> => true, normalize: () => ({}) },
  'call-detection/set-enabled': fields<BackgroundToPage['call-detection/set-enabled']>({
    kind: isKind,
    enabled: isBoolean,
  }),
  'screen-capture/stop': { valid: (_v): _v is Record<string, never> => true, normalize: () => ({}) },
  'call-detection/hold': fields<BackgroundToPage['call-detection/hold']>({ kind: isKind, held: isBoolean }),
  'call-detection/stop-all': { valid: (_v): _v is Record<string, never> => true, normalize: () => ({}) },
  'effects/set': fields<BackgroundToPage['effects/set']>({ kind: isKind, on: isBoolean }),
};

/** The type and the rebuilt payload, or null: an unknown type or a payload its schema refuses. */
function parseWith<M>(
  table: Table<M>,
  type: unknown,
  payload: unknown,
): { type: keyof M & string; payload: unknown } | null {
  if (!isString(type) || !Object.hasOwn(table, type)) return null;
  const schema = table[type as keyof M] as Schema<unknown>;
  return schema.valid(payload) ? { type: type as keyof M & string, payload: schema.normalize(payload) } : null;
}

export const PAGE_TO_BACKGROUND_TYPES = Object.keys(pageToBackground) as PageToBackgroundType[];

export function parsePageEnvelope(v: unknown): PageEnvelope | null {
  if (!isRecord(v) || v.channel !== 'page') return null;
  const parsed = parseWith(pageToBackground, v.type, v.payload);
  return parsed && ({ channel: 'page', ...parsed } as PageEnvelope);
}

/** A request the content script answers itself, or null when it is none of those (or malformed). */
export function parseContentRequest(type: unknown, payload: unknown): ContentEnvelope | null {
  return parseWith(pageToContent, type, payload) as ContentEnvelope | null;
}
export const isContentRequestType = (type: unknown): boolean => isString(type) && Object.hasOwn(pageToContent, type);

export function parseUiEnvelope(v: unknown): UiEnvelope | null {
  if (!isRecord(v) || v.channel !== 'ui') return null;
  const parsed = parseWith(uiToBackground, v.type, v.payload);
  return parsed && ({ channel: 'ui', ...parsed } as UiEnvelope);
}

export function parsePushEnvelope(v: unknown): PushEnvelope | null {
  if (!isRecord(v) || v.channel !== 'push') return null;
  const parsed = parseWith(backgroundToPage, v.type, v.payload);
  return parsed && ({ channel: 'push', ...parsed } as PushEnvelope);
}

/** Never throws, whatever was thrown: it runs inside catch blocks. */
export function serializeError(e: unknown): SerializedError {
  try {
    if (e !== null && typeof e === 'object') {
      const { name, message } = e as { name?: unknown; message?: unknown };
      if (isString(name) && isString(message)) return { name, message };
    }
    return { name: 'Error', message: String(e) };
  } catch {
    return { name: 'Error', message: 'Unknown error' };
  }
}

export function isResponse(v: unknown): v is Response<unknown> {
  if (!isRecord(v)) return false;
  if (v.ok === true) return Object.hasOwn(v, 'result');
  return v.ok === false && isRecord(v.error) && isString(v.error.name) && isString(v.error.message);
}
