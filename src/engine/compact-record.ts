/**
 * What the index keeps of one record (`CompactRecord`, one object reused for every line), and
 * the slow path's way to it: a record parsed and validated by `parseLine`, converted by
 * `compactFromRecord`. The fast path (scan-record.ts) fills the same shape from the line's
 * bytes; a test checks that both agree. Pure: no I/O.
 */
import { chainFieldsOf } from '../shared/chain.js';
import { recordTimeMs, responseFailed } from '../shared/join.js';
import { REJECT_KINDS, type RejectKind } from '../shared/format-constants.js';
import type { AuditRecord, Decision, PolicyRecord, WriterRecord } from '../shared/schema.js';
import { hashString } from './id-table.js';

export const KIND_REQUEST = 0;
export const KIND_RESPONSE = 1;
export const KIND_WRITER = 2;
/** A `seal` record: part of the chain, not of any entry. */
export const KIND_SEAL = 3;

export const DECISIONS: readonly Decision[] = ['approved', 'denied', 'timeout', 'rejected'];

/** A reject kind's code (0: none; 1 + its place in REJECT_KINDS), in a column and a chunk's decision byte. */
export const rejectCode = (kind: RejectKind | undefined): number => (kind === undefined ? 0 : REJECT_KINDS.indexOf(kind) + 1);
export const rejectOfCode = (code: number): RejectKind | null => REJECT_KINDS[code - 1] ?? null;
/** A replayed request's code: a security event. */
export const REJECT_REPLAY = rejectCode('replay');
/** The decision byte of a worker's result: the decision in the low 2 bits, the reject code above them. */
export const REJECT_SHIFT = 2;

/** An `operator` as the index keeps it (interned): `uid user` as JSON; '' for none. */
export const operatorKey = (o: { uid: number; user: string } | undefined): string => (o === undefined ? '' : JSON.stringify([o.uid, o.user]));

/** What the index keeps of one record. One object is reused for every line. */
export interface CompactRecord {
  kind: number;
  /** Carries valid seq and prev (chainFieldsOf). */
  chained: boolean;
  /** The chain's seq; -1 when unchained. */
  seq: number;
  /** The chain's prev: the bytes `[prevStart, prevEnd)` of the line (fast path), else this string ('' when unchained). */
  prev: string;
  prevStart: number;
  prevEnd: number;
  idHash: number;
  /** line-fingerprints.ts's fingerprint of the record's line (set where the line is read). */
  fingerprint: number;
  /** The writer's time (`logged`) when the record has it, else its `time` (recordTimeMs). */
  timeMs: number;
  // request
  host: string;
  session: string;
  reason: string;
  /** The pipeline as JSON text: the key under which its display form is interned. */
  commandKey: string;
  privileged: boolean;
  decision: Decision;
  policy: boolean;
  /** NaN for null. */
  latencyMs: number;
  /** The refusal kind's code (rejectCode; 0: none). */
  reject: number;
  /** Who decided (operatorKey; '' none). */
  operator: string;
  /** The resolved paths as JSON text (NO_RESOLVED when the request has none). */
  resolvedKey: string;
  /** The request's or the response's error ('' none). */
  error: string;
  // response
  failed: boolean;
  durationMs: number;
  /** The full record, when it came through the slow path as a writer or policy record (both listed beside the entries). */
  writer: WriterRecord | PolicyRecord | null;
  /**
   * Fast path: host, session, reason and commandKey are left as byte ranges of `bytes` (ASCII),
   * so that strings already interned are found without creating a new one. Null: use the strings.
   */
  bytes: Buffer | null;
  /** Already interned by the receiver (a worker's result): these numbers, else -1. */
  hostId: number;
  sessionId: number;
  reasonId: number;
  commandId: number;
  hostStart: number;
  hostEnd: number;
  sessionStart: number;
  sessionEnd: number;
  reasonStart: number;
  reasonEnd: number;
  commandStart: number;
  commandEnd: number;
  /** Already interned by the receiver (a worker's result), else -1. */
  resolvedId: number;
  errorId: number;
  /** Byte ranges of resolvedKey and error in `bytes`; -1: absent (NO_RESOLVED, ''). */
  resolvedStart: number;
  resolvedEnd: number;
  errorStart: number;
  errorEnd: number;
  /** The id (slow path); the fast path leaves it at `bytes[idStart, idEnd)`. */
  id: string;
  idStart: number;
  idEnd: number;
  /** A worker's result: the id already in its searched form (id-text.ts) at `idShown[idShownStart, idShownEnd)`; else null. */
  idShown: Uint8Array | null;
  idShownStart: number;
  idShownEnd: number;
}

/** A request without resolved paths: the key interned as pool id 0. */
export const NO_RESOLVED = '[]';

/** The resolved key and error as strings (resolving byte ranges). */
export function resolvedKeyOf(r: CompactRecord): string {
  return r.bytes === null ? r.resolvedKey : r.resolvedStart < 0 ? NO_RESOLVED : latin1(r.bytes, r.resolvedStart, r.resolvedEnd);
}
export function errorOf(r: CompactRecord): string {
  return r.bytes === null ? r.error : r.errorStart < 0 ? '' : latin1(r.bytes, r.errorStart, r.errorEnd);
}

