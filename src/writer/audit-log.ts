/**
 * The daemon-side writer: one JSONL record per decision and one per completed execution,
 * appended to an append-only, hash-chained audit log.
 *
 * Rules, each with a test:
 * - never throws into the daemon and never waits: an unwritable log costs one failed syscall,
 *   then nothing until the back-off expires; dropped records are counted and reported;
 * - each record is one `write` of one complete line on an O_APPEND descriptor, so concurrent
 *   writer processes never interleave within a line; one that opens the log during another's
 *   append neither warns of nor adds a blank line after its half-visible record (tail.ts);
 * - directory 0700, file 0600 whatever the umask; what it opens is checked first (log-file.ts):
 *   a FIFO, a device, a symlink, or a directory or file someone else owns or may write is refused;
 * - logrotate `create` (rename) is noticed before each append and the file reopened; a log
 *   file or directory deleted under the writer is recreated with a trace (a `dropped` record);
 *   `copytruncate` needs nothing (O_APPEND writes at the new end);
 * - the chain (seq, prev) continues across restarts (read from the file's last line, or from a
 *   last record that lost only its newline) and across rotation (kept in memory, or read from
 *   `PATH.1` when the new file is empty);
 * - close() makes one last attempt, whatever the back-off, to record the drops and `stop`;
 * - with a sealing state beside the log, a `seal` record at most every `sealInterval` when
 *   records were written since the last, and at close (seal.ts says in which order and why).
 */
import fs from 'node:fs';
import path from 'node:path';
import { hashLine } from '../shared/chain.js';
import { defaultAuditLogPath } from '../shared/paths.js';
import { FORMAT_VERSION, GENESIS_HASH } from '../shared/format-constants.js';
import type { OperatorInfo } from '../shared/schema.js';
import type { PolicyInput, RequestInput, ResponseInput } from './record-input.js';
import { generalLine, RecordEncoder, toPolicyRecord, toRequestRecord, toResponseRecord, type UnchainedRecord } from './record-line.js';
import { operatorInfo, type OperatorOverride } from './operator.js';
import { ensureLogDirectory, LogRefused, openForReading, openLogFile, processUid, type WriterFs } from './log-file.js';
import { DEFAULT_SEAL_INTERVAL_MS } from '../shared/seal.js';
import { pendingSealFits, Sealer, type SealStep } from './seal.js';
import type { SealFs } from './seal-state-file.js';
import { type ChainHead, endsIncomplete, endsMidLine, endsMidLineSettled, headOf, lastRecordLine, lineNearEnd, readSettledTail, SETTLE_MS } from './tail.js';

export type { WriterFs } from './log-file.js';
export type { SealStep } from './seal.js';
export type { OperatorOverride } from './operator.js';

export interface WriterStats {
  written: number;
  /** Records lost since the last successful write (reported in the log on recovery). */
  dropped: number;
  /** Records lost over the writer's life. */
  droppedTotal: number;
}

export interface AuditLogOptions {
  /** Log path; default `$XDG_STATE_HOME/sudo-proxy/audit.log`. */
  path?: string;
  /** `--no-audit`: every call is a no-op. */
  disabled?: boolean;
  /** fsync after every record: survives power loss, costs a disk flush per record. */
  fsync?: boolean;
  /** Where warnings go; default one line on stderr. */
  warn?: (message: string) => void;
  /** First and longest wait between attempts to reopen an unwritable log, in ms. */
  retryMs?: { initial: number; max: number };
  /** Test seams. */
  fs?: WriterFs;
  now?: () => number;
  /**
   * Appends closer together than this share one check that the path still names the open
   * file (a stat costs more than the write). Default 1 ms; 0 checks before every append.
   */
  rotationCheckMs?: number;
  /** The pid recorded in `writer` records; default this process's (fixed for reproducible fixtures). */
  pid?: number;
  /**
   * How long opening the log may wait, in all, for another writer's append in flight to
   * complete the file's last line before calling it torn (tail.ts). Default 5 ms.
   */
  settleMs?: number;
  /**
   * With a sealing state beside the log (`sudo-proxy-audit seal init`): a seal at most this
   * often (ms) when records were written since the last, and at close. Default 15 min; 0 or
   * less never seals.
   */
  sealInterval?: number;
  /** Test seam: called at points of a seal where a test stops the process. */
  sealStep?: (at: SealStep) => void;
  /**
   * Who decides, written on the `start` record and on every request and policy record: the
   * process's uid and user, the terminal on fd 0 and the hostname, read once at open; any
   * part given here replaces the OS's (e.g. `{ tty: '/dev/pts/3' }`, the terminal the
   * daemon prompts on). `false`: no operator is written.
   */
  operator?: OperatorOverride | false;
}

