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
export const VIAS = ['operator', 'policy'] as const;
export const WRITER_EVENTS = ['start', 'stop', 'dropped'] as const;
export const RESPONSE_STATUSES = ['ok', 'error'] as const;

export type Decision = (typeof DECISIONS)[number];
export type Via = (typeof VIAS)[number];
