import { Box, Text } from 'ink';
import { memo } from 'react';
import type { Span } from '../format/spans.js';
import type { Theme } from '../theme.js';

interface MarkRowProps {
  /** format/mark-row.ts's markSpans: the row after the selection marker. */
  spans: Span[];
  selected: boolean;
  theme: Theme;
}

const sameSpans = (a: Span[], b: Span[]) =>
  a.length === b.length && a.every((s, i) => s.text === b[i].text && s.color === b[i].color && s.bold === b[i].bold && s.dim === b[i].dim);

/** A writer's start, stop or gap, or a chain break, as a rule across the table (not an entry). */
export const MarkRow = memo(
  function MarkRow({ spans, selected, theme }: MarkRowProps) {
    return (
      <Box>
        <Text inverse={selected} bold={selected}>
          {selected ? '› ' : '  '}
        </Text>
        {spans.map((span, i) => (
          <Text key={i} color={span.color ? theme.paint(span.color) : undefined} bold={span.bold || selected} dimColor={span.dim && !selected} inverse={selected}>
            {span.text}
          </Text>
        ))}
      </Box>
    );
  },
  (a, b) => a.selected === b.selected && a.theme === b.theme && sameSpans(a.spans, b.spans),
);
