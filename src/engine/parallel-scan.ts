/**
 * History indexing on both cores: the main thread reads the file in large chunks, cuts them at
 * newlines and hands them to scan workers (scan-worker.ts), each taking the next chunk no one
 * has as it finishes one; results come back as flat typed arrays and are given to `consume`
 * strictly in file order, with a yield between chunks. While the chunk to consume next is still
 * out at a worker, this thread scans the next chunk no worker has taken itself (so one worker
 * beside this thread uses two cores). Workers that cannot start (or fail) are replaced by the
 * same scanner in this thread, so the result never depends on them.
 *
 * What a scanner makes of a chunk (`ChunkWork`) is one of two things. With the native scanner
 * (native/), its lines' slots (`linesWork`): the worker runs the native scan and hashes, and
 * this thread takes the lines as it does a read of its own (record-intake.ts `scannedChunk`),
 * so the worker's share is the scan and this thread's is the join, with nothing done twice.
 * Without it, the chunk's records (`recordsWork`, chunk-scan.ts): the worker does the join's
 * share it can too, and this thread maps its strings and links its chain.
 */
import type { Worker } from 'node:worker_threads';
import { MAX_LINE_BYTES } from '../shared/format-constants.js';
import { nativeAddon } from './native-scanner.js';
import { allocateResult, ChunkScanner, type ChunkResult, OUT_MALFORMED, transferables } from './chunk-scan.js';
import type { ChunkWork } from './chunk-work.js';
import { isAllNul, overCapReason } from '../shared/line-bytes.js';
import { hashSeed } from './id-table.js';
import { yieldToEventLoop } from './read-file.js';
import { startWorkerThread } from './worker-thread.js';

/** Bytes of a source: `read` fills `into` from `at`, at most `max` bytes; 0 at the end. */
export interface ChunkSource {
  read(into: Buffer, at: number, max: number): Promise<number> | number;
}

/** Where a chunk's lines are in its source. */
export interface ChunkPlace {
  /** Source offset of the chunk's first byte. */
  base: number;
  /** Lines in the source before the chunk's first line. */
  lineBase: number;
  /** Which scanner produced it (its string numbers are its own). */
  scanner: number;
}

/**
 * Bytes per chunk of records, with workers or without (short blocks: a chunk is scanned at
 * once). 512 KB with a worker held 2–4 MB more in the chunks in flight over 1M records, for no
 * CPU measured (#17: the process's RSS budget holds the worker's own ≈ 10 MB too).
 */
const RECORDS_CHUNK_BYTES = 256 * 1024;
/**
 * Lines a chunk holds at most. A line costs its chunk's result ~80 bytes of records (and a
 * malformed one an object), or 216 bytes of slots, whatever its length: 3 MB of blank lines
 * in a 37 MB log made `stats` with a worker peak at 560 MB without the native scanner (#17, a
 * helper's attack). A chunk of short lines is cut into chunks of this many.
 */
export const CHUNK_LINES_MAX = 4096;

/** The end of the CHUNK_LINES_MAX-th line ended by a newline in `buf[from, length)`, or `length` when it has fewer. */
function linesEnd(buf: Buffer, from: number, length: number): number {
  // (Fewer bytes than the cap: fewer lines too.)
  if (length - from <= CHUNK_LINES_MAX) return length;
  let at = from;
  for (let n = 0; n < CHUNK_LINES_MAX; n++) {
    // (`buf` may hold older bytes past `length`: a newline there is not one of these lines.)
    const nl = buf.indexOf(0x0a, at);
    if (nl === -1 || nl >= length) return length;
    at = nl + 1;
  }
  return at;
}

/**
 * Chunks a worker holds at once: one it scans and one queued, so it is not left idle while this
 * thread scans one of its own. More only held memory (#17: 4 peaked ~7 MB higher over 1M records, same CPU).
 */
const PER_WORKER = 2;

/** Chunks → their records (chunk-scan.ts): the pool's work without the native scanner. */
export function recordsWork(hashLines: boolean): ChunkWork<ChunkResult> {
  const scanner = new ChunkScanner(hashLines);
  return {
    lines: false,
    hashLines,
    chunkBytes: RECORDS_CHUNK_BYTES,
    scan: (buf, final, spare) => scanner.scan(buf, final, spare),
    posted: (r) => r,
    transferables,
    lineCount: (r) => r.lines,
    spareOf: (r) => r.kind.buffer as ArrayBuffer,
    arrived: (r) => r,
    heldBytes: () => null,
    overCap: overCapChunk,
  };
}

