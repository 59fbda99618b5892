import { SpeechDetector, SPEECH_FRAMES, SPEECH_WINDOW } from '../../src/injected/effects/chunk/speech-detector';

/** Frames of [probability, mean square]. */
const feed = (d: SpeechDetector, frames: [number, number][]) => frames.map(([p, e]) => d.push(p, e));
const quiet = (n: number): [number, number][] => Array.from({ length: n }, () => [0.05, 1e-6]);
/** Voice-like: probable voice whose level moves with syllables (every 5 frames loud, then soft). */
const talk = (n: number, p = 0.95): [number, number][] =>
  Array.from({ length: n }, (_, i) => [p, i % 10 < 5 ? 1e-2 : 1e-4]);
const steady = (n: number, p = 0.95): [number, number][] => Array.from({ length: n }, () => [p, 1e-2]);

describe('SpeechDetector', () => {
  it('reports speech once, when enough of the last frames are voice and the level moves', () => {
    const d = new SpeechDetector();
    const onsets = feed(d, [...quiet(50), ...talk(60)]);
    expect(onsets.filter(Boolean)).toHaveLength(1);
    expect(onsets.indexOf(true)).toBe(50 + SPEECH_FRAMES - 1);
  });

  it('ignores short bursts', () => {
    const d = new SpeechDetector();
    const burst = [...talk(8), ...quiet(30)];
    expect(feed(d, [...burst, ...burst, ...burst]).some(Boolean)).toBe(false);
  });

  it('ignores a steady noise even where RNNoise calls it voice, also after digital silence', () => {
    const d = new SpeechDetector();
    const silence: [number, number][] = Array.from({ length: 30 }, () => [0, 0]);
    expect(feed(d, [...silence, ...steady(500)]).some(Boolean)).toBe(false);
  });

  it('reports again after a pause', () => {
    const d = new SpeechDetector();
    const turn = [...talk(40), ...quiet(SPEECH_WINDOW + 10)];
    expect(feed(d, [...turn, ...turn]).filter(Boolean)).toHaveLength(2);
  });
});
