/**
 * Daemon input → the on-disk line of a request or response record.
 *
 * `toRequestRecord` / `toResponseRecord` say what a record holds: defensive conversion rather
 * than validation, since a record with an odd field is still evidence and is written, never
 * dropped. `generalLine` is JSON.stringify of such a record with seq, prev and the writer's
 * time (`logged`) after v and type, cut to the line cap when too long (fit.ts).
 *
 * `RecordEncoder` writes the same line's UTF-8 bytes straight into the writer's buffer. It
 * runs once per record on the daemon's hot path, where on Node 20 JSON.stringify, the string
 * building around it and the encoding of the result cost more than the write syscall; the
 * encoder makes no intermediate strings and calls nothing native (number formatting included)
 * for ordinary input. Its output is byte-identical to `generalLine` (a property test checks
 * it on hostile input): a string that is not plain printable ASCII goes through
 * JSON.stringify, and an input of an unusual shape, or one that might not fit the buffer, is
 * left to `generalLine` (the encoder returns -1).
 */
import { type Decision, DECISIONS, type Escalation, ESCALATIONS, FORMAT_VERSION, POLICY_BY, type PolicyBy, REJECT_KINDS, type RejectKind, type Via } from '../shared/format-constants.js';
import type { OperatorInfo, PolicyRecord, RequestRecord, ResponseRecord, WriterRecord } from '../shared/schema.js';
import type { OutputOrLength, PolicyInput, PolicyValue, RequestInput, ResponseInput } from './record-input.js';
import { fitRecordJson } from './fit.js';

/** A record without what the writer adds as it appends: its chain position and its own time. */
export type UnchainedRecord =
  | Omit<RequestRecord, 'seq' | 'prev' | 'logged'>
  | Omit<ResponseRecord, 'seq' | 'prev' | 'logged'>
  | Omit<WriterRecord, 'seq' | 'prev' | 'logged'>
  | Omit<PolicyRecord, 'seq' | 'prev' | 'logged'>;

const str = (v: unknown, fallback = ''): string => (v === undefined || v === null ? fallback : String(v));

/** A finite number, else 0 (JSON has no Infinity or NaN: they would be written as null). */
const finite = (v: unknown): number => {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
};

/**
 * An integer readers accept: beyond ±(2^53 − 1) it saturates there, since the schema (and
 * JSON readers in general) reject an integer past it. `|| 0` also turns -0 into 0.
 */
function int(v: unknown): number {
  const n = Math.trunc(finite(v)) || 0;
  return n > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : n < -Number.MAX_SAFE_INTEGER ? -Number.MAX_SAFE_INTEGER : n;
}

function sizeOf(s: OutputOrLength | undefined): number {
  if (typeof s === 'number') return Math.max(0, int(s));
  if (typeof s === 'string') return Buffer.byteLength(s);
  return ArrayBuffer.isView(s) ? s.byteLength : 0;
}

const requestId = (id: unknown): string => str(id, '(none)') || '(none)';

/** A variable's name: what precedes the first `=` (execve's `NAME=value`): a value never gets through. */
function envName(entry: unknown): string {
  const s = String(entry);
  const eq = s.indexOf('=');
  return eq < 0 ? s : s.slice(0, eq);
}

/** The names of the environment sent (a map, an object, or execve-style `NAME=value` strings), unique and sorted. */
function envKeys(env: RequestInput['env']): string[] {
  if (!env) return [];
  const entries: unknown[] = Array.isArray(env) ? env : env instanceof Map ? [...env.keys()] : Object.keys(env);
  return [...new Set(entries.map(envName))].sort();
}

const KNOWN_DECISIONS: ReadonlySet<unknown> = new Set(DECISIONS);
const isDecision = (d: unknown): d is Decision => KNOWN_DECISIONS.has(d);

const KNOWN_REJECTS: ReadonlySet<unknown> = new Set(REJECT_KINDS);
const KNOWN_ESCALATIONS: ReadonlySet<unknown> = new Set(ESCALATIONS);
const KNOWN_POLICY_BY: ReadonlySet<unknown> = new Set(POLICY_BY);

