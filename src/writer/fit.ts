/**
 * Keeps a record under the readers' line cap. A hostile client can send a multi-megabyte argv,
 * or millions of arguments; rather than drop the record (and lose who asked for what), the
 * longest strings are cut with a visible marker, and when that is not enough the longest
 * arrays keep their first items and say how many were left out; the record is flagged
 * `truncated`.
 *
 * The cost is proportional to what is kept, not to the input: every walk stops once what it
 * has kept could no longer fit (a lower bound on the JSON size: each UTF-16 unit is at least
 * one byte), so a 2M-argument argv costs about as much as the ~1 MiB that is written.
 */
import { MAX_LINE_BYTES } from '../shared/format-constants.js';

/** Room left for seq, prev, logged (the writer's time), the newline and the `truncated` flag. */
const HEADROOM = 256;

/** First try: cut only strings, to each of these lengths in turn. */
const STRING_CAPS = [64 * 1024, 16 * 1024, 4 * 1024, 1024, 256, 64, 16];
/**
 * Then also cut arrays: strings to `chars`, each of the record's arrays to at most 1/`share`
 * of the limit, an array inside an array (a pipeline's stage) to a quarter of its parent's
 * room, so that a pipeline of a few huge stages keeps each of them.
 */
const ARRAY_CUTS = [
  { chars: 256, share: 2 },
  { chars: 64, share: 8 },
  { chars: 16, share: 128 },
];
const NESTED_SHARE = 4;

/** What a cut array's marker counts, by the array's key (a pipeline's stages hold args). */
const COUNTED: Record<string, string> = { pipeline: 'stages', stage: 'args', resolved: 'paths', env_keys: 'names' };

interface Walk {
  maxChars: number;
  /** The walk gives up once `size` passes this. */
  limit: number;
  /** Lower bound of the JSON bytes kept so far. */
  size: number;
  /** The longest string met: a smaller cap than this cannot shrink what was walked. */
  longest: number;
}

const over = (w: Walk) => w.size > w.limit;

/** A copy of `value` with strings and (when allowed) arrays cut; stops early once over the limit. */
function cut(value: unknown, w: Walk, key: string, arrayBytes: number): unknown {
  if (typeof value === 'string') {
    if (value.length > w.longest) w.longest = value.length;
    const s = value.length > w.maxChars ? `${value.slice(0, w.maxChars)}…[cut ${value.length - w.maxChars} chars]` : value;
    w.size += s.length + 3; // quotes and a comma
    return s;
  }
  if (Array.isArray(value)) return cutArray(value, w, key, arrayBytes);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      w.size += k.length + 3;
      out[k] = cut(v, w, k, arrayBytes);
      if (over(w)) break;
    }
    return out;
  }
  w.size += 5; // a number, true/false/null: a few bytes
  return value;
}

/** `arrayBytes`: the largest lower-bound size this array may keep (Infinity: not cut). */
function cutArray(items: readonly unknown[], w: Walk, key: string, arrayBytes: number): unknown[] {
  const out: unknown[] = [];
  const start = w.size;
  const itemKey = key === 'pipeline' ? 'stage' : key;
  w.size += 2;
  for (let i = 0; i < items.length; i++) {
    if (w.size - start > arrayBytes) {
      const left = items.length - i;
      const marker = `…[cut ${left} ${COUNTED[key] ?? 'items'}]`;
      // A marker of the array's own kind: a stage for a pipeline; none among objects.
      if (key === 'pipeline') out.push([marker]);
      else if (typeof items[0] === 'string' || items[0] === null) out.push(marker);
      w.size += marker.length + 3;
      break;
    }
    out.push(cut(items[i], w, itemKey, arrayBytes / NESTED_SHARE));
    if (over(w)) break;
  }
  return out;
}

/** The cut copy, or null when even its lower bound does not fit. */
function tryCut<T extends object>(record: T, maxChars: number, arrayBytes: number, limit: number, walk: { longest: number }): T | null {
  const w: Walk = { maxChars, limit, size: 0, longest: 0 };
  const copy = cut(record, w, '', arrayBytes) as T;
  walk.longest = w.longest;
  return over(w) ? null : copy;
}

const fits = (value: object, limit: number): string | null => {
  const json = JSON.stringify(value);
  return json.length * 3 <= limit || Buffer.byteLength(json) <= limit ? json : null;
};

/** The record's JSON, cut as `fitRecord` cuts it when too long; serialises each record once when it fits. */
export function fitRecordJson(record: object, limitBytes = MAX_LINE_BYTES): string {
  const limit = limitBytes - HEADROOM;
  // The first walk stops early when the record cannot fit, so a huge record is not serialised whole.
  const walk = { longest: 0 };
  if (tryCut(record, Infinity, Infinity, limit, walk) !== null) {
    const json = fits(record, limit);
    if (json !== null) return json;
    walk.longest = Infinity;
  }
  return JSON.stringify(shortened(record, limit, walk));
}

/** Returns the record unchanged when it fits, else a copy with strings (then arrays) cut and `truncated: true`. */
export function fitRecord<T extends object>(record: T, limitBytes = MAX_LINE_BYTES): T {
  const limit = limitBytes - HEADROOM;
  const walk = { longest: 0 };
  if (tryCut(record, Infinity, Infinity, limit, walk) !== null) {
    if (fits(record, limit) !== null) return record;
    walk.longest = Infinity; // walked whole: its longest string says nothing of which cap fits
  }
  return shortened(record, limit, walk);
}

/** `walk.longest`: the longest string a walk met before it gave up (Infinity: unknown). */
function shortened<T extends object>(record: T, limit: number, walk: { longest: number }): T {
  for (const maxChars of STRING_CAPS) {
    // The last walk gave up on strings no longer than this cap: cutting to it changes nothing.
    if (maxChars >= walk.longest) continue;
    const copy = tryCut(record, maxChars, Infinity, limit, walk);
    if (copy !== null && fits(copy, limit) !== null) return { ...copy, truncated: true };
  }
  let copy: T | null = null;
  for (const { chars, share } of ARRAY_CUTS) {
    copy = tryCut(record, chars, limit / share, limit, walk);
    if (copy !== null && fits(copy, limit) !== null) break;
  }
  // The last cut keeps at most a few KiB per array of a record's few fields: it always fits.
  return { ...(copy ?? tryCut(record, 16, 0, Infinity, walk) ?? record), truncated: true };
}
