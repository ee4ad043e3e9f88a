/**
 * One entry as a JSON object for `print --json`. Field names are snake_case like the records
 * on disk and are a stable interface for scripts (documented in the README); new fields may
 * be added, none renamed or removed. Pure.
 */
import type { Entry, Operator, RecordLocation } from '../../shared/entry.js';
import { isSecurityEntry } from '../../shared/entry.js';

export interface EntryJson {
  id: string;
  state: Entry['state'];
  /** The request's time as the client sent it. */
  time: string;
  /** When the writer wrote the request, by its own clock (what --since/--until use); null in older records, which fall back to `time`. */
  logged: string | null;
  /** The collected host (the collector's folder name); '' when files were read directly. */
  origin: string;
  host: string;
  session: string;
  privileged: boolean;
  pipeline: string[][];
  resolved: (string | null)[];
  env_keys: string[];
  reason: string;
  decision: Entry['decision'];
  via: Entry['via'];
  latency_ms: number | null;
  request_error: string | null;
  /** Which refusal (a rejected request whose writer says), else null. */
  reject: Entry['reject'];
  /** Approved with "always" (ApprovedAlways). */
  always: boolean;
  escalation: Entry['escalation'];
  forward_agent: boolean | null;
  client_version: string | null;
  /** Who decided: uid, user, tty, hostname; null when the record does not say. */
  operator: Operator | null;
  /** A security event (a replayed request). */
  security: boolean;
  completed_time: string | null;
  status: Entry['status'];
  error: string | null;
  exit_codes: number[];
  stages: Array<{ exit_code: number; stderr_len: number; stderr_truncated: boolean }>;
  stdout_len: number | null;
  stdout_truncated: boolean;
  duration_ms: number | null;
  anomalies: Entry['anomalies'];
  request: LocationJson | null;
  response: LocationJson | null;
}

export interface LocationJson {
  file: string;
  line: number;
  offset: number;
  seq: number | null;
}

const location = (l: RecordLocation | null): LocationJson | null => (l === null ? null : { file: l.file, line: l.line, offset: l.offset, seq: l.seq });

export function entryJson(e: Entry): EntryJson {
  return {
    id: e.id,
    state: e.state,
    time: e.time,
    logged: e.logged,
    origin: e.origin,
    host: e.host,
    session: e.session,
    privileged: e.privileged,
    pipeline: e.pipeline,
    resolved: e.resolved,
    env_keys: e.envKeys,
    reason: e.reason,
    decision: e.decision,
    via: e.via,
    latency_ms: e.latencyMs,
    request_error: e.requestError,
    reject: e.reject,
    always: e.always,
    escalation: e.escalation,
    forward_agent: e.forwardAgent,
    client_version: e.clientVersion,
    operator: e.operator,
    security: isSecurityEntry(e),
    completed_time: e.completedTime,
    status: e.status,
    error: e.error,
    exit_codes: e.stages.map((s) => s.exitCode),
    stages: e.stages.map((s) => ({ exit_code: s.exitCode, stderr_len: s.stderrLen, stderr_truncated: s.stderrTruncated })),
    stdout_len: e.stdoutLen,
    stdout_truncated: e.stdoutTruncated,
    duration_ms: e.durationMs,
    anomalies: e.anomalies,
    request: location(e.request),
    response: location(e.response),
  };
}
