import { Box } from 'ink';
import type { Line } from '../format/spans.js';
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
  /** When more follows, the last row says how much instead of showing one more line. */
  countMore?: boolean;
}

/** A window of `height` rows onto lines computed before rendering: the overlays' one scroller (keys: the reducer's overlayCommand). */
export function ScrollPane({ lines, scroll, height, width, theme, countMore = false }: ScrollPaneProps) {
  const start = Math.max(0, Math.min(scroll, lines.length - height));
  const overflows = countMore && lines.length - start > height;
  const visible = lines.slice(start, start + (overflows ? height - 1 : height));
  const more = lines.length - start - visible.length;
  return (
    <Box flexDirection="column" height={height}>
      {visible.map((line, i) => (
        <StyledLine key={start + i} line={line} width={width} theme={theme} />
      ))}
      {overflows ? <StyledLine line={[{ text: `  ↓ ${more} more line${more === 1 ? '' : 's'} (j, PgDn)`, dim: true }]} width={width} theme={theme} /> : null}
    </Box>
  );
}
