/** Compact human units for narrow columns: durations, byte sizes, counts. Pure. */

/** 850ms, 4.2s, 25s, 1m05s, 1h02m, 3d04h. Null or NaN → '-'. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  const v = Math.max(0, ms);
  if (v < 1_000) return `${Math.round(v)}ms`;
  if (v < 10_000) return `${(Math.floor(v / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(v / 1_000);
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor(s / 3_600) % 24).padStart(2, '0')}h`;
}

const SIZE_UNITS = ['K', 'M', 'G', 'T'];

/** 0, 900B, 40.0K, 1.0M; `truncated` adds `+` (more was produced than captured). Null → '-'. */
export function formatBytes(bytes: number | null, truncated = false): string {
  if (bytes === null || !Number.isFinite(bytes)) return '-';
  const mark = truncated ? '+' : '';
  if (bytes < 1_024) return `${bytes === 0 ? '0' : `${bytes}B`}${mark}`;
  let v = bytes / 1_024;
  let unit = 0;
  while (v >= 1_024 && unit < SIZE_UNITS.length - 1) {
    v /= 1_024;
    unit++;
  }
  return `${v < 100 ? v.toFixed(1) : Math.round(v)}${SIZE_UNITS[unit]}${mark}`;
}

/** Exact byte count with thousands separators, for the detail pane. */
export function formatByteCount(bytes: number): string {
  return `${groupDigits(bytes)} B`;
}

/** 999, 12.3k, 812k, 1.2M: counts in a header that must fit 80 columns. */
export function formatCount(n: number, compact: boolean): string {
  if (!compact || n < 10_000) return String(n);
  if (n < 1_000_000) return n < 100_000 ? `${(n / 1_000).toFixed(1)}k` : `${Math.round(n / 1_000)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/**
 * An integer with thousands separators, 1,234,567: what `toLocaleString('en-US')` gives, whose
 * first call sets up ICU's number formatting (~20–50 ms of the viewer's first frame). Anything
 * but a safe integer goes to toLocaleString.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}
