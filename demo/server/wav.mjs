// Deterministic WAV files of any even size, generated slice by slice: a 200 MB episode never
// sits in memory, and any byte range of it is the same on every request (Range resumes rely on it).

const sampleRate = 22_050;
const headerSize = 44;

/** 16-bit mono: two bytes per sample. */
export const bytesPerSecond = sampleRate * 2;

function header(size) {
  const head = Buffer.alloc(headerSize);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(size - 8, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16); // fmt chunk size
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(sampleRate, 24);
  head.writeUInt32LE(bytesPerSecond, 28);
  head.writeUInt16LE(2, 32); // block align
  head.writeUInt16LE(16, 34); // bits per sample
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(size - headerSize, 40);
  return head;
}

const seconds = new Map();

/** One second of a soft tone that swells once a second (so a player audibly moves); loops seamlessly. */
function oneSecond(hz) {
  let samples = seconds.get(hz);
  if (samples === undefined) {
    samples = Buffer.alloc(bytesPerSecond);
    for (let i = 0; i < sampleRate; i++) {
      const t = i / sampleRate;
      const swell = Math.sin(Math.PI * t) ** 2;
      samples.writeInt16LE(Math.round(6000 * swell * Math.sin(2 * Math.PI * hz * t)), i * 2);
    }
    seconds.set(hz, samples);
  }
  return samples;
}

/** Bytes [start, end) of the `size`-byte WAV file with a tone of `hz`. */
export function wavSlice(size, hz, start, end) {
  const out = Buffer.allocUnsafe(end - start);
  const head = start < headerSize ? header(size) : undefined;
  const loop = oneSecond(hz);
  let at = start;
  while (at < end) {
    if (at < headerSize) {
      at += head.copy(out, at - start, at, Math.min(end, headerSize));
      continue;
    }
    const offset = (at - headerSize) % bytesPerSecond;
    at += loop.copy(out, at - start, offset, Math.min(bytesPerSecond, offset + end - at));
  }
  return out;
}
