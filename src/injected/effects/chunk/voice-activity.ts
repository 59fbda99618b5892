// Listening for speech on a muted microphone (issue 23, the Media Session `voiceactivity` action): the
// microphone's audio goes through RNNoise in MediaGate's own AudioContext, only to read its voice
// probability (speech-detector.ts, in the worklet); nothing is played or sent, and the audio never
// leaves the page's process. The caller (../voice-activity.ts) hands a private clone of the page's
// track, enabled, since a muted page usually disables its own.
import type { ChunkApi } from '../../chunk-api';
import { RNNOISE_PROCESSOR } from './rnnoise-framing';
import { addWorklet, loadWasm } from './voice-isolation';
import { addListener, sealed, then } from '../../chunk-natives';

const RATE = 48000;

/** Resolves with the function that stops listening (and closes the context). */
export function listenForSpeech(api: ChunkApi, track: MediaStreamTrack, onSpeech: () => void): Promise<() => void> {
  return sealed(
    then(loadWasm(api), (wasmBinary) => {
      const ctx = new AudioContext({ sampleRate: RATE });
      const stop = () => {
        void ctx.close();
      };
      return sealed(
        then(
          addWorklet(ctx),
          () => {
            const input = ctx.createMediaStreamSource(new MediaStream([track]));
            const node = new AudioWorkletNode(ctx, RNNOISE_PROCESSOR, {
              processorOptions: { wasmBinary: wasmBinary.slice(0), maxChannels: 1, vad: true },
            });
            // A destination that pulls the graph without playing it anywhere.
            input.connect(node);
            node.connect(ctx.createMediaStreamDestination());
            addListener(node.port, 'message', (e) => {
              if ((e as MessageEvent).data === 'speech') onSpeech();
            });
            node.port.start();
            void ctx.resume();
            return stop;
          },
          (e: unknown) => {
            stop();
            throw e;
          },
        ),
      );
    }),
  );
}
