/**
 * History indexing on both cores: the main thread reads the file in large chunks, cuts them at
 * newlines and hands them to scan workers (scan-worker.ts) round-robin; results come back as
 * flat typed arrays and are given to `consume` strictly in file order, with a yield between
 * chunks. Workers that cannot start (or fail) are replaced by the same scanner in this thread,
 * so the result never depends on them.
 */
import { Worker } from 'node:worker_threads';
import { MAX_LINE_BYTES } from '../../shared/schema.js';
import { ChunkScanner, type ChunkResult, OUT_MALFORMED } from './chunk-scan.js';
import { REASON_OVER_CAP } from '../../shared/parse-line.js';
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

const DEFAULT_CHUNK = 4 * 1024 * 1024;

interface Pending {
  place: ChunkPlace;
  result: Promise<ChunkResult>;
}

/** Scanners: worker threads, or (index `local`) one in this thread. */
export class ScanPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, (r: ChunkResult) => void>();
  private readonly failed = new Set<number>();
  private readonly local = new ChunkScanner();
  private nextId = 0;
  private closed = false;

  /** Starts `size` workers (0: scan in this thread only). Never throws: a worker that cannot start is not used. */
  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      try {
        const w = startWorker();
        const index = this.workers.length;
        w.on('message', (m: { id: number; result: ChunkResult }) => {
          const done = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          done?.(m.result);
        });
        w.on('error', () => this.fail(index));
        w.on('exit', () => this.fail(index));
        w.unref();
        this.workers.push(w);
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
   * `consume` in order. Returns the number of lines read.
   */
  async run(
    source: ChunkSource,
    consume: (result: ChunkResult, place: ChunkPlace) => void,
    options: { chunkBytes?: number; stopped?: () => boolean; onRead?: (bytes: number) => void } = {},
  ): Promise<number> {
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK;
    const inFlightMax = Math.max(2, this.threads * 2);
    const queue: Pending[] = [];
    let carry: Buffer = Buffer.alloc(0);
    let sourceOffset = 0; // offset of carry[0]
    let ended = false;
    let lineBase = 0;
    let turn = 0;
    /** A line too long to keep: its bytes are skipped; it is reported in order as one malformed line. */
    let skipping: { base: number; length: number } | null = null;

    const dispatch = (buf: Buffer, length: number, final: boolean, base: number) => {
      const scanner = this.pick(turn++);
      queue.push({ place: { base, lineBase: 0, scanner }, result: this.scanOn(scanner, buf, length, final) });
    };

    const fill = async () => {
      while (!ended && queue.length < inFlightMax && !options.stopped?.()) {
        const buf = Buffer.allocUnsafeSlow(carry.length + chunkBytes);
        carry.copy(buf, 0);
        const n = await source.read(buf, carry.length, chunkBytes);
        options.onRead?.(n);
        const have = carry.length + n;
        if (n === 0) {
          ended = true;
          if (skipping) queue.push(overCapChunk(skipping.base, skipping.length + have));
          else if (have > 0) dispatch(buf, have, true, sourceOffset);
          carry = Buffer.alloc(0);
          break;
        }
        const cut = buf.subarray(0, have).lastIndexOf(0x0a) + 1;
        if (skipping) {
          if (cut === 0) {
            skipping.length += have;
            carry = Buffer.alloc(0);
            sourceOffset += have;
            continue;
          }
          // The skipped line ends at the first newline of this buffer.
          const nl = buf.indexOf(0x0a);
          queue.push(overCapChunk(skipping.base, skipping.length + nl));
          skipping = null;
          const rest = Buffer.from(buf.subarray(nl + 1, have));
          sourceOffset += nl + 1;
          carry = rest;
          continue;
        }
        if (cut === 0) {
          if (have > MAX_LINE_BYTES + chunkBytes) {
            skipping = { base: sourceOffset, length: have };
            sourceOffset += have;
            carry = Buffer.alloc(0);
          } else carry = Buffer.from(buf.subarray(0, have));
          continue;
        }
        dispatch(buf, cut, false, sourceOffset);
        carry = Buffer.from(buf.subarray(cut, have));
        sourceOffset += cut;
      }
    };

    await fill();
    while (queue.length > 0) {
      const next = queue.shift() as Pending;
      const result = await next.result;
      if (options.stopped?.()) break;
      next.place.lineBase = lineBase;
      consume(result, next.place);
      lineBase += result.lines;
      await fill();
      await yieldToEventLoop();
    }
    return lineBase;
  }

  close(): void {
    this.closed = true;
    for (const w of this.workers) void w.terminate();
    for (const done of this.waiting.values()) done(emptyResult());
    this.waiting.clear();
  }

  private pick(turn: number): number {
    const alive = this.workers.map((_, i) => i).filter((i) => !this.failed.has(i));
    return alive.length === 0 ? this.localIndex : alive[turn % alive.length];
  }

  private scanOn(scanner: number, buf: Buffer, length: number, final: boolean): Promise<ChunkResult> {
    if (scanner === this.localIndex || this.closed) return Promise.resolve(this.local.scan(buf.subarray(0, length), final));
    const id = this.nextId++;
    // If the worker dies, the chunk is scanned here instead (a copy: the original was transferred).
    const copy = Buffer.from(buf.subarray(0, length));
    return new Promise<ChunkResult>((resolve) => {
      this.waiting.set(id, resolve);
      this.retry.set(id, () => resolve(this.local.scan(copy, final)));
      this.workers[scanner].postMessage({ id, buffer: buf.buffer, length, final }, [buf.buffer as ArrayBuffer]);
    }).finally(() => this.retry.delete(id));
  }

  private readonly retry = new Map<number, () => void>();

  private fail(index: number): void {
    if (this.failed.has(index)) return;
    this.failed.add(index);
    // Whatever that worker had is redone here. (Ids are global; those it owned never answer.)
    for (const [id, redo] of this.retry) {
      if (this.waiting.has(id)) {
        this.waiting.delete(id);
        redo();
      }
    }
  }
}

function overCapChunk(base: number, length: number): Pending {
  const r = emptyResult(1);
  r.count = 1;
  r.lines = 1;
  r.kind[0] = OUT_MALFORMED;
  r.line[0] = 1;
  r.offset[0] = 0;
  r.length[0] = Math.min(length, 0xffffffff);
  r.malformed.push({ index: 0, reason: REASON_OVER_CAP });
  return { place: { base, lineBase: 0, scanner: -1 }, result: Promise.resolve(r) };
}

function emptyResult(size = 0): ChunkResult {
  return {
    count: 0,
    lines: 0,
    kind: new Uint8Array(size),
    flags: new Uint8Array(size),
    decision: new Uint8Array(size),
    line: new Uint32Array(size),
    offset: new Float64Array(size),
    length: new Uint32Array(size),
    idHash: new Float64Array(size),
    timeMs: new Float64Array(size),
    value: new Float64Array(size),
    host: new Uint32Array(size),
    session: new Uint32Array(size),
    reason: new Uint32Array(size),
    command: new Uint32Array(size),
    newStrings: [[], [], [], []],
    writers: [],
    malformed: [],
  };
}

/**
 * A worker running scan-worker: the built .js next to this file, or — when running from the
 * TypeScript sources (tests, tsx) — the .ts through tsx's loader registered in the worker.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const script = new URL('./scan-worker.ts', here).href;
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); })`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(new URL('./scan-worker.js', here));
}
