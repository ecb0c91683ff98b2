// Small statistics and formatting helpers for the bench.

/** { median, min, max, n } of a list of numbers (NaN-free). */
export function stats(values) {
  const xs = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { median, min: xs[0], max: xs[xs.length - 1], n: xs.length };
}

/** A number with sensible precision. */
export function num(x, digits) {
  if (!Number.isFinite(x)) return 'n/a';
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** "median (min–max)" of stats, with a unit. */
export function spread(s, unit = '', digits) {
  if (s.n === 0) return 'n/a';
  return `${num(s.median, digits)}${unit} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN);
export const x = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');
export const MiB = 1024 * 1024;
