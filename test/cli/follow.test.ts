/** `print -f`: entries are printed once, when they complete, as the writer appends them. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { collect, KNOWN, makeTempDirFactory, openLog, REPO_ROOT, request, response, spawnCli, writeLog } from './helpers.js';

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
    const log = openLog(file, KNOWN); // the writer keeps running: g6 may still complete
    const child = spawnCli(['print', '-f', '--json', file]);
    const done = collect(child);
    await firstLines(child, 6);
    log.close(); // its stop: g6 will never complete (issue #13: interrupted at once, not at the next start)
    const [g6] = (await firstLines(child, 1)).map((l) => JSON.parse(l));
    expect(g6).toMatchObject({ id: 'g6', state: 'running', anomalies: ['interrupted'] });
    writeLog(file, [{ request: { id: 'after', time: '2026-11-01T11:00:00Z', decision: 'denied' } }]); // a new writer: start record first
    const next = (await firstLines(child, 1)).map((l) => JSON.parse(l));
    expect(next).toMatchObject([{ id: 'after', state: 'denied' }]);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});

describe('print --follow through repeated copytruncate', () => {
  /** test/hardening/fixtures/steady-writer.mjs: ~2,000 records/s, op n's request beside op n-1's response. */
  const WRITER = path.join(REPO_ROOT, 'test/hardening/fixtures/steady-writer.mjs');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Every whole record in the live file and its copies (a copy may end in part of one), by seq. */
  function recordsOnDisk(file: string): Map<number, { type: string; id?: string }> {
    const found = new Map<number, { type: string; id?: string }>();
    const dir = path.dirname(file);
    for (const name of fs.readdirSync(dir).filter((n) => n.startsWith(path.basename(file)))) {
      for (const line of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) {
        try {
          const r = JSON.parse(line) as { seq: number; type: string; id?: string };
          found.set(r.seq, r);
        } catch {
          // empty, or the part of a record a copy caught
        }
      }
    }
    return found;
  }

  it('never prints a corrupt entry; what a truncation took is said on stderr, counted as the chain counts it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const writer = spawn(process.execPath, [WRITER, file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const fromWriter = readline.createInterface({ input: writer.stdout })[Symbol.asyncIterator]();
    try {
      expect((await fromWriter.next()).value).toBe('ready');
      const child = spawnCli(['print', '-f', '--json', file]);
      const done = collect(child);
      let printedSoFar = '';
      child.stdout?.on('data', (d: string) => (printedSoFar += d));
      await firstLines(child, 1);
      // logrotate copytruncate, every half second: older copies move on (.1 → .2 …), the file is copied, then cut.
      const truncations = 6;
      for (let i = 0; i < truncations; i++) {
        await sleep(500);
        for (let n = i; n >= 1; n--) fs.renameSync(`${file}.${n}`, `${file}.${n + 1}`);
        fs.copyFileSync(file, `${file}.1`);
        fs.truncateSync(file, 0);
      }
      await sleep(300);
      writer.stdin.write('stop\n');
      const { ops } = JSON.parse((await fromWriter.next()).value as string) as { ops: number };
      const last = `op-${ops - 1}`;
      // The last entry completes after the last truncate: once it is printed, print is done.
      const deadline = Date.now() + 20_000;
      while (!printedSoFar.includes(`"id":"${last}"`) && Date.now() < deadline) await sleep(100);
      await sleep(200); // anything after it (a duplicate) would show now
      child.kill('SIGTERM');
      const { code, stdout, stderr } = await done;
      expect(code).toBe(0);

      const printed = stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
      expect(printed.map((e) => e.id)).toContain(last);
      for (const e of printed) {
        const n = Number(/^op-(\d+)$/.exec(e.id)?.[1] ?? Number.NaN);
        expect(Number.isInteger(n), JSON.stringify(e)).toBe(true);
        // Whole: every field as the writer wrote it, the state the outcome's.
        if (e.request) {
          expect(e, JSON.stringify(e)).toMatchObject({ host: 'web-01', session: 'rotation-test', pipeline: [['systemctl', 'reload', 'nginx']], resolved: ['/usr/bin/systemctl'], env_keys: ['PATH'], reason: `operation ${n}: reload after the certificate renewal`, decision: 'approved', latency_ms: 800 });
        } else {
          expect(e, JSON.stringify(e)).toMatchObject({ anomalies: ['orphan-response'], pipeline: [], decision: null });
        }
        // (A request whose response a truncation took is interrupted by the writer's stop: printed then, as such.)
        if (e.state === 'running') expect(e.anomalies, JSON.stringify(e)).toEqual(['interrupted']);
        else expect(e, JSON.stringify(e)).toMatchObject({ state: 'ok', status: 'ok', error: null, exit_codes: [0], stdout_len: 120, duration_ms: n });
      }
      const ids = printed.map((e) => e.id);
      expect(ids.length).toBe(new Set(ids).size);

      // On stderr: each truncation, and each record lost, counted as the chain counts the gaps.
      const said = stderr.split('\n').filter((l) => l !== '');
      const truncated = said.filter((l) => l === `sudo-proxy-audit: ${file} was truncated (copytruncate?): reading it again from the start`);
      expect(truncated).toHaveLength(truncations);
      // (The records lost leave gaps in the chain: said last, as verify would say it.)
      const lost = said.filter((l) => !truncated.includes(l) && !l.startsWith('sudo-proxy-audit: warning: the hash chain is broken'));
      for (const l of lost) expect(l).toMatch(new RegExp(`^sudo-proxy-audit: ${file} was truncated\\b.*\\d+ records? (read|written)`));
      const lostCount = lost.reduce((sum, l) => sum + Number(/ (\d+) records? (?:read|written)/.exec(l)?.[1]), 0);
      const onDisk = recordsOnDisk(file);
      const written = Math.max(...onDisk.keys());
      expect(lostCount).toBe(written - onDisk.size);
      // Every op whose request and response are both on disk is printed.
      const both = new Set<string>();
      const seen = new Map<string, number>();
      for (const rec of onDisk.values()) if (rec.id) seen.set(rec.id, (seen.get(rec.id) ?? 0) + 1);
      for (const [id, count] of seen) if (count === 2) both.add(id);
      expect([...both].filter((id) => !ids.includes(id))).toEqual([]);
    } finally {
      writer.kill('SIGKILL');
    }
  }, 60_000);
});
