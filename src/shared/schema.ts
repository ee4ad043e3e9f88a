/**
 * The audit record format: the contract between any daemon, the writer and the viewer.
 * These zod schemas are the single source of truth; TypeScript types are inferred from them
 * and `schema/audit-record.schema.json` is generated from them for daemons in other languages.
 * On disk every record is one JSON object per line, snake_case like sudo-proxy's wire protocol.
 */
import { z } from 'zod';
import { DECISIONS, ESCALATIONS, FORMAT_VERSION, POLICY_BY, REJECT_KINDS, RESPONSE_STATUSES, VIAS, WRITER_EVENTS } from './format-constants.js';

export { FORMAT_VERSION, GENESIS_HASH, MAX_LINE_BYTES } from './format-constants.js';
export type { Decision, Via } from './format-constants.js';

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

export const operatorSchema = z.object({
  uid: z.number().int().nonnegative(),
  user: z.string(),
  tty: z.string().nullable(),
  hostname: z.string(),
});

export const decisionSchema = z.enum(DECISIONS);
export const viaSchema = z.enum(VIAS);

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
    via: viaSchema.describe('operator: answered at the prompt; policy: decided without a prompt.'),
    latency_ms: z.number().nonnegative().nullable().describe('Prompt shown to decision; null when there was no prompt.'),
    error: z.string().optional().describe('Why a rejected request was refused before any prompt.'),
    reject: z.enum(REJECT_KINDS).optional(),
    always: z.literal(true).optional(),
    escalation: z.enum(ESCALATIONS).optional(),
    forward_agent: z.boolean().optional(),
    client_version: z.string().optional(),
    operator: operatorSchema.optional(),
    truncated: z.literal(true).optional().describe('Set when the writer shortened strings to fit the line cap.'),
  })
  .refine((r) => r.decision !== 'rejected' || typeof r.error === 'string', {
    message: 'a rejected request carries an error message',
    path: ['error'],
  })
  .refine((r) => r.reject === undefined || r.decision === 'rejected', { message: 'reject only with decision rejected', path: ['reject'] })
  .refine((r) => r.always === undefined || r.decision === 'approved', { message: 'always only with decision approved', path: ['always'] });

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
  operator: operatorSchema.optional(),
});

const policyValue = z.union([z.boolean(), z.number(), z.string(), z.null()]);

export const policyRecordSchema = z.object({
  v: z.literal(FORMAT_VERSION),
  type: z.literal('policy'),
  ...chainFields,
  ...loggedField,
  time: z.string(),
  setting: z.string(),
  old: policyValue,
  new: policyValue,
  request_id: z.string().nullable(),
  by: z.enum(POLICY_BY),
  operator: operatorSchema.optional(),
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
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** JSON Schema (draft 2020-12) of one audit-log line, for daemons written in other languages. */
export function auditRecordJsonSchema(): Record<string, unknown> {
  return {
    title: 'sudo-proxy audit record',
    description: 'One line of a sudo-proxy audit log (JSONL). Readers accept records without seq/prev as unchained.',
    ...z.toJSONSchema(auditRecordSchema, { target: 'draft-2020-12' }),
  };
}
