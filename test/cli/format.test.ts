/** Text and JSON shapes of entries and stats, from hand-built values (pure). */
import { describe, expect, it } from 'vitest';
import type { Entry, EntryStats } from '../../src/shared/entry.js';
import { unsaid } from '../../src/shared/join.js';
import { entryJson } from '../../src/cli/commands/entry-json.js';
import { entryLine, fullTime, headerLine, layoutFor } from '../../src/cli/commands/entry-text.js';
import { statsJson, statsText } from '../../src/cli/commands/stats-format.js';

function entry(overrides: Partial<Entry> = {}): Entry {
  return {
    key: 1,
    id: 'id-1',
    origin: '',
    state: 'ok',
    time: '2026-11-01T08:00:00Z',
    logged: null,
    timeMs: Date.parse('2026-11-01T08:00:00Z'),
    host: 'web-01',
    session: 's1',
    pipeline: [['ls', '-la', '/root']],
    resolved: ['/usr/bin/ls'],
    envKeys: ['PATH'],
    reason: 'look',
    privileged: true,
    decision: 'approved',
    via: 'operator',
    latencyMs: 1500,
    requestError: null,
    ...unsaid(),
    completedTime: '2026-11-01T08:00:02.000Z',
    completedMs: Date.parse('2026-11-01T08:00:02.000Z'),
    status: 'ok',
    error: null,
    stages: [{ exitCode: 0, stderrLen: 0, stderrTruncated: false }],
    stdoutLen: 2_000_000,
    stdoutTruncated: true,
    durationMs: 42,
    request: { file: 'a.log', line: 2, offset: 100, length: 300, seq: 2 },
    response: { file: 'a.log', line: 3, offset: 401, length: 200, seq: 3 },
    anomalies: [],
    ...overrides,
  };
}

