/**
 * The viewer's first frame without Ink: the lines Ink's first render of the App draws for the
 * same state (header, column titles, the visible rows, the progress bar, the footer), as plain
 * text with SGR styles, from the same screen model and cell formatting (screen-model.ts,
 * format/). run-viewer.ts writes it to the alternate screen while Ink and React still load
 * (~0.3 s of a 0.5 s start), then Ink draws over it. Pure; test/tui/first-frame.test.tsx
 * holds it to Ink's frame.
 */
import type { AuditEngine } from '../shared/entry.js';
import { escapeForTerminal, hasUnsafeCharacters } from '../shared/sanitize.js';
import { entryCells, headerCells } from './format/cells.js';
import { MARKER_WIDTH } from './format/columns.js';
import { footerLine } from './format/footer.js';
import { fitLine, headerLines } from './format/header.js';
import { markSpans } from './format/mark-row.js';
import { progressText } from './format/progress.js';
import type { Line } from './format/spans.js';
import { matchSpan, truncate } from './format/text.js';
import { HEADER_LINES } from './layout.js';
import { screenParts, tableModel, tooSmallText } from './screen-model.js';
import type { ViewerState } from './store/state.js';
import type { Color, Theme } from './theme.js';

/** One run of text in one style, as Ink's Text props give it. */
interface Styled {
  text: string;
  color?: Color;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

// The SGR codes chalk writes for these (foreground colours, then attributes).
const COLOR_CODE: Record<Color, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, redBright: 91 };

/** Already escaped by the format functions; anything unsafe left is escaped here, never written raw. */
const safe = (text: string) => (hasUnsafeCharacters(text) ? escapeForTerminal(text) : text);

function sgr(run: Styled): string {
  const codes: number[] = [];
  if (run.bold) codes.push(1);
  if (run.dim) codes.push(2);
  if (run.underline) codes.push(4);
  if (run.inverse) codes.push(7);
  if (run.color) codes.push(COLOR_CODE[run.color]);
  const text = safe(run.text);
  return codes.length === 0 || text === '' ? text : `\u001b[${codes.join(';')}m${text}\u001b[0m`;
}

const line = (runs: readonly Styled[]) => runs.map(sgr).join('');

/** A line of spans as StyledLine draws it: cut to the width by our own measure. */
function spansLine(spans: Line, width: number, theme: Theme): string {
  return line(fitLine(spans, width).map((s) => ({ text: s.text, color: s.color ? theme.paint(s.color) : undefined, bold: s.bold, dim: s.dim })));
}

/**
 * The frame's lines (the terminal's rows less one, as Ink draws it: layout.ts), each with its
 * styles; null for a state only Ink draws (an overlay open: never the first frame).
 */
export function firstFrameLines(state: ViewerState, engine: AuditEngine, theme: Theme, title: string): string[] | null {
  const { screen, header, footer } = screenParts(state, engine, title);
  if (screen.tooSmall) return [truncate(tooSmallText(state.size), screen.width)];
  if (state.overlay.kind !== 'none') return null;
  const out = headerLines(header).map((l) => spansLine(l, screen.width, theme));
  const table = tableModel(state, engine, screen);
  const titles = headerCells(table.layout).map((c, i) => (i > 0 ? ' ' : '') + c.text);
  out.push(line([{ text: truncate(`  ${titles.join('')}`, screen.width), underline: true }]));
  if (table.rows.length === 0) out.push(line([{ text: truncate(`  ${table.emptyText}`, screen.width), dim: true }]));
  for (const row of table.rows) {
    const selected = row.index === table.cursor;
    if ('mark' in row) {
      const spans = markSpans(row.mark, table.layout.width - MARKER_WIDTH, table.ctx);
      const marker: Styled = { text: selected ? '› ' : '  ', inverse: selected, bold: selected };
      out.push(line([marker, ...spans.map((s) => ({ text: s.text, color: s.color ? theme.paint(s.color) : undefined, bold: s.bold || selected, dim: s.dim && !selected, inverse: selected }))]));
      continue;
    }
    const runs: Styled[] = [{ text: `${selected ? '›' : ' '}${row.earlier ? '↑' : ' '}`, inverse: selected, bold: selected }];
    entryCells(row.entry, table.layout, table.ctx).forEach((cell, i) => {
      const style = { color: cell.color ? theme.paint(cell.color) : undefined, bold: cell.bold || selected, dim: cell.dim && !selected, inverse: selected };
      const gap = i > 0 ? ' ' : '';
      const span = cell.id === 'command' && table.search ? matchSpan(cell.text, table.search) : null;
      if (span === null) {
        runs.push({ ...style, text: gap + cell.text });
        return;
      }
      const [at, end] = span;
      runs.push({ ...style, text: gap + cell.text.slice(0, at) });
      runs.push({ ...style, text: cell.text.slice(at, end), underline: true, bold: true, color: theme.paint('magenta') });
      runs.push({ ...style, text: cell.text.slice(end) });
    });
    out.push(line(runs));
  }
  const bodyEnd = HEADER_LINES + screen.bodyRows;
  while (out.length < bodyEnd) out.push('');
  if (screen.indexing) {
    const { bar, filled, label } = progressText(state.progress, screen.width);
    out.push(line([{ text: bar, dim: true }, { text: '█'.repeat(filled), color: theme.paint('cyan') }, { text: label, dim: true }]));
  }
  out.push(spansLine(footerLine(footer), screen.width, theme));
  return out;
}
