/**
 * History scanned in chunks by worker threads must give exactly what the line-by-line path
 * gives, wherever the chunks are cut and however many workers there are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/shared/entry.js';
import { parseLine } from '../../src/shared/parse-line.js';
import { MAX_LINE_BYTES } from '../../src/shared/schema.js';
import { OUT_MALFORMED } from '../../src/engine/chunk-scan.js';
import { type HostEngine, openEngine, type OpenEngineOptions } from '../../src/engine/engine.js';
import { LineSplitter } from '../../src/engine/line-splitter.js';
import { newCompactRecord } from '../../src/engine/compact-record.js';
import { scannedAhead, WORKER_POOL_MAX } from '../../src/engine/native-lines.js';
import { nativeAddon } from '../../src/engine/native-scanner.js';
import { type LinesChunk, linesWork } from '../../src/engine/chunk-work.js';
import { CHUNK_LINES_MAX, type ChunkSource, ScanPool, ScanWorkerError } from '../../src/engine/parallel-scan.js';
import { WORKER_YOUNG_GENERATION_MB } from '../../src/engine/worker-thread.js';
import { ScannerStrings } from '../../src/engine/scanner-strings.js';
import { StringPool } from '../../src/engine/string-pool.js';
import { findRotatedSet } from '../../src/engine/rotated-set.js';
import { entriesOf, jsonl, request, response, tempDir, writerStart } from './helpers.js';

function sourceOf(bytes: Buffer): ChunkSource {
  let at = 0;
  return {
    read(into, offset, max) {
      const n = Math.min(max, bytes.length - at);
      bytes.copy(into, offset, at, at + n);
      at += n;
      return n;
    },
  };
}

/** A log with valid, invalid, writer, over-cap and unterminated lines. */
function hostileLog(): Buffer {
  const chained = (r: object, seq: number) => ({ ...r, seq, prev: '0'.repeat(64) });
  return Buffer.concat([
    Buffer.from(jsonl(chained(writerStart(), 1), chained(request('a'), 2), chained(request('b', { host: 'web-02', reason: 'ünïcode reason' }), 3))),
    Buffer.from('not json\n\n'),
    // Over the cap; with small chunks also longer than a read buffer (skipped, never held).
    Buffer.from(`{"pad":"${'x'.repeat(MAX_LINE_BYTES + 100_000)}"}\n`),
    Buffer.from(jsonl(chained(response('a'), 4), { ...response('b'), stages: 'bad' }, chained(request('c', { session: 's9' }), 5))),
    Buffer.from(JSON.stringify(chained(response('c'), 6))), // no newline at the end
  ]);
}

/** What the line-by-line path sees: [line, offset, kind or reason]. */
function reference(bytes: Buffer): Array<[number, number, string]> {
  const seen: Array<[number, number, string]> = [];
  const splitter = new LineSplitter({
    line: (buf, start, end, offset, line) => {
      const r = parseLine(buf.subarray(start, end));
      seen.push([line, offset, r.ok ? r.record.type : r.reason]);
    },
    overCap: (offset, line) => seen.push([line, offset, 'over the 1 MiB line cap']),
  });
  splitter.push(bytes);
  splitter.flush();
  return seen;
}

async function viaPool(pool: ScanPool, bytes: Buffer, chunkBytes: number) {
  const seen: Array<[number, number, string]> = [];
  const kinds = ['request', 'response', 'writer'];
  const lines = await pool.run(sourceOf(bytes), (res, place) => {
    let bad = 0;
    for (let i = 0; i < res.count; i++) {
      const what = res.kind[i] === OUT_MALFORMED ? res.malformed[bad++].reason : kinds[res.kind[i]];
      seen.push([place.lineBase + res.line[i], place.base + res.offset[i], what]);
    }
  }, { chunkBytes });
  return { seen, lines };
}

/**
 * What the line-by-line path sees, from a pool of chunks' lines' slots (the native scanner), read
 * as the intake reads them (record-intake.ts scannedChunk); and how many lines came from the slots.
 */
