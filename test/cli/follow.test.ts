/** `print -f`: entries are printed once, when they complete, as the writer appends them. */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, KNOWN, makeTempDirFactory, openLog, request, response, spawnCli, writeLog } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-follow');

/** Resolves with the first `n` stdout lines; rejects if the child exits first. */
function firstLines(child: ChildProcess, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n').slice(0, -1);
      if (lines.length >= n) {
        child.stdout?.off('data', onData);
        resolve(lines.slice(0, n));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) after ${JSON.stringify(buf)}`)));
  });
}

describe('print --follow', () => {
  it('prints what is there, then each entry as it completes; a running one only with its result', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = openLog(file, KNOWN); // the daemon keeps running: g6 may still complete
    const child = spawnCli(['print', '-f', '--json', file]);
    const done = collect(child);
    // The running entry g6 is held back until its response arrives.
    const initial = await firstLines(child, 6);
    expect(initial.map((l) => JSON.parse(l).id)).toEqual(['a1', 'd2', 'f3', 't4', 'r5', 'e7']);

    log.request(request({ id: 'n1', time: '2026-11-01T10:00:00Z' })); // approved: running
    log.request(request({ id: 'n2', time: '2026-11-01T10:00:01Z', decision: 'denied' }));
    const [n2] = await firstLines(child, 1);
    // n1 is running, so n2 (denied, complete) comes first.
    expect(JSON.parse(n2)).toMatchObject({ id: 'n2', state: 'denied' });

    // In this order the output order is the same whether both arrive in one batch (log order) or two.
    log.response(response('g6', { stages: [{ exitCode: 2, stderr: 1 }] }));
    log.response(response('n1', { stdout: 7 }));
    const next = (await firstLines(child, 2)).map((l) => JSON.parse(l));
    expect(next.map((e) => [e.id, e.state])).toEqual([
      ['g6', 'failed'],
      ['n1', 'ok'],
    ]);
    log.close();

    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('applies a state filter to the outcome of entries that were running', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = openLog(file, KNOWN);
    const child = spawnCli(['print', '--follow', '--json', '--state', 'failed', file]);
    const done = collect(child);
    expect((await firstLines(child, 2)).map((l) => JSON.parse(l).id)).toEqual(['f3', 'e7']);
    log.response(response('g6')); // ok: not printed
    log.request(request({ id: 'n3', time: '2026-11-01T10:00:00Z' }));
    log.response(response('n3', { status: 'error', error: 'execution timed out after 300s', stages: [{ exitCode: 137, stderr: 0 }] }));
    log.close();
    const [n3] = await firstLines(child, 1);
    expect(JSON.parse(n3)).toMatchObject({ id: 'n3', state: 'failed', exit_codes: [137] });
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });

  it('prints an entry left running by a writer that restarted: its result will never come', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file, KNOWN);
    const child = spawnCli(['print', '-f', '--json', file]);
    const done = collect(child);
    await firstLines(child, 6);
    writeLog(file, [{ request: { id: 'after', time: '2026-11-01T11:00:00Z', decision: 'denied' } }]); // a new writer: start record first
    const next = (await firstLines(child, 2)).map((l) => JSON.parse(l));
    expect(next).toMatchObject([
      { id: 'g6', state: 'running', anomalies: ['interrupted'] },
      { id: 'after', state: 'denied' },
    ]);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});
