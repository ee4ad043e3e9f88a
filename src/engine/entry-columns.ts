/**
 * Entry storage: each entry's fields in four typed arrays (83 bytes an entry), its strings interned, its id kept for search (id-text.ts).
 *
 * The one place that knows the layout: writes go through `EntryColumns`, and the read side
 * (entry-read-back.ts, entry-query.ts) reads the arrays at the offsets of `LAYOUT`.
 */
import type { EntryState } from '../shared/entry.js';
import { ENTRY_STATES } from '../shared/entry.js';
import { wholeMsKey } from '../shared/duration-keys.js';
import { commandOf } from '../shared/query.js';
import type { Decision } from '../shared/schema.js';
import { type CompactRecord, DECISIONS, NO_RESOLVED } from './compact-record.js';
import { IdText } from './id-text.js';
import { type SharedStrings, StringPool } from './string-pool.js';
import { populate } from './native-scanner.js';

/** Entries whose pages are faulted in at once, ahead of the first written there (~1.3 MB). */
export const POPULATE_ENTRIES = 16 * 1024;

/** A record with where its line is. */
export interface LocatedCompact extends CompactRecord {
  seg: number;
  offset: number;
  length: number;
  /** 1-based line number within its segment. */
  line: number;
}

export const STATE_CODE = Object.fromEntries(ENTRY_STATES.map((s, i) => [s, i])) as Record<EntryState, number>;

/** STATE_CODE[state] without a keyed lookup by a string (one for every record joined). */
function stateCode(state: EntryState): number {
  switch (state) {
    case 'running':
      return 0;
    case 'ok':
      return 1;
    case 'failed':
      return 2;
    case 'denied':
      return 3;
    case 'timeout':
      return 4;
    default:
      return 5;
  }
}
if (ENTRY_STATES.some((st, i) => stateCode(st) !== i)) throw new Error('entry-columns: stateCode out of step with ENTRY_STATES');
const NO_DECISION = 255;

/**
 * A duration (latency, duration) in 32 bits: whole milliseconds below 2^31 as they are; with
 * the top bit, thousandths of one (a fraction of at most three decimals: what the writer
 * writes from a `performance.now()` difference) below 2^31 of them (35 minutes); NONE for
 * none (NaN); OUTLIER for anything else (days-long, negative, finer than 1 µs), kept aside.
 */
export const MS_NONE = 0xffffffff;
export const MS_OUTLIER = 0xfffffffe;
const MS_FRACTION = 0x80000000;

/** `ms` in 32 bits (see MS_NONE): its code, or MS_OUTLIER when it must be kept aside. */
function msCode(ms: number): number {
  if (ms !== ms) return MS_NONE;
  if (ms >= 0 && ms < MS_FRACTION && Number.isInteger(ms)) return ms;
  const thousandths = Math.round(ms * 1000);
  if (thousandths >= 0 && thousandths < MS_OUTLIER - MS_FRACTION && thousandths / 1000 === ms) return MS_FRACTION + thousandths;
  return MS_OUTLIER;
}

/** A duration's code back to milliseconds (MS_OUTLIER: ask the columns). */
export function msOfCode(code: number): number {
  return code < MS_FRACTION ? code : code === MS_NONE ? Number.NaN : (code - MS_FRACTION) / 1000;
}

/** A code's `durationKey` (duration-keys.ts) without going through milliseconds: thousandths are one already. Not for MS_NONE or MS_OUTLIER. */
export function keyOfCode(code: number): number {
  return code < MS_FRACTION ? wholeMsKey(code) : code - MS_FRACTION;
}

/** Where a line starts in its file: the low 32 bits in `u32`, the high 8 in `u8` (1 TiB); past that, kept aside. */
const HIGH_OUTLIER = 255;
const TWO_32 = 0x100000000;

/** Empty pipeline (an orphan response): command 0. */
const NO_COMMAND_KEY = '[]';

