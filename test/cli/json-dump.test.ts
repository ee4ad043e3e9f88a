/**
 * `print --json` on two threads (json-dump.ts, print-worker.ts) against the one-thread dump it
 * stands in for: the same bytes, in the same order, whoever wrote each batch — with entries the
 * fast path declines among them, a line rewritten after the index, and a worker that cannot start.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { EntryBatches } from '../../src/cli/commands/entry-batches.js';
import { EntryJsonBytes } from '../../src/cli/commands/entry-json-bytes.js';
import { entryJson } from '../../src/cli/commands/entry-json.js';
import { type AtWorker, BATCH_BYTES, BATCH_ENTRIES, DumpWorker, dumpOnTwoThreads, FIRST_BATCH_ENTRIES } from '../../src/cli/commands/json-dump.js';
import { LineOutput } from '../../src/cli/commands/output.js';
import type { DumpJob, DumpResult } from '../../src/cli/commands/print-worker.js';
import { generateLog } from '../../src/demo/generate.js';
import { openEngine } from '../../src/engine/engine.js';
import { ROW_SIZE } from '../../src/engine/entry-line-rows.js';
import { hashSeed } from '../../src/engine/id-table.js';
import { loadedNativeAddon, nativeAddon } from '../../src/engine/native-scanner.js';
import type { AuditEngine } from '../../src/shared/entry.js';
import { jsonForTerminal } from '../../src/shared/sanitize.js';
import { request, response } from '../helpers/records.js';
import { cliEnv, makeTempDirFactory, REPO_ROOT, runCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-json-dump');

/** A stream that keeps what is written. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const slowly = (engine: AuditEngine, p: number) => `${jsonForTerminal(entryJson(engine.entry(p)))}\n`;

/** The dump on two threads: its output, how many batches the worker wrote, and how many entries this thread wrote whole. */
async function twoThreads(engine: AuditEngine, rows: Int32Array): Promise<{ text: string; there: number; whole: number; started: boolean }> {
  const { stream, text } = sink();
  const out = new LineOutput(stream);
  let whole = 0;
  // (Started, and awaited: under tsx a worker takes ~0.5 s to load its sources, and this thread
  // writes what it would hold in the meantime.)
  const worker = new DumpWorker();
  const started = await worker.ready;
  const there = await dumpOnTwoThreads(engine, rows, out, {
    linesAt: (p) => engine.entryLines?.(p) ?? null,
    fromBytes: new EntryJsonBytes(),
    writeEntry: (p) => {
      whole++;
      out.line(jsonForTerminal(entryJson(engine.entry(p))));
    },
  }, worker);
  await out.flush();
  return { text: text(), there, whole, started };
}

