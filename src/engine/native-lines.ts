/**
 * A run of lines scanned ahead by the native scanner (native-scanner.ts), taken one by one by
 * the code that reads lines (record-intake.ts, chunk-scan.ts): the line at the cursor, when it
 * is the one asked for, gives its fields into a CompactRecord without the JavaScript scan and
 * its chain hash without a `crypto.hash` call. Any other line — declined, or not the next one
 * scanned — is read as without the addon. Slots are native/src/lines.rs's; a test checks
 * that both paths give the same fields.
 */
import { hashLineAt } from '../shared/chain.js';
import { DECISIONS, KIND_REQUEST, KIND_RESPONSE, latin1, type CompactRecord } from './compact-record.js';
import { hashSeed, type IdTable } from './id-table.js';
import { chainHashFingerprint, lineFingerprint } from './line-fingerprints.js';
import { nativeAddon, type NativeAddon } from './native-scanner.js';
import { operatorKeyOf } from './scan-record.js';
import { StringPool } from './string-pool.js';

import {
  B_CHAINED, B_FAILED, B_HASHED, B_LINKS_BEFORE, B_POLICY, B_PRIVILEGED, I_BITS, I_COMMAND_END, I_COMMAND_START, I_DECISION, I_END, I_ERROR_END, I_ERROR_START,
  I_HOST_END, I_HOST_START, I_ID_END, I_ID_START, I_KIND, I_PREV_START, I_REASON_END, I_REASON_START, I_REJECT, I_RESOLVED_END, I_RESOLVED_START,
  I_SESSION_END, I_SESSION_START, I_START, I_STATUS, I_USER_END, I_USER_START, INT_SLOTS, N_DURATION, N_ID_HASH, N_LATENCY, N_PRINT, N_SEQ, N_TIME,
  N_UID, NUM_SLOTS, OPTION_HASH,
} from './native-slots.js';
/**
 * A line's strings as a scan worker interned them (`ChunkStrings`), one slot a field (host,
 * session, reason, command, resolved paths, error: EntryColumns' pools, in that order): its id
 * in the worker's pool + 1; ABSENT for paths or an error the line has not (pool id 0 where the
 * reader keeps them); NOT_GIVEN: the reader interns the field from its bytes.
 */
const STRING_SLOTS = 6;
const S_HOST = 0, S_SESSION = 1, S_REASON = 2, S_COMMAND = 3, S_RESOLVED = 4, S_ERROR = 5;
const NOT_GIVEN = 0;
const ABSENT = -1;
/**
 * Strings a worker's pool holds at most: past them, a string not in it is left to the reader. A
 * worker's strings are a copy of the store's, and sent to it each once: a log whose reasons or
 * commands are each their own (an agent's words) held ~30 MB more and took ~1.6 s more CPU
 * without it (#17); the strings that repeat are the ones met early.
 */
export const WORKER_POOL_MAX = 4096;

/** Lines a call scans at most: ~210 KB of slots, reused. */
const LINES_PER_CALL = 1024;
/** A read smaller than this is scanned in JavaScript: a small log's command does not load the addon (~2.5 ms). The engine reads files in slices of 32 KB. */
export const NATIVE_MIN_BYTES = 16 * 1024;

/**
 * A chunk's lines scanned on another thread (scan-worker.ts, parallel-scan.ts): the slots a
 * `ScannedAhead` takes its lines from instead of scanning them itself (`preset`).
 */
export interface ScannedChunk {
  /** The chunk: whole lines, but for a last one without a newline when `final`. */
  bytes: Buffer;
  final: boolean;
  /** Lines in the chunk (that last one counted). */
  lines: number;
  /** Lines the slots hold (those ended by a newline, unless the scanner stopped early), from byte 0 to `to`. */
  count: number;
  to: number;
  /** The slots: numbers, then ints, then the hashes' hex, then (`strings`) the lines' strings, laid out for `room` lines (slotArrays). */
  slots: ArrayBuffer;
  room: number;
  /** The slots hold the lines' strings as a worker's `ChunkStrings` interned them (null: not interned). */
  strings: ChunkStringsNew | null;
}

