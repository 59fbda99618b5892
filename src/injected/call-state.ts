// What this frame tells the background about its call: the tracks it captured, the conferencing
// actions it registered and the state it reported. Features write here; one coalesced snapshot per
// task goes over the bridge. Frames that never capture and never register a conferencing action
// send nothing, so ordinary pages (a video site's play/pause handlers) never wake the background.

import type { Bridge } from './bridge';
import {
  SafeMap,
  SafeWeakMap,
  apply,
  nativeSetTimeout,
  nativeClearTimeout,
  nativeQueueMicrotask,
  push,
  getOwnPropertyDescriptor,
  addListener,
  isArray,
  own,
  streamTracks,
  dispatch,
  endTrack,
} from './native';
import type { CallSnapshot, MediaSessionAction, TrackInfo } from '../shared/protocol';

/** How long MediaGate's "you are muted" hint stays after the last speech it heard. */
const TALKING_HINT_MS = 6000;

const CONFERENCING: readonly MediaSessionAction[] = ['togglemicrophone', 'togglecamera', 'togglescreenshare', 'hangup'];

const trackProto = MediaStreamTrack.prototype;
const getter = (key: string) => getOwnPropertyDescriptor(trackProto, key)!.get!;
const trackId = getter('id');
const trackKind = getter('kind');
const trackLabel = getter('label');
const trackEnabled = getter('enabled');
const trackEnabledSet = getOwnPropertyDescriptor(trackProto, 'enabled')!.set!;
const trackMuted = getter('muted');
const trackReadyState = getter('readyState');

/** What the effects feature tells the call state (see effects/index.ts). */
export interface EffectSwitch {
  /** On/off for a captured track whose effect the person can switch, else undefined. */
  state(track: MediaStreamTrack): boolean | undefined;
  /** A kind's effect (audio: voiceIsolation, video: backgroundBlur): undefined when no track here can switch it. */
  on(kind: 'audio' | 'video'): boolean | undefined;
  /** The person switched a kind's effect from MediaGate's UI. */
  set(kind: 'audio' | 'video', on: boolean): void;
  /** Forced on by the administrator: the person cannot switch it off. */
  locked(kind: 'audio' | 'video'): boolean;
}

/** Equal for equal snapshots; built from primitives only (the page may have replaced JSON). */
function snapshotKey(s: CallSnapshot): string {
  let key = '';
  for (let i = 0; i < s.tracks.length; i++) {
    const t = s.tracks[i]!;
    key += `${t.id}\u0000${t.kind}\u0000${t.label}\u0000${t.enabled}\u0000${t.muted}\u0000${t.effect === undefined ? '' : t.effect}\u0001`;
  }
  for (let i = 0; i < s.actions.length; i++) key += `${s.actions[i]}\u0002`;
  const r = s.reported;
  return `${key}\u0003${r.microphone}\u0000${r.camera}\u0000${r.screenshare}\u0000${s.talkingWhileMuted === true}`;
}

export class CallState {
  private readonly tracks = new SafeMap<string, MediaStreamTrack>();
  private readonly actions = new SafeMap<MediaSessionAction, MediaSessionAction>();
  private reported: CallSnapshot['reported'] = {};
  private inCall = false;
  private scheduled = false;

  private readonly listeners: (() => void)[] = [];
  private invoker: ((action: MediaSessionAction) => boolean) | null = null;
  /** Set by the first effects chunk (effects/chunk/switches.ts): what MediaGate's UI (PiP window, popup) can switch. */
  effects: EffectSwitch | null = null;

  constructor(private readonly bridge: Bridge) {}

  /** Called synchronously on every change, so MediaGate's own call UI follows within the frame. */
  onChange(listener: () => void): () => void {
    push(this.listeners, listener);
    return () => {
      for (let i = 0; i < this.listeners.length; i++)
        if (this.listeners[i] === listener) {
          this.listeners[i] = () => undefined;
        }
    };
  }

  /**
   * MediaGate's own mute, for the person, where the page registered no handler: the user agent mutes
   * the track (the spec's "muted"), so the page sees `muted` true and a `mute` event while its own
   * `enabled` stays what it set; the real `enabled` goes false, so no audio or video leaves. A track
   * captured or cloned while the kind is held starts held. (patched in call-detection/index.ts)
   */
  private readonly held = { audio: false, video: false };
  /** Held tracks -> the `enabled` the page set (and sees). */
  readonly pageEnabled = new SafeWeakMap<MediaStreamTrack, boolean>();

  isHeld(kind: 'audio' | 'video'): boolean {
    return this.held[kind] && this.liveTracks(kind).length > 0;
  }

