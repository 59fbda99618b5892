// Speech onset from RNNoise's per-frame voice-activity probability (10 ms frames): speech when enough
// of the recent frames are likely voice and the level moves as speech does (syllables), so a click or
// a cough does not count, nor a steady noise (RNNoise reads loud white noise as voice, measured in
// voice-activity.test.ts), and the onset is seen within a few hundred milliseconds. Pure logic:
// unit-tested, bundled into the RNNoise worklet.

/** Frames looked at (200 ms), frames of them that must be voice, and the probability that counts as voice. */
export const SPEECH_WINDOW = 20;
export const SPEECH_FRAMES = 12;
export const VOICE_PROBABILITY = 0.7;
/** Frames whose level is compared (500 ms), and the spread of their levels (dB) speech has at least. */
export const LEVEL_WINDOW = 50;
export const LEVEL_SPREAD_DB = 4;

export class SpeechDetector {
  private readonly recent = new Uint8Array(SPEECH_WINDOW);
  private readonly levels = new Float32Array(LEVEL_WINDOW);
  private at = 0;
  private levelAt = 0;
  private frames = 0;
  private voiced = 0;
  private speaking = false;

  /** Takes one frame's voice probability and mean square; true only where speech starts (again after a pause). */
  push(probability: number, meanSquare: number): boolean {
    // Digital silence (a source that has not started, a disabled track) is no level to compare.
    if (meanSquare < 1e-12) return false;
    this.levels[this.levelAt] = 10 * Math.log10(meanSquare + 1e-10);
    this.levelAt = (this.levelAt + 1) % LEVEL_WINDOW;
    this.frames++;
    const v = probability > VOICE_PROBABILITY ? 1 : 0;
    this.voiced += v - this.recent[this.at]!;
    this.recent[this.at] = v;
    this.at = (this.at + 1) % SPEECH_WINDOW;
    if (!this.speaking && this.voiced >= SPEECH_FRAMES && this.moving()) {
      this.speaking = true;
      return true;
    }
    // A pause: most of the window quiet again.
    if (this.speaking && this.voiced <= SPEECH_WINDOW - SPEECH_FRAMES - 4) this.speaking = false;
    return false;
  }

  /** Whether the level over the last half second varies as speech does (a steady noise does not). */
  private moving(): boolean {
    const n = Math.min(this.frames, LEVEL_WINDOW);
    if (n < SPEECH_WINDOW) return false;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.levels[i]!;
    const mean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (this.levels[i]! - mean) ** 2;
    return Math.sqrt(sq / n) >= LEVEL_SPREAD_DB;
  }
}
