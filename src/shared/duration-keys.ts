/**
 * Durations (decision latency, execution duration) for percentiles in 4 bytes each instead of 8.
 *
 * `stats` of a million entries held every latency and duration as a double while it ranked
 * them: 7.4 MB at the process's peak (#17). A key here orders as the milliseconds do and gives
 * them back exactly, for every value the writers write: whole milliseconds below 2^31, and
 * thousandths of one (a `performance.now()` difference, three decimals) below 2,147,484 ms
 * (35 minutes). Below that bound a key is the value in thousandths (under 2^31); whole
 * milliseconds from it on follow, from 2^31 up. Any other value (negative, longer, finer than
 * 1 µs) is kept aside as it is, and ranked with the keys only when there is one.
 */

/** Whole milliseconds from here on are keyed from 2^31 (below it, in thousandths). */
const WHOLE_FROM = 2_147_484;
const TWO_31 = 0x80000000;

/** The durations of a stats part: most as keys (`durationKey`), the rest as they are. */
export interface DurationList {
  keys: Uint32Array;
  others: Float64Array;
}

/** The key of `ms` (it orders as `ms` does; `msOfKey` gives `ms` back), or -1: keep it aside. */
export function durationKey(ms: number): number {
  if (Number.isInteger(ms) && ms >= 0 && ms < TWO_31) return wholeMsKey(ms);
  const thousandths = Math.round(ms * 1000);
  return thousandths >= 0 && thousandths < TWO_31 && thousandths / 1000 === ms ? thousandths : -1;
}

/** Whole milliseconds below 2^31 (a column's code for them) as a key, without a division. */
export function wholeMsKey(ms: number): number {
  return ms < WHOLE_FROM ? ms * 1000 : TWO_31 + (ms - WHOLE_FROM);
}

/** A key's milliseconds, exactly. */
export function msOfKey(key: number): number {
  return key < TWO_31 ? key / 1000 : key - TWO_31 + WHOLE_FROM;
}

/** `values` (milliseconds) as a list: keys where they fit, the rest aside. */
export function durationList(values: ArrayLike<number>): DurationList {
  const keys = new Uint32Array(values.length);
  const others: number[] = [];
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const key = durationKey(values[i]);
    if (key === -1) others.push(values[i]);
    else keys[n++] = key;
  }
  return { keys: keys.subarray(0, n), others: Float64Array.from(others) };
}

/** Every duration of `list` in milliseconds (keyed ones first). */
export function durationValues(list: DurationList): Float64Array {
  const out = new Float64Array(list.keys.length + list.others.length);
  for (let i = 0; i < list.keys.length; i++) out[i] = msOfKey(list.keys[i]);
  out.set(list.others, list.keys.length);
  return out;
}
