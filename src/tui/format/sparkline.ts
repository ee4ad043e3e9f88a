/** A requests-per-minute sparkline from the stats' per-minute series. Pure. */
const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** The last `width` minutes as bars scaled to their maximum; a minute without requests is blank. */
export function sparkline(counts: readonly number[], width: number): string {
  if (width <= 0) return '';
  const recent = counts.slice(-width);
  const max = recent.reduce((m, c) => Math.max(m, c), 0);
  const bars = recent.map((c) => (c <= 0 || max === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((c / max) * (BARS.length - 1) + 0.5))]));
  return bars.join('').padStart(width, ' ');
}
