/**
 * Entries in columns: a few typed arrays and interned strings per entry (~100 bytes), so a
 * million entries fit in tens of MB. What is not kept (argv, env keys, ids, output sizes…) is
 * read back from the entry's lines by offset when an `Entry` is asked for; filters and stats
 * run over the columns directly.
 *
 * Implements the join's `EntrySink`: the same rules as the plain-object join (join.ts).
 */
import type { Entry, EntryFilter, EntryState, EntryStats, RecordLocation } from '../../shared/entry.js';
import { ENTRY_STATES } from '../../shared/entry.js';
import {
  anomaliesOf,
  applyResponse,
  type EntrySink,
  entryFromOrphan,
  entryFromRequest,
} from '../../shared/join.js';
import { parseLine } from '../../shared/parse-line.js';
import { commandOf, compileFilter, computeStats, type EntryFacts } from '../../shared/query.js';
import type { RequestRecord, ResponseRecord } from '../../shared/schema.js';
import { hashString } from './id-table.js';
import { type CompactRecord, DECISIONS } from './scan-record.js';
import type { Segments } from './segments.js';
import { StringPool } from './string-pool.js';

/** A record with where its line is. */
export interface LocatedCompact extends CompactRecord {
  seg: number;
  offset: number;
  length: number;
  /** 1-based line number within its segment. */
  line: number;
}

const STATE_CODE = Object.fromEntries(ENTRY_STATES.map((s, i) => [s, i])) as Record<EntryState, number>;
const NO_DECISION = 255;

const PRIVILEGED = 1;
const POLICY = 2;
const HAS_REQUEST = 4;
const HAS_RESPONSE = 8;

/** Empty pipeline (an orphan response): command 0. */
const NO_COMMAND_KEY = '[]';

const ENTRY_CACHE_SIZE = 4096;

class Columns {
  capacity: number;
  state: Uint8Array;
  anomalies: Uint8Array;
  flags: Uint8Array;
  decision: Uint8Array;
  idHash: Float64Array;
  timeMs: Float64Array;
  latency: Float64Array;
  duration: Float64Array;
  host: Uint32Array;
  session: Uint32Array;
  reason: Uint32Array;
  command: Uint32Array;
  reqSeg: Int32Array;
  reqOff: Float64Array;
  reqLen: Uint32Array;
  reqLine: Uint32Array;
  resSeg: Int32Array;
  resOff: Float64Array;
  resLen: Uint32Array;
  resLine: Uint32Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.state = new Uint8Array(capacity);
    this.anomalies = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.decision = new Uint8Array(capacity);
    this.idHash = new Float64Array(capacity);
    this.timeMs = new Float64Array(capacity);
    this.latency = new Float64Array(capacity);
    this.duration = new Float64Array(capacity);
    this.host = new Uint32Array(capacity);
    this.session = new Uint32Array(capacity);
    this.reason = new Uint32Array(capacity);
    this.command = new Uint32Array(capacity);
    this.reqSeg = new Int32Array(capacity);
    this.reqOff = new Float64Array(capacity);
    this.reqLen = new Uint32Array(capacity);
    this.reqLine = new Uint32Array(capacity);
    this.resSeg = new Int32Array(capacity);
    this.resOff = new Float64Array(capacity);
    this.resLen = new Uint32Array(capacity);
    this.resLine = new Uint32Array(capacity);
  }

  /** A copy with room for `capacity` entries. */
  grown(capacity: number): Columns {
    const next = new Columns(capacity);
    for (const key of Object.keys(this) as (keyof Columns)[]) {
      const from = this[key];
      if (ArrayBuffer.isView(from)) (next[key] as typeof from).set(from as never);
    }
    return next;
  }
}

export class EntryStore implements EntrySink<LocatedCompact, LocatedCompact> {
  private c: Columns;
  /** Slots in use; a slot is an entry's key. */
  count = 0;
  /** Position → slot for the entries shown (history indexed after the tail is not, until merged). */
  private order: Int32Array;
  visible = 0;
  readonly hosts = new StringPool();
  readonly sessions = new StringPool();
  readonly reasons = new StringPool();
  /** Pipelines as JSON text; id 0 is the empty pipeline of an orphan. */
  readonly commands = new StringPool([NO_COMMAND_KEY]);
  private readonly commandDisplay: string[] = [''];
  /** Slots changed since the last `takeTouched`, when tracking (live entries); null: not tracking. */
  touched: Set<number> | null = new Set();
  private readonly cache = new Map<number, Entry>();

