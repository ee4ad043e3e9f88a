/**
 * The contract between the log engine and its users (TUI, CLI): what a joined entry is, how
 * entries are filtered and summarised, and what the engine that follows files offers.
 * Types only; implementations live in join.ts / query.ts (pure) and the follower (I/O).
 */
import type { BreakKind } from './chain.js';
import type { Escalation, PolicyBy, RejectKind } from './format-constants.js';
import type { Decision, Via } from './schema.js';

/** Who decided (a record's `operator`): the daemon's OS user, the terminal it prompts on, the machine. */
export interface Operator {
  uid: number;
  /** The name of `uid` ('' when the writer could not tell). */
  user: string;
  /** The terminal the daemon prompts on; null: none (pkexec mode, no terminal). */
  tty: string | null;
  hostname: string;
}

/** One request with its outcome. */
export type EntryState = 'running' | 'ok' | 'failed' | 'denied' | 'timeout' | 'rejected';
export const ENTRY_STATES: readonly EntryState[] = ['running', 'ok', 'failed', 'denied', 'timeout', 'rejected'];

/**
 * Kept and flagged, never dropped:
 * - orphan-response: a response whose request is not in the files read (rotated away, or forged);
 * - duplicate-id: a second request with an id already seen (each is its own entry);
 * - second-response: a further response for an entry that already had one (first one wins);
 * - interrupted: still running when its writer stopped or restarted (a `writer` stop or start record followed);
 * - unchained: a record without seq/prev.
 */
export type Anomaly = 'orphan-response' | 'duplicate-id' | 'second-response' | 'interrupted' | 'unchained';

/** Where a record's line is, to re-read it (detail view) or cite it (file:line). */
export interface RecordLocation {
  file: string;
  /** 1-based line number; 0 while unknown (a tail read before the lines in front of it are counted). */
  line: number;
  /** Byte offset of the line's first byte; `length` bytes without the newline. */
  offset: number;
  length: number;
  seq: number | null;
}

export interface StageOutcome {
  exitCode: number;
  stderrLen: number;
  stderrTruncated: boolean;
}

export interface Entry {
  /** Stable for the engine's life, unique per entry (ids can repeat: see duplicate-id). */
  key: number;
  id: string;
  /**
   * The host the record was collected from: its directory under a collector (see
   * collector-dir.ts). Beside `host`, the label the request itself carries (which a client
   * chooses). '' when the files were read directly.
   */
  origin: string;
  state: EntryState;
  /** The request's time field as sent by the client (for an orphan response: the response's time). */
  time: string;
  /** When the writer wrote that record, by its own clock; null for a record from before the field (or another writer). */
  logged: string | null;
  /** The entry's time in ms since the epoch: `logged` parsed, else `time` (recordTimeMs); NaN when unparseable. Filters use it. */
  timeMs: number;
  host: string;
  session: string;
  /** Stages, each an argv. Empty for an orphan response. */
  pipeline: string[][];
  resolved: (string | null)[];
  envKeys: string[];
  reason: string;
  privileged: boolean;
  /** Null for an orphan response. */
  decision: Decision | null;
  via: Via | null;
  latencyMs: number | null;
  /** Why a rejected request was refused. */
  requestError: string | null;
  /** Which refusal it was (a rejected request from a writer that says); null otherwise. */
  reject: RejectKind | null;
  /** Approved with `a` (ApprovedAlways): the operator turned the prompt off for what follows. */
  always: boolean;
  /** How it was run: sudo, pkexec or directly ('none'); null when the record does not say. */
  escalation: Escalation | null;
  /** SSH agent forwarded to the command; null when the record does not say. */
  forwardAgent: boolean | null;
  /** The client's version as it sent it; null when the record does not say. */
  clientVersion: string | null;
  /** Who decided; null when the record does not say (older writers). */
  operator: Operator | null;
  /** From the response (null while running or when not approved); `completedMs` by the writer's clock when it has one. */
  completedTime: string | null;
  completedMs: number;
  status: 'ok' | 'error' | null;
  error: string | null;
  stages: StageOutcome[];
  stdoutLen: number | null;
  stdoutTruncated: boolean;
  durationMs: number | null;
  request: RecordLocation | null;
  response: RecordLocation | null;
  anomalies: Anomaly[];
}

