/**
 * Entries in columns: a few typed arrays and interned strings per entry (~100 bytes), so a
 * million entries fit in tens of MB. What is not kept (argv, env keys, ids, output sizes…) is
 * read back from the entry's lines by offset when an `Entry` is asked for; filters and stats
 * run over the columns directly.
 *
 * Implements the join's `EntrySink`: the same rules as the plain-object join (join.ts).
 */
import type { Entry, EntryFilter, EntryState, EntryStats, RecordLocation } from '../shared/entry.js';
import { ENTRY_STATES } from '../shared/entry.js';
import {
  anomaliesOf,
  applyResponse,
  type EntrySink,
  entryFromOrphan,
  entryFromRequest,
} from '../shared/join.js';
import { parseLine } from '../shared/parse-line.js';
import { commandOf, compileFilter, emptyCounts, finishStats, type StatsParts } from '../shared/query.js';
import type { RequestRecord, ResponseRecord } from '../shared/schema.js';
import { hashString } from './id-table.js';
import { type CompactRecord, DECISIONS } from './compact-record.js';
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

/**
 * The columns, interleaved per entry in three typed arrays (one per element type): an entry's
 * fields share a cache line, and there are three arrays to grow instead of twenty.
 */
const U8 = 4; // state, anomalies, flags, decision
const ST = 0;
const AN = 1;
const FL = 2;
const DE = 3;
const U32 = 10; // host, session, reason, command; request seg, length, line; response seg, length, line
const HO = 0;
const SE = 1;
const RE = 2;
const CM = 3;
const QS = 4;
const QL = 5;
const QN = 6;
const PS = 7;
const PL = 8;
const PN = 9;
const F64 = 6; // id hash, time, latency, duration, request offset, response offset
const ID = 0;
const TM = 1;
const LA = 2;
const DU = 3;
const QO = 4;
const PO = 5;

class Columns {
  readonly u8: Uint8Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;

  constructor(readonly capacity: number) {
    this.u8 = new Uint8Array(capacity * U8);
    this.u32 = new Uint32Array(capacity * U32);
    this.f64 = new Float64Array(capacity * F64);
  }

  /** A copy with room for `capacity` entries. */
  grown(capacity: number): Columns {
    const next = new Columns(capacity);
    next.u8.set(this.u8);
    next.u32.set(this.u32);
    next.f64.set(this.f64);
    return next;
  }