/**
 * The columns, interleaved per entry in four typed arrays (one per element type): an entry's
 * fields share a cache line, and there are four arrays to grow instead of twenty. Entry `s`
 * has its state at u8[s * U8 + ST], its time at f64[s * F64 + TM], its host at
 * pools[s * POOL + HO], and so on. `pools` is a Uint16Array until an id passes 65,535 (a log
 * of free-text reasons): then a Uint32Array, copied once. Only the id's hash and the time take
 * 8 bytes: durations and line offsets fit 32 bits (+ 8 for an offset) but for rare outliers,
 * kept aside in a map (msCode, `offset`): 83 bytes an entry instead of 97 (7.8 MB less at
 * 556,018 entries).
 *
 * A module that reads the arrays takes these as constants of its own (`const { U8, ST } =
 * LAYOUT`): in a loop over a million entries V8 reads a module's own constants faster than
 * imported bindings (queries and stats took 10–20% longer with imports, Node 20).
 */
export const LAYOUT = {
  U8: 7, // state, anomalies, flags, decision, reject kind; request and response offsets' high 8 bits
  ST: 0,
  AN: 1,
  FL: 2,
  DE: 3,
  RJ: 4, // rejectCode: 0 none
  QH: 5,
  PH: 6,
  U32: 11, // request seg, length, line; response seg, length, line; id; request and response offsets' low 32 bits; latency, duration (msCode)
  QS: 0,
  QL: 1,
  QN: 2,
  PS: 3,
  PL: 4,
  PN: 5,
  IX: 6, // where the id starts in `ids`
  QOFF: 7,
  POFF: 8,
  LAT: 9,
  DUR: 10,
  /** Ids in the string pools, in `pools` (16 bits each until a pool passes 65,535 strings). */
  POOL: 8, // host, session, reason, command; operator; resolved, request error, response error
  HO: 0,
  SE: 1,
  RE: 2,
  CM: 3,
  OP: 4, // who decided: an id in `operators` (0: none)
  RV: 5, // resolved paths: an id in `resolved` (0: none)
  EQ: 6, // the request's error: an id in `errors` (0: none)
  EP: 7, // the response's error
  F64: 2, // id hash, time
  ID: 0,
  TM: 1,
  // Bits of the flags byte (FL).
  PRIVILEGED: 1,
  POLICY: 2,
  HAS_REQUEST: 4,
  HAS_RESPONSE: 8,
  /** Withdrawn: none of its lines is in a file any more (a truncation took them); in no order. */
  LOST: 16,
} as const;
const { U8, ST, AN, FL, DE, RJ, QH, PH, U32, QS, QL, QN, PS, PL, PN, IX, QOFF, POFF, LAT, DUR, POOL, HO, SE, RE, CM, OP, RV, EQ, EP, F64, ID, TM, PRIVILEGED, POLICY, HAS_REQUEST, HAS_RESPONSE, LOST } = LAYOUT;

/** The key of entry `s`'s field `field` among the outliers. */
const outlierKey = (s: number, field: number) => s * 16 + field;

/** Decision → column code (DECISIONS order) without a search. */
function decisionCode(d: string): number {
  switch (d) {
    case 'approved':
      return 0;
    case 'denied':
      return 1;
    case 'timeout':
      return 2;
    default:
      return 3;
  }
}

export class EntryColumns {
  u8: Uint8Array;
  u32: Uint32Array;
  f64: Float64Array;
  pools: Uint16Array | Uint32Array;
  readonly hosts: StringPool;
  readonly sessions: StringPool;
  readonly reasons: StringPool;
  /** Pipelines as JSON text; id 0 is the empty pipeline of an orphan. */
  readonly commands: StringPool;
  private commandDisplay: string[] = [''];
  /** Who decided (operatorKey); id 0 is none. */
  readonly operators: StringPool;
  /** Resolved paths as JSON text; id 0 is none. Searched, never shown from here. */
  readonly resolved: StringPool;
  /** Request and response errors; id 0 is none. */
  readonly errors: StringPool;
  /** Every entry's id as search sees it (a part of an id finds it). */
  readonly ids = new IdText();
  /** Entries from here on have their pages not faulted in yet (aboutToWrite). */
  private populatedTo = 0;
  /** Values a column cannot hold (msCode's outliers, offsets past 1 TiB), by `outlierKey`; null until one comes (a fleet has thousands of columns). */
  private outliers: Map<number, number> | null = null;