async function viaLinesPool(pool: ScanPool<LinesChunk>, bytes: Buffer, chunkBytes: number, scanners = new Set<number>()) {
  const seen: Array<[number, number, string]> = [];
  const ahead = scannedAhead(true);
  if (ahead === null) throw new Error('no native scanner');
  const record = newCompactRecord();
  const before = ahead.takenFromChunks;
  const lines = await pool.run(sourceOf(bytes), (res, place) => {
    scanners.add(place.scanner);
    if (res.overCap !== null) {
      seen.push([place.lineBase + 1, place.base, 'over the 1 MiB line cap']);
      return;
    }
    const splitter = new LineSplitter({
      line: (buf, start, end, offset, line) => {
        ahead.take(buf, start, end, record);
        const r = parseLine(buf.subarray(start, end));
        seen.push([line, offset, r.ok ? r.record.type : r.reason]);
      },
      overCap: (offset, line) => seen.push([line, offset, 'over the 1 MiB line cap']),
      ahead: (buf, from, to) => ahead.begin(buf, from, to, false),
      aheadDone: () => ahead.end(),
    }, place.base, place.lineBase + 1);
    ahead.preset(res);
    splitter.push(res.bytes);
    if (res.final) splitter.flush();
  }, { chunkBytes });
  return { seen, lines, fromSlots: ahead.takenFromChunks - before };
}

const addon = nativeAddon();