/** A response kept past its line (held back): its id and error as strings (or its own copy), no bytes. */
export function detached<T extends CompactRecord>(r: T): T {
  const idShown = r.idShown === null ? null : r.idShown.slice(r.idShownStart, r.idShownEnd);
  const id = r.bytes === null ? r.id : latin1(r.bytes, r.idStart, r.idEnd);
  return { ...r, bytes: null, error: errorOf(r), resolvedKey: resolvedKeyOf(r), errorId: -1, resolvedId: -1, id, idShown, idShownStart: 0, idShownEnd: idShown?.length ?? 0 };
}

/** The strings of a request (resolving byte ranges), for consumers that want them as strings. */
export function requestStrings(r: CompactRecord): { host: string; session: string; reason: string; commandKey: string } {
  if (!r.bytes) return { host: r.host, session: r.session, reason: r.reason, commandKey: r.commandKey };
  const b = r.bytes;
  return {
    host: latin1(b, r.hostStart, r.hostEnd),
    session: latin1(b, r.sessionStart, r.sessionEnd),
    reason: latin1(b, r.reasonStart, r.reasonEnd),
    commandKey: latin1(b, r.commandStart, r.commandEnd),
  };
}

export function newCompactRecord(): CompactRecord {
  return {
    kind: 0,
    chained: false,
    seq: -1,
    prev: '',
    prevStart: -1,
    prevEnd: -1,
    idHash: 0,
    fingerprint: 0,
    timeMs: Number.NaN,
    host: '',
    session: '',
    reason: '',
    commandKey: '',
    privileged: false,
    decision: 'approved',
    policy: false,
    latencyMs: Number.NaN,
    reject: 0,
    operator: '',
    failed: false,
    durationMs: Number.NaN,
    writer: null,
    bytes: null,
    hostId: -1,
    sessionId: -1,
    reasonId: -1,
    commandId: -1,
    hostStart: 0,
    hostEnd: 0,
    sessionStart: 0,
    sessionEnd: 0,
    reasonStart: 0,
    reasonEnd: 0,
    commandStart: 0,
    commandEnd: 0,
    resolvedKey: NO_RESOLVED,
    error: '',
    resolvedId: -1,
    errorId: -1,
    resolvedStart: -1,
    resolvedEnd: -1,
    errorStart: -1,
    errorEnd: -1,
    id: '',
    idStart: 0,
    idEnd: 0,
    idShown: null,
    idShownStart: 0,
    idShownEnd: 0,
  };
}

/** The slow path's result in the same shape. */
export function compactFromRecord(r: AuditRecord, out: CompactRecord): CompactRecord {
  const chain = chainFieldsOf(r);
  out.chained = chain !== null;
  out.seq = chain === null ? -1 : chain.seq;
  out.prev = chain === null ? '' : chain.prev;
  out.prevStart = -1;
  out.writer = null;
  out.bytes = null;
  if (r.type === 'writer' || r.type === 'policy') {
    // A policy change is listed and placed like the writer's life: an event beside the entries.
    out.kind = KIND_WRITER;
    out.writer = r;
    out.timeMs = recordTimeMs(r);
    return out;
  }
  if (r.type === 'seal') {
    // Chained as usual, never an entry: counted by the intake (verify checks it).
    out.kind = KIND_SEAL;
    out.timeMs = recordTimeMs(r);
    return out;
  }
  out.idHash = hashString(r.id);
  out.id = r.id;
  out.timeMs = recordTimeMs(r);
  out.error = r.error ?? '';
  if (r.type === 'request') {
    out.kind = KIND_REQUEST;
    out.host = r.host;
    out.session = r.session;
    out.reason = r.reason;
    out.commandKey = JSON.stringify(r.pipeline);
    out.resolvedKey = r.resolved === undefined ? NO_RESOLVED : JSON.stringify(r.resolved);
    out.privileged = r.privileged;
    out.decision = r.decision;
    out.policy = r.via === 'policy';
    out.latencyMs = r.latency_ms ?? Number.NaN;
    out.reject = rejectCode(r.reject);
    out.operator = operatorKey(r.operator);
  } else {
    out.kind = KIND_RESPONSE;
    out.failed = responseFailed(r);
    out.durationMs = r.duration_ms;
  }
  return out;
}

/** Buffer#latin1Slice: the cheapest bytes → string for ASCII (what toString('latin1') calls after its checks). */
type Latin1 = { latin1Slice(start: number, end: number): string };
export const latin1 = (b: Uint8Array, start: number, end: number) => (b as unknown as Latin1).latin1Slice(start, end);

/** A chained record's prev as a string, from the line's bytes `b` when the fast path left it there. */
export function prevOf(r: CompactRecord, b: Uint8Array): string {
  return r.prevStart >= 0 ? latin1(b, r.prevStart, r.prevEnd) : r.prev;
}

/**
 * Whether the 64 bytes at `b[start]` are the hex digits of `hash` (a line's prev against the line
 * before's hash). `prevText`: those bytes as a string already (the native scanner's hash of the
 * line before, native-lines.ts): a string compare then.
 */
export function prevIsHash(b: Uint8Array, start: number, hash: string, prevText: string | null = null): boolean {
  if (prevText !== null) return prevText === hash;
  for (let i = 0; i < 64; i++) if (b[start + i] !== hash.charCodeAt(i)) return false;
  return true;
}
