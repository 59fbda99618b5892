// Constants the main world needs, kept apart from the protocol's validators so the injected bundle
// (loaded in every frame of every page) stays small.

export const MEDIA_SESSION_ACTIONS = [
  'play',
  'pause',
  'seekbackward',
  'seekforward',
  'previoustrack',
  'nexttrack',
  'skipad',
  'stop',
  'seekto',
  'togglemicrophone',
  'togglecamera',
  'togglescreenshare',
  'hangup',
  'previousslide',
  'nextslide',
  'enterpictureinpicture',
  'voiceactivity',
] as const;
export type MediaSessionAction = (typeof MEDIA_SESSION_ACTIONS)[number];
export const isMediaSessionAction = (v: unknown): v is MediaSessionAction =>
  typeof v === 'string' && (MEDIA_SESSION_ACTIONS as readonly string[]).includes(v);

/** Marker of the one window message that hands the MessagePort over at document_start. */
export const BRIDGE_HANDSHAKE = 'mediagate:bridge-handshake/1';

/**
 * What getUserMedia's `mediaSource` may capture besides the camera (early screen-sharing draft).
 * "application" survives in Chromium as a window chooser; Firefox dropped it natively.
 */
export const SCREEN_SOURCES = ['screen', 'window', 'application', 'browser'] as const;
export type ScreenSource = (typeof SCREEN_SOURCES)[number];

/**
 * The worker bootstrap's source text (worker-realm/track-transfer/bootstrap.ts) travels from the content
 * script to the main world in this synchronous event, so that it does not weigh on the script every page
 * runs: when the page makes its first worker, the main world asks (`…:ask`) and the content script,
 * whose listener was added at document_start before any of the page's, answers within that dispatch.
 */
export const WORKER_BOOTSTRAP_EVENT = 'mediagate:worker-bootstrap/1';
