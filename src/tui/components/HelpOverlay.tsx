import { Box } from 'ink';
import { helpLines } from '../help.js';
import type { Theme } from '../theme.js';
import { SegmentLine } from './SegmentLine.js';

/** Every key, from the same table the keymap is documented by, wrapped to the width. */
export function HelpOverlay({ scroll, height, width, theme }: { scroll: number; height: number; width: number; theme: Theme }) {
  const lines = helpLines(width);
  const start = Math.max(0, Math.min(scroll, lines.length - height));
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(start, start + height).map((line, i) => (
        <SegmentLine key={start + i} line={line} width={width} theme={theme} />
      ))}
    </Box>
  );
}
