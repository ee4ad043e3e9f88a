/**
 * One audit-log line → a record, or the reason it is not one. Readers never stop on bad input:
 * the reason is counted and shown (with file:line by the caller).
 *
 * Validation has two paths with one meaning: `validateRecord` is a hand-written check that
 * accepts exactly what the zod schemas accept (a test compares them on many mutations) at a
 * fraction of the cost; only a line it rejects goes through zod, for a precise message.
 * Pure: no I/O.
 */
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import { isAllNul, isBlankLine, nulReason, overCapReason, REASON_BLANK, REASON_NUL, REASON_NUL_PADDING, REASON_OVER_CAP } from './line-bytes.js';
import { isChainPrev, isChainSeq } from './chain.js';
import { ESCALATIONS, FORMAT_VERSION, MAX_LINE_BYTES, REJECT_KINDS } from './format-constants.js';
import { schemaOfType } from './record-schemas.js';
import type { AuditRecord } from './schema.js';

export type LineResult = { ok: true; record: AuditRecord } | { ok: false; reason: string };

export const REASON_INVALID_UTF8 = 'invalid UTF-8';
export const REASON_NOT_JSON = 'not JSON';
/** A line of nothing but spaces, tabs or CRs (line-bytes.ts): the same words as verify. */
export const REASON_EMPTY = REASON_BLANK;
export { REASON_NUL, REASON_NUL_PADDING, REASON_OVER_CAP };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

/** Parses one line given as bytes, without its newline (a trailing CR is tolerated, as JSON whitespace). */
export function parseLine(bytes: Uint8Array): LineResult {
  if (bytes.length > MAX_LINE_BYTES) return { ok: false, reason: overCapReason(isAllNul(bytes), bytes.length) };
  // ASCII (most lines): decoded byte for byte, without the UTF-8 decoder.
  const ascii = isAscii(bytes);
  if (!ascii && !isUtf8(bytes)) return { ok: false, reason: nulReason(bytes) ?? REASON_INVALID_UTF8 };
  const result = parseLineText(ascii ? latin1(bytes) : decoder.decode(bytes));
  return result.ok ? result : { ok: false, reason: nulReason(bytes) ?? result.reason };
}

/** Parses one line already decoded (its byte length is the caller's concern). */
export function parseLineText(text: string): LineResult {
  if (isBlankLine(text)) return { ok: false, reason: REASON_EMPTY };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: REASON_NOT_JSON };
  }
  const record = validateRecord(value);
  return record ? { ok: true, record } : { ok: false, reason: schemaReason(value) };
}

// ---- the fast path: the schema, by hand ----

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
// (Number.isFinite and Number.isSafeInteger are false for anything that is not a number.)
const isNum = (v: unknown): v is number => Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/** Chain fields are optional (an unchained record), but one that is present follows chain.ts's rule. */
function chainOk(o: Obj): boolean {
  return (o.seq === undefined || isChainSeq(o.seq)) && (o.prev === undefined || isChainPrev(o.prev));
}

function stringArray(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const s of v) if (typeof s !== 'string') return false;
  return true;
}

const REJECTS: ReadonlySet<unknown> = new Set(REJECT_KINDS);
const ESCALATION_SET: ReadonlySet<unknown> = new Set(ESCALATIONS);

/** An `operator` object, when present: who decided. */
function operatorOk(v: unknown): boolean {
  return v === undefined || (isObj(v) && isInt(v.uid) && v.uid >= 0 && isStr(v.user) && (v.tty === null || isStr(v.tty)) && isStr(v.hostname));
}

/** The request fields of issue #15 (all optional): which refusal, ApprovedAlways, how it ran, the client, who decided. */
function requestAdditionsOk(o: Obj, d: unknown): boolean {
  return (
    (o.reject === undefined || (REJECTS.has(o.reject) && d === 'rejected')) &&
    (o.always === undefined || (o.always === true && d === 'approved')) &&
    (o.escalation === undefined || ESCALATION_SET.has(o.escalation)) &&
    (o.forward_agent === undefined || typeof o.forward_agent === 'boolean') &&
    (o.client_version === undefined || isStr(o.client_version)) &&
    operatorOk(o.operator)
  );
}