/** The slot arrays of `count` lines in one buffer (`spare`, a consumed chunk's, when it has room); `strings`: with the lines' strings' slots. */
function slotArrays(count: number, hashLines: boolean, spare: ArrayBuffer | null, strings = false): { nums: Float64Array; ints: Int32Array; hex: Buffer; strs: Int32Array | null; buffer: ArrayBuffer } {
  const cap = Math.max(1, count);
  const numBytes = cap * NUM_SLOTS * 8;
  const intBytes = cap * INT_SLOTS * 4;
  const hexBytes = hashLines ? cap * 64 : 0;
  const strBytes = strings ? cap * STRING_SLOTS * 4 : 0;
  const bytes = numBytes + intBytes + hexBytes + strBytes;
  const buffer = spare !== null && spare.byteLength >= bytes ? spare : new ArrayBuffer(Math.max(bytes, 512 * 1024));
  return {
    nums: new Float64Array(buffer, 0, cap * NUM_SLOTS),
    ints: new Int32Array(buffer, numBytes, cap * INT_SLOTS),
    hex: Buffer.from(buffer, numBytes + intBytes, hexBytes),
    // (64 hex digits a line: the ints after them stay 4-byte aligned.)
    strs: strings ? new Int32Array(buffer, numBytes + intBytes + hexBytes, cap * STRING_SLOTS) : null,
    buffer,
  };
}

/** The strings new to a worker's pools with a chunk, by pool: `fresh[p]`, whose ids start at `first[p]`. */
export interface ChunkStringsNew {
  first: number[];
  fresh: string[][];
}

/**
 * A scan worker's pools of the strings its chunks' lines hold (host, session, reason, command,
 * resolved paths, error: EntryColumns' pools, in that order): it interns them beside the scan, and
 * the reader maps its ids to the store's, a lookup a string (#17: interning was ~10 % of the
 * index's main thread, the worker beside it idle ~25 % of the time). Each worker's ids are its own.
 */
export class ChunkStrings {
  private readonly pools = Array.from({ length: STRING_SLOTS }, () => new StringPool());
  /** Strings of each pool already sent with a chunk. */
  private readonly sent = new Array<number>(STRING_SLOTS).fill(0);

  /** Interns the strings of the `count` lines scanned into `ints` from `bytes`, into `strs`; returns those new since the last chunk. */
  intern(bytes: Buffer, ints: Int32Array, count: number, strs: Int32Array): ChunkStringsNew {
    const pools = this.pools;
    /** Field `p`'s slot for the value at `ints[at + slot]` (its start; its end next). */
    const slot = (p: number, at: number, absent: number): number => {
      const start = ints[at];
      if (start < 0) return absent;
      const pool = pools[p];
      return (pool.size < WORKER_POOL_MAX ? pool.internBytes(bytes, start, ints[at + 1]) : pool.findBytes(bytes, start, ints[at + 1])) + 1;
    };
    for (let s = 0; s < count; s++) {
      const at = s * INT_SLOTS;
      const k = s * STRING_SLOTS;
      strs.fill(NOT_GIVEN, k, k + STRING_SLOTS);
      if (ints[at + I_STATUS] !== 1) continue;
      const kind = ints[at + I_KIND];
      if (kind === KIND_REQUEST) {
        // (A field a request has not, not a case the scanner takes today: left to the reader, as before.)
        strs[k + S_HOST] = slot(S_HOST, at + I_HOST_START, NOT_GIVEN);
        strs[k + S_SESSION] = slot(S_SESSION, at + I_SESSION_START, NOT_GIVEN);
        strs[k + S_REASON] = slot(S_REASON, at + I_REASON_START, NOT_GIVEN);
        strs[k + S_COMMAND] = slot(S_COMMAND, at + I_COMMAND_START, NOT_GIVEN);
        strs[k + S_RESOLVED] = slot(S_RESOLVED, at + I_RESOLVED_START, ABSENT);
      } else if (kind !== KIND_RESPONSE) continue;
      strs[k + S_ERROR] = slot(S_ERROR, at + I_ERROR_START, ABSENT);
    }
    const fresh: string[][] = [];
    const first = this.sent.slice();
    for (let p = 0; p < STRING_SLOTS; p++) {
      const pool = this.pools[p];
      fresh.push(pool.stringsFrom(this.sent[p]));
      this.sent[p] = pool.size;
    }
    return { first, fresh };
  }
}

/**
 * Scans the lines of `bytes` ended by a newline in one native call, into slots a `ScannedAhead`
 * on another thread takes (`preset`): the scan and the hashes are this thread's work, what the
 * lines give is that one's. (A chunk's lines are few: parallel-scan.ts CHUNK_LINES_MAX, 216
 * bytes of slots each.) `spare`: a consumed chunk's slots, reused.
 */