/** A generated log with lines the fast path declines spread through it (escapes, non-ASCII, an unknown key, a DEL), and orphans. */
function mixedLog(file: string, records: number): void {
  generateLog({ path: file, count: records, seed: 11, detailed: true });
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const odd = [
    [request('odd-escape', { reason: 'a "quoted" \\ reason' }), response('odd-escape')],
    [request('odd-unicode', { reason: 'déjà vu 😀' }), response('odd-unicode')],
    [{ ...request('odd-unknown'), extra: 1 }, response('odd-unknown', { duration_ms: 1.0 })],
    [request('odd-del', { reason: 'look\u007fhere' })],
    [response('odd-orphan')],
  ];
  // (Unchained lines among chained ones: the chain says so; the dump must say the same either way.)
  for (let i = 0; i < 40; i++) lines.splice(Math.floor((i * lines.length) / 40), 0, ...odd[i % odd.length].map((r) => JSON.stringify({ ...r, id: `${r.id}-${i}` })));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

async function openIndexed(file: string): Promise<AuditEngine> {
  const engine = openEngine([file], { follow: false });
  await engine.indexed();
  return engine;
}

describe('print --json on two threads', () => {
  let engine: AuditEngine | null = null;
  afterEach(async () => {
    await engine?.close();
    engine = null;
    delete process.env.SUDO_PROXY_AUDIT_NATIVE;
    delete process.env.SUDO_PROXY_AUDIT_PRINT_WORKER;
  });
  /** `file` indexed (closed after the test) and every position in it. */
  const indexedWhole = async (file: string): Promise<{ e: AuditEngine; all: Int32Array }> => {
    const e = await openIndexed(file);
    engine = e;
    return { e, all: Int32Array.from({ length: e.size() }, (_, p) => p) };
  };

  it('prints what one thread prints, byte for byte and in order, the worker writing batches and this thread the entries it declines', async () => {
    // Forced: the worker writes what it is handed, however busy the machine (else this thread may take every batch back).
    process.env.SUDO_PROXY_AUDIT_PRINT_WORKER = '1';
    const file = path.join(tempDir(), 'audit.log');
    mixedLog(file, 9000);
    const { e, all } = await indexedWhole(file);
    expect(loadedNativeAddon()).not.toBeNull();
    expect(all.length).toBeGreaterThan(4 * BATCH_ENTRIES);
    const expected = Array.from(all, (p) => slowly(e, p)).join('');
    const r = await twoThreads(e, all);
    expect(r.text).toBe(expected);
    expect(r.there).toBeGreaterThan(0);
    // The odd entries, declined by whoever had them, written whole here.
    expect(r.whole).toBeGreaterThanOrEqual(32);
    // Newest first, and a part of the log (not a batch's multiple).
    const reversed = all.slice(0, 3 * BATCH_ENTRIES + 7).reverse();
    expect((await twoThreads(e, reversed)).text).toBe(Array.from(reversed, (p) => slowly(e, p)).join(''));
  }, 60_000);

  it('never prints a line rewritten since the index from its new bytes: the entry as indexed, and the change said', async () => {
    // Forced: the worker writes what it is handed, however busy the machine (else this thread may take every batch back).
    process.env.SUDO_PROXY_AUDIT_PRINT_WORKER = '1';
    const file = path.join(tempDir(), 'audit.log');
    generateLog({ path: file, count: 6000, seed: 3, detailed: true });
    const { e, all } = await indexedWhole(file);
    const before = (await twoThreads(e, all)).text.split('\n');
    // A response's host is not in it: rewrite a request's host, same length, in the second batch, which the worker takes first.
    const bytes = fs.readFileSync(file, 'latin1');
    const target = e.entry(FIRST_BATCH_ENTRIES + 5);
    const at = (target.request?.offset ?? -1) + bytes.slice(target.request?.offset).indexOf(`"host":"${target.host}"`) + 8;
    expect(bytes.slice(at, at + target.host.length)).toBe(target.host);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, 'X'.repeat(target.host.length), at, 'latin1');
    fs.closeSync(fd);
    const breaksBefore = e.chainStatus?.()?.breakCount ?? 0;
    const r = await twoThreads(e, all);
    expect(r.there).toBeGreaterThan(0);
    const after = r.text.split('\n');
    expect(after.length).toBe(before.length);
    const changed = after.flatMap((line, i) => (line === before[i] ? [] : [i]));
    // Only that entry differs (read from what the index kept), and never with the new host.
    expect(changed).toEqual([FIRST_BATCH_ENTRIES + 5]);
    expect(after[changed[0]]).not.toContain('XXX');
    expect(JSON.parse(after[changed[0]]).host).toBe(target.host);
    expect(e.chainStatus?.()?.breakCount).toBeGreaterThan(breaksBefore);
  }, 60_000);

  it('cuts a batch of long entries at about BATCH_BYTES of output, on either thread, and prints the rest after it', async () => {
    // (A round-2 attack: batches sized from small entries before them held ≈ 90 MB each once
    // 150 KB entries came, 450 MB of RSS against 185 MB on one thread.)
    const file = path.join(tempDir(), 'audit.log');
    const long = 'x'.repeat(20_000);
    const records = Array.from({ length: 300 }, (_, i) => [request(`long-${i}`, { reason: long }), response(`long-${i}`, { error: long, status: 'error' })]).flat();
    fs.writeFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const { e, all } = await indexedWhole(file);
    const expected = Array.from(all, (p) => slowly(e, p));
    const longest = Math.max(...expected.map((l) => Buffer.byteLength(l)));
    expect(longest * all.length).toBeGreaterThan(10 * BATCH_BYTES);
    const worker = new DumpWorker();
    expect(await worker.ready).toBe(true);
    try {
      const there = await worker.write(e, all, 0, all.length).batch;
      expect(there).not.toBeNull();
      const cut = there?.ends.length ?? 0;
      expect(cut).toBeGreaterThan(0);
      expect(cut).toBeLessThan(all.length);
      expect(there?.length).toBeGreaterThanOrEqual(BATCH_BYTES);
      expect(there?.length).toBeLessThan(BATCH_BYTES + longest);
      expect(Buffer.from(there?.bytes.subarray(0, there.length) ?? []).toString()).toBe(expected.slice(0, cut).join(''));
    } finally {
      await worker.stop();
    }
    const here = new EntryBatches().write(all.length, (i) => e.entryLines?.(i) ?? null, -2, BATCH_BYTES);
    const cutHere = here.ends.length;
    expect(here.length).toBeGreaterThanOrEqual(BATCH_BYTES);
    expect(here.length - Buffer.byteLength(expected[cutHere - 1])).toBeLessThan(BATCH_BYTES);
    expect((await twoThreads(e, all)).text).toBe(expected.join(''));
  }, 60_000);

  it('writes here the batches a worker slower than this thread still holds, and never prints what it returns late', async () => {
    const file = path.join(tempDir(), 'audit.log');
    generateLog({ path: file, count: 4000, seed: 21, detailed: true });
    const { e, all } = await indexedWhole(file);
    // A worker that answers nothing until it is stopped, and then only lines that are not entries.
    const late: (() => void)[] = [];
    let handed = 0;
    let givenBack = 0;
    const slow = {
      alive: true,
      ready: Promise.resolve(true),
      write(_engine: AuditEngine, _rows: Int32Array, from: number, to: number): AtWorker {
        handed++;
        const bytes = Buffer.from('LATE\n'.repeat(to - from));
        const at: AtWorker = { back: false, batch: Promise.resolve(null) };
        at.batch = new Promise((resolve) =>
          late.push(() => {
            at.back = true;
            resolve({ bytes, length: bytes.length, ends: Int32Array.from({ length: to - from }, (_, i) => 5 * (i + 1)), from, there: true, readAt: Date.now() });
          }),
        );
        return at;
      },
      printed: () => void givenBack++,
      stop: async () => {
        for (const arrive of late) arrive();
      },
    };
    const { stream, text } = sink();
    const out = new LineOutput(stream);
    const there = await dumpOnTwoThreads(e, all, out, { linesAt: (p) => e.entryLines?.(p) ?? null, fromBytes: new EntryJsonBytes(), writeEntry: (p) => out.line(slowly(e, p).trimEnd()) }, slow as unknown as DumpWorker);
    await out.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toBe(Array.from(all, (p) => slowly(e, p)).join(''));
    expect(there).toBe(0);
    expect(handed).toBeGreaterThan(0);
    // Each late batch dropped, its buffer given back to the worker.
    expect(givenBack).toBe(handed);
  }, 60_000);

  it('writes every batch on this thread when the worker cannot start', async () => {
    const file = path.join(tempDir(), 'audit.log');
    mixedLog(file, 5000);
    const { e, all } = await indexedWhole(file);
    // (The worker's environment is this thread's: the addon is not loadable there.)
    process.env.SUDO_PROXY_AUDIT_NATIVE = '0';
    const r = await twoThreads(e, all);
    expect([r.started, r.there]).toEqual([false, 0]);
    expect(r.text).toBe(Array.from(all, (p) => slowly(e, p)).join(''));
  }, 60_000);
});