interface Scanned<R> {
  result: R;
  /** Which scanner numbered its strings. */
  scanner: number;
}

interface Pending<R> {
  place: ChunkPlace;
  /** Set once a scanner has the chunk. */
  scanned: Promise<Scanned<R>> | null;
  /** The chunk, until a scanner takes it. */
  job: { buf: Buffer; length: number; final: boolean } | null;
  /** Scanned: `scanned` is resolved. */
  ready: boolean;
}

/** Test seam: which chunks (0-based, in file order) this thread scans itself, whatever the workers do. */
export type LocalChunks = (chunk: number) => boolean;

/** Scanners: worker threads, or (index `local`) one in this thread. */
export class ScanPool<R = ChunkResult> {
  private readonly workers: Worker[] = [];
  /** Jobs sent to a worker and not answered. */
  private readonly waiting = new Map<number, { worker: number; length: number; done: (r: Scanned<R>) => void; fail: () => void }>();
  private readonly failed = new Set<number>();
  /** Workers that said they are up (scan-worker.ts posts 'ready' once its scanner is loaded). */
  private readonly up = new Set<number>();
  private readonly work: ChunkWork<R>;
  /** Read buffers back from the workers, for the next chunks (fresh memory costs page faults). */
  private readonly free: ArrayBuffer[] = [];
  /**
   * Consumed results' buffers, handed to the scanner of the next chunk (#17: a worker's fresh
   * result per chunk waited for this thread's GC, ~17 MB of RSS over 1M records).
   */
  private readonly spareResults: ArrayBuffer[] = [];
  private bufferBytes = 0;
  private nextId = 0;
  /** The chunks of the run going on, in file order (those not consumed yet). */
  private queue: Pending<R>[] = [];
  /** Chunks out at each worker. */
  private readonly out: number[] = [];
  private closed = false;
  /** A worker failed: the pool is not used again. */
  private broken = false;

  /**
   * Starts `size` workers (0: scan in this thread only). Never throws: a worker that cannot start
   * is not used. `work`: what a chunk is scanned into, which says whether lines are hashed; by
   * default its records, hashed unless `hashLines` is false (the chain is not checked).
   */
  constructor(
    size: number,
    hashLines = true,
    private readonly localChunks: LocalChunks | null = null,
    work?: ChunkWork<R>,
    /**
     * Chunks wait for a worker still starting rather than being scanned here meanwhile (a test
     * seam: a small history reaches the workers). By default a worker takes chunks once it is
     * up: it takes ~70 ms to start, which this thread spent idle, its first chunks out there (#17).
     */
    private readonly queueForStartingWorkers = false,
  ) {
    this.work = work ?? (recordsWork(hashLines) as unknown as ChunkWork<R>);
    // #17: with a worker, glibc's mmap threshold climbs as V8's compiler threads free large
    // blocks, and what they free then stays in their arenas (~6 MB of RSS); fixed, it is given back.
    if (size > 0) nativeAddon()?.fixMallocThreshold();
    for (let i = 0; i < size; i++) {
      try {
        const w = startWorker(this.work);
        const index = this.workers.length;
        w.on('message', (m: { id: number; result: R; buffer: ArrayBuffer } | 'ready') => {
          if (m === 'ready') {
            this.up.add(index);
            this.assign();
            return;
          }
          const job = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          this.out[index]--;
          if (job) {
            const result = this.work.arrived(m.result, Buffer.from(m.buffer, 0, job.length));
            if (this.work.heldBytes(result) === null) this.releaseBuffer(m.buffer);
            job.done({ result, scanner: index });
          } else this.releaseBuffer(m.buffer);
          this.assign();
        });
        w.on('error', () => this.fail(index));
        w.on('exit', () => this.fail(index));
        w.on('messageerror', () => this.fail(index));
        // Not unref'd: while a chunk is out, the worker is what keeps the process alive.
        this.workers.push(w);
        this.out.push(0);
      } catch {
        break;
      }
    }
  }

  /** Number of the in-thread scanner (its results are numbered apart from the workers'). */
  get localIndex(): number {
    return this.workers.length;
  }