  constructor(
    public capacity: number,
    /** The strings of other engines' columns, shared (a fleet's hosts); null: this one's own. */
    private readonly shared: SharedStrings | null = null,
  ) {
    this.hosts = new StringPool([], shared);
    this.sessions = new StringPool([], shared);
    this.reasons = new StringPool([], shared);
    this.commands = new StringPool([NO_COMMAND_KEY], shared);
    this.operators = new StringPool([''], shared);
    this.resolved = new StringPool([NO_RESOLVED], shared);
    this.errors = new StringPool([''], shared);
    this.u8 = new Uint8Array(capacity * U8);
    this.u32 = new Uint32Array(capacity * U32);
    this.f64 = new Float64Array(capacity * F64);
    this.pools = new Uint16Array(capacity * POOL);
  }

  /** Gives back the room its id text and string lists keep for more (a host read: a fleet follows thousands). */
  trimLists(): void {
    for (const pool of [this.hosts, this.sessions, this.reasons, this.commands, this.operators, this.resolved, this.errors]) pool.trim();
    this.commandDisplay = this.commandDisplay.slice();
    this.ids.trim();
  }

  /** New arrays with room for `capacity` entries; the first ones are copied (as many as fit). */
  resize(capacity: number): void {
    const keep = Math.min(capacity, this.capacity);
    const u8 = new Uint8Array(capacity * U8);
    const u32 = new Uint32Array(capacity * U32);
    const f64 = new Float64Array(capacity * F64);
    const pools = this.pools instanceof Uint16Array ? new Uint16Array(capacity * POOL) : new Uint32Array(capacity * POOL);
    // (The part copied into faulted in by one call an array, not a fault a page: a fleet's store
    // grows host by host, and its copies' faults were 430 ms of a 100-host `stats`, #17.)
    populateRows(u8, u32, f64, pools, 0, keep);
    u8.set(this.u8.subarray(0, keep * U8));
    u32.set(this.u32.subarray(0, keep * U32));
    f64.set(this.f64.subarray(0, keep * F64));
    pools.set(this.pools.subarray(0, keep * POOL));
    this.u8 = u8;
    this.u32 = u32;
    this.f64 = f64;
    this.pools = pools;
    this.capacity = capacity;
    // (What was copied is in memory; the rest of the new arrays is not.)
    this.populatedTo = keep;
  }

  /**
   * Entry `s` is about to be written, the first past those written: when its pages are not
   * faulted in yet, those of the next POPULATE_ENTRIES are, in one call per array
   * (native-scanner.ts `populate`), not a fault each as they are first written.
   */
  aboutToWrite(s: number): void {
    if (s < this.populatedTo) return;
    const to = Math.min(this.capacity, s + POPULATE_ENTRIES);
    this.populatedTo = to;
    populateRows(this.u8, this.u32, this.f64, this.pools, s, to);
  }

  /** Sets duration field `field` (LAT, DUR) of entry `s`. */
  private setMs(s: number, field: number, ms: number): void {
    const code = msCode(ms);
    this.u32[s * U32 + field] = code;
    if (code === MS_OUTLIER) (this.outliers ??= new Map()).set(outlierKey(s, field), ms);
    else this.outliers?.delete(outlierKey(s, field));
  }

  /** Duration field `field` (LAT, DUR) of entry `s`, in ms; NaN: none. */
  private ms(s: number, field: number): number {
    const code = this.u32[s * U32 + field];
    return code === MS_OUTLIER ? (this.outliers?.get(outlierKey(s, field)) as number) : msOfCode(code);
  }

  /** The request's latency (ms; NaN: none). */
  latency(s: number): number {
    return this.ms(s, LAT);
  }