export interface AuditLog {
  /** Path written to, or null when disabled. */
  readonly path: string | null;
  request(input: RequestInput): void;
  response(input: ResponseInput): void;
  /** A change of the daemon's policy (ApprovedAlways switching confirm_unprivileged off, a reload). */
  policy(input: PolicyInput): void;
  stats(): WriterStats;
  /** Writes a `stop` record and closes the file. Idempotent. */
  close(): void;
}

function defaultWarn(message: string): void {
  try {
    process.stderr.write(`sudo-proxy-audit: ${message}\n`);
  } catch {
    // stderr closed: nothing else to tell.
  }
}

/** The error's code, once: Node's message for a system error already starts with it (`ENOSPC: no space left…`). */
const errorText = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  const message = String(err?.message ?? e);
  return err?.code && !message.startsWith(`${err.code}:`) ? `${err.code}: ${message}` : message;
};

/**
 * Lines are encoded into this reused buffer (one per writer) instead of a fresh Buffer per
 * record; a line that might not fit (a record near the 1 MiB cap) gets its own Buffer.
 */
const SCRATCH_BYTES = 64 * 1024;

/** When to try a seal again after another process held the state's lock, and after a state that could not be used (ms). */
const SEAL_BUSY_RETRY_MS = 1_000;
const SEAL_FAILED_RETRY_MS = 60_000;

/** What writeRecord() is given: daemon input (the hot path, and a policy change) or a record object. */
type RecordKind = 'request' | 'response' | 'policy' | 'record' | 'line';
/** A line made whole beforehand (a seal), written as it is at its own chain position. */
interface PrebuiltLine {
  line: string;
}

export function openAuditLog(options: AuditLogOptions = {}): AuditLog {
  if (options.disabled) {
    return { path: null, request() {}, response() {}, policy() {}, stats: () => ({ written: 0, dropped: 0, droppedTotal: 0 }), close() {} };
  }
  return new FileAuditLog(options);
}

class FileAuditLog implements AuditLog {
  readonly path: string;
  private readonly fs: WriterFs;
  private readonly warn: (message: string) => void;
  private readonly now: () => number;
  private readonly fsync: boolean;
  private readonly retry: { initial: number; max: number };
  private readonly pid: number;
  private readonly rotationCheckMs: number;
  private readonly settleMs: number;
  private readonly uid = processUid();

  private fd: number | null = null;
  /** performance.now() of the last rotation check. */
  private checkedAt = Number.NEGATIVE_INFINITY;
  private ino = 0;
  private dev = 0;
  /** The next write must start on a fresh line (torn line at open, or a partial write). */
  private needNewline = false;
  /** The torn line found at open may be another writer's append in flight: the next write waits for it once more (tail.ts endsMidLineSettled). */
  private maybeInFlight = false;
  private head: ChainHead | null = null;
  /** Who decides (null: none written), read once here. */
  private readonly operator: OperatorInfo | null;
  private readonly encoder: RecordEncoder;
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

  private written = 0;
  private dropped = 0;
  private droppedTotal = 0;
  private lastError = '';
  /** What the next `dropped` record must also say (a log directory recreated), even with nothing dropped. */
  private notice = '';
  /** A log was opened once: a log directory missing after that was deleted or moved. */
  private opened = false;
  /** The file last open was deleted under the writer (no name links to it any more): said at the next open. */
  private fileDeleted = false;
  private fsyncFailing = false;
  /** Directories above the log's that this writer created: checked at every open (log-file.ts). */
  private readonly createdAbove = new Set<string>();
  private retryAt = 0;
  private backoff: number;
  private closed = false;

