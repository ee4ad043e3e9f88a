/**
 * Every entry's id as search sees it (shown, lower-cased, UTF-8), so that a part of an id finds
 * its entry (`--grep 92bcb9bb`, the viewer's `/`) without reading a line back.
 *
 * The ids sit one after another in blocks that never move (no copy on growth), from 256 bytes
 * doubling up to 1 MiB; an entry keeps where its id starts (a u32 column). An id in a UUID's
 * form (what sudo-proxy sends: 36 characters) is kept as a mark byte (1) and its 16 bytes, 17
 * bytes; any other id as its text ended by a 0 byte (shown text has neither byte). A search
 * writes a block's ids out as text again (a 0 after each) and runs one `indexOf` pass over
 * that: a hit is mapped to the start of the id it is in. 21 MB of id text at 556,018 entries
 * became 9.5 MB, for ≈ 15–30 ms more a search over them all (README "Figures"). No I/O (a block's pages may be faulted in at once: native-scanner.ts `populate`).
 */
import { shownText } from '../shared/query.js';
import { populate } from './native-scanner.js';

const BLOCK = 1 << 20;
const FIRST_BLOCK = 256;
/** Ids of at most this many bytes are put in one block when trimmed. */
const ONE_BLOCK_MAX = 64 * 1024;
const encoder = new TextEncoder();

/** Writes the form `IdText` keeps of the raw id `b[start, end)` into `to` at `at`; returns the end, or -1 when it is not plain printable ASCII. */
export function plainIdInto(b: Uint8Array, start: number, end: number, to: Uint8Array, at: number): number {
  for (let i = start; i < end; i++) {
    let c = b[i];
    if (c < 0x20 || c > 0x7e) return -1;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    to[at++] = c;
  }
  return at;
}

/** The form `IdText` keeps of an id given as a string. */
export function idSearchBytes(id: string): Uint8Array {
  return encoder.encode(shownText(id).toLowerCase());
}

/** The mark byte before a UUID's 16 bytes. */
const UUID_MARK = 1;
/** A UUID's text: 36 characters, dashes after its 4th, 6th, 8th and 10th byte. */
const UUID_CHARS = 36;
const UUID_BYTES = 16;
/** Where each of a UUID's 16 bytes has its high hex digit in its text (the dashes at 8, 13, 18 and 23 between). */
const UUID_DIGIT_AT = Uint8Array.of(0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34);
const DASH = 0x2d;
/** Hex digit (either case) → its value; 255: not one. */
const HEX_VALUE = new Uint8Array(256).fill(255);
for (let c = 0; c < 16; c++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(c)] = c;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(c)] = c;
}
const HEX_DIGIT = Buffer.from('0123456789abcdef');

/**
 * Writes the UUID `b[start, end)` (either case) as its mark and 16 bytes into `to` at `at`;
 * returns the end, or -1 when it is not a UUID's text (`to` then holds nothing of it that counts).
 * Every byte is written and the digits judged once at the end (#17: one id a request, and a
 * branch a digit pair cost more than the pairs).
 */
function packedUuidInto(b: Uint8Array, start: number, end: number, to: Uint8Array, at: number): number {
  if (end - start !== UUID_CHARS) return -1;
  if ((b[start + 8] ^ DASH) | (b[start + 13] ^ DASH) | (b[start + 18] ^ DASH) | (b[start + 23] ^ DASH)) return -1;
  to[at] = UUID_MARK;
  // Any byte that is no hex digit leaves 255 here (a digit's value is at most 15).
  let values = 0;
  for (let k = 0; k < UUID_BYTES; k++) {
    const p = start + UUID_DIGIT_AT[k];
    const hi = HEX_VALUE[b[p]];
    const lo = HEX_VALUE[b[p + 1]];
    values |= hi | lo;
    to[at + 1 + k] = (hi << 4) | lo;
  }
  return values > 15 ? -1 : at + 1 + UUID_BYTES;
}

/** Byte → its two hex digits (lower case), side by side. */
const HEX_PAIR = new Uint8Array(512);
for (let v = 0; v < 256; v++) {
  HEX_PAIR[2 * v] = HEX_DIGIT[v >> 4];
  HEX_PAIR[2 * v + 1] = HEX_DIGIT[v & 15];
}

