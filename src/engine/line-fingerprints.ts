/**
 * Owns a 32-bit fingerprint of every indexed line of an entry, to know a line read back by
 * offset is still the line that was indexed (#12).
 *
 * Lines are re-read by offset (lnav's model), so a line rewritten in place after it was read —
 * same length, same id, `ls` made `rm` — would otherwise be shown as the entry, under a chain
 * the engine checked when it read the old bytes. The fingerprint is 31 bits of the process's
 * seeded cyrb53 (id-table.ts) — keyed, so whoever writes the log cannot craft a line with the
 * indexed one's fingerprint — over the line's SHA-256 when the chain check hashed it (its top
 * bit set), else over its bytes: 4 bytes a line, two per entry, in a typed array of their own.
 *
 * A line that no longer matches is listed (file:line, once): the chain status says it changed
 * after it was read, and the entry is read from what the index kept, never from the new bytes.
 */
import type { ChainStatus } from '../shared/entry.js';
import { CHAIN_BREAKS_LISTED } from '../shared/entry.js';
import type { FileSpans } from './file-spans.js';
import { hashLineAt } from '../shared/chain.js';
import { hashBytes, hashString } from './id-table.js';

/** The top bit: the fingerprint was made from the line's SHA-256 (a chained line, hashed anyway). */
export const FROM_CHAIN_HASH = 0x80000000;

/** The fingerprint of the line at b[start, end) that is not hashed for the chain. */
export function lineFingerprint(b: Uint8Array, start: number, end: number): number {
  return hashBytes(b, start, end) & 0x7fffffff;
}

/**
 * The fingerprint of a line from its SHA-256 (`hex`, which the chain check computed anyway):
 * the seeded hash of 64 characters instead of the line's ~400 bytes (index CPU), still keyed.
 */
export function chainHashFingerprint(hex: string): number {
  return ((hashString(hex) & 0x7fffffff) | FROM_CHAIN_HASH) >>> 0;
}

/** True when `bytes` have the fingerprint `kept` (made from the line's SHA-256, or from its bytes, as `kept` was). */
export function fingerprintMatches(kept: number, bytes: Uint8Array): boolean {
  return kept === (kept & FROM_CHAIN_HASH ? chainHashFingerprint(hashLineAt(bytes, 0, bytes.length)) : lineFingerprint(bytes, 0, bytes.length));
}

/** A line found changed after it was read: its span and line within it, and its entry. */
export interface ChangedLine {
  seg: number;
  line: number;
  key: number;
}

export class LineFingerprints {
  /** Slot × 2 (+0 the request's line, +1 the response's) → fingerprint. */
  private prints: Uint32Array;
  /** Lines found changed, in the order found; each once. */
  readonly changed: ChangedLine[] = [];
  /** (Made at first use: a fleet follows thousands of hosts, and an empty Map or Set holds a table of ~140 bytes.) */
  private seen: Set<string> | null = null;
  /** Told when a line is first found changed (the chain status changed), with its entry's key. */
  onChanged: (key: number) => void = () => {};

  constructor(expectedEntries = 16) {
    this.prints = new Uint32Array(2 * Math.max(16, expectedEntries));
  }

  /**
   * Room for `entries` slots in one array (the engine's estimate, before a history): growing by
   * doubling from the tail's size copied ~9 MB over a million entries, every page touched anew.
   */
  reserve(entries: number): void {
    if (2 * entries > this.prints.length) this.resize(2 * entries);
  }

  /** Gives back room beyond `entries` slots (a fleet's hosts, read). */
  trim(entries: number): void {
    const length = 2 * Math.max(16, entries);
    if (length < this.prints.length) this.prints = this.prints.slice(0, length);
  }

  private resize(length: number): void {
    const grown = new Uint32Array(length);
    grown.set(this.prints);
    this.prints = grown;
  }