  /** A copy with room for `capacity` entries, fewer than now: the first `capacity` are kept. */
  resized(capacity: number): Columns {
    const next = new Columns(capacity);
    next.u8.set(this.u8.subarray(0, capacity * U8));
    next.u32.set(this.u32.subarray(0, capacity * U32));
    next.f64.set(this.f64.subarray(0, capacity * F64));
    return next;
  }
}

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
    /** Entry.origin of every entry here (one engine reads one collected host, or plain files: ''). */
    readonly origin = '',
  ) {
    this.c = new Columns(Math.max(1024, expectedEntries));
    this.order = new Int32Array(this.c.capacity);
  }

  // ---- EntrySink ----

  addRequest(r: LocatedCompact, state: EntryState, anomalies: number): number {
    const s = this.newSlot();
    const { u8, u32, f64 } = this.c;
    const b8 = s * U8;
    u8[b8 + ST] = STATE_CODE[state];
    u8[b8 + AN] = anomalies;
    u8[b8 + FL] = HAS_REQUEST | (r.privileged ? PRIVILEGED : 0) | (r.policy ? POLICY : 0);
    u8[b8 + DE] = decisionCode(r.decision);
    const b64 = s * F64;
    f64[b64 + ID] = r.idHash;
    f64[b64 + TM] = r.timeMs;
    f64[b64 + LA] = r.latencyMs;
    f64[b64 + DU] = Number.NaN;
    f64[b64 + QO] = r.offset;
    const b32 = s * U32;
    if (r.hostId >= 0) {
      u32[b32 + HO] = r.hostId;
      u32[b32 + SE] = r.sessionId;
      u32[b32 + RE] = r.reasonId;
      u32[b32 + CM] = r.commandId;
    } else if (r.bytes) {
      const b = r.bytes;
      u32[b32 + HO] = this.hosts.internBytes(b, r.hostStart, r.hostEnd);
      u32[b32 + SE] = this.sessions.internBytes(b, r.sessionStart, r.sessionEnd);
      u32[b32 + RE] = this.reasons.internBytes(b, r.reasonStart, r.reasonEnd);
      u32[b32 + CM] = this.commands.internBytes(b, r.commandStart, r.commandEnd);
    } else {
      u32[b32 + HO] = this.hosts.intern(r.host);
      u32[b32 + SE] = this.sessions.intern(r.session);
      u32[b32 + RE] = this.reasons.intern(r.reason);
      u32[b32 + CM] = this.commands.intern(r.commandKey);
    }
    u32[b32 + QS] = r.seg;
    u32[b32 + QL] = r.length;
    u32[b32 + QN] = r.line;
    return s;
  }

  addOrphan(r: LocatedCompact, state: EntryState, anomalies: number): number {
    const s = this.newSlot();
    const { u8, u32, f64 } = this.c;
    u8[s * U8 + ST] = STATE_CODE[state];
    u8[s * U8 + AN] = anomalies;
    u8[s * U8 + FL] = 0;
    u8[s * U8 + DE] = NO_DECISION;
    f64[s * F64 + ID] = r.idHash;
    f64[s * F64 + TM] = r.timeMs;
    f64[s * F64 + LA] = Number.NaN;
    u32[s * U32 + HO] = this.hosts.intern('');
    u32[s * U32 + SE] = this.sessions.intern('');
    u32[s * U32 + RE] = this.reasons.intern('');
    u32[s * U32 + CM] = 0;
    this.writeResponse(s, r);
    return s;
  }

  setResponse(slot: number, r: LocatedCompact, state: EntryState): void {
    this.c.u8[slot * U8 + ST] = STATE_CODE[state];
    this.writeResponse(slot, r);
    this.touch(slot);
  }

  flag(slot: number, anomalies: number): void {
    const u8 = this.c.u8;
    const before = u8[slot * U8 + AN];
    if ((before | anomalies) === before) return;
    u8[slot * U8 + AN] = before | anomalies;
    this.touch(slot);
  }

  unflag(slot: number, anomalies: number): void {
    const u8 = this.c.u8;
    const before = u8[slot * U8 + AN];
    if ((before & ~anomalies) === before) return;
    u8[slot * U8 + AN] = before & ~anomalies;
    this.touch(slot);
  }

  state(slot: number): EntryState {
    return ENTRY_STATES[this.c.u8[slot * U8 + ST]];
  }

  hasResponse(slot: number): boolean {
    return (this.c.u8[slot * U8 + FL] & HAS_RESPONSE) !== 0;
  }

  /** Gives back reserved room beyond `spare` more entries (a fleet holds hundreds of small stores). */
  trim(spare: number): void {
    const capacity = Math.max(1024, this.count + spare);
    if (capacity < this.c.capacity) this.c = this.c.resized(capacity);
    if (this.visible + spare < this.order.length) this.order = this.order.slice(0, Math.max(1024, this.visible + spare));
  }

  /** Makes room for `capacity` entries at once (one copy now rather than several later). */
  reserve(capacity: number): void {
    if (capacity > this.c.capacity) this.c = this.c.grown(capacity);
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

  /** Request times of the entries at positions [from, to), in one array (a fleet merges them). */
  timesAt(from: number, to: number): Float64Array {
    const out = new Float64Array(Math.max(0, to - from));
    const f64 = this.c.f64;
    for (let p = from; p < to; p++) out[p - from] = f64[this.slotAt(p) * F64 + TM];
    return out;
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
    const { u8, u32, f64 } = this.c;
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
    const { u8, u32, f64 } = this.c;
    const pipeline = JSON.parse(this.commands.get(u32[s * U32 + CM])) as string[][];
    const timeMs = f64[s * F64 + TM];
    const latency = f64[s * F64 + LA];
    const flags = u8[s * U8 + FL];
    const record: RequestRecord = {
      v: 1,
      type: 'request',
      id: '',
      time: Number.isFinite(timeMs) ? new Date(timeMs).toISOString() : '',
      host: this.hosts.get(u32[s * U32 + HO]),
      session: this.sessions.get(u32[s * U32 + SE]),
      pipeline,
      resolved: [],
      env_keys: [],
      reason: this.reasons.get(u32[s * U32 + RE]),
      privileged: (flags & PRIVILEGED) !== 0,
      decision: DECISIONS[u8[s * U8 + DE]],
      via: flags & POLICY ? 'policy' : 'operator',
      latency_ms: Number.isNaN(latency) ? null : latency,
    };
    const e = entryFromRequest(s, record, location, state);
    e.timeMs = timeMs;
    return e;
  }

  private orphanFromColumns(s: number, location: RecordLocation | null, state: EntryState): Entry {
    const timeMs = this.c.f64[s * F64 + TM];
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
      duration_ms: this.c.f64[s * F64 + DU],
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
    if (f.origins && !f.origins.has(this.origin)) return new Int32Array(0);
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
    const { u8, u32, f64 } = this.c;
    const out = new Int32Array(this.visible);
    let n = 0;
    for (let p = 0; p < this.visible; p++) {
      const s = order[p];
      if (stateMask !== 0 && (stateMask & (1 << u8[s * U8 + ST])) === 0) continue;
      if (hostOk && hostOk[u32[s * U32 + HO]] !== 1) continue;
      if (sessionOk && sessionOk[u32[s * U32 + SE]] !== 1) continue;
      if (privileged !== -1 && (u8[s * U8 + FL] & PRIVILEGED) !== privileged) continue;
      if (since !== null && !(f64[s * F64 + TM] >= since)) continue;
      if (until !== null && !(f64[s * F64 + TM] < until)) continue;
      if (text && commandMatch && reasonMatch) {
        const cmd = u32[s * U32 + CM];
        let m = commandMatch[cmd];
        if (m === -1) m = commandMatch[cmd] = text.command(this.displayCommand(cmd)) ? 1 : 0;
        if (m === 0) {
          const r = u32[s * U32 + RE];
          let rm = reasonMatch[r];
          if (rm === -1) rm = reasonMatch[r] = text.reason(this.reasons.get(r)) ? 1 : 0;
          if (rm === 0) continue;
        }
      }
      out[n++] = p;
    }
    return out.slice(0, n);
  }

  /** Stats over the visible entries at `positions` (all when null). */
  stats(positions: Int32Array | null): EntryStats {
    return finishStats(this.statsParts(positions));
  }

  /** What stats are made of, for the entries at `positions` (all when null): counted by number, named once. */
  statsParts(positions: Int32Array | null): StatsParts {
    const { u8, u32, f64 } = this.c;
    const n = positions ? positions.length : this.visible;
    const states = new Uint32Array(ENTRY_STATES.length);
    const masks = new Uint32Array(32);
    const hostCounts = new Uint32Array(this.hosts.size);
    const sessionCounts = new Uint32Array(this.sessions.size);
    const commandCounts = new Uint32Array(this.commands.size);
    const latency = new Float64Array(n);
    const duration = new Float64Array(n);
    const times = new Float64Array(n);
    const order = this.order;
    let nl = 0;
    let nd = 0;
    let nt = 0;
    for (let i = 0; i < n; i++) {
      const s = order[positions === null ? i : positions[i]];
      const b8 = s * U8;
      const b32 = s * U32;
      const b64 = s * F64;
      states[u8[b8 + ST]]++;
      masks[u8[b8 + AN] & 31]++;
      hostCounts[u32[b32 + HO]]++;
      sessionCounts[u32[b32 + SE]]++;
      commandCounts[u32[b32 + CM]]++;
      const l = f64[b64 + LA];
      if (l === l) latency[nl++] = l; // not NaN
      const d = f64[b64 + DU];
      if (d === d) duration[nd++] = d;
      const t = f64[b64 + TM];
      if (t - t === 0) times[nt++] = t; // finite
    }
    const { byState, anomalies } = emptyCounts();
    ENTRY_STATES.forEach((st, code) => (byState[st] = states[code]));
    masks.forEach((count, mask) => {
      if (count > 0) for (const a of anomaliesOf(mask)) anomalies[a] += count;
    });
    const named = (counts: Uint32Array, name: (id: number) => string, skipEmpty = false) => {
      const out = new Map<string, number>();
      counts.forEach((count, id) => {
        if (count === 0) return;
        const key = name(id);
        if (skipEmpty && key === '') return;
        out.set(key, (out.get(key) ?? 0) + count);
      });
      return out;
    };
    return {
      total: n,
      byState,
      anomalies,
      hosts: named(hostCounts, (id) => this.hosts.get(id)),
      origins: new Map(this.origin !== '' && n > 0 ? [[this.origin, n]] : []),
      sessions: named(sessionCounts, (id) => this.sessions.get(id)),
      commands: named(commandCounts, (id) => this.displayCommand(id), true),
      latency: latency.subarray(0, nl),
      duration: duration.subarray(0, nd),
      times: times.subarray(0, nt),
    };
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
    const { u8, u32, f64 } = this.c;
    u8[s * U8 + FL] |= HAS_RESPONSE;
    f64[s * F64 + DU] = r.durationMs;
    f64[s * F64 + PO] = r.offset;
    u32[s * U32 + PS] = r.seg;
    u32[s * U32 + PL] = r.length;
    u32[s * U32 + PN] = r.line;
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
