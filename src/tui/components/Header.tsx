import { Box } from 'ink';
import { type HeaderInput, headerLines } from '../format/header.js';
import type { Theme } from '../theme.js';
import { StyledLine } from './StyledLine.js';

/** Title and live/paused state, counts per state, percentiles with the request-rate sparkline. */
export function Header({ input, theme }: { input: HeaderInput; theme: Theme }) {
  const lines = headerLines(input);
  return (
    <Box flexDirection="column" height={lines.length}>
      {lines.map((line, i) => (
        <StyledLine key={i} line={line} width={input.width} theme={theme} />
      ))}
    </Box>
  );
}