/** `operator` unless the daemon said `policy` or `pkexec`. */
const viaOf = (via: unknown): Via => (via === 'policy' || via === 'pkexec' ? via : 'operator');

/** The `reject` written: a known kind on a rejected request, else null. */
const rejectOf = (r: RequestInput): RejectKind | null => (r.decision === 'rejected' && KNOWN_REJECTS.has(r.reject) ? r.reject! : null);

/**
 * The `error` of a request of a known decision, or null when none is written. A reject kind
 * outside the list is not dropped: the error says what the daemon gave.
 */
function requestError(r: RequestInput): string | null {
  if (r.decision !== 'rejected') return r.error === undefined ? null : str(r.error);
  const message = str(r.error, 'rejected');
  return r.reject == null || KNOWN_REJECTS.has(r.reject) ? message : `${message} (unknown reject kind ${JSON.stringify(String(r.reject))})`;
}

const escalationOf = (e: unknown): Escalation | null => (KNOWN_ESCALATIONS.has(e) ? (e as Escalation) : null);

/** Fills the optional fields after `error`, in the format's order (reject … operator). */
function addRequestExtras(record: Omit<RequestRecord, 'seq' | 'prev' | 'logged'>, r: RequestInput, operator: OperatorInfo | null): void {
  const reject = isDecision(r.decision) ? rejectOf(r) : null;
  if (reject !== null) record.reject = reject;
  if (r.always === true && r.decision === 'approved') record.always = true;
  const escalation = escalationOf(r.escalation);
  if (escalation !== null) record.escalation = escalation;
  if (r.forwardAgent != null) record.forward_agent = r.forwardAgent === true;
  if (r.clientVersion != null) record.client_version = str(r.clientVersion);
  if (operator !== null) record.operator = operator;
}


/** The argv as given when it is already all strings (the usual case: no copy). */
function stringArgv(stage: readonly string[] | undefined): string[] {
  if (Array.isArray(stage)) {
    let plain = true;
    // A for loop, not every(): every() skips holes, which JSON would write as null.
    for (let i = 0; i < stage.length && plain; i++) plain = typeof stage[i] === 'string';
    if (plain) return stage as string[];
  }
  return Array.from(stage ?? [], (a) => str(a));
}

/** The completion time as given, else now (the clock is read only when needed). */
const responseTime = (time: unknown, now: number | (() => number)): string =>
  time == null ? new Date(typeof now === 'number' ? now : now()).toISOString() : String(time);

const latencyOf = (ms: unknown): number | null => (typeof ms === 'number' && Number.isFinite(ms) ? Math.max(0, ms) : null);

/** `operator`: who decided, as the writer has it (null: none written). */
export function toRequestRecord(r: RequestInput, operator: OperatorInfo | null = null): Omit<RequestRecord, 'seq' | 'prev' | 'logged'> {
  const pipeline = Array.from(r.pipeline ?? [], stringArgv);
  const record: Omit<RequestRecord, 'seq' | 'prev' | 'logged'> = {
    v: FORMAT_VERSION,
    type: 'request',
    id: requestId(r.id),
    time: str(r.time),
    host: str(r.host),
    session: str(r.session),
    pipeline: pipeline.length > 0 ? pipeline : [[]],
    resolved: pipeline.map((_, i) => (r.resolved?.[i] == null ? null : str(r.resolved[i]))),
    env_keys: envKeys(r.env),
    reason: str(r.reason),
    privileged: r.privileged === true,
    decision: isDecision(r.decision) ? r.decision : 'rejected',
    via: viaOf(r.via),
    latency_ms: latencyOf(r.latencyMs),
  };
  // A decision readers do not know would make the record unreadable to them: it is written as
  // `rejected`, and the error says what the daemon gave.
  if (!isDecision(r.decision)) record.error = `the daemon gave an unknown decision ${JSON.stringify(String(r.decision))}${r.error === undefined ? '' : `: ${str(r.error)}`}`;
  else {
    const error = requestError(r);
    if (error !== null) record.error = error;
  }
  addRequestExtras(record, r, operator);
  return record;
}

