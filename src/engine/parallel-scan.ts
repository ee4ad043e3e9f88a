/**
 * History indexing on both cores: the main thread reads the file in large chunks, cuts them at
 * newlines and hands them to scan workers (scan-worker.ts), each taking the next chunk no one
 * has as it finishes one; results come back as flat typed arrays and are given to `consume`
 * strictly in file order, with a yield between chunks. While the chunk to consume next is still
 * out at a worker, this thread scans the next chunk no worker has taken itself (so one worker
 * beside this thread uses two cores). Workers that cannot start (or fail) are replaced by the
 * same scanner in this thread, so the result never depends on them.
 */
import type { Worker } from 'node:worker_threads';
import { MAX_LINE_BYTES } from '../shared/format-constants.js';
import { nativeAddon } from './native-scanner.js';
import { allocateResult, ChunkScanner, type ChunkResult, OUT_MALFORMED } from './chunk-scan.js';
import { isAllNul, overCapReason } from '../shared/line-bytes.js';
import { hashSeed } from './id-table.js';
import { yieldToEventLoop } from './read-file.js';

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
 * Bytes per chunk, with workers or without (short blocks: a chunk is scanned at once). 512 KB
 * with a worker held 2–4 MB more in the chunks in flight over 1M records, for no CPU measured
 * (#17: the process's RSS budget holds the worker's own ≈ 10 MB too).
 */
const CHUNK_BYTES = 256 * 1024;
/**
 * Chunks a worker holds at once: one it scans and one queued, so it is not left idle while this
 * thread scans one of its own. More only held memory (#17: 4 peaked ~7 MB higher over 1M records, same CPU).
 */
const PER_WORKER = 2;

interface Scanned {
  result: ChunkResult;
  /** Which scanner numbered its strings. */
  scanner: number;
}

interface Pending {
  place: ChunkPlace;
  /** Set once a scanner has the chunk. */
  scanned: Promise<Scanned> | null;
  /** The chunk, until a scanner takes it. */
  job: { buf: Buffer; length: number; final: boolean } | null;
  /** Scanned: `scanned` is resolved. */
  ready: boolean;
}

/** Test seam: which chunks (0-based, in file order) this thread scans itself, whatever the workers do. */
export type LocalChunks = (chunk: number) => boolean;

/** Scanners: worker threads, or (index `local`) one in this thread. */
export class ScanPool {
  private readonly workers: Worker[] = [];
  /** Jobs sent to a worker and not answered. */
  private readonly waiting = new Map<number, { worker: number; done: (r: Scanned) => void; fail: () => void }>();
  private readonly failed = new Set<number>();
  private readonly local: ChunkScanner;
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
  private queue: Pending[] = [];
  /** Chunks out at each worker. */
  private readonly out: number[] = [];
  private closed = false;
  /** A worker failed: the pool is not used again. */
  private broken = false;

  /**
   * Starts `size` workers (0: scan in this thread only). Never throws: a worker that cannot start
   * is not used. `hashLines` false: lines are not hashed (the chain is not checked).
   */
  constructor(
    size: number,
    hashLines = true,
    private readonly localChunks: LocalChunks | null = null,
  ) {
    this.local = new ChunkScanner(hashLines);
    // #17: with a worker, glibc's mmap threshold climbs as V8's compiler threads free large
    // blocks, and what they free then stays in their arenas (~6 MB of RSS); fixed, it is given back.
    if (size > 0) nativeAddon()?.fixMallocThreshold();
    for (let i = 0; i < size; i++) {
      try {
        const w = startWorker(hashLines);
        const index = this.workers.length;
        w.on('message', (m: { id: number; result: ChunkResult; buffer: ArrayBuffer }) => {
          if (m.buffer.byteLength === this.bufferBytes) this.free.push(m.buffer);
          const job = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          this.out[index]--;
          job?.done({ result: m.result, scanner: index });
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
    consume: (result: ChunkResult, place: ChunkPlace) => void | Promise<void>,
    options: { chunkBytes?: number; stopped?: () => boolean; onRead?: (bytes: number) => void } = {},
  ): Promise<number> {
    if (this.broken) throw new ScanWorkerError();
    const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
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
    const queue: Pending[] = [];
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

    const fill = async () => {
      while (!ended && queue.length < inFlightMax && !options.stopped?.()) {
        const buf: Buffer = next ?? this.takeBuffer();
        next = null;
        const n = await source.read(buf, carry, buf.length - carry);
        options.onRead?.(n);
        const have = carry + n;
        carry = 0;
        if (n === 0) {
          ended = true;
          if (skipping) queue.push(overCapChunk(skipping.base, skipping.length + have, skipping.nulOnly && isAllNul(buf, 0, have)));
          else if (have > 0) queue.push(this.dispatch(buf, have, true, sourceOffset, turn++));
          else this.release(buf);
          break;
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
          queue.push(overCapChunk(skipping.base, skipping.length + nl, skipping.nulOnly && isAllNul(buf, 0, nl)));
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
        queue.push(this.dispatch(buf, cut, false, sourceOffset, turn++));
        sourceOffset += cut;
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
        const pending = queue.shift() as Pending;
        if (pending.job !== null) this.scanHere(pending);
        const { result, scanner } = await (pending.scanned as Promise<Scanned>);
        if (options.stopped?.()) break;
        pending.place.lineBase = lineBase;
        pending.place.scanner = scanner;
        await consume(result, pending.place);
        lineBase += result.lines;
        // Consumed: nothing holds its arrays now (the intake copies what it keeps).
        if (this.spareResults.length < inFlightMax) this.spareResults.push(result.kind.buffer as ArrayBuffer);
        await fill();
        await yieldToEventLoop();
      }
    } finally {
      if (next) this.release(next);
      // Results still in flight (stopped early) are let go; chunks no one took go back.
      this.queue = [];
      for (const q of queue) if (q.job !== null) this.release(q.job.buf);
      await Promise.allSettled(queue.map((q) => q.scanned));
    }
    return lineBase;
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
    if (buf.buffer.byteLength === this.bufferBytes) this.free.push(buf.buffer as ArrayBuffer);
  }

  private takeBuffer(): Buffer {
    const reused = this.free.pop();
    // allocUnsafeSlow: a buffer of its own (transferable), not a slice of the shared pool.
    return reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** A chunk read: to a worker with room, else left for the next one free (or this thread) to take. */
  private dispatch(buf: Buffer, length: number, final: boolean, base: number, turn: number): Pending {
    const pending: Pending = { place: { base, lineBase: 0, scanner: -1 }, scanned: null, job: { buf, length, final }, ready: false };
    if (this.threads === 0 || this.closed || this.localChunks?.(turn) === true) {
      // Each scanner numbers its strings in the order it scans: this thread too takes its chunks in file order.
      for (const q of this.queue) if (q.job !== null) this.scanHere(q);
      this.scanHere(pending);
    } else this.assign(pending);
    return pending;
  }

  /** Hands the chunks no one has taken, in file order, to workers with room (each scans its chunks in that order). */
  private assign(first?: Pending): void {
    const queue = first ? [...this.queue, first] : this.queue;
    for (const pending of queue) {
      if (pending.job === null) continue;
      let worker = -1;
      for (let w = 0; w < this.workers.length; w++) if (!this.failed.has(w) && this.out[w] < PER_WORKER && (worker === -1 || this.out[w] < this.out[worker])) worker = w;
      if (worker === -1) return;
      const { buf, length, final } = pending.job;
      pending.job = null;
      this.out[worker]++;
      const id = this.nextId++;
      const scanned = new Promise<Scanned>((resolve, reject) => {
        const done = (r: Scanned) => {
          pending.ready = true;
          resolve(r);
        };
        this.waiting.set(id, { worker, done, fail: () => reject(new ScanWorkerError()) });
        const spare = this.spareResults.pop();
        const transfer = [buf.buffer as ArrayBuffer];
        if (spare) transfer.push(spare);
        this.workers[worker].postMessage({ id, buffer: buf.buffer, length, final, spare }, transfer);
      });
      scanned.catch(() => {}); // handled where it is awaited
      pending.scanned = scanned;
    }
  }

  /** Scans a chunk no worker took, in this thread. */
  private scanHere(pending: Pending): void {
    const { buf, length, final } = pending.job as { buf: Buffer; length: number; final: boolean };
    pending.job = null;
    const result = this.local.scan(buf.subarray(0, length), final, this.spareResults.pop() ?? null);
    this.release(buf);
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
function overCapChunk(base: number, length: number, nulOnly: boolean): Pending {
  const r = emptyResult(1);
  r.count = 1;
  r.lines = 1;
  r.kind[0] = OUT_MALFORMED;
  r.line[0] = 1;
  r.offset[0] = 0;
  r.length[0] = Math.min(length, 0xffffffff);
  r.malformed.push({ index: 0, reason: overCapReason(nulOnly, length) });
  return { place: { base, lineBase: 0, scanner: -1 }, scanned: Promise.resolve({ result: r, scanner: -1 }), job: null, ready: true };
}

function emptyResult(size = 0): ChunkResult {
  return allocateResult(size);
}

/**
 * A worker's young generation, at most its first size: two semi-spaces of 1 MB, and V8 counts
 * one more for the young large objects. Left to grow, it doubled as the worker booted and
 * scanned (V8 raises the process's growth factor back to 2 as it sets up a new isolate's heap,
 * whatever the command line set: cli/young-generation.ts): 2 MB more RSS that stayed, in one
 * `stats` of 1M records in five (#17). Per isolate: this thread's young generation is not touched.
 */
export const WORKER_YOUNG_GENERATION_MB = 3;

/**
 * A worker running scan-worker: the built .js next to this file, or — when running from the
 * TypeScript sources (tests, tsx) — the .ts through tsx's loader registered in the worker.
 */
function startWorker(hashLines: boolean): Worker {
  // Loaded here, not imported: a small log never starts a worker (#17: start-up).
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const here = import.meta.url;
  // This thread's hash seed: an id a worker hashes must find the same id hashed here.
  const workerData = { hashLines, hashSeed: hashSeed() };
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
  if (here.endsWith('.ts')) {
    const script = new URL('./scan-worker.ts', here).href;
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); })`;
    return new Worker(boot, { eval: true, workerData, resourceLimits });
  }
  return new Worker(new URL('./scan-worker.js', here), { workerData, resourceLimits });
}