  hold(kind: 'audio' | 'video', on: boolean): void {
    this.held[kind] = on;
    const tracks = this.liveTracks(kind);
    for (let i = 0; i < tracks.length; i++) this.applyHold(tracks[i]!);
    this.changed();
  }

  private applyHold(track: MediaStreamTrack, page?: boolean): void {
    const kind = apply(trackKind, track, []) as 'audio' | 'video';
    const wasHeld = this.pageEnabled.has(track);
    if (this.held[kind] === wasHeld) return;
    const mutedBefore = apply(trackMuted, track, []) as boolean;
    if (this.held[kind]) {
      this.pageEnabled.set(track, page ?? (apply(trackEnabled, track, []) as boolean));
      apply(trackEnabledSet, track, [false]);
    } else {
      apply(trackEnabledSet, track, [this.pageEnabled.get(track)]);
      this.pageEnabled.delete(track);
    }
    // The track already muted by its source fired its own event and stays muted.
    if (!mutedBefore) dispatch(track, wasHeld ? 'unmute' : 'mute');
  }

  /** Stop camera and microphone: every capture track ends, and the page is told as by an unplugged device. */
  stopAll(): void {
    const tracks = this.liveTracks();
    for (let i = 0; i < tracks.length; i++) {
      const t = tracks[i]!;
      if (this.stopFn) apply(this.stopFn, t, []);
      endTrack(t);
    }
    this.changed();
  }
  /** MediaStreamTrack.prototype.stop with every MediaGate patch (set by injected/index.ts). */
  stopFn: (() => void) | null = null;

  /** Hard mute: MediaGate itself switches the captured tracks of a kind. */
  setTracksEnabled(kind: 'audio' | 'video', on: boolean): void {
    const tracks = this.liveTracks(kind);
    for (let i = 0; i < tracks.length; i++) apply(trackEnabledSet, tracks[i], [on]);
    this.changed();
  }

  private readonly screens = new SafeWeakMap<MediaStreamTrack, true>();
  /** A track MediaGate opened for getUserMedia's mediaSource (a screen, window or tab). */
  markScreen(track: MediaStreamTrack): void {
    this.screens.set(track, true);
  }
  /** Whether the page shares a screen: its own report (setScreenshareActive), else MediaGate's live captures. */
  sharingScreen(): boolean {
    if (this.reported.screenshare !== undefined) return this.reported.screenshare;
    const tracks = this.liveTracks('video');
    for (let i = 0; i < tracks.length; i++) if (this.screens.has(tracks[i]!)) return true;
    return false;
  }

  /** The media-session feature runs the page's handlers; others (PiP) go through here. */
  setInvoker(invoke: (action: MediaSessionAction) => boolean): void {
    this.invoker = invoke;
  }
  invoke(action: MediaSessionAction): boolean {
    return this.invoker ? this.invoker(action) : false;
  }
  hasAction(action: MediaSessionAction): boolean {
    return this.actions.has(action);
  }

  /** What MediaGate shows: the page's own report, else whether its live tracks are enabled. */
  isOn(kind: 'audio' | 'video'): boolean | undefined {
    const reported = kind === 'audio' ? this.reported.microphone : this.reported.camera;
    if (reported !== undefined) return reported;
    const tracks = this.liveTracks(kind);
    if (!tracks.length) return undefined;
    for (let i = 0; i < tracks.length; i++) if (apply(trackEnabled, tracks[i], [])) return true;
    return false;
  }

  /** A call = live tracks the page captured. */
  get live(): boolean {
    return this.liveTracks().length > 0;
  }

  private readonly known = new SafeWeakMap<MediaStreamTrack, true>();

  /** A track the page captured (or cloned from one, `from`); idempotent. */
  addTrack(track: MediaStreamTrack, from?: MediaStreamTrack): void {
    if (this.known.has(track)) return;
    this.known.set(track, true);
    // A clone of a held track: natively it copied the real (false) enabled, the page expects its own.
    this.applyHold(track, from && this.pageEnabled.has(from) ? this.pageEnabled.get(from) : undefined);
    addListener(track, 'ended', () => this.changed());
    this.tracks.set(apply(trackId, track, []) as string, track);
    this.inCall = true;
    this.changed();
  }

  private pending: MediaStream[] = [];

  /**
   * The tracks of a stream the page is about to receive, registered one microtask after the page's
   * own continuation (Firefox runs that first; where a browser does not, nothing is lost), or as soon
   * as anything here asks about tracks. Registering them before the page's await returned put
   * ~0.1 ms of cold code and DOM calls into every Firefox getUserMedia (bench: getUserMedia).
   */
  adoptSoon(stream: MediaStream): void {
    push(this.pending, stream);
    if (this.pending.length === 1) nativeQueueMicrotask(() => this.adoptPending());
  }

