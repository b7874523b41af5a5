/** Formatting for people: sizes, rates, durations, offsets. Pure functions, shared by every screen. */

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${trim(n / 1024)} KiB`;
  return `${trim(n / (1024 * 1024))} MiB`;
}

export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** "1 min 05 s", "42 s", "0.8 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes === 0) return `${seconds} s`;
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** 0x10000 style, lower-case, at least one digit. */
export function formatHex(n: number): string {
  return `0x${n.toString(16)}`;
}

/**
 * Parses an offset typed by a person: "0x10000", "10000" (hex is what every flashing tool shows, so bare digits are
 * hex too), "64K"/"1M" style sizes. Returns undefined for anything else, so the field can say it is invalid.
 */
export function parseOffset(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === '') return undefined;
  let value: number;
  const size = /^(\d+)\s*([km])$/.exec(t);
  if (size) value = Number(size[1]) * (size[2] === 'k' ? 1024 : 1024 * 1024);
  else if (/^(0x)?[0-9a-f]+$/.test(t)) value = Number.parseInt(t.replace(/^0x/, ''), 16);
  else return undefined;
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** 32) return undefined;
  return value;
}

function trim(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
