/**
 * A chunk of whole lines → the compact fields of every record in it, in flat typed arrays
 * that can be handed between threads without copying. Run by the scan workers; the main
 * thread joins the results in file order. Strings are interned per scanner: each result
 * carries the strings first seen in it, so the receiver can map this scanner's numbers to its own.
 * Pure: no I/O.
 */
import { classifyChainLine } from '../shared/chain.js';
import { ChainLinker, GENESIS_PREV, LINKED, LINKS_BEFORE, SAME_PREV } from '../shared/chain-checker.js';
import { MAX_LINE_BYTES } from '../shared/format-constants.js';
import { isAllNul, overCapReason } from '../shared/line-bytes.js';
import { parseLine } from '../shared/parse-line.js';
import type { PolicyRecord, WriterRecord } from '../shared/schema.js';
import { compactFromRecord, DECISIONS, KIND_REQUEST, REJECT_SHIFT, KIND_RESPONSE, KIND_SEAL, latin1, newCompactRecord, NO_RESOLVED, prevIsHash, prevOf } from './compact-record.js';
import { idSearchBytes, plainIdInto } from './id-text.js';
import { hashLine, NATIVE_MIN_BYTES, scannedAhead } from './native-lines.js';
import { scanRecord } from './scan-record.js';
import { StringPool } from './string-pool.js';

export const OUT_REQUEST = KIND_REQUEST;
export const OUT_RESPONSE = KIND_RESPONSE;
export const OUT_WRITER = 2;
export const OUT_MALFORMED = 3;
/** A seal record: chained, never an entry (KIND_SEAL would read as OUT_MALFORMED). */
export const OUT_SEAL = 4;

/** flags bits */
export const F_CHAINED = 1;
export const F_PRIVILEGED = 2;
export const F_POLICY = 4;
export const F_FAILED = 8;
/** The chain (chain-checker.ts): LinkFacts against the chained line before in the chunk, shifted. */
export const F_FACTS_SHIFT = 4;
export const F_LINKED = LINKED << F_FACTS_SHIFT;
export const F_SAME_PREV = SAME_PREV << F_FACTS_SHIFT;
export const F_GENESIS = GENESIS_PREV << F_FACTS_SHIFT;
/** (128: LINKS_BEFORE on a chained line, F_OBJECT on another.) */
export const F_LINKS_BEFORE = LINKS_BEFORE << F_FACTS_SHIFT;
/** A malformed line that is still a JSON object without chain fields: to the chain, an unchained record. */
export const F_OBJECT = 128;

export interface ChunkResult {
  /** Records (and malformed lines) in the chunk. */
  count: number;
  /** Lines in the chunk (the next chunk's line numbers continue after them). */
  lines: number;
  kind: Uint8Array;
  flags: Uint8Array;
  /** A request's decision (DECISIONS' index) | its reject code << REJECT_SHIFT. */
  decision: Uint8Array;
  /** 1-based line number within the chunk. */
  line: Uint32Array;
  /** Offset of the line within the chunk. */
  offset: Uint32Array;
  length: Uint32Array;
  host: Uint32Array;
  session: Uint32Array;
  reason: Uint32Array;
  command: Uint32Array;
  resolved: Uint32Array;
  /** The request's error, or the response's. */
  error: Uint32Array;
  /** Where each record's id (searched form, id-text.ts) ends in `ids`; it starts where the one before ends (0 for the first). */
  idEnd: Uint32Array;
  ids: Uint8Array;
  idHash: Float64Array;
  /** Each line's fingerprint (line-fingerprints.ts): a line read back must still be it. */
  print: Uint32Array;
  timeMs: Float64Array;
  /** latency (request, NaN for null) or duration (response). */
  value: Float64Array;
  /** The chain's seq of a chained line (F_CHAINED; a malformed line may be one: bytes not UTF-8). */
  seq: Float64Array;
  /**
   * The chunk's chained lines, hashed here and linked to each other (their F_LINKED etc. are
   * against the one before in the chunk; the first one's against nothing): the first one's prev,
   * and the last one's prev and hash, for the reader to link the chunk to the lines before and after.
   * For LINKS_BEFORE across the chunk's start (whether the second continues from the line
   * before the chunk): the second one's prev, unless it was F_LINKED (the fact then goes unread);
   * across its end, the hash of the one before the last (null: the chunk has one).
   */
  firstPrev: string | null;
  secondPrev: string | null;
  lastPrev: string | null;
  lastHash: string | null;
  beforeLastHash: string | null;
  /** Strings first interned in this chunk, in the order they got their numbers, per pool. */
  newStrings: [string[], string[], string[], string[], string[], string[]];
  /** Records that are writer lifecycle events or policy changes, by index. */
  writers: Array<{ index: number; record: WriterRecord | PolicyRecord }>;
  /**
   * Who decided each request (operatorKey), listed only where it changes: at the chunk's first
   * request, and at each request whose operator differs from the one before it in the chunk.
   */
  operators: Array<{ index: number; key: string }>;
  /** Why each malformed line is one, by index. */
  malformed: Array<{ index: number; reason: string }>;
}

