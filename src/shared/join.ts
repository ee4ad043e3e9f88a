/**
 * Joining: a request record and the response with the same `id` become one entry with a state.
 * Anomalies are flagged, never dropped (see `Anomaly` in entry.ts).
 *
 * The state machine (`Joiner`) is separate from where entries are kept (`EntrySink`): the
 * engine keeps compact columns, and the tests' oracle (test/shared/oracles/entry-joiner.ts)
 * plain `Entry` objects, under the same rules. Pure: no I/O.
 */
import type { Anomaly, Entry, EntryState, RecordLocation } from './entry.js';
import type { Decision, RequestRecord, ResponseRecord } from './schema.js';

// ---- anomalies as bits ----

export const ANOMALY_BITS: Readonly<Record<Anomaly, number>> = {
  'orphan-response': 1,
  'duplicate-id': 2,
  'second-response': 4,
  interrupted: 8,
  unchained: 16,
};
export const ANOMALIES: readonly Anomaly[] = ['orphan-response', 'duplicate-id', 'second-response', 'interrupted', 'unchained'];

const maskArrays: Anomaly[][] = Array.from({ length: 32 }, (_, mask) => ANOMALIES.filter((a) => (mask & ANOMALY_BITS[a]) !== 0));

/** The anomalies of a bit mask, in a fixed order. Shared frozen arrays: do not mutate. */
export function anomaliesOf(mask: number): readonly Anomaly[] {
  return maskArrays[mask & 31];
}

// ---- state rules ----

/** The state a request starts in: approved ones run until their response arrives. */
export function stateOfDecision(decision: Decision): EntryState {
  return decision === 'approved' ? 'running' : decision;
}

/** Failed: a non-zero exit in any stage, or status error. */
export function responseFailed(r: Pick<ResponseRecord, 'status' | 'stages'>): boolean {
  if (r.status !== 'ok') return true;
  for (const s of r.stages) if (s.exit_code !== 0) return true;
  return false;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * A record's time field in ms since the epoch; NaN unless it is a real ISO 8601 instant with a
 * zone (sudo-proxy sends `YYYY-MM-DDTHH:MM:SSZ`). Stricter than Date.parse, which reads "1" as
 * 2001 and rolls February 31 over into March: a forged time must not sort as a real one.
 */
/**
 * The time a record counts at: the writer's own clock (`logged`) when the record has it, else
 * the `time` field (older records, other writers). A client chooses `time`; it must not decide
 * which time window a request falls in.
 */
export const recordTimeMs = (r: { time: string; logged?: string }): number => parseRecordTime(r.logged ?? r.time);

export function parseRecordTime(s: string): number {
  const m = ISO_TIME.exec(s);
  if (!m) return Number.NaN;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = +m[4];
  const minute = +m[5];
  const second = m[6] === undefined ? 0 : +m[6];
  const leap = month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)) return Number.NaN;
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0')); // sub-ms digits are cut, as Date.parse does
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year < 100) t = new Date(t).setUTCFullYear(year); // Date.UTC maps 0–99 to 1900–1999
  if (m[9] !== undefined) {
    const offH = +m[10];
    const offM = +m[11];
    if (offH > 23 || offM > 59) return Number.NaN;
    t -= (m[9] === '+' ? 1 : -1) * (offH * 60 + offM) * 60_000;
  }
  return t;
}

// ---- the state machine ----

/** What the join rules need from a request and a response; stores may carry more. */
export interface JoinRequest {
  decision: Decision;
  /** Carries seq/prev. */
  chained: boolean;
}
export interface JoinResponse {
  failed: boolean;
  chained: boolean;
}

/** Where entries are kept. Slots are the entries' keys. */
export interface EntrySink<Req, Res> {
  addRequest(request: Req, state: EntryState, anomalies: number): number;
  addOrphan(response: Res, state: EntryState, anomalies: number): number;
  /** The first response of an entry; `state` is its new state (unchanged for a non-approved one). */
  setResponse(slot: number, response: Res, state: EntryState): void;
  flag(slot: number, anomalies: number): void;
  unflag(slot: number, anomalies: number): void;
  state(slot: number): EntryState;
  hasResponse(slot: number): boolean;
}

/** id → slot of the latest entry with that id. */
export interface IdIndex<K> {
  get(id: K): number; // -1 when unknown
  /** Sets the slot of `id`; returns the one it had, or -1. */
  put(id: K, slot: number): number;
}

/** What a response did. */
export const DEFERRED = -1;

/** The running list is not pruned below this many slots. */
const MIN_PRUNE = 1024;

export class Joiner<K, Req extends JoinRequest, Res extends JoinResponse> {
  /**
   * Slots that were running when registered; some have had their response since (they are
   * dropped from here lazily: at the next writer start, or when the list has doubled since it
   * was last pruned — else it held every approved request of a log, 4.4 MB and 9 MB of copies
   * for 556,018 entries).
   */
  private running: number[] = [];
  private pruneAt = MIN_PRUNE;

  constructor(
    private readonly sink: EntrySink<Req, Res>,
    private readonly ids: IdIndex<K>,
    /**
     * Keep responses whose request is unknown out of the entries (return DEFERRED) instead of
     * making orphans: used for a tail read before its history, where the request may still come.
     */
    public deferOrphans = false,
  ) {}

  /** Adds a request's entry. Returns its slot. */
  request(id: K, request: Req): number {
    const slot = this.sink.addRequest(request, stateOfDecision(request.decision), request.chained ? 0 : ANOMALY_BITS.unchained);
    this.register(id, slot);
    return slot;
  }