/** A setting's value as JSON carries it: a scalar (a number that JSON cannot hold is null). */
function policyValue(v: unknown): PolicyValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return String(v);
}

/**
 * A policy change, at the writer's clock `loggedMs` (its `time` is the same as `logged`). A
 * `by` outside POLICY_BY is written as `config` (not a key the operator was seen to press).
 */
export function toPolicyRecord(p: PolicyInput, loggedMs: number, operator: OperatorInfo | null = null): Omit<PolicyRecord, 'seq' | 'prev' | 'logged'> {
  const record: Omit<PolicyRecord, 'seq' | 'prev' | 'logged'> = {
    v: FORMAT_VERSION,
    type: 'policy',
    time: new Date(loggedMs).toISOString(),
    setting: str(p?.setting),
    old: policyValue(p?.old),
    new: policyValue(p?.new),
    request_id: p?.requestId == null ? null : str(p.requestId),
    by: KNOWN_POLICY_BY.has(p?.by) ? (p.by as PolicyBy) : 'config',
  };
  if (operator !== null) record.operator = operator;
  return record;
}

export function toResponseRecord(r: ResponseInput, now: number | (() => number)): Omit<ResponseRecord, 'seq' | 'prev' | 'logged'> {
  return {
    v: FORMAT_VERSION,
    type: 'response',
    id: requestId(r.id),
    time: responseTime(r.time, now),
    status: r.status === 'ok' ? 'ok' : 'error',
    error: r.error == null ? null : str(r.error),
    stages: Array.from(r.stages ?? [], (s) => ({
      exit_code: int(s?.exitCode),
      stderr_len: sizeOf(s?.stderr),
      stderr_truncated: s?.stderrTruncated === true,
    })),
    stdout_len: sizeOf(r.stdout),
    stdout_truncated: r.stdoutTruncated === true,
    duration_ms: Math.max(0, finite(r.durationMs)),
  };
}

/**
 * A record's line via JSON.stringify: `{"v":1,"type":"…","seq":N,"prev":"…","logged":"…",` and
 * the rest of the record, cut to the line cap when it is too long. `loggedMs` is the writer's
 * clock as it writes the record.
 */
export function generalLine(record: UnchainedRecord, seq: number, prev: string, loggedMs: number): string {
  const json = fitRecordJson(record);
  const head = `{"v":${record.v},"type":"${record.type}",`;
  const chain = `${head}"seq":${seqText(seq)},"prev":"${prev}","logged":"${new Date(loggedMs).toISOString()}",`;
  // Stryker disable next-line ConditionalExpression,MethodExpression: false or endsWith takes the fallback below, which builds the same line
  if (json.startsWith(head)) return chain + json.slice(head.length);
  // Not reachable for the writer's own records (v and type come first); kept for safety.
  const { v: _v, type: _type, ...fields } = JSON.parse(json) as UnchainedRecord;
  return chain + JSON.stringify(fields).slice(1);
}

/**
 * toFixed(0), not String(seq): V8 caches number→string conversions, and a cache entry per
 * (always new) seq keeps its string alive until the GC has to promote it. seq is an integer
 * < 2^53, which toFixed(0) writes exactly. (The encoder writes the digits without a string.)
 */
const seqText = (seq: number): string => seq.toFixed(0);

const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s));

