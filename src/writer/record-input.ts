/**
 * What the daemon hands the writer: a request (a decision) and a response (an execution), in
 * the daemon's own terms. The writer's encoders (record-line.ts) turn them into records; the
 * writer (audit-log.ts) appends them. Types only: here so that neither of those imports the other.
 */
import type { Decision, Escalation, PolicyBy, RejectKind, Via } from '../shared/format-constants.js';

/** A byte count as the daemon has it: the count, or the output itself (only its length is written). */
export type OutputOrLength = number | string | Uint8Array;

export interface RequestInput {
  id: string;
  /** The request's own time field, as the client sent it. Not replaced by a fresh clock. */
  time: string;
  /** Host label; empty or absent means local. */
  host?: string;
  session: string;
  pipeline: readonly (readonly string[])[];
  /** Resolved absolute path of each stage's argv[0], null when unresolved. */
  resolved?: readonly (string | null)[];
  /** The environment the client sent: only the names are kept, sorted. */
  env?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | readonly string[];
  reason?: string;
  privileged: boolean;
  decision: Decision;
  /** `policy` when decided without a prompt, `pkexec` in pkexec's own dialog. Default `operator`. */
  via?: Via;
  /** Prompt shown to decision, in ms; null when there was no prompt. */
  latencyMs?: number | null;
  /** Why a `rejected` request was refused. */
  error?: string;
  /**
   * Which refusal (decision `rejected` only; ignored otherwise). A kind outside REJECT_KINDS
   * is not written as `reject`: the error says ` (unknown reject kind "X")` instead.
   */
  reject?: RejectKind;
  /** Approved with "always" (ApprovedAlways); written only with decision `approved`. */
  always?: boolean;
  /** How the command runs: `sudo`, `pkexec`, or `none` (unprivileged, run directly). */
  escalation?: Escalation;
  /** The request asked for the SSH agent to be forwarded. Written only when given. */
  forwardAgent?: boolean;
  /** The client's version (the request's `version`). Written only when given. */
  clientVersion?: string;
}

/** A policy setting's value, before or after a change. */
export type PolicyValue = boolean | number | string | null;

/** A change of the daemon's policy, e.g. `confirm_unprivileged` switched off by ApprovedAlways. */
export interface PolicyInput {
  setting: string;
  old: PolicyValue;
  new: PolicyValue;
  /** The request whose prompt caused the change; null or absent when none did. */
  requestId?: string | null;
  /** `keypress`: a key pressed at a prompt (`a`); `config`: the daemon's configuration (a reload). */
  by: PolicyBy;
}

export interface StageInput {
  exitCode: number;
  /** The stage's stderr or its length; only the length is written. */
  stderr: OutputOrLength;
  stderrTruncated?: boolean;
}

export interface ResponseInput {
  id: string;
  /** Completion time; default now (ISO 8601, ms). */
  time?: string;
  status: 'ok' | 'error';
  error?: string | null;
  stages: readonly StageInput[];
  /** The pipeline's stdout or its length; only the length is written. */
  stdout: OutputOrLength;
  stdoutTruncated?: boolean;
  /** Total wall-clock duration from a monotonic clock. */
  durationMs: number;
}
