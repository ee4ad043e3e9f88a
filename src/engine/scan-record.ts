/**
 * The indexer's fast path: reads the few fields an index keeps straight from a line's bytes,
 * without building the record object that JSON.parse + validation would.
 *
 * It recognises a strict subset of JSON — no whitespace, ASCII strings without escapes,
 * request and response records with only the schema's keys (in any order, each once; an
 * `operator` object with its four keys in the writer's order) — and
 * validates every value against the schema as it goes. Anything outside that subset (writer
 * records, escapes, non-ASCII text, odd numbers, unknown keys, errors of any kind) returns
 * false, and the caller takes the full path (`parseLine` + `compactFromRecord`), which gives
 * the same result for a valid record and the reason for an invalid one. A test checks that
 * both paths agree. Pure: no I/O.
 *
 * Its parts: compact-record.ts (the shape it fills), record-keys.ts (the keys and literal
 * values it knows), scan-values.ts (reading one JSON value), record-time.ts (a time field).
 */
import * as chain from '../shared/chain.js';
import * as compactRecord from './compact-record.js';
import type { CompactRecord } from './compact-record.js';
import * as idTable from './id-table.js';
import * as recordKeys from './record-keys.js';
import * as recordTime from './record-time.js';
import * as scanValues from './scan-values.js';

// Local copies: V8 does not constant-fold imported bindings, and this is the indexer's hot loop
// (with them imported, it scans at about half the speed).
const { isChainPrevBytes, isChainSeq } = chain;
const { DECISIONS, KIND_REQUEST, KIND_RESPONSE, latin1 } = compactRecord;
const { hashBytes } = idTable;
const { DECISION_BYTES, ESCALATION_BYTES, REJECT_BYTES, equals, KEY_BYTES, KEY_PATTERNS, KEY_TABLE, KEYS, keySlot, LIT, NEXT_IN_REQUEST, NEXT_IN_RESPONSE } = recordKeys;
const { REQUEST_ALLOWED, REQUEST_REQUIRED, RESPONSE_ALLOWED, RESPONSE_REQUIRED } = recordKeys;
const { timeFromBytes } = recordTime;
const { boolean, COLON, COMMA, isNull, LBRACE, number, operator, pipeline, QUOTE, RBRACE, scanLine, scanned, stages, str, stringArray } = scanValues;

// Literal case labels (a switch on them compiles to a jump table); checked against KEYS below.
const K_V = 0, K_TYPE = 1, K_SEQ = 2, K_PREV = 3, K_ID = 4, K_TIME = 5, K_HOST = 6, K_SESSION = 7, K_PIPELINE = 8;
const K_RESOLVED = 9, K_ENV_KEYS = 10, K_REASON = 11, K_PRIVILEGED = 12, K_DECISION = 13, K_VIA = 14, K_LATENCY = 15;
const K_ERROR = 16, K_TRUNCATED = 17, K_STATUS = 18, K_STAGES = 19, K_STDOUT_LEN = 20, K_STDOUT_TRUNCATED = 21, K_DURATION = 22;
const K_LOGGED = 23, K_REJECT = 24, K_ALWAYS = 25, K_ESCALATION = 26, K_FORWARD_AGENT = 27, K_CLIENT_VERSION = 28, K_OPERATOR = 29;
if (KEYS[K_V] !== 'v' || KEYS[K_PRIVILEGED] !== 'privileged' || KEYS[K_ERROR] !== 'error' || KEYS[K_DURATION] !== 'duration_ms' || KEYS[K_LOGGED] !== 'logged' || KEYS[K_OPERATOR] !== 'operator' || KEYS[K_REJECT] !== 'reject') {
  throw new Error('scan-record: key constants out of step with KEYS');
}

/** 1 + a closed list's index of the string just scanned (0: not in it). */
function oneOf(b: Buffer, list: readonly Uint8Array[]): number {
  for (let k = 0; k < list.length; k++) if (equals(b, scanned.sStart, scanned.sEnd, list[k])) return k + 1;
  return 0;
}

