/**
 * What the index keeps of one record (`CompactRecord`, one object reused for every line), and
 * the slow path's way to it: a record parsed and validated by `parseLine`, converted by
 * `compactFromRecord`. The fast path (scan-record.ts) fills the same shape from the line's
 * bytes; a test checks that both agree. Pure: no I/O.
 */
import { chainFieldsOf } from '../shared/chain.js';
import { recordTimeMs, responseFailed } from '../shared/join.js';
import type { AuditRecord, Decision } from '../shared/schema.js';
import { hashString } from './id-table.js';

export const KIND_REQUEST = 0;
export const KIND_RESPONSE = 1;
export const KIND_WRITER = 2;

export const DECISIONS: readonly Decision[] = ['approved', 'denied', 'timeout', 'rejected'];

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
  // response
  failed: boolean;
  durationMs: number;
  /** The full record, when it came through the slow path as a writer record. */
  writer: Extract<AuditRecord, { type: 'writer' }> | null;
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
    timeMs: Number.NaN,
    host: '',
    session: '',
    reason: '',
    commandKey: '',
    privileged: false,
    decision: 'approved',
    policy: false,
    latencyMs: Number.NaN,
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
  if (r.type === 'writer') {
    out.kind = KIND_WRITER;
    out.writer = r;
    out.timeMs = recordTimeMs(r);
    return out;
  }
  out.idHash = hashString(r.id);
  out.timeMs = recordTimeMs(r);
  if (r.type === 'request') {
    out.kind = KIND_REQUEST;
    out.host = r.host;
    out.session = r.session;
    out.reason = r.reason;
    out.commandKey = JSON.stringify(r.pipeline);
    out.privileged = r.privileged;
    out.decision = r.decision;
    out.policy = r.via === 'policy';
    out.latencyMs = r.latency_ms ?? Number.NaN;
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