function requestOk(o: Obj): boolean {
  const p = o.pipeline;
  if (!Array.isArray(p) || p.length === 0) return false;
  for (const stage of p) if (!stringArray(stage)) return false;
  const resolved = o.resolved;
  if (!Array.isArray(resolved)) return false;
  for (const r of resolved) if (r !== null && typeof r !== 'string') return false;
  const d = o.decision;
  return (
    isStr(o.id) && o.id.length > 0 && isStr(o.time) && isStr(o.host) && isStr(o.session) &&
    stringArray(o.env_keys) && isStr(o.reason) && typeof o.privileged === 'boolean' &&
    (d === 'approved' || d === 'denied' || d === 'timeout' || d === 'rejected') &&
    (o.via === 'operator' || o.via === 'policy' || o.via === 'pkexec') &&
    (o.latency_ms === null || (isNum(o.latency_ms) && o.latency_ms >= 0)) &&
    (o.error === undefined || isStr(o.error)) && (o.truncated === undefined || o.truncated === true) &&
    (d !== 'rejected' || isStr(o.error)) && requestAdditionsOk(o, d)
  );
}

function responseOk(o: Obj): boolean {
  const stages = o.stages;
  if (!Array.isArray(stages)) return false;
  for (const s of stages) {
    if (!isObj(s) || !isInt(s.exit_code) || !isInt(s.stderr_len) || s.stderr_len < 0 || typeof s.stderr_truncated !== 'boolean') return false;
  }
  return (
    isStr(o.id) && o.id.length > 0 && isStr(o.time) && (o.status === 'ok' || o.status === 'error') &&
    (o.error === null || isStr(o.error)) && isInt(o.stdout_len) && o.stdout_len >= 0 &&
    typeof o.stdout_truncated === 'boolean' && isNum(o.duration_ms) && o.duration_ms >= 0 &&
    (o.truncated === undefined || o.truncated === true)
  );
}

function writerOk(o: Obj): boolean {
  const e = o.event;
  return (
    isStr(o.time) && (e === 'start' || e === 'stop' || e === 'dropped') && isInt(o.pid) &&
    (o.dropped === undefined || (isInt(o.dropped) && o.dropped >= 0)) && (o.error === undefined || isStr(o.error)) &&
    operatorOk(o.operator)
  );
}

const isPolicyValue = (v: unknown) => v === null || typeof v === 'boolean' || isNum(v) || isStr(v);

function policyOk(o: Obj): boolean {
  return (
    isStr(o.time) && isStr(o.setting) && isPolicyValue(o.old) && isPolicyValue(o.new) &&
    (o.request_id === null || isStr(o.request_id)) && (o.by === 'keypress' || o.by === 'config') && operatorOk(o.operator) &&
    (o.truncated === undefined || o.truncated === true)
  );
}

const HEX16 = /^[0-9a-f]{16}$/;

/** A seal as the schema has it (whether its bytes are in the canonical form is verify's concern). */
function sealOk(o: Obj): boolean {
  return (
    isChainSeq(o.seq) && isChainPrev(o.prev) && isStr(o.logged) && isStr(o.time) && isInt(o.epoch) && o.epoch >= 0 &&
    isStr(o.key_id) && HEX16.test(o.key_id) && isChainPrev(o.mac)
  );
}

/**
 * The value as a record when it satisfies the schema, else null. Unknown keys are allowed (zod
 * strips them; here they are simply ignored), so the result may carry extra properties.
 */
export function validateRecord(value: unknown): AuditRecord | null {
  if (!isObj(value) || value.v !== FORMAT_VERSION || !chainOk(value) || (value.logged !== undefined && !isStr(value.logged))) return null;
  switch (value.type) {
    case 'request':
      return requestOk(value) ? (value as AuditRecord) : null;
    case 'response':
      return responseOk(value) ? (value as AuditRecord) : null;
    case 'writer':
      return writerOk(value) ? (value as AuditRecord) : null;
    case 'policy':
      return policyOk(value) ? (value as AuditRecord) : null;
    case 'seal':
      return sealOk(value) ? (value as AuditRecord) : null;
    default:
      return null;
  }
}

// ---- the slow path: zod, for the message (record-schemas.ts: the bundle loads zod only here) ----

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

/** Why a parsed JSON value is not a record, e.g. `schema: pipeline: expected array, received string`. */
export function schemaReason(value: unknown): string {
  if (!isObj(value)) return `schema: expected an object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`;
  const schema = typeof value.type === 'string' ? schemaOfType(value.type) : undefined;
  if (!schema) return 'schema: type: expected "request", "response", "writer", "policy" or "seal"';
  const result = schema.safeParse(value);
  // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable while validateRecord accepts what zod accepts (tested): a safety net
  if (result.success) return 'schema: invalid record';
  const issue = result.error.issues[0];
  // Stryker disable next-line Regex: zod writes "Invalid input: " only at the start of a message
  const message = issue.message.replace(/^Invalid input: /, '');
  const where = formatPath(issue.path);
  return where ? `schema: ${where}: ${message}` : `schema: ${message}`;
}
