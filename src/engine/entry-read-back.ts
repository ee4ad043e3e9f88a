/**
 * Entry read-back: an `Entry` from its lines re-read by offset, or from the columns when a line is gone.
 *
 * lnav's model: the index keeps where lines are, not their text; argv, env keys, ids, output
 * sizes… come back from the lines when an entry is shown. Recently asked entries are cached by
 * slot, and their lines checked against their fingerprints again when asked (~4 µs of CPU, where
 * a hit was 0.2: a screen's rows, ~0.2 ms a frame), or a line rewritten after its entry was
 * cached would go unsaid for as long as the entry stays cached.
 *
 * A line a truncation took is no part of an entry: once the follower has looked, the store has
 * withdrawn it (truncation-loss.ts); before that, the entry is given as it will be then — a
 * request without its response is running, a response without its request an orphan — and a
 * followed file truncated under the reader is read from logrotate's copy. Only an entry none of
 * whose lines can be read any more falls back to what the columns kept.
 */
import type { Entry, EntryLines, EntryState, LineSource, RecordLocation, ScannedLine } from '../shared/entry.js';
import { chainFieldsOf } from '../shared/chain.js';
import { ENTRY_STATES } from '../shared/entry.js';
import { ANOMALY_BITS, anomaliesOf, applyResponse, entryFromOrphan, entryFromRequest, responseFailed, stateOfDecision } from '../shared/join.js';
import { parseLine } from '../shared/parse-line.js';
import type { RequestRecord, ResponseRecord } from '../shared/schema.js';
import { type EntryColumns, LAYOUT } from './entry-columns.js';
import { hashString } from './id-table.js';
import { DECISIONS, rejectOfCode } from './compact-record.js';
import type { FileSpans } from './file-spans.js';
import type { LineFingerprints } from './line-fingerprints.js';
import { CheckedLineScan, LINE_LENGTH, LINE_NUMBER, LINE_OFFSET, LINE_PRINT, LINE_SPAN, ROW_ANOMALIES, ROW_FLAGS, ROW_HAS_REQUEST, ROW_HAS_RESPONSE, ROW_ID_HASH, ROW_REQUEST, ROW_RESPONSE, ROW_STATE } from './entry-line-rows.js';

const { U8, ST, AN, FL, DE, RJ, U32, IX, POOL, HO, SE, RE, CM, QN, PN, F64, ID, TM, PRIVILEGED, POLICY, HAS_REQUEST, HAS_RESPONSE } = LAYOUT;

/** What `reread` gives for a line rewritten in place since it was indexed (not merely gone). */
const REWRITTEN = 'rewritten';

const ENTRY_CACHE_SIZE = 4096;
/**
 * Entries read one after another past this many (slot after slot: `print` of everything, an
 * export) are not cached: each would only push out one a screen needs, and keeping thousands
 * alive long enough to be promoted cost `print --json` 15–20 % of its CPU in GC. A screen is
 * far shorter than this.
 */
export const UNCACHED_RUN = 512;
/** The id as the writers write it (a JSON string value holds no bare quote: only a key matches). */
const ID_KEY = Buffer.from('"id":"');
const QUOTE = 0x22;

/** A record read back, and the file it was read from when that is not its span's (a copy). */
interface ReadBack {
  record: RequestRecord | ResponseRecord;
  file: string | null;
}

export class EntryReader {
  /** Slot → entry, least recently asked first. */
  /** (Made at first use: a fleet follows thousands of hosts, and an empty Map or Set holds a table of ~140 bytes.) */
  private cache: Map<number, Entry> | null = null;
  /** The last slot read back (not from the cache), and how many before it were read in order. */
  private lastRead = -2;
  private run = 0;
  private readonly linesAt: SlotLines;

  constructor(
    private readonly columns: EntryColumns,
    private readonly segments: FileSpans,
    /** Entry.origin of every entry. */
    private readonly origin: string,
    /** The indexed lines' fingerprints (null: not kept, lines are not checked). */
    private readonly prints: LineFingerprints | null = null,
  ) {
    this.linesAt = new SlotLines(columns, segments, prints);
  }

  entry(slot: number): Entry {
    const hit = this.cache?.get(slot);
    if (hit) {
      this.cache?.delete(slot);
      // (A line rewritten in place since it was cached: read again, which says so.)
      if (this.stillAsIndexed(slot)) {
        this.cache?.set(slot, hit);
        return hit;
      }
    }
    const e = this.materialize(slot);
    this.run = slot === this.lastRead + 1 ? this.run + 1 : 0;
    this.lastRead = slot;
    if (this.run >= UNCACHED_RUN) return e;
    const cache = (this.cache ??= new Map());
    cache.set(slot, e);
    if (cache.size > ENTRY_CACHE_SIZE) cache.delete(cache.keys().next().value as number);
    return e;
  }