/** Bytes a record takes in a result: 3 one-byte, 11 four-byte and 4 eight-byte fields. */
const RECORD_BYTES = 3 + 11 * 4 + 4 * 8;

/** Bytes of a result's arrays for `cap` records (one ArrayBuffer, laid out by allocateResult). */
function resultBytes(cap: number): number {
  return Math.ceil((3 * cap) / 8) * 8 + 11 * 4 * cap + ((11 * 4 * cap) % 8) + 4 * 8 * cap;
}

/**
 * All the arrays of a result in one ArrayBuffer: one allocation, one transfer. `spare`, a
 * consumed result's buffer handed back, is used when it has room (#17: each chunk's fresh buffer
 * waited for the receiving thread's GC, ~17 MB of RSS).
 */
export function allocateResult(capacity: number, spare: ArrayBuffer | null = null): ChunkResult {
  let cap = Math.max(1, capacity);
  let buffer: ArrayBuffer;
  if (spare !== null && spare.byteLength >= resultBytes(cap)) {
    // All the room it has (a result that grew gives a bigger one back): not grown again.
    let room = Math.floor(spare.byteLength / RECORD_BYTES);
    while (resultBytes(room) > spare.byteLength) room--;
    cap = Math.max(cap, room);
    // Cleared: most fields are written only for some kinds of line (a request's host, a chained line's seq).
    new Uint8Array(spare, 0, resultBytes(cap)).fill(0);
    buffer = spare;
  } else buffer = new ArrayBuffer(resultBytes(cap));
  const u8Bytes = Math.ceil((3 * cap) / 8) * 8;
  let at = 0;
  const u8 = () => {
    const a = new Uint8Array(buffer, at, cap);
    at += cap;
    return a;
  };
  const u32 = () => {
    const a = new Uint32Array(buffer, at, cap);
    at += 4 * cap;
    return a;
  };
  const f64 = () => {
    const a = new Float64Array(buffer, at, cap);
    at += 8 * cap;
    return a;
  };
  const kind = u8();
  const flags = u8();
  const decision = u8();
  at = u8Bytes;
  const line = u32();
  const offset = u32();
  const length = u32();
  const host = u32();
  const session = u32();
  const reason = u32();
  const command = u32();
  const resolved = u32();
  const error = u32();
  const idEnd = u32();
  const print = u32();
  at = Math.ceil(at / 8) * 8;
  const idHash = f64();
  const timeMs = f64();
  const value = f64();
  const seq = f64();
  return {
    count: 0,
    lines: 0,
    kind,
    flags,
    decision,
    line,
    offset,
    length,
    host,
    session,
    reason,
    command,
    resolved,
    error,
    idEnd,
    ids: new Uint8Array(0),
    idHash,
    print,
    timeMs,
    value,
    seq,
    firstPrev: null,
    secondPrev: null,
    lastPrev: null,
    lastHash: null,
    beforeLastHash: null,
    newStrings: [[], [], [], [], [], []],
    writers: [],
    operators: [],
    malformed: [],
  };
}

/** A result with twice the room, holding what `r` holds (its arrays are replaced, the rest carried over). */
function grownResult(r: ChunkResult): ChunkResult {
  const g = allocateResult(2 * r.kind.length);
  for (const name of ARRAYS) g[name].set(r[name] as never);
  return { ...r, ...Object.fromEntries(ARRAYS.map((name) => [name, g[name]])) };
}

const ARRAYS = ['kind', 'flags', 'decision', 'line', 'offset', 'length', 'host', 'session', 'reason', 'command', 'resolved', 'error', 'idEnd', 'print', 'idHash', 'timeMs', 'value', 'seq'] as const;

/** The buffer holding a result's arrays, to transfer it instead of copying. */
export function transferables(r: ChunkResult): ArrayBuffer[] {
  return [r.kind.buffer as ArrayBuffer, r.ids.buffer as ArrayBuffer];
}

