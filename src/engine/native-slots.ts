/**
 * The slots the native scanner fills for each line (native/src/lines.rs `scan_lines`): where its
 * fields are, its numbers, its bits, and the option that asks for its hash. Apart, so that a
 * reader of a line's chain facts (native-chain-kinds.ts, `verify`) loads them and nothing of
 * the index's reader (native-lines.ts).
 */
export const I_START = 0, I_END = 1, I_STATUS = 2, I_KIND = 3, I_BITS = 4, I_PREV_START = 5, I_ID_START = 6, I_ID_END = 7;
export const I_HOST_START = 8, I_HOST_END = 9, I_SESSION_START = 10, I_SESSION_END = 11, I_REASON_START = 12, I_REASON_END = 13;
export const I_COMMAND_START = 14, I_COMMAND_END = 15, I_RESOLVED_START = 16, I_RESOLVED_END = 17, I_ERROR_START = 18, I_ERROR_END = 19;
export const I_DECISION = 20, I_REJECT = 21, I_USER_START = 22, I_USER_END = 23;
export const INT_SLOTS = 24;
export const N_SEQ = 0, N_ID_HASH = 1, N_TIME = 2, N_LATENCY = 3, N_DURATION = 4, N_UID = 5, N_PRINT = 6;
export const NUM_SLOTS = 7;
export const B_CHAINED = 1, B_PRIVILEGED = 2, B_POLICY = 4, B_FAILED = 8, B_HASHED = 16, B_LINKS_BEFORE = 32;
export const OPTION_HASH = 1;
