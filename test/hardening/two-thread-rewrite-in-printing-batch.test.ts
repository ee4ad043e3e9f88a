/**
 * Round-2 attack on the two-thread `print --json` (json-dump.ts): FRESH_MS re-writes a batch read
 * too long before its turn, but the batch being printed when the reader stalls was read whole
 * (≈ 512 KB of output, one `out.bytes` write) before the stall. A line of it far past what the one-thread dump
 * reads ahead (its 64 KB LineOutput plus the pipe) rewritten during the stall is then printed
 * from what was read before, unsaid; on one thread it is read after the stall, found and said
 * (warning naming file:line, exit 1 with --strict). Ten stalls, so that some land in a batch's
 * first part (where each target is past the one-thread read-ahead but inside the batch).
 * The promise: SUDO_PROXY_AUDIT_PRINT_WORKER=1 gives the same stdout, stderr and exit as =0.
 * (A helper's attack, round 2; json-dump.ts now prints a batch PIECE_BYTES at a time and, once
 * its lines are older than FRESH_MS, writes the rest again.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/writer/index.js';
import { nativeAddon } from '../../src/engine/native-scanner.js';
import { cliEnv, CLI } from '../cli/helpers.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-two-thread-rewrite-batch');
const COUNT = 24000;

function writeLog(): string {
  const file = path.join(tempDir(), 'audit.log');
  const log = openAuditLog({ path: file, warn: (m) => expect.fail(m) });
  for (let i = 0; i < COUNT; i++) {
    const id = `req-${i}`;
    const argv = ['uptime', `--n=${i}`];
    log.request({ id, time: '2026-12-04T00:00:00Z', host: 'web-01', session: 'ssh:op', pipeline: [argv], resolved: ['/usr/bin/uptime'], env_keys: [], reason: 'look around the machine a little', privileged: true, decision: 'approved', via: 'operator', latency_ms: 5 } as never);
    log.response({ id, time: '2026-12-04T00:00:01Z', status: 'ok', error: null, stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }], stdout_len: 10, stdout_truncated: false, duration_ms: 3 } as never);
  }
  log.close();
  return file;
}

const MB = 1024 * 1024;
/** Where the reader stalls (bytes of output received), and the span of output past it whose entries are rewritten then. */
const STALLS = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19].map((m) => m * MB);
const FROM = 0.5 * MB;
const TO = 1.4 * MB;

/** Runs print --json --strict; at each stall pauses the reader, rewrites the targets' request lines in place, resumes. */
async function run(file: string, worker: string, targets: number[][]): Promise<{ out: string; stderr: string; code: number | null }> {
  const text = fs.readFileSync(file, 'utf8');
  const env = cliEnv({ SUDO_PROXY_AUDIT_PRINT_WORKER: worker });
  const child = spawn(process.execPath, [CLI, 'print', '--json', '--strict', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let received = 0;
  let stall = 0;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdout.on('data', (d: Buffer) => {
    chunks.push(d);
    received += d.length;
    if (stall < targets.length && received >= STALLS[stall]) {
      const edits = targets[stall++];
      child.stdout.pause();
      setTimeout(() => {
        const fd = fs.openSync(file, 'r+');
        for (const i of edits) {
          const at = text.indexOf(`"--n=${i}"`);
          fs.writeSync(fd, '"--m=', Buffer.byteLength(text.slice(0, at)));
        }
        fs.closeSync(fd);
        setTimeout(() => child.stdout.resume(), 100);
      }, 250);
    }
  });
  const code = await exited;
  return { out: Buffer.concat(chunks).toString('utf8'), stderr, code };
}

describe.skipIf(nativeAddon() === null)('two-thread print --json: a line of the batch being printed rewritten while the reader stalls', () => {
  it('says what the one-thread dump says', async () => {
    const file = writeLog();
    const pristine = fs.readFileSync(file);
    // Each entry's output offset, from a plain run: the targets are the entries STALL+FROM … STALL+TO into the output.
    const plain = await run(file, '0', []);
    const offsets: number[] = [];
    let at = 0;
    for (const line of plain.out.split('\n')) {
      offsets.push(at);
      at += Buffer.byteLength(line) + 1;
    }
    const targets = STALLS.map((s) => offsets.flatMap((o, i) => (o >= s + FROM && o < s + TO && i % 10 === 0 ? [i] : [])));
    const results = [];
    for (const worker of ['0', '1']) {
      fs.writeFileSync(file, pristine);
      results.push(await run(file, worker, targets));
    }
    const [one, two] = results;
    const said = (stderr: string) => stderr.split('\n').filter((l) => /modified after it was read/.test(l)).length;
    // One thread: every rewritten line is found and said (all were read after their stall).
    expect(said(one.stderr)).toBe(targets.flat().length);
    expect(one.code).toBe(1);
    expect(said(two.stderr)).toBe(said(one.stderr));
    expect(two.stderr).toBe(one.stderr);
    expect(two.out).toBe(one.out);
    expect(two.code).toBe(one.code);
  }, 120_000);
});
