/**
 * `print --json` of many entries on two cores: this thread and a worker (print-worker.ts) each
 * write batches of entries from their lines' bytes, and this thread prints the batches in order.
 * Once the index is built, writing the entries was all `print --json` did, on one core (≈ 1.8 of
 * its 3.6 s over 1M records, the second core idle since the index, #17).
 *
 * The worker is handed the next batch no one has while it holds fewer than AT_WORKER. While the
 * batch to print next is still out at it, this thread writes the next batch no one has (at most
 * AHEAD of them), as the index's scan does (engine/parallel-scan.ts); with nothing more to write
 * ahead, it writes that batch itself and drops what the worker makes of it (a worker still
 * starting, or slower than this thread, never holds the dump up). Either side declines an entry
 * it cannot prove plain (entry-json-bytes.ts), and this thread writes it in its place the way it
 * writes any: the bytes are the same whichever thread wrote them (test/cli/json-dump.test.ts
 * holds them to the one-thread dump's). A worker that cannot start or fails leaves its batches
 * to this thread.
 *
 * A line is checked against its fingerprint when its batch is written, at most FRESH_MS before
 * the batch is printed (else it is written again): a line rewritten in place later than that
 * is not seen, as on one thread a line rewritten after its entry was printed is not.
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

/** Entries a batch holds at most (≈ 450 KB of output from this project's generated logs; a message each way per batch). */
export const BATCH_ENTRIES = 1024;
/** Entries of the first batches, until the output of some says how long an entry is here. */
export const FIRST_BATCH_ENTRIES = 128;
/** A batch's output, about: entries of kilobytes each make batches of fewer (the memory the batches in flight hold). */
export const BATCH_BYTES = 512 * 1024;
/** A batch holds at least this many entries (an entry's output is at most ≈ 2 lines of MAX_LINE_BYTES). */
const MIN_BATCH_ENTRIES = 16;
/** Output printed at once from a batch, at most (a write that waits for the reader is seen after this much: as LineOutput's). */
const PIECE_BYTES = 64 * 1024;
/** Batches the worker holds at once: one it writes and one queued, so it never waits for this thread. */
const AT_WORKER = 2;
/** Batches this thread writes ahead of the one to print next while that one is at the worker. */
const AHEAD = 4;
/**
 * A batch whose lines were read longer ago than this when its turn to print comes (the reader of
 * the output stalled) is written again, here, at its turn: a line rewritten in place meanwhile
 * is then found, and said, as the one-thread dump finds it. (Read once, ahead, it went unsaid,
 * and `--strict` passed a log changed during the run: the attacker's test,
 * test/hardening/rewrite-during-print.test.ts.)
 */
export const FRESH_MS = 50;
/** Fewer entries than this are written on this thread alone: starting a worker costs ≈ 40 ms. */
export const TWO_THREADS_MIN_ENTRIES = 20_000;

/** An entry this thread did not write from its lines (it writes the entry itself). */
const DECLINED_HERE = -2;

/**
 * Whether `print --json` of `entries` entries takes a second thread: SUDO_PROXY_AUDIT_PRINT_WORKER
 * 1 (always, where possible, once the worker has started: tests) or 0 (never); else when there
 * are enough of them and a core was left idle by other processes since `since`. Only an engine
 * that hands out its entries' lines (not following, not a fleet), and once the index loaded the
 * native scanner (which the worker's entries are written with).
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

/** A batch: rows[from, to), who wrote it (its buffer goes back there once printed), and when its lines were read (at the latest). */
interface Written extends EntryBatch {
  from: number;
  there: boolean;
  readAt: number;
}

/**
 * Prints the entries at `rows` (in that order) as `print --json` lines, on this thread and
 * `worker` (started now unless given, and stopped at the end); returns how many batches the
 * worker wrote.
 */