/** The fixed parts of the two lines, as bytes. */
const L = {
  request: bytes(`{"v":${FORMAT_VERSION},"type":"request","seq":`),
  response: bytes(`{"v":${FORMAT_VERSION},"type":"response","seq":`),
  prev: bytes(',"prev":"'),
  logged: bytes('","logged":'),
  id: bytes(',"id":'),
  time: bytes(',"time":'),
  host: bytes(',"host":'),
  session: bytes(',"session":'),
  pipeline: bytes(',"pipeline":['),
  resolved: bytes('],"resolved":['),
  envKeys: bytes('],"env_keys":'),
  reason: bytes(',"reason":'),
  privileged: bytes(',"privileged":true'),
  unprivileged: bytes(',"privileged":false'),
  decision: bytes(',"decision":'),
  operator: bytes(',"via":"operator","latency_ms":'),
  policy: bytes(',"via":"policy","latency_ms":'),
  pkexec: bytes(',"via":"pkexec","latency_ms":'),
  reject: bytes(',"reject":'),
  always: bytes(',"always":true'),
  escalation: bytes(',"escalation":'),
  forwardAgent: bytes(',"forward_agent":true'),
  noForwardAgent: bytes(',"forward_agent":false'),
  clientVersion: bytes(',"client_version":'),
  operatorField: bytes(',"operator":'),
  null: bytes('null'),
  error: bytes(',"error":'),
  statusOk: bytes(',"status":"ok","error":'),
  statusError: bytes(',"status":"error","error":'),
  stages: bytes(',"stages":['),
  exitCode: bytes('{"exit_code":'),
  stderrLen: bytes(',"stderr_len":'),
  stderrTruncated: bytes(',"stderr_truncated":true}'),
  stderrWhole: bytes(',"stderr_truncated":false}'),
  stdoutLen: bytes('],"stdout_len":'),
  stdoutTruncated: bytes(',"stdout_truncated":true,"duration_ms":'),
  stdoutWhole: bytes(',"stdout_truncated":false,"duration_ms":'),
  emptyArray: bytes('[]'),
};

/** Room for the fixed parts, seq, prev and numbers of a line, beyond its strings. */
const FIXED_BYTES = 1024;
/** Worst case per UTF-16 unit of a string: a control character becomes `\u001f`. */
const MAX_BYTES_PER_UNIT = 6;

/** (The byte loops stop at `!==` the exact end: a `<=` would write a byte past it that no test sees, the next part overwriting it.) */
function putBytes(buf: Uint8Array, at: number, b: Uint8Array): number {
  for (let i = 0; i !== b.length; i++) buf[at + i] = b[i];
  return at + b.length;
}

/** Two decimal digits. */
function put2(buf: Uint8Array, at: number, n: number): number {
  buf[at] = 0x30 + Math.floor(n / 10);
  buf[at + 1] = 0x30 + (n % 10);
  return at + 2;
}

const DAY_MS = 86_400_000;
/** The latest time toISOString writes with a four-digit year (9999-12-31T23:59:59.999Z). */
const LAST_FOUR_DIGIT_MS = 253_402_300_799_999;
/** The day (since the epoch) of the last time written, and `"YYYY-MM-DDT` for it: records come in time order. */
let isoDay = Number.NaN;
const isoDayPrefix = new Uint8Array(12);

/**
 * `"` + new Date(ms).toISOString() + `"` without making a string (the date part is remade
 * once a day); false when the time is outside what it writes (before 1970, past year 9999, not
 * a number), for the general path.
 */
const isoTimeWritable = (ms: number): boolean => ms >= 0 && ms <= LAST_FOUR_DIGIT_MS;
function putIsoTime(buf: Uint8Array, at: number, ms: number): number {
  const t = Math.floor(ms); // a Date's time value is an integer: toISOString drops the fraction
  const day = Math.floor(t / DAY_MS);
  // Stryker disable next-line ConditionalExpression: a miss where the cache could hit remakes the same prefix
  if (day !== isoDay) {
    isoDay = day;
    const date = new Date(day * DAY_MS).toISOString();
    isoDayPrefix[0] = 0x22;
    for (let i = 0; i !== 11; i++) isoDayPrefix[i + 1] = date.charCodeAt(i);
  }
  let p = putBytes(buf, at, isoDayPrefix);
  const inDay = t - day * DAY_MS;
  p = put2(buf, p, Math.floor(inDay / 3_600_000));
  buf[p++] = 0x3a; // :
  p = put2(buf, p, Math.floor(inDay / 60_000) % 60);
  buf[p++] = 0x3a;
  p = put2(buf, p, Math.floor(inDay / 1000) % 60);
  buf[p++] = 0x2e; // .
  const millis = inDay % 1000;
  buf[p++] = 0x30 + Math.floor(millis / 100);
  p = put2(buf, p, millis % 100);
  buf[p++] = 0x5a; // Z
  buf[p++] = 0x22;
  return p;
}

