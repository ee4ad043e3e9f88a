import { Text } from 'ink';
import { fitLine } from '../format/header.js';
import type { Line } from '../format/spans.js';
import type { Theme } from '../theme.js';

/**
 * One line of styled spans, cut to `width` by our own measure (Ink's truncation can be a
 * column off with wide characters, and a line one column too wide wraps and breaks the frame).
 * A blank line still takes its row.
 */
export function StyledLine({ line, width, theme }: { line: Line; width: number; theme: Theme }) {
  const fitted = fitLine(line, width);
  if (fitted.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {fitted.map((span, i) => (
        <Text key={i} color={span.color ? theme.paint(span.color) : undefined} bold={span.bold} dimColor={span.dim}>
          {span.text}
        </Text>
      ))}
    </Text>
  );
}