  private adoptPending(): void {
    if (!this.pending.length) return;
    const streams = this.pending;
    this.pending = [];
    for (let i = 0; i < streams.length; i++) {
      const tracks = streamTracks(streams[i]!);
      for (let j = 0; j < tracks.length; j++) this.addTrack(tracks[j]!);
    }
  }

  has(track: unknown): boolean {
    this.adoptPending();
    return typeof track === 'object' && track !== null && this.known.has(track as MediaStreamTrack);
  }

  exportState(): { tracks: MediaStreamTrack[]; reported: CallSnapshot['reported'] } {
    return { tracks: this.liveTracks(), reported: { ...this.reported } };
  }

  importState(state: unknown): void {
    const tracks = own(state, 'tracks');
    if (isArray(tracks))
      for (let i = 0; i < tracks.length; i++) if (tracks[i] instanceof MediaStreamTrack) this.addTrack(tracks[i]);
    const reported = own(state, 'reported');
    const kinds = ['microphone', 'camera', 'screenshare'] as const;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      const v = own(reported, kind);
      if (typeof v === 'boolean') this.setReported(kind, v);
    }
  }

  /** Live tracks of a kind, for features that act on what the page captured (hard mute, PiP). */
  liveTracks(kind?: 'audio' | 'video'): MediaStreamTrack[] {
    this.adoptPending();
    const out: MediaStreamTrack[] = [];
    const all = this.tracks.values();
    for (let i = 0; i < all.length; i++) {
      const t = all[i]!;
      if (apply(trackReadyState, t, []) === 'live' && (!kind || apply(trackKind, t, []) === kind)) push(out, t);
    }
    return out;
  }

  setAction(action: MediaSessionAction, registered: boolean): void {
    if (registered) this.actions.set(action, action);
    else this.actions.delete(action);
    for (let i = 0; i < CONFERENCING.length; i++) if (CONFERENCING[i] === action && registered) this.inCall = true;
    this.changed();
  }

  setReported(kind: keyof CallSnapshot['reported'], active: boolean): void {
    this.reported = { ...this.reported, [kind]: active };
    this.inCall = true;
    this.changed();
  }

  private lastSent = '';

  /**
   * Call after any track event. Snapshots are coalesced to one per task, and one equal to the last
   * sent is not sent again: each travels to the background and is stored there, and a page that
   * captures and stops in a loop (the tracks gone again by the time the task ends) sent the same
   * empty call once per cycle, which made each cycle ~3 ms slower in Firefox (bench: capture cycle).
   */
  changed(): void {
    for (let i = 0; i < this.listeners.length; i++) {
      try {
        this.listeners[i]!();
      } catch {
        /* one broken listener must not stop the others */
      }
    }
    if (!this.inCall || this.scheduled) return;
    this.scheduled = true;
    nativeSetTimeout(() => {
      this.scheduled = false;
      const snapshot = this.snapshot();
      const key = snapshotKey(snapshot);
      if (key === this.lastSent) return;
      this.lastSent = key;
      this.bridge.notify('calls/update', snapshot);
    }, 0);
  }

  /** MediaGate heard the person while the microphone is muted (effects/voice-activity.ts); shown for a few seconds. */
  talkingWhileMuted = false;
  private talkingTimer = 0;
  noteTalkingWhileMuted(on: boolean): void {
    nativeClearTimeout(this.talkingTimer);
    if (on) this.talkingTimer = nativeSetTimeout(() => this.noteTalkingWhileMuted(false), TALKING_HINT_MS);
    if (this.talkingWhileMuted === on) return;
    this.talkingWhileMuted = on;
    this.changed();
  }

  snapshot(): CallSnapshot {
    this.adoptPending();
    const tracks: TrackInfo[] = [];
    const all = this.tracks.values();
    for (let i = 0; i < all.length; i++) {
      const t = all[i]!;
      const id = apply(trackId, t, []) as string;
      if (apply(trackReadyState, t, []) !== 'live') {
        this.tracks.delete(id);
        continue;
      }
      push(tracks, {
        id,
        kind: apply(trackKind, t, []) as 'audio' | 'video',
        label: apply(trackLabel, t, []) as string,
        enabled: apply(trackEnabled, t, []) as boolean,
        muted: apply(trackMuted, t, []) as boolean,
        ...(this.pageEnabled.has(t) ? { held: true as const } : {}),
      });
      const effect = this.effects?.state(t);
      if (effect !== undefined) tracks[tracks.length - 1]!.effect = effect;
    }
    return {
      tracks,
      actions: this.actions.values(),
      reported: { ...this.reported },
      ...(this.talkingWhileMuted ? { talkingWhileMuted: true as const } : {}),
    };
  }
}