/** Only for text known to be ASCII: hex digests, and numbers as String() writes them. */
function putAscii(buf: Uint8Array, at: number, s: string): number {
  for (let i = 0; i !== s.length; i++) buf[at + i] = s.charCodeAt(i);
  return at + s.length;
}

/** The decimal digits of a safe non-negative integer. */
function putDigits(buf: Uint8Array, at: number, n: number): number {
  let end = at + 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) end++;
  let p = end;
  do {
    buf[--p] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

/**
 * A finite non-negative number exactly as JSON.stringify (ECMAScript Number::toString) writes
 * it, without making a string: String() of a fractional number costs ~0.2 µs on Node 20 (and
 * of a new integer, a cache entry the GC must later promote). Integers are written digit by
 * digit; a fraction with at most 3 decimals (durations in ms) as its integer and decimals,
 * which is then the shortest decimal that reads back as n, i.e. what toString gives (decimals
 * of 3 places or fewer are 0.001 apart, far more than a double's spacing below 1e12);
 * anything else through String().
 */
function putNumber(buf: Uint8Array, at: number, n: number): number {
  if (Number.isSafeInteger(n)) return putDigits(buf, at, n);
  // (String() writes what the digit path writes: a mutant sending it more numbers is equivalent.)
  // Stryker disable next-line ArithmeticOperator: n / 1000 rounds to a number that never reads back as n, so n goes to String()
  const thousandths = Math.round(n * 1000);
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: n > 1e12, n < 1e12 and thousandths * 1000 only send more numbers to String()
  if (n >= 1e12 || thousandths / 1000 !== n) return putAscii(buf, at, String(n));
  let p = putDigits(buf, at, Math.floor(thousandths / 1000));
  buf[p++] = 0x2e; // .
  let frac = thousandths % 1000;
  let scale = 100;
  while (frac > 0) {
    buf[p++] = 0x30 + Math.floor(frac / scale);
    frac %= scale;
    scale /= 10;
  }
  return p;
}

/**
 * A JSON string: ASCII that JSON leaves alone is copied byte for byte; a string with anything
 * else (quotes, backslashes, controls, non-ASCII, lone surrogates) is written as
 * JSON.stringify gives it. The caller has made sure the buffer has room for the worst case.
 */
function putString(buf: Buffer, at: number, s: string): number {
  const n = s.length;
  buf[at] = 0x22;
  for (let i = 0; i !== n; i++) {
    const c = s.charCodeAt(i);
    // Stryker disable next-line EqualityOperator: c <= 0x20, c >= 0x7f send a space or DEL to JSON.stringify, which writes it as is
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7f) return at + buf.write(JSON.stringify(s), at);
    buf[at + 1 + i] = c;
  }
  buf[at + 1 + n] = 0x22;
  return at + n + 2;
}

/**
 * The end of a line, or -1 if it ran past the buffer (the room is checked beforehand, so only
 * input that changes while it is read, such as an argv with getters, could), leaving room for
 * the newline.
 */
const withinBuffer = (buf: Uint8Array, end: number): number => (end < buf.length ? end : -1);

/**
 * The env names' JSON for a plain object, remembering the last list: a daemon's clients send
 * the same names request after request, so the sort and the encoding are usually skipped.
 * The comparison is of the names as sent, in order; any difference recomputes.
 */
class EnvKeysJson {
  // Stryker disable next-line ArrayDeclaration: a first list of other names only misses the cache (each way of missing it recomputes the same names)
  private lastKeys: string[] = [];
  private lastJson: Uint8Array = L.emptyArray;

  of(env: RequestInput['env']): Uint8Array {
    if (!env) return L.emptyArray;
    if (Array.isArray(env) || env instanceof Map) return Buffer.from(JSON.stringify(envKeys(env)));
    // (An object's keys are unique; envKeys also cuts a `NAME=value` key to its name.)
    const keys = Object.keys(env);
    const last = this.lastKeys;
    // Stryker disable next-line ConditionalExpression: false only misses the cache
    if (keys.length === last.length) {
      // Stryker disable next-line BooleanLiteral: false only misses the cache
      let same = true;
      for (let i = 0; i !== keys.length && same; i++) same = keys[i] === last[i];
      // Stryker disable next-line ConditionalExpression: false only misses the cache
      if (same) return this.lastJson;
    }
    this.lastKeys = keys;
    this.lastJson = Buffer.from(JSON.stringify(envKeys(env)));
    return this.lastJson;
  }
}