  /** The response's duration (ms; NaN: none). */
  duration(s: number): number {
    return this.ms(s, DUR);
  }

  /** Sets duration field `field` (LAT, DUR) of entry `s` to none (`setMs` of NaN). */
  private noMs(s: number, field: number): void {
    this.u32[s * U32 + field] = MS_NONE;
    this.outliers?.delete(outlierKey(s, field));
  }

  /** Sets where a line of entry `s` starts (`low`: QOFF or POFF; `high`: QH or PH). */
  private setOffset(s: number, low: number, high: number, offset: number): void {
    if (offset < TWO_32) {
      // Nearly every line: no high byte (and no division).
      this.u32[s * U32 + low] = offset;
      this.u8[s * U8 + high] = 0;
      return;
    }
    const hi = Math.floor(offset / TWO_32);
    this.u32[s * U32 + low] = offset >>> 0;
    this.u8[s * U8 + high] = Math.min(hi, HIGH_OUTLIER);
    if (hi >= HIGH_OUTLIER) (this.outliers ??= new Map()).set(outlierKey(s, low), offset);
  }

  private offset(s: number, low: number, high: number): number {
    const hi = this.u8[s * U8 + high];
    return hi === HIGH_OUTLIER ? (this.outliers?.get(outlierKey(s, low)) as number) : hi * TWO_32 + this.u32[s * U32 + low];
  }

  /**
   * Copies the u8, u32 and f64 columns of `src`'s `n` entries from `first` on to entries `base`… here,
   * with the values kept aside (a fleet's store taking a host's entries over); pools, spans and
   * ids are the caller's to map.
   */
  copyRowsFrom(src: EntryColumns, n: number, base: number, first = 0): void {
    if (base + n > this.populatedTo) {
      populateRows(this.u8, this.u32, this.f64, this.pools, Math.max(base, this.populatedTo), base + n);
      this.populatedTo = base + n;
    }
    this.u8.set(src.u8.subarray(first * U8, (first + n) * U8), base * U8);
    this.u32.set(src.u32.subarray(first * U32, (first + n) * U32), base * U32);
    this.f64.set(src.f64.subarray(first * F64, (first + n) * F64), base * F64);
    if (src.outliers === null) return;
    for (const [key, value] of src.outliers) {
      const s = Math.floor(key / 16);
      if (s >= first && s < first + n) (this.outliers ??= new Map()).set(outlierKey(base + s - first, key % 16), value);
    }
  }

  /** Sets pool id field `field` of entry `s`, widening `pools` to 32 bits first when the id needs it. */
  private setPool(s: number, field: number, id: number): void {
    if (id > 0xffff && this.pools instanceof Uint16Array) this.pools = new Uint32Array(this.pools);
    this.pools[s * POOL + field] = id;
  }

  /**
   * `pools` for ids up to `highest` (the OR of the ids to write, all ≥ 0): widened to 32 bits
   * first when one needs it. (`new Uint32Array(pools)` copies in one pass; `Uint32Array.from`
   * iterated: 111 against 78 ms for 7M ids, once a log has 65,536 distinct strings of a kind.)
   */
  private poolsFor(highest: number): Uint16Array | Uint32Array {
    if (highest > 0xffff && this.pools instanceof Uint16Array) this.pools = new Uint32Array(this.pools);
    return this.pools;
  }

