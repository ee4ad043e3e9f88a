/**
 * `print -f --regex RE` follows a log a hostile client writes into. A pattern that backtracks
 * without end on one of its commands (`(a+)+$` on `aaa…a!`) must not leave the follower stuck
 * for ever: while it is in the expression its Ctrl-C and SIGTERM handlers never run, so only
 * SIGKILL would end it. It stops at a deadline (5 s) with an error instead.
 */
import path from 'node:path';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { collect, makeTempDirFactory, openLog, request, spawnCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-regex-deadline');

describe('print -f --regex: an expression that backtracks without end on a client\'s command', () => {
  it('stops the follow with an error, rather than leave it deaf to Ctrl-C and SIGTERM', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = openLog(file, [{ request: { id: 'r1', time: '2026-11-01T08:00:00Z', pipeline: [['aaa']], decision: 'denied' } }]);
    const child = spawnCli(['print', '-f', '--json', '--regex', '(a+)+$', file]);
    const done = collect(child);
    try {
      const first = await new Promise<string>((resolve) => readline.createInterface({ input: child.stdout! }).once('line', resolve));
      expect(JSON.parse(first)).toMatchObject({ id: 'r1' });
      log.request(request({ id: 'evil', time: '2026-11-01T08:00:01Z', pipeline: [[`${'a'.repeat(40)}!`]], decision: 'denied' }));
      log.close();
      const r = await done;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--regex stopped after 5 s: \/\(a\+\)\+\$\/ backtracks too long/);
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);
});
