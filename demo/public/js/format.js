// Human-readable numbers for the episode rows.

/** 1234567 → "1.2 MB" (decimal units, as download managers show them). */
export function formatBytes(bytes) {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(0)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** 4535 → "1:15:35" (a running time). */
export function formatClock(seconds) {
  const s = Math.floor(seconds % 60).toString().padStart(2, '0');
  const m = Math.floor((seconds / 60) % 60);
  const h = Math.floor(seconds / 3600);
  return h > 0 ? `${h}:${m.toString().padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** 75 → "1 min 15 s left"; Infinity → "" (no estimate yet). */
export function formatTimeLeft(seconds) {
  if (!Number.isFinite(seconds)) return '';
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole} s left`;
  const minutes = Math.floor(whole / 60);
  return minutes < 60 ? `${minutes} min ${whole % 60} s left` : `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}
