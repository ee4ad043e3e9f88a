import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry, EntryFilter } from '../../src/shared/entry.js';
import { compileFilter, filtersNothing, MAX_RATE_MINUTES, matchesFilter, mergeMinuteCounts, minuteCounts, percentiles, perMinute, searchFilter, topCounts } from '../../src/shared/query.js';
import type { AuditRecord } from '../../src/shared/schema.js';
import { request, response } from '../engine/helpers.js';
import { joinRecords, type LocatedRecord } from './oracles/entry-joiner.js';
import { computeStats, factsOf, filterEntries } from './oracles/entry-query.js';

const T0 = Date.UTC(2026, 10, 1, 8);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Eight entries with known answers. */
function handBuilt(): Entry[] {
  const recs: object[] = [
    request('1', { time: iso(T0), host: 'web-01', session: 's1', latency_ms: 1000 }),
    response('1', { duration_ms: 100 }),
    request('2', { time: iso(T0 + 30_000), host: 'web-01', session: 's2', latency_ms: 3000, pipeline: [['journalctl', '-u', 'ssh'], ['tail', '-50']], reason: 'Look for failed SSH logins' }),
    response('2', { duration_ms: 300, stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }, { exit_code: 1, stderr_len: 0, stderr_truncated: false }] }),
    request('3', { time: iso(T0 + 60_000), host: 'db', session: 's1', decision: 'denied', latency_ms: 2000 }),
    request('4', { time: iso(T0 + 61_000), host: 'db', session: 's1', decision: 'timeout', latency_ms: 60000 }),
    request('5', { time: iso(T0 + 62_000), host: '', session: 's3', decision: 'rejected', error: 'no', via: 'policy', latency_ms: null, privileged: false, pipeline: [['uptime']], reason: 'load' }),
    request('6', { time: iso(T0 + 180_000), host: '', session: 's3', via: 'policy', latency_ms: null, privileged: false, pipeline: [['uptime']], reason: 'load check' }),
    response('6', { duration_ms: 5 }),
    request('7', { time: iso(T0 + 181_000), host: 'web-01', session: 's2', latency_ms: 4000 }),
    response('ghost', { duration_ms: 50, time: iso(T0 + 200_000) }),
  ];
  const located: LocatedRecord[] = recs.map((r, i) => ({
    record: { ...(r as AuditRecord), seq: i + 1, prev: '0'.repeat(64) } as AuditRecord,
    location: { file: 'f', line: i + 1, offset: i * 100, length: 99, seq: i + 1 },
  }));
  return joinRecords(located).entries;
}

const idsOf = (entries: Entry[], positions: Int32Array) => Array.from(positions, (p) => entries[p].id);