// The last operator's key (operatorKey) and what it was made of: a daemon writes one operator on
// every line, so the key is built once and the same string handed on (the intake compares by it).
let lastUid = -1;
let lastUser = new Uint8Array(0);
let lastOperatorKey = '';
export function operatorKeyOf(b: Buffer, uid: number, userStart: number, userEnd: number): string {
  if (uid !== lastUid || !equals(b, userStart, userEnd, lastUser)) {
    lastUid = uid;
    lastUser = b.slice(userStart, userEnd);
    // operatorKey's JSON.stringify([uid, user]) for a safe integer and a user of plain ASCII without escapes.
    lastOperatorKey = `[${uid},"${latin1(b, userStart, userEnd)}"]`;
  }
  return lastOperatorKey;
}

/**
 * Scans the line `b[start, lineEnd)` into `out`. True when it is a request or response record
 * in the fast subset (and therefore valid); false means: take the full path.
 */
export function scanRecord(b: Buffer, start: number, lineEnd: number, out: CompactRecord): boolean {
  scanLine(lineEnd);
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
  let loggedStart = -1;
  let loggedEnd = 0;
  let pipelineStart = 0;
  let pipelineEnd = 0;
  let decision = -1;
  out.writer = null;
  out.reject = 0;
  out.operator = '';
  out.bytes = null;
  out.prevStart = -1;
  out.resolvedStart = -1;
  out.errorStart = -1;
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
      key = scanned.sEnd > scanned.sStart ? KEY_TABLE[keySlot(b, scanned.sStart, scanned.sEnd)] : -1;
      if (key === -1 || !equals(b, scanned.sStart, scanned.sEnd, KEY_BYTES[key])) return false;
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
        if (equals(b, scanned.sStart, scanned.sEnd, LIT.request)) kind = KIND_REQUEST;
        else if (equals(b, scanned.sStart, scanned.sEnd, LIT.response)) kind = KIND_RESPONSE;
        else return false;
        break;
      case K_SEQ:
        if ((i = number(b, i)) === -1 || !isChainSeq(scanned.num)) return false;
        out.seq = scanned.num;
        seqPresent = true;
        break;
      case K_PREV:
        // A string of 64 lowercase hex digits (isChainPrevBytes), read in one pass: else the full path says what it is.
        if (b[i] !== QUOTE || i + 65 >= lineEnd || b[i + 65] !== QUOTE || !isChainPrevBytes(b, i + 1, i + 65)) return false;
        out.prevStart = i + 1;
        out.prevEnd = i + 65;
        i += 66;
        break;
      case K_ID:
        if ((i = str(b, i)) === -1 || scanned.sEnd === scanned.sStart) return false;
        idStart = scanned.sStart;
        idEnd = scanned.sEnd;
        break;
      case K_TIME:
        if ((i = str(b, i)) === -1) return false;
        timeStart = scanned.sStart;
        timeEnd = scanned.sEnd;
        break;
      case K_LOGGED:
        if ((i = str(b, i)) === -1) return false;
        loggedStart = scanned.sStart;
        loggedEnd = scanned.sEnd;
        break;
      case K_HOST:
        if ((i = str(b, i)) === -1) return false;
        out.hostStart = scanned.sStart;
        out.hostEnd = scanned.sEnd;
        break;
      case K_SESSION:
        if ((i = str(b, i)) === -1) return false;
        out.sessionStart = scanned.sStart;
        out.sessionEnd = scanned.sEnd;
        break;
      case K_REASON:
        if ((i = str(b, i)) === -1) return false;
        out.reasonStart = scanned.sStart;
        out.reasonEnd = scanned.sEnd;
        break;
      case K_PIPELINE:
        pipelineStart = i;
        if ((i = pipeline(b, i)) === -1) return false;
        pipelineEnd = i;
        break;
      case K_RESOLVED:
        out.resolvedStart = i;
        if ((i = stringArray(b, i, true)) === -1) return false;
        out.resolvedEnd = i;
        break;
      case K_ENV_KEYS:
        if ((i = stringArray(b, i, false)) === -1) return false;
        break;
      case K_PRIVILEGED:
        if ((i = boolean(b, i)) === -1) return false;
        out.privileged = scanned.num === 1;
        break;
      case K_DECISION: {
        if ((i = str(b, i)) === -1) return false;
        let d = -1;
        for (let k = 0; k < DECISION_BYTES.length; k++) if (equals(b, scanned.sStart, scanned.sEnd, DECISION_BYTES[k])) d = k;
        if (d === -1) return false;
        out.decision = DECISIONS[d];
        decision = d;
        break;
      }
      case K_VIA:
        if ((i = str(b, i)) === -1) return false;
        if (equals(b, scanned.sStart, scanned.sEnd, LIT.policy)) out.policy = true;
        else if (equals(b, scanned.sStart, scanned.sEnd, LIT.operator) || equals(b, scanned.sStart, scanned.sEnd, LIT.pkexec)) out.policy = false;
        else return false;
        break;
      case K_LATENCY:
        if (isNull(b, i)) {
          i += 4;
          out.latencyMs = Number.NaN;
        } else {
          if ((i = number(b, i)) === -1 || scanned.num < 0) return false;
          out.latencyMs = scanned.num;
        }
        break;
      case K_ERROR:
        if (isNull(b, i)) {
          i += 4;
          errorIsNull = true;
        } else {
          if ((i = str(b, i)) === -1) return false;
          out.errorStart = scanned.sStart;
          out.errorEnd = scanned.sEnd;
        }
        break;
      case K_TRUNCATED:
      case K_ALWAYS:
        // Both only ever `true`.
        if (boolean(b, i) === -1 || scanned.num !== 1) return false;
        i += 4;
        break;
      case K_STATUS:
        if ((i = str(b, i)) === -1) return false;
        if (equals(b, scanned.sStart, scanned.sEnd, LIT.ok)) out.failed = false;
        else if (equals(b, scanned.sStart, scanned.sEnd, LIT.error)) out.failed = true;
        else return false;
        break;
      case K_STAGES:
        if ((i = stages(b, i)) === -1) return false;
        break;
      case K_STDOUT_LEN:
        if ((i = number(b, i)) === -1 || !scanned.numIsInt || scanned.num < 0) return false;
        break;
      case K_STDOUT_TRUNCATED:
        if ((i = boolean(b, i)) === -1) return false;
        break;
      case K_REJECT:
        if ((i = str(b, i)) === -1 || (out.reject = oneOf(b, REJECT_BYTES)) === 0) return false;
        break;
      case K_ESCALATION:
        if ((i = str(b, i)) === -1 || oneOf(b, ESCALATION_BYTES) === 0) return false;
        break;
      case K_FORWARD_AGENT:
        if ((i = boolean(b, i)) === -1) return false;
        break;
      case K_CLIENT_VERSION:
        if ((i = str(b, i)) === -1) return false;
        break;
      case K_OPERATOR:
        if ((i = operator(b, i)) === -1) return false;
        out.operator = operatorKeyOf(b, scanned.num, scanned.userStart, scanned.userEnd);
        break;
      case K_DURATION:
        if ((i = number(b, i)) === -1 || scanned.num < 0) return false;
        out.durationMs = scanned.num;
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
    if (errorIsNull || (decision === 3 && !(seen & (1 << K_ERROR)))) return false;
    // The schema's refinements: a reject kind only on a rejected request, always only on an approved one.
    if ((out.reject !== 0 && decision !== 3) || ((seen & (1 << K_ALWAYS)) !== 0 && decision !== 0)) return false;
    out.commandStart = pipelineStart;
    out.commandEnd = pipelineEnd;
  } else if (kind === KIND_RESPONSE) {
    if ((seen & RESPONSE_REQUIRED) !== RESPONSE_REQUIRED || (seen & ~RESPONSE_ALLOWED) !== 0) return false;
    if (scanned.anyFailedStage) out.failed = true;
  } else return false;
  out.kind = kind;
  out.bytes = b;
  // chainFieldsOf's rule: chained with both fields (each was checked as read), else no seq.
  out.chained = seqPresent && (seen & (1 << K_PREV)) !== 0;
  if (!out.chained) out.seq = -1;
  out.idHash = hashBytes(b, idStart, idEnd);
  out.idStart = idStart;
  out.idEnd = idEnd;
  // recordTimeMs's rule: the writer's clock when the record has it, else the time as sent.
  out.timeMs = loggedStart >= 0 ? timeFromBytes(b, loggedStart, loggedEnd) : timeFromBytes(b, timeStart, timeEnd);
  return true;
}
