// The demo server's settings, read once from the environment so tests can make it small and fast.

const MB = 1_000_000;

/** Episode sizes in MB when DEMO_SIZES is not set: 5 to 200 MB, as a podcast feed might list. */
const defaultSizes = [5, 12, 25, 50, 100, 200];

/**
 * PORT (default 8080, 0 picks a free one), HOST (default 127.0.0.1: loopback only),
 * DEMO_RATE (MB/s per connection, default 3; 0 = unthrottled), DEMO_SIZES (comma-separated MB),
 * DEMO_LOG=1 (one line per media request on stdout).
 */
export function readConfig(env) {
  const port = number(env.PORT ?? '8080', 'PORT');
  const rate = number(env.DEMO_RATE ?? '3', 'DEMO_RATE');
  const sizes = env.DEMO_SIZES ? env.DEMO_SIZES.split(',').map((size) => number(size.trim(), 'DEMO_SIZES')) : defaultSizes;
  if (sizes.length === 0 || sizes.some((size) => size <= 0)) throw new TypeError('DEMO_SIZES must list sizes in MB > 0.');
  return {
    port,
    host: env.HOST || '127.0.0.1',
    bytesPerSecond: rate * MB,
    // A WAV's data is whole 16-bit samples after a 44-byte header, so sizes are kept even.
    sizes: sizes.map((size) => Math.max(46, 2 * Math.round((size * MB) / 2))),
    log: env.DEMO_LOG === '1',
  };
}

function number(text, name) {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a number ≥ 0, got "${text}".`);
  return value;
}