describe('ScanPool', () => {
  it('gives the line-by-line result for any chunk size, in this thread and in workers', async () => {
    const bytes = hostileLog();
    const expected = reference(bytes);
    for (const workers of [0, 2]) {
      const pool = new ScanPool(workers, true, null, undefined, true);
      try {
        for (const chunkBytes of [64, 333, 4096, 1 << 20]) {
          const { seen, lines } = await viaPool(pool, bytes, chunkBytes);
          expect(seen, `${workers} workers, ${chunkBytes}-byte chunks`).toEqual(expected);
          expect(lines).toBe(expected.length);
        }
        expect(pool.threads).toBe(workers);
      } finally {
        pool.close();
      }
    }
  });

  it('gives the line-by-line result for a chunk of lines shorter than any record (its arrays grow)', async () => {
    // Blank lines, `{}` and short records: thousands of lines in a chunk sized for 256-byte ones.
    const short = Array.from({ length: 6000 }, (_, i) => (i % 3 === 0 ? '' : i % 3 === 1 ? '{}' : JSON.stringify(request(`q${i}`))));
    const bytes = Buffer.from(`${short.join('\n')}\n`);
    const expected = reference(bytes);
    const pool = new ScanPool(0);
    try {
      const { seen, lines } = await viaPool(pool, bytes, 1 << 20);
      expect(seen).toEqual(expected);
      expect(lines).toBe(6000);
    } finally {
      pool.close();
    }
  });

  it('gives the same when this thread scans some chunks beside a worker, in any pattern', async () => {
    const bytes = hostileLog();
    const expected = reference(bytes);
    for (const [name, local] of [
      ['every other chunk here', (c: number) => c % 2 === 1],
      ['the first chunk at the worker, the rest here', (c: number) => c >= 1],
      ['a run here, then the worker again', (c: number) => c >= 1 && c < 3],
    ] as const) {
      const pool = new ScanPool(1, true, local, undefined, true);
      // Each scanner's strings are numbered in the order it scanned its chunks (over the pool's runs): read them back.
      const strings = new Map<number, string[]>();
      try {
        for (const chunkBytes of [64, 333]) {
          const seen: Array<[number, number, string]> = [];
          const scanners = new Set<number>();
          const kinds = ['request', 'response', 'writer'];
          const hosts: string[] = [];
          await pool.run(sourceOf(bytes), (res, place) => {
            if (place.scanner >= 0) scanners.add(place.scanner);
            const own = strings.get(place.scanner) ?? [];
            strings.set(place.scanner, own);
            own.push(...res.newStrings[0]);
            let bad = 0;
            for (let i = 0; i < res.count; i++) {
              const what = res.kind[i] === OUT_MALFORMED ? res.malformed[bad++].reason : kinds[res.kind[i]];
              seen.push([place.lineBase + res.line[i], place.base + res.offset[i], what]);
              if (res.kind[i] === 0) hosts.push(own[res.host[i]]);
            }
          }, { chunkBytes });
          expect(seen, `${name}, ${chunkBytes}-byte chunks`).toEqual(expected);
          expect(hosts, `${name}, ${chunkBytes}-byte chunks`).toEqual(['web-01', 'web-02', 'web-01']);
          expect(scanners.size, `${name}: both scanned`).toBeGreaterThanOrEqual(2);
        }
      } finally {
        pool.close();
      }
    }
  });

  // (native-lines.test.ts fails where cargo is and the addon is not built: this never goes unchecked there.)
  it("gives the line-by-line result from its lines' slots, for any chunk size, in this thread and in workers, in any pattern", async () => {
    if (addon === null) return;
    const bytes = hostileLog();
    const expected = reference(bytes);
    const fromSlots = new Set<number>();
    for (const [workers, local] of [[0, null], [2, null], [1, (c: number) => c % 2 === 1], [1, (c: number) => c >= 1 && c < 3]] as const) {
      const pool = new ScanPool<LinesChunk>(workers, true, local, linesWork(addon, true), true);
      try {
        for (const chunkBytes of [64, 333, 4096, 1 << 20]) {
          const scanners = new Set<number>();
          const got = await viaLinesPool(pool, bytes, chunkBytes, scanners);
          expect(got.seen, `${workers} workers, ${chunkBytes}-byte chunks`).toEqual(expected);
          expect(got.lines).toBe(expected.length);
          fromSlots.add(got.fromSlots);
          if (local !== null) expect(scanners.size, `${chunkBytes}-byte chunks: both scanned`).toBeGreaterThanOrEqual(2);
        }
        expect(pool.threads).toBe(workers);
      } finally {
        await pool.close();
      }
    }
    // Every line the native scanner takes in one pass over the whole log, each time from the chunks' slots.
    const ahead = scannedAhead(true) as NonNullable<ReturnType<typeof scannedAhead>>;
    const record = newCompactRecord();
    let oneCall = 0;
    ahead.begin(bytes, 0, bytes.lastIndexOf(0x0a) + 1, false);
    for (let start = 0, nl = bytes.indexOf(0x0a); nl !== -1; start = nl + 1, nl = bytes.indexOf(0x0a, start)) if (ahead.take(bytes, start, nl, record)) oneCall++;
    ahead.end();
    expect(oneCall).toBeGreaterThan(0);
    expect([...fromSlots]).toEqual([oneCall]);
  });

  it('cuts a chunk of short lines at its line cap, in both kinds of work, to the line-by-line result (a line costs a result the same whatever its length)', async () => {
    // Blank lines and `{}` between records, past the cap many times over in one read, and a last line without a newline.
    const bytes = Buffer.concat([Buffer.from(jsonl(request('a'))), Buffer.alloc(3 * CHUNK_LINES_MAX + 17, 0x0a), Buffer.from('{}\n'.repeat(CHUNK_LINES_MAX + 5)), Buffer.from(jsonl(response('a'))), Buffer.from('\n\n{}')]);
    const expected = reference(bytes);
    for (const workers of [0, 1]) {
      const records = new ScanPool(workers, true, null, undefined, true);
      try {
        let most = 0;
        const seen: Array<[number, number, string]> = [];
        const kinds = ['request', 'response', 'writer'];
        const lines = await records.run(sourceOf(bytes), (res, place) => {
          most = Math.max(most, res.lines);
          let bad = 0;
          for (let i = 0; i < res.count; i++) seen.push([place.lineBase + res.line[i], place.base + res.offset[i], res.kind[i] === OUT_MALFORMED ? res.malformed[bad++].reason : kinds[res.kind[i]]]);
        }, { chunkBytes: 1 << 20 });
        expect(seen, `${workers} workers, records`).toEqual(expected);
        expect(lines).toBe(expected.length);
        expect(most).toBe(CHUNK_LINES_MAX);
      } finally {
        await records.close();
      }
      if (addon === null) continue;
      const slots = new ScanPool<LinesChunk>(workers, true, null, linesWork(addon, true), true);
      try {
        const got = await viaLinesPool(slots, bytes, 1 << 20);
        expect(got.seen, `${workers} workers, lines`).toEqual(expected);
        expect(got.fromSlots).toBe(2);
      } finally {
        await slots.close();
      }
    }
  });

  it('scans here while its worker is starting, and hands it chunks once it is up (#17: this thread sat idle ~70 ms, its first chunks out there)', async () => {
    const bytes = Buffer.from(jsonl(...Array.from({ length: 2000 }, (_, i) => request(`r${i}`))));
    const lineCount = reference(bytes).length;
    for (const lines of addon === null ? [false] : [false, true]) {
      const pool = lines ? new ScanPool<LinesChunk>(1, true, null, linesWork(addon as NonNullable<typeof addon>, true)) : new ScanPool(1);
      const up = () => (pool as unknown as { up: Set<number> }).up.size > 0;
      const scanners: number[] = [];
      try {
        // The first chunk is dispatched before the worker can have said it is up; consumed, it
        // waits for the worker, so that the chunks read meanwhile can reach it.
        const read = await (pool as ScanPool<unknown>).run(sourceOf(bytes), async (_res, place) => {
          scanners.push(place.scanner);
          for (let waited = 0; scanners.length === 1 && !up(); waited += 5) {
            if (waited > 30_000) throw new Error('the worker never said it was up');
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }, { chunkBytes: 4096 });
        expect(read).toBe(lineCount);
        expect(scanners[0], lines ? 'lines' : 'records').toBe(pool.localIndex);
        expect(scanners.slice(1).includes(0), lines ? 'lines' : 'records').toBe(true);
      } finally {
        await pool.close();
      }
    }
  });

  it("gives each line's strings as the store's ids from a worker's pools: those new to a full pool left to the reader, and none after a chunk it scanned was never taken in (a run cut short)", async () => {
    if (addon === null) return;
    // (This thread's chunks, as in the engine, are scanned without their strings: its reader interns them.)
    const pool = new ScanPool<LinesChunk>(1, true, null, linesWork(addon, true), true);
    const store = Array.from({ length: 6 }, () => new StringPool(['']));
    const workerHosts = () => (strings as unknown as { scanners: Map<number, number[][]> }).scanners.get(0)?.[0].length ?? 0;
    const strings = new ScannerStrings(store);
    const ahead = scannedAhead(true) as NonNullable<ReturnType<typeof scannedAhead>>;
    const record = newCompactRecord();
    // Every host its own, seven sessions; every response an error of its own.
    const log = (from: number, to: number) =>
      Buffer.from(jsonl(...Array.from({ length: to - from }, (_, i) => (i % 3 === 2 ? response(`r${from + i - 1}`, { status: 'error', error: `e${from + i}`, stages: [] }) : request(`r${from + i}`, { host: `h${from + i}`, session: `s${(from + i) % 7}`, resolved: [`/bin/p${from + i}`] })))));
    /** Lines taken in, the requests of them the worker scanned, and how many had their host, session, paths and error given as ids (each checked to be its own). */
    const takeIn = async (bytes: Buffer, cutAfter: number) => {
      let chunks = 0;
      const given = { host: 0, session: 0, resolved: 0, error: 0 };
      let lines = 0;
      let workerRequests = 0;
      let workerLines = 0;
      await pool.run(sourceOf(bytes), (res, place) => {
        if (++chunks > cutAfter) throw new Error('cut short');
        if (res.overCap !== null) throw new Error('a line over the cap');
        const byWorker = place.scanner === 0;
        expect(res.strings === null, `scanner ${place.scanner}`).toBe(!byWorker);
        ahead.preset(res, res.strings === null ? null : strings.storeIds(place.scanner, res.strings.fresh, res.strings.first));
        const splitter = new LineSplitter({
          line: (buf, start, end) => {
            expect(ahead.take(buf, start, end, record)).toBe(true);
            lines++;
            const parsed = parseLine(buf.subarray(start, end));
            if (!parsed.ok) throw new Error(parsed.reason);
            const r = parsed.record as unknown as { type: string; host: string; session: string; resolved: string[]; error?: string };
            if (byWorker) workerLines++;
            if (byWorker && r.type === 'request') workerRequests++;
            const fields = r.type === 'request' ? ([['host', 0, record.hostId, r.host], ['session', 1, record.sessionId, r.session], ['resolved', 4, record.resolvedId, JSON.stringify(r.resolved)], ['error', 5, record.errorId, '']] as const) : ([['error', 5, record.errorId, r.error ?? '']] as const);
            for (const [name, p, id, text] of fields) {
              if (id < 0) continue;
              given[name]++;
              expect(store[p].get(id), name).toBe(text);
            }
          },
          overCap: () => {},
          ahead: (buf, from, to) => ahead.begin(buf, from, to, false),
          aheadDone: () => ahead.end(),
        }, place.base, place.lineBase + 1);
        splitter.push(res.bytes);
        if (res.final) splitter.flush();
      }, { chunkBytes: 2000 }).catch((e: Error) => expect(e.message).toBe('cut short'));
      return { given, lines, workerRequests, workerLines };
    };
    try {
      // (A chunk is a read of the pool's buffer, ~66 KB here: ~260 lines.)
      const first = await takeIn(log(0, 3000), Number.POSITIVE_INFINITY);
      expect(first.workerRequests).toBeGreaterThan(1000);
      const all = first.workerRequests;
      expect(first.given).toEqual({ host: all, session: all, resolved: all, error: first.workerLines });
      // The worker's pools fill: a host new to a full pool is the reader's; the sessions met before, still given.
      const hostsBefore = workerHosts();
      const filling = await takeIn(log(3000, 9000), Number.POSITIVE_INFINITY);
      expect(filling.workerRequests).toBeGreaterThan(WORKER_POOL_MAX - hostsBefore);
      expect(filling.given.host).toBe(WORKER_POOL_MAX - hostsBefore);
      expect(workerHosts()).toBe(WORKER_POOL_MAX);
      expect(filling.given.session).toBe(filling.workerRequests);
      // Cut short: the chunks the worker scanned meanwhile, with strings new to its pools, are never taken in.
      await takeIn(log(9000, 12000), 2);
      const after = await takeIn(log(12000, 15000), Number.POSITIVE_INFINITY);
      expect(after.lines).toBe(3000);
      expect(after.given).toEqual({ host: 0, session: 0, resolved: 0, error: 0 });
    } finally {
      await pool.close();
    }
  });

  it("rejects with ScanWorkerError when a worker that scans lines' slots dies", async () => {
    if (addon === null) return;
    const pool = new ScanPool<LinesChunk>(1, true, null, linesWork(addon, true), true);
    const bytes = Buffer.from(jsonl(...Array.from({ length: 2000 }, (_, i) => request(`r${i}`))));
    const run = viaLinesPool(pool, bytes, 4096);
    await (pool as unknown as { workers: Array<{ terminate(): Promise<number> }> }).workers[0].terminate();
    await expect(run).rejects.toBeInstanceOf(ScanWorkerError);
    await pool.close();
  });

  it("resolves close() once its workers' threads are gone (the index is merged without their memory beside it, #17)", async () => {
    const pool = new ScanPool(2, true, null, undefined, true);
    const workers = (pool as unknown as { workers: Worker[] }).workers;
    await viaPool(pool, hostileLog(), 333);
    expect(workers.map((w) => w.threadId > 0)).toEqual([true, true]);
    await pool.close();
    // A Worker's threadId is -1 once its thread has exited.
    expect(workers.map((w) => w.threadId)).toEqual([-1, -1]);
  });

  it('rejects with ScanWorkerError when a worker dies, so the caller can start over', async () => {
    const pool = new ScanPool(1, true, null, undefined, true);
    const bytes = Buffer.from(jsonl(...Array.from({ length: 2000 }, (_, i) => request(`r${i}`))));
    const run = viaPool(pool, bytes, 4096);
    await (pool as unknown as { workers: Array<{ terminate(): Promise<number> }> }).workers[0].terminate();
    await expect(run).rejects.toBeInstanceOf(ScanWorkerError);
    pool.close();
  });
});

const comparable = (entries: Entry[]) => entries.map(({ key: _key, ...rest }) => rest);

describe('the engine with a scan pool', () => {
  it('indexes a rotated set with .gz history exactly as without one', async () => {
    const dir = tempDir('par');
    const live = path.join(dir, 'audit.log');
    const recs = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 2
        ? response(`r${i - 2}`, i % 11 === 0 ? { status: 'error', error: `spawn EACCES ${i}`, stages: [] } : { stages: [{ exit_code: i % 2, stderr_len: 0, stderr_truncated: false }] })
        : request(`r${i}`, { host: `h${i % 4}`, reason: `reason ${i % 7}`, resolved: [`/usr/bin/r${i % 5}`] }),
    ).map((r, i) => ({ ...r, seq: i + 1, prev: '0'.repeat(64) }));
    fs.writeFileSync(`${live}.2.gz`, gzipSync(jsonl(...recs.slice(0, 100))));
    fs.writeFileSync(`${live}.1`, `${jsonl(...recs.slice(100, 200))}garbage\n`);
    fs.writeFileSync(live, jsonl(...recs.slice(200)));
    const files = findRotatedSet(live);
    const started: number[] = [];
    const plain = openEngine(files, { follow: false, tailBytes: 2000, parallelMinBytes: Number.POSITIVE_INFINITY, onScanWorkers: (n) => started.push(n) });
    await plain.indexed();
    expect(started).toEqual([0]);
    const expected = comparable(entriesOf(plain));
    const expectedMalformed = plain.malformed();
    // Resolved paths, errors and ids are searched from the columns, which a worker's chunk fills too.
    const searches = ['/usr/bin/r3', 'eacces', 'R12'].map((text) => Array.from(plain.query({ text })));
    expect(searches.map((found) => found.length > 0)).toEqual([true, true, true]);
    await plain.close();
    expect(expected.length).toBe(200);
    for (const scanInto of ['lines', 'records'] as const) {
      for (const workers of [0, 2]) {
        let threads = -1;
        const engine = openEngine(files, { follow: false, tailBytes: 2000, parallelMinBytes: 0, scanWorkers: workers, queueForStartingWorkers: true, scanInto, onScanWorkers: (n) => (threads = n) });
        await engine.indexed();
        const how = `${workers} workers, into ${scanInto}`;
        expect(threads).toBe(workers);
        expect(comparable(entriesOf(engine)), how).toEqual(expected);
        expect(engine.malformed(), how).toEqual(expectedMalformed);
        expect(['/usr/bin/r3', 'eacces', 'R12'].map((text) => Array.from(engine.query({ text }))), how).toEqual(searches);
        await engine.close();
      }
    }
  });

  it("indexes a history whose strings outgrow a worker's pools as on this thread: each field given or read from the line, as it comes", async () => {
    const dir = tempDir('par');
    const file = path.join(dir, 'audit.log');
    // A host of its own every other request and a reason of its own the others (each past the
    // pool's cap: a line with one given and one not, both ways), sessions and errors few.
    const n = 5 * WORKER_POOL_MAX;
    const recs = Array.from({ length: n }, (_, i) =>
      i % 2 === 1
        ? response(`r${i - 1}`, i % 10 === 1 ? { status: 'error', error: `err ${i % 30}`, stages: [] } : {})
        : request(`r${i}`, { host: i % 4 === 0 ? `h${i}` : `web-${i % 3}`, session: `s${i % 5}`, reason: i % 4 === 2 ? `why ${i}` : 'routine', resolved: i % 6 === 0 ? [] : [`/usr/bin/r${i % 9}`] }),
    ).map((r, i) => ({ ...r, seq: i + 1, prev: '0'.repeat(64) }));
    fs.writeFileSync(file, jsonl(...recs));
    const read = async (options: OpenEngineOptions) => {
      const engine = openEngine([file], { follow: false, tailBytes: 2000, ...options });
      await engine.indexed();
      const got = { entries: comparable(entriesOf(engine)), found: ['h18000', 'why 18002', 'err 11', '/usr/bin/r4'].map((text) => Array.from(engine.query({ text })).length) };
      await engine.close();
      return got;
    };
    const expected = await read({ parallelMinBytes: Number.POSITIVE_INFINITY });
    expect(expected.entries.length).toBe(n / 2);
    expect(await read({ parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: 20_000 })).toEqual(expected);
  });

  it("keeps no line fingerprint of a pass a dead worker cut short: a woken fleet host's lines are checked against those read again", async () => {
    const dir = tempDir('par');
    const file = path.join(dir, 'audit.log');
    fs.writeFileSync(file, jsonl(...Array.from({ length: 400 }, (_, i) => ({ ...(i % 2 === 0 ? request(`r${i}`) : response(`r${i - 1}`)), seq: i + 1, prev: '0'.repeat(64) }))));
    const printsOf = async (options: OpenEngineOptions) => {
      const engine = openEngine([file], { follow: false, tailBytes: 2000, ...options });
      await engine.indexed();
      const prints = Array.from((engine as unknown as Required<HostEngine>).linePrints()).filter((p) => p !== 0);
      const entries = comparable(entriesOf(engine));
      await engine.close();
      return { prints: prints.sort((a, b) => a - b), entries };
    };
    const reference = await printsOf({});
    expect(reference.prints.length).toBe(400);
    const postMessage = Worker.prototype.postMessage;
    for (const scanInto of ['lines', 'records'] as const) {
      let sent = 0;
      // The worker dies once it has its third chunk: the pass fails, and the history is read again here.
      Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
        postMessage.apply(this, args);
        if (++sent === 3) void this.terminate();
      };
      let got: Awaited<ReturnType<typeof printsOf>>;
      try {
        got = await printsOf({ parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: 3000, scanInto });
      } finally {
        Worker.prototype.postMessage = postMessage;
      }
      expect(sent, 'the worker was sent chunks').toBeGreaterThanOrEqual(3);
      expect(got.entries, scanInto).toEqual(reference.entries);
      expect(got.prints, scanInto).toEqual(reference.prints);
    }
  });

  it("reads the history on this thread when a worker asked for lines' slots cannot load the native scanner", async () => {
    if (addon === null) return;
    const dir = tempDir('par');
    const file = path.join(dir, 'audit.log');
    fs.writeFileSync(file, jsonl(...Array.from({ length: 400 }, (_, i) => ({ ...(i % 2 === 0 ? request(`r${i}`) : response(`r${i - 1}`)), seq: i + 1, prev: '0'.repeat(64) }))));
    const reference = openEngine([file], { follow: false, tailBytes: 2000 });
    await reference.indexed();
    const expected = comparable(entriesOf(reference));
    await reference.close();
    // This thread has the addon loaded; a worker started now sees it turned off, and fails at its start.
    process.env.SUDO_PROXY_AUDIT_NATIVE = '0';
    let threads = -1;
    try {
      const engine = openEngine([file], { follow: false, tailBytes: 2000, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: 3000, onScanWorkers: (n) => (threads = n) });
      await engine.indexed();
      expect(threads).toBe(1);
      expect(comparable(entriesOf(engine))).toEqual(expected);
      await engine.close();
    } finally {
      delete process.env.SUDO_PROXY_AUDIT_NATIVE;
    }
  });

  it('takes its tuning per engine: two engines opened together each read as asked', async () => {
    const dir = tempDir('par');
    const file = path.join(dir, 'audit.log');
    const recs = Array.from({ length: 200 }, (_, i) => ({ ...request(`r${i}`), seq: i + 1, prev: '0'.repeat(64) }));
    fs.writeFileSync(file, jsonl(...recs));
    const started: Record<string, number[]> = { workers: [], lines: [] };
    const workers = openEngine([file], { follow: false, tailBytes: 2000, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, onScanWorkers: (n) => started.workers.push(n) });
    const lines = openEngine([file], { follow: false, tailBytes: 2000, onScanWorkers: (n) => started.lines.push(n) });
    await Promise.all([workers.indexed(), lines.indexed()]);
    expect(comparable(entriesOf(workers))).toEqual(comparable(entriesOf(lines)));
    // A history this small is read line by line unless the engine is told otherwise.
    expect(started).toEqual({ workers: [1], lines: [0] });
    await Promise.all([workers.close(), lines.close()]);
  });
});

