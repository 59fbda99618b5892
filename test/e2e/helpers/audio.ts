// Audio files for the browsers' fake microphones (Chromium plays a WAV file with --use-file-for-fake-audio-capture).

/** A mono 16-bit PCM WAV file of `samples` (-1..1) at `rate`. */
export function wav(samples: Float32Array, rate: number): Buffer {
  const out = Buffer.alloc(44 + samples.length * 2);
  out.write('RIFF', 0);
  out.writeUInt32LE(36 + samples.length * 2, 4);
  out.write('WAVE', 8);
  out.write('fmt ', 12);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36);
  out.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++)
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32767))), 44 + i * 2);
  return out;
}

/** 10 s of steady white noise at 48 kHz, what voice isolation removes (Chromium's microphone plays it). */
export function whiteNoise(): Buffer {
  const samples = new Float32Array(48000 * 10);
  let seed = 20261205;
  for (let i = 0; i < samples.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    samples[i] = (seed / 2 ** 32 - 0.5) * 0.4;
  }
  return wav(samples, 48000);
}

/** Mono 16-bit PCM of a WAV file (such as the speech fixture, espeak-ng output). */
export function readWav(buf: Buffer): { rate: number; samples: Float32Array } {
  let off = 12;
  let rate = 0;
  while (off < buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') rate = buf.readUInt32LE(off + 12);
    if (id === 'data') {
      const n = Math.floor(Math.min(size, buf.length - off - 8) / 2);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(off + 8 + i * 2) / 32768;
      return { rate, samples };
    }
    off += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}
