/**
 * The audit record format: the contract between any daemon, the writer and the viewer.
 * These zod schemas are the single source of truth; TypeScript types are inferred from them
 * and `schema/audit-record.schema.json` is generated from them for daemons in other languages.
 * On disk every record is one JSON object per line, snake_case like sudo-proxy's wire protocol.
 */
import { z } from 'zod';
import { DECISIONS, ESCALATIONS, FORMAT_VERSION, POLICY_BY, REJECT_KINDS, RESPONSE_STATUSES, VIAS, WRITER_EVENTS } from './format-constants.js';

export { FORMAT_VERSION, GENESIS_HASH, MAX_LINE_BYTES } from './format-constants.js';
export type { Decision, Escalation, PolicyBy, RejectKind, Via } from './format-constants.js';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest');

/** Chain fields: optional so that records from other writers are still readable (as unchained). */
const chainFields = {
  seq: z.number().int().positive().optional().describe('Position in the writer\'s chain: +1 per record, from 1.'),
  prev: sha256Hex.optional().describe('SHA-256 hex of the previous record\'s exact line bytes (without the newline); 64 zeros for the first.'),
};

/**
 * The writer's own clock when it wrote the record, beside the `time` a client sent: optional so
 * that records from before it (and from other writers) stay readable; readers then fall back to `time`.
 */
const loggedField = {
  logged: z
    .string()
    .optional()
    .describe('When the writer wrote the record, by its own clock: ISO 8601 UTC with milliseconds. Time windows use it; absent in older records, where readers fall back to `time`.'),
};

export const decisionSchema = z.enum(DECISIONS);
export const viaSchema = z.enum(VIAS);
export const rejectKindSchema = z.enum(REJECT_KINDS);

/** Who decided: the daemon's OS user, the terminal it prompts on and the machine (field order as written). */
export const operatorSchema = z
  .object({
    uid: z.number().int().nonnegative().describe('The daemon process\'s real uid.'),
    user: z.string().describe('The name of that uid; empty when unknown.'),
    tty: z.string().nullable().describe('The terminal the daemon prompts on, or null (none: pkexec mode, no terminal).'),
    hostname: z.string().describe('The machine\'s hostname.'),
  })
  .describe('Who decided: the daemon\'s OS user, its prompt\'s terminal and the machine.');

const operatorField = {
  operator: operatorSchema.optional(),
};

export const requestRecordSchema = z
  .object({
    v: z.literal(FORMAT_VERSION),
    type: z.literal('request'),
    ...chainFields,
    ...loggedField,
    id: z.string().min(1).describe('Opaque request id; sudo-proxy sends a UUID v4.'),
    time: z.string().describe('The request\'s own wall-clock time field, as sent by the client (sudo-proxy: YYYY-MM-DDTHH:MM:SSZ); kept, never trusted for time windows when `logged` is present.'),
    host: z.string().describe('Host label; empty means local.'),
    session: z.string(),
    pipeline: z.array(z.array(z.string())).min(1).describe('Stages of the pipeline, each an argv array.'),
    resolved: z
      .array(z.string().nullable())
      .describe('Resolved absolute path of each stage\'s argv[0], or null when it could not be resolved.'),
    env_keys: z.array(z.string()).describe('Names of the environment variables sent, sorted. Never values.'),
    reason: z.string(),
    privileged: z.boolean(),
    decision: decisionSchema,
    via: viaSchema.describe('operator: answered at the prompt; policy: decided without a prompt; pkexec: decided in pkexec\'s own dialog (no TTY prompt).'),
    latency_ms: z.number().nonnegative().nullable().describe('Prompt shown to decision; null when there was no prompt.'),
    error: z.string().optional().describe('Why a rejected request was refused before any prompt.'),
    reject: rejectKindSchema.optional().describe('decision=rejected: which refusal, beside the message in `error`.'),
    always: z.literal(true).optional().describe('decision=approved: approved with "always" (ApprovedAlways), which also switches off confirm_unprivileged (a `policy` record follows).'),
    escalation: z.enum(ESCALATIONS).optional().describe('How the command runs: escalated with sudo or pkexec, or none (an unprivileged request, run directly).'),
    forward_agent: z.boolean().optional().describe('The request asked for the SSH agent to be forwarded to the command.'),
    client_version: z.string().optional().describe('The client\'s version, as the request sent it.'),
    ...operatorField,
    truncated: z.literal(true).optional().describe('Set when the writer shortened strings to fit the line cap.'),
  })
  .refine((r) => r.decision !== 'rejected' || typeof r.error === 'string', {
    message: 'a rejected request carries an error message',
    path: ['error'],
  })
  .refine((r) => r.reject === undefined || r.decision === 'rejected', {
    message: 'only a rejected request carries a reject kind',
    path: ['reject'],
  })
  .refine((r) => r.always === undefined || r.decision === 'approved', {
    message: 'only an approved request carries always',
    path: ['always'],
  });

export const stageResultSchema = z.object({
  exit_code: z.number().int().describe('Exit code; -1 for a child killed by a signal, 137 for a killed stage.'),
  stderr_len: z.number().int().nonnegative(),
  stderr_truncated: z.boolean(),
});

