/**
 * Keeps a record under the readers' line cap. A hostile client can send a multi-megabyte argv;
 * rather than drop the record (and lose who asked for what), the longest strings are cut with
 * a visible marker and the record is flagged `truncated`.
 */
import { MAX_LINE_BYTES } from '../shared/format-constants.js';

/** Room left for seq, prev, logged (the writer's time), the newline and the `truncated` flag. */
const HEADROOM = 256;

function capStrings(value: unknown, maxChars: number): unknown {
  if (typeof value === 'string') {
    return value.length > maxChars ? `${value.slice(0, maxChars)}…[cut ${value.length - maxChars} chars]` : value;
  }
  if (Array.isArray(value)) return value.map((v) => capStrings(v, maxChars));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = capStrings(v, maxChars);
    return out;
  }
  return value;
}

/**
 * The record's JSON when it fits, else the JSON of a copy with strings cut and
 * `truncated: true`. Returns the string so the writer serialises each record once.
 */
export function fitRecordJson(record: object, limitBytes = MAX_LINE_BYTES): string {
  const json = JSON.stringify(record);
  // A UTF-16 unit is at most 3 UTF-8 bytes: most records skip the exact count.
  if (json.length * 3 <= limitBytes - HEADROOM) return json;
  return JSON.stringify(fitRecord(record, limitBytes));
}

/** Returns the record unchanged when it fits, else a copy with strings cut and `truncated: true`. */
export function fitRecord<T extends object>(record: T, limitBytes = MAX_LINE_BYTES): T {
  const limit = limitBytes - HEADROOM;
  const json = JSON.stringify(record);
  if (json.length * 3 <= limit || Buffer.byteLength(json) <= limit) return record;
  for (let maxChars = 64 * 1024; maxChars >= 16; maxChars = Math.floor(maxChars / 4)) {
    const cut = { ...(capStrings(record, maxChars) as T), truncated: true };
    if (Buffer.byteLength(JSON.stringify(cut)) <= limit) return cut;
  }
  // Many tiny strings (a million one-letter args): keep the first stages' words only.
  const cut = capStrings(record, 16) as Record<string, unknown>;
  if (Array.isArray(cut.pipeline)) {
    cut.pipeline = (cut.pipeline as string[][]).map((stage) => stage.slice(0, 64).concat(stage.length > 64 ? [`…[cut ${stage.length - 64} args]`] : []));
  }
  if (Array.isArray(cut.env_keys)) cut.env_keys = (cut.env_keys as string[]).slice(0, 256);
  return { ...(cut as T), truncated: true };
}