/** Writes `from[at, end)` as hex digits into `to` at `out`; returns the end. */
function hexInto(from: Uint8Array, at: number, end: number, to: Uint8Array, out: number): number {
  for (let k = at; k < end; k++) {
    const v = 2 * from[k];
    to[out++] = HEX_PAIR[v];
    to[out++] = HEX_PAIR[v + 1];
  }
  return out;
}

/** Writes the 16 bytes at `from[at]` as a UUID's lower-case text into `to` at `out`; returns the end. */
function uuidTextInto(from: Uint8Array, at: number, to: Uint8Array, out: number): number {
  out = hexInto(from, at, at + 4, to, out);
  to[out++] = 0x2d;
  out = hexInto(from, at + 4, at + 6, to, out);
  to[out++] = 0x2d;
  out = hexInto(from, at + 6, at + 8, to, out);
  to[out++] = 0x2d;
  out = hexInto(from, at + 8, at + 10, to, out);
  to[out++] = 0x2d;
  return hexInto(from, at + 10, at + 16, to, out);
}

export class IdText {
  private blocks: Uint8Array[] = [];
  /** Global offset of each block's first byte. */
  private bases: number[] = [];
  /** How much of each block before the last is used (the last: `used`). */
  private filled: number[] = [];
  /** Whether each block holds a packed UUID (then it is searched as text written out again), and an id kept as text. */
  private packed: boolean[] = [];
  private text: boolean[] = [];
  private block: Uint8Array | null = null;
  private used = 0;
  private base = 0;

  /** Room for `n` bytes and the end mark; returns the global offset they go to. */
  private room(n: number): number {
    if (this.block === null || this.used + n + 1 > this.block.length) {
      if (this.block !== null) {
        this.base += this.block.length;
        this.filled[this.filled.length - 1] = this.used;
      }
      // From a small block up (a fleet has an IdText per host, most with a few ids), doubling to BLOCK.
      const size = this.block === null ? FIRST_BLOCK : Math.min(BLOCK, this.block.length * 2);
      this.block = new Uint8Array(Math.max(size, n + 1));
      // (Filled whole, in order: its pages faulted in at once, where the native scanner is loaded.)
      populate(this.block);
      this.blocks.push(this.block);
      this.bases.push(this.base);
      this.filled.push(0);
      this.packed.push(false);
      this.text.push(false);
      this.used = 0;
    }
    return this.base + this.used;
  }

  /** Keeps `s[start, stop)` as a packed UUID when it is one; returns where it starts, or -1. */
  private addUuid(s: Uint8Array, start: number, stop: number): number {
    if (stop - start !== UUID_CHARS) return -1;
    const at = this.room(UUID_BYTES);
    const end = packedUuidInto(s, start, stop, this.block as Uint8Array, this.used);
    if (end === -1) return -1;
    this.used = end;
    this.packed[this.packed.length - 1] = true;
    return at;
  }

  /** Keeps the raw id `b[start, end)` of a line (ASCII without escapes); returns where it starts. */
  addBytes(b: Uint8Array, start: number, end: number): number {
    const uuid = this.addUuid(b, start, end);
    if (uuid !== -1) return uuid;
    const at = this.room(end - start);
    const block = this.block as Uint8Array;
    const stop = plainIdInto(b, start, end, block, this.used);
    if (stop === -1) return this.addSearchBytes(idSearchBytes(new TextDecoder().decode(b.subarray(start, end))), 0, -1);
    block[stop] = 0;
    this.used = stop + 1;
    this.text[this.text.length - 1] = true;
    return at;
  }

  /** Keeps an id already in its searched form (`s[start, end)`; `end` -1: all of it). */
  addSearchBytes(s: Uint8Array, start: number, end: number): number {
    const stop = end === -1 ? s.length : end;
    const uuid = this.addUuid(s, start, stop);
    if (uuid !== -1) return uuid;
    const at = this.room(stop - start);
    const block = this.block as Uint8Array;
    block.set(s.subarray(start, stop), this.used);
    this.used += stop - start;
    block[this.used++] = 0;
    this.text[this.text.length - 1] = true;
    return at;
  }