  get threads(): number {
    return this.workers.length - this.failed.size;
  }

  /**
   * Reads `source` to its end in chunks cut at newlines and gives each chunk's records to
   * `consume` in order (it must not keep a result's arrays past its return: their buffer is
   * reused for a later chunk). Returns the number of lines read. Rejects with ScanWorkerError if a
   * worker fails (the caller starts over without workers).
   */
  async run(
    source: ChunkSource,
    consume: (result: R, place: ChunkPlace) => void | Promise<void>,
    options: { chunkBytes?: number; stopped?: () => boolean; onRead?: (bytes: number) => void } = {},
  ): Promise<number> {
    if (this.broken) throw new ScanWorkerError();
    const chunkBytes = options.chunkBytes ?? this.work.chunkBytes;
    // Room for a chunk and the usual carried-over start of a line; a longer one gets a buffer of its own.
    const bufferBytes = chunkBytes + 64 * 1024;
    if (this.bufferBytes !== bufferBytes) {
      this.free.length = 0;
      this.bufferBytes = bufferBytes;
    }
    // Chunks read ahead: what the workers hold, one for this thread to take meanwhile, and one
    // left for the next worker that frees up (it never waits for this thread to read). More
    // only held memory (#17: four beside the workers' peaked 1–2 MB higher, same CPU).
    const inFlightMax = Math.max(2, this.threads * PER_WORKER + 2);
    const queue: Pending<R>[] = [];
    this.queue = queue;
    let carry = 0; // bytes at the start of `next` carried over from the previous buffer
    let next: Buffer | null = null;
    let sourceOffset = 0; // offset of next[0]
    let ended = false;
    let lineBase = 0;
    let turn = 0;
    /** A line too long to keep: its bytes are skipped; it is reported in order as one malformed line. */
    let skipping: { base: number; length: number; nulOnly: boolean } | null = null;
    /** A buffer that holds `keep` bytes and a chunk more. */
    const bufferFor = (keep: number) => (keep + chunkBytes <= bufferBytes ? this.takeBuffer() : Buffer.allocUnsafeSlow(keep + chunkBytes));

    /**
     * A read's whole lines, `buf[from, length)`, not all handed to the scanners yet: more than a
     * chunk holds (CHUNK_LINES_MAX), they go a chunk at a time, as the chunks in flight allow.
     */
    let held: { buf: Buffer; from: number; length: number; final: boolean } | null = null;
    /** The next chunk of `held`: its next CHUNK_LINES_MAX lines copied into a buffer of their own, or the rest from its buffer. */
    const dispatchHeld = (h: { buf: Buffer; from: number; length: number; final: boolean }) => {
      const end = linesEnd(h.buf, h.from, h.length);
      if (end < h.length) {
        const piece = Buffer.allocUnsafeSlow(end - h.from);
        h.buf.copy(piece, 0, h.from, end);
        // (Its length read before: handed to a worker, its memory is transferred, and it is empty here.)
        queue.push(this.dispatch(piece, end - h.from, false, sourceOffset, turn++));
        sourceOffset += end - h.from;
        h.from = end;
        return;
      }
      if (h.from > 0) h.buf.copyWithin(0, h.from, h.length);
      queue.push(this.dispatch(h.buf, h.length - h.from, h.final, sourceOffset, turn++));
      sourceOffset += h.length - h.from;
      held = null;
    };

    const fill = async () => {
      while ((!ended || held !== null) && queue.length < inFlightMax && !options.stopped?.()) {
        if (held !== null) {
          dispatchHeld(held);
          await yieldToEventLoop();
          continue;
        }
        const buf: Buffer = next ?? this.takeBuffer();
        next = null;
        const n = await source.read(buf, carry, buf.length - carry);
        options.onRead?.(n);
        const have = carry + n;
        carry = 0;
        if (n === 0) {
          ended = true;
          if (skipping) queue.push(this.overCap(skipping.base, skipping.length + have, skipping.nulOnly && isAllNul(buf, 0, have)));
          else if (have > 0) dispatchHeld((held = { buf, from: 0, length: have, final: true }));
          else this.release(buf);
          continue;
        }
        if (skipping) {
          const nl = buf.subarray(0, have).indexOf(0x0a);
          if (nl === -1) {
            skipping.length += have;
            skipping.nulOnly &&= isAllNul(buf, 0, have);
            sourceOffset += have;
            next = buf;
            continue;
          }
          queue.push(this.overCap(skipping.base, skipping.length + nl, skipping.nulOnly && isAllNul(buf, 0, nl)));
          skipping = null;
          sourceOffset += nl + 1;
          buf.copy(buf, 0, nl + 1, have);
          carry = have - (nl + 1);
          next = buf;
          continue;
        }
        const cut = buf.subarray(0, have).lastIndexOf(0x0a) + 1;
        if (cut === 0) {
          if (have > MAX_LINE_BYTES) {
            // Over the cap and still no newline: skip the line to its end, keeping none of it.
            skipping = { base: sourceOffset, length: have, nulOnly: isAllNul(buf, 0, have) };
            sourceOffset += have;
            next = buf;
          } else if (have === buf.length) {
            // A long line, not complete yet: carry it on in a buffer twice as big.
            next = Buffer.allocUnsafeSlow(Math.max(2 * have, have + chunkBytes));
            buf.copy(next, 0, 0, have);
            this.release(buf);
            carry = have;
          } else {
            next = buf;
            carry = have;
          }
          continue;
        }
        // What follows the last newline starts the next buffer.
        const following = bufferFor(have - cut);
        buf.copy(following, 0, cut, have);
        carry = have - cut;
        next = following;
        dispatchHeld((held = { buf, from: 0, length: cut, final: false }));
        // Spread the work (and a first touch of fresh buffers) over turns of the event loop.
        await yieldToEventLoop();
      }
    };

    try {
      await fill();
      while (queue.length > 0) {
        // The next chunk is still out at a worker: scan one no worker has taken, here, meanwhile
        // (the lowest, and only when another is left for the workers).
        if (!queue[0].ready && queue[0].job === null) {
          const spare = queue.findIndex((q) => q.job !== null);
          if (spare !== -1 && queue.findIndex((q, at) => at > spare && q.job !== null) !== -1) {
            this.scanHere(queue[spare]);
            await fill();
            await yieldToEventLoop();
            continue;
          }
        }
        const pending = queue.shift() as Pending<R>;
        if (pending.job !== null) this.scanHere(pending);
        const { result, scanner } = await (pending.scanned as Promise<Scanned<R>>);
        if (options.stopped?.()) {
          this.consumed(result, inFlightMax);
          break;
        }
        pending.place.lineBase = lineBase;
        pending.place.scanner = scanner;
        try {
          await consume(result, pending.place);
        } finally {
          this.consumed(result, inFlightMax);
        }
        lineBase += this.work.lineCount(result);
        await fill();
        await yieldToEventLoop();
      }
    } finally {
      if (next) this.release(next);
      if (held !== null) this.release((held as { buf: Buffer }).buf);
      // Results still in flight (stopped early) are let go; chunks no one took go back.
      this.queue = [];
      for (const q of queue) if (q.job !== null) this.release(q.job.buf);
      // (A result scanned but not consumed gives its buffers back too.)
      await Promise.allSettled(queue.map((q) => q.scanned?.then((s) => this.consumed(s.result, inFlightMax))));
    }
    return lineBase;
  }