export function scanChunkLines(addon: NativeAddon, bytes: Buffer, final: boolean, hashLines: boolean, spare: ArrayBuffer | null, strings: ChunkStrings | null = null): ScannedChunk {
  let newlines = 0;
  let to = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, nl + 1)) {
    newlines++;
    to = nl + 1;
  }
  const lines = newlines + (final && to < bytes.length ? 1 : 0);
  const room = newlines;
  const a = slotArrays(room, hashLines, spare, strings !== null);
  const seed = hashSeed();
  const count = to === 0 ? 0 : addon.scanLines(bytes, 0, to, 0, hashLines ? OPTION_HASH : 0, seed[0], seed[1], a.ints, a.nums, a.hex);
  const fresh = strings === null ? null : strings.intern(bytes, a.ints, count, a.strs as Int32Array);
  return { bytes, final, lines, count, to, slots: a.buffer, room, strings: fresh };
}

export class ScannedAhead {
  /** This thread's slots, filled by `fill`. */
  private readonly own = { ints: new Int32Array(LINES_PER_CALL * INT_SLOTS), nums: new Float64Array(LINES_PER_CALL * NUM_SLOTS), hex: Buffer.alloc(LINES_PER_CALL * 64) };
  /** The slots lines are taken from: this thread's, or a chunk's scanned elsewhere (`preset`). */
  private ints: Int32Array = this.own.ints;
  private nums: Float64Array = this.own.nums;
  private hex: Buffer = this.own.hex;
  /** A worker's chunk's strings' slots (ChunkStrings), and its ids → the store's, by pool; else null. */
  private strs: Int32Array | null = null;
  private storeIds: number[][] | null = null;
  /** A chunk scanned elsewhere, for the `begin` of its lines, and its strings' ids → the store's. */
  private presetChunk: ScannedChunk | null = null;
  private presetIds: number[][] | null = null;
  private buf: Uint8Array | null = null;
  /** Where the lines scanned ahead may go on, and whether a last line without a newline counts. */
  private to = 0;
  private last = false;
  private count = 0;
  private next = 0;
  /** Lines the native scanner gave (read by tests: the engine's readings must use it, not only agree with it). */
  taken = 0;
  /** Of them, lines from a chunk scanned elsewhere (`preset`; read by tests, as `taken`). */
  takenFromChunks = 0;
  /** The slots are a chunk's scanned elsewhere, not this thread's. */
  private fromChunk = false;
  /** The slot `take` found: its line's chain hash, when the native scanner took it (`hash()`). */
  private slot = -1;
  /** The slot whose hash `hash()` made last in this call's slots, and that string. */
  private hashedSlot = -1;
  private hashedText = '';
  /** The line `take` found links to the line before, whose hash is this string (`prevHash()`); else null. */
  private prevText: string | null = null;
  /** The id table the lines' records go into: the buckets of the next ids are read ahead. */
  private ids: IdTable | null = null;

  private constructor(
    private readonly addon: NativeAddon,
    private readonly hashLines: boolean,
  ) {}

  /** One for this thread, or null when the addon is not there. `hashLines` false: the chain is not checked. */
  static create(hashLines: boolean): ScannedAhead | null {
    const addon = nativeAddon();
    return addon === null ? null : new ScannedAhead(addon, hashLines);
  }

  /** The lines of `buf[from, to)` are about to be read, in order (the bytes after the last newline only when `last`). */
  begin(buf: Uint8Array, from: number, to: number, last: boolean, ids: IdTable | null = null): void {
    this.ids = ids;
    this.buf = buf;
    this.to = to;
    this.last = last;
    this.count = 0;
    this.next = 0;
    const chunk = this.presetChunk;
    const storeIds = this.presetIds;
    this.presetChunk = null;
    this.presetIds = null;
    if (chunk !== null && chunk.bytes === buf && from === 0 && to === chunk.to && !last && chunk.count > 0) this.use(chunk, storeIds);
    else this.fill(from);
  }

  /**
   * The lines of `chunk` are the ones the next `begin` is for: taken from its slots, not scanned
   * again here. (A `begin` for other bytes or another span scans as always.) `storeIds`: when its
   * strings were interned (`chunk.strings`), its scanner's ids → the store's, by pool, new ones included.
   */
  preset(chunk: ScannedChunk, storeIds: number[][] | null = null): void {
    this.presetChunk = chunk;
    this.presetIds = chunk.strings === null ? null : storeIds;
  }