describe('print --json through the CLI, the worker forced on and off', () => {
  it('says the same, byte for byte, over a rotated set with a gzip member, newest first, the newest entries, and filtered', async () => {
    const dir = tempDir();
    const whole = path.join(dir, 'whole.log');
    mixedLog(whole, 7000);
    const lines = fs.readFileSync(whole, 'latin1').split('\n').filter((l) => l !== '');
    const third = Math.floor(lines.length / 3);
    const part = (from: number, to: number) => Buffer.from(`${lines.slice(from, to).join('\n')}\n`, 'latin1');
    const file = path.join(dir, 'audit.log');
    fs.writeFileSync(`${file}.2.gz`, zlib.gzipSync(part(0, third)));
    fs.writeFileSync(`${file}.1`, part(third, 2 * third));
    fs.writeFileSync(file, part(2 * third, lines.length));
    for (const args of [['--history'], ['--history', '--reverse'], ['--history', '-n', '2500'], ['--history', '--state', 'ok']]) {
      const [on, off] = await Promise.all(['1', '0'].map((w) => runCli(['print', '--json', ...args, file], { env: cliEnv({ SUDO_PROXY_AUDIT_PRINT_WORKER: w }) })));
      expect(off.stdout.split('\n').length).toBeGreaterThan(args.includes('-n') ? 2500 : 1000);
      expect([on.code, on.stderr]).toEqual([off.code, off.stderr]);
      expect(on.stdout === off.stdout).toBe(true);
    }
  }, 60_000);
});

describe('the built print worker (dist/bin/print-worker.js)', () => {
  it('writes a batch of entries from rows, as this thread writes them', async () => {
    nativeAddon();
    const file = path.join(tempDir(), 'audit.log');
    generateLog({ path: file, count: 200, seed: 9, detailed: true });
    const engine = await openIndexed(file);
    try {
      const positions = Int32Array.from({ length: engine.size() }, (_, p) => p);
      const rows = new ArrayBuffer(positions.length * ROW_SIZE * 8);
      const given = engine.entryLineRows?.(positions, 0, positions.length, new Float64Array(rows));
      expect(given).toBeTruthy();
      const here = new EntryBatches().write(positions.length, (i) => engine.entryLines?.(i) ?? null, -2, Number.POSITIVE_INFINITY);
      const worker = new Worker(path.join(REPO_ROOT, 'dist/bin/print-worker.js'), { workerData: { hashSeed: hashSeed() } });
      try {
        const job: DumpJob = { id: 7, rows, count: positions.length, sources: given?.sources ?? [], origin: given?.origin ?? '', printed: [], maxBytes: Number.POSITIVE_INFINITY };
        // (It says it is ready first.)
        const messages: unknown[] = [];
        const result = new Promise<DumpResult>((resolve, reject) => {
          worker.on('message', (m: DumpResult | 'ready') => (messages.push(m), m !== 'ready' && resolve(m)));
          worker.once('error', reject);
        });
        worker.postMessage(job, [rows]);
        const r = await result;
        expect(r.id).toBe(7);
        expect(messages[0]).toBe('ready');
        expect([...r.ends]).toEqual([...here.ends]);
        expect(Buffer.from(r.bytes, 0, r.length).equals(here.bytes.subarray(0, here.length))).toBe(true);
      } finally {
        await worker.terminate();
      }
    } finally {
      await engine.close();
    }
  }, 30_000);
});
