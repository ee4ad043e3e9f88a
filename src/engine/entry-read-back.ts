/**
 * Entry read-back: an `Entry` from its lines re-read by offset, or from the columns when a line is gone.
 *
 * lnav's model: the index keeps where lines are, not their text; argv, env keys, ids, output
 * sizes… come back from the lines when an entry is shown. A line truncated away since falls
 * back to what the columns kept. Recently asked entries are cached by slot.
 */
import type { Entry, EntryState, RecordLocation } from '../shared/entry.js';
import { ENTRY_STATES } from '../shared/entry.js';
import { anomaliesOf, applyResponse, entryFromOrphan, entryFromRequest } from '../shared/join.js';
import { parseLine } from '../shared/parse-line.js';
import type { RequestRecord, ResponseRecord } from '../shared/schema.js';
import { type EntryColumns, LAYOUT } from './entry-columns.js';
import { hashString } from './id-table.js';
import { DECISIONS } from './compact-record.js';
import type { FileSpans } from './file-spans.js';

const { U8, ST, AN, FL, DE, U32, HO, SE, RE, CM, QS, QL, QN, PS, PL, PN, F64, ID, TM, LA, DU, QO, PO, PRIVILEGED, POLICY, HAS_REQUEST, HAS_RESPONSE } = LAYOUT;

const ENTRY_CACHE_SIZE = 4096;

export class EntryReader {
  /** Slot → entry, least recently asked first. */
  private readonly cache = new Map<number, Entry>();

  constructor(
    private readonly columns: EntryColumns,
    private readonly segments: FileSpans,
    /** Entry.origin of every entry. */
    private readonly origin: string,
  ) {}

  entry(slot: number): Entry {
    const hit = this.cache.get(slot);
    if (hit) {
      this.cache.delete(slot);
      this.cache.set(slot, hit);
      return hit;
    }
    const e = this.materialize(slot);
    this.cache.set(slot, e);
    if (this.cache.size > ENTRY_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as number);
    return e;
  }

  /** The entry in `slot` changed. */
  forget(slot: number): void {
    this.cache.delete(slot);
  }

  forgetAll(): void {
    this.cache.clear();
  }

  private materialize(s: number): Entry {
    const { u8, u32, f64 } = this.columns;
    const state = ENTRY_STATES[u8[s * U8 + ST]];
    const flags = u8[s * U8 + FL];
    const hasRequest = (flags & HAS_REQUEST) !== 0;
    const hasResponse = (flags & HAS_RESPONSE) !== 0;
    const idHash = f64[s * F64 + ID];
    const [qs, ql, qn, qo] = [u32[s * U32 + QS], u32[s * U32 + QL], u32[s * U32 + QN], f64[s * F64 + QO]];
    const [ps, pl, pn, po] = [u32[s * U32 + PS], u32[s * U32 + PL], u32[s * U32 + PN], f64[s * F64 + PO]];
    const request = hasRequest ? this.reread(qs, qo, ql, 'request', idHash) : null;
    const response = hasResponse ? this.reread(ps, po, pl, 'response', idHash) : null;
    const reqLoc = hasRequest ? this.location(qs, qo, ql, qn, request?.seq) : null;
    const resLoc = hasResponse ? this.location(ps, po, pl, pn, response?.seq) : null;
    let e: Entry;
    if (hasRequest) {
      e = request ? entryFromRequest(s, request as RequestRecord, reqLoc, state) : this.requestFromColumns(s, reqLoc, state);
      if (hasResponse) {
        if (response) applyResponse(e, response as ResponseRecord, resLoc);
        else {
          e.durationMs = f64[s * F64 + DU];
          e.response = resLoc;
        }
      }
    } else {
      e = response ? entryFromOrphan(s, response as ResponseRecord, resLoc, state) : this.orphanFromColumns(s, resLoc, state);
    }
    e.state = state;
    e.origin = this.origin;
    e.anomalies = [...anomaliesOf(u8[s * U8 + AN])];
    return e;
  }

  /** A record's line read back and checked to be the one indexed (the file may have been truncated since). */
  private reread(seg: number, offset: number, length: number, type: 'request' | 'response', idHash: number) {
    const bytes = this.segments.readLine(seg, offset, length);
    if (!bytes) return null;
    const parsed = parseLine(bytes);
    if (!parsed.ok || parsed.record.type !== type || hashString(parsed.record.id) !== idHash) return null;
    return parsed.record;
  }

  private location(seg: number, offset: number, length: number, line: number, seq: number | undefined): RecordLocation {
    const segment = this.segments.get(seg);
    const base = segment.lineBase;
    return { file: segment.file, line: Number.isNaN(base) ? 0 : base + line, offset, length, seq: seq ?? null };
  }

  /** When a line cannot be read back (truncated since): what the index kept. */
  private requestFromColumns(s: number, location: RecordLocation | null, state: EntryState): Entry {
    const c = this.columns;
    const { u8, u32, f64 } = c;
    const pipeline = JSON.parse(c.commands.get(u32[s * U32 + CM])) as string[][];
    const timeMs = f64[s * F64 + TM];
    const latency = f64[s * F64 + LA];
    const flags = u8[s * U8 + FL];
    const record: RequestRecord = {
      v: 1,
      type: 'request',
      id: '',
      time: Number.isFinite(timeMs) ? new Date(timeMs).toISOString() : '',
      host: c.hosts.get(u32[s * U32 + HO]),
      session: c.sessions.get(u32[s * U32 + SE]),
      pipeline,
      resolved: [],
      env_keys: [],
      reason: c.reasons.get(u32[s * U32 + RE]),
      privileged: (flags & PRIVILEGED) !== 0,
      decision: DECISIONS[u8[s * U8 + DE]],
      via: flags & POLICY ? 'policy' : 'operator',
      latency_ms: Number.isNaN(latency) ? null : latency,
    };
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
      id: '',
      time: Number.isFinite(timeMs) ? new Date(timeMs).toISOString() : '',
      status: state === 'failed' ? 'error' : 'ok',
      error: null,
      stages: [],
      stdout_len: 0,
      stdout_truncated: false,
      duration_ms: f64[s * F64 + DU],
    };
    const e = entryFromOrphan(s, record, location, state);
    e.stdoutLen = null;
    e.timeMs = timeMs;
    return e;
  }
}
