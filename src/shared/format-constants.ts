/**
 * The format's constants, apart from the zod schemas so that the writer a daemon links can
 * use them without loading zod at run time (schema.ts builds its schemas from these).
 */
export const FORMAT_VERSION = 1;
/** `prev` of the first record of a chain. */
export const GENESIS_HASH = '0'.repeat(64);
/** Lines longer than this are rejected by readers; the writer shortens records to fit. */
export const MAX_LINE_BYTES = 1024 * 1024;

export const DECISIONS = ['approved', 'denied', 'timeout', 'rejected'] as const;
/** operator: answered at the daemon's prompt; policy: decided without a prompt; pkexec: in pkexec's own dialog. */
export const VIAS = ['operator', 'policy', 'pkexec'] as const;
export const WRITER_EVENTS = ['start', 'stop', 'dropped'] as const;
export const RESPONSE_STATUSES = ['ok', 'error'] as const;

/**
 * Why a `rejected` request was refused (its `reject`), a closed list of what sudo-proxy
 * refuses before any prompt, and a prompt that failed with an I/O error.
 */
export const REJECT_KINDS = ['invalid_json', 'invalid_request', 'forward_agent_privileged', 'stale_time', 'env_not_allowed', 'replay', 'busy', 'peer_uid', 'prompt_error'] as const;
/** How a request runs: escalated with sudo or pkexec, or (unprivileged) directly. */
export const ESCALATIONS = ['sudo', 'pkexec', 'none'] as const;
/** What changed a policy setting: a key pressed at a prompt, or the daemon's configuration. */
export const POLICY_BY = ['keypress', 'config'] as const;

export type Decision = (typeof DECISIONS)[number];
export type Via = (typeof VIAS)[number];
export type RejectKind = (typeof REJECT_KINDS)[number];
export type Escalation = (typeof ESCALATIONS)[number];
export type PolicyBy = (typeof POLICY_BY)[number];
