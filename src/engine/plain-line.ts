/**
 * A line read back by offset for `print --json`, scanned by the native scanner in one call
 * (native/src/lines.rs `scan_plain`): its fingerprint, to know it is still the line indexed
 * (line-fingerprints.ts), and — when it is a record the fast scanner takes and holds no DEL —
 * where each key's value is, so that entry-json-bytes.ts copies them without scanning the line
 * again in JavaScript. Together those were a `crypto.hash` call, the JavaScript scan and a
 * walk over the keys: ~1.8 of `print --json`'s 7 s over 1M records (#17).
 *
 * Used only once the index has loaded the addon (a small log's command loads nothing more);
 * without it, the line is checked and scanned in JavaScript as before, and a test holds both
 * ways to the same spans and fingerprints.
 */
import type { EntryJsonGiven } from '../shared/entry.js';
import { hashSeed } from './id-table.js';
import { loadedNativeAddon, type NativeAddon } from './native-scanner.js';
import { KEYS } from './record-keys.js';

// Slots (native/src/lines.rs P_*).
const P_KIND = 0, P_BITS = 1, P_REJECT = 2, P_SPANS = 3;
const PLAIN_INTS = P_SPANS + 2 * KEYS.length;
const P_PRINT = 0, P_SEQ = 1, P_ID_HASH = 2;
const PLAIN_NUMS = 3;
const B_CHAINED = 1;
const OPTION_HASH = 1;

// What `writeJson` writes of an entry's `print --json` line (native/src/entry_json.rs PART_*).
/** `{"id":…` to `"origin":…`: from the entry's first record. */
export const PART_HEAD = 1;
/** `,"host":…` to `,"security":…`: a request's fields. */
export const PART_REQUEST = 2;
/** With PART_REQUEST: a security event (a replayed request). */
export const PART_SECURITY = 4;
/** `,"completed_time":…` to `,"duration_ms":…`: a response's fields. */
export const PART_OUTCOME = 8;
/** `,"anomalies":…` to the end of the line: the index's say and where each record is. */
export const PART_TAIL = 16;
// EntryJsonGiven's `io` (entry_json.rs IO_*): where to write from, the parts, then the request's
// and the response's line, offset and seq (a line of -1: no such record; a seq of -1: null).
export const IO_AT = 0;
export const IO_PARTS = 1;
export const IO_PLACES = 2;
export const IO_SLOTS = 8;

export class PlainLine {
  private readonly ints = new Int32Array(PLAIN_INTS);
  private readonly nums = new Float64Array(PLAIN_NUMS);
  /** Each key's value (record-keys.ts KEYS order) as `spans[2k], spans[2k + 1]` in the line scanned last, when plain; -1: absent. */
  readonly spans = this.ints.subarray(P_SPANS);
  /** The line scanned last is a plain record: the fields below and `spans` are its. */
  plain = false;
  /** Scans so far: whoever scanned a line knows it is still the one these fields are of. */
  scans = 0;

  private constructor(private readonly addon: NativeAddon) {}

  /**
   * The thread's one scanner (a line's facts are used as soon as it is scanned: one for every
   * reader, where one each kept ~0.5 KB for each of a fleet's thousands of hosts); null until
   * the index has loaded the addon.
   */
  static shared(): PlainLine | null {
    const addon = loadedNativeAddon();
    if (addon === null) return null;
    // (Another addon: the one loaded again after tests forgot it.)
    if (shared === null || shared.addon !== addon) shared = new PlainLine(addon);
    return shared;
  }

  /** Scans `bytes`, a whole line without its newline; its fingerprint from its SHA-256 when `fromChainHash`, as the index made it. */
  scan(bytes: Uint8Array, fromChainHash: boolean): void {
    const seed = hashSeed();
    this.scans++;
    this.plain = this.addon.scanPlain(bytes, 0, bytes.length, fromChainHash ? OPTION_HASH : 0, seed[0], seed[1], this.ints, this.nums);
  }

  /**
   * Writes parts (PART_*) of `print --json`'s line for an entry from `line`, the line scanned
   * last and found plain, into `out` (native/src/entry_json.rs; `given` says which and from
   * where): the end of what it wrote; -1: declined (write the entry the slow way); -2: `out` has
   * no room (grow it and ask again).
   */
  writeJson(line: Uint8Array, out: Uint8Array, given: EntryJsonGiven): number {
    return this.addon.entryJson(line, this.spans, out, given.io, given.state, given.origin, given.anomalies, given.requestFile, given.responseFile);
  }

  /** The line's fingerprint (line-fingerprints.ts), plain or not. */
  get print(): number {
    return this.nums[P_PRINT];
  }

  /** compact-record.ts KIND_REQUEST or KIND_RESPONSE. */
  get kind(): number {
    return this.ints[P_KIND];
  }

  get chained(): boolean {
    return (this.ints[P_BITS] & B_CHAINED) !== 0;
  }

  get seq(): number {
    return this.nums[P_SEQ];
  }

  get idHash(): number {
    return this.nums[P_ID_HASH];
  }

  /** As compact-record.ts codes it (0: none). */
  get reject(): number {
    return this.ints[P_REJECT];
  }
}

let shared: PlainLine | null = null;