  private readonly sealer: Sealer | null;
  private readonly sealInterval: number;
  /** When the next seal is due (the writer's clock); Infinity with nothing written since the last. */
  private sealAt = Number.POSITIVE_INFINITY;
  private lastSealMs: number;
  /** The writer's clock at the last record written. */
  private lastWriteMs = 0;
  /** A seal made (the state already moved on) but not yet in the log: written before anything else. */
  private pendingSeal: string | null = null;
  private sealTimer: NodeJS.Timeout | null = null;

  constructor(options: AuditLogOptions) {
    this.path = path.resolve(options.path ?? defaultAuditLogPath());
    this.fs = options.fs ?? fs;
    this.warn = (m) => {
      try {
        (options.warn ?? defaultWarn)(m);
      } catch {
        // a failing warning sink must not reach the daemon either
      }
    };
    this.now = options.now ?? Date.now;
    this.operator = options.operator === false ? null : operatorInfo(options.operator ?? {});
    this.encoder = new RecordEncoder(this.operator);
    this.fsync = options.fsync === true;
    this.pid = Number.isSafeInteger(options.pid) ? (options.pid as number) : process.pid;
    this.rotationCheckMs = options.rotationCheckMs ?? 1;
    this.settleMs = Math.max(0, Math.min(options.settleMs ?? SETTLE_MS, 100));
    this.retry = options.retryMs ?? { initial: 250, max: 30_000 };
    this.backoff = this.retry.initial;
    this.sealInterval = options.sealInterval ?? DEFAULT_SEAL_INTERVAL_MS;
    this.lastSealMs = this.now();
    this.sealer = this.sealInterval > 0 ? new Sealer(this.path, { ...fs, ...this.fs } as SealFs, this.warn, options.sealStep) : null;
    // A seal a crash kept out of the log goes in first, if the log still ends where it belongs.
    this.pendingSeal = this.sealer?.pendingLine() ?? null;
    // A writer that cannot open the log yet still starts: the daemon must run regardless.
    if (this.tryOpen()) {
      const start = { v: FORMAT_VERSION, type: 'writer', time: new Date(this.now()).toISOString(), event: 'start', pid: this.pid } as const;
      this.append('record', this.operator === null ? start : { ...start, operator: this.operator });
    }
  }

  request(input: RequestInput): void {
    this.append('request', input);
  }

  response(input: ResponseInput): void {
    this.append('response', input);
  }

  policy(input: PolicyInput): void {
    this.append('policy', input);
  }

  stats(): WriterStats {
    return { written: this.written, dropped: this.dropped, droppedTotal: this.droppedTotal };
  }

  close(): void {
    if (this.closed) return;
    // One last attempt whatever the back-off: a daemon stopped during an outage must not take
    // the count of what it dropped with it.
    this.retryAt = 0;
    this.append('record', { v: FORMAT_VERSION, type: 'writer', time: new Date(this.now()).toISOString(), event: 'stop', pid: this.pid });
    // Only when the log took the stop record: a failing log gets no attempt outside its back-off.
    if (this.sealAt !== Number.POSITIVE_INFINITY && this.fd !== null) this.sealNow();
    this.closed = true;
    this.clearSealTimer();
    this.closeFd();
  }

  /**
   * Appends one record: never throws, and counts the record as dropped when the log cannot
   * take it. (One try/catch here rather than a guard(() => …) closure: this is the hot path.)
   */
  private append(kind: RecordKind, input: RequestInput | ResponseInput | PolicyInput | UnchainedRecord): void {
    if (this.closed) return;
    try {
      if (!this.ready() || (this.pendingSeal !== null && !this.writePendingSeal())) {
        this.countDrop();
        return;
      }
      if (this.dropped > 0 || this.notice !== '') {
        const error = this.notice === '' ? this.lastError : this.lastError === '' ? this.notice : `${this.lastError}; ${this.notice}`;
        const gap = { v: FORMAT_VERSION, type: 'writer', time: new Date(this.now()).toISOString(), event: 'dropped', pid: this.pid, dropped: this.dropped, error } as const;
        if (!this.writeRecord('record', gap)) {
          this.countDrop();
          return;
        }
        if (this.dropped > 0) this.warn(`audit log writable again: ${this.dropped} record(s) were dropped and the gap is recorded in ${this.path}`);
        this.dropped = 0;
        this.lastError = '';
        this.notice = '';
        this.backoff = this.retry.initial;
      }
      if (!this.writeRecord(kind, input)) this.countDrop();
      else if (this.sealer !== null) this.sealAfterWrite();
    } catch (e) {
      // Unreachable by design; if a bug gets here the daemon still must not see it.
      this.countDrop();
      this.warn(`internal error, record dropped: ${errorText(e)}`);
    }
  }