  add(id: string): number {
    return this.addSearchBytes(idSearchBytes(id), 0, -1);
  }

  /**
   * Gives back the room left in the last block (one of a fleet's hosts, read: most of its
   * block was empty), and when all its ids are a few KB, keeps them in one block (each block
   * is two objects and an allocation of its own). Where each id starts does not change (one
   * block holds what the blocks held, one after another); the next id opens a new block.
   */
  trim(): void {
    const block = this.block;
    if (block === null || this.used === 0) return;
    const total = this.base + this.used;
    if (this.blocks.length > 1 && total <= ONE_BLOCK_MAX) {
      const one = new Uint8Array(total);
      // Only what each block used: the gaps left are zeros, empty ids no one points at.
      this.blocks.forEach((b, k) => one.set(b.subarray(0, k === this.blocks.length - 1 ? this.used : this.filled[k]), this.bases[k]));
      const packed = this.packed.includes(true);
      // (The gaps left are empty ids kept as text: UUIDs are no longer 17 bytes apart.)
      const text = true;
      // (New arrays: one emptied by splice keeps the room it grew to, 17 slots each, for thousands of hosts.)
      this.blocks = [one];
      this.bases = [0];
      this.filled = [0];
      this.packed = [packed];
      this.text = [text];
      this.block = one;
      this.base = 0;
      this.used = total;
      return;
    }
    // (Copies of their own size: arrays grown by push keep room for 17 blocks.)
    this.blocks = this.blocks.slice();
    this.bases = this.bases.slice();
    this.filled = this.filled.slice();
    this.packed = this.packed.slice();
    this.text = this.text.slice();
    if (this.used === block.length) return;
    const kept = block.slice(0, this.used);
    this.blocks[this.blocks.length - 1] = kept;
    this.block = kept;
  }

  /** The id kept at `at` (a start `add…` returned) in its searched form, without the end mark (a UUID written out as text). */
  searchBytesAt(at: number): Uint8Array {
    let k = this.bases.length - 1;
    while (k > 0 && this.bases[k] > at) k--;
    const block = this.blocks[k];
    const from = at - this.bases[k];
    // (A text id never starts with the mark: shown text holds no control byte.)
    if (block[from] === UUID_MARK) {
      const text = new Uint8Array(UUID_CHARS);
      uuidTextInto(block, from + 1, text, 0);
      return text;
    }
    return block.subarray(from, block.indexOf(0, from));
  }

  /** Bytes held in blocks (used or not). */
  get allocated(): number {
    return this.blocks.reduce((n, b) => n + b.length, 0);
  }

  /** Bytes the ids take (17 a UUID, the text's length + 1 any other). */
  get bytesUsed(): number {
    return this.filled.reduce((n, f, k) => n + (k === this.filled.length - 1 ? this.used : f), 0);
  }

  get blockCount(): number {
    return this.blocks.length;
  }

  /**
   * The starts (ascending) of the ids that contain `needle` (already lower-cased, as search
   * compares). A needle with a 0 byte is in no id.
   */
  startsContaining(needle: string): Float64Array {
    const n = encoder.encode(needle);
    const found: number[] = [];
    if (n.length === 0 || n.includes(0)) return new Float64Array(0);
    // Only hex digits and dashes can be in a UUID's text: any other needle looks at the ids kept as text alone.
    const inUuids = n.every((c) => c === 0x2d || HEX_DIGIT.includes(c));
    const probes = inUuids ? packedProbes(n) : null;
    let text = Buffer.alloc(0);
    for (let k = 0; k < this.blocks.length; k++) {
      const block = this.blocks[k];
      const used = k === this.blocks.length - 1 ? this.used : this.filled[k];
      if (!inUuids && !this.text[k]) continue;
      if (!this.packed[k]) {
        hitsIn(Buffer.from(block.buffer, block.byteOffset, used), n, this.bases[k], null, 0, found);
        continue;
      }
      if (probes !== null && !this.text[k]) {
        probedHits(Buffer.from(block.buffer, block.byteOffset, used), n, probes, this.bases[k], found);
        continue;
      }
      // As text: at most 37 bytes for each packed id's 17, the others as they are.
      const room = Math.ceil((used * (UUID_CHARS + 1)) / (UUID_BYTES + 1)) + 1;
      if (text.length < room) text = Buffer.allocUnsafe(Math.max(room, text.length * 2));
      const length = writeOut(block, used, text);
      hitsIn(text.subarray(0, length), n, this.bases[k], block, used, found);
    }
    return Float64Array.from(found);
  }
}

