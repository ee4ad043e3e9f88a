/**
 * The writer across real processes: concurrent appenders on one file, a writer killed with
 * SIGKILL mid-stream, rotation while a process writes, and a restart right after rotation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashLine, verifyChain } from '../../src/shared/chain.js';
import { auditRecordSchema } from '../../src/shared/schema.js';
import { openAuditLog } from '../../src/writer/index.js';
import { chainLinesOf, makeTempDirFactory, parseLines, readLines, runWriter, sampleRequest, spawnWriter, waitForExit, waitForLine } from './helpers.js';

const tempDir = makeTempDirFactory('spa-procs');

describe('writer processes', () => {
  it('4 processes × 5,000 records on one file: every line whole, every record there once', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const writers = ['w0', 'w1', 'w2', 'w3'];
    const perWriter = 5_000;
    const results = await Promise.all(writers.map((tag) => runWriter('count', file, tag, perWriter)));
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`done ${perWriter}\n`);
    }

    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(writers.length * (perWriter + 2));
    const ids = new Map<string, Set<number>>(writers.map((w) => [w, new Set()]));
    const lifecycle = new Map<number, string[]>();
    for (const line of lines) {
      const parsed = auditRecordSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`invalid line: ${line.slice(0, 200)}`);
      const rec = parsed.data;
      if (rec.type === 'writer') lifecycle.set(rec.pid, [...(lifecycle.get(rec.pid) ?? []), rec.event]);
      else if (rec.type === 'request' || rec.type === 'response') {
        const [tag, i] = rec.id.split('-');
        const seen = ids.get(tag);
        expect(seen, rec.id).toBeDefined();
        expect(seen?.has(Number(i)), `duplicate ${rec.id}`).toBe(false);
        seen?.add(Number(i));
      }
    }
    for (const w of writers) expect(ids.get(w)?.size, w).toBe(perWriter);
    expect([...lifecycle.values()]).toEqual(writers.map(() => ['start', 'stop']));
  }, 60_000);

  it('after a writer is killed mid-stream, a new writer continues the chain from the last complete line', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const child = spawnWriter('loop', file, 'k', 2_000);
    const exited = waitForExit(child);
    await waitForLine(child, 'ready');
    await new Promise((r) => setTimeout(r, 30)); // let it run on in its tight loop
    child.kill('SIGKILL');
    const result = await exited;
    expect(result.signal).toBe('SIGKILL');

    const raw = fs.readFileSync(file, 'utf8');
    const tornAtKill = !raw.endsWith('\n');
    const before = readLines(file);
    const complete = tornAtKill ? before.slice(0, -1) : before;
    expect(complete.length).toBeGreaterThan(2_000);
    for (const line of complete) expect(auditRecordSchema.safeParse(JSON.parse(line)).success).toBe(true);
    const lastComplete = complete.at(-1) as string;
    const lastSeq = (JSON.parse(lastComplete) as { seq: number }).seq;

    const warnings: string[] = [];
    const log = openAuditLog({ path: file, warn: (m) => warnings.push(m) });
    log.request(sampleRequest(1));
    log.close();
    expect(warnings).toHaveLength(tornAtKill ? 1 : 0);

    const after = readLines(file);
    expect(after.slice(0, before.length)).toEqual(before); // nothing rewritten, a fragment stays
    const added = after.slice(before.length);
    expect(added).toHaveLength(3);
    expect(JSON.parse(added[0])).toMatchObject({ type: 'writer', event: 'start', seq: lastSeq + 1, prev: hashLine(lastComplete) });
    for (const line of added) expect(auditRecordSchema.safeParse(JSON.parse(line)).success).toBe(true);

    const report = verifyChain(chainLinesOf([file]));
    expect(report.break).toBeNull();
    expect(report.ok).toBe(true);
    expect(report.malformed.map(({ file: f, line }) => ({ file: f, line }))).toEqual(tornAtKill ? [{ file, line: before.length }] : []);
    expect(report.lastSeq).toBe(lastSeq + 3);
  }, 30_000);

  it('loses nothing when the log is renamed away while a process writes, and the chain spans both files', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const rotated = `${file}.1`;
    const n = 3_000;
    const child = spawnWriter('rotate', file, 'r', n);
    const exited = waitForExit(child);
    await waitForLine(child, 'ready');
    fs.renameSync(file, rotated); // logrotate `create`, mid-stream
    fs.closeSync(fs.openSync(file, 'a', 0o600)); // unless the writer has already made it
    const result = await exited;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const total = Number(/^done (\d+)$/m.exec(result.stdout)?.[1]);
    expect(total).toBeGreaterThanOrEqual(2 * n);

    const ids = [rotated, file].flatMap((f) => parseLines(f).flatMap((r) => (typeof r.id === 'string' ? [r.id] : [])));
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => `r-${i}`));
    expect(parseLines(file).filter((r) => r.type === 'request').length).toBeGreaterThanOrEqual(n);

    const report = verifyChain(chainLinesOf([rotated, file]));
    expect(report.break).toBeNull();
    expect(report).toMatchObject({ ok: true, records: total + 2, firstSeq: 1, lastSeq: total + 2, malformed: [] });
  }, 30_000);

  it('a new writer process on an empty log continues the chain from the rotated PATH.1', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const first = await runWriter('count', file, 'a', 10);
    expect(first.code).toBe(0);
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, '', { mode: 0o600 });

    const second = await runWriter('count', file, 'b', 10);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const older = readLines(`${file}.1`);
    const newer = readLines(file);
    expect(newer).toHaveLength(12);
    expect(JSON.parse(newer[0])).toMatchObject({ event: 'start', seq: older.length + 1, prev: hashLine(older.at(-1) as string) });
    const report = verifyChain(chainLinesOf([`${file}.1`, file]));
    expect(report.break).toBeNull();
    expect(report).toMatchObject({ ok: true, records: 24, lastSeq: 24 });
  }, 30_000);
});
