// The episode list: ids, titles and sizes are a pure function of the configured sizes, so a
// reload, a restart of the server and a test all see the same files.
import { bytesPerSecond } from './wav.mjs';

const titles = [
  'The Quiet Start',
  'Signals in the Noise',
  'Offline by Design',
  'Ranges and Resumes',
  'Service Workers at Night',
  'The Long Download',
];

// One tone per episode (A3 upwards): whole hertz, so one second of samples loops seamlessly.
const tones = [220, 247, 262, 294, 330, 349, 392, 440];

export function catalogue(sizes) {
  return sizes.map((size, index) => {
    const number = index + 1;
    const id = `episode-${number}`;
    return {
      id,
      title: `Episode ${number} · ${titles[index] ?? 'Bonus Track'}`,
      url: `/media/${id}.wav`,
      size,
      seconds: Math.floor((size - 44) / bytesPerSecond),
      hz: tones[index % tones.length],
    };
  });
}