describe('entryLine', () => {
  const layout = layoutFor([entry()], true);

  it('lines up under the header', () => {
    const header = headerLine(layout);
    const line = entryLine(entry(), layout);
    expect(header).toBe('TIME                 HOST   SESSION STATE     WAIT EXIT      TOOK    OUT COMMAND');
    expect(line).toBe('2026-11-01 08:00:00Z web-01 s1      ok        1.5s 0         42ms  1.9M+ # ls -la /root');
  });

  it('an orphan response, an unreadable time and anomalies are shown for what they are', () => {
    const line = entryLine(
      entry({ pipeline: [], decision: null, via: null, latencyMs: null, time: 'yesterday\u001b[1m', timeMs: Number.NaN, anomalies: ['orphan-response', 'duplicate-id'] }),
      layout,
    );
    expect(line).toMatch(/^yesterday\\e\[1m +web-01 /);
    expect(line).toMatch(/\? \(request not in the files read\) {2}\[orphan-response; duplicate-id\]$/);
  });

  it('a running entry has no exit codes or duration yet', () => {
    const line = entryLine(entry({ state: 'running', stages: [], status: null, durationMs: null, stdoutLen: null, response: null }), layout);
    expect(line).toMatch(/ running +1\.5s … +- +- # ls/);
  });

  it('cuts hosts and sessions longer than the column, keeping the line aligned', () => {
    const wide = layoutFor([entry({ host: 'h'.repeat(40), session: 'x'.repeat(40) })], false);
    expect(wide.hostWidth).toBe(20);
    expect(entryLine(entry({ host: 'h'.repeat(40) }), wide).indexOf('#')).toBe(headerLine(wide).indexOf('COMMAND'));
  });

  it('an ORIGIN column when reading a collector, as wide as its widest host, escaped', () => {
    const evil = 'evil\u001b[2J';
    const collector = layoutFor([entry()], true, undefined, ['web1', evil]);
    expect(collector.originWidth).toBe('evil\\e[2J'.length);
    expect(headerLine(collector)).toBe('TIME                 ORIGIN    HOST   SESSION STATE     WAIT EXIT      TOOK    OUT COMMAND');
    expect(entryLine(entry({ origin: evil }), collector)).toBe('2026-11-01 08:00:00Z evil\\e[2J web-01 s1      ok        1.5s 0         42ms  1.9M+ # ls -la /root');
    expect(layoutFor([entry()], true, undefined, ['a']).originWidth).toBe('ORIGIN'.length);
    expect(layout.originWidth).toBeNull();
  });

  it('fullTime: local, or UTC marked Z', () => {
    expect(fullTime(Date.parse('2026-01-02T03:04:05Z'), true)).toBe('2026-01-02 03:04:05Z');
    expect(fullTime(Date.parse('2026-01-02T03:04:05Z'), false)).toMatch(/^2026-01-0[12] \d\d:04:05$/);
  });
});

describe('entryJson', () => {
  it('names every field in snake_case', () => {
    expect(Object.keys(entryJson(entry()))).toEqual([
      'id', 'state', 'time', 'logged', 'origin', 'host', 'session', 'privileged', 'pipeline', 'resolved', 'env_keys', 'reason', 'decision', 'via',
      'latency_ms', 'request_error', 'reject', 'always', 'escalation', 'forward_agent', 'client_version', 'operator', 'security', 'completed_time', 'status', 'error', 'exit_codes', 'stages', 'stdout_len', 'stdout_truncated',
      'duration_ms', 'anomalies', 'request', 'response',
    ]);
    expect(entryJson(entry()).request).toEqual({ file: 'a.log', line: 2, offset: 100, seq: 2 });
  });
});

describe('stats formats', () => {
  const stats: EntryStats = {
    total: 4,
    byState: { running: 0, ok: 2, failed: 1, denied: 1, timeout: 0, rejected: 0 },
    byHost: [{ host: 'evil\u001b]0;x\u0007', count: 3 }, { host: '', count: 1 }],
    byOrigin: [],
    bySession: [{ session: 's1', count: 4 }],
    latency: { count: 4, p50: 1500, p95: 9000, max: 9000 },
    duration: null,
    perMinute: { startMs: Date.parse('2026-11-01T08:00:00Z'), counts: [1, 3] },
    topCommands: [{ command: 'ls -la', count: 4 }],
    anomalies: { 'orphan-response': 1, 'duplicate-id': 0, 'second-response': 0, interrupted: 0, unchained: 0 },
    rejects: { invalid_json: 0, invalid_request: 0, forward_agent_privileged: 0, stale_time: 0, env_not_allowed: 0, replay: 0, busy: 0, peer_uid: 0, prompt_error: 0 },
  };
  const input = {
    files: ['a.log'],
    stats,
    firstMs: Date.parse('2026-11-01T08:00:00Z'),
    lastMs: Date.parse('2026-11-01T08:01:30Z'),
    malformedCount: 1,
    malformed: [{ file: 'a.log', line: 7, offset: 0, reason: 'not JSON' }],
  };

  it('text escapes strings from the log and shows every section', () => {
    const text = statsText(input, { utc: true });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain('evil\\e]0;x\\x07');
    expect(text).toMatch(/^Requests per minute: +average 2\.00, peak 3 at 2026-11-01 08:01$/m);
    expect(text).toMatch(/^Duration \(executions\) +-$/m);
    expect(text).toMatch(/^ {2}orphan-response +1 +25\.0%$/m);
    expect(text).toContain('  a.log:7: not JSON');
  });

  it('text over a collector: the directory and host count, duplicates, and an Origins table', () => {
    const fleet = {
      ...input,
      collector: { dirs: ['/var/log/fleet'], hosts: 2, duplicateLines: 5 },
      stats: { ...stats, byOrigin: [{ origin: 'web1', count: 3 }, { origin: 'web\u001b[2', count: 1 }] },
    };
    const text = statsText(fleet, { utc: true });
    expect(text).toMatch(/^Collector: +\/var\/log\/fleet \(2 hosts\)$/m);
    expect(text).not.toMatch(/^Files:/m);
    expect(text).toMatch(/^Duplicate lines: +5 /m);
    expect(text).toMatch(/^Origins\n {2}web1 +3 +75\.0%\n {2}web\\e\[2 +1 +25\.0%\n/m);
    expect(statsJson(fleet)).toMatchObject({ by_origin: [{ origin: 'web1', count: 3 }, { origin: 'web\u001b[2', count: 1 }], duplicate_lines: 5 });
    // Plain files: neither line nor table.
    expect(statsText(input, { utc: true })).not.toMatch(/^(Duplicate lines|Origins|Collector)/m);
    expect(statsJson(input)).toMatchObject({ by_origin: [], duplicate_lines: 0 });
  });

  it('JSON uses snake_case keys, anomalies included', () => {
    const json = statsJson(input);
    expect(json.anomalies).toEqual({ orphan_response: 1, duplicate_id: 0, second_response: 0, interrupted: 0, unchained: 0 });
    expect(json.per_minute).toEqual({ start: '2026-11-01T08:00:00.000Z', counts: [1, 3] });
    expect(json.duration_ms).toBeNull();
    expect(json.malformed).toEqual([{ file: 'a.log', line: 7, reason: 'not JSON' }]);
  });
});