describe('filters', () => {
  const entries = handBuilt();

  it('the set is as designed', () => {
    expect(entries.map((e) => `${e.id}:${e.state}`)).toEqual(['1:ok', '2:failed', '3:denied', '4:timeout', '5:rejected', '6:ok', '7:running', 'ghost:ok']);
  });

  it('narrows by state, host, session, privileged, failed', () => {
    expect(idsOf(entries, filterEntries(entries, { states: ['denied', 'timeout'] }))).toEqual(['3', '4']);
    expect(idsOf(entries, filterEntries(entries, { hosts: ['db', ''] }))).toEqual(['3', '4', '5', '6', 'ghost']);
    expect(idsOf(entries, filterEntries(entries, { sessions: ['s2'] }))).toEqual(['2', '7']);
    expect(idsOf(entries, filterEntries(entries, { privileged: false }))).toEqual(['5', '6', 'ghost']);
    expect(idsOf(entries, filterEntries(entries, { failedOnly: true }))).toEqual(['2']);
    expect(idsOf(entries, filterEntries(entries, { failedOnly: true, states: ['ok'] }))).toEqual([]);
    expect(idsOf(entries, filterEntries(entries, { hosts: ['web-01'], sessions: ['s1'] }))).toEqual(['1']);
    expect(idsOf(entries, filterEntries(entries, {}))).toHaveLength(8);
  });

  it('narrows by time: since inclusive, until exclusive', () => {
    expect(idsOf(entries, filterEntries(entries, { sinceMs: T0 + 60_000, untilMs: T0 + 180_000 }))).toEqual(['3', '4', '5']);
    expect(idsOf(entries, filterEntries(entries, { sinceMs: T0 + 181_000 }))).toEqual(['7', 'ghost']);
  });

  it('searches the displayed pipeline and the reason, case-insensitively', () => {
    expect(idsOf(entries, filterEntries(entries, { text: 'SSH' }))).toEqual(['2']);
    expect(idsOf(entries, filterEntries(entries, { text: 'ssh | tail' }))).toEqual(['2']);
    expect(idsOf(entries, filterEntries(entries, { text: 'load' }))).toEqual(['5', '6']);
    expect(idsOf(entries, filterEntries(entries, { text: 'nothing like this' }))).toEqual([]);
    expect(idsOf(entries, filterEntries(entries, { regex: /^uptime$/g }))).toEqual(['5', '6']);
  });

  it('finds an id or a part of it, host, session, origin, command, resolved paths, reason and both errors', () => {
    const loc = (i: number) => ({ file: 'f', line: i, offset: i * 100, length: 99, seq: null });
    const found = joinRecords([
      { record: request('92bcb9bb-0001', { host: 'web-02', session: 'ssh:bob', pipeline: [['nginx', '-t']], resolved: ['/usr/sbin/nginx'], reason: 'test config' }), location: loc(1) },
      { record: response('92bcb9bb-0001', { status: 'error', error: 'spawn EACCES', stages: [] }), location: loc(2) },
      { record: request('77aa', { host: 'mail', decision: 'rejected', error: 'argv over the limit', via: 'policy' }), location: loc(3) },
      { record: request('plain', { host: 'db', session: 'cron', reason: 'rotate' }), location: loc(4) },
    ]).entries.map((e) => (e.id === '77aa' ? { ...e, origin: 'collector-west' } : e));
    const search = (f: object) => found.filter((e) => matchesFilter(e, f)).map((e) => e.id);
    expect(search({ text: '92bcb9bb-0001' })).toEqual(['92bcb9bb-0001']);
    expect(search({ text: ' 77aa ' })).toEqual(['77aa']);
    expect(search({ text: '92BCB9BB' })).toEqual(['92bcb9bb-0001']);
    expect(search({ regex: /92bcb9bb/ })).toEqual([]); // a regex does not look at the id
    expect(search({ text: 'web-02' })).toEqual(['92bcb9bb-0001']);
    expect(search({ text: 'ssh:bob' })).toEqual(['92bcb9bb-0001']);
    expect(search({ text: 'west' })).toEqual(['77aa']);
    expect(search({ text: 'rotate' })).toEqual(['plain']);
    expect(search({ regex: /^(db|web-\d+)$/ })).toEqual(['92bcb9bb-0001', 'plain']);
    expect(search({ text: '/usr/sbin/' })).toEqual(['92bcb9bb-0001']);
    expect(search({ text: 'eacces' })).toEqual(['92bcb9bb-0001']);
    expect(search({ text: 'OVER THE LIMIT' })).toEqual(['77aa']);
    expect(search({ regex: /^argv/ })).toEqual(['77aa']);
  });

  it('--id: an id prefix', () => {
    const all = handBuilt();
    expect(all.filter((e) => matchesFilter(e, { idPrefix: 'gh' })).map((e) => e.id)).toEqual(['ghost']);
    expect(all.filter((e) => matchesFilter(e, { idPrefix: 'host' }))).toEqual([]);
  });

  it('searches what the terminal shows for hostile strings', () => {
    const [hostile] = joinRecords([{ record: request('h', { reason: 'a\u001b[2Jb' }), location: { file: 'f', line: 1, offset: 0, length: 1, seq: null } }]).entries;
    expect(matchesFilter(hostile, { text: '\\e[2j' })).toBe(true);
  });
});

describe('stats', () => {
  const entries = handBuilt();
  const stats = computeStats(entries.map(factsOf), { topCommands: 2 });

  it('counts per state, host and session, sorted by count', () => {
    expect(stats.total).toBe(8);
    expect(stats.byState).toEqual({ running: 1, ok: 3, failed: 1, denied: 1, timeout: 1, rejected: 1 });
    expect(stats.byHost).toEqual([
      { host: '', count: 3 },
      { host: 'web-01', count: 3 },
      { host: 'db', count: 2 },
    ]);
    expect(stats.bySession[0]).toEqual({ session: 's1', count: 3 });
    expect(stats.anomalies['orphan-response']).toBe(1);
  });

  it('latency over prompted requests, duration over completed ones (nearest rank)', () => {
    expect(stats.latency).toEqual({ count: 5, p50: 3000, p95: 60000, max: 60000 });
    expect(stats.duration).toEqual({ count: 4, p50: 50, p95: 300, max: 300 });
  });

  it('a per-minute series and the top commands', () => {
    expect(stats.perMinute).toEqual({ startMs: T0, counts: [2, 3, 0, 3] });
    expect(stats.topCommands).toEqual([
      { command: 'systemctl restart nginx', count: 4 },
      { command: 'uptime', count: 2 },
    ]);
  });

  it('empty input', () => {
    const s = computeStats([]);
    expect(s).toMatchObject({ total: 0, latency: null, duration: null, perMinute: { startMs: 0, counts: [] }, topCommands: [] });
  });

  it('percentiles (nearest rank, by selection) and the bounded rate series', () => {
    expect(percentiles(Float64Array.from([5, 1, 4, 2, 3]))).toEqual({ count: 5, p50: 3, p95: 5, max: 5 });
    expect(percentiles(Float64Array.from([7]))).toEqual({ count: 1, p50: 7, p95: 7, max: 7 });
    // Against a sort, on shapes that trouble a naive quickselect: random, sorted, reversed, few distinct values.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const shapes = [
      Array.from({ length: 1001 }, () => random() * 1000),
      Array.from({ length: 1000 }, (_, i) => i),
      Array.from({ length: 999 }, (_, i) => 999 - i),
      Array.from({ length: 1000 }, (_, i) => i % 3),
      Array.from({ length: 20 }, () => 5),
    ];
    for (const shape of shapes) {
      const sorted = [...shape].sort((a, b) => a - b);
      const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
      expect(percentiles(Float64Array.from(shape))).toEqual({ count: shape.length, p50: at(50), p95: at(95), max: sorted[sorted.length - 1] });
    }
    const forged = perMinute(Float64Array.from([0, T0]));
    expect(forged.counts).toHaveLength(MAX_RATE_MINUTES);
    expect(forged.counts[MAX_RATE_MINUTES - 1]).toBe(1);
  });
});

