import { Box, Text } from 'ink';
import type { Entry } from '../../shared/entry.js';
import { type Cell, entryCells, headerCells, type RowContext } from '../format/cells.js';
import type { TableLayout } from '../format/columns.js';
import type { Theme } from '../theme.js';

export interface TableRowData {
  entry: Entry;
  /** View index (for the selection). */
  index: number;
}

export interface TableProps {
  layout: TableLayout;
  /** Only the visible rows: the container never hands over more than fit. */
  rows: readonly TableRowData[];
  cursor: number;
  /** Entry rows available (the column titles take one more line). */
  height: number;
  ctx: RowContext;
  search: string | null;
  /** Shown when there are no rows. */
  emptyText: string;
  theme: Theme;
}

/** Splits a cell's text around the first case-insensitive occurrence of `needle`. */
export function splitMatch(text: string, needle: string | null): [string, string, string] | null {
  if (!needle) return null;
  const at = text.toLowerCase().indexOf(needle.toLowerCase());
  if (at < 0) return null;
  return [text.slice(0, at), text.slice(at, at + needle.length), text.slice(at + needle.length)];
}

function CellText({ cell, theme, search }: { cell: Cell; theme: Theme; search: string | null }) {
  const color = cell.color ? theme.paint(cell.color) : undefined;
  const parts = cell.id === 'command' ? splitMatch(cell.text, search) : null;
  if (!parts) {
    return (
      <Text color={color} bold={cell.bold} dimColor={cell.dim}>
        {cell.text}
      </Text>
    );
  }
  return (
    <Text color={color} bold={cell.bold} dimColor={cell.dim}>
      {parts[0]}
      {/* Underlined, not inverse: the selected row is already inverse. */}
      <Text underline bold color={theme.paint('magenta')}>
        {parts[1]}
      </Text>
      {parts[2]}
    </Text>
  );
}

function Row({ cells, selected, theme, search }: { cells: Cell[]; selected: boolean; theme: Theme; search: string | null }) {
  return (
    <Text wrap="truncate-end" inverse={selected} bold={selected}>
      {selected ? '› ' : '  '}
      {cells.map((cell, i) => (
        <Text key={cell.id}>
          {i > 0 ? ' ' : ''}
          <CellText cell={cell} theme={theme} search={search} />
        </Text>
      ))}
    </Text>
  );
}

/** Column titles and the visible rows; the selected row is marked `›` and drawn inverse. */
export function Table({ layout, rows, cursor, height, ctx, search, emptyText, theme }: TableProps) {
  const titles = headerCells(layout);
  return (
    <Box flexDirection="column" height={height + 1} overflow="hidden">
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
        rows.map((row) => (
          <Row key={row.entry.key} cells={entryCells(row.entry, layout, ctx)} selected={row.index === cursor} theme={theme} search={search} />
        ))
      )}
    </Box>
  );
}