/** A probe's bytes shorter than this find too many candidates: the block is written out instead. */
const MIN_PROBE = 2;

/**
 * For a needle of hex digits and dashes, byte runs one of which any UUID holding it holds
 * packed: its longest run of hex digits lies in one dash group of the UUID's text, whose
 * digits are the packed bytes' nibbles in order, starting on a byte's high nibble or its low
 * one — one run of whole bytes for each. Null when a run would be shorter than MIN_PROBE.
 */
function packedProbes(needle: Uint8Array): Buffer[] | null {
  let best = '';
  for (const run of Buffer.from(needle).toString('latin1').split('-')) if (run.length > best.length) best = run;
  const even = best.slice(0, best.length & ~1);
  const odd = best.slice(1, 1 + ((best.length - 1) & ~1));
  if (odd.length / 2 < MIN_PROBE) return null;
  return [Buffer.from(even, 'hex'), Buffer.from(odd, 'hex')];
}

/**
 * Adds to `out` the global starts of the UUIDs of `block` (packed UUIDs only: 17 bytes each)
 * holding `needle`: each place a probe is found names the UUID it is in, written out and checked.
 */
function probedHits(block: Buffer, needle: Uint8Array, probes: Buffer[], base: number, out: number[]): void {
  const record = UUID_BYTES + 1;
  const starts = new Set<number>();
  for (const probe of probes) for (let q = block.indexOf(probe); q !== -1; q = block.indexOf(probe, q + 1)) starts.add(q - (q % record));
  const one = Buffer.allocUnsafe(UUID_CHARS);
  for (const start of [...starts].sort((a, b) => a - b)) {
    uuidTextInto(block, start + 1, one, 0);
    if (one.indexOf(needle) !== -1) out.push(base + start);
  }
}

/** Writes the ids of `block[0, used)` out as text into `to`, each followed by a 0; returns the length. */
function writeOut(block: Uint8Array, used: number, to: Uint8Array): number {
  let o = 0;
  let i = 0;
  while (i < used) {
    if (block[i] === UUID_MARK) {
      o = uuidTextInto(block, i + 1, to, o);
      to[o++] = 0;
      i += UUID_BYTES + 1;
      continue;
    }
    let b: number;
    do {
      b = block[i++];
      to[o++] = b;
    } while (b !== 0);
  }
  return o;
}

/**
 * Adds to `out` the global starts of the ids of `text` (ids as text, each ended by a 0) holding
 * `needle`; for a block written out (`block`, its `used` bytes) where each one starts in the
 * block, else the text is the block.
 */
function hitsIn(text: Buffer, needle: Uint8Array, base: number, block: Uint8Array | null, used: number, out: number[]): void {
  let last = -1;
  // The id being looked at: its start in the text, and in the block.
  let textAt = 0;
  let blockAt = 0;
  for (let p = text.indexOf(needle); p !== -1; p = text.indexOf(needle, p + 1)) {
    let s = p;
    while (s > 0 && text[s - 1] !== 0) s--;
    if (s === last) continue;
    last = s;
    if (block === null) {
      out.push(base + s);
      continue;
    }
    // Walk both forms, id by id, up to the one the hit is in.
    while (textAt < s && blockAt < used) {
      if (block[blockAt] === UUID_MARK) {
        blockAt += UUID_BYTES + 1;
        textAt += UUID_CHARS + 1;
        continue;
      }
      const end = block.indexOf(0, blockAt) + 1;
      textAt += end - blockAt;
      blockAt = end;
    }
    out.push(base + blockAt);
  }
}

/** Whether the sorted `starts` holds `x`. */
export function holds(starts: Float64Array, x: number): boolean {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = starts[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