  /** Writes one chained line; false (and the descriptor closed) on failure. */
  private writeRecord(kind: RecordKind, input: RequestInput | ResponseInput | PolicyInput | UnchainedRecord | PrebuiltLine): boolean {
    const fd = this.fd as number;
    const seq = this.head === null ? 1 : this.head.seq + 1;
    const prev = this.head === null ? GENESIS_HASH : this.head.hash;
    // The line's UTF-8 bytes, after a newline when the file ends in a torn fragment, and
    // followed by one: encoded once, written in one write() and hashed (without newlines).
    // Another writer may have completed the line since (tail.ts): a newline only where still needed.
    const start = this.needNewline && (this.maybeInFlight ? endsMidLineSettled(fd, this.fs, this.settleMs) : endsMidLine(fd, this.fs)) ? 1 : 0;
    this.maybeInFlight = false;
    // The writer's own clock, read once per record: what time windows trust, whatever `time` a client sent.
    const loggedMs = this.now();
    let data = this.scratch;
    let end =
      kind === 'request'
        ? this.encoder.request(data, start, seq, prev, input as RequestInput, loggedMs)
        : kind === 'response'
          ? this.encoder.response(data, start, seq, prev, input as ResponseInput, loggedMs)
          : -1;
    if (end < 0) {
      // The general path: the writer's own records, odd input, records near the line cap.
      const line = kind === 'line' ? (input as PrebuiltLine).line : generalLine(this.recordOf(kind, input, loggedMs), seq, prev, loggedMs);
      if (line.length * 3 + 2 > data.length) data = Buffer.allocUnsafe(start + Buffer.byteLength(line) + 1);
      end = start + data.write(line, start, 'utf8');
    }
    if (start === 1) data[0] = 0x0a;
    data[end] = 0x0a;
    const bytes = end + 1;
    let n: number;
    try {
      n = this.fs.writeSync(fd, data, 0, bytes);
    } catch (e) {
      this.fail(`cannot write ${this.path}: ${errorText(e)}`);
      return false;
    }
    if (n < bytes - 1) {
      // A partial write (disk full) leaves a torn fragment: the next record starts a fresh line.
      this.needNewline = true;
      this.fail(`short write to ${this.path} (${n} of ${bytes} bytes): disk full?`);
      return false;
    }
    // Only the newline missing means the record is on disk whole: the chain continues from it
    // (else the next record would repeat its seq and prev) and the next write adds the newline.
    this.needNewline = n !== bytes;
    const hash = hashLine(data.subarray(start, end));
    if (this.head === null) this.head = { seq, hash };
    else {
      // Updated in place: no object per record.
      this.head.seq = seq;
      this.head.hash = hash;
    }
    this.written++;
    this.lastWriteMs = loggedMs;
    if (this.lastError !== '' && this.dropped === 0) {
      // An outage that ended before any record was dropped (say, the log could not be opened
      // at start): the next outage gets its own warning and starts from the initial back-off.
      this.lastError = '';
      this.backoff = this.retry.initial;
    }
    if (this.fsync) {
      try {
        this.fs.fsyncSync(fd);
        this.fsyncFailing = false;
      } catch (e) {
        // The record is written, only maybe not durable: warn once until an fsync succeeds again.
        if (!this.fsyncFailing) this.warn(`fsync ${this.path} failed: ${errorText(e)}; warning again only after an fsync succeeds`);
        this.fsyncFailing = true;
      }
    }
    return true;
  }

  private recordOf(kind: RecordKind, input: unknown, loggedMs: number): UnchainedRecord {
    if (kind === 'request') return toRequestRecord(input as RequestInput, this.operator);
    if (kind === 'response') return toResponseRecord(input as ResponseInput, loggedMs);
    // A policy record's time is the writer's clock as it writes it: the same as `logged`.
    if (kind === 'policy') return toPolicyRecord(input as PolicyInput, loggedMs, this.operator);
    return input as UnchainedRecord;
  }