export async function dumpOnTwoThreads(engine: AuditEngine, rows: Int32Array, out: LineOutput, here: DumpHere, worker = new DumpWorker()): Promise<number> {
  // Batches by number, in the order they were handed out: rows[starts[b], starts[b + 1]).
  const starts = [0];
  const ready = new Map<number, Written>();
  const atWorker = new Map<number, AtWorker>();
  // Forced (tests), the worker writes the batches it is handed, of even a small log, however
  // slowly: this thread waits for it to start, and for each batch (on a busy machine it dropped
  // them all, and a test of the worker's side tested this thread's).
  const forced = process.env.SUDO_PROXY_AUDIT_PRINT_WORKER === '1';
  if (forced) await worker.ready;
  const batches = new EntryBatches();
  let perBatch = FIRST_BATCH_ENTRIES;
  /** The next batch no one has. */
  let next = 0;
  const handOut = (): { from: number; to: number } => {
    const from = starts[next];
    const to = Math.min(rows.length, from + perBatch);
    starts.push(to);
    next++;
    return { from, to };
  };
  const left = () => starts[next] < rows.length;
  const writeHere = (from: number, to: number): Written => {
    const readAt = now();
    const batch = batches.write(to - from, (i) => here.linesAt(rows[from + i]), DECLINED_HERE, BATCH_BYTES);
    return { ...batch, from, there: false, readAt };
  };
  const printed = (batch: Written) => (batch.there ? worker.printed(batch.bytes) : batches.giveBack(batch.bytes));
  let there = 0;
  const feed = () => {
    while (worker.alive && atWorker.size < AT_WORKER && left()) {
      const b = next;
      const { from, to } = handOut();
      atWorker.set(b, worker.write(engine, rows, from, to));
    }
  };
  try {
    for (let b = 0; b < next || left(); b++) {
      feed();
      while (!ready.has(b)) {
        const fromWorker = atWorker.get(b);
        if (fromWorker === undefined) {
          const { from, to } = b === next ? handOut() : { from: starts[b], to: starts[b + 1] };
          ready.set(b, writeHere(from, to));
        } else if (fromWorker.back) {
          const batch = await fromWorker.batch;
          atWorker.delete(b);
          if (batch !== null) there++;
          ready.set(b, batch ?? writeHere(starts[b], starts[b + 1]));
        } else if (left() && next - b <= AHEAD) {
          const a = next;
          const { from, to } = handOut();
          ready.set(a, writeHere(from, to));
          // (A turn, for the worker's results to come in.)
          await new Promise<void>((resolve) => setImmediate(resolve));
          feed();
        } else if (forced) {
          await fromWorker.batch;
        } else {
          // Nothing more to write ahead, and the worker not done with it (still starting, or
          // slower than this thread): written here, and what the worker makes of it dropped.
          // (Waiting, the batches written ahead grew old: all of them were written again.)
          atWorker.delete(b);
          void fromWorker.batch.then((late) => late !== null && printed(late));
          ready.set(b, writeHere(starts[b], starts[b + 1]));
        }
      }
      let batch = ready.get(b) as Written;
      ready.delete(b);
      const to = starts[b + 1];
      for (;;) {
        if (now() - batch.readAt > FRESH_MS) {
          printed(batch);
          batch = writeHere(batch.from, to);
        }
        // As long as BATCH_BYTES of output, about, from what this one took an entry.
        perBatch = Math.max(MIN_BATCH_ENTRIES, Math.min(BATCH_ENTRIES, Math.floor((BATCH_BYTES * batch.ends.length) / Math.max(1, batch.length))));
        // (Short of `to`: cut at BATCH_BYTES, or its lines grew old while it was printed.)
        const printedTo = await print(batch, rows, out, here, printed);
        if (printedTo >= to) break;
        batch = writeHere(printedTo, to);
      }
    }
  } finally {
    await worker.stop();
  }
  return there;
}

/**
 * Queues a batch's lines, and in their places the entries it declined, written here, a piece of
 * about PIECE_BYTES at a time; `printed` is told once its buffer is no longer needed. Returns the
 * row it printed up to: short of the batch's end where a write waited for the reader long enough
 * for the rest to be old (FRESH_MS: the caller writes the rest again).
 */
async function print(batch: Written, rows: Int32Array, out: LineOutput, here: DumpHere, printed: (batch: Written) => void): Promise<number> {
  const { bytes, ends, from } = batch;
  const old = () => now() - batch.readAt > FRESH_MS;
  // Writes of the buffer not done yet (and this call, until it ends).
  let writing = 1;
  const done = () => {
    if (--writing === 0) printed(batch);
  };
  // The run to write next: bytes [queued, end), entries runFrom … (each write may wait for the reader).
  let queued = 0;
  let end = 0;
  let runFrom = 0;
  /** Writes the run after what is queued before it; false when writing that made its lines old first (nothing of it written). */
  const run = async (): Promise<boolean> => {
    await out.flush();
    if (old()) return false;
    writing++;
    await out.bytes(bytes.subarray(queued, end), done);
    queued = end;
    return true;
  };
  // Where it stopped because its lines grew old (-1: it did not).
  let stoppedAt = -1;
  for (let i = 0; i < ends.length; i++) {
    const e = ends[i];
    if (e >= 0) {
      end = e;
      if (end - queued < PIECE_BYTES) continue;
      if (!(await run())) {
        stoppedAt = runFrom;
        break;
      }
    } else {
      if (end > queued && !(await run())) {
        stoppedAt = runFrom;
        break;
      }
      const position = rows[from + i];
      // (Declined there: not plain, or not readable there; this thread may read it.)
      const lines = e === DECLINED_THERE ? here.linesAt(position) : null;
      if (lines !== null && here.fromBytes.write(lines)) out.lineBytes(here.fromBytes.bytes, here.fromBytes.length);
      else here.writeEntry(position);
      await out.maybeFlush();
    }
    runFrom = i + 1;
    if (runFrom < ends.length && old()) {
      stoppedAt = runFrom;
      break;
    }
  }
  if (stoppedAt < 0 && end > queued && !(await run())) stoppedAt = runFrom;
  done();
  return from + (stoppedAt < 0 ? ends.length : stoppedAt);
}