  private use(chunk: ScannedChunk, storeIds: number[][] | null): void {
    const a = slotArrays(chunk.room, this.hashLines, chunk.slots, chunk.strings !== null);
    this.ints = a.ints;
    this.nums = a.nums;
    this.hex = a.hex;
    this.strs = storeIds === null ? null : a.strs;
    this.storeIds = storeIds;
    this.count = chunk.count;
    this.next = 0;
    this.hashedSlot = -1;
    this.fromChunk = true;
  }

  /** Forgets the lines scanned ahead (their buffer is about to be reused). */
  end(): void {
    this.ids = null;
    this.buf = null;
    this.count = 0;
    this.presetChunk = null;
    this.presetIds = null;
    this.strs = null;
    this.storeIds = null;
    // A chunk's slots are not held past its lines (a chunk of short lines has ~216 bytes of them a line).
    if (this.fromChunk) {
      ({ ints: this.ints, nums: this.nums, hex: this.hex } = this.own);
      this.fromChunk = false;
    }
  }

  private fill(from: number): void {
    ({ ints: this.ints, nums: this.nums, hex: this.hex } = this.own);
    this.strs = null;
    this.storeIds = null;
    this.fromChunk = false;
    const seed = hashSeed();
    this.count = this.addon.scanLines(this.buf as Uint8Array, from, this.to, this.last ? 1 : 0, this.hashLines ? OPTION_HASH : 0, seed[0], seed[1], this.ints, this.nums, this.hex);
    this.next = 0;
    this.hashedSlot = -1;
  }

  /**
   * Fills `r` (its bytes are `buf`) for the line `buf[start, end)` when it is the next one scanned
   * ahead and the native scanner took it; false: read it in JavaScript.
   */
  take(buf: Uint8Array, start: number, end: number, r: CompactRecord): boolean {
    this.slot = -1;
    this.prevText = null;
    if (buf !== this.buf) return false;
    if (this.next === this.count) {
      if (this.count === 0 || start >= this.to) return false;
      this.fill(start);
    }
    const ints = this.ints;
    // Lines the reader passed over (one over the line cap) are skipped here too.
    while (this.next < this.count - 1 && ints[this.next * INT_SLOTS + I_START] < start) this.next++;
    const at = this.next * INT_SLOTS;
    if (ints[at + I_START] !== start || ints[at + I_END] !== end) {
      // Not the line scanned next (a caller that skipped or re-read): nothing after it is trusted.
      this.end();
      return false;
    }
    const s = this.next++;
    // The next ids' buckets read side by side: each one's own turn would be a cache miss (#17).
    if ((s & 63) === 0 && this.ids !== null) this.ids.prefetch(this.nums, s * NUM_SLOTS + N_ID_HASH, NUM_SLOTS, Math.min(64, this.count - s));
    if (ints[at + I_STATUS] !== 1) return false;
    const n = s * NUM_SLOTS;
    const nums = this.nums;
    const bits = ints[at + I_BITS];
    r.kind = ints[at + I_KIND];
    r.chained = (bits & B_CHAINED) !== 0;
    r.seq = nums[n + N_SEQ];
    r.prevStart = ints[at + I_PREV_START];
    r.prevEnd = r.prevStart + 64;
    r.idHash = nums[n + N_ID_HASH];
    r.idStart = ints[at + I_ID_START];
    r.idEnd = ints[at + I_ID_END];
    r.timeMs = nums[n + N_TIME];
    r.hostStart = ints[at + I_HOST_START];
    r.hostEnd = ints[at + I_HOST_END];
    r.sessionStart = ints[at + I_SESSION_START];
    r.sessionEnd = ints[at + I_SESSION_END];
    r.reasonStart = ints[at + I_REASON_START];
    r.reasonEnd = ints[at + I_REASON_END];
    r.commandStart = ints[at + I_COMMAND_START];
    r.commandEnd = ints[at + I_COMMAND_END];
    r.resolvedStart = ints[at + I_RESOLVED_START];
    r.resolvedEnd = ints[at + I_RESOLVED_END];
    r.errorStart = ints[at + I_ERROR_START];
    r.errorEnd = ints[at + I_ERROR_END];
    r.privileged = (bits & B_PRIVILEGED) !== 0;
    r.decision = DECISIONS[ints[at + I_DECISION]];
    r.policy = (bits & B_POLICY) !== 0;
    r.latencyMs = nums[n + N_LATENCY];
    r.reject = ints[at + I_REJECT];
    const uid = nums[n + N_UID];
    r.operator = uid < 0 ? '' : operatorKeyOf(buf as Buffer, uid, ints[at + I_USER_START], ints[at + I_USER_END]);
    r.failed = (bits & B_FAILED) !== 0;
    r.durationMs = nums[n + N_DURATION];
    r.writer = null;
    r.bytes = buf as Buffer;
    this.storeStrings(s, r);
    r.fingerprint = nums[n + N_PRINT];
    if ((bits & B_HASHED) !== 0) this.slot = s;
    // Its prev is the line before's hash, and that is the string `hash()` made for it.
    if ((bits & B_LINKS_BEFORE) !== 0 && s > 0 && this.hashedSlot === s - 1) this.prevText = this.hashedText;
    this.taken++;
    if (this.fromChunk) this.takenFromChunks++;
    return true;
  }

