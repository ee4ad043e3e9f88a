/**
 * The golden vectors' language-neutral inputs (schema/vectors/README.md), read into what the
 * TypeScript writer takes. The Rust test suite (rust/tests/vectors.rs) reads the same files
 * into the crate's structs; both must produce the bytes the files hold.
 *
 * Long inputs are written compactly: a string may be `{"repeat": "ab", "times": N}`, and an
 * item of an array `{"items": VALUE, "times": N}` (N copies of VALUE) or `{"numbered": "P", "times": N}`
 * (the N strings P0, P1, … P{N-1}).
 */
import type { RequestInput, ResponseInput } from '../../src/writer/record-input.js';
import type { UnchainedRecord } from '../../src/writer/record-line.js';
import { FORMAT_VERSION } from '../../src/shared/format-constants.js';

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
  via?: 'operator' | 'policy';
  latency_ms?: number | null;
  error?: string;
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
  };
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
  };
}

/** One record to encode: exactly one of the three. */
export interface RawRecord {
  request?: RawRequest;
  response?: RawResponse;
  writer?: RawWriter;
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
  close?: true;
}

export interface SessionVector {
  name: string;
  pid: number;
  /** The clock when the writer opens the log (its `start` record). */
  open_at: number;
  /** The log's content before the writer opens it (absent: no file). */
  existing?: string;
  /** `audit.log.1`'s content (a rotation just before the writer started). */
  rotated?: string;
  steps: SessionStep[];
  /** The log's content after the steps. */
  expected: string;
}
