/**
 * Time windows use the writer's clock, not the client's: a request whose `time` is forged
 * (long past, far future, not a time at all) but was written now is inside `--since 2h`.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/writer/index.js';
import { linesOf, makeTempDirFactory, request, response, runCli, writeLines } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-writer-time');

/** Requests approved and run now, each sent with a `time` that lies; written by a writer on the real clock. */
function forgedTimesLog(): string {
  const file = path.join(tempDir(), 'audit.log');
  const log = openAuditLog({ path: file });
  const forged = { past: '2001-01-01T00:00:00Z', garbage: 'not a time', future: '2099-01-01T00:00:00Z' };
  for (const [id, time] of Object.entries(forged)) {
    log.request(request({ id, time, privileged: true, pipeline: [['rm', '-rf', '/srv/data']] }));
    log.response(response(id, { time: undefined }));
  }
  log.close();
  return file;
}

describe('a client cannot hide a request from a time window by lying about its time', () => {
  it('print --since 2h shows requests sent with a 2001, a 2099 and an unparseable time', async () => {
    const file = forgedTimesLog();
    const r = await runCli(['print', '--json', '--since', '2h', file]);
    expect(r.code).toBe(0);
    const entries = linesOf(r.stdout).map((l) => JSON.parse(l));
    expect(entries.map((e) => e.id).sort()).toEqual(['future', 'garbage', 'past']);
    const past = entries.find((e) => e.id === 'past');
    // Both times are carried: the client's as sent, and the writer's own.
    expect(past.time).toBe('2001-01-01T00:00:00Z');
    expect(Math.abs(Date.parse(past.logged) - Date.now())).toBeLessThan(3_600_000);
  });

  it('stats --since 2h counts them', async () => {
    const file = forgedTimesLog();
    const r = await runCli(['stats', '--json', '--since', '2h', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).total).toBe(3);
  });

  it('print --until 1h does not pretend they are old', async () => {
    const file = forgedTimesLog();
    const r = await runCli(['print', '--json', '--until', '1h', file]);
    expect(linesOf(r.stdout)).toEqual([]);
  });
});

describe('records from before the writer time', () => {
  it('are timed by their time as sent, and print --json says they have no writer time', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const old = (id: string, time: string) =>
      JSON.stringify({ v: 1, type: 'request', id, time, host: '', session: 's', pipeline: [['id']], resolved: [null], env_keys: [], reason: '', privileged: false, decision: 'denied', via: 'operator', latency_ms: 5 });
    writeLines(file, [old('before', '2026-11-01T07:00:00Z'), old('after', '2026-11-01T09:00:00Z')]);
    const r = await runCli(['print', '--json', '--since', '2026-11-01T08:00:00Z', file]);
    expect(linesOf(r.stdout).map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ id: 'after', time: '2026-11-01T09:00:00Z', logged: null })]);
  });
});