export const responseRecordSchema = z.object({
  v: z.literal(FORMAT_VERSION),
  type: z.literal('response'),
  ...chainFields,
  ...loggedField,
  id: z.string().min(1),
  time: z.string().describe('Completion wall-clock time, ISO 8601 with milliseconds.'),
  status: z.enum(RESPONSE_STATUSES).describe('error: spawn failure or execution timeout.'),
  error: z.string().nullable(),
  stages: z.array(stageResultSchema),
  stdout_len: z.number().int().nonnegative(),
  stdout_truncated: z.boolean(),
  duration_ms: z.number().nonnegative().describe('Total wall-clock duration, from a monotonic clock.'),
  truncated: z.literal(true).optional(),
});

/** Lifecycle of a writer: start/stop, and how many records it could not write during an outage. */
export const writerRecordSchema = z.object({
  v: z.literal(FORMAT_VERSION),
  type: z.literal('writer'),
  ...chainFields,
  ...loggedField,
  time: z.string(),
  event: z.enum(WRITER_EVENTS),
  pid: z.number().int(),
  dropped: z.number().int().nonnegative().optional().describe('event=dropped: records lost while the log was unwritable (0 when the record only reports what the writer found, such as a log directory it had to recreate).'),
  error: z.string().optional().describe('event=dropped: the last error seen, or why the writer refused the log (a symlink, a FIFO, an owner or mode it cannot trust), and what else it found (a log directory it had to recreate).'),
  operator: operatorSchema.optional().describe('event=start: who runs the daemon that writes the log.'),
});

const policyValue = z.union([z.boolean(), z.number(), z.string(), z.null()]);

/** A change of the daemon's policy (a security event): which setting, from what to what, why and by whom. */
export const policyRecordSchema = z.object({
  v: z.literal(FORMAT_VERSION),
  type: z.literal('policy'),
  ...chainFields,
  ...loggedField,
  time: z.string().describe('The writer\'s clock when the change was recorded (ISO 8601 UTC, ms), as `logged`.'),
  setting: z.string().describe('The setting changed, e.g. confirm_unprivileged.'),
  old: policyValue.describe('Its value before.'),
  new: policyValue.describe('Its value after.'),
  request_id: z.string().nullable().describe('The request whose prompt caused the change, or null.'),
  by: z.enum(POLICY_BY).describe('keypress: a key pressed at a prompt (`a`, ApprovedAlways); config: the daemon\'s configuration (a reload).'),
  ...operatorField,
  truncated: z.literal(true).optional().describe('Set when the writer shortened strings to fit the line cap.'),
});

/**
 * A forward-secure seal (shared/seal.ts): written only when the log has a sealing state
 * (`seal init`). Its MAC covers the line's own bytes before `,"mac":"` (seq and prev included),
 * under the epoch's key; the line is written in exactly the field order shown here.
 */
export const sealRecordSchema = z.object({
  v: z.literal(FORMAT_VERSION),
  type: z.literal('seal'),
  seq: z.number().int().positive().describe('Position in the chain, as for every record (required: a seal is always chained).'),
  prev: sha256Hex.describe('SHA-256 hex of the previous line: through it the seal covers every record before it.'),
  logged: z.string().describe('When the seal was made, by the writer\'s clock (ISO 8601 UTC, ms).'),
  time: z.string().describe('The same as logged.'),
  epoch: z.number().int().nonnegative().describe('The key epoch: 0 for the first seal after `seal init`, +1 per seal.'),
  key_id: z.string().regex(/^[0-9a-f]{16}$/).describe('The first 16 hex digits of SHA-256("sudo-proxy-audit key id v1\\n" ‖ k0): which verification key the log is sealed under.'),
  mac: sha256Hex.describe('HMAC-SHA256 under k_epoch of "sudo-proxy-audit seal v1\\n" followed by this line\'s bytes before `,"mac":"`. k_{i+1} = HMAC-SHA256(k_i, "sudo-proxy-audit seal key evolution v1").'),
});

export const auditRecordSchema = z.union([requestRecordSchema, responseRecordSchema, writerRecordSchema, policyRecordSchema, sealRecordSchema]);

export type RequestRecord = z.infer<typeof requestRecordSchema>;
export type ResponseRecord = z.infer<typeof responseRecordSchema>;
export type StageResult = z.infer<typeof stageResultSchema>;
export type WriterRecord = z.infer<typeof writerRecordSchema>;
export type SealRecord = z.infer<typeof sealRecordSchema>;
export type PolicyRecord = z.infer<typeof policyRecordSchema>;
export type OperatorInfo = z.infer<typeof operatorSchema>;
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** JSON Schema (draft 2020-12) of one audit-log line, for daemons written in other languages. */
export function auditRecordJsonSchema(): Record<string, unknown> {
  return {
    title: 'sudo-proxy audit record',
    description: 'One line of a sudo-proxy audit log (JSONL). Readers accept records without seq/prev as unchained.',
    ...z.toJSONSchema(auditRecordSchema, { target: 'draft-2020-12' }),
  };
}
