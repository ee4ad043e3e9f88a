/**
 * The header's chain badge: what the hash chain vouches for, always on screen. Each form says it
 * in words and a symbol as well as a colour (✓ verified, … checking, ✗ BROKEN, ⚠ unchained or not checked), so it
 * reads the same under NO_COLOR. Longest form first; the header takes the first that fits.
 * File and host names come from the log's paths: escaped.
 */
import path from 'node:path';
import type { ChainStatus } from '../../shared/entry.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import type { Span } from './spans.js';
import { groupDigits } from './units.js';

const count = groupDigits;
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** Where the first break is: file:line, and the host for a collector directory. */
export function breakPlace(brk: { file: string; line: number; origin: string }): string {
  const where = `${escapeForTerminal(path.basename(brk.file), 80)}:${brk.line}`;
  return brk.origin === '' ? where : `${escapeForTerminal(brk.origin, 80)} ${where}`;
}

/** The badge's forms, longest first; [] when the engine does not check the chain. */
export function chainBadgeForms(chain: ChainStatus | null): Span[][] {
  if (chain === null) return [];
  const first = chain.breaks[0];
  if (chain.breakCount > 0 || chain.state === 'broken') {
    const bad = { color: 'red', bold: true } as const;
    const others = chain.breakCount - 1;
    const more = others > 0 ? ` (+${count(others)} more)` : '';
    const plus = others > 0 ? ` +${count(others)}` : '';
    if (!first) return [[{ text: `✗ chain BROKEN${more}`, ...bad }], [{ text: `✗ BROKEN${plus}`, ...bad }]];
    return [
      [{ text: `✗ chain BROKEN: ${first.kind} at ${breakPlace(first)}${more}`, ...bad }],
      [{ text: `✗ BROKEN ${first.kind} ${breakPlace(first)}${plus}`, ...bad }],
      [{ text: `✗ BROKEN ${breakPlace(first)}${plus}`, ...bad }],
      [{ text: '✗ BROKEN', ...bad }],
    ];
  }
  const warn = { color: 'yellow', bold: true } as const;
  // What the ✓ does not cover: records outside any chain, and a collected host's records its check could not link.
  const uncovered: Span[] = [
    ...(chain.unchained > 0 ? [{ text: ' · ', dim: true }, { text: `⚠ ${count(chain.unchained)} unchained`, ...warn }] : []),
    ...(chain.unchecked > 0 ? [{ text: ' · ', dim: true }, { text: `⚠ ${count(chain.unchecked)} not checked`, ...warn }] : []),
  ];
  if (chain.state === 'checking') {
    const pct = chain.total > 0 ? Math.floor((chain.checked / chain.total) * 100) : 0;
    const look = { color: 'cyan' } as const;
    return [
      [{ text: `… chain checking ${count(chain.checked)}/${count(chain.total)}`, ...look }, ...uncovered],
      [{ text: `… checking ${pct}%`, ...look }, ...uncovered],
      [{ text: `… checking ${pct}%`, ...look }],
    ];
  }
  if (chain.total === 0 && chain.unchained > 0) {
    return [[{ text: `⚠ ${plural(chain.unchained, 'unchained record')} (no chain)`, ...warn }], [{ text: `⚠ ${count(chain.unchained)} unchained`, ...warn }]];
  }
  const ok = { color: 'green' } as const;
  return [
    [{ text: `✓ chain verified through ${plural(chain.checked, 'record')}`, ...ok }, ...uncovered],
    [{ text: `✓ chain ${count(chain.checked)}`, ...ok }, ...uncovered],
    [{ text: '✓ chain', ...ok }, ...(chain.unchained > 0 || chain.unchecked > 0 ? [{ text: ' ⚠', ...warn }] : [])],
  ];
}