  constructor(
    private readonly segments: Segments,
    expectedEntries = 1024,
  ) {
    this.c = new Columns(Math.max(1024, expectedEntries));
    this.order = new Int32Array(this.c.capacity);
  }

  // ---- EntrySink ----

  addRequest(r: LocatedCompact, state: EntryState, anomalies: number): number {
    const s = this.newSlot();
    const c = this.c;
    c.state[s] = STATE_CODE[state];
    c.anomalies[s] = anomalies;
    c.flags[s] = HAS_REQUEST | (r.privileged ? PRIVILEGED : 0) | (r.policy ? POLICY : 0);
    c.decision[s] = DECISIONS.indexOf(r.decision);
    c.idHash[s] = r.idHash;
    c.timeMs[s] = r.timeMs;
    c.latency[s] = r.latencyMs;
    c.duration[s] = Number.NaN;
    const b = r.bytes;
    if (b) {
      c.host[s] = this.hosts.internBytes(b, r.hostStart, r.hostEnd);
      c.session[s] = this.sessions.internBytes(b, r.sessionStart, r.sessionEnd);
      c.reason[s] = this.reasons.internBytes(b, r.reasonStart, r.reasonEnd);
      c.command[s] = this.commands.internBytes(b, r.commandStart, r.commandEnd);
    } else {
      c.host[s] = this.hosts.intern(r.host);
      c.session[s] = this.sessions.intern(r.session);
      c.reason[s] = this.reasons.intern(r.reason);
      c.command[s] = this.commands.intern(r.commandKey);
    }
    c.reqSeg[s] = r.seg;
    c.reqOff[s] = r.offset;
    c.reqLen[s] = r.length;
    c.reqLine[s] = r.line;
    c.resSeg[s] = -1;
    return s;
  }

  addOrphan(r: LocatedCompact, state: EntryState, anomalies: number): number {
    const s = this.newSlot();
    const c = this.c;
    c.state[s] = STATE_CODE[state];
    c.anomalies[s] = anomalies;
    c.flags[s] = 0;
    c.decision[s] = NO_DECISION;
    c.idHash[s] = r.idHash;
    c.timeMs[s] = r.timeMs;
    c.latency[s] = Number.NaN;
    c.host[s] = this.hosts.intern('');
    c.session[s] = this.sessions.intern('');
    c.reason[s] = this.reasons.intern('');
    c.command[s] = 0;
    c.reqSeg[s] = -1;
    this.writeResponse(s, r);
    return s;
  }

  setResponse(slot: number, r: LocatedCompact, state: EntryState): void {
    this.c.state[slot] = STATE_CODE[state];
    this.writeResponse(slot, r);
    this.touch(slot);
  }

  flag(slot: number, anomalies: number): void {
    const before = this.c.anomalies[slot];
    if ((before | anomalies) === before) return;
    this.c.anomalies[slot] = before | anomalies;
    this.touch(slot);
  }

  unflag(slot: number, anomalies: number): void {
    const before = this.c.anomalies[slot];
    if ((before & ~anomalies) === before) return;
    this.c.anomalies[slot] = before & ~anomalies;
    this.touch(slot);
  }

  state(slot: number): EntryState {
    return ENTRY_STATES[this.c.state[slot]];
  }

  hasResponse(slot: number): boolean {
    return (this.c.flags[slot] & HAS_RESPONSE) !== 0;
  }

  // ---- order ----

  /** Shows a slot after all others. */
  appendVisible(slot: number): void {
    if (this.visible === this.order.length) this.order = growInt32(this.order, this.order.length * 2);
    this.order[this.visible++] = slot;
  }

  /** Replaces the order (history merged in front of the tail). */
  setOrder(order: Int32Array, length: number): void {
    this.order = order;
    this.visible = length;
  }