/**
 * Records a chunk of `bytes` has room for at first: lines of ~256 bytes (records are longer),
 * rounded up so that chunks of about one size take each other's buffers back.
 */
export function resultCapacity(bytes: number): number {
  const lines = bytes >> 8;
  return lines < 512 ? Math.max(16, lines) : Math.ceil(lines / 512) * 512;
}

/** The largest ids buffer a scanner keeps between chunks (a 512 KiB chunk's needs 64 KiB). */
const ID_SCRATCH_MAX = 256 * 1024;

export class ChunkScanner {
  /** `hashLines` false: the chain is not checked (the benchmark's "index alone"); no line is hashed. */
  constructor(private readonly hashLines = true) {}

  private readonly pools = [new StringPool(), new StringPool(), new StringPool(), new StringPool(), new StringPool(), new StringPool()] as const;
  private readonly sent = [0, 0, 0, 0, 0, 0];
  private readonly record = newCompactRecord();
  /** The ids of the chunk being scanned, in their searched form, before they are copied out. */
  private idScratch = new Uint8Array(0);

  /**
   * Scans `buf`, which holds whole lines (each ending in a newline, except the last one of a
   * file that has none when `final`).
   */
  scan(buf: Buffer, final: boolean, spare: ArrayBuffer | null = null): ChunkResult {
    // Room for lines of ~256 bytes (records are longer), grown when shorter ones fill it.
    let out = allocateResult(resultCapacity(buf.length), spare);
    // Ids in their searched form: about as many bytes as the ids in the lines, grown when not.
    const idRoom = Math.max(64, buf.length >> 3);
    let ids = this.idScratch.length >= idRoom ? this.idScratch : new Uint8Array(idRoom);
    let idAt = 0;
    const r = this.record;
    const [hosts, sessions, reasons, commands, resolvedPool, errors] = this.pools;
    // Each line hashed where its bytes are, and linked to the chained line before it.
    const linker = new ChainLinker();
    let firstPrev: string | null = null;
    let secondPrev: string | null = null;
    /** The prev of a chained line linked the long way: the first's and, not F_LINKED, the second's are kept. */
    const linkedSlowly = (prev: string): void => {
      if (firstPrev === null) firstPrev = prev;
      else if (linker.beforeLastHash === null) secondPrev = prev;
    };
    let operator: string | null = null;
    let start = 0;
    let lineNo = 0;
    // The chunk's lines scanned (and chained ones hashed) in one native call, where the addon is built.
    const ahead = buf.length >= NATIVE_MIN_BYTES ? scannedAhead(this.hashLines) : null;
    ahead?.begin(buf, 0, buf.length, final);
    try {
      while (start < buf.length) {
        let end = buf.indexOf(0x0a, start);
        if (end === -1) {
          if (!final) break;
          end = buf.length;
        }
        lineNo++;
        let native = false;
        if (out.count === out.kind.length) out = grownResult(out);
        const i = out.count++;
        out.line[i] = lineNo;
        out.offset[i] = start;
        out.length[i] = end - start;
        if (end - start > MAX_LINE_BYTES) {
          out.kind[i] = OUT_MALFORMED;
          out.malformed.push({ index: i, reason: overCapReason(isAllNul(buf, start, end), end - start) });
        } else if (!((native = ahead !== null && ahead.take(buf, start, end, r)) || scanRecord(buf, start, end, r) || this.slowPath(buf, start, end, out, i))) {
          // Not a record to the index; to the chain, what verify would call it.
          const c = this.hashLines ? classifyChainLine(buf.subarray(start, end)) : null;
          if (c?.kind === 'chained') {
            linkedSlowly(c.prev);
            out.seq[i] = c.seq;
            out.flags[i] = F_CHAINED | (linker.link(c.prev, c.hash) << F_FACTS_SHIFT);
          } else out.flags[i] = c?.kind === 'unchained' ? F_OBJECT : 0;
        } else {
          out.kind[i] = r.kind;
          out.idHash[i] = r.idHash;
          if (r.kind === KIND_REQUEST || r.kind === KIND_RESPONSE) {
            const room = r.bytes ? r.idEnd - r.idStart : 0;
            let stop = r.bytes && idAt + room <= ids.length ? plainIdInto(r.bytes, r.idStart, r.idEnd, ids, idAt) : -1;
            if (stop === -1) {
              const shown = idSearchBytes(r.bytes ? latin1(r.bytes, r.idStart, r.idEnd) : r.id);
              if (idAt + shown.length > ids.length) {
                const bigger = new Uint8Array(Math.max(ids.length * 2, idAt + shown.length));
                bigger.set(ids.subarray(0, idAt));
                ids = bigger;
              }
              ids.set(shown, idAt);
              stop = idAt + shown.length;
            }
            idAt = stop;
          }
          out.timeMs[i] = r.timeMs;
          let flags = 0;
          const taken = native ? ahead : null;
          const hashed = r.chained && this.hashLines;
          const hash = hashLine(r, buf, start, end, hashed, taken);
          out.print[i] = r.fingerprint;
          if (hashed) {
            out.seq[i] = r.seq;
            const last = linker.lastHash;
            // The prev's bytes against the line before's hash: no string made of them when they link (#17).
            if (r.prevStart >= 0 && last !== null && prevIsHash(buf, r.prevStart, last, taken?.prevHash() ?? null)) flags = F_CHAINED | (linker.linkNext(hash) << F_FACTS_SHIFT);
            else {
              const prev = prevOf(r, buf);
              linkedSlowly(prev);
              flags = F_CHAINED | (linker.link(prev, hash) << F_FACTS_SHIFT);
            }
          }
          if (r.kind === KIND_REQUEST) {
            if (r.privileged) flags |= F_PRIVILEGED;
            if (r.policy) flags |= F_POLICY;
            out.decision[i] = DECISIONS.indexOf(r.decision) | (r.reject << REJECT_SHIFT);
            if (r.operator !== operator) out.operators.push({ index: i, key: (operator = r.operator) });
            out.value[i] = r.latencyMs;
            const b = r.bytes;
            if (b) {
              out.host[i] = hosts.internBytes(b, r.hostStart, r.hostEnd);
              out.session[i] = sessions.internBytes(b, r.sessionStart, r.sessionEnd);
              out.reason[i] = reasons.internBytes(b, r.reasonStart, r.reasonEnd);
              out.command[i] = commands.internBytes(b, r.commandStart, r.commandEnd);
              out.resolved[i] = r.resolvedStart < 0 ? resolvedPool.intern(NO_RESOLVED) : resolvedPool.internBytes(b, r.resolvedStart, r.resolvedEnd);
              out.error[i] = r.errorStart < 0 ? errors.intern('') : errors.internBytes(b, r.errorStart, r.errorEnd);
            } else {
              out.host[i] = hosts.intern(r.host);
              out.session[i] = sessions.intern(r.session);
              out.reason[i] = reasons.intern(r.reason);
              out.command[i] = commands.intern(r.commandKey);
              out.resolved[i] = resolvedPool.intern(r.resolvedKey);
              out.error[i] = errors.intern(r.error);
            }
          } else if (r.kind === KIND_RESPONSE) {
            if (r.failed) flags |= F_FAILED;
            out.value[i] = r.durationMs;
            out.error[i] = r.bytes === null ? errors.intern(r.error) : r.errorStart < 0 ? errors.intern('') : errors.internBytes(r.bytes, r.errorStart, r.errorEnd);
          } else if (r.writer) {
            out.kind[i] = OUT_WRITER;
            out.writers.push({ index: i, record: r.writer });
          } else if (r.kind === KIND_SEAL) out.kind[i] = OUT_SEAL;
          out.flags[i] = flags;
        }
        out.idEnd[i] = idAt;
        start = end + 1;
      }
    } finally {
      ahead?.end();
    }
    out.lines = lineNo;
    out.ids = ids.slice(0, idAt);
    // Kept for the next chunk (a copy went out): not a fresh one per chunk, unless it grew past the cap.
    this.idScratch = ids.length <= ID_SCRATCH_MAX ? ids : new Uint8Array(0);
    out.firstPrev = firstPrev;
    out.secondPrev = secondPrev;
    out.lastPrev = linker.lastPrev;
    out.lastHash = linker.lastHash;
    out.beforeLastHash = linker.beforeLastHash;
    for (let p = 0; p < this.pools.length; p++) {
      const pool = this.pools[p];
      for (let id = this.sent[p]; id < pool.size; id++) out.newStrings[p].push(pool.get(id));
      this.sent[p] = pool.size;
    }
    return out;
  }

  /** The full path: true with `record` filled, or false with the line listed as malformed. */
  private slowPath(buf: Buffer, start: number, end: number, out: ChunkResult, i: number): boolean {
    const parsed = parseLine(buf.subarray(start, end));
    if (!parsed.ok) {
      out.kind[i] = OUT_MALFORMED;
      out.malformed.push({ index: i, reason: parsed.reason });
      return false;
    }
    compactFromRecord(parsed.record, this.record);
    return true;
  }
}