  /** Nothing holds a consumed result's arrays now (the intake copies what it keeps), nor its chunk's bytes. */
  private consumed(result: R, keep: number): void {
    const spare = this.work.spareOf(result);
    if (spare !== null && this.spareResults.length < keep) this.spareResults.push(spare);
    const bytes = this.work.heldBytes(result);
    if (bytes !== null) this.release(bytes);
  }

  /** Stops the workers; resolves once their threads are gone (and their memory with them). */
  async close(): Promise<void> {
    this.closed = true;
    const exits = this.workers.map((w) => w.terminate());
    for (const job of this.waiting.values()) job.fail();
    this.waiting.clear();
    await Promise.allSettled(exits);
  }

  /** Keeps a buffer for reuse if it has the usual size. */
  private release(buf: Buffer): void {
    this.releaseBuffer(buf.buffer as ArrayBuffer);
  }

  private releaseBuffer(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.bufferBytes && !this.free.includes(buffer)) this.free.push(buffer);
  }

  private takeBuffer(): Buffer {
    const reused = this.free.pop();
    // allocUnsafeSlow: a buffer of its own (transferable), not a slice of the shared pool.
    return reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** A chunk read: to a worker with room, else left for the next one free (or this thread) to take. */
  private dispatch(buf: Buffer, length: number, final: boolean, base: number, turn: number): Pending<R> {
    const pending: Pending<R> = { place: { base, lineBase: 0, scanner: -1 }, scanned: null, job: { buf, length, final }, ready: false };
    if (this.threads === 0 || this.closed || this.localChunks?.(turn) === true) {
      // Each scanner numbers its strings in the order it scans: this thread too takes its chunks in file order.
      for (const q of this.queue) if (q.job !== null) this.scanHere(q);
      this.scanHere(pending);
    } else this.assign(pending);
    return pending;
  }

  /** Hands the chunks no one has taken, in file order, to workers with room (each scans its chunks in that order). */
  private assign(first?: Pending<R>): void {
    const queue = first ? [...this.queue, first] : this.queue;
    for (const pending of queue) {
      if (pending.job === null) continue;
      let worker = -1;
      for (let w = 0; w < this.workers.length; w++) {
        const takes = !this.failed.has(w) && (this.up.has(w) || this.queueForStartingWorkers) && this.out[w] < PER_WORKER;
        if (takes && (worker === -1 || this.out[w] < this.out[worker])) worker = w;
      }
      if (worker === -1) return;
      const { buf, length, final } = pending.job;
      pending.job = null;
      this.out[worker]++;
      const id = this.nextId++;
      const scanned = new Promise<Scanned<R>>((resolve, reject) => {
        const done = (r: Scanned<R>) => {
          pending.ready = true;
          resolve(r);
        };
        this.waiting.set(id, { worker, length, done, fail: () => reject(new ScanWorkerError()) });
        const spare = this.spareResults.pop();
        const transfer = [buf.buffer as ArrayBuffer];
        if (spare) transfer.push(spare);
        this.workers[worker].postMessage({ id, buffer: buf.buffer, length, final, spare }, transfer);
      });
      scanned.catch(() => {}); // handled where it is awaited
      pending.scanned = scanned;
    }
  }

  /** A line over the cap (its bytes skipped), in its place among the chunks. */
  private overCap(base: number, length: number, nulOnly: boolean): Pending<R> {
    const result = this.work.overCap(length, nulOnly);
    return { place: { base, lineBase: 0, scanner: -1 }, scanned: Promise.resolve({ result, scanner: -1 }), job: null, ready: true };
  }

  /** Scans a chunk no worker took, in this thread. */
  private scanHere(pending: Pending<R>): void {
    const { buf, length, final } = pending.job as { buf: Buffer; length: number; final: boolean };
    pending.job = null;
    const result = this.work.scan(buf.subarray(0, length), final, this.spareResults.pop() ?? null);
    if (this.work.heldBytes(result) === null) this.release(buf);
    pending.scanned = Promise.resolve({ result, scanner: this.localIndex });
    pending.ready = true;
  }

  private fail(index: number): void {
    if (this.failed.has(index) || this.closed) return;
    this.failed.add(index);
    this.broken = true;
    for (const [id, job] of this.waiting) {
      this.waiting.delete(id);
      job.fail();
    }
  }
}

/** A scan worker died: what it had is lost; the caller indexes again without workers. */
export class ScanWorkerError extends Error {
  constructor() {
    super('a scan worker failed');
    this.name = 'ScanWorkerError';
  }
}

/** A line over the cap, as one malformed line: NUL padding when it held nothing else. */
function overCapChunk(length: number, nulOnly: boolean): ChunkResult {
  const r = emptyResult(1);
  r.count = 1;
  r.lines = 1;
  r.kind[0] = OUT_MALFORMED;
  r.line[0] = 1;
  r.offset[0] = 0;
  r.length[0] = Math.min(length, 0xffffffff);
  r.malformed.push({ index: 0, reason: overCapReason(nulOnly, length) });
  return r;
}

function emptyResult(size = 0): ChunkResult {
  return allocateResult(size);
}

/** A worker running scan-worker, given this thread's hash seed: an id a worker hashes must find the same id hashed here. */
function startWorker(work: ChunkWork<unknown>): Worker {
  return startWorkerThread(import.meta.url, 'scan-worker', { hashLines: work.hashLines, lines: work.lines, hashSeed: hashSeed() });
}
