/**
 * rewrite-during-print.test.ts' attack against the two-thread `print --json` (json-dump.ts):
 * the reader stalls after the first output, a line the dump has not printed yet is rewritten in
 * place (same length, same id, `ls` made `rm`), then the reader drains. On one thread the run
 * says the log changed under it (a warning naming file:line, exit 1 with --strict). On two
 * threads the batches were written (their lines read and checked) up to AHEAD + AT_WORKER
 * batches ahead of what was printed — the second by the worker at once — before the stall: the
 * rewrite went unsaid and --strict exited 0 (a helper's attack; json-dump.ts FRESH_MS now writes
 * a batch read too long before its turn again, at its turn).
 * The promise: SUDO_PROXY_AUDIT_PRINT_WORKER=1 gives the same stdout, stderr and exit status as =0.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/writer/index.js';
import { nativeAddon } from '../../src/engine/native-scanner.js';
import { cliEnv, CLI } from '../cli/helpers.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-two-thread-rewrite');

/** A chained log by the real writer, `count` requests approved and run; request `target` runs `ls /srv/data`. */
function writeLog(count: number, target: number): string {
  const file = path.join(tempDir(), 'audit.log');
  const log = openAuditLog({ path: file, warn: (m) => expect.fail(m) });
  for (let i = 0; i < count; i++) {
    const id = `req-${i}`;
    const argv = i === target ? ['ls', '/srv/data'] : ['uptime', `--n=${i}`];
    log.request({ id, time: '2026-12-04T00:00:00Z', host: 'web-01', session: 'ssh:op', pipeline: [argv], resolved: [`/usr/bin/${argv[0]}`], env_keys: [], reason: 'look around the machine a little', privileged: true, decision: 'approved', via: 'operator', latency_ms: 5 } as never);
    log.response({ id, time: '2026-12-04T00:00:01Z', status: 'ok', error: null, stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }], stdout_len: 10, stdout_truncated: false, duration_ms: 3 } as never);
  }
  log.close();
  return file;
}

describe.skipIf(nativeAddon() === null)('two-thread print --json: a line rewritten in place while the reader stalls', () => {
  it.each(['0', '1'])('says the log changed (warning, exit 1 with --strict) with SUDO_PROXY_AUDIT_PRINT_WORKER=%s', async (worker) => {
    // ~3.6 MB of output: far more than a pipe holds, so the dump stalls in its first batches.
    // Entry 1500 is well inside what the worker and this thread write ahead before the stall.
    const file = writeLog(8000, 1500);
    const env = cliEnv({ SUDO_PROXY_AUDIT_PRINT_WORKER: worker });
    const child = spawn(process.execPath, [CLI, 'print', '--json', '--strict', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) =>
      child.stdout.once('data', (d: Buffer) => {
        chunks.push(d);
        child.stdout.pause();
        resolve();
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf('["ls","/srv/data"]');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, '["rm","/srv/data"]', Buffer.byteLength(text.slice(0, at)));
    fs.closeSync(fd);
    const line = text.slice(0, at).split('\n').length;
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stdout.resume();
    const code = await exited;
    const out = Buffer.concat(chunks).toString('utf8');
    expect(out).not.toContain('"rm"');
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(8000);
    expect(JSON.parse(lines[1500])).toMatchObject({ id: 'req-1500', pipeline: [['ls', '/srv/data']] });
    expect(stderr).toContain(`${file}:${line}`);
    expect(stderr).toMatch(/modified after it was read/);
    expect(code).toBe(1);
  }, 60_000);
});