/** Shared by the TUI's filter keys and the CLI's flags. Every field narrows; absent = any. */
export interface EntryFilter {
  /** Any of these states. */
  states?: readonly EntryState[];
  hosts?: readonly string[];
  /** Collected from any of these hosts (Entry.origin). */
  origins?: readonly string[];
  sessions?: readonly string[];
  privileged?: boolean;
  /** Request time bounds, ms since the epoch (inclusive since, exclusive until). */
  sinceMs?: number;
  untilMs?: number;
  /** state failed (non-zero exit in a stage, or status error). */
  failedOnly?: boolean;
  /** Case-insensitive substring of any searched field as displayed: id, host, session, origin, command, resolved paths, reason, errors. */
  text?: string;
  /** Alternative to `text`. */
  regex?: RegExp;
  /** The id starts with this (`print --id`: a unique prefix, as git takes one). */
  idPrefix?: string;
  /** Only security events (a replayed request: `reject` replay). */
  security?: boolean;
  /** Decided by any of these operators: each matched against the operator's user name or uid (as digits). */
  operators?: readonly string[];
}

/** A security event among the entries: a request refused as a replay (a policy change is a log event: WriterEvent). */
export function isSecurityEntry(e: Pick<Entry, 'reject'>): boolean {
  return e.reject === 'replay';
}