/** Encodes request and response lines into a buffer; holds the env-names cache and the operator's JSON. */
export class RecordEncoder {
  private readonly env = new EnvKeysJson();
  /** `,"operator":{…}` as JSON.stringify writes it, made once; empty when none is written. */
  private readonly operator: Uint8Array;

  constructor(operator: OperatorInfo | null = null) {
    this.operator = operator === null ? new Uint8Array(0) : Buffer.concat([L.operatorField, Buffer.from(JSON.stringify(operator))]);
  }

  /**
   * Writes the line of `toRequestRecord(r)` with seq, prev and the writer's time `loggedMs`
   * into `buf` from `at`; returns where it ends, or -1 (nothing usable written) when the
   * general path must do it.
   */
  request(buf: Buffer, at: number, seq: number, prev: string, r: RequestInput, loggedMs: number): number {
    const pipeline = r.pipeline;
    const decision = r.decision;
    if (!Array.isArray(pipeline) || pipeline.length === 0 || 3 * pipeline.length > buf.length || !isDecision(decision) || !isoTimeWritable(loggedMs)) return -1;
    const resolved = r.resolved;
    const id = requestId(r.id);
    const time = str(r.time);
    const host = str(r.host);
    const session = str(r.session);
    const reason = str(r.reason);
    const error = requestError(r);
    const clientVersion = r.clientVersion == null ? null : str(r.clientVersion);
    let units = id.length + time.length + host.length + session.length + reason.length + decision.length + (error?.length ?? 0) + (clientVersion?.length ?? 0);
    let items = 0;
    for (let i = 0; i < pipeline.length; i++) {
      const stage = pipeline[i];
      if (!Array.isArray(stage)) return -1;
      // Each argument takes 3 bytes at least: a stage this long cannot fit, and is not walked.
      if (3 * stage.length > buf.length) return -1;
      for (let j = 0; j < stage.length; j++) {
        const arg = stage[j];
        if (typeof arg !== 'string') return -1; // holes, numbers…: the general path converts them
        units += arg.length;
      }
      const path = resolved?.[i];
      if (path != null) {
        if (typeof path !== 'string') return -1;
        units += path.length;
      }
      items += stage.length + 3; // quotes and commas, brackets, the resolved entry
    }
    const env = this.env.of(r.env);
    if (at + MAX_BYTES_PER_UNIT * units + 3 * items + env.length + this.operator.length + FIXED_BYTES > buf.length) return -1;

    let p = putHead(buf, at, L.request, seq, prev, loggedMs, id, time);
    p = putBytes(buf, p, L.host);
    p = putString(buf, p, host);
    p = putBytes(buf, p, L.session);
    p = putString(buf, p, session);
    p = putBytes(buf, p, L.pipeline);
    for (let i = 0; i < pipeline.length; i++) {
      const stage = pipeline[i];
      if (i > 0) buf[p++] = 0x2c; // ,
      buf[p++] = 0x5b; // [
      for (let j = 0; j < stage.length; j++) {
        if (j > 0) buf[p++] = 0x2c;
        p = putString(buf, p, stage[j]);
      }
      buf[p++] = 0x5d; // ]
    }
    p = putBytes(buf, p, L.resolved);
    for (let i = 0; i < pipeline.length; i++) {
      if (i > 0) buf[p++] = 0x2c;
      const path = resolved?.[i];
      p = path == null ? putBytes(buf, p, L.null) : putString(buf, p, path);
    }
    p = putBytes(buf, p, L.envKeys);
    p = putBytes(buf, p, env);
    p = putBytes(buf, p, L.reason);
    p = putString(buf, p, reason);
    p = putBytes(buf, p, r.privileged === true ? L.privileged : L.unprivileged);
    p = putBytes(buf, p, L.decision);
    p = putString(buf, p, decision);
    const via = r.via;
    p = putBytes(buf, p, via === 'policy' ? L.policy : via === 'pkexec' ? L.pkexec : L.operator);
    const latency = latencyOf(r.latencyMs);
    // Stryker disable next-line ConditionalExpression: false gives putNumber(null), which writes String(null), `null`
    p = latency === null ? putBytes(buf, p, L.null) : putNumber(buf, p, latency);
    if (error !== null) {
      p = putBytes(buf, p, L.error);
      p = putString(buf, p, error);
    }
    const reject = rejectOf(r);
    if (reject !== null) {
      p = putBytes(buf, p, L.reject);
      p = putString(buf, p, reject);
    }
    if (r.always === true && decision === 'approved') p = putBytes(buf, p, L.always);
    const escalation = escalationOf(r.escalation);
    if (escalation !== null) {
      p = putBytes(buf, p, L.escalation);
      p = putString(buf, p, escalation);
    }
    if (r.forwardAgent != null) p = putBytes(buf, p, r.forwardAgent === true ? L.forwardAgent : L.noForwardAgent);
    if (clientVersion !== null) {
      p = putBytes(buf, p, L.clientVersion);
      p = putString(buf, p, clientVersion);
    }
    p = putBytes(buf, p, this.operator);
    buf[p++] = 0x7d; // }
    return withinBuffer(buf, p);
  }

