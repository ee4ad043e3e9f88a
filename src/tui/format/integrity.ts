/**
 * The integrity list (`m`): one list of everything the log cannot vouch for — chain breaks, gaps
 * (records the writer dropped), crashes (a restart without a stop), a seal that fails, malformed
 * lines and records outside the chain. Breaks, gaps and crashes come first, in log order: they
 * have a row in the table, and Enter goes to it. Everything from the log escaped. Pure.
 */
import path from 'node:path';
import type { ChainStatus, MalformedLine } from '../../shared/entry.js';
import { escapeForTerminal, formatHostCounts } from '../../shared/sanitize.js';
import { operatorText, policyChangeText, SECURITY_MARK } from '../../shared/security.js';
import type { SealFailureKind } from '../../shared/seal.js';
import { isProblem, type Mark } from '../store/rows.js';
import type { SealStatus } from '../store/seal-check.js';
import { breakPlace } from './chain-badge.js';
import { markPlace } from './mark-row.js';
import type { Line, Span } from './spans.js';
import { groupDigits } from './units.js';

export interface IntegrityInput {
  chain: ChainStatus | null;
  /** Every mark (writer events and breaks), in row order. */
  marks: readonly Mark[];
  /** The malformed lines listed by the engine (capped) and how many there are. */
  malformed: readonly MalformedLine[];
  malformedCount: number;
  /** The seals as checked with the key given: a failure is listed (the header's seal badge says it too). */
  seal: SealStatus | null;
  /** The item selected (index among the items). */
  cursor: number;
}

const count = (n: number, one: string, many = `${one}s`) => `${groupDigits(n)} ${n === 1 ? one : many}`;

function problemItem(m: Mark): Span[] {
  const place = { text: `${markPlace(m)}  ` };
  if (m.kind === 'break') {
    return [{ text: '✗ chain break  ', color: 'red', bold: true }, place, { text: `${m.brk.kind}: ${escapeForTerminal(m.brk.message, 400)}` }];
  }
  const e = m.event;
  if (e.event === 'dropped') {
    const error = e.error ? `: ${escapeForTerminal(e.error, 200)}` : '';
    return [{ text: '⚠ gap          ', color: 'yellow', bold: true }, place, { text: `${count(e.dropped, 'record')} dropped${error}` }];
  }
  if (e.event === 'policy') {
    const who = e.operator ? ` by ${operatorText(e.operator, 80)}` : '';
    return [{ text: `${SECURITY_MARK} policy       `, color: 'magenta', bold: true }, place, { text: `${e.policy ? policyChangeText(e.policy, 80) : 'changed'}${who}` }];
  }
  return [{ text: '⚠ crash        ', color: 'yellow', bold: true }, place, { text: `writer restarted (pid ${e.pid}) without a stop before it` }];
}

/** What each seal failure means for the records before it (shared/seal.ts says how each is told). */
const SEAL_FAILURE: Record<SealFailureKind, string> = {
  mac: 'the seal does not verify with the key given',
  'missing-epoch': 'a seal before it is missing (an epoch was skipped)',
  reordered: 'seals out of order (an epoch went backwards)',
  'other-log': 'the seal names another verification key',
  malformed: 'a seal record not in its one canonical form',
  truncated: 'the sealing state says a later seal was made than the log holds',
};

/** Items in order, each one line (without the selection marker). */
export function integrityItems(input: Omit<IntegrityInput, 'cursor'>): Line[] {
  const items: Line[] = input.marks.filter(isProblem).map(problemItem);
  const failure = input.seal?.failure;
  if (failure) {
    items.push([{ text: '✗ seal failed  ', color: 'red', bold: true }, { text: `${breakPlace(failure)}  ` }, { text: `${failure.kind}: ${SEAL_FAILURE[failure.kind]}` }]);
  }
  for (const m of input.malformed) {
    items.push([
      { text: '? malformed    ', color: 'yellow' },
      { text: `${escapeForTerminal(path.basename(m.file), 80)}:${m.line}  ` },
      { text: escapeForTerminal(m.reason, 400) },
    ]);
  }
  const unchained = input.chain?.unchained ?? 0;
  if (unchained > 0) {
    items.push([{ text: '⚠ unchained    ', color: 'yellow' }, { text: `${count(unchained, 'record')} without seq/prev: not covered by the hash chain` }]);
  }
  const unchecked = input.chain?.unchecked ?? 0;
  if (unchecked > 0) {
    // The hosts first (a fleet's: which to verify), names escaped.
    const hosts = formatHostCounts(input.chain?.uncheckedIn ?? [], unchecked);
    items.push([
      { text: '⚠ not checked  ', color: 'yellow' },
      ...(hosts !== '' ? [{ text: `${hosts}: ` }] : []),
      { text: `${count(unchecked, 'chained record')} arrived after their turn: not linked here (\`verify DIR\` checks them)` },
    ]);
  }
  return items;
}

/** The summary line above the items. */
export function integritySummary(input: Omit<IntegrityInput, 'cursor'>): Line {
  const parts: string[] = [];
  const breaks = input.chain?.breakCount ?? input.marks.filter((m) => m.kind === 'break').length;
  if (breaks > 0) {
    const listed = input.marks.filter((m) => m.kind === 'break').length;
    parts.push(`${count(breaks, 'chain break')}${listed < breaks ? ` (first ${listed} listed)` : ''}`);
  }
  const gaps = input.marks.filter((m) => m.kind === 'writer' && m.event.event === 'dropped');
  if (gaps.length > 0) {
    const lost = gaps.reduce((n, m) => n + (m.kind === 'writer' ? m.event.dropped : 0), 0);
    parts.push(`${count(gaps.length, 'gap')} (${count(lost, 'record')} dropped)`);
  }
  const crashes = input.marks.filter((m) => m.kind === 'writer' && m.event.afterCrash === true).length;
  if (crashes > 0) parts.push(count(crashes, 'crash', 'crashes'));
  if (input.seal?.failure) parts.push('1 seal failed');
  if (input.malformedCount > 0) {
    const shown = input.malformed.length < input.malformedCount ? ` (the latest ${input.malformed.length} listed)` : '';
    parts.push(`${count(input.malformedCount, 'malformed line')}${shown}`);
  }
  const unchained = input.chain?.unchained ?? 0;
  if (unchained > 0) parts.push(count(unchained, 'unchained record'));
  const unchecked = input.chain?.unchecked ?? 0;
  if (unchecked > 0) parts.push(`${count(unchecked, 'record')} not checked`);
  const what = parts.length > 0 ? parts.join(' · ') : 'nothing';
  const policies = input.marks.filter((m) => m.kind === 'writer' && m.event.event === 'policy').length;
  const security: Span[] = policies > 0 ? [{ text: ` · ${SECURITY_MARK} ${count(policies, 'policy change')}`, color: 'magenta', bold: true }] : [];
  return [{ text: `Not vouched for: ${what}`, bold: true }, ...security, { text: '  (Enter: go to its row)', dim: true }];
}

/** The list's lines: the summary, then each item, the selected one marked `›` and bold. */
export function integrityLines(input: IntegrityInput): Line[] {
  const items = integrityItems(input).map((spans, i): Line => {
    const selected = i === input.cursor;
    return [{ text: selected ? '› ' : '  ', bold: true }, ...spans.map((s) => (selected ? { ...s, bold: true } : s))];
  });
  return [integritySummary(input), ...items];
}