  /**
   * Replays a request whose entry already exists (read before this joiner's records, as a
   * tail before its history): it is checked against what this joiner knows and registered.
   */
  rejoin(id: K, request: JoinRequest, slot: number): void {
    if (!request.chained) this.sink.flag(slot, ANOMALY_BITS.unchained);
    this.register(id, slot);
  }

  private register(id: K, slot: number): void {
    if (this.ids.put(id, slot) !== -1) this.sink.flag(slot, ANOMALY_BITS['duplicate-id']);
    this.track(slot);
  }

  /** Keeps `slot` among the running, when it is. */
  private track(slot: number): void {
    if (this.sink.state(slot) !== 'running') return;
    this.running.push(slot);
    if (this.running.length >= this.pruneAt) this.prune();
  }

  /**
   * Drops the slots no longer running. (Apart from `track`, which runs for every request: a
   * function holding a closure over `this` allocates its context at each call, taken or not.)
   */
  private prune(): void {
    this.running = this.running.filter((s) => this.sink.state(s) === 'running');
    this.pruneAt = Math.max(MIN_PRUNE, 2 * this.running.length);
  }

  /** Slots held as maybe running (some may have had their response since). */
  get tracked(): number {
    return this.running.length;
  }

  /** Joins a response to the latest request with its id. Returns the slot it went to, or DEFERRED. */
  response(id: K, response: Res): number {
    const slot = this.ids.get(id);
    const unchained = response.chained ? 0 : ANOMALY_BITS.unchained;
    if (slot === -1) {
      if (this.deferOrphans) return DEFERRED;
      const orphan = this.sink.addOrphan(response, response.failed ? 'failed' : 'ok', ANOMALY_BITS['orphan-response'] | unchained);
      this.ids.put(id, orphan);
      return orphan;
    }
    if (this.sink.hasResponse(slot)) {
      this.sink.flag(slot, ANOMALY_BITS['second-response'] | unchained);
      return slot;
    }
    const state = this.sink.state(slot);
    this.sink.setResponse(slot, response, state === 'running' ? (response.failed ? 'failed' : 'ok') : state);
    if (unchained) this.sink.flag(slot, unchained);
    if (state === 'running') this.sink.unflag(slot, ANOMALY_BITS.interrupted);
    return slot;
  }

  /** The entry at `slot` is running again (its response was withdrawn): a writer restart interrupts it too. */
  reopen(slot: number): void {
    this.track(slot);
  }

  /** A writer (re)started: whatever was still running under the old one is interrupted. */
  writerStart(): void {
    const still: number[] = [];
    for (const slot of this.running) {
      if (this.sink.state(slot) !== 'running') continue;
      this.sink.flag(slot, ANOMALY_BITS.interrupted);
      still.push(slot);
    }
    this.running = still;
  }
}

// ---- plain Entry objects (the engine builds them on demand from its columns) ----

/** The fields of issue #15 for an entry whose record does not say them (an orphan, an older writer). */
export function unsaid(): Pick<Entry, 'reject' | 'always' | 'escalation' | 'forwardAgent' | 'clientVersion' | 'operator'> {
  return { reject: null, always: false, escalation: null, forwardAgent: null, clientVersion: null, operator: null };
}

/** The outcome fields of an entry no response has reached yet (fresh arrays each time). */
function noOutcome(): Pick<Entry, 'completedTime' | 'completedMs' | 'status' | 'error' | 'stages' | 'stdoutLen' | 'stdoutTruncated' | 'durationMs'> {
  return { completedTime: null, completedMs: Number.NaN, status: null, error: null, stages: [], stdoutLen: null, stdoutTruncated: false, durationMs: null };
}

export function entryFromRequest(key: number, r: RequestRecord, location: RecordLocation | null, state: EntryState): Entry {
  return {
    key,
    id: r.id,
    origin: '',
    state,
    time: r.time,
    logged: r.logged ?? null,
    timeMs: recordTimeMs(r),
    host: r.host,
    session: r.session,
    pipeline: r.pipeline,
    resolved: r.resolved,
    envKeys: r.env_keys,
    reason: r.reason,
    privileged: r.privileged,
    decision: r.decision,
    via: r.via,
    latencyMs: r.latency_ms,
    requestError: r.error ?? null,
    reject: r.reject ?? null,
    always: r.always === true,
    escalation: r.escalation ?? null,
    forwardAgent: r.forward_agent ?? null,
    clientVersion: r.client_version ?? null,
    operator: r.operator ?? null,
    ...noOutcome(),
    request: location,
    response: null,
    anomalies: [],
  };
}

/** Copies a response's fields into an entry. */
export function applyResponse(entry: Entry, r: ResponseRecord, location: RecordLocation | null): void {
  entry.completedTime = r.time;
  entry.completedMs = recordTimeMs(r);
  entry.status = r.status;
  entry.error = r.error;
  entry.stages = r.stages.map((s) => ({ exitCode: s.exit_code, stderrLen: s.stderr_len, stderrTruncated: s.stderr_truncated }));
  entry.stdoutLen = r.stdout_len;
  entry.stdoutTruncated = r.stdout_truncated;
  entry.durationMs = r.duration_ms;
  entry.response = location;
}

export function entryFromOrphan(key: number, r: ResponseRecord, location: RecordLocation | null, state: EntryState): Entry {
  const entry: Entry = {
    key,
    id: r.id,
    origin: '',
    state,
    time: r.time,
    logged: r.logged ?? null,
    timeMs: recordTimeMs(r),
    host: '',
    session: '',
    pipeline: [],
    resolved: [],
    envKeys: [],
    reason: '',
    privileged: false,
    decision: null,
    via: null,
    latencyMs: null,
    requestError: null,
    ...unsaid(),
    ...noOutcome(),
    request: null,
    response: null,
    anomalies: [],
  };
  applyResponse(entry, r, location);
  return entry;
}
