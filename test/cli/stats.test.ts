/** `stats` as a child process, on the fixture with known answers (see KNOWN in helpers.ts). */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KNOWN, makeTempDirFactory, readLines, runCli, writeLines, writeLog } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-stats');
let known: string;

beforeAll(() => {
  known = path.join(tempDir(), 'audit.log');
  writeLog(known, KNOWN);
});

describe.concurrent('stats', () => {
  it('--json: counts, percentiles, top commands, anomalies and malformed lines', async () => {
    const r = await runCli(['stats', '--json', known]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({
      files: [known],
      total: 7,
      first_time: '2026-11-01T08:00:00.000Z',
      last_time: '2026-11-01T09:00:00.000Z',
      by_state: { running: 1, ok: 1, failed: 2, denied: 1, timeout: 1, rejected: 1 },
      by_host: [
        { host: 'web-01', count: 3 },
        { host: 'web-02', count: 3 },
        { host: '', count: 1 },
      ],
      by_session: [
        { session: 's1', count: 3 },
        { session: 's2', count: 2 },
        { session: 's3', count: 2 },
      ],
      // Prompted requests only: 1000, 1000, 1000, 3000, 60000 (nearest rank).
      latency_ms: { count: 5, p50: 1000, p95: 60000, max: 60000 },
      // Executions: 3, 120, 900.
      duration_ms: { count: 3, p50: 120, p95: 900, max: 900 },
      // g6 was still running when its writer stopped (the fixture's writer closes): interrupted.
      anomalies: { orphan_response: 0, duplicate_id: 0, second_response: 0, interrupted: 1, unchained: 0 },
      malformed_count: 0,
      malformed: [],
      chain: { state: 'intact', checked: 12, unchained: 0, break_count: 0, breaks: [] },
      dropped_records: 0,
      gaps: 0,
      writer: { starts: 1, stops: 1, crashes: 0 },
      interrupted: 1,
    });
    expect(s.top_commands).toHaveLength(7);
    expect(s.top_commands).toContainEqual({ command: 'journalctl -u nginx | grep error', count: 1 });
    expect(s.per_minute.start).toBe('2026-11-01T08:00:00.000Z');
    expect(s.per_minute.counts).toHaveLength(61);
    expect(s.per_minute.counts.reduce((a: number, b: number) => a + b, 0)).toBe(7);
  });

  it('takes the same filters as print', async () => {
    const r = await runCli(['stats', '--json', '--host', 'web-01', known]);
    const s = JSON.parse(r.stdout);
    expect(s.total).toBe(3);
    expect(s.by_state).toEqual({ running: 1, ok: 1, failed: 0, denied: 0, timeout: 1, rejected: 0 });
  });

  it('text: an aureport-style summary', async () => {
    const r = await runCli(['stats', known]);
    expect(r.code).toBe(0);
    const text = r.stdout;
    expect(text).toMatch(/^Audit log summary\n=+\n/);
    expect(text).toMatch(/^Requests: +7$/m);
    expect(text).toMatch(/^Time range: +2026-11-01 08:00:00\+00:00 – 2026-11-01 09:00:00\+00:00$/m);
    expect(text).toMatch(/^ {2}failed +2 +28\.6%$/m);
    expect(text).toMatch(/^Decision latency \(prompted\) +p50 1\.0s +p95 1m00s +max 1m00s +\(n=5\)$/m);
    expect(text).toMatch(/^Duration \(executions\) +p50 120ms +p95 900ms +max 900ms +\(n=3\)$/m);
    expect(text).toMatch(/^ {2}\(local\) +1 +14\.3%$/m);
    expect(text).toMatch(/^ {2}interrupted +1 +14\.3%$/m);
    expect(text).toMatch(/^Hash chain: +intact \(12 records checked\)$/m);
    expect(text).toMatch(/^Dropped records: +0$/m);
    expect(text).toMatch(/^Writer: +1 start, 1 stop, 0 crashes$/m);
    expect(text).toMatch(/^Interrupted entries: +1$/m);
  });

  it('lists malformed lines with file:line and reason', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file, KNOWN.slice(0, 2));
    writeLines(file, [...readLines(file), 'garbage']);
    const text = await runCli(['stats', file]);
    expect(text.stdout).toMatch(/^Malformed lines: +1$/m);
    expect(text.stdout).toContain(`  ${file}:5: not JSON`);
    const json = JSON.parse((await runCli(['stats', '--json', file])).stdout);
    expect(json).toMatchObject({ malformed_count: 1, malformed: [{ file, line: 5, reason: 'not JSON' }] });
  });

  it('an empty log is not an error', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLines(file, []);
    const r = await runCli(['stats', '--json', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ total: 0, latency_ms: null, duration_ms: null, first_time: null });
  });
});