  // ---- sealing (seal.ts) ----

  /** After a record: a seal when one is due, else the due time (and a timer, for a log that goes quiet). */
  private sealAfterWrite(): void {
    if (this.sealAt === Number.POSITIVE_INFINITY) {
      this.sealAt = this.lastSealMs + this.sealInterval;
      if (this.sealAt > this.lastWriteMs) this.armSealTimer(this.sealAt - this.lastWriteMs);
    }
    if (this.sealAt <= this.lastWriteMs) this.sealNow();
  }

  /** Appends a seal now (never throws): the state moves to the next epoch first. */
  private sealNow(): void {
    const sealer = this.sealer as Sealer;
    this.clearSealTimer();
    try {
      if (!this.ready() || (this.pendingSeal !== null && !this.writePendingSeal())) {
        this.retrySealLater(this.backoff);
        return;
      }
      const loggedMs = this.now();
      const made = sealer.seal(this.head === null ? 1 : this.head.seq + 1, this.head === null ? GENESIS_HASH : this.head.hash, loggedMs, (line) => {
        this.pendingSeal = line;
        this.lastSealMs = loggedMs;
        this.sealAt = Number.POSITIVE_INFINITY;
        // On failure the seal stays pending: it goes in before the next record that can be written.
        this.writePendingSeal();
      });
      if (made === 'unsealed') {
        // No state (yet): looked for again an interval later, if records are written.
        this.lastSealMs = loggedMs;
        this.sealAt = Number.POSITIVE_INFINITY;
        return;
      }
      if (made === 'busy' || made === 'failed') {
        // Another process seals for a moment; a state that cannot be used is not tried per record.
        this.retrySealLater(made === 'busy' ? SEAL_BUSY_RETRY_MS : SEAL_FAILED_RETRY_MS);
        return;
      }
    } catch (e) {
      this.warn(`internal error while sealing: ${errorText(e)}`);
      this.retrySealLater(SEAL_FAILED_RETRY_MS);
    }
  }

  /** The seal could not be made or written: tried again after `ms` (with a record then, or by the timer). */
  private retrySealLater(ms: number): void {
    const wait = Math.min(this.sealInterval, ms);
    this.sealAt = this.now() + wait;
    this.armSealTimer(wait);
  }

  /** Writes the pending seal when the log ends where it belongs; false when the log could not take it. */
  private writePendingSeal(): boolean {
    const line = this.pendingSeal as string;
    const fits = pendingSealFits(line, this.head);
    if (fits !== 'fits') {
      this.pendingSeal = null;
      // A seal another writer sharing the log made (read at open) and appended already, another
      // writer's record of the same seq after it: not lost.
      if (fits === 'lost' && !this.inLog(line)) this.warn(`a seal made before a crash no longer fits the end of ${this.path} (another record took its place): its epoch is missing from the log, and verify will say so`);
      return true;
    }
    if (!this.writeRecord('line', { line })) return false;
    this.pendingSeal = null;
    return true;
  }

  /** Whether the line is in the log's last MiB (false when that cannot be read). */
  private inLog(line: string): boolean {
    try {
      return lineNearEnd(this.fd as number, this.fs, line);
    } catch {
      return false;
    }
  }

  private armSealTimer(ms: number): void {
    if (this.sealTimer !== null || this.closed) return;
    // Never longer than an interval (a clock set back), nor past what setTimeout takes.
    const delay = Math.max(1, Math.min(ms, this.sealInterval, 2 ** 31 - 1));
    this.sealTimer = setTimeout(() => {
      this.sealTimer = null;
      if (!this.closed && this.sealAt !== Number.POSITIVE_INFINITY) this.sealNow();
    }, delay);
    // A pending seal never keeps the daemon's process alive.
    this.sealTimer.unref();
  }

  private clearSealTimer(): void {
    if (this.sealTimer === null) return;
    clearTimeout(this.sealTimer);
    this.sealTimer = null;
  }

