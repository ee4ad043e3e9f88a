/**
 * The attack of #12 against a `print` already writing: its reader stalls (a pipe not drained),
 * the intruder rewrites a line the dump has not reached yet — same length, same id, `ls` made
 * `rm` — and the dump goes on. The entry is written as the index read it, never with the new
 * bytes; and the run must say that the log changed under it: the warning on stderr and, with
 * `--strict`, exit 1 — as `print` says of a chain it found broken before the dump began.
 *
 * And the same against `print --json` on two threads (json-dump.ts), forced on and off: there,
 * batches were written (their lines read and checked) ahead of what was printed — the second by
 * the worker at once — before the stall, and a rewrite inside that window went unsaid, `--strict`
 * exiting 0 (a helper's attack; FRESH_MS now writes a batch read too long before its turn again).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/writer/index.js';
import { nativeAddon } from '../../src/engine/native-scanner.js';
import { cliEnv, CLI } from '../cli/helpers.js';
import { READ_BACKS } from '../helpers/read-backs.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-rewrite-during-print');
const COUNT = 8000;

/** A chained log by the real writer, COUNT requests approved and run; request `target` runs `ls /srv/data`. */
function writeLog(target: number): string {
  const file = path.join(tempDir(), 'audit.log');
  const log = openAuditLog({ path: file, warn: (m) => expect.fail(m) });
  for (let i = 0; i < COUNT; i++) {
    const id = `req-${i}`;
    const argv = i === target ? ['ls', '/srv/data'] : ['uptime', `--n=${i}`];
    log.request({ id, time: '2026-12-04T00:00:00Z', host: 'web-01', session: 'ssh:op', pipeline: [argv], resolved: [`/usr/bin/${argv[0]}`], env_keys: [], reason: 'look around the machine a little', privileged: true, decision: 'approved', via: 'operator', latency_ms: 5 } as never);
    log.response({ id, time: '2026-12-04T00:00:01Z', status: 'ok', error: null, stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }], stdout_len: 10, stdout_truncated: false, duration_ms: 3 } as never);
  }
  log.close();
  return file;
}

/** `print --json --strict` with its reader stalled after the first output while request `target`'s line is rewritten; then drained. */
async function rewriteWhileStalled(target: number, env: NodeJS.ProcessEnv): Promise<void> {
  // ~4–5 MB of output: far more than a pipe holds, so the dump stalls early.
  const file = writeLog(target);
  const child = spawn(process.execPath, [CLI, 'print', '--json', '--strict', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // The first output: the index is done (the dump begins after it); then stop reading.
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
  expect(lines).toHaveLength(COUNT);
  expect(JSON.parse(lines[target])).toMatchObject({ id: `req-${target}`, pipeline: [['ls', '/srv/data']] });
  expect(stderr).toContain(`${file}:${line}`);
  expect(stderr).toMatch(/modified after it was read/);
  expect(code).toBe(1);
}

describe('a line rewritten in place while print writes (#12)', () => {
  it.each(READ_BACKS)('is written as it was read, and the run says the log changed: a warning, exit 1 with --strict; lines %s', async (_name, load) => {
    load();
    await rewriteWhileStalled(COUNT - 1, cliEnv(process.env.SUDO_PROXY_AUDIT_NATIVE === '0' ? { SUDO_PROXY_AUDIT_NATIVE: '0' } : {}));
  }, 60_000);

  // Entry 1500: well inside what the worker and this thread write ahead before the stall.
  it.skipIf(nativeAddon() === null).each(['0', '1'])('is said just the same by print --json on two threads (SUDO_PROXY_AUDIT_PRINT_WORKER=%s)', async (worker) => {
    await rewriteWhileStalled(1500, cliEnv({ SUDO_PROXY_AUDIT_PRINT_WORKER: worker }));
  }, 60_000);
});
