/**
 * The three header lines as styled spans fitted to the width: what is followed and whether
 * it is live; counts per state; latency and duration percentiles, the request-rate sparkline
 * and the malformed-line count. Narrow terminals get compact forms rather than cut-off text.
 */
import path from 'node:path';
import type { ChainStatus, EntryFilter, EntryStats } from '../../shared/entry.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { policyShown } from '../../shared/security.js';
import { INTERRUPTED_LOOK, STATE_LOOK, STATE_ORDER, type StateLook } from '../theme.js';
import { chainBadgeForms } from './chain-badge.js';
import { sealBadgeForms, withSealBadge } from './seal-badge.js';
import type { Mark } from '../store/rows.js';
import type { SealStatus } from '../store/seal-check.js';
import { type Line, lineText, type Span } from './spans.js';
import { sparkline, squeeze } from './sparkline.js';
import { displayWidth, truncate } from './text.js';
import { formatCount, formatDuration } from './units.js';

export interface HeaderInput {
  title: string;
  files: readonly string[];
  live: boolean;
  follow: boolean;
  unseen: number;
  filter: string[];
  search: string | null;
  stats: EntryStats | null;
  malformedCount: number;
  /** Security events (replays among the entries counted, and policy changes); 0 or absent: none. */
  security?: number;
  /** Collected hosts when reading a collector directory (engine.origins()); 0 or absent for files. */
  origins?: number;
  /** Exact duplicate lines the engine dropped (engine.duplicateLines()). */
  duplicateLines?: number;
  /** The hash chain as checked so far (engine.chainStatus()); null or absent when not checked. */
  chain?: ChainStatus | null;
  /** The seals as checked (with the key given); null or absent when there are none to show. */
  seal?: SealStatus | null;
  /** The counts are of a filter: how many entries were read in all ("Σ 12 of 340"); null or absent otherwise. */
  of?: number | null;
  /** The zone the times are in (zoneNote); absent: not said. Left out first when the line is short. */
  zone?: string;
  /** Now, ms: how the seal's time is shown (the date when it is not today). */
  now?: number;
  width: number;
}

const width = (spans: Span[]) => displayWidth(lineText(spans));

/** Cuts a line of spans to `max` columns (the last span that does not fit is truncated). */
export function fitLine(spans: Span[], max: number): Line {
  const out: Line = [];
  let used = 0;
  for (const span of spans) {
    const w = displayWidth(span.text);
    if (used + w <= max) {
      out.push(span);
      used += w;
      continue;
    }
    const room = max - used;
    if (room > 0) out.push({ ...span, text: truncate(span.text, room) });
    break;
  }
  return out;
}

/** Left and right parts on one line, the right part flush right when there is room. */
function spread(left: Span[], right: Span[], max: number): Line {
  if (right.length === 0) return fitLine(left, max);
  const gap = max - width(left) - width(right);
  if (gap < 2) return fitLine([...left, { text: '  ' }, ...right], max);
  return [...left, { text: ' '.repeat(gap) }, ...right];
}