  writeRequest(s: number, r: LocatedCompact, state: EntryState, anomalies: number): void {
    // The strings' ids first, then every column in one go (#17: one write a field, one check of
    // the pools' width a record rather than a call and a check a field).
    // Each id as given (a scan worker's, mapped), else from the line's bytes, else from the record's strings.
    const b = r.bytes;
    const host = r.hostId >= 0 ? r.hostId : b ? this.hosts.internBytes(b, r.hostStart, r.hostEnd) : this.hosts.intern(r.host);
    const session = r.sessionId >= 0 ? r.sessionId : b ? this.sessions.internBytes(b, r.sessionStart, r.sessionEnd) : this.sessions.intern(r.session);
    const reason = r.reasonId >= 0 ? r.reasonId : b ? this.reasons.internBytes(b, r.reasonStart, r.reasonEnd) : this.reasons.intern(r.reason);
    const command = r.commandId >= 0 ? r.commandId : b ? this.commands.internBytes(b, r.commandStart, r.commandEnd) : this.commands.intern(r.commandKey);
    const resolved = r.resolvedId >= 0 ? r.resolvedId : !b ? this.resolved.intern(r.resolvedKey) : r.resolvedStart < 0 ? 0 : this.resolved.internBytes(b, r.resolvedStart, r.resolvedEnd);
    const error = r.errorId >= 0 ? r.errorId : !b ? this.errors.intern(r.error) : r.errorStart < 0 ? 0 : this.errors.internBytes(b, r.errorStart, r.errorEnd);
    const operator = r.operator === '' ? 0 : this.operators.intern(r.operator);
    const id = this.addId(r);
    const pools = this.poolsFor(host | session | reason | command | resolved | error | operator);
    const bp = s * POOL;
    pools[bp + HO] = host;
    pools[bp + SE] = session;
    pools[bp + RE] = reason;
    pools[bp + CM] = command;
    pools[bp + OP] = operator;
    pools[bp + RV] = resolved;
    pools[bp + EQ] = error;
    const { u8, u32, f64 } = this;
    const b8 = s * U8;
    u8[b8 + ST] = stateCode(state);
    u8[b8 + AN] = anomalies;
    u8[b8 + FL] = HAS_REQUEST | (r.privileged ? PRIVILEGED : 0) | (r.policy ? POLICY : 0);
    u8[b8 + DE] = decisionCode(r.decision);
    u8[b8 + RJ] = r.reject;
    const b64 = s * F64;
    f64[b64 + ID] = r.idHash;
    f64[b64 + TM] = r.timeMs;
    const b32 = s * U32;
    u32[b32 + QS] = r.seg;
    u32[b32 + QL] = r.length;
    u32[b32 + QN] = r.line;
    u32[b32 + IX] = id;
    this.setMs(s, LAT, r.latencyMs);
    this.noMs(s, DUR);
    this.setOffset(s, QOFF, QH, r.offset);
  }

  private addId(r: LocatedCompact): number {
    if (r.idShown !== null) return this.ids.addSearchBytes(r.idShown, r.idShownStart, r.idShownEnd);
    return r.bytes === null ? this.ids.add(r.id) : this.ids.addBytes(r.bytes, r.idStart, r.idEnd);
  }

  /** A response without its request: no request fields, empty strings, command 0. */
  writeOrphan(s: number, r: LocatedCompact, state: EntryState, anomalies: number): void {
    const { u8, u32, f64 } = this;
    u8[s * U8 + ST] = stateCode(state);
    u8[s * U8 + AN] = anomalies;
    u8[s * U8 + FL] = 0;
    this.noRequest(s);
    f64[s * F64 + ID] = r.idHash;
    f64[s * F64 + TM] = r.timeMs;
    u32[s * U32 + IX] = this.addId(r);
    this.writeResponse(s, r);
  }

  /** An entry without request fields: no decision, refusal, operator or latency; empty strings, command 0. */
  private noRequest(s: number): void {
    this.u8[s * U8 + DE] = NO_DECISION;
    this.u8[s * U8 + RJ] = 0;
    this.setMs(s, LAT, Number.NaN);
    this.setPool(s, OP, 0);
    this.setPool(s, HO, this.hosts.intern(''));
    this.setPool(s, SE, this.sessions.intern(''));
    this.setPool(s, RE, this.reasons.intern(''));
    this.setPool(s, CM, 0);
    this.setPool(s, RV, 0);
    this.setPool(s, EQ, 0);
  }

