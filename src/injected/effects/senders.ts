// Where an effect the person switches on mid-call reaches a track the page already holds. The page's
// track object is the browser's own and stays so (ImageCapture, MediaRecorder, applyConstraints,
// insertable streams all keep working on it): what changes is what its peer connections send. Every
// RTCRtpSender the page gives a captured track is noted here; routing the track swaps MediaGate's
// processed track onto those senders with the browser's replaceTrack, and the sender keeps reporting
// the page's track. Local sinks (the page's own preview, recordings) keep the unprocessed media: see
// docs/features/effects.md, "Effects switched on mid-call".
import { apply, getOwnPropertyDescriptor, NativeDOMException, push, SafeWeakMap, SafeWeakSet, then } from '../native';
import { patch, patchGetter } from '../patch';

export interface Senders {
  /** Sends `out` in place of `track` on every sender the page gave `track`; null sends the track again. */
  route(track: MediaStreamTrack, out: MediaStreamTrack | null): void;
}

export function installSenders(isCapture: (t: unknown) => boolean): Senders {
  if (typeof RTCRtpSender !== 'function' || typeof RTCPeerConnection !== 'function') return { route() {} };
  const senderProto = RTCRtpSender.prototype;
  const pcProto = RTCPeerConnection.prototype;
  const nativeReplace = senderProto.replaceTrack;
  const trackGet = getOwnPropertyDescriptor(senderProto, 'track')!.get!;
  const transceiverSender = getOwnPropertyDescriptor(RTCRtpTransceiver.prototype, 'sender')!.get!;
  const getSenders = pcProto.getSenders;
  /** Captured track -> the senders the page gave it (kept while the track lives). */
  const sendersOf = new SafeWeakMap<object, RTCRtpSender[]>();
  /** Captured track -> MediaGate's processed track sent in its place. */
  const outOf = new SafeWeakMap<object, MediaStreamTrack>();
  /** Senders sending MediaGate's track -> the page's track on it. */
  const pageTrack = new SafeWeakMap<object, MediaStreamTrack | null>();
  const swapped = new SafeWeakSet();

  const note = (sender: RTCRtpSender, track: unknown) => {
    if (!isCapture(track)) return;
    const list = sendersOf.get(track as object) ?? [];
    for (let i = 0; i < list.length; i++) if (list[i] === sender) return;
    push(list, sender);
    sendersOf.set(track as object, list);
  };
  const pageTrackOf = (sender: RTCRtpSender): MediaStreamTrack | null =>
    swapped.has(sender) ? (pageTrack.get(sender) ?? null) : (apply(trackGet, sender, []) as MediaStreamTrack | null);
  /** Puts `send` on the sender (the page's own track when `send` is it); a closed connection refuses, which is fine. */
  const put = (sender: RTCRtpSender, page: MediaStreamTrack | null, send: MediaStreamTrack | null) => {
    if (send === page) swapped.delete(sender);
    else {
      swapped.add(sender);
      pageTrack.set(sender, page);
    }
    then(apply(nativeReplace, sender, [send]) as Promise<void>, noop, noop);
  };
  const noop = () => undefined;
  const routed = (t: unknown): MediaStreamTrack | null =>
    typeof t === 'object' && t !== null ? (outOf.get(t) ?? null) : null;

  patch<RTCPeerConnection['addTrack']>(pcProto, 'addTrack', (original, self, args) => {
    const track = args[0];
    const out = routed(track);
    // The browser refuses a track that already has a sender here; the sender it knows sends MediaGate's.
    if (out) {
      const existing = apply(getSenders, self, []) as RTCRtpSender[];
      for (let i = 0; i < existing.length; i++)
        if (pageTrackOf(existing[i]!) === track)
          throw new NativeDOMException('A sender already exists for the track.', 'InvalidAccessError');
    }
    const sender = apply(original, self, args) as RTCRtpSender;
    note(sender, track);
    if (out) put(sender, track, out);
    return sender;
  });
  patch<RTCPeerConnection['addTransceiver']>(pcProto, 'addTransceiver', (original, self, args) => {
    const transceiver = apply(original, self, args) as RTCRtpTransceiver;
    const track = args[0];
    if (typeof track === 'object' && track !== null) {
      const sender = apply(transceiverSender, transceiver, []) as RTCRtpSender;
      note(sender, track);
      const out = routed(track);
      if (out) put(sender, track, out);
    }
    return transceiver;
  });
  patch<RTCRtpSender['replaceTrack']>(senderProto, 'replaceTrack', (original, self, args) => {
    const track = args[0] ?? null;
    const out = routed(track);
    if (!out && !swapped.has(self as object)) {
      const r = apply(original, self, args) as Promise<void>;
      then(r, () => note(self as RTCRtpSender, track), noop);
      return r;
    }
    // The page's replaceTrack settles as the browser's does; the sender then reports the page's track.
    const r = apply(original, self, [out ?? track]) as Promise<void>;
    then(
      r,
      () => {
        note(self as RTCRtpSender, track);
        if (out) {
          swapped.add(self as object);
          pageTrack.set(self as object, track as MediaStreamTrack);
        } else swapped.delete(self as object);
      },
      noop,
    );
    return r;
  });
  patchGetter<MediaStreamTrack | null>(senderProto, 'track', (original, self) =>
    swapped.has(self as object)
      ? (pageTrack.get(self as object) ?? null)
      : (apply(original, self, []) as MediaStreamTrack | null),
  );
  // getStats(track) finds the sender by its track: for a routed one, by MediaGate's.
  patch<RTCPeerConnection['getStats']>(pcProto, 'getStats', (original, self, args) => {
    const out = routed(args[0]);
    return apply(original, self, out ? [out] : args) as Promise<RTCStatsReport>;
  });

  return {
    route(track, out) {
      if (out) outOf.set(track, out);
      else outOf.delete(track);
      const list = sendersOf.get(track) ?? [];
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!;
        if (pageTrackOf(s) === track) put(s, track, out ?? track);
      }
    },
  };
}
