// A track played from a local file the person chose in the picker instead of a device: the file is
// played by a detached, muted, looping media element and captured (captureStream; Firefox:
// mozCaptureStream). Muting silences the element, not the capture.
import { apply, newPromise, nativeSetTimeout, NativeDOMException, lazySetter, then } from '../../chunk-natives';
import type { PickerFile } from '../../../shared/protocol';

const createElement = Document.prototype.createElement;
const createObjectURL = URL.createObjectURL;
const NativeBlob = Blob;
const NativeUint8Array = Uint8Array;
const nativeAtob = atob;
const play = HTMLMediaElement.prototype.play;
const capture =
  (HTMLMediaElement.prototype as { captureStream?: () => MediaStream }).captureStream ??
  (HTMLMediaElement.prototype as { mozCaptureStream?: () => MediaStream }).mozCaptureStream;
const getTracksOf = (kind: 'audio' | 'video') =>
  kind === 'audio' ? MediaStream.prototype.getAudioTracks : MediaStream.prototype.getVideoTracks;
const charCodeAt = String.prototype.charCodeAt;
const setter = (proto: object, key: string) => lazySetter(proto, key);
const setMuted = setter(HTMLMediaElement.prototype, 'muted');
const setLoop = setter(HTMLMediaElement.prototype, 'loop');
const setSrc = setter(HTMLMediaElement.prototype, 'src');

export function trackFromFile(kind: 'audio' | 'video', file: PickerFile): Promise<MediaStreamTrack> {
  // A throw in the executor rejects, as it did in the async function this was.
  return newPromise((resolve, reject) => {
    if (!capture) throw new NativeDOMException('This browser cannot play a file as a track', 'NotReadableError');
    const binary = nativeAtob(file.base64);
    const bytes = new NativeUint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = apply(charCodeAt, binary, [i]) as number;
    const el = apply(createElement, document, [kind]) as HTMLMediaElement;
    apply(setMuted, el, [true]);
    apply(setLoop, el, [true]);
    apply(setSrc, el, [apply(createObjectURL, URL, [new NativeBlob([bytes], { type: file.type })])]);
    const unplayable = () =>
      reject(
        new NativeDOMException(
          `Could not play ${file.name} (unsupported format, or the page forbids it)`,
          'NotReadableError',
        ),
      );
    let playing: Promise<void>;
    try {
      playing = apply(play, el, []) as Promise<void>;
    } catch {
      unplayable();
      return;
    }
    then(
      playing,
      () => {
        try {
          const stream = apply(capture, el, []) as MediaStream;
          // Capture tracks appear once the element has data.
          let tries = 0;
          const look = () => {
            const track = (apply(getTracksOf(kind), stream, []) as MediaStreamTrack[])[0];
            if (track) resolve(track);
            else if (++tries > 100) reject(new NativeDOMException(`${file.name} has no ${kind}`, 'NotReadableError'));
            else nativeSetTimeout(look, 20);
          };
          look();
        } catch (e) {
          reject(e);
        }
      },
      unplayable,
    );
  });
}