  writeResponse(s: number, r: LocatedCompact): void {
    const { u8, u32, f64 } = this;
    u8[s * U8 + FL] |= HAS_RESPONSE;
    this.setMs(s, DUR, r.durationMs);
    this.setOffset(s, POFF, PH, r.offset);
    const b32 = s * U32;
    u32[b32 + PS] = r.seg;
    u32[b32 + PL] = r.length;
    u32[b32 + PN] = r.line;
    this.setPool(s, EP, r.errorId >= 0 ? r.errorId : r.bytes === null ? this.errors.intern(r.error) : r.errorStart < 0 ? 0 : this.errors.internBytes(r.bytes, r.errorStart, r.errorEnd));
  }

  /**
   * The entry's request line is gone: what is left is its response, as an orphan's (whose
   * time is the response's), with `state` and `anomalies`.
   */
  forgetRequest(s: number, state: EntryState, anomalies: number, timeMs: number): void {
    const { u8, f64 } = this;
    u8[s * U8 + ST] = stateCode(state);
    u8[s * U8 + AN] = anomalies;
    u8[s * U8 + FL] &= ~(HAS_REQUEST | PRIVILEGED | POLICY);
    this.noRequest(s);
    f64[s * F64 + TM] = timeMs;
  }

  /** The entry's response line is gone: the entry is its request's alone again, in `state`. */
  forgetResponse(s: number, state: EntryState): void {
    this.u8[s * U8 + ST] = stateCode(state);
    this.u8[s * U8 + FL] &= ~HAS_RESPONSE;
    this.setMs(s, DUR, Number.NaN);
    this.setPool(s, EP, 0);
  }

  /** None of the entry's lines is left: it is withdrawn. */
  markLost(s: number): void {
    this.u8[s * U8 + FL] = LOST;
  }

  isLost(s: number): boolean {
    return (this.u8[s * U8 + FL] & LOST) !== 0;
  }

  hasRequest(s: number): boolean {
    return (this.u8[s * U8 + FL] & HAS_REQUEST) !== 0;
  }

  /** Where the entry's request and response lines are (span, offset, length). */
  requestLine(s: number): [seg: number, offset: number, length: number] {
    return [this.u32[s * U32 + QS], this.offset(s, QOFF, QH), this.u32[s * U32 + QL]];
  }

  responseLine(s: number): [seg: number, offset: number, length: number] {
    return [this.u32[s * U32 + PS], this.offset(s, POFF, PH), this.u32[s * U32 + PL]];
  }

  idHash(s: number): number {
    return this.f64[s * F64 + ID];
  }

  /** The request's decision; null for an orphan. */
  decision(s: number): Decision | null {
    return DECISIONS[this.u8[s * U8 + DE]] ?? null;
  }

  state(s: number): EntryState {
    return ENTRY_STATES[this.u8[s * U8 + ST]];
  }

  setState(s: number, state: EntryState): void {
    this.u8[s * U8 + ST] = stateCode(state);
  }

  /** The entry's anomaly bits (anomaliesOf names them). */
  anomalies(s: number): number {
    return this.u8[s * U8 + AN];
  }

  setAnomalies(s: number, anomalies: number): void {
    this.u8[s * U8 + AN] = anomalies;
  }

  hasResponse(s: number): boolean {
    return (this.u8[s * U8 + FL] & HAS_RESPONSE) !== 0;
  }

  /** A pipeline as shown and searched (`a | b`), worked out once per distinct pipeline. */
  commandText(id: number): string {
    let shown = this.commandDisplay[id];
    if (shown === undefined) {
      shown = commandOf(JSON.parse(this.commands.get(id)) as string[][]);
      if (this.shared !== null) shown = this.shared.canonical(shown);
      this.commandDisplay[id] = shown;
    }
    return shown;
  }
}

/** Faults in the pages of rows [from, to) of each column (native-scanner.ts `populate`: one call an array, once the addon is loaded). */
function populateRows(u8: Uint8Array, u32: Uint32Array, f64: Float64Array, pools: Uint16Array | Uint32Array, from: number, to: number): void {
  populate(u8.subarray(from * U8, to * U8));
  populate(u32.subarray(from * U32, to * U32));
  populate(f64.subarray(from * F64, to * F64));
  populate(pools.subarray(from * POOL, to * POOL));
}
