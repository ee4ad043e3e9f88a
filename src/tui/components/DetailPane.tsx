import { Box } from 'ink';
import type { Line } from '../format/segments.js';
import type { Theme } from '../theme.js';
import { SegmentLine } from './SegmentLine.js';

/** The selected entry in full, scrolled to `scroll`; lines come pre-wrapped (format/detail.ts). */
export function DetailPane(props: { lines: readonly Line[]; scroll: number; height: number; width: number; theme: Theme }) {
  const { lines, scroll, height, width, theme } = props;
  const start = Math.max(0, Math.min(scroll, lines.length - height));
  // When more follows, the last row says how much instead of showing one more line.
  const overflows = lines.length - start > height;
  const visible = lines.slice(start, start + (overflows ? height - 1 : height));
  const more = lines.length - start - visible.length;
  return (
    <Box flexDirection="column" height={height}>
      {visible.map((line, i) => (
        <SegmentLine key={start + i} line={line} width={width} theme={theme} />
      ))}
      {overflows ? <SegmentLine line={[{ text: `  ↓ ${more} more line${more === 1 ? '' : 's'} (j, PgDn)`, dim: true }]} width={width} theme={theme} /> : null}
    </Box>
  );
}
