/**
 * The golden vectors' language-neutral inputs (schema/vectors/README.md), read into what the
 * TypeScript writer takes. The Rust test suite (rust/tests/vectors.rs) reads the same files
 * into the crate's structs; both must produce the bytes the files hold.
 *
 * Long inputs are written compactly: a string may be `{"repeat": "ab", "times": N}`, and an
 * item of an array `{"items": VALUE, "times": N}` (N copies of VALUE) or `{"numbered": "P", "times": N}`
 * (the N strings P0, P1, … P{N-1}).
 */
import type { PolicyInput, PolicyValue, RequestInput, ResponseInput } from '../../src/writer/record-input.js';
import { toPolicyRecord, type UnchainedRecord } from '../../src/writer/record-line.js';
import { FORMAT_VERSION } from '../../src/shared/format-constants.js';
import type { OperatorInfo } from '../../src/shared/schema.js';

type Raw = unknown;

/** Expands the `repeat` and `items` shorthands. */
export function expand(value: Raw): Raw {
  if (Array.isArray(value)) {
    const out: Raw[] = [];
    for (const item of value) {
      if (isObject(item) && 'items' in item && 'times' in item) {
        const one = expand(item.items);
        for (let i = 0; i < Number(item.times); i++) out.push(one);
      } else if (isObject(item) && 'numbered' in item && 'times' in item) {
        for (let i = 0; i < Number(item.times); i++) out.push(`${String(item.numbered)}${i}`);
      } else out.push(expand(item));
    }
    return out;
  }
  if (isObject(value)) {
    if ('repeat' in value && 'times' in value) return String(value.repeat).repeat(Number(value.times));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  }
  return value;
}

const isObject = (v: Raw): v is Record<string, Raw> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface RawRequest {
  id: string;
  time: string;
  host?: string;
  session: string;
  pipeline: string[][];
  resolved?: (string | null)[];
  env?: string[];
  reason?: string;
  privileged: boolean;
  decision: RequestInput['decision'];
  via?: 'operator' | 'policy' | 'pkexec';
  latency_ms?: number | null;
  error?: string;
  /** A kind outside the list too: the writer then writes no `reject` and says so in `error`. */
  reject?: string;
  always?: boolean;
  escalation?: string;
  forward_agent?: boolean;
  client_version?: string;
  /** Not the daemon's input: the operator the writer has (from the OS, or the daemon's override), written on the record. */
  operator?: OperatorInfo;
}

export interface RawResponse {
  id: string;
  time?: string;
  ok: boolean;
  error?: string | null;
  stages: { exit_code: number; stderr_len: number; stderr_truncated: boolean }[];
  stdout_len: number;
  stdout_truncated: boolean;
  duration_ms: number;
}

export interface RawWriter {
  time_ms: number;
  event: 'start' | 'stop' | 'dropped';
  pid: number;
  dropped?: number;
  error?: string;
  /** On `start`: the writer's operator. */
  operator?: OperatorInfo;
}

/** A policy change; its `time` is the writer's clock as it writes the line (the vector's `logged_ms`, a session step's `at`). */
export interface RawPolicy {
  setting: string;
  old: PolicyValue;
  new: PolicyValue;
  request_id?: string | null;
  /** `keypress` | `config`; another value is written as `config`. */
  by: string;
  /** The writer's operator. */
  operator?: OperatorInfo;
}

export function requestInput(raw: RawRequest): RequestInput {
  const r = expand(raw) as RawRequest;
  return {
    id: r.id,
    time: r.time,
    host: r.host,
    session: r.session,
    pipeline: r.pipeline,
    resolved: r.resolved,
    env: r.env,
    reason: r.reason,
    privileged: r.privileged,
    decision: r.decision,
    via: r.via,
    latencyMs: r.latency_ms,
    error: r.error,
    reject: r.reject as RequestInput['reject'],
    always: r.always,
    escalation: r.escalation as RequestInput['escalation'],
    forwardAgent: r.forward_agent,
    clientVersion: r.client_version,
  };
}

/** The writer's operator a raw record carries (null: none). */
export const operatorOf = (raw: { operator?: OperatorInfo }): OperatorInfo | null => (raw.operator === undefined ? null : (expand(raw.operator) as OperatorInfo));

export function policyInput(raw: RawPolicy): PolicyInput {
  const p = expand(raw) as RawPolicy;
  return { setting: p.setting, old: p.old, new: p.new, requestId: p.request_id, by: p.by as PolicyInput['by'] };
}

export function policyRecord(raw: RawPolicy, loggedMs: number): UnchainedRecord {
  return toPolicyRecord(policyInput(raw), loggedMs, operatorOf(raw));
}

export function responseInput(raw: RawResponse): ResponseInput {
  const r = expand(raw) as RawResponse;
  return {
    id: r.id,
    time: r.time,
    status: r.ok ? 'ok' : 'error',
    error: r.error,
    stages: r.stages.map((s) => ({ exitCode: s.exit_code, stderr: s.stderr_len, stderrTruncated: s.stderr_truncated })),
    stdout: r.stdout_len,
    stdoutTruncated: r.stdout_truncated,
    durationMs: r.duration_ms,
  };
}

export function writerRecord(raw: RawWriter): UnchainedRecord {
  const w = expand(raw) as RawWriter;
  return {
    v: FORMAT_VERSION,
    type: 'writer',
    time: new Date(w.time_ms).toISOString(),
    event: w.event,
    pid: w.pid,
    ...(w.dropped === undefined ? {} : { dropped: w.dropped }),
    ...(w.error === undefined ? {} : { error: w.error }),
    ...(w.operator === undefined ? {} : { operator: w.operator }),
  };
}

/** One record to encode: exactly one of the four. */
export interface RawRecord {
  request?: RawRequest;
  response?: RawResponse;
  writer?: RawWriter;
  policy?: RawPolicy;
}

/** A line vector: a record with its chain position and the writer's time, and the bytes expected. */
export interface LineVector {
  name: string;
  seq: number;
  prev: string;
  logged_ms: number;
  record: RawRecord;
  /** The line without its newline, when short enough to keep in the file. */
  line?: string;
  bytes: number;
  /** SHA-256 of the line's bytes: its chain hash. */
  sha256: string;
}

/** A session vector: a writer opened with a fixed clock and pid on a file, then driven. */
export interface SessionStep {
  /** The writer's clock (ms) from this step on. */
  at: number;
  request?: RawRequest;
  response?: RawResponse;
  /** A policy change (the operator is the writer's: the session's). */
  policy?: Omit<RawPolicy, 'operator'>;
  close?: true;
}

export interface SessionVector {
  name: string;
  pid: number;
  /** The clock when the writer opens the log (its `start` record). */
  open_at: number;
  /** The writer's operator, on its start, request and policy records (absent: none written). */
  operator?: OperatorInfo;
  /** The log's content before the writer opens it (absent: no file). */
  existing?: string;
  /** `audit.log.1`'s content (a rotation just before the writer started). */
  rotated?: string;
  steps: SessionStep[];
  /** The log's content after the steps. */
  expected: string;
}
