/**
 * `print --json` of many entries on two cores: this thread and a worker (print-worker.ts) each
 * write batches of entries from their lines' bytes, and this thread prints the batches in order.
 * Once the index is built, writing the entries was all `print --json` did on one core (≈ 1.8 of
 * its 3.6 s over 1M records, with the second core idle since the index, #17).
 *
 * The worker takes the next batch no one has while it holds fewer than AT_WORKER; while the
 * batch to print next is still out at it, this thread writes the next batch no one has itself
 * (at most AHEAD of them), as the index's scan does (engine/parallel-scan.ts). Either side
 * declines an entry it cannot prove plain (entry-json-bytes.ts), and this thread writes it in its
 * place the way it writes any: the bytes are the same whichever thread wrote them (a test holds
 * both ways to the sequential dump's). A worker that cannot start or fails leaves its batches to
 * this thread.
 */
import type { Worker } from 'node:worker_threads';
import type { AuditEngine, EntryLines } from '../../shared/entry.js';
import { hashSeed } from '../../engine/id-table.js';
import { ROW_SIZE } from '../../engine/entry-line-rows.js';
import { loadedNativeAddon } from '../../engine/native-scanner.js';
import { idleCoresBesideThisProcess, type ProcessCpuSample, workersForIdle } from '../../engine/scan-worker-count.js';
import { startWorkerThread } from '../../engine/worker-thread.js';
import type { EntryJsonBytes } from './entry-json-bytes.js';
import { DECLINED_THERE, type EntryBatch, EntryBatches } from './entry-batches.js';
import type { LineOutput } from './output.js';
import type { DumpJob, DumpResult } from './print-worker.js';

/** Entries a batch holds: ≈ 450 KB of output, and a message each way per batch. */
export const BATCH_ENTRIES = 1024;
/** Batches the worker holds at once: one it writes and one queued, so it never waits for this thread. */
const AT_WORKER = 2;
/** Batches this thread writes ahead of the one to print next while that one is at the worker (memory: ≈ 450 KB each). */
const AHEAD = 8;
/** Fewer entries than this are written on this thread alone: starting a worker costs ≈ 40 ms. */
export const TWO_THREADS_MIN_ENTRIES = 20_000;

/** An entry this thread did not write from its lines (it writes the entry itself). */
const DECLINED_HERE = -2;

/**
 * Whether `print --json` of `entries` entries takes a second thread: SUDO_PROXY_AUDIT_PRINT_WORKER
 * 1 (always, where possible: tests) or 0 (never); else when there are enough of them and a core
 * was left idle by other processes since `since`. Only an engine that hands out its entries'
 * lines (not following, not a fleet) and once the index loaded the native scanner (which the
 * worker's entries are written with).
 */
export function twoThreadsFor(engine: AuditEngine, entries: number, since: ProcessCpuSample): boolean {
  const setting = process.env.SUDO_PROXY_AUDIT_PRINT_WORKER;
  if (setting === '0' || engine.entryLineRows === undefined || loadedNativeAddon() === null) return false;
  if (setting === '1') return true;
  return entries >= TWO_THREADS_MIN_ENTRIES && workersForIdle(idleCoresBesideThisProcess(since)) > 0;
}

/** What the dump writes with on this thread: entries from their lines, and any entry in full. */
export interface DumpHere {
  /** The entry at a position as its lines (print.ts' linesAt). */
  linesAt(position: number): EntryLines | null;
  fromBytes: EntryJsonBytes;
  /** Queues the entry at `position` written in full (parsed from its lines, or from the index). */
  writeEntry(position: number): void;
}

/** A batch and who wrote it (its buffer goes back there once printed). */
interface Written extends EntryBatch {
  there: boolean;
}

/** Prints the entries at `rows` (in that order) as `print --json` lines, on this thread and a worker; returns how many batches the worker wrote. */
export async function dumpOnTwoThreads(engine: AuditEngine, rows: Int32Array, out: LineOutput, here: DumpHere): Promise<number> {
  const count = Math.ceil(rows.length / BATCH_ENTRIES);
  const ready: (Written | undefined)[] = new Array(count);
  const atWorker = new Map<number, Promise<EntryBatch | null>>();
  const worker = new DumpWorker(engine, rows);
  const batches = new EntryBatches();
  const writeHere = (b: number): Written => {
    const from = b * BATCH_ENTRIES;
    return { ...batches.write(Math.min(rows.length - from, BATCH_ENTRIES), (i) => here.linesAt(rows[from + i]), DECLINED_HERE), there: false };
  };
  const printed = (batch: Written) => (batch.there ? worker.printed(batch.bytes) : batches.giveBack(batch.bytes));
  let next = 0;
  let there = 0;
  const feed = () => {
    while (worker.alive && atWorker.size < AT_WORKER && next < count) {
      atWorker.set(next, worker.write(next));
      next++;
    }
  };
  try {
    for (let b = 0; b < count; b++) {
      feed();
      while (ready[b] === undefined) {
        const fromWorker = atWorker.get(b);
        if (fromWorker === undefined) {
          ready[b] = writeHere(b);
          next = Math.max(next, b + 1);
        } else if (worker.has(b) || next >= count || next - b > AHEAD) {
          const batch = await fromWorker;
          if (batch !== null) there++;
          ready[b] = batch === null ? writeHere(b) : { ...batch, there: true };
          atWorker.delete(b);
        } else {
          ready[next] = writeHere(next);
          next++;
          // (A turn, for the worker's results to come in.)
          await new Promise<void>((resolve) => setImmediate(resolve));
          feed();
        }
      }
      await print(ready[b] as Written, rows, b * BATCH_ENTRIES, out, here, printed);
      ready[b] = undefined;
    }
  } finally {
    await worker.stop();
  }
  return there;
}

