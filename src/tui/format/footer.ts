/**
 * The bottom line: the prompt being typed, or a message, or the engine's latest notice, or a
 * reminder of the main keys; the selection's position on the right. Pure.
 */
import type { EngineNotice } from '../../shared/entry.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import type { Message, PromptKind, PromptState } from '../store/state.js';
import { fitLine } from './header.js';
import type { Line, Span } from './spans.js';
import { displayWidth, truncate } from './text.js';

export interface FooterInput {
  prompt: PromptState | null;
  message: Message | null;
  notice: EngineNotice | null;
  overlay: 'none' | 'detail' | 'help' | 'integrity';
  follow: boolean;
  unseen: number;
  /** 1-based selected index and the view's length; `total` when filtered. */
  index: number;
  length: number;
  total: number;
  filtered: boolean;
  /** How the rows are ordered (`S` toggles): named on the right. Absent: not named. */
  order?: 'log' | 'time';
  /** The selected entry is stamped before the one above it (marked ↑): the footer says why. */
  outOfOrder?: boolean;
  width: number;
}

export const OUT_OF_ORDER_HINT = '↑ stamped before the row above: rows are in log order, as written (a request written late, e.g. after waiting for a decision)';

const PROMPT_LABEL: Record<PromptKind, string> = {
  search: '/',
  host: 'host: ',
  origin: 'origin: ',
  session: 'session: ',
  time: 'time: ',
  operator: 'operator: ',
  export: 'write JSONL to: ',
  overwrite: 'file exists, overwrite? (y/N) ',
};
const PROMPT_HINT: Record<PromptKind, string> = {
  search: 'Enter search · Esc cancel',
  host: 'Tab complete · (local) · empty = any',
  origin: 'collected from · Tab complete · empty = any',
  session: 'Tab complete · empty = any',
  time: '2h · 30m..10m · 08:00..09:30',
  operator: 'who decided: user name or uid · empty = any',
  export: 'the entries of the current filter · Esc cancel',
  overwrite: 'y overwrites · Enter or Esc keeps it',
};

const KEY_HINTS: Record<FooterInput['overlay'], string> = {
  none: '? help  / search  f filter  Enter details  q quit',
  detail: 'j/k scroll  [ ] previous/next  Esc back',
  help: 'Esc close',
  integrity: 'j/k choose  Enter go to its row  Esc back',
};

export function footerLine(f: FooterInput): Line {
  if (f.prompt) return promptLine(f.prompt, f.width, f.message);
  const right: Span[] = [];
  if (f.order !== undefined) right.push({ text: `${f.order} order`, dim: f.order === 'log', color: f.order === 'time' ? 'cyan' : undefined });
  if (f.length > 0) {
    if (right.length > 0) right.push({ text: ' · ', dim: true });
    right.push({ text: `${f.index}/${f.length}${f.filtered ? ` of ${f.total}` : ''}`, dim: true });
  }
  let left: Span[];
  if (f.message) left = [{ text: escapeForTerminal(f.message.text, 400), color: f.message.tone === 'error' ? 'red' : undefined }];
  else if (f.overlay === 'none' && !f.follow && f.unseen > 0) {
    left = [{ text: `↓ ${f.unseen} new`, color: 'yellow', bold: true }, { text: ' · F or End to follow', dim: true }];
  } else if (f.overlay === 'none' && f.outOfOrder === true) {
    left = [{ text: OUT_OF_ORDER_HINT, color: 'yellow' }];
  } else if (f.notice) {
    left = [{ text: escapeForTerminal(f.notice.message, 400), color: f.notice.kind === 'error' ? 'red' : 'yellow' }];
  } else left = [{ text: KEY_HINTS[f.overlay], dim: true }];
  const rightWidth = right.reduce((n, s) => n + displayWidth(s.text), 0);
  const fitted = fitLine(left, Math.max(0, f.width - rightWidth - 2));
  const gap = f.width - fitted.reduce((n, s) => n + displayWidth(s.text), 0) - rightWidth;
  return [...fitted, { text: ' '.repeat(Math.max(0, gap)) }, ...right];
}

function promptLine(p: PromptState, width: number, message: Message | null): Line {
  const label = PROMPT_LABEL[p.kind];
  // Nothing typed yet: the value Enter applies is shown dim in its place (typing replaces it).
  const showsHint = p.value === '' && p.hint !== '';
  // What was wrong with the last Enter replaces the hint.
  const help = showsHint ? 'Enter takes it · BS clears it · Esc cancel' : PROMPT_HINT[p.kind];
  const hint = `  ${message ? escapeForTerminal(message.text, 200) : help}`;
  const room = width - label.length - 1;
  const showHint = room - hint.length >= 20;
  const valueRoom = showHint ? room - hint.length : room;
  // The value or hint may be a host from the log: escaped; the end stays visible while typing.
  const value = truncate(escapeForTerminal(showsHint ? p.hint : p.value, 4_096), Math.max(0, valueRoom), 'start');
  const line: Span[] = showsHint
    ? [{ text: label, bold: true }, { text: '█' }, { text: value, dim: true }]
    : [{ text: label, bold: true }, { text: value }, { text: '█' }];
  if (showHint) {
    line.push({ text: ' '.repeat(Math.max(0, valueRoom - displayWidth(value))) });
    line.push(message?.tone === 'error' ? { text: hint, color: 'red' } : { text: hint, dim: true });
  } else if (message) {
    return fitLine([{ text: escapeForTerminal(message.text, 200), color: 'red' }], width);
  }
  return fitLine(line, width);
}