describe('topCounts', () => {
  it('is the whole ranking cut to its first n: most counted first, ties by name', () => {
    const ranked = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([command, count]) => ({ command, count }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 1, max: 4 })), { maxLength: 60 }), fc.integer({ min: 0, max: 12 }), (pairs, n) => {
        const counts = new Map(pairs);
        expect(topCounts(counts, 'command', n)).toEqual(ranked(counts).slice(0, n));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('searchFilter: what a typed search is', () => {
  it('is a regular expression only between two slashes, so a path typed whole is text', () => {
    expect(searchFilter('/usr/bin/rm')).toEqual({ text: '/usr/bin/rm' });
    expect(searchFilter('/etc/shadow')).toEqual({ text: '/etc/shadow' });
    expect(searchFilter('rm -rf')).toEqual({ text: 'rm -rf' });
    const re = searchFilter('/^web-0[2-9]$/');
    const regex = 'regex' in re ? re.regex : undefined;
    expect(regex?.source).toBe('^web-0[2-9]$');
    expect(regex?.flags).toContain('i');
    expect(searchFilter('/a(b/')).toMatchObject({ error: expect.stringMatching(/^not a regular expression/) });
  });
});

describe('stats parts', () => {
  it('per-minute counts merge as the times of all the parts counted at once', () => {
    const DAY = 24 * 60 * 60_000;
    const span = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) }, (_, i) => from + i * step);
    // Apart, overlapping, one longer than the window (its own window leaves its oldest out), one empty, one with unknown times.
    const parts = [span(T0, T0 + DAY, 7_919), span(T0 + 9 * DAY, T0 + 10 * DAY, 13_001), span(T0 + 0.5 * DAY, T0 + 9.5 * DAY, 60_013), [], [Number.NaN, T0 + 3 * DAY]];
    for (const order of [parts, [...parts].reverse(), [parts[2], parts[0]], [parts[0], parts[1]]]) {
      // (As text: comparing 10,080 numbers one by one takes vitest a second.)
      const shown = ({ first, counts }: { first: number; counts: Uint32Array }) => `${first}: ${counts.join(' ')}`;
      const merged = mergeMinuteCounts(order.map((p) => minuteCounts(p)));
      expect(shown(merged)).toBe(shown(minuteCounts(order.flat())));
      expect(merged.counts.length).toBeLessThanOrEqual(MAX_RATE_MINUTES);
    }
    expect(mergeMinuteCounts([])).toEqual(minuteCounts([]));
  });

  it('a filter with nothing set lets every entry through; any field set does not', () => {
    expect(filtersNothing(compileFilter({}))).toBe(true);
    expect(filtersNothing(compileFilter({ states: [], hosts: [], text: '' }))).toBe(true);
    // (Every field of EntryFilter, or this does not compile: a new one must be counted as filtering.)
    const oneField: { [K in keyof Required<EntryFilter>]: EntryFilter } = {
      states: { states: ['ok'] },
      hosts: { hosts: ['web-01'] },
      origins: { origins: ['a'] },
      sessions: { sessions: ['s1'] },
      privileged: { privileged: false },
      sinceMs: { sinceMs: 0 },
      untilMs: { untilMs: T0 },
      failedOnly: { failedOnly: true },
      text: { text: 'x' },
      regex: { regex: /x/ },
      idPrefix: { idPrefix: 'a' },
      security: { security: true },
      operators: { operators: ['alice'] },
    };
    for (const [field, filter] of Object.entries(oneField)) expect(filtersNothing(compileFilter(filter)), field).toBe(false);
  });
});