  /**
   * The entry's id, for a query over many entries: from its line's bytes without parsing the
   * record when they say it plainly and it hashes to the id the index holds; else read back
   * whole (the cache left as it was).
   */
  idOf(slot: number): string {
    const hit = this.cache?.get(slot);
    if (hit) return hit.id;
    const { u8, f64 } = this.columns;
    const request = (u8[slot * U8 + FL] & HAS_REQUEST) !== 0;
    const bytes = lineOf(this.columns, this.segments, slot, request ? 'request' : 'response');
    const at = bytes ? bytes.indexOf(ID_KEY) : -1;
    if (bytes && at >= 0) {
      const end = bytes.indexOf(QUOTE, at + ID_KEY.length);
      const id = end < 0 ? '' : bytes.toString('utf8', at + ID_KEY.length, end);
      if (id !== '' && !id.includes('\\') && hashString(id) === f64[slot * F64 + ID]) return id;
    }
    return this.materialize(slot).id;
  }

  /**
   * The entry in `slot` as its lines, for writing it from their bytes (one object, reused);
   * `origin` for a reader shared by several hosts' rows.
   */
  lines(slot: number, origin = this.origin): EntryLines {
    this.linesAt.at(slot, origin);
    return this.linesAt;
  }

  /** The entry in `slot` packed as a row at `rows[at…]` (entry-line-rows.ts), for another thread to write it from its lines. */
  packRow(slot: number, rows: Float64Array, at: number): void {
    const { u8, f64 } = this.columns;
    const flags = u8[slot * U8 + FL];
    rows[at + ROW_STATE] = u8[slot * U8 + ST];
    rows[at + ROW_ANOMALIES] = u8[slot * U8 + AN];
    rows[at + ROW_FLAGS] = ((flags & HAS_REQUEST) !== 0 ? ROW_HAS_REQUEST : 0) | ((flags & HAS_RESPONSE) !== 0 ? ROW_HAS_RESPONSE : 0);
    rows[at + ROW_ID_HASH] = f64[slot * F64 + ID];
    this.packLine(slot, 'request', rows, at + ROW_REQUEST);
    this.packLine(slot, 'response', rows, at + ROW_RESPONSE);
  }

  /** Where packed rows' lines are read from: each span's file and descriptor (a pooled span's none). */
  lineSources(): LineSource[] {
    return this.segments.list.map((s) => ({ file: s.file, fd: s.pooled === null ? s.fd : -1, end: s.end }));
  }

  private packLine(slot: number, which: 'request' | 'response', rows: Float64Array, at: number): void {
    const request = which === 'request';
    const [seg, offset, length] = request ? this.columns.requestLine(slot) : this.columns.responseLine(slot);
    rows[at + LINE_SPAN] = seg;
    rows[at + LINE_OFFSET] = offset;
    rows[at + LINE_LENGTH] = length;
    rows[at + LINE_NUMBER] = this.segments.lineNumber(seg, this.columns.u32[slot * U32 + (request ? QN : PN)]);
    rows[at + LINE_PRINT] = this.prints === null ? Number.NaN : this.prints.kept(slot, which);
  }

  /**
   * A cached entry's lines still read as they were indexed: the cache would otherwise hide a
   * line rewritten in place since (shown as it was, but never said) for as long as it is kept.
   * A line that cannot be read (truncated) leaves the entry as it is.
   */
  private stillAsIndexed(slot: number): boolean {
    const prints = this.prints;
    if (prints === null) return true;
    const flags = this.columns.u8[slot * U8 + FL];
    for (const which of ['request', 'response'] as const) {
      if ((flags & (which === 'request' ? HAS_REQUEST : HAS_RESPONSE)) === 0) continue;
      const bytes = lineOf(this.columns, this.segments, slot, which);
      if (bytes !== null && !prints.matches(slot, which, bytes)) return false;
    }
    return true;
  }

  /** The entry in `slot` changed. */
  forget(slot: number): void {
    this.cache?.delete(slot);
  }

  forgetAll(): void {
    this.cache?.clear();
  }

