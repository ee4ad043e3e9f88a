/**
 * The vocabulary of the byte scanner (scan-record.ts): the keys of request and response
 * records as bytes, a perfect hash from a key's bytes to its number, which keys each kind
 * requires and allows, the writer's key order (so the scanner predicts the next key and
 * compares once), and the literal values it recognises. Pure: tables built once at load.
 */
import { DECISIONS } from './compact-record.js';
import { ESCALATIONS, REJECT_KINDS } from '../shared/format-constants.js';

export const KEYS = [
  'v', 'type', 'seq', 'prev', 'id', 'time', 'host', 'session', 'pipeline', 'resolved', 'env_keys', 'reason', 'privileged',
  'decision', 'via', 'latency_ms', 'error', 'truncated', 'status', 'stages', 'stdout_len', 'stdout_truncated', 'duration_ms',
  'logged', 'reject', 'always', 'escalation', 'forward_agent', 'client_version', 'operator',
] as const;
type Key = (typeof KEYS)[number];
const bits = (...keys: Key[]) => keys.reduce((m, k) => m | (1 << KEYS.indexOf(k)), 0);
export const REQUEST_REQUIRED = bits('v', 'type', 'id', 'time', 'host', 'session', 'pipeline', 'resolved', 'env_keys', 'reason', 'privileged', 'decision', 'via', 'latency_ms');
export const REQUEST_ALLOWED = REQUEST_REQUIRED | bits('seq', 'prev', 'logged', 'error', 'truncated', 'reject', 'always', 'escalation', 'forward_agent', 'client_version', 'operator');
export const RESPONSE_REQUIRED = bits('v', 'type', 'id', 'time', 'status', 'error', 'stages', 'stdout_len', 'stdout_truncated', 'duration_ms');
export const RESPONSE_ALLOWED = RESPONSE_REQUIRED | bits('seq', 'prev', 'logged', 'truncated');

const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const KEY_BYTES = KEYS.map(bytesOf);
/** A key's slot in KEY_TABLE from its length, first, middle and last bytes (collision-free for KEYS; checked as the table is built). */
export const keySlot = (b: Uint8Array, s: number, e: number) => ((e - s) + b[s] * 11 + b[s + ((e - s) >> 1)] * 3 + b[e - 1]) & 255;
export const KEY_TABLE = new Int8Array(256).fill(-1);
for (let k = 0; k < KEYS.length; k++) {
  const slot = keySlot(KEY_BYTES[k], 0, KEY_BYTES[k].length);
  if (KEY_TABLE[slot] !== -1) throw new Error(`record-keys: key table collision between ${KEYS[k]} and ${KEYS[KEY_TABLE[slot]]}`);
  KEY_TABLE[slot] = k;
}

/** `"key":` as bytes, to recognise an expected key in one comparison. */
export const KEY_PATTERNS = KEYS.map((k) => bytesOf(`"${k}":`));
/** The key that follows each key in the writer's output (-1: none expected). */
function successors(order: Key[]): Int8Array {
  const next = new Int8Array(KEYS.length).fill(-1);
  for (let k = 0; k + 1 < order.length; k++) next[KEYS.indexOf(order[k])] = KEYS.indexOf(order[k + 1]);
  return next;
}
export const NEXT_IN_REQUEST = successors(['v', 'type', 'seq', 'prev', 'logged', 'id', 'time', 'host', 'session', 'pipeline', 'resolved', 'env_keys', 'reason', 'privileged', 'decision', 'via', 'latency_ms', 'error', 'reject', 'always', 'escalation', 'forward_agent', 'client_version', 'operator', 'truncated']);
export const NEXT_IN_RESPONSE = successors(['v', 'type', 'seq', 'prev', 'logged', 'id', 'time', 'status', 'error', 'stages', 'stdout_len', 'stdout_truncated', 'duration_ms']);

export const LIT = {
  request: bytesOf('request'),
  response: bytesOf('response'),
  operator: bytesOf('operator'),
  policy: bytesOf('policy'),
  pkexec: bytesOf('pkexec'),
  /** An operator object's keys, in the writer's order, each with what precedes its value. */
  opUid: bytesOf('{"uid":'),
  opUser: bytesOf(',"user":'),
  opTty: bytesOf(',"tty":'),
  opHostname: bytesOf(',"hostname":'),
  /** A response's stage's keys, in the writer's order, each with what precedes its value. */
  stageExitCode: bytesOf('{"exit_code":'),
  stageStderrLen: bytesOf(',"stderr_len":'),
  stageStderrTruncated: bytesOf(',"stderr_truncated":'),
  ok: bytesOf('ok'),
  error: bytesOf('error'),
  true: bytesOf('true'),
  false: bytesOf('false'),
  null: bytesOf('null'),
  exit_code: bytesOf('exit_code'),
  stderr_len: bytesOf('stderr_len'),
  stderr_truncated: bytesOf('stderr_truncated'),
};
export const DECISION_BYTES = DECISIONS.map(bytesOf);
export const REJECT_BYTES = REJECT_KINDS.map(bytesOf);
export const ESCALATION_BYTES = ESCALATIONS.map(bytesOf);

/** Whether b[start, end) holds exactly the bytes of `lit`. */
export function equals(b: Uint8Array, start: number, end: number, lit: Uint8Array): boolean {
  if (end - start !== lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (b[start + i] !== lit[i]) return false;
  return true;
}
