/**
 * The indexer's fast path: reads the few fields an index keeps straight from a line's bytes,
 * without building the record object that JSON.parse + validation would.
 *
 * It recognises a strict subset of JSON — no whitespace, ASCII strings without escapes,
 * request and response records with only the schema's keys (in any order, each once) — and
 * validates every value against the schema as it goes. Anything outside that subset (writer
 * records, escapes, non-ASCII text, odd numbers, unknown keys, errors of any kind) returns
 * false, and the caller takes the full path (`parseLine` + `compactFromRecord`), which gives
 * the same result for a valid record and the reason for an invalid one. A test checks that
 * both paths agree. Pure: no I/O.
 */
import { parseRecordTime, responseFailed } from '../shared/join.js';
import type { AuditRecord, Decision } from '../shared/schema.js';
import { hashBytes, hashString } from './id-table.js';

export const KIND_REQUEST = 0;
export const KIND_RESPONSE = 1;
export const KIND_WRITER = 2;

export const DECISIONS: readonly Decision[] = ['approved', 'denied', 'timeout', 'rejected'];

/** What the index keeps of one record. One object is reused for every line. */
export interface CompactRecord {
  kind: number;
  /** Carries seq and prev. */
  chained: boolean;
  seq: number;
  idHash: number;
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
  out.chained = r.seq !== undefined && r.prev !== undefined;
  out.seq = r.seq ?? -1;
  out.writer = null;
  out.bytes = null;
  if (r.type === 'writer') {
    out.kind = KIND_WRITER;
    out.writer = r;
    out.timeMs = parseRecordTime(r.time);
    return out;
  }
  out.idHash = hashString(r.id);
  out.timeMs = parseRecordTime(r.time);
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

// ---- the byte scanner ----

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Byte classes inside a string: 0 plain ASCII, 1 the closing quote, 2 anything else (escape, control, non-ASCII). */
const STRING_CLASS = new Uint8Array(256).fill(2);
for (let c = 0x20; c < 0x80; c++) STRING_CLASS[c] = 0;
STRING_CLASS[QUOTE] = 1;
STRING_CLASS[0x5c] = 2;

const HEX_LOWER = new Uint8Array(256);
for (const c of '0123456789abcdef') HEX_LOWER[c.charCodeAt(0)] = 1;

const KEYS = [
  'v', 'type', 'seq', 'prev', 'id', 'time', 'host', 'session', 'pipeline', 'resolved', 'env_keys', 'reason', 'privileged',
  'decision', 'via', 'latency_ms', 'error', 'truncated', 'status', 'stages', 'stdout_len', 'stdout_truncated', 'duration_ms',
] as const;
type Key = (typeof KEYS)[number];
const bits = (...keys: Key[]) => keys.reduce((m, k) => m | (1 << KEYS.indexOf(k)), 0);
const REQUEST_REQUIRED = bits('v', 'type', 'id', 'time', 'host', 'session', 'pipeline', 'resolved', 'env_keys', 'reason', 'privileged', 'decision', 'via', 'latency_ms');
const REQUEST_ALLOWED = REQUEST_REQUIRED | bits('seq', 'prev', 'error', 'truncated');
const RESPONSE_REQUIRED = bits('v', 'type', 'id', 'time', 'status', 'error', 'stages', 'stdout_len', 'stdout_truncated', 'duration_ms');
const RESPONSE_ALLOWED = RESPONSE_REQUIRED | bits('seq', 'prev', 'truncated');

const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const KEY_BYTES = KEYS.map(bytesOf);
/** A key's slot in KEY_TABLE from its length, first, middle and last bytes (collision-free for KEYS; checked below). */
const keySlot = (b: Uint8Array, s: number, e: number) => ((e - s) + b[s] * 11 + b[s + ((e - s) >> 1)] * 3 + b[e - 1]) & 255;
const KEY_TABLE = new Int8Array(256).fill(-1);
for (let k = 0; k < KEYS.length; k++) {
  const slot = keySlot(KEY_BYTES[k], 0, KEY_BYTES[k].length);
  if (KEY_TABLE[slot] !== -1) throw new Error(`scan-record: key table collision between ${KEYS[k]} and ${KEYS[KEY_TABLE[slot]]}`);
  KEY_TABLE[slot] = k;
}
// Literal case labels (a switch on them compiles to a jump table); checked against KEYS below.
const K_V = 0, K_TYPE = 1, K_SEQ = 2, K_PREV = 3, K_ID = 4, K_TIME = 5, K_HOST = 6, K_SESSION = 7, K_PIPELINE = 8;
const K_RESOLVED = 9, K_ENV_KEYS = 10, K_REASON = 11, K_PRIVILEGED = 12, K_DECISION = 13, K_VIA = 14, K_LATENCY = 15;
const K_ERROR = 16, K_TRUNCATED = 17, K_STATUS = 18, K_STAGES = 19, K_STDOUT_LEN = 20, K_STDOUT_TRUNCATED = 21, K_DURATION = 22;
if (KEYS[K_V] !== 'v' || KEYS[K_PRIVILEGED] !== 'privileged' || KEYS[K_ERROR] !== 'error' || KEYS[K_DURATION] !== 'duration_ms') {
  throw new Error('scan-record: key constants out of step with KEYS');
}

/** `"key":` as bytes, to recognise an expected key in one comparison. */
const KEY_PATTERNS = KEYS.map((k) => bytesOf(`"${k}":`));
/** The key that follows each key in the writer's output (-1: none expected). */
function successors(order: Key[]): Int8Array {
  const next = new Int8Array(KEYS.length).fill(-1);
  for (let k = 0; k + 1 < order.length; k++) next[KEYS.indexOf(order[k])] = KEYS.indexOf(order[k + 1]);
  return next;
}
const NEXT_IN_REQUEST = successors(['v', 'type', 'seq', 'prev', 'id', 'time', 'host', 'session', 'pipeline', 'resolved', 'env_keys', 'reason', 'privileged', 'decision', 'via', 'latency_ms', 'error']);
const NEXT_IN_RESPONSE = successors(['v', 'type', 'seq', 'prev', 'id', 'time', 'status', 'error', 'stages', 'stdout_len', 'stdout_truncated', 'duration_ms']);

const LIT = {
  request: bytesOf('request'),
  response: bytesOf('response'),
  operator: bytesOf('operator'),
  policy: bytesOf('policy'),
  ok: bytesOf('ok'),
  error: bytesOf('error'),
  true: bytesOf('true'),
  false: bytesOf('false'),
  null: bytesOf('null'),
  exit_code: bytesOf('exit_code'),
  stderr_len: bytesOf('stderr_len'),
  stderr_truncated: bytesOf('stderr_truncated'),
};
const DECISION_BYTES = DECISIONS.map(bytesOf);

function equals(b: Uint8Array, start: number, end: number, lit: Uint8Array): boolean {
  if (end - start !== lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (b[start + i] !== lit[i]) return false;
  return true;
}

/** Buffer#latin1Slice: the cheapest bytes → string for ASCII (what toString('latin1') calls after its checks). */
type Latin1 = { latin1Slice(start: number, end: number): string };
const latin1 = (b: Uint8Array, start: number, end: number) => (b as unknown as Latin1).latin1Slice(start, end);

/**
 * Scanner state: module-level rather than per call, so the hot loop allocates nothing.
 * `end` bounds the line; `sStart/sEnd` are the last string's contents; `num` the last number.
 */
let end = 0;
let sStart = 0;
let sEnd = 0;
let num = 0;
let numIsInt = false;

/** A string at `i` (its opening quote); returns the index after it, or -1. */
function str(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) return -1;
  let j = i + 1;
  while (STRING_CLASS[b[j]] === 0) j++;
  if (j >= end || b[j] !== QUOTE) return -1;
  sStart = i + 1;
  sEnd = j;
  return j + 1;
}

/** A JSON number at `i`; returns the index after it, or -1. */
function number(b: Uint8Array, i: number): number {
  let j = i;
  const negative = b[j] === MINUS;
  if (negative) j++;
  let c = b[j];
  let value = 0;
  let digits = 0;
  if (c === ZERO) {
    j++;
    digits = 1;
  } else if (c > ZERO && c <= NINE) {
    while (c >= ZERO && c <= NINE) {
      value = value * 10 + (c - ZERO);
      digits++;
      c = b[++j];
    }
  } else return -1;
  c = b[j];
  let plainInt = digits <= 15;
  if (c === 0x2e) {
    plainInt = false;
    c = b[++j];
    if (!(c >= ZERO && c <= NINE)) return -1;
    while (c >= ZERO && c <= NINE) c = b[++j];
  }
  if (c === 0x65 || c === 0x45) {
    plainInt = false;
    c = b[++j];
    if (c === 0x2b || c === MINUS) c = b[++j];
    if (!(c >= ZERO && c <= NINE)) return -1;
    while (c >= ZERO && c <= NINE) c = b[++j];
  }
  if (j > end) return -1;
  if (plainInt) {
    num = negative ? -value : value;
    numIsInt = true;
  } else {
    num = Number(latin1(b, i, j));
    numIsInt = Number.isSafeInteger(num);
    if (!Number.isFinite(num)) return -1;
  }
  return j;
}

/** `true`/`false` at `i`: index after it, or -1; the value in `num` (1/0). */
function boolean(b: Uint8Array, i: number): number {
  if (b[i] === 0x74 && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65) {
    num = 1;
    return i + 4;
  }
  if (b[i] === 0x66 && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65) {
    num = 0;
    return i + 5;
  }
  return -1;
}

const isNull = (b: Uint8Array, i: number) => b[i] === 0x6e && b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c;

/** `[ "a", … ]` (any length; `nulls` allows null items). Index after it, or -1. */
function stringArray(b: Uint8Array, i: number, nulls: boolean): number {
  if (b[i] !== LBRACKET) return -1;
  let j = i + 1;
  if (b[j] === RBRACKET) return j + 1;
  for (;;) {
    if (nulls && isNull(b, j)) j += 4;
    else if ((j = str(b, j)) === -1) return -1;
    const c = b[j];
    if (c === RBRACKET) return j + 1;
    if (c !== COMMA) return -1;
    j++;
  }
}

/** `[[…], …]` with at least one stage. */
function pipeline(b: Uint8Array, i: number): number {
  if (b[i] !== LBRACKET) return -1;
  let j = i + 1;
  for (;;) {
    if ((j = stringArray(b, j, false)) === -1) return -1;
    const c = b[j];
    if (c === RBRACKET) return j + 1;
    if (c !== COMMA) return -1;
    j++;
  }
}

let anyFailedStage = false;

/** `[{"exit_code":int,"stderr_len":int≥0,"stderr_truncated":bool}, …]`; sets anyFailedStage. */
function stages(b: Uint8Array, i: number): number {
  if (b[i] !== LBRACKET) return -1;
  let j = i + 1;
  anyFailedStage = false;
  if (b[j] === RBRACKET) return j + 1;
  for (;;) {
    if (b[j] !== LBRACE) return -1;
    j++;
    let seen = 0;
    for (;;) {
      if ((j = str(b, j)) === -1 || b[j] !== COLON) return -1;
      j++;
      if (equals(b, sStart, sEnd, LIT.exit_code) && !(seen & 1)) {
        seen |= 1;
        if ((j = number(b, j)) === -1 || !numIsInt) return -1;
        if (num !== 0) anyFailedStage = true;
      } else if (equals(b, sStart, sEnd, LIT.stderr_len) && !(seen & 2)) {
        seen |= 2;
        if ((j = number(b, j)) === -1 || !numIsInt || num < 0) return -1;
      } else if (equals(b, sStart, sEnd, LIT.stderr_truncated) && !(seen & 4)) {
        seen |= 4;
        if ((j = boolean(b, j)) === -1) return -1;
      } else return -1;
      const c = b[j];
      if (c === RBRACE) break;
      if (c !== COMMA) return -1;
      j++;
    }
    if (seen !== 7) return -1;
    j++;
    const c = b[j];
    if (c === RBRACKET) return j + 1;
    if (c !== COMMA) return -1;
    j++;
  }
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Records come in time order: the start of the last day seen is reused. */
let cachedDayKey = -1;
let cachedDayMs = 0;
const digit = (b: Uint8Array, i: number) => {
  const d = b[i] - ZERO;
  return d >= 0 && d <= 9 ? d : -1000;
};

/** `YYYY-MM-DDTHH:MM:SSZ` or with `.mmm`: the writer's and sudo-proxy's forms, read from bytes; others via parseRecordTime. */
function time(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if ((n === 20 || n === 24) && b[s + 4] === MINUS && b[s + 7] === MINUS && b[s + 10] === 0x54 && b[s + 13] === COLON && b[s + 16] === COLON && b[e - 1] === 0x5a) {
    const year = digit(b, s) * 1000 + digit(b, s + 1) * 100 + digit(b, s + 2) * 10 + digit(b, s + 3);
    const month = digit(b, s + 5) * 10 + digit(b, s + 6);
    const day = digit(b, s + 8) * 10 + digit(b, s + 9);
    const hour = digit(b, s + 11) * 10 + digit(b, s + 12);
    const minute = digit(b, s + 14) * 10 + digit(b, s + 15);
    const second = digit(b, s + 17) * 10 + digit(b, s + 18);
    let ms = 0;
    if (n === 24) ms = b[s + 19] === 0x2e ? digit(b, s + 20) * 100 + digit(b, s + 21) * 10 + digit(b, s + 22) : -1;
    if (hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && ms >= 0) {
      const dayKey = year * 10000 + month * 100 + day;
      if (dayKey !== cachedDayKey) {
        const leap = month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0);
        if (year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= DAYS[month - 1] + (leap ? 1 : 0)) {
          cachedDayKey = dayKey;
          cachedDayMs = Date.UTC(year, month - 1, day);
        }
      }
      if (dayKey === cachedDayKey) return cachedDayMs + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
    }
  }
  return parseRecordTime(latin1(b, s, e));
}

/**
 * Scans the line `b[start, lineEnd)` into `out`. True when it is a request or response record
 * in the fast subset (and therefore valid); false means: take the full path.
 */
export function scanRecord(b: Buffer, start: number, lineEnd: number, out: CompactRecord): boolean {
  end = lineEnd;
  if (b[start] !== LBRACE) return false;
  let i = start + 1;
  let seen = 0;
  let kind = -1;
  let errorIsNull = false;
  let seqPresent = false;
  let idStart = 0;
  let idEnd = 0;
  let timeStart = 0;
  let timeEnd = 0;
  let pipelineStart = 0;
  let pipelineEnd = 0;
  let rejected = false;
  out.writer = null;
  out.bytes = null;
  let predicted = K_V;
  for (;;) {
    let key: number;
    const pattern = predicted >= 0 ? KEY_PATTERNS[predicted] : null;
    if (pattern !== null && i + pattern.length < lineEnd && equals(b, i, i + pattern.length, pattern)) {
      // The writer's key order: the next key is nearly always the expected one.
      key = predicted;
      i += pattern.length;
    } else {
      if ((i = str(b, i)) === -1 || b[i] !== COLON) return false;
      i++;
      key = sEnd > sStart ? KEY_TABLE[keySlot(b, sStart, sEnd)] : -1;
      if (key === -1 || !equals(b, sStart, sEnd, KEY_BYTES[key])) return false;
    }
    const bit = 1 << key;
    if (seen & bit) return false;
    seen |= bit;
    switch (key) {
      case K_V:
        if (b[i] !== 0x31) return false;
        i++;
        break;
      case K_TYPE:
        if ((i = str(b, i)) === -1) return false;
        if (equals(b, sStart, sEnd, LIT.request)) kind = KIND_REQUEST;
        else if (equals(b, sStart, sEnd, LIT.response)) kind = KIND_RESPONSE;
        else return false;
        break;
      case K_SEQ:
        if ((i = number(b, i)) === -1 || !numIsInt || num <= 0) return false;
        out.seq = num;
        seqPresent = true;
        break;
      case K_PREV:
        if ((i = str(b, i)) === -1 || sEnd - sStart !== 64) return false;
        for (let k = sStart; k < sEnd; k++) if (HEX_LOWER[b[k]] === 0) return false;
        break;
      case K_ID:
        if ((i = str(b, i)) === -1 || sEnd === sStart) return false;
        idStart = sStart;
        idEnd = sEnd;
        break;
      case K_TIME:
        if ((i = str(b, i)) === -1) return false;
        timeStart = sStart;
        timeEnd = sEnd;
        break;
      case K_HOST:
        if ((i = str(b, i)) === -1) return false;
        out.hostStart = sStart;
        out.hostEnd = sEnd;
        break;
      case K_SESSION:
        if ((i = str(b, i)) === -1) return false;
        out.sessionStart = sStart;
        out.sessionEnd = sEnd;
        break;
      case K_REASON:
        if ((i = str(b, i)) === -1) return false;
        out.reasonStart = sStart;
        out.reasonEnd = sEnd;
        break;
      case K_PIPELINE:
        pipelineStart = i;
        if ((i = pipeline(b, i)) === -1) return false;
        pipelineEnd = i;
        break;
      case K_RESOLVED:
        if ((i = stringArray(b, i, true)) === -1) return false;
        break;
      case K_ENV_KEYS:
        if ((i = stringArray(b, i, false)) === -1) return false;
        break;
      case K_PRIVILEGED:
        if ((i = boolean(b, i)) === -1) return false;
        out.privileged = num === 1;
        break;
      case K_DECISION: {
        if ((i = str(b, i)) === -1) return false;
        let d = -1;
        for (let k = 0; k < DECISION_BYTES.length; k++) if (equals(b, sStart, sEnd, DECISION_BYTES[k])) d = k;
        if (d === -1) return false;
        out.decision = DECISIONS[d];
        rejected = d === 3;
        break;
      }
      case K_VIA:
        if ((i = str(b, i)) === -1) return false;
        if (equals(b, sStart, sEnd, LIT.policy)) out.policy = true;
        else if (equals(b, sStart, sEnd, LIT.operator)) out.policy = false;
        else return false;
        break;
      case K_LATENCY:
        if (isNull(b, i)) {
          i += 4;
          out.latencyMs = Number.NaN;
        } else {
          if ((i = number(b, i)) === -1 || num < 0) return false;
          out.latencyMs = num;
        }
        break;
      case K_ERROR:
        if (isNull(b, i)) {
          i += 4;
          errorIsNull = true;
        } else if ((i = str(b, i)) === -1) return false;
        break;
      case K_TRUNCATED:
        if (boolean(b, i) === -1 || num !== 1) return false;
        i += 4;
        break;
      case K_STATUS:
        if ((i = str(b, i)) === -1) return false;
        if (equals(b, sStart, sEnd, LIT.ok)) out.failed = false;
        else if (equals(b, sStart, sEnd, LIT.error)) out.failed = true;
        else return false;
        break;
      case K_STAGES:
        if ((i = stages(b, i)) === -1) return false;
        break;
      case K_STDOUT_LEN:
        if ((i = number(b, i)) === -1 || !numIsInt || num < 0) return false;
        break;
      case K_STDOUT_TRUNCATED:
        if ((i = boolean(b, i)) === -1) return false;
        break;
      case K_DURATION:
        if ((i = number(b, i)) === -1 || num < 0) return false;
        out.durationMs = num;
        break;
      default:
        return false;
    }
    predicted = kind === KIND_RESPONSE ? NEXT_IN_RESPONSE[key] : NEXT_IN_REQUEST[key];
    const c = b[i];
    if (c === RBRACE) break;
    if (c !== COMMA) return false;
    i++;
  }
  if (i + 1 !== lineEnd) return false;
  if (kind === KIND_REQUEST) {
    if ((seen & REQUEST_REQUIRED) !== REQUEST_REQUIRED || (seen & ~REQUEST_ALLOWED) !== 0) return false;
    if (errorIsNull || (rejected && !(seen & (1 << K_ERROR)))) return false;
    out.commandStart = pipelineStart;
    out.commandEnd = pipelineEnd;
  } else if (kind === KIND_RESPONSE) {
    if ((seen & RESPONSE_REQUIRED) !== RESPONSE_REQUIRED || (seen & ~RESPONSE_ALLOWED) !== 0) return false;
    if (anyFailedStage) out.failed = true;
  } else return false;
  out.kind = kind;
  out.bytes = b;
  if (!seqPresent) out.seq = -1;
  out.chained = seqPresent && (seen & (1 << K_PREV)) !== 0;
  out.idHash = hashBytes(b, idStart, idEnd);
  out.timeMs = time(b, timeStart, timeEnd);
  return true;
}