  private materialize(s: number): Entry {
    const { u8, u32, f64 } = this.columns;
    const state = ENTRY_STATES[u8[s * U8 + ST]];
    const flags = u8[s * U8 + FL];
    const hasRequest = (flags & HAS_REQUEST) !== 0;
    const hasResponse = (flags & HAS_RESPONSE) !== 0;
    const idHash = f64[s * F64 + ID];
    const [qs, qo, ql] = this.columns.requestLine(s);
    const [ps, po, pl] = this.columns.responseLine(s);
    const [qn, pn] = [u32[s * U32 + QN], u32[s * U32 + PN]];
    const requestRead = hasRequest ? this.reread(qs, qo, ql, 'request', idHash, s, qn) : null;
    // A request line rewritten since it was read: what the index kept of it, never the new bytes.
    const requestRewritten = requestRead === REWRITTEN;
    const request = requestRewritten ? null : requestRead;
    const responseRead = hasResponse ? this.reread(ps, po, pl, 'response', idHash, s, pn) : null;
    const response = responseRead === REWRITTEN ? null : responseRead;
    const reqLoc = hasRequest ? this.location(qs, qo, ql, qn, request) : null;
    const resLoc = hasResponse ? this.location(ps, po, pl, pn, response) : null;
    let anomalies = u8[s * U8 + AN];
    let e: Entry;
    if (request) {
      // A response a truncation took (not withdrawn yet): the request's alone, as it will be.
      const req = request.record as RequestRecord;
      e = entryFromRequest(s, req, reqLoc, response || !hasResponse ? state : stateOfDecision(req.decision));
      if (response) applyResponse(e, response.record as ResponseRecord, resLoc);
    } else if (requestRewritten) {
      e = this.requestFromColumns(s, reqLoc, state);
      if (response) {
        e.id = response.record.id;
        applyResponse(e, response.record as ResponseRecord, resLoc);
      }
    } else if (response) {
      // No request, or one a truncation took: an orphan response.
      const res = response.record as ResponseRecord;
      e = entryFromOrphan(s, res, resLoc, hasRequest ? (responseFailed(res) ? 'failed' : 'ok') : state);
      if (hasRequest) anomalies = (anomalies & ~(ANOMALY_BITS['duplicate-id'] | ANOMALY_BITS.interrupted)) | ANOMALY_BITS['orphan-response'];
    } else if (hasRequest) {
      // Nothing of it can be read (a file changed under a read without a follower): what the
      // columns hold, and no outcome it cannot show.
      e = this.requestFromColumns(s, reqLoc, hasResponse ? stateOfDecision(DECISIONS[u8[s * U8 + DE]]) : state);
    } else {
      e = this.orphanFromColumns(s, resLoc, state);
    }
    e.origin = this.origin;
    e.anomalies = [...anomaliesOf(anomalies)];
    return e;
  }

  /** The response record of the entry in `slot`, read back; null when it cannot be. */
  response(slot: number): ResponseRecord | null {
    const [seg, offset, length] = this.columns.responseLine(slot);
    const read = this.reread(seg, offset, length, 'response', this.columns.f64[slot * F64 + ID], slot, this.columns.u32[slot * U32 + PN]);
    return read && read !== REWRITTEN ? (read.record as ResponseRecord) : null;
  }

  /**
   * A record's line read back and checked to be the one indexed (the file may have been
   * truncated since, or the line rewritten in place: its fingerprint), with the file it was
   * read from when that is not its span's. A line rewritten is REWRITTEN (what the index kept
   * is shown) and is listed as changed; null when it cannot be read at all.
   */
  private reread(seg: number, offset: number, length: number, type: 'request' | 'response', idHash: number, slot: number, line: number): ReadBack | typeof REWRITTEN | null {
    let record: RequestRecord | ResponseRecord | null = null;
    const prints = this.prints;
    const check = (bytes: Buffer) => {
      const ok = prints === null || prints.matches(slot, type, bytes);
      const parsed = ok ? parseLine(bytes) : null;
      record = parsed?.ok && parsed.record.type === type && hashString(parsed.record.id) === idHash ? (parsed.record as RequestRecord | ResponseRecord) : null;
      return record !== null;
    };
    const bytes = this.segments.readLine(seg, offset, length);
    if (bytes && check(bytes)) return { record: record as unknown as RequestRecord | ResponseRecord, file: null };
    // (Judged now: the copy's read reuses the buffer `bytes` are in.)
    const rewritten = bytes !== null && prints !== null && !prints.matches(slot, type, bytes);
    // Truncated under the follower, which has not looked yet: logrotate's copy holds it, or
    // what the follower read last (cited where it was read: it is in no file now).
    const copy = this.segments.readLineTruncated(seg, offset, length, check);
    if (copy !== null) return { record: record as unknown as RequestRecord | ResponseRecord, file: copy || null };
    // Bytes where the line was, and no copy of it: the line was rewritten after it was read.
    if (!rewritten) return null;
    prints.foundChanged(seg, line, slot);
    return REWRITTEN;
  }

  private location(seg: number, offset: number, length: number, line: number, read: ReadBack | null): RecordLocation {
    // The seq of a chained record only (chain.ts's one rule): a `seq` without a valid `prev` places nothing.
    const seq = read === null ? null : (chainFieldsOf(read.record)?.seq ?? null);
    return { file: read?.file ?? this.segments.get(seg).file, line: this.segments.lineNumber(seg, line), offset, length, seq };
  }

