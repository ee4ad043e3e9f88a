import { Box, Text } from 'ink';
import { memo } from 'react';
import { type Cell, entryCells, headerCells } from '../format/cells.js';
import { MARKER_WIDTH } from '../format/columns.js';
import { matchSpan } from '../format/text.js';
import { markSpans } from '../format/mark-row.js';
import type { TableModel } from '../screen-model.js';
import type { Theme } from '../theme.js';
import { MarkRow } from './MarkRow.js';

export type { TableRowData } from '../screen-model.js';

export type TableProps = TableModel & { theme: Theme };

/** Splits a cell's text around the first case-insensitive occurrence of `needle`. */
export function splitMatch(text: string, needle: string | null): [string, string, string] | null {
  const span = needle ? matchSpan(text, needle) : null;
  if (span === null) return null;
  return [text.slice(0, span[0]), text.slice(span[0], span[1]), text.slice(span[1])];
}

/**
 * A cell with the gap before it, as its own Text node. Ink measures every Text node on every
 * frame, and string-width has a fast path for printable ASCII only: one node per row would
 * take the slow path for the whole row because of one `✓` or `…`; per cell, only those cells do.
 */
function CellText({ cell, gap, selected, theme, search }: { cell: Cell; gap: string; selected: boolean; theme: Theme; search: string | null }) {
  const color = cell.color ? theme.paint(cell.color) : undefined;
  const parts = cell.id === 'command' ? splitMatch(cell.text, search) : null;
  const style = { color, bold: cell.bold || selected, dimColor: cell.dim && !selected, inverse: selected };
  if (!parts) {
    return (
      <Text {...style}>
        {gap}
        {cell.text}
      </Text>
    );
  }
  return (
    <Text {...style}>
      {gap}
      {parts[0]}
      {/* Underlined, not inverse: the selected row is already inverse. */}
      <Text underline bold color={theme.paint('magenta')}>
        {parts[1]}
      </Text>
      {parts[2]}
    </Text>
  );
}

interface RowProps {
  cells: Cell[];
  selected: boolean;
  earlier: boolean;
  theme: Theme;
  search: string | null;
}

const sameCells = (a: Cell[], b: Cell[]) =>
  a.length === b.length && a.every((c, i) => c.text === b[i].text && c.color === b[i].color && c.bold === b[i].bold && c.dim === b[i].dim);

/** Rows that did not change (all but two on j/k) are not re-rendered. */
const Row = memo(function Row({ cells, selected, earlier, theme, search }: RowProps) {
  return (
    <Box>
      <Text inverse={selected} bold={selected}>
        {selected ? '›' : ' '}
        {earlier ? '↑' : ' '}
      </Text>
      {cells.map((cell, i) => (
        <CellText key={cell.id} cell={cell} gap={i > 0 ? ' ' : ''} selected={selected} theme={theme} search={search} />
      ))}
    </Box>
  );
},
(a: RowProps, b: RowProps) => a.selected === b.selected && a.earlier === b.earlier && a.search === b.search && a.theme === b.theme && sameCells(a.cells, b.cells));

/** Column titles and the visible rows; the selected row is marked `›` and drawn inverse. */
export function Table({ layout, rows, cursor, height, ctx, search, emptyText, theme }: TableProps) {
  const titles = headerCells(layout);
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text wrap="truncate-end" underline>
        {'  '}
        {titles.map((c, i) => (i > 0 ? ' ' : '') + c.text).join('')}
      </Text>
      {rows.length === 0 ? (
        <Text dimColor wrap="truncate-end">
          {'  '}
          {emptyText}
        </Text>
      ) : (
        // Keyed by screen line, not by entry: paging updates the same nodes instead of replacing them all.
        rows.map((row) => {
          const key = row.index - (rows[0]?.index ?? 0);
          if ('mark' in row) {
            return <MarkRow key={key} spans={markSpans(row.mark, layout.width - MARKER_WIDTH, ctx)} selected={row.index === cursor} theme={theme} />;
          }
          return <Row key={key} cells={entryCells(row.entry, layout, ctx)} selected={row.index === cursor} earlier={row.earlier === true} theme={theme} search={search} />;
        })
      )}
    </Box>
  );
}