  slotAt(position: number): number {
    if (!(position >= 0 && position < this.visible)) throw new RangeError(`no entry at position ${position} (size ${this.visible})`);
    return this.order[position];
  }

  /** The visible order, for building a merged one. */
  orderView(): Int32Array {
    return this.order.subarray(0, this.visible);
  }

  takeTouched(): Set<number> {
    const t = this.touched ?? new Set<number>();
    if (this.touched) this.touched = new Set();
    return t;
  }

  /** Line numbers of a segment became known: cached entries carry the old ones. */
  forgetCachedEntries(): void {
    this.cache.clear();
  }

  // ---- reading entries ----

  entry(position: number): Entry {
    const slot = this.slotAt(position);
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

  private materialize(s: number): Entry {
    const c = this.c;
    const state = ENTRY_STATES[c.state[s]];
    const hasRequest = (c.flags[s] & HAS_REQUEST) !== 0;
    const hasResponse = (c.flags[s] & HAS_RESPONSE) !== 0;
    const request = hasRequest ? this.reread(c.reqSeg[s], c.reqOff[s], c.reqLen[s], 'request', c.idHash[s]) : null;
    const response = hasResponse ? this.reread(c.resSeg[s], c.resOff[s], c.resLen[s], 'response', c.idHash[s]) : null;
    const reqLoc = hasRequest ? this.location(c.reqSeg[s], c.reqOff[s], c.reqLen[s], c.reqLine[s], request?.seq) : null;
    const resLoc = hasResponse ? this.location(c.resSeg[s], c.resOff[s], c.resLen[s], c.resLine[s], response?.seq) : null;
    let e: Entry;
    if (hasRequest) {
      e = request ? entryFromRequest(s, request as RequestRecord, reqLoc, state) : this.requestFromColumns(s, reqLoc, state);
      if (hasResponse) {
        if (response) applyResponse(e, response as ResponseRecord, resLoc);
        else {
          e.durationMs = c.duration[s];
          e.response = resLoc;
        }
      }
    } else {
      e = response ? entryFromOrphan(s, response as ResponseRecord, resLoc, state) : this.orphanFromColumns(s, resLoc, state);
    }
    e.state = state;
    e.anomalies = [...anomaliesOf(c.anomalies[s])];
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
    const c = this.c;
    const pipeline = JSON.parse(this.commands.get(c.command[s])) as string[][];
    const timeMs = c.timeMs[s];
    const decision = DECISIONS[c.decision[s]];
    const record: RequestRecord = {
      v: 1,
      type: 'request',
      id: '',
      time: Number.isFinite(timeMs) ? new Date(timeMs).toISOString() : '',
      host: this.hosts.get(c.host[s]),
      session: this.sessions.get(c.session[s]),
      pipeline,
      resolved: [],
      env_keys: [],
      reason: this.reasons.get(c.reason[s]),
      privileged: (c.flags[s] & PRIVILEGED) !== 0,
      decision,
      via: c.flags[s] & POLICY ? 'policy' : 'operator',
      latency_ms: Number.isNaN(c.latency[s]) ? null : c.latency[s],
    };
    const e = entryFromRequest(s, record, location, state);
    e.timeMs = timeMs;
    return e;
  }

  private orphanFromColumns(s: number, location: RecordLocation | null, state: EntryState): Entry {
    const timeMs = this.c.timeMs[s];
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
      duration_ms: this.c.duration[s],
    };
    const e = entryFromOrphan(s, record, location, state);
    e.stdoutLen = null;
    e.timeMs = timeMs;
    return e;
  }

  // ---- queries ----