  /**
   * The id from what the index kept of it for search (shown, lower-cased) when that is the id
   * itself — it hashes to the entry's id — else '' (never a near id made up).
   */
  private idFromColumns(s: number): string {
    const c = this.columns;
    const text = Buffer.from(c.ids.searchBytesAt(c.u32[s * U32 + IX])).toString('utf8');
    return hashString(text) === c.f64[s * F64 + ID] ? text : '';
  }

  /** When a line cannot be read back (truncated since, or rewritten): what the index kept. */
  private requestFromColumns(s: number, location: RecordLocation | null, state: EntryState): Entry {
    const c = this.columns;
    const { u8, f64, pools } = c;
    const pipeline = JSON.parse(c.commands.get(pools[s * POOL + CM])) as string[][];
    const timeMs = f64[s * F64 + TM];
    const latency = c.latency(s);
    const flags = u8[s * U8 + FL];
    const record: RequestRecord = {
      v: 1,
      type: 'request',
      id: this.idFromColumns(s),
      time: '', // as sent: unknown (the time it was read as stays in timeMs)
      host: c.hosts.get(pools[s * POOL + HO]),
      session: c.sessions.get(pools[s * POOL + SE]),
      pipeline,
      resolved: [],
      env_keys: [],
      reason: c.reasons.get(pools[s * POOL + RE]),
      privileged: (flags & PRIVILEGED) !== 0,
      decision: DECISIONS[u8[s * U8 + DE]],
      via: flags & POLICY ? 'policy' : 'operator',
      latency_ms: Number.isNaN(latency) ? null : latency,
    };
    const reject = rejectOfCode(u8[s * U8 + RJ]);
    if (reject !== null) record.reject = reject;
    const e = entryFromRequest(s, record, location, state);
    e.timeMs = timeMs; // the indexed time: the writer's when the record had one
    return e;
  }

  private orphanFromColumns(s: number, location: RecordLocation | null, state: EntryState): Entry {
    const f64 = this.columns.f64;
    const timeMs = f64[s * F64 + TM];
    const record: ResponseRecord = {
      v: 1,
      type: 'response',
      id: this.idFromColumns(s),
      time: '',
      status: state === 'failed' ? 'error' : 'ok',
      error: null,
      stages: [],
      stdout_len: 0,
      stdout_truncated: false,
      duration_ms: this.columns.duration(s),
    };
    const e = entryFromOrphan(s, record, location, state);
    e.stdoutLen = null;
    e.timeMs = timeMs;
    return e;
  }
}

/** The bytes of the slot's request or response line as they are now (the reader's scratch buffer), null when they cannot be read. */
function lineOf(columns: EntryColumns, segments: FileSpans, slot: number, which: 'request' | 'response'): Buffer | null {
  return segments.readLine(...(which === 'request' ? columns.requestLine(slot) : columns.responseLine(slot)));
}

/** EntryLines over the columns: the facts of one slot, its lines read on demand. */
class SlotLines implements EntryLines {
  private slot = 0;
  private readonly scan = new CheckedLineScan();
  state: EntryState = 'running';
  anomalies = 0;
  idHash = 0;
  hasRequest = false;
  hasResponse = false;
  origin = '';

  constructor(
    private readonly columns: EntryColumns,
    private readonly segments: FileSpans,
    private readonly prints: LineFingerprints | null,
  ) {}

  at(slot: number, origin: string): void {
    const { u8, f64 } = this.columns;
    this.slot = slot;
    this.origin = origin;
    this.state = ENTRY_STATES[u8[slot * U8 + ST]];
    this.anomalies = u8[slot * U8 + AN];
    this.idHash = f64[slot * F64 + ID];
    const flags = u8[slot * U8 + FL];
    this.hasRequest = (flags & HAS_REQUEST) !== 0;
    this.hasResponse = (flags & HAS_RESPONSE) !== 0;
  }

  /** (Null too when the line is not the one indexed: the caller reads the entry whole, which says so.) */
  read(which: 'request' | 'response'): Uint8Array | null {
    const bytes = lineOf(this.columns, this.segments, this.slot, which);
    if (bytes === null) return null;
    return this.scan.check(bytes, which, this.prints === null ? null : this.prints.kept(this.slot, which));
  }

  scanned(which: 'request' | 'response'): ScannedLine | null {
    return this.scan.scanned(which);
  }

  location(which: 'request' | 'response'): { file: string; line: number; offset: number } {
    const request = which === 'request';
    const [seg, offset] = request ? this.columns.requestLine(this.slot) : this.columns.responseLine(this.slot);
    return { file: this.segments.get(seg).file, line: this.segments.lineNumber(seg, this.columns.u32[this.slot * U32 + (request ? QN : PN)]), offset };
  }
}