export function filesLabel(files: readonly string[]): string {
  if (files.length === 0) return '(no file)';
  const last = escapeForTerminal(path.basename(files[files.length - 1]), 80);
  return files.length === 1 ? last : `${last} +${files.length - 1} older`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What is read, longest form first: the files (or, for a collector directory, how many hosts)
 * and the duplicate lines dropped; the shorter forms are for when the filter needs the room.
 */
export function sourceForms(h: Pick<HeaderInput, 'files' | 'origins' | 'duplicateLines'>): Span[][] {
  const what: Span = { text: h.origins ? plural(h.origins, 'host') : filesLabel(h.files) };
  const dups = h.duplicateLines ?? 0;
  if (dups === 0) return [[what], []];
  const sep: Span = { text: ' · ', dim: true };
  const short: Span = { text: `${dups} dups dropped` };
  // The duplicates outlast the host count: they say something about the data on screen.
  return [[what, sep, { text: `${plural(dups, 'duplicate line')} dropped` }], [what, sep, short], [short], []];
}

/** A long file name cut (`…`) to make room for the chain badge, before it is dropped altogether. */
function withShortName(forms: Span[][]): Span[][] {
  const what = forms[0][0];
  if (!what || displayWidth(what.text) <= SHORT_NAME) return forms;
  return [...forms.slice(0, -1), [{ ...what, text: truncate(what.text, SHORT_NAME) }], forms[forms.length - 1]];
}
const SHORT_NAME = 32;

export function titleLine(h: HeaderInput): Line {
  const state: Span = !h.follow
    ? { text: `‖ paused${h.unseen > 0 ? ` · ${h.unseen} new` : ''}`, color: 'yellow', bold: true }
    : h.live
      ? { text: '● live', color: 'green', bold: true }
      : { text: '■ end of file', dim: true };
  const right: Span[] = [];
  if (h.filter.length > 0) right.push({ text: `filter: ${h.filter.join(' · ')}`, color: 'cyan' });
  if (h.search !== null) {
    if (right.length > 0) right.push({ text: '  ' });
    right.push({ text: `/${escapeForTerminal(h.search, 40)}`, color: 'magenta' });
  }
  // Keep the live/paused state and the chain badge visible: shorten, then drop, what is read
  // before the filter. The badge shortens first — but a break keeps its file:line (its first
  // three forms) before the file name goes.
  const chainBroken = h.chain != null && (h.chain.breakCount > 0 || h.chain.state === 'broken');
  const sealFailed = h.seal?.failure != null;
  const badges = withSealBadge(chainBadgeForms(h.chain ?? null), sealBadgeForms(h.seal, h.now ?? Date.now()), sealFailed, chainBroken);
  const sources = badges.length > 0 ? withShortName(sourceForms(h)) : sourceForms(h);
  const broken = chainBroken || sealFailed;
  const keep = broken ? 3 : badges.length;
  const tries: Array<[Span[], Span[]]> = [];
  if (badges.length === 0) for (const source of sources) tries.push([source, []]);
  else {
    for (const source of sources) for (const badge of badges.slice(0, keep)) tries.push([source, badge]);
    for (const badge of badges.slice(keep)) tries.push([[], badge]);
  }
  let left: Span[] = [];
  for (const [source, badge] of tries) {
    left = [
      { text: escapeForTerminal(h.title, 200), bold: true },
      { text: '  ' },
      ...(source.length > 0 ? [...source, { text: '  ' }] : []),
      state,
      ...(badge.length > 0 ? [{ text: '  ' }, ...badge] : []),
    ];
    if (width(left) + width(right) + 2 <= h.width) break;
  }
  // The zone only where it fits beside everything else: the first thing left out.
  if (h.zone && width(left) + 2 + displayWidth(h.zone) + width(right) + 2 <= h.width) left.push({ text: '  ' }, { text: h.zone, dim: true });
  return spread(left, right, h.width);
}

export function countsLine(h: HeaderInput): Line {
  if (!h.stats) return [{ text: 'counting…', dim: true }];
  const stats = h.stats;
  // A running entry whose writer stopped or crashed will never finish: counted as halted (shown
  // when there are any), as its row shows it, not as running. (Only a running entry is interrupted.)
  const running = stats.byState.running ?? 0;
  const halted = Math.min(running, stats.anomalies?.interrupted ?? 0);
  const counts: Array<[StateLook, number]> = STATE_ORDER.map((state) => [STATE_LOOK[state], state === 'running' ? running - halted : (stats.byState[state] ?? 0)]);
  if (halted > 0) counts.splice(1, 0, [INTERRUPTED_LOOK, halted]);
  const build = (compact: boolean, words: boolean, gap: string): Span[] => {
    const spans: Span[] = [];
    for (const [look, n] of counts) {
      if (spans.length > 0) spans.push({ text: gap });
      spans.push({ text: `${look.symbol} ${formatCount(n, compact)}${words ? ` ${look.word}` : ''}`, color: look.color, dim: n === 0 });
    }
    const of = h.of == null ? '' : ` of ${formatCount(h.of, compact)}`;
    spans.push({ text: gap }, { text: `Σ ${formatCount(stats.total, compact)}${of}`, bold: true });
    return spans;
  };
  // Words stay as long as they fit: tighter spacing first, then compact numbers, then symbols only.
  const forms = [[false, true, '  '], [false, true, ' '], [true, true, ' '], [true, false, ' ']] as const;
  for (const [compact, words, gap] of forms) {
    const spans = build(compact, words, gap);
    if (width(spans) <= h.width) return spans;
  }
  return fitLine(build(true, false, ' '), h.width);
}

export function metricsLine(h: HeaderInput): Line {
  const stats = h.stats;
  if (!stats || stats.total === 0) {
    const none: Span[] = [{ text: 'latency - · duration - · no requests yet', dim: true }];
    const counts: Span[] = h.malformedCount > 0 ? [{ text: ' · ', dim: true }, { text: `${h.malformedCount} malformed (m)`, color: 'yellow', bold: true }] : [];
    return fitLine([...none, ...counts, ...securitySpans(h)], h.width);
  }
  const pct = (p: { p50: number; p95: number } | null | undefined, full: boolean) =>
    p ? (full ? `p50 ${formatDuration(p.p50)} p95 ${formatDuration(p.p95)}` : `${formatDuration(p.p50)}/${formatDuration(p.p95)}`) : '-';
  const malformedSpans: Span[] = h.malformedCount > 0 ? [{ text: ' · ', dim: true }, { text: `${h.malformedCount} malformed (m)`, color: 'yellow', bold: true }] : [];
  const malformed: Span[] = [...malformedSpans, ...securitySpans(h)];
  const build = (full: boolean): Span[] =>
    full
      ? [{ text: 'latency ', dim: true }, { text: pct(stats?.latency, true) }, { text: ' · ', dim: true }, { text: 'duration ', dim: true }, { text: pct(stats?.duration, true) }]
      : [{ text: 'p50/p95 ', dim: true }, { text: 'latency ', dim: true }, { text: pct(stats?.latency, false) }, { text: ' duration ', dim: true }, { text: pct(stats?.duration, false) }];
  const series = stats?.perMinute.counts ?? [];
  const last = series.length > 0 ? series[series.length - 1] : 0;
  // Live: the last minutes and the latest rate. A file as it is: its whole span, squeezed.
  const rateSuffix = h.live ? ` ${last}/min` : ` over ${formatDuration(series.length * 60_000)}`;
  const rate = (spark: number): Span[] => [
    { text: ' · ', dim: true },
    { text: sparkline(h.live ? series : squeeze(series, spark).counts, spark), color: 'cyan' },
    { text: rateSuffix, dim: true },
  ];
  // The full labels when the sparkline still gets 8 columns; then compact ones; then no sparkline.
  for (const [full, minSpark] of [[true, 8], [false, 4]] as const) {
    const base = build(full);
    const room = h.width - width(base) - width(malformed) - 3 - rateSuffix.length;
    if (room >= minSpark) return [...base, ...rate(Math.min(60, room)), ...malformed];
  }
  return fitLine([...build(false), ...malformed], h.width);
}

/** Security events: the replays among the entries `stats` counted, and the policy changes among the marks that the filter keeps. */
export function securityCount(stats: EntryStats | null, marks: readonly Mark[], filter: EntryFilter = {}): number {
  let n = stats?.rejects?.replay ?? 0;
  for (const m of marks) if (m.kind === 'writer' && m.event.event === 'policy' && policyShown(m.event, filter)) n++;
  return n;
}

/** `⚑ N security`: replays and policy changes, which the `f` filter (security) and `m` list show. */
function securitySpans(h: HeaderInput): Span[] {
  const n = h.security ?? 0;
  return n > 0 ? [{ text: ' · ', dim: true }, { text: `⚑ ${formatCount(n, false)} security`, color: 'magenta', bold: true }] : [];
}

export function headerLines(h: HeaderInput): [Line, Line, Line] {
  return [titleLine(h), countsLine(h), metricsLine(h)];
}
