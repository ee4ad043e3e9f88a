import path from 'node:path';
import type { MalformedLine } from '../../shared/entry.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import type { Line } from '../format/spans.js';
import type { Theme } from '../theme.js';
import { ScrollPane } from './ScrollPane.js';

export function malformedLines(items: readonly MalformedLine[], count: number): Line[] {
  const shown = items.length < count ? ` (the latest ${items.length} listed)` : '';
  const lines: Line[] = [[{ text: `${count} malformed line${count === 1 ? '' : 's'}${shown}`, bold: true }]];
  for (const m of items) {
    lines.push([
      { text: `  ${escapeForTerminal(path.basename(m.file), 80)}:${m.line}`, color: 'yellow' },
      { text: `  ${escapeForTerminal(m.reason, 400)}` },
    ]);
  }
  return lines;
}

/** Lines that are not valid records: where they are and why, never fatal. */
export function MalformedList(props: { lines: readonly Line[]; scroll: number; height: number; width: number; theme: Theme }) {
  return <ScrollPane {...props} />;
}
