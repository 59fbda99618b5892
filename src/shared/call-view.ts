// How MediaGate's UI (badge, popup) reads a call's microphone and camera state.
import type { CallRecord } from './protocol';

/** What MediaGate shows: the page's own report, else the real state of its tracks. */
export function micOn(call: CallRecord): boolean | undefined {
  if (call.reported.microphone !== undefined) return call.reported.microphone;
  const audio = call.tracks.filter((t) => t.kind === 'audio');
  return audio.length ? audio.some((t) => t.enabled) : undefined;
}
export function cameraOn(call: CallRecord): boolean | undefined {
  if (call.reported.camera !== undefined) return call.reported.camera;
  const video = call.tracks.filter((t) => t.kind === 'video');
  return video.length ? video.some((t) => t.enabled) : undefined;
}