  /** As `request`, for `toResponseRecord(r, loggedMs)`: a response without a time of its own gets the writer's. */
  response(buf: Buffer, at: number, seq: number, prev: string, r: ResponseInput, loggedMs: number): number {
    const stages = r.stages ?? [];
    if (!Array.isArray(stages) || !isoTimeWritable(loggedMs)) return -1;
    const id = requestId(r.id);
    const time = responseTime(r.time, loggedMs);
    const error = r.error == null ? null : str(r.error);
    const units = id.length + time.length + (error?.length ?? 0);
    if (at + MAX_BYTES_PER_UNIT * units + 128 * stages.length + FIXED_BYTES > buf.length) return -1;

    let p = putHead(buf, at, L.response, seq, prev, loggedMs, id, time);
    p = putBytes(buf, p, r.status === 'ok' ? L.statusOk : L.statusError);
    p = error === null ? putBytes(buf, p, L.null) : putString(buf, p, error);
    p = putBytes(buf, p, L.stages);
    for (let i = 0; i < stages.length; i++) {
      const s = stages[i];
      if (i > 0) buf[p++] = 0x2c;
      p = putBytes(buf, p, L.exitCode);
      const exitCode = int(s?.exitCode);
      if (exitCode < 0) buf[p++] = 0x2d; // -
      p = putNumber(buf, p, Math.abs(exitCode));
      p = putBytes(buf, p, L.stderrLen);
      p = putNumber(buf, p, sizeOf(s?.stderr));
      p = putBytes(buf, p, s?.stderrTruncated === true ? L.stderrTruncated : L.stderrWhole);
    }
    p = putBytes(buf, p, L.stdoutLen);
    p = putNumber(buf, p, sizeOf(r.stdout));
    p = putBytes(buf, p, r.stdoutTruncated === true ? L.stdoutTruncated : L.stdoutWhole);
    p = putNumber(buf, p, Math.max(0, finite(r.durationMs)));
    buf[p++] = 0x7d;
    return withinBuffer(buf, p);
  }
}

/** What every record line starts with: its type, chain position, the writer's time, id and time as sent. */
function putHead(buf: Buffer, at: number, opener: Uint8Array, seq: number, prev: string, loggedMs: number, id: string, time: string): number {
  let p = putBytes(buf, at, opener);
  p = putDigits(buf, p, seq);
  p = putBytes(buf, p, L.prev);
  p = putAscii(buf, p, prev);
  p = putBytes(buf, p, L.logged);
  p = putIsoTime(buf, p, loggedMs);
  p = putBytes(buf, p, L.id);
  p = putString(buf, p, id);
  p = putBytes(buf, p, L.time);
  return putString(buf, p, time);
}