/** Whether an operator is one that a `--operator NAME` names: its user name, or its uid as digits. */
export function operatorMatches(o: Operator | null, names: ReadonlySet<string>): boolean {
  return o !== null && (names.has(o.user) || names.has(String(o.uid)));
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface EntryStats {
  total: number;
  byState: Record<EntryState, number>;
  /** Sorted by count, descending. */
  byHost: Array<{ host: string; count: number }>;
  /** Per collected host (Entry.origin), sorted by count; empty unless reading a collector directory. */
  byOrigin: Array<{ origin: string; count: number }>;
  bySession: Array<{ session: string; count: number }>;
  /** Decision latency of prompted requests. */
  latency: Percentiles | null;
  /** Duration of completed executions. */
  duration: Percentiles | null;
  /** Requests per minute over the covered time, oldest first; `startMs` is the first bucket's start. */
  perMinute: { startMs: number; counts: number[] };
  /** Most frequent commands (pipeline as displayed), descending. */
  topCommands: Array<{ command: string; count: number }>;
  anomalies: Record<Anomaly, number>;
  /** Rejected requests per refusal kind (those whose record names one). */
  rejects: Record<RejectKind, number>;
}

/** A line that is not a valid record: counted and surfaced, never fatal. */
export interface MalformedLine {
  file: string;
  line: number;
  offset: number;
  /** e.g. 'not JSON', 'invalid UTF-8', 'over the 1 MiB line cap', 'schema: pipeline: expected array'. */
  reason: string;
}

/** A value a policy setting takes (a `policy` record's old and new). */
export type PolicyValue = boolean | number | string | null;

/** A `policy` record: the daemon's policy changed (a security event). */
export interface PolicyChange {
  setting: string;
  old: PolicyValue;
  new: PolicyValue;
  /** The request whose prompt caused it; null when none did. */
  requestId: string | null;
  by: PolicyBy;
}

/**
 * A record listed beside the entries, placed among them: the writer's life (restarts, and
 * records it could not write: `dropped`), and a change of the daemon's policy (`policy`).
 */
export interface WriterEvent {
  event: 'start' | 'stop' | 'dropped' | 'policy';
  time: string;
  /** The writer's pid (0 for a policy change, whose record has none). */
  pid: number;
  /** Who ran the writer (`start`) or made the change (`policy`), when the record says. */
  operator?: Operator | null;
  /** event `policy`: what changed. */
  policy?: PolicyChange;
  /** Records lost (event `dropped`), else 0. */
  dropped: number;
  error: string | null;
  location: RecordLocation;
  /** Collected host ('' for files read directly). */
  origin?: string;
  /** event `start` only: the writer before it ended without a `stop` record (it crashed or was killed). */
  afterCrash?: boolean;
  /** event `dropped`: when the first and last lost records were due, when the writer knows. */
  firstTime?: string | null;
  lastTime?: string | null;
  /**
   * Entries before this event in log order, as of the call to `writerEvents()`: its row goes
   * just before entry position `position` (= size() when it is the newest thing in the log).
   */
  position?: number;
}

/** How far the engine has checked the hash chain as it read, and what it found. */
export interface ChainStatus {
  /**
   * 'broken' as soon as a break is found (while checking too: a break is certain once found);
   * else 'checking' until every file has been hashed, then 'intact'.
   */
  state: 'checking' | 'intact' | 'broken';
  /** Records whose link to the line before them was checked so far. */
  checked: number;
  /** Chained records known so far (checked ≤ total), for "checking N of M". */
  total: number;
  /** Records without seq/prev: not part of any chain, counted. */
  unchained: number;
  /**
   * Chained records of collected hosts that came after their turn (below the seq a host's check
   * started from, later than the records held for a late batch, or a copy that could not be
   * compared with its first) and could not be linked here: not vouched for by `state`, counted so
   * that nothing goes unchecked in silence. `verify DIR` checks them in seq order. 0 for a file.
   */
  unchecked: number;
  /** Where the `unchecked` records are: each collected host with some, and how many (the first UNCHECKED_HOSTS_LISTED hosts); absent for files. */
  uncheckedIn?: readonly UncheckedHost[];
  /** The breaks in log order, the first CHAIN_BREAKS_LISTED of them; `breakCount` counts all. */
  breaks: readonly ChainBreakSeen[];
  breakCount: number;
}

/** The seal records of one chain, where each line is (seal records are rare: a small list). */
export interface SealRecords {
  /** Collected host ('' for files read directly). */
  origin: string;
  /** Each seal record's line, in chain order. */
  locations: readonly RecordLocation[];
  /** The first and last chained record's seq checked so far (null: none): records after the last seal are unsealed. */
  firstSeq: number | null;
  lastSeq: number | null;
  /** The exact bytes of `locations[i]`'s line, read again now; null when no file holds them any more, or when they are not the bytes read first (the chain status names the line modified). */
  line(i: number): Uint8Array | null;
}

/** A collected host with records its chain check could not link (ChainStatus.unchecked). */
export interface UncheckedHost {
  origin: string;
  count: number;
}

/** Hosts ChainStatus.uncheckedIn lists at most (a few: verify DIR names every record). */
export const UNCHECKED_HOSTS_LISTED = 20;

/** Breaks a ChainStatus lists at most (all are counted). */
export const CHAIN_BREAKS_LISTED = 1000;

/** One break of the chain, as verify reports it, placed among the entries. */
export interface ChainBreakSeen {
  kind: BreakKind;
  file: string;
  line: number;
  /** One sentence for a person (the same words as `verify`). */
  message: string;
  /** Collected host ('' for files read directly). */
  origin: string;
  /** Key of the entry whose record is at or just after the break, to jump to (positionOf); -1 when none. */
  entryKey: number;
}

export interface IndexProgress {
  bytesDone: number;
  bytesTotal: number;
  /** True once every file has been read to its end (following may continue). */
  done: boolean;
}

export type EngineNotice =
  | { kind: 'waiting'; file: string; message: string } // file missing: waiting for it to appear
  | { kind: 'truncated'; file: string; message: string } // copytruncate: restarted at 0
  | { kind: 'damaged'; file: string; message: string } // a gzip file cut short or corrupt part way: read up to there, the rest lost
  | { kind: 'rotated'; file: string; message: string } // new inode at the path
  | { kind: 'error'; file: string; message: string } // e.g. permission denied
  | { kind: 'host'; file: string; message: string } // a followed collector gained a host (file: its folder)
  | { kind: 'limit'; file: string; message: string } // a resource limit (open files, watches) stops something: the message says what and for which
  /**
   * Records in no file any more (a truncation took them after they were written, or after they
   * were read: their part of each entry is withdrawn). `records`: how many.
   */
  | { kind: 'lost'; file: string; message: string; records: number };

/** What changed since the last `change` event (coalesced). */
export interface EngineChange {
  /** Entries added before all existing ones (older history indexed after the tail). */
  prepended: number;
  /** Entries added after all existing ones (new requests). */
  appended: number;
  /** Existing entries whose state changed (a response arrived). */
  updated: number;
  /**
   * Optional addition. Entries inserted among existing ones (positions after them shift):
   * responses held back while the history was indexed that turned out to be orphans, placed
   * where their lines are (together with `prepended`); or, from one collected host's engine
   * while following, a late batch placed in chain order. Absent when 0.
   */
  inserted?: number;
  /**
   * Optional addition. Entries already shown moved among each other (a fleet merged its hosts
   * anew: one host's history or late batch landed among the others'). A position held from
   * before means nothing now: find the entry again by key (`positionOf`). `prepended` still
   * counts the entries that are new, and `added` says where they are.
   */
  reordered?: boolean;
  /** With `reordered`: the positions of the entries that are new, ascending. */
  added?: Int32Array;
}

/**
 * Follows and indexes audit-log files. Entries are kept in log order (files oldest first,
 * then line order); while history is still being indexed, older entries may be prepended.
 */
/**
 * An entry as the index knows it and its lines, for a caller that writes the entry straight
 * from the lines' bytes (`print --json`) and asks `entry()` for any it cannot prove simple.
 * One object per reader, reused: valid until the next `entryLines`; a line's bytes until the
 * next `read`.
 */
export interface EntryLines {
  readonly state: EntryState;
  /** The anomalies as bits (join.ts' ANOMALY_BITS). */
  readonly anomalies: number;
  /** The id's hash as the index keeps it (id-table.ts' hashBytes of the id's bytes). */
  readonly idHash: number;
  readonly origin: string;
  readonly hasRequest: boolean;
  readonly hasResponse: boolean;
  /** The line's bytes as they read now, without the newline; null when they cannot be (a truncation). */
  read(which: 'request' | 'response'): Uint8Array | null;
  /** Where the line is (after its `read`: a file logrotate moved is found where it is now); seq is left to the caller. */
  location(which: 'request' | 'response'): Omit<RecordLocation, 'seq' | 'length'>;
  /**
   * After `read(which)`: the line as the native scanner read it with its fingerprint, when it
   * is a plain record (engine/plain-line.ts); null: scan it yourself. Optional.
   */
  scanned?(which: 'request' | 'response'): ScannedLine | null;
}

/**
 * A file an engine reads lines back from, for another thread of this process to read them too
 * (AuditEngine.entryLineRows): its path, the descriptor the engine holds open for it (-1: none
 * to share) and where its lines end (Infinity: nowhere yet).
 */
export interface LineSource {
  file: string;
  fd: number;
  end: number;
}

/** Where the entries handed out by `entryLineRows` read their lines, and their origin. */
export interface EntryLineSources {
  sources: readonly LineSource[];
  origin: string;
}

/** A plain record line's facts and each key's value span (engine/plain-line.ts). */
export interface ScannedLine {
  readonly kind: number;
  readonly chained: boolean;
  readonly seq: number;
  readonly idHash: number;
  readonly reject: number;
  /**
   * Writes parts of `print --json`'s line for the entry from the line's bytes into `out`,
   * natively (engine/plain-line.ts): the end, -1 declined, -2 no room.
   */
  writeJson(line: Uint8Array, out: Uint8Array, given: EntryJsonGiven): number;
}

/**
 * What ScannedLine.writeJson is given beside the line: `io` (engine/plain-line.ts IO_*: where
 * to write from, what, and where the records are) and each text as JSON (`state` as
 * `,"state":"…"`, `anomalies` as `,"anomalies":[…]`).
 */
export interface EntryJsonGiven {
  io: Float64Array;
  state: Uint8Array;
  origin: Uint8Array;
  anomalies: Uint8Array;
  requestFile: Uint8Array;
  responseFile: Uint8Array;
}

export interface AuditEngine {
  readonly files: readonly string[];
  /** Number of entries known now. */
  size(): number;
  /** Entry at a position in log order, 0 = oldest. */
  entry(position: number): Entry;
  /**
   * The entry at a position as its lines (EntryLines), or null where this engine cannot give
   * them (then `entry()`). Optional: the test fakes lack it.
   */
  entryLines?(position: number): EntryLines | null;
  /**
   * The entries at `positions[from, to)` packed as rows (engine/entry-line-rows.ts) into `rows`,
   * for another thread to write them from their lines (`print --json` on an idle core), and
   * where those lines are read from; null where this engine cannot hand them out (then
   * `entryLines`). Valid while the engine is open and not following. Optional.
   */
  entryLineRows?(positions: Int32Array, from: number, to: number, rows: Float64Array): EntryLineSources | null;
  /** Positions (ascending) of entries matching the filter. */
  query(filter: EntryFilter): Int32Array;
  stats(filter?: EntryFilter): EntryStats;
  malformedCount(): number;
  /** The most recent malformed lines (capped list). */
  malformed(): readonly MalformedLine[];
  progress(): IndexProgress;
  on(event: 'change', listener: (change: EngineChange) => void): this;
  on(event: 'progress', listener: (progress: IndexProgress) => void): this;
  on(event: 'notice', listener: (notice: EngineNotice) => void): this;
  /** The chain status changed (chainStatus()): at once for a break, else a few times a second while checking, and once all is read. */
  on(event: 'chain', listener: (status: ChainStatus) => void): this;
  off(event: 'change' | 'progress' | 'notice' | 'chain', listener: (...args: never[]) => void): this;
  /** Notices so far (most recent, capped), for a consumer that subscribed late. */
  notices(): readonly EngineNotice[];
  /** Writer lifecycle records (start/stop/dropped) and policy changes, in log order, each with its `position` now. */
  writerEvents(): readonly WriterEvent[];
  /**
   * The chain as checked so far. Both engines (openEngine, the fleet) have it; optional until the
   * test fakes do too. A `chain` event fires when it changes (at most a few times a second
   * while checking, at once on a new break).
   */
  chainStatus?(): ChainStatus;
  /**
   * The seal records read so far, one group per chain (one for files, one per collected host),
   * for the viewer to check with a verification key (shared/seal.ts). Optional until the test
   * fakes have it.
   */
  seals?(): readonly SealRecords[];
  /** The collected hosts, sorted, when reading a collector directory; empty otherwise. */
  origins(): readonly string[];
  /**
   * Exact duplicate lines dropped (a shipper that resent a batch): counted, never shown twice.
   * Only engines over collected files look for them; 0 from the others.
   */
  duplicateLines(): number;
  /**
   * `positions` (ascending, a query's answer; absent: every entry) in time order: by the entry's
   * time (`timeMs`: `logged`, else `time`), ties in log order, an entry without a time first.
   * From the columns, without reading a line again. Both engines have it; optional until the
   * test fakes do too.
   */
  timeOrder?(positions?: Int32Array): Int32Array;
  /** Where the entry with this key is now, or -1 (after a `reordered` change, positions held from before mean nothing). */
  positionOf(key: number): number;
  /**
   * The keys of the entries at `positions`, without reading their lines: what a consumer holds
   * to find many entries again after a change moved them. Optional: the test fakes lack it
   * (then `entry(p).key`).
   */
  keysOf?(positions: Int32Array): Float64Array;
  /** Resolves once the tail (newest entries) is available. */
  ready(): Promise<void>;
  /** Resolves once every file has been indexed to its end. */
  indexed(): Promise<void>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Keep watching the live (last) file for appends and rotation. Default true. */
  follow?: boolean;
  /**
   * Bytes at the end of the live file read (and shown) first; the history before them is
   * indexed in the background. Default 2 MiB.
   */
  tailBytes?: number;
}