  set(slot: number, which: 'request' | 'response', print: number): void {
    const at = 2 * slot + (which === 'request' ? 0 : 1);
    if (at >= this.prints.length) this.resize(Math.max(2 * this.prints.length, at + 2));
    this.prints[at] = print;
  }

  /** The slot's lines are not indexed any more (an entry left hidden): no fingerprint (0) for them. */
  forget(slot: number): void {
    if (2 * slot + 1 < this.prints.length) this.prints.fill(0, 2 * slot, 2 * slot + 2);
  }

  /** True when `bytes` are the line indexed for the slot's `which`. */
  matches(slot: number, which: 'request' | 'response', bytes: Uint8Array): boolean {
    return fingerprintMatches(this.kept(slot, which), bytes);
  }

  /** The fingerprint kept for the slot's `which` line (-1, which no line has, past those kept). */
  kept(slot: number, which: 'request' | 'response'): number {
    return this.prints[2 * slot + (which === 'request' ? 0 : 1)] ?? -1;
  }

  /** The slot's line (span `seg`, line `line` within it) no longer reads as indexed (`tell`: said to onChanged; not when moved here from another list). */
  foundChanged(seg: number, line: number, key: number, tell = true): void {
    const name = `${seg}:${line}`;
    this.seen ??= new Set();
    if (this.seen.has(name)) return;
    this.seen.add(name);
    this.changed.push({ seg, line, key });
    if (tell) this.onChanged(key);
  }

  /** The fingerprints of slots [from, to), two a slot (request, response; 0: none). */
  printsOf(from: number, to: number): Uint32Array {
    return this.prints.subarray(2 * from, Math.min(this.prints.length, 2 * to));
  }

  /** Takes `n` slots of `from` as slots `base`… here (a fleet's store takes a settled host's rows). */
  takeRows(from: LineFingerprints, base: number, n: number, first = 0): void {
    if (n === 0) return;
    this.set(base + n - 1, 'response', 0); // (grows to hold them)
    this.prints.set(from.prints.subarray(2 * first, 2 * (first + n)), 2 * base);
  }

  /** Bytes held (the benchmark's memory figure). */
  get byteLength(): number {
    return this.prints.byteLength;
  }
}

/**
 * `status` with the lines found changed after they were read: each a 'modified' break at
 * file:line (its entry's key less `keyBase`), the chain broken. `changed` in `spans`' numbering.
 */
export function withChangedLines(status: ChainStatus, changed: readonly ChangedLine[], spans: FileSpans, origin: string, keyBase = 0): ChainStatus {
  if (changed.length === 0) return status;
  const placed = changed.map((c) => ({ file: spans.get(c.seg).file, line: spans.lineNumber(c.seg, c.line), entryKey: c.key - keyBase }));
  return withPlacedChanges(status, placed, origin, '(the entry shows what was indexed)');
}

/** A line found changed after it was read, at file:line: an entry's (its key), or a seal's (-1). */
export interface PlacedChange {
  file: string;
  line: number;
  entryKey: number;
}

/** `status` with seal lines found changed after they were read (seal-list.ts): 'modified' breaks. */
export function withChangedSeals(status: ChainStatus, changed: readonly PlacedChange[], origin: string, shown = '(the seal is not checked from them)'): ChainStatus {
  return changed.length === 0 ? status : withPlacedChanges(status, changed, origin, shown);
}

function withPlacedChanges(status: ChainStatus, changed: readonly PlacedChange[], origin: string, shown: string): ChainStatus {
  const breaks = [...status.breaks];
  for (const { file, line, entryKey } of changed) {
    if (breaks.length === CHAIN_BREAKS_LISTED) break;
    breaks.push({ kind: 'modified', file, line, message: `${file}:${line} was modified after it was read: its bytes are no longer the ones indexed and checked ${shown}`, origin, entryKey });
  }
  return { ...status, state: 'broken', breaks, breakCount: status.breakCount + changed.length };
}