  /** The store's ids of slot `s`'s strings, where a worker interned them (-1: the reader interns the field from its bytes). */
  private storeStrings(s: number, r: CompactRecord): void {
    const strs = this.strs;
    if (strs === null) {
      r.hostId = r.sessionId = r.reasonId = r.commandId = r.resolvedId = r.errorId = -1;
      return;
    }
    const k = s * STRING_SLOTS;
    const ids = this.storeIds as number[][];
    r.hostId = storeId(ids[S_HOST], strs[k + S_HOST]);
    r.sessionId = storeId(ids[S_SESSION], strs[k + S_SESSION]);
    r.reasonId = storeId(ids[S_REASON], strs[k + S_REASON]);
    r.commandId = storeId(ids[S_COMMAND], strs[k + S_COMMAND]);
    r.resolvedId = storeId(ids[S_RESOLVED], strs[k + S_RESOLVED]);
    r.errorId = storeId(ids[S_ERROR], strs[k + S_ERROR]);
  }

  /**
   * The chain hash of the line `take` just filled, when the native scanner hashed it (else ''). Its
   * fingerprint (line-fingerprints.ts) is in the record: from this hash, or from its bytes when not hashed.
   */
  hash(): string {
    if (this.slot < 0) return '';
    const text = latin1(this.hex, this.slot * 64, this.slot * 64 + 64);
    this.hashedSlot = this.slot;
    this.hashedText = text;
    return text;
  }

  /**
   * The line `take` just filled has as its prev the hash of the line before, and this is that
   * hash's string (which `hash()` gave for it): compared with the chain's last hash as a string,
   * its bytes need not be. Null: compare the bytes.
   */
  prevHash(): string | null {
    return this.prevText;
  }
}

/**
 * The chain hash of the line `buf[start, end)` that `r` was just filled from ('' unless
 * `hashed`), with the line's fingerprint (line-fingerprints.ts) put in `r.fingerprint`: both the
 * native scanner's when `taken` (the scanner that filled `r`) made them, else made here. The one
 * way the per-line reader and the chunk scanner take a line's hash.
 */
export function hashLine(r: CompactRecord, buf: Uint8Array, start: number, end: number, hashed: boolean, taken: ScannedAhead | null): string {
  const nativeHash = taken !== null && hashed ? taken.hash() : '';
  const hash = hashed ? nativeHash || hashLineAt(buf, start, end) : '';
  // (The native scanner left the fingerprint it made from the same hash or bytes; made here when
  // it did not take the line, or did not hash a line it should have.)
  if (taken === null || (hashed && nativeHash === '')) r.fingerprint = hash === '' ? lineFingerprint(buf, start, end) : chainHashFingerprint(hash);
  return hash;
}

/** A field's store id from its slot (ChunkStrings): -1 when not given. */
function storeId(ids: number[], slot: number): number {
  return slot > 0 ? ids[slot - 1] : slot === ABSENT ? 0 : -1;
}

let shared: [ScannedAhead | null | undefined, ScannedAhead | null | undefined] = [undefined, undefined];

/**
 * This thread's scanner ahead, one for checking the chain and one for not: lines are read from
 * start to end without a turn between (a read's lines, a chunk's), so one set of slots serves
 * every reader of the thread. Null when the addon is not there.
 */
export function scannedAhead(hashLines: boolean): ScannedAhead | null {
  const k = hashLines ? 0 : 1;
  if (shared[k] === undefined) shared[k] = ScannedAhead.create(hashLines);
  return shared[k] as ScannedAhead | null;
}

/** For tests: made again on next use. */
export function forgetScannedAhead(): void {
  shared = [undefined, undefined];
}
