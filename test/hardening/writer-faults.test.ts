/**
 * The faults production inflicts on an audit log, against the real writer in its own process:
 * a full disk (a real, tiny tmpfs), permission revoked, the directory deleted, the file
 * replaced by a symlink, and SIGKILL at random points. After each: the writer never threw
 * (its process is alive and answering), the file is readable, every complete record is intact,
 * verifyChain explains any break, and writes resume.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/shared/chain.js';
import { auditRecordSchema } from '../../src/shared/schema.js';
import { chainLinesOf, makeTempDirFactory, REPO_ROOT, readLines } from '../writer/helpers.js';

const FIXTURE = path.join(REPO_ROOT, 'test/hardening/fixtures/writer-control.mjs');
const tempDir = makeTempDirFactory('spa-faults-e2e');
const NOBODY = 65534;

interface Stats {
  written: number;
  dropped: number;
  droppedTotal: number;
  warnings: string[];
}

class WriterProcess {
  readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  constructor(file: string, options: { uid?: number; gid?: number } = {}) {
    if (!fs.existsSync(path.join(REPO_ROOT, 'dist/writer/index.js'))) throw new Error('build first: npm run build');
    this.child = spawn(process.execPath, [FIXTURE, file], { stdio: ['pipe', 'pipe', 'inherit'], ...options });
    this.lines = readline.createInterface({ input: this.child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  }
  private async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`writer process ended (exit ${this.child.exitCode}, signal ${this.child.signalCode})`);
    return r.value;
  }
  async write(n: number, tag = 'w'): Promise<Stats> {
    this.child.stdin?.write(`${JSON.stringify({ op: 'write', n, tag })}\n`);
    return JSON.parse(await this.next()) as Stats;
  }
  async loopUntilReady(tag: string): Promise<void> {
    this.child.stdin?.write(`${JSON.stringify({ op: 'loop', tag })}\n`);
    expect(await this.next()).toBe('ready');
  }
  async close(): Promise<number | null> {
    this.child.stdin?.write(`${JSON.stringify({ op: 'close' })}\n`);
    return new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }
}

const running: WriterProcess[] = [];
const start = (file: string, options?: { uid?: number; gid?: number }) => {
  const w = new WriterProcess(file, options);
  running.push(w);
  return w;
};
afterEach(() => {
  for (const w of running.splice(0)) w.child.kill('SIGKILL');
});

/** Every complete line is a valid record; returns the malformed (torn) ones' line numbers. */
function assertIntact(files: string[]): number[] {
  const torn: number[] = [];
  for (const file of files) {
    readLines(file).forEach((line, i) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        torn.push(i + 1);
        return;
      }
      expect(auditRecordSchema.safeParse(parsed).success, `${file}:${i + 1}`).toBe(true);
    });
  }
  return torn;
}

