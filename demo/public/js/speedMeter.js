// Download speed over the last few seconds: an average since the start would hide a stall,
// a per-event rate would jitter with every chunk.

const windowMs = 3000;

export class SpeedMeter {
  #samples = [];

  /** Records `bytes` downloaded so far at time `now` (ms). */
  sample(bytes, now = performance.now()) {
    this.#samples.push({ bytes, now });
    while (this.#samples.length > 2 && now - this.#samples[1].now > windowMs) this.#samples.shift();
  }

  /** Forgets every sample, e.g. after a pause that would drag the figure down. */
  reset() {
    this.#samples = [];
  }

  /** Bytes per second across the window; 0 until there are two samples half a second apart. */
  bytesPerSecond() {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (first === undefined || last.now - first.now < 500) return 0;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.now - first.now));
  }
}
