/** A requests-per-minute sparkline from the stats' per-minute series. Pure. */
const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * The whole series in at most `width` bars, each the sum of as many minutes as it takes: the
 * shape of a day's log at a glance (a live pane shows the last minutes instead).
 */
export function squeeze(counts: readonly number[], width: number): { counts: number[]; minutesPerBar: number } {
  if (width <= 0 || counts.length <= width) return { counts: [...counts], minutesPerBar: 1 };
  const minutesPerBar = Math.ceil(counts.length / width);
  const out: number[] = [];
  for (let i = 0; i < counts.length; i += minutesPerBar) {
    let sum = 0;
    for (let j = i; j < Math.min(counts.length, i + minutesPerBar); j++) sum += counts[j];
    out.push(sum);
  }
  return { counts: out, minutesPerBar };
}

/** The last `width` minutes as bars scaled to their maximum; a minute without requests is blank. */
export function sparkline(counts: readonly number[], width: number): string {
  if (width <= 0) return '';
  const recent = counts.slice(-width);
  const max = recent.reduce((m, c) => Math.max(m, c), 0);
  const bars = recent.map((c) => (c <= 0 || max === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((c / max) * (BARS.length - 1) + 0.5))]));
  return bars.join('').padStart(width, ' ');
}
