/**
 * The header's seal badge, beside the chain badge: how far the log is sealed (checked with the
 * verification key given), or the first seal failure in the broken style. Words and symbols as
 * well as colours (NO_COLOR); longest form first. File and host names come from the log's
 * paths: escaped (breakPlace).
 */
import { escapeForTerminal } from '../../shared/sanitize.js';
import type { SealStatus } from '../store/seal-check.js';
import { breakPlace } from './chain-badge.js';
import type { Span } from './spans.js';
import { formatTime } from './time.js';
import { groupDigits } from './units.js';

const count = groupDigits;

/** The seal badge's forms, longest first; [] when there is nothing to say of seals. */
export function sealBadgeForms(seal: SealStatus | null | undefined, nowMs: number): Span[][] {
  if (!seal) return [];
  if (seal.failure) {
    const bad = { color: 'red', bold: true } as const;
    const place = breakPlace(seal.failure);
    return [
      [{ text: `✗ seal FAILED: ${seal.failure.kind} at ${place}`, ...bad }],
      [{ text: `✗ seal ${seal.failure.kind} ${place}`, ...bad }],
      [{ text: `✗ seal ${place}`, ...bad }],
      [{ text: '✗ SEAL', ...bad }],
    ];
  }
  const unsealed = `${count(seal.unsealed)} unsealed`;
  const sep: Span = { text: ' · ', dim: true };
  const partly: Span[] = seal.unchecked > 0 && seal.checked > 0 ? [sep, { text: `${count(seal.unchecked)} not checked (no key)`, color: 'yellow' }] : [];
  if (seal.checked === 0) {
    const note = { color: 'yellow' } as const;
    return [[{ text: unsealed }, sep, { text: 'seals not checked (no key)', ...note }], [{ text: unsealed }, sep, { text: 'not checked', ...note }], [{ text: unsealed }]];
  }
  if (seal.notSealed > 0 || seal.sealedUntil === null) {
    const warn = { color: 'yellow', bold: true } as const;
    const what = seal.checked > 1 ? `⚠ ${count(seal.notSealed)} not sealed` : '⚠ not sealed';
    return [[{ text: what, ...warn }, sep, { text: unsealed }, ...partly], [{ text: what, ...warn }, sep, { text: unsealed }], [{ text: what, ...warn }]];
  }
  const ms = Date.parse(seal.sealedUntil);
  const until = Number.isFinite(ms) ? formatTime(ms, 'date', nowMs) : escapeForTerminal(seal.sealedUntil, 40);
  const ok = { color: 'green' } as const;
  return [
    [{ text: `✓ sealed until ${until}`, ...ok }, sep, { text: unsealed }, ...partly],
    [{ text: `✓ sealed ${until}`, ...ok }, sep, { text: unsealed }],
    [{ text: '✓ sealed', ...ok }],
  ];
}

/**
 * The chain badge and the seal badge as one, longest first: side by side, shortening together;
 * then the one that matters more alone (a seal failure when the chain is not broken).
 */
export function withSealBadge(chain: Span[][], seal: Span[][], sealFailed: boolean, chainBroken: boolean): Span[][] {
  if (seal.length === 0) return chain;
  if (chain.length === 0) return seal;
  const n = Math.max(chain.length, seal.length);
  const out: Span[][] = [];
  for (let i = 0; i < n; i++) out.push([...chain[Math.min(i, chain.length - 1)], { text: '  ' }, ...seal[Math.min(i, seal.length - 1)]]);
  out.push(...(sealFailed && !chainBroken ? seal.slice(-2) : chain.slice(-2)));
  return out;
}
