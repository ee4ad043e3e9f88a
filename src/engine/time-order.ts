/**
 * Positions sorted by entry time (the writer's `logged`, else the request's `time`: the time
 * column), ties in log order; an entry without a time counts as the oldest. From the columns,
 * no line read again. Pure.
 *
 * A log is mostly in time order already: a check for that costs one pass. Otherwise each
 * entry's key is packed with its index into one number — (time − oldest) · n + index, exact
 * while under 2^53 (a million entries over 99 days of whole milliseconds) — and sorted by the
 * typed array's own numeric sort, stable by construction; a comparator sort otherwise.
 */

/** `positions` (ascending; null: 0 … times.length − 1) reordered by `times[position]`, stably. */
export function positionsByTime(times: Float64Array, positions: Int32Array | null): Int32Array {
  const n = positions ? positions.length : times.length;
  const at = (i: number) => (positions ? positions[i] : i);
  const keys = new Float64Array(n);
  let sorted = true;
  let whole = true;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = times[at(i)];
    const k = t === t ? t : Number.NEGATIVE_INFINITY;
    keys[i] = k;
    if (i > 0 && k < keys[i - 1]) sorted = false;
    if (k === Number.NEGATIVE_INFINITY) continue;
    if (k < min) min = k;
    if (k > max) max = k;
    if (whole && !Number.isInteger(k)) whole = false;
  }
  const out = new Int32Array(n);
  if (sorted) {
    for (let i = 0; i < n; i++) out[i] = at(i);
    return out;
  }
  // Unknown times go just before the oldest known one.
  const floor = min - 1;
  if (whole && (max - floor + 1) * n < Number.MAX_SAFE_INTEGER) {
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      keys[i] = ((k === Number.NEGATIVE_INFINITY ? floor : k) - floor) * n + i;
    }
    keys.sort();
    for (let i = 0; i < n; i++) out[i] = at(keys[i] % n);
    return out;
  }
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  index.sort((a, b) => (keys[a] === keys[b] ? a - b : keys[a] < keys[b] ? -1 : 1));
  for (let i = 0; i < n; i++) out[i] = at(index[i]);
  return out;
}