  /** Positions (ascending) of visible entries that match. */
  query(filter: EntryFilter): Int32Array {
    const f = compileFilter(filter);
    const c = this.c;
    let stateMask = 0;
    if (f.states) for (const st of f.states) stateMask |= 1 << STATE_CODE[st];
    const hostOk = f.hosts ? membership(this.hosts, f.hosts) : null;
    const sessionOk = f.sessions ? membership(this.sessions, f.sessions) : null;
    const privileged = f.privileged === null ? -1 : f.privileged ? PRIVILEGED : 0;
    const since = f.sinceMs;
    const until = f.untilMs;
    const text = f.text;
    // Text is matched once per distinct command and reason, then looked up: -1 unknown, 0 no, 1 yes.
    const commandMatch = text ? new Int8Array(this.commands.size).fill(-1) : null;
    const reasonMatch = text ? new Int8Array(this.reasons.size).fill(-1) : null;
    const order = this.order;
    const out = new Int32Array(this.visible);
    let n = 0;
    for (let p = 0; p < this.visible; p++) {
      const s = order[p];
      if (stateMask !== 0 && (stateMask & (1 << c.state[s])) === 0) continue;
      if (hostOk && hostOk[c.host[s]] !== 1) continue;
      if (sessionOk && sessionOk[c.session[s]] !== 1) continue;
      if (privileged !== -1 && (c.flags[s] & PRIVILEGED) !== privileged) continue;
      if (since !== null && !(c.timeMs[s] >= since)) continue;
      if (until !== null && !(c.timeMs[s] < until)) continue;
      if (text && commandMatch && reasonMatch) {
        const cmd = c.command[s];
        let m = commandMatch[cmd];
        if (m === -1) m = commandMatch[cmd] = text.command(this.displayCommand(cmd)) ? 1 : 0;
        if (m === 0) {
          const r = c.reason[s];
          let rm = reasonMatch[r];
          if (rm === -1) rm = reasonMatch[r] = text.reason(this.reasons.get(r)) ? 1 : 0;
          if (rm === 0) continue;
        }
      }
      out[n++] = p;
    }
    return out.slice(0, n);
  }

  stats(positions: Int32Array | null): EntryStats {
    return computeStats(this.facts(positions));
  }

  /** One reused object per entry: what stats read, straight from the columns. */
  private *facts(positions: Int32Array | null): Generator<EntryFacts> {
    const c = this.c;
    const f: EntryFacts = { state: 'ok', host: '', session: '', privileged: false, timeMs: 0, latencyMs: null, durationMs: null, command: '', reason: '', anomalies: [] };
    const n = positions ? positions.length : this.visible;
    for (let i = 0; i < n; i++) {
      const s = this.order[positions ? positions[i] : i];
      f.state = ENTRY_STATES[c.state[s]];
      f.host = this.hosts.get(c.host[s]);
      f.session = this.sessions.get(c.session[s]);
      f.privileged = (c.flags[s] & PRIVILEGED) !== 0;
      f.timeMs = c.timeMs[s];
      f.latencyMs = Number.isNaN(c.latency[s]) ? null : c.latency[s];
      f.durationMs = Number.isNaN(c.duration[s]) ? null : c.duration[s];
      f.command = this.displayCommand(c.command[s]);
      f.reason = this.reasons.get(c.reason[s]);
      f.anomalies = anomaliesOf(c.anomalies[s]);
      yield f;
    }
  }

  private displayCommand(id: number): string {
    let shown = this.commandDisplay[id];
    if (shown === undefined) {
      shown = commandOf(JSON.parse(this.commands.get(id)) as string[][]);
      this.commandDisplay[id] = shown;
    }
    return shown;
  }

  // ---- internals ----

  private newSlot(): number {
    if (this.count === this.c.capacity) this.c = this.c.grown(Math.ceil(this.c.capacity * 1.5));
    return this.count++;
  }

  private writeResponse(s: number, r: LocatedCompact): void {
    const c = this.c;
    c.flags[s] |= HAS_RESPONSE;
    c.duration[s] = r.durationMs;
    c.resSeg[s] = r.seg;
    c.resOff[s] = r.offset;
    c.resLen[s] = r.length;
    c.resLine[s] = r.line;
  }

  private touch(slot: number): void {
    this.cache.delete(slot);
    this.touched?.add(slot);
  }
}

function growInt32(a: Int32Array, capacity: number): Int32Array {
  const next = new Int32Array(capacity);
  next.set(a);
  return next;
}

function membership(pool: StringPool, names: ReadonlySet<string>): Uint8Array {
  const ok = new Uint8Array(pool.size);
  for (const name of names) {
    const id = pool.find(name);
    if (id !== -1) ok[id] = 1;
  }
  return ok;
}