  /** True when a descriptor for the file now at the path is open, reopening after rotation. */
  private ready(): boolean {
    if (this.fd !== null) {
      // The stat costs more than the write. Appends less than a millisecond apart share one
      // check: a rename can land between any check and its write anyway, so the few records
      // of that millisecond go to the renamed file (still in the rotated set, never lost).
      const t = performance.now();
      if (t - this.checkedAt < this.rotationCheckMs) return true;
      this.checkedAt = t;
      let st: fs.Stats | undefined;
      try {
        st = this.fs.statSync(this.path, { throwIfNoEntry: false });
      } catch {
        st = undefined;
      }
      if (st && st.ino === this.ino && st.dev === this.dev) return true;
      // Renamed away (logrotate), deleted, or replaced: reopen what the path names now. A file
      // renamed still has a name (its records are in the rotated set); one deleted has none.
      this.fileDeleted = this.linksOfOpenFile() === 0;
      this.closeFd();
      return this.tryOpen();
    }
    if (this.now() < this.retryAt) return false;
    return this.tryOpen();
  }

  private tryOpen(): boolean {
    try {
      this.open();
      return true;
    } catch (e) {
      this.fail(e instanceof LogRefused ? `refusing ${this.path}: ${e.message}` : `cannot open ${this.path}: ${errorText(e)}`);
      return false;
    }
  }

  private open(): void {
    const dir = path.dirname(this.path);
    const madeDirectory = ensureLogDirectory(this.fs, dir, this.uid, this.createdAbove);
    if (madeDirectory && this.opened) {
      this.notice = `the log directory ${dir} was missing (deleted or moved) and was recreated: whatever it held is not in this file`;
    } else if (this.fileDeleted) {
      this.notice = `the log file ${this.path} was deleted while the writer had it open (removed, or compressed away by a rotation without delaycompress) and was recreated: whatever it held is not in this file`;
    }
    this.fileDeleted = false;
    const file = openLogFile(this.fs, this.path, this.uid);
    try {
      this.dev = file.dev;
      this.ino = file.ino;
      this.fd = file.fd;
      this.readChainState(file.fd, file.size);
    } catch (e) {
      this.fs.closeSync(file.fd);
      this.fd = null;
      throw e;
    }
    this.opened = true;
  }

  /** How many names the open file has (0: deleted); -1 when that cannot be told. */
  private linksOfOpenFile(): number {
    try {
      return this.fs.fstatSync(this.fd as number).nlink;
    } catch {
      return -1;
    }
  }

  /** Learns where the file ends (torn line?) and, on first open, which chain to continue. */
  private readChainState(fd: number, size: number): void {
    if (size === 0) {
      this.needNewline = false;
      if (this.head === null) this.head = this.headFromFile(`${this.path}.1`); // just rotated before we started
      return;
    }
    // Read through the descriptor just opened: the very file appended to, whatever the path names now.
    // A retry during an outage, its chain known, finds the fragment its own failed write left:
    // no news, no warning, so no wait for another writer's append to complete either.
    const quiet = this.lastError !== '' && this.head !== null;
    const tail = readSettledTail(fd, this.fs, quiet ? 0 : this.settleMs);
    const last = lastRecordLine(tail);
    this.needNewline = tail.torn;
    // (Not a retry's own fragment: no one else's append to wait for.)
    this.maybeInFlight = tail.torn && !quiet;
    if (this.head === null && last) this.head = headOf(last);
    if (endsIncomplete(tail) && this.lastError === '') {
      this.warn(`${this.path} ends in a torn line (a crash mid-write, or another writer's append unfinished after ${this.settleMs} ms); continuing on a fresh line`);
    }
  }

  private headFromFile(file: string): ChainHead | null {
    let rfd: number;
    try {
      rfd = openForReading(this.fs, file);
    } catch {
      return null;
    }
    try {
      const last = lastRecordLine(readSettledTail(rfd, this.fs, this.settleMs));
      return last ? headOf(last) : null;
    } catch {
      return null;
    } finally {
      this.fs.closeSync(rfd);
    }
  }

  private countDrop(): void {
    this.dropped++;
    this.droppedTotal++;
  }

  /** Enters (or stays in) an outage: one warning per outage, then back off. */
  private fail(message: string): void {
    if (this.dropped === 0 && this.lastError !== message) this.warn(`${message}; records are counted and the log retried with back-off`);
    this.lastError = message;
    this.closeFd();
    this.retryAt = this.now() + this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.retry.max);
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      this.fs.closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = null;
  }
}