/** Now, on the clock every thread reads alike (a worker's `performance.now()` counts from its own start). */
const now = () => performance.timeOrigin + performance.now();

/** A batch handed to the worker: null when it could not write it (this thread writes it then). */
export interface AtWorker {
  batch: Promise<Written | null>;
  /** Back from the worker (or it failed): awaiting `batch` costs nothing. */
  back: boolean;
}

/** The worker and its batches: each written there, or null when it failed (this thread writes it then). */
export class DumpWorker {
  private worker: Worker | null;
  /** True once the worker has started and can write (false: it failed first). */
  readonly ready: Promise<boolean>;
  private isReady: (ready: boolean) => void = () => {};
  private readonly waiting = new Map<number, (batch: EntryBatch | null, readAt: number) => void>();
  /** Jobs sent so far (each one's id). */
  private jobs = 0;
  /** Its batches' buffers printed, to go back with the next job. */
  private printedBuffers: ArrayBuffer[] = [];
  /** Rows' buffers back from the worker, for the next batches. */
  private spareRows: ArrayBuffer[] = [];

  constructor() {
    this.ready = new Promise((resolve) => (this.isReady = resolve));
    try {
      this.worker = startWorkerThread(import.meta.url, 'print-worker', { hashSeed: hashSeed() });
    } catch {
      this.worker = null;
      this.isReady(false);
      return;
    }
    this.worker.on('message', (r: DumpResult | 'ready') => {
      if (r === 'ready') return this.isReady(true);
      this.spareRows.push(r.rows);
      this.settle(r.id, { bytes: Buffer.from(r.bytes), length: r.length, ends: r.ends }, r.readAt);
    });
    // Failed or gone: what it held is written here.
    const fail = () => this.fail();
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
  }

  get alive(): boolean {
    return this.worker !== null;
  }

  /** A batch of its, printed: its buffer goes back with the next job. */
  printed(bytes: Buffer): void {
    if (this.worker !== null) this.printedBuffers.push(bytes.buffer as ArrayBuffer);
  }

  /** The entries at `rows[from, to)` written by the worker; null when they cannot be. */
  write(engine: AuditEngine, rows: Int32Array, from: number, to: number): AtWorker {
    if (this.worker === null) return { batch: Promise.resolve(null), back: true };
    const buffer = this.spareRows.pop() ?? new ArrayBuffer(BATCH_ENTRIES * ROW_SIZE * 8);
    const given = engine.entryLineRows?.(rows, from, to, new Float64Array(buffer)) ?? null;
    if (given === null) {
      this.spareRows.push(buffer);
      return { batch: Promise.resolve(null), back: true };
    }
    const printed = this.printedBuffers;
    this.printedBuffers = [];
    const id = this.jobs++;
    const job: DumpJob = { id, rows: buffer, count: to - from, sources: given.sources, origin: given.origin, printed, maxBytes: BATCH_BYTES };
    const at: AtWorker = { batch: Promise.resolve(null), back: false };
    at.batch = new Promise<Written | null>((resolve) =>
      this.waiting.set(id, (batch, readAt) => {
        at.back = true;
        resolve(batch && { ...batch, from, there: true, readAt });
      }),
    );
    this.worker.postMessage(job, [buffer, ...printed]);
    return at;
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.fail();
    if (w !== null) await w.terminate();
  }

  private settle(b: number, batch: EntryBatch | null, readAt = 0): void {
    const resolve = this.waiting.get(b);
    this.waiting.delete(b);
    resolve?.(batch, readAt);
  }

  private fail(): void {
    const w = this.worker;
    this.worker = null;
    this.isReady(false);
    // (Nothing more is taken from it; an error as it ends is no one's.)
    w?.removeAllListeners().on('error', () => {});
    for (const b of [...this.waiting.keys()]) this.settle(b, null);
  }
}