describe("a scan worker's young generation (#17)", () => {
  /** new_space of a worker given `limits` that allocates as a scan does, after the growth factor was set back to 2 (as a new isolate sets it). */
  async function workerNewSpace(limits: { maxYoungGenerationSizeMb?: number }): Promise<number> {
    const churn = `const kept = []; for (let k = 0; k < 2000000; k++) { const o = { k, s: 'x' + k }; if (k % 50 === 0) kept.push(o); }`;
    const report = `process.getBuiltinModule('node:worker_threads').parentPort.postMessage(process.getBuiltinModule('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)`;
    const w = new Worker(`${churn}; ${report}`, { eval: true, resourceLimits: limits });
    try {
      return await new Promise<number>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
    } finally {
      await w.terminate();
    }
  }

  it('grows without a limit (so the check below can fail)', async () => {
    expect(await workerNewSpace({})).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('stays at its first size, two semi-spaces of 1 MB, under the limit the pool gives', async () => {
    expect(await workerNewSpace({ maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB })).toBe(2 * 1024 * 1024);
  });

  it('is the limit the pool starts its workers with', async () => {
    const pool = new ScanPool(1, true, null, undefined, true);
    try {
      const [worker] = (pool as unknown as { workers: Worker[] }).workers;
      await new Promise((resolve) => worker.once('online', resolve));
      expect(worker.resourceLimits?.maxYoungGenerationSizeMb).toBe(WORKER_YOUNG_GENERATION_MB);
    } finally {
      await pool.close();
    }
  });
});
