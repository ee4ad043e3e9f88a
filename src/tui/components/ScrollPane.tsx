import { Box } from 'ink';
import type { Line } from '../format/spans.js';
import { paneRows } from '../layout.js';
import type { Theme } from '../theme.js';
import { StyledLine } from './StyledLine.js';

export interface ScrollPaneProps {
  /** The content, pre-wrapped to `width`. */
  lines: readonly Line[];
  /** The first line shown; never past the last screenful. */
  scroll: number;
  height: number;
  width: number;
  theme: Theme;
}

const plural = (n: number) => `${n} more line${n === 1 ? '' : 's'}`;

/**
 * A window of `height` rows onto lines computed before rendering: the overlays' one scroller
 * (keys: the reducer's overlayCommand). Content that does not fit gives its last row to saying
 * so — how much follows and which lines are shown — so nothing is cut off silently.
 */
export function ScrollPane({ lines, scroll, height, width, theme }: ScrollPaneProps) {
  const rows = paneRows(lines.length, height);
  const start = Math.max(0, Math.min(scroll, lines.length - rows));
  const visible = lines.slice(start, start + rows);
  const more = lines.length - start - visible.length;
  const where = `lines ${start + 1}–${start + visible.length} of ${lines.length}`;
  const status = more > 0 ? `  ↓ ${plural(more)} (j, PgDn) · ${where}` : `  end · ${where} (k, PgUp)`;
  return (
    <Box flexDirection="column" height={height}>
      {visible.map((line, i) => (
        <StyledLine key={start + i} line={line} width={width} theme={theme} />
      ))}
      {rows < height ? <StyledLine line={[{ text: status, dim: true }]} width={width} theme={theme} /> : null}
    </Box>
  );
}