/**
 * Queues a batch's lines, and in their places the entries it declined, written here; `printed`
 * is told once its buffer is no longer needed.
 */
async function print(batch: Written, rows: Int32Array, from: number, out: LineOutput, here: DumpHere, printed: (batch: Written) => void): Promise<void> {
  const { bytes, ends } = batch;
  // Runs of the buffer still being written (and this call, until it ends).
  let writing = 1;
  const done = () => {
    if (--writing === 0) printed(batch);
  };
  let queued = 0;
  let end = 0;
  const run = async () => {
    if (end === queued) return;
    writing++;
    await out.bytes(bytes.subarray(queued, end), done);
    queued = end;
  };
  for (let i = 0; i < ends.length; i++) {
    const e = ends[i];
    if (e >= 0) {
      end = e;
      continue;
    }
    await run();
    const position = rows[from + i];
    // (Declined there: not plain, or not readable there; this thread may read it.)
    const lines = e === DECLINED_THERE ? here.linesAt(position) : null;
    if (lines !== null && here.fromBytes.write(lines)) out.lineBytes(here.fromBytes.bytes, here.fromBytes.length);
    else here.writeEntry(position);
    await out.maybeFlush();
  }
  await run();
  done();
}

/** The worker and its batches: each written there, or null when it failed (this thread writes it then). */
class DumpWorker {
  private worker: Worker | null;
  private readonly waiting = new Map<number, (batch: EntryBatch | null) => void>();
  /** Its batches' buffers printed, to go back with the next job. */
  private printedBuffers: ArrayBuffer[] = [];
  private readonly arrived = new Set<number>();
  /** Rows' buffers back from the worker, for the next batches. */
  private spareRows: ArrayBuffer[] = [];

  constructor(
    private readonly engine: AuditEngine,
    private readonly rows: Int32Array,
  ) {
    try {
      this.worker = startWorkerThread(import.meta.url, 'print-worker', { hashSeed: hashSeed() });
    } catch {
      this.worker = null;
      return;
    }
    this.worker.on('message', (r: DumpResult) => {
      this.spareRows.push(r.rows);
      this.arrived.add(r.id);
      this.settle(r.id, { bytes: Buffer.from(r.bytes), length: r.length, ends: r.ends });
    });
    // Failed or gone: what it held is written here.
    const fail = () => this.fail();
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
  }

  get alive(): boolean {
    return this.worker !== null;
  }

  /** Batch `b` is back from the worker (or it failed): awaiting it costs nothing. */
  has(b: number): boolean {
    return this.arrived.has(b) || this.worker === null;
  }

  /** A batch of its, printed: its buffer goes back with the next job. */
  printed(bytes: Buffer): void {
    if (this.worker !== null) this.printedBuffers.push(bytes.buffer as ArrayBuffer);
  }

  /** Batch `b` written by the worker; null when it cannot be. */
  write(b: number): Promise<EntryBatch | null> {
    const from = b * BATCH_ENTRIES;
    const to = Math.min(this.rows.length, from + BATCH_ENTRIES);
    const buffer = this.spareRows.pop() ?? new ArrayBuffer(BATCH_ENTRIES * ROW_SIZE * 8);
    const given = this.engine.entryLineRows?.(this.rows, from, to, new Float64Array(buffer)) ?? null;
    if (this.worker === null || given === null) return Promise.resolve(null);
    const printed = this.printedBuffers;
    this.printedBuffers = [];
    const job: DumpJob = { id: b, rows: buffer, count: to - from, sources: given.sources, origin: given.origin, printed };
    const result = new Promise<EntryBatch | null>((resolve) => this.waiting.set(b, resolve));
    this.worker.postMessage(job, [buffer, ...printed]);
    return result;
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.fail();
    if (w !== null) await w.terminate();
  }

  private settle(b: number, batch: EntryBatch | null): void {
    const resolve = this.waiting.get(b);
    this.waiting.delete(b);
    resolve?.(batch);
  }

  private fail(): void {
    const w = this.worker;
    this.worker = null;
    // (Nothing more is taken from it; an error as it ends is no one's.)
    w?.removeAllListeners().on('error', () => {});
    for (const b of [...this.waiting.keys()]) this.settle(b, null);
  }
}