describe('writer under production faults', () => {
  it('disk full on a real tmpfs: one warning, drops counted, the gap recorded when space returns', async () => {
    const mnt = tempDir();
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mnt]);
    if (mounted.status !== 0) throw new Error(`this test needs root to mount a tmpfs: ${mounted.stderr}`);
    try {
      const file = path.join(mnt, 'sudo-proxy', 'audit.log');
      const w = start(file);
      const before = await w.write(20);
      expect(before).toMatchObject({ dropped: 0, warnings: [] });
      // Fill the disk: 64 KiB hold roughly 150 records; write far more.
      const full = await w.write(400);
      expect(full.dropped).toBeGreaterThan(0);
      expect(full.warnings).toHaveLength(1);
      expect(full.warnings[0]).toMatch(/ENOSPC|short write/);
      const size = fs.statSync(file).size;
      const stillFull = await w.write(50);
      expect(stillFull.warnings).toEqual([]); // one warning per outage, not per record
      expect(fs.statSync(file).size).toBe(size);

      execFileSync('mount', ['-o', 'remount,size=1m', mnt]);
      await new Promise((r) => setTimeout(r, 300)); // let the writer's back-off (250 ms) expire
      const after = await w.write(5);
      expect(after.dropped).toBe(0);
      expect(after.droppedTotal).toBe(stillFull.dropped); // `dropped` counts the whole outage
      expect(after.warnings.join('\n')).toMatch(/writable again/);
      expect(await w.close()).toBe(0);

      assertIntact([file]);
      const records = readLines(file).flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return [];
        }
      });
      const gap = records.find((r) => r.event === 'dropped');
      expect(gap).toMatchObject({ type: 'writer', dropped: after.droppedTotal });
      const report = verifyChain(chainLinesOf([file]));
      expect(report.break).toBeNull();
    } finally {
      spawnSync('umount', ['-l', mnt]);
    }
  });

  it('permission revoked mid-run (a non-root daemon, its directory made read-only at rotation): no throw, resumes when restored', async () => {
    const base = tempDir();
    fs.chmodSync(base, 0o755);
    const dir = path.join(base, 'state');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, NOBODY, NOBODY);
    const file = path.join(dir, 'audit.log');
    const w = start(file, { uid: NOBODY, gid: NOBODY });
    expect((await w.write(10)).warnings).toEqual([]);

    fs.renameSync(file, `${file}.1`); // rotated…
    fs.chmodSync(dir, 0o500); // …and the daemon may no longer create files here
    await new Promise((r) => setTimeout(r, 5));
    const denied = await w.write(10);
    expect(denied.dropped).toBe(10);
    expect(denied.warnings).toHaveLength(1);
    expect(denied.warnings[0]).toMatch(/EACCES/);

    fs.chmodSync(dir, 0o700);
    await new Promise((r) => setTimeout(r, 300));
    const resumed = await w.write(3);
    expect(resumed).toMatchObject({ dropped: 0, droppedTotal: 10 });
    expect(await w.close()).toBe(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    assertIntact([`${file}.1`, file]);
    expect(verifyChain(chainLinesOf([`${file}.1`, file])).break).toBeNull();
  });

  it('log directory deleted mid-run: recreated 0700 with a trace in the log, the chain goes on from the last hash written', async () => {
    const dir = path.join(tempDir(), 'sudo-proxy');
    const file = path.join(dir, 'audit.log');
    const w = start(file);
    await w.write(10);
    const lastBefore = readLines(file).at(-1) as string;
    fs.rmSync(dir, { recursive: true });
    await new Promise((r) => setTimeout(r, 5));
    const after = await w.write(5);
    expect(after).toMatchObject({ dropped: 0, warnings: [] });
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const first = JSON.parse(readLines(file)[0]);
    const { hashLine } = await import('../../src/shared/chain.js');
    expect(first.prev).toBe(hashLine(lastBefore));
    expect(first.seq).toBe(JSON.parse(lastBefore).seq + 1);
    // …and the log says what happened: the first record of the new file is the writer's trace.
    expect(first).toMatchObject({ type: 'writer', event: 'dropped', dropped: 0 });
    expect(first.error).toMatch(/log directory .* was missing .*recreated/);
    expect(await w.close()).toBe(0);
  });

  it('file replaced by a symlink: refused with one warning, the target untouched, resumes when the file is back', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const target = path.join(dir, 'passwd-copy');
    fs.writeFileSync(target, 'root:x:0:0:root:/root:/bin/bash\n');
    const w = start(file);
    await w.write(5);
    fs.renameSync(file, `${file}.1`);
    fs.symlinkSync(target, file);
    await new Promise((r) => setTimeout(r, 5));
    const refused = await w.write(5);
    expect(refused.dropped).toBe(5);
    expect(refused.warnings).toHaveLength(1);
    expect(refused.warnings[0]).toMatch(/symlink/);
    expect(fs.readFileSync(target, 'utf8')).toBe('root:x:0:0:root:/root:/bin/bash\n');

    fs.unlinkSync(file);
    await new Promise((r) => setTimeout(r, 300));
    expect(await w.write(2)).toMatchObject({ dropped: 0, droppedTotal: 5 });
    expect(await w.close()).toBe(0);
    assertIntact([`${file}.1`, file]);
    expect(verifyChain(chainLinesOf([`${file}.1`, file])).break).toBeNull();
  });

  it('SIGKILL at 50 random points: every complete record intact, the chain explained, writes resume', async () => {
    const file = path.join(tempDir(), 'audit.log');
    for (let round = 0; round < 50; round++) {
      const w = start(file);
      await w.loopUntilReady(`k${round}`);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20)));
      w.child.kill('SIGKILL');
      await new Promise((r) => w.child.once('exit', r));
    }
    const last = start(file);
    expect((await last.write(3, 'final')).dropped).toBe(0);
    expect(await last.close()).toBe(0);

    const torn = assertIntact([file]);
    const report = verifyChain(chainLinesOf([file]));
    // A kill can only tear the last line a process wrote; each restart continues on a fresh line.
    expect(report.break).toBeNull();
    expect(report.malformed.map((m) => m.line)).toEqual(torn);
    const lines = readLines(file);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ type: 'writer', event: 'stop' });
  }, 180_000); // 51 process starts on a shared 2-core machine
});
